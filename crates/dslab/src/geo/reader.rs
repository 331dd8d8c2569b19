//! Streaming CSV reading for the geo files, with errors that name the file, line and column.
//!
//! The crime file has half a million rows: it is read record by record into reused buffers
//! instead of being held as text ([`crate::data::CsvTable`] is for small tables).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use crate::data::{csv_error, parse_number, parse_optional_number};
use crate::error::{Error, Result};

pub(crate) struct CsvFile {
    path: PathBuf,
    reader: csv::Reader<BufReader<File>>,
    headers: Vec<String>,
    record: ByteRecord,
}

impl CsvFile {
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::Io { action: "open", path: path.to_owned(), source: e })?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::Headers)
            .from_reader(BufReader::with_capacity(1 << 20, file));
        let headers = reader.headers().map_err(|e| csv_error(path, e))?.iter().map(str::to_owned).collect();
        Ok(CsvFile { path: path.to_owned(), reader, headers, record: ByteRecord::new() })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Position of a required column, or [`Error::MissingColumn`] listing the header.
    pub(crate) fn column(&self, name: &str) -> Result<usize> {
        self.optional_column(name).ok_or_else(|| Error::MissingColumn {
            path: self.path.clone(),
            column: name.to_owned(),
            available: self.headers.join(", "),
        })
    }

    /// Position of a column matched without regard to case.
    pub(crate) fn optional_column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h == name)
            .or_else(|| self.headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
    }

    /// Reads the next row; `false` at the end of the file.
    pub(crate) fn next_row(&mut self) -> Result<bool> {
        self.reader.read_byte_record(&mut self.record).map_err(|e| csv_error(&self.path, e))
    }

    /// 1-based line of the current row.
    pub(crate) fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// The raw bytes of field `index` of the current row, trimmed of spaces.
    pub(crate) fn bytes(&self, index: usize) -> &[u8] {
        self.record.get(index).unwrap_or(b"").trim_ascii()
    }

    /// Field `index` as text.
    pub(crate) fn text(&self, index: usize, column: &str) -> Result<&str> {
        std::str::from_utf8(self.bytes(index)).map_err(|_| self.error(column, "the value is not valid UTF-8"))
    }

    /// Field `index` as a number by the crate's one rule ([`crate::data::parse_number`]): an
    /// empty, non-numeric or non-finite value is an error naming the line.
    pub(crate) fn number(&self, index: usize, column: &str) -> Result<f64> {
        parse_number(self.text(index, column)?).map_err(|message| self.error(column, &message))
    }

    /// Field `index` as a number, `None` when empty (or `NA`, `NaN`), by
    /// [`crate::data::parse_optional_number`].
    pub(crate) fn optional_number(&self, index: usize, column: &str) -> Result<Option<f64>> {
        parse_optional_number(self.text(index, column)?).map_err(|message| self.error(column, &message))
    }

    /// An [`Error::Parse`] for `column` on the current line.
    pub(crate) fn error(&self, column: &str, message: &str) -> Error {
        Error::Parse {
            path: self.path.clone(),
            line: self.line(),
            column: column.to_owned(),
            message: message.to_owned(),
        }
    }

    /// An [`Error::MalformedRow`] for the current line.
    pub(crate) fn row_error(&self, message: String) -> Error {
        Error::MalformedRow { path: self.path.clone(), line: self.line(), message }
    }
}
