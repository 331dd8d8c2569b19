//! The crate's one error type: every fallible function returns [`Result`].
//!
//! Each variant says what was wrong and where (file, line, column, argument), so a
//! student reading the message in a notebook knows what to fix without a backtrace.

use std::path::PathBuf;

/// Everything that can go wrong in `dslab`, with enough context to act on.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    Io {
        /// What was being done: "open", "read", "write".
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },

    /// A value in a data file could not be read as the type the column needs.
    Parse {
        /// The file concerned.
        path: PathBuf,
        /// 1-based line number in the file.
        line: u64,
        /// The column's header.
        column: String,
        /// What was wrong with the value.
        message: String,
    },

    /// A row of a data file is malformed as a whole (wrong number of fields, bad quoting).
    MalformedRow {
        /// The file concerned.
        path: PathBuf,
        /// 1-based line number in the file.
        line: u64,
        /// What was wrong with the row.
        message: String,
    },

    /// A column the code needs is not in the file's header.
    MissingColumn {
        /// The file concerned.
        path: PathBuf,
        /// The column that was asked for.
        column: String,
        /// The columns that the file does have, comma-separated.
        available: String,
    },

    /// An argument is outside what the function accepts (sizes, ranges, shapes).
    InvalidInput {
        /// The argument or value concerned.
        what: String,
        /// What was wrong and what is expected.
        message: String,
    },

    /// A numerical procedure did not reach a solution.
    NotConverged {
        /// The procedure concerned.
        what: String,
        /// Why, and what to try.
        message: String,
    },

    /// A plot could not be drawn.
    Plot {
        /// The plot's title.
        title: String,
        /// What went wrong.
        message: String,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io { action, path, source } => write!(f, "cannot {action} {}: {source}", path.display()),
            Error::Parse { path, line, column, message } => {
                write!(f, "{}, line {line}, column `{column}`: {message}", path.display())
            }
            Error::MalformedRow { path, line, message } => write!(f, "{}, line {line}: {message}", path.display()),
            Error::MissingColumn { path, column, available } => {
                write!(f, "{}: no column `{column}` (the header has: {available})", path.display())
            }
            Error::InvalidInput { what, message } => write!(f, "invalid {what}: {message}"),
            Error::NotConverged { what, message } => write!(f, "{what} did not converge: {message}"),
            Error::Plot { title, message } => write!(f, "cannot draw `{title}`: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    /// An [`Error::InvalidInput`] for the argument `what`.
    pub fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput { what: what.into(), message: message.into() }
    }

    /// An [`Error::NotConverged`] for the procedure `what`.
    pub fn not_converged(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::NotConverged { what: what.into(), message: message.into() }
    }

    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { action, path: path.into(), source }
    }
}

/// `Result` with [`Error`] as its default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
