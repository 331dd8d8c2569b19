//! Tables that show as HTML in a notebook (and as aligned text elsewhere).
//!
//! Build a [`Table`] from a header and rows of anything that implements `Display`, or (with
//! the `frame` feature) from a polars `DataFrame`. Long tables show their first and last rows
//! around a "… more rows" line, so a cell never floods the page.
//!
//! ```
//! use dslab::table::Table;
//! # fn main() -> dslab::Result<()> {
//! let mut table = Table::new(["model", "RMSE"]);
//! table.push_row(["ARIMA(1,1,1)", "0.21"])?;
//! table.push_row(["Holt", "0.35"])?;
//! assert!(table.to_html().contains("<td>Holt</td>"));
//! assert!(table.push_row(["too", "many", "cells"]).is_err());
//! # Ok(())
//! # }
//! ```

use std::fmt::{self, Display};

use crate::error::{Error, Result};

/// Rows shown by default before a table is shortened.
pub const DEFAULT_MAX_ROWS: usize = 20;

/// A table of text cells with a header, shown inline by evcxr.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    max_rows: usize,
    caption: Option<String>,
}

impl Table {
    /// An empty table with these column headers.
    pub fn new<H: Display>(headers: impl IntoIterator<Item = H>) -> Self {
        Table {
            headers: headers.into_iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            max_rows: DEFAULT_MAX_ROWS,
            caption: None,
        }
    }

    /// Appends a row; it must have one cell per header.
    pub fn push_row<C: Display>(&mut self, cells: impl IntoIterator<Item = C>) -> Result<()> {
        let row: Vec<String> = cells.into_iter().map(|c| c.to_string()).collect();
        if row.len() != self.headers.len() {
            return Err(Error::invalid(
                format!("table row {}", self.rows.len()),
                format!(
                    "it has {} cells but the table has {} columns ({})",
                    row.len(),
                    self.headers.len(),
                    self.headers.join(", ")
                ),
            ));
        }
        self.rows.push(row);
        Ok(())
    }

    /// [`Table::push_row`] for building a table in one expression.
    pub fn with_row<C: Display>(mut self, cells: impl IntoIterator<Item = C>) -> Result<Self> {
        self.push_row(cells)?;
        Ok(self)
    }

    /// Shows at most `n` rows (half from the top, half from the bottom); `0` shows all.
    pub fn max_rows(mut self, n: usize) -> Self {
        self.max_rows = n;
        self
    }

    /// A caption shown above the table.
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    /// The column headers.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// All rows, including those a shortened display leaves out.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The rows to show: everything, or the first and last rows with the number left out.
    fn visible(&self) -> (Vec<&Vec<String>>, usize, usize) {
        let n = self.rows.len();
        if self.max_rows == 0 || n <= self.max_rows {
            return (self.rows.iter().collect(), n, 0);
        }
        let top = self.max_rows.div_ceil(2);
        let bottom = self.max_rows - top;
        let rows = self.rows[..top].iter().chain(self.rows[n - bottom..].iter()).collect();
        (rows, top, n - self.max_rows)
    }

    /// The table as an HTML fragment.
    pub fn to_html(&self) -> String {
        let mut html = String::from("<table class=\"dslab-table\">\n");
        if let Some(caption) = &self.caption {
            html += &format!("<caption>{}</caption>\n", escape(caption));
        }
        html += "<thead><tr>";
        for h in &self.headers {
            html += &format!("<th>{}</th>", escape(h));
        }
        html += "</tr></thead>\n<tbody>\n";
        let (rows, split, hidden) = self.visible();
        for (i, row) in rows.iter().enumerate() {
            if hidden > 0 && i == split {
                html += &format!(
                    "<tr><td colspan=\"{}\" style=\"text-align:center\">… {hidden} more rows …</td></tr>\n",
                    self.headers.len().max(1)
                );
            }
            html += "<tr>";
            for cell in row.iter() {
                html += &format!("<td>{}</td>", escape(cell));
            }
            html += "</tr>\n";
        }
        html += "</tbody>\n</table>";
        if hidden > 0 {
            html += &format!("\n<p>{} rows × {} columns</p>", self.rows.len(), self.headers.len());
        }
        html
    }

    /// Shows the table in a Jupyter notebook running evcxr (HTML, with text as fallback).
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT",
            self.to_html(),
            self
        );
    }
}

impl Display for Table {
    /// Aligned plain text, shortened like the HTML form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (rows, split, hidden) = self.visible();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row.iter()) {
                *w = (*w).max(cell.chars().count());
            }
        }
        if let Some(caption) = &self.caption {
            writeln!(f, "{caption}")?;
        }
        let line = |f: &mut fmt::Formatter<'_>, cells: &[String]| -> fmt::Result {
            let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            writeln!(f, "{}", padded.join("  ").trim_end())
        };
        line(f, &self.headers)?;
        writeln!(f, "{}", widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "))?;
        for (i, row) in rows.iter().enumerate() {
            if hidden > 0 && i == split {
                writeln!(f, "… {hidden} more rows …")?;
            }
            line(f, row)?;
        }
        Ok(())
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(feature = "frame")]
impl Table {
    /// A table of a polars `DataFrame`'s columns and values (`null` for missing values).
    pub fn from_frame(frame: &polars::prelude::DataFrame) -> Self {
        let columns = frame.columns();
        let headers: Vec<String> = columns.iter().map(|c| format!("{} ({})", c.name(), c.dtype())).collect();
        let rows = (0..frame.height())
            .map(|i| {
                columns
                    .iter()
                    .map(|c| match c.get(i) {
                        Ok(value) if value.is_null() => "null".to_owned(),
                        Ok(polars::prelude::AnyValue::String(s)) => s.to_owned(),
                        Ok(value) => value.to_string(),
                        Err(_) => "?".to_owned(),
                    })
                    .collect()
            })
            .collect();
        Table { headers, rows, max_rows: DEFAULT_MAX_ROWS, caption: None }
    }
}

/// Shows a polars `DataFrame` as an HTML table of at most `max_rows` rows.
#[cfg(feature = "frame")]
pub fn frame(frame: &polars::prelude::DataFrame, max_rows: usize) -> Table {
    Table::from_frame(frame).max_rows(max_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(n: usize) -> Table {
        let mut t = Table::new(["i", "square"]);
        for i in 0..n {
            t.push_row([i, i * i]).unwrap();
        }
        t
    }

    #[test]
    fn html_escapes_and_has_every_cell() {
        let t = Table::new(["a<b", "c"]).with_row(["x & y", "\"q\""]).unwrap().caption("Caption");
        let html = t.to_html();
        assert!(html.contains("<th>a&lt;b</th>"), "{html}");
        assert!(html.contains("<td>x &amp; y</td><td>&quot;q&quot;</td>"), "{html}");
        assert!(html.contains("<caption>Caption</caption>"), "{html}");
    }

    #[test]
    fn long_tables_show_head_and_tail() {
        let t = numbers(100).max_rows(6);
        let html = t.to_html();
        assert_eq!(html.matches("<tr><td>").count(), 6);
        assert!(html.contains("<td>2</td><td>4</td>") && html.contains("<td>99</td><td>9801</td>"), "{html}");
        assert!(!html.contains("<td>50</td>"));
        assert!(html.contains("… 94 more rows …") && html.contains("100 rows × 2 columns"), "{html}");
        let text = t.to_string();
        assert!(text.contains("… 94 more rows …"), "{text}");
        assert_eq!(numbers(100).max_rows(0).to_html().matches("<tr><td>").count(), 100);
    }

    #[test]
    fn plain_text_is_aligned() {
        let t = Table::new(["name", "n"]).with_row(["long name", "1"]).unwrap();
        assert_eq!(t.to_string(), "name       n\n---------  -\nlong name  1\n");
    }

    #[test]
    fn wrong_row_length_is_an_error() {
        let err = Table::new(["a", "b"]).with_row(["1"]).unwrap_err();
        assert_eq!(err.to_string(), "invalid table row 0: it has 1 cells but the table has 2 columns (a, b)");
    }

    #[cfg(feature = "frame")]
    #[test]
    fn data_frame_becomes_a_table() {
        use polars::prelude::*;
        let df = df!("ticker" => ["AAPL", "MSFT", "KO"], "weight" => [Some(0.5), None, Some(0.25)]).unwrap();
        let t = frame(&df, 2);
        assert_eq!(t.headers(), ["ticker (str)", "weight (f64)"]);
        assert_eq!(t.rows()[1], ["MSFT", "null"]);
        let html = t.to_html();
        assert!(html.contains("<td>AAPL</td><td>0.5</td>") && html.contains("… 1 more rows …"), "{html}");
    }
}
