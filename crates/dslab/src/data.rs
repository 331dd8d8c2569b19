//! Loading CSV data with errors that name the file, the line and the column.
//!
//! Two ways in: [`read_csv`] deserialises every row into a struct of yours (serde), and
//! [`CsvTable`] keeps the file as text and hands out typed columns by name. Both check the
//! header first, so a missing column is reported before any row is read.
//!
//! ```
//! # fn main() -> dslab::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("dslab-doc-data-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # let path = dir.join("co2.csv");
//! # std::fs::write(&path, "year,emissions\n1800,8\n1801,8\n1802,9\n").unwrap();
//! #[derive(serde::Deserialize)]
//! struct Row {
//!     year: i32,
//!     emissions: f64,
//! }
//! let rows: Vec<Row> = dslab::data::read_csv(&path)?;
//! assert_eq!(rows.len(), 3);
//! assert_eq!(rows[2].year, 1802);
//!
//! let table = dslab::data::CsvTable::read(&path)?;
//! assert_eq!(table.f64_column("emissions")?, vec![8.0, 8.0, 9.0]);
//! assert!(table.f64_column("temperature").is_err()); // names the file and the columns it has
//! # Ok(())
//! # }
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};

use csv::{DeserializeErrorKind, ErrorKind, StringRecord};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Reads every row of the CSV file at `path` (with a header line) into `T`.
///
/// The struct's field names are the columns it needs; extra columns in the file are ignored.
/// Errors name the file, the 1-based line and the column: a missing file, a column that is not
/// in the header, a value that does not parse, a row with the wrong number of fields. Number
/// fields follow [`parse_number`]: `NaN`, `inf` and `1e400` are errors, not values; an
/// `Option<f64>` field is `None` when the value is empty.
pub fn read_csv<T: DeserializeOwned>(path: impl AsRef<Path>) -> Result<Vec<T>> {
    let path = path.as_ref();
    let (mut reader, headers) = open(path)?;
    let mut rows = Vec::new();
    let mut record = StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(err) => return Err(csv_error(path, err)),
        }
        match record.deserialize::<T>(Some(&headers)) {
            Ok(row) => match non_finite_field::<T>(path, &headers, &record) {
                None => rows.push(row),
                Some(err) => return Err(err),
            },
            Err(err) => return Err(row_error(path, &headers, &record, err)),
        }
    }
    Ok(rows)
}

/// A CSV file held as text, with typed access to its columns by name.
///
/// Use it when the columns are chosen at run time (a parameters cell naming tickers, say) or
/// when only a few columns of a wide file are needed.
#[derive(Debug, Clone)]
pub struct CsvTable {
    path: PathBuf,
    headers: Vec<String>,
    rows: Vec<StringRecord>,
}

impl CsvTable {
    /// Reads the whole file; fails on a missing file or a malformed row, naming the line.
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let (mut reader, headers) = open(path)?;
        let mut rows = Vec::new();
        let mut record = StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => rows.push(record.clone()),
                Err(err) => return Err(csv_error(path, err)),
            }
        }
        let headers = headers.iter().map(str::to_owned).collect();
        Ok(CsvTable { path: path.to_owned(), headers, rows })
    }

    /// The file this table was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names, in file order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Number of data rows (the header is not counted).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the file has a header but no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Position of the column `name`, or [`Error::MissingColumn`] listing the columns there are.
    pub fn column_index(&self, name: &str) -> Result<usize> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| Error::MissingColumn {
            path: self.path.clone(),
            column: name.to_owned(),
            available: self.headers.join(", "),
        })
    }

    /// The column `name` as text.
    pub fn str_column(&self, name: &str) -> Result<Vec<String>> {
        let index = self.column_index(name)?;
        Ok(self.rows.iter().map(|r| r.get(index).unwrap_or("").to_owned()).collect())
    }

    /// The column `name` as numbers ([`parse_number`]'s rule); an empty, non-numeric or
    /// non-finite value is an error naming its line.
    pub fn f64_column(&self, name: &str) -> Result<Vec<f64>> {
        self.parsed_column(name, parse_number)
    }

    /// The column `name` as numbers where an empty value, `NA` or `NaN` means missing (`None`)
    /// ([`parse_optional_number`]'s rule).
    pub fn optional_f64_column(&self, name: &str) -> Result<Vec<Option<f64>>> {
        self.parsed_column(name, parse_optional_number)
    }

    fn parsed_column<T>(&self, name: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Vec<T>> {
        let index = self.column_index(name)?;
        self.rows
            .iter()
            .map(|row| {
                let text = row.get(index).unwrap_or("").trim();
                parse(text).map_err(|message| Error::Parse {
                    path: self.path.clone(),
                    line: line_of(row),
                    column: name.to_owned(),
                    message,
                })
            })
            .collect()
    }
}

/// The crate's one rule for a number in a data file, shared by [`read_csv`], [`CsvTable`] and
/// the geo readers: a finite `f64` written as Rust reads it (`1.5`, `-2e3`). The error is a
/// message for the caller to place at a file, line and column: an empty value, text that is
/// not a number, `NaN`, or a value that is not finite (`inf`, or `1e400`, which `f64` reads as
/// infinity). Surrounding spaces are the caller's to trim.
///
/// ```
/// use dslab::data::parse_number;
/// assert_eq!(parse_number("-2.5e3"), Ok(-2500.0));
/// assert_eq!(parse_number(""), Err("the value is empty (expected a number)".to_owned()));
/// assert_eq!(parse_number("NaN"), Err("`NaN` is not a number (expected a finite number)".to_owned()));
/// assert!(parse_number("1e400").unwrap_err().contains("`1e400` is not a finite number"));
/// ```
pub fn parse_number(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(value) => Err(non_finite(text, value)),
        Err(_) if text.is_empty() => Err("the value is empty (expected a number)".to_owned()),
        Err(_) => Err(format!("cannot read `{text}` as a number")),
    }
}

/// [`parse_number`] for columns with missing values: an empty value, `NA` or `NaN` (in any
/// case) is `None`; infinities are still errors.
///
/// ```
/// use dslab::data::parse_optional_number;
/// assert_eq!(parse_optional_number("NA"), Ok(None));
/// assert_eq!(parse_optional_number("nan"), Ok(None));
/// assert_eq!(parse_optional_number("3"), Ok(Some(3.0)));
/// assert!(parse_optional_number("-inf").is_err());
/// ```
pub fn parse_optional_number(text: &str) -> Result<Option<f64>, String> {
    if text.is_empty() || text == "NA" || text.eq_ignore_ascii_case("nan") {
        return Ok(None);
    }
    parse_number(text).map(Some)
}

fn non_finite(text: &str, value: f64) -> String {
    if value.is_nan() {
        format!("`{text}` is not a number (expected a finite number)")
    } else {
        format!("`{text}` is not a finite number (expected a value within ±{:e})", f64::MAX)
    }
}

fn open(path: &Path) -> Result<(csv::Reader<File>, StringRecord)> {
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(file);
    let headers = reader.headers().map_err(|e| csv_error(path, e))?.clone();
    Ok((reader, headers))
}

/// serde reads `NaN`, `inf` and `1e400` into `f64` fields without complaint. A field whose text
/// reads as a non-finite `f64` belongs to a number field when the row no longer deserializes
/// with that text replaced by one that is not a number; it is then an error by
/// [`parse_number`]'s rule. (A text field holding "NaN", a name say, is left alone.)
fn non_finite_field<T: DeserializeOwned>(path: &Path, headers: &StringRecord, record: &StringRecord) -> Option<Error> {
    for (index, text) in record.iter().enumerate() {
        if !text.parse::<f64>().is_ok_and(|v| !v.is_finite()) {
            continue;
        }
        let probe: StringRecord =
            record.iter().enumerate().map(|(k, field)| if k == index { "not a number" } else { field }).collect();
        let numeric = match probe.deserialize::<T>(Some(headers)) {
            Ok(_) => false,
            Err(err) => match err.kind() {
                ErrorKind::Deserialize { err, .. } => {
                    matches!(err.kind(), DeserializeErrorKind::ParseFloat(_)) && err.field() == Some(index as u64)
                }
                _ => false,
            },
        };
        if numeric && let Err(message) = parse_number(text) {
            let column = headers.get(index).unwrap_or("?").to_owned();
            return Some(Error::Parse { path: path.to_owned(), line: line_of(record), column, message });
        }
    }
    None
}

fn line_of(record: &StringRecord) -> u64 {
    record.position().map_or(0, |p| p.line())
}

/// An error of the csv reader as the crate's [`Error`], naming the file and line (shared with
/// the geo readers).
pub(crate) fn csv_error(path: &Path, err: csv::Error) -> Error {
    let line = err.position().map_or(0, |p| p.line());
    match err.into_kind() {
        ErrorKind::Io(source) => Error::io("read", path, source),
        ErrorKind::UnequalLengths { expected_len, len, .. } => Error::MalformedRow {
            path: path.to_owned(),
            line,
            message: format!("the row has {len} fields but the header has {expected_len}"),
        },
        ErrorKind::Utf8 { err, .. } => Error::MalformedRow {
            path: path.to_owned(),
            line,
            message: format!("field {} is not valid UTF-8", err.field() + 1),
        },
        other => Error::MalformedRow { path: path.to_owned(), line, message: format!("{other:?}") },
    }
}

fn row_error(path: &Path, headers: &StringRecord, record: &StringRecord, err: csv::Error) -> Error {
    let line = line_of(record);
    let ErrorKind::Deserialize { err, .. } = err.kind() else {
        return csv_error(path, err);
    };
    if let DeserializeErrorKind::Message(message) = err.kind()
        && let Some(column) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`'))
    {
        return Error::MissingColumn {
            path: path.to_owned(),
            column: column.to_owned(),
            available: headers.iter().collect::<Vec<_>>().join(", "),
        };
    }
    let field = err.field().map(|f| f as usize);
    let column = field.and_then(|f| headers.get(f)).unwrap_or("?").to_owned();
    let value = field.and_then(|f| record.get(f)).unwrap_or("");
    let message = match err.kind() {
        DeserializeErrorKind::ParseFloat(_) | DeserializeErrorKind::ParseInt(_) if value.is_empty() => {
            "the value is empty (expected a number)".to_owned()
        }
        DeserializeErrorKind::ParseFloat(_) => format!("cannot read `{value}` as a number"),
        DeserializeErrorKind::ParseInt(_) => format!("cannot read `{value}` as a whole number"),
        DeserializeErrorKind::ParseBool(_) => format!("cannot read `{value}` as true or false"),
        DeserializeErrorKind::UnexpectedEndOfRow => "the row ends before this column".to_owned(),
        other => format!("{other:?}"),
    };
    Error::Parse { path: path.to_owned(), line, column, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("dslab-data-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
        fn file(&self, name: &str, text: &str) -> PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, text).unwrap();
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Row {
        year: i32,
        value: f64,
    }

    #[test]
    fn reads_rows_into_structs() {
        let dir = TempDir::new("ok");
        let path = dir.file("ok.csv", "year,value,note\n2000,1.5,a\n2001,2,b\n");
        let rows: Vec<Row> = read_csv(&path).unwrap();
        assert_eq!(rows, vec![Row { year: 2000, value: 1.5 }, Row { year: 2001, value: 2.0 }]);
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = read_csv::<Row>("no/such/file.csv").unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
        let text = err.to_string();
        assert!(text.contains("no/such/file.csv"), "{text}");
        assert!(text.starts_with("cannot open"), "{text}");
    }

    #[test]
    fn malformed_value_names_line_and_column() {
        let dir = TempDir::new("bad-value");
        let path = dir.file("bad.csv", "year,value\n2000,1.5\n2001,abc\n");
        let err = read_csv::<Row>(&path).unwrap_err();
        let Error::Parse { line, ref column, .. } = err else { panic!("{err:?}") };
        assert_eq!((line, column.as_str()), (3, "value"));
        let text = err.to_string();
        assert!(text.contains("bad.csv, line 3, column `value`: cannot read `abc` as a number"), "{text}");
    }

    #[test]
    fn empty_value_is_reported_as_empty() {
        let dir = TempDir::new("empty-value");
        let path = dir.file("empty.csv", "year,value\n2000,\n");
        let text = read_csv::<Row>(&path).unwrap_err().to_string();
        assert!(text.contains("line 2, column `value`: the value is empty"), "{text}");
    }

    #[test]
    fn row_with_wrong_field_count_names_its_line() {
        let dir = TempDir::new("short-row");
        let path = dir.file("short.csv", "year,value\n2000,1\n2001\n");
        let err = read_csv::<Row>(&path).unwrap_err();
        assert!(matches!(err, Error::MalformedRow { line: 3, .. }), "{err:?}");
        assert!(err.to_string().contains("the row has 1 fields but the header has 2"));
    }

    #[test]
    fn missing_column_lists_the_header() {
        let dir = TempDir::new("missing-column");
        let path = dir.file("cols.csv", "year,amount\n2000,1\n");
        let err = read_csv::<Row>(&path).unwrap_err();
        let Error::MissingColumn { ref column, ref available, .. } = err else { panic!("{err:?}") };
        assert_eq!((column.as_str(), available.as_str()), ("value", "year, amount"));

        let table = CsvTable::read(&path).unwrap();
        let err = table.f64_column("value").unwrap_err();
        assert!(err.to_string().contains("no column `value` (the header has: year, amount)"), "{err}");
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Named {
        name: String,
        value: f64,
        extra: Option<f64>,
    }

    #[test]
    fn non_finite_numbers_are_errors_naming_file_line_column_and_text() {
        let dir = TempDir::new("non-finite");
        let path = dir.file("nf.csv", "year,value\n2000,1\n2001,1e400\n");
        let text = read_csv::<Row>(&path).unwrap_err().to_string();
        assert!(text.contains("nf.csv, line 3, column `value`: `1e400` is not a finite number"), "{text}");
        let path = dir.file("nan.csv", "year,value\n2000,NaN\n");
        let text = read_csv::<Row>(&path).unwrap_err().to_string();
        assert!(
            text.ends_with("nan.csv, line 2, column `value`: `NaN` is not a number (expected a finite number)"),
            "{text}"
        );
        // "NaN" and "inf" in a text field are names, not numbers; an empty optional field is None.
        let path = dir.file("names.csv", "name,value,extra\nNaN,2,\ninf,3,-inf\n");
        let text = read_csv::<Named>(&path).unwrap_err().to_string();
        assert!(text.contains("line 3, column `extra`: `-inf` is not a finite number"), "{text}");
        let path = dir.file("names2.csv", "name,value,extra\nNaN,2,\n");
        assert_eq!(read_csv::<Named>(&path).unwrap(), [Named { name: "NaN".into(), value: 2.0, extra: None }]);

        let path = dir.file("table.csv", "x,y\n1,NaN\n1e400,NA\n");
        let table = CsvTable::read(&path).unwrap();
        let text = table.f64_column("y").unwrap_err().to_string();
        assert!(text.contains("table.csv, line 2, column `y`: `NaN` is not a number"), "{text}");
        let text = table.f64_column("x").unwrap_err().to_string();
        assert!(text.contains("table.csv, line 3, column `x`: `1e400` is not a finite number"), "{text}");
        assert_eq!(table.optional_f64_column("y").unwrap(), [None, None]);
        let text = table.optional_f64_column("x").unwrap_err().to_string();
        assert!(text.contains("line 3, column `x`: `1e400` is not a finite number"), "{text}");
    }

    #[test]
    fn table_columns_are_typed_and_report_bad_values() {
        let dir = TempDir::new("table");
        let path = dir.file("t.csv", "name,x\na,1\nb,NA\nc,3.5\n");
        let table = CsvTable::read(&path).unwrap();
        assert_eq!(table.len(), 3);
        assert_eq!(table.str_column("name").unwrap(), ["a", "b", "c"]);
        assert_eq!(table.optional_f64_column("x").unwrap(), [Some(1.0), None, Some(3.5)]);
        let err = table.f64_column("x").unwrap_err();
        assert!(err.to_string().contains("line 3, column `x`: cannot read `NA` as a number"), "{err}");
    }
}
