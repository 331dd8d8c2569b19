//! Daily prices of several assets on shared dates: the raw material of every portfolio figure.
//!
//! A [`Prices`] table keeps one column per ticker, dates as ISO text (`YYYY-MM-DD`, so that
//! text order is time order). Selecting tickers and a date range gives a smaller table;
//! [`Prices::simple_returns`] and [`Prices::log_returns`] turn it into [`Returns`], refusing
//! gaps (a missing, non-finite or non-positive price) with the ticker and date at fault.

use std::path::Path;

use crate::data::CsvTable;
use crate::table::Table;
use crate::{Error, Result};

use super::returns::{ReturnKind, Returns};

/// Prices of several assets on shared dates, one column per ticker (missing prices are NaN).
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    dates: Vec<String>,
    tickers: Vec<String>,
    columns: Vec<Vec<f64>>,
}

impl Prices {
    /// Prices from columns: `columns[j][t]` is the price of `tickers[j]` on `dates[t]`.
    ///
    /// Dates must be ISO text (`YYYY-MM-DD`) in strictly increasing order; a missing price is
    /// `f64::NAN` and is only refused when returns are computed over it.
    pub fn new(dates: Vec<String>, tickers: Vec<String>, columns: Vec<Vec<f64>>) -> Result<Self> {
        if tickers.is_empty() {
            return Err(Error::invalid("prices", "no tickers: give at least one column of prices"));
        }
        if columns.len() != tickers.len() {
            return Err(Error::invalid(
                "prices",
                format!("{} tickers but {} columns of prices", tickers.len(), columns.len()),
            ));
        }
        for (ticker, column) in tickers.iter().zip(&columns) {
            if column.len() != dates.len() {
                return Err(Error::invalid(
                    "prices",
                    format!("{ticker} has {} prices but there are {} dates", column.len(), dates.len()),
                ));
            }
        }
        for (i, ticker) in tickers.iter().enumerate() {
            if tickers[..i].contains(ticker) {
                return Err(Error::invalid("prices", format!("the ticker {ticker} appears twice")));
            }
        }
        for (t, date) in dates.iter().enumerate() {
            if !is_iso_date(date) {
                return Err(Error::invalid(
                    "prices",
                    format!("date `{date}` (row {}) is not written YYYY-MM-DD", t + 1),
                ));
            }
            if t > 0 && dates[t - 1] >= *date {
                return Err(Error::invalid(
                    "prices",
                    format!("dates must increase: {} is followed by {date} (row {})", dates[t - 1], t + 1),
                ));
            }
        }
        Ok(Prices { dates, tickers, columns })
    }

    /// Reads a CSV file with a `Date` column (ISO dates) and one column of prices per ticker;
    /// an empty cell or `NA` is a missing price.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("dslab-doc-prices-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// # let path = dir.join("prices.csv");
    /// std::fs::write(&path, "Date,AAA,BBB\n2024-01-02,10,20\n2024-01-03,11,19\n2024-01-04,12.1,19\n")?;
    /// let prices = dslab::portfolio::Prices::read(&path)?;
    /// assert_eq!(prices.tickers(), ["AAA", "BBB"]);
    /// let returns = prices.simple_returns()?;
    /// assert!((returns.column(0)[1] - 0.1).abs() < 1e-12); // 11 -> 12.1 is +10 %
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let table = CsvTable::read(path.as_ref())?;
        let date_column = ["Date", "date"].into_iter().find(|name| table.headers().iter().any(|h| h == name));
        let date_column = date_column.unwrap_or("Date");
        let dates = table.str_column(date_column)?;
        let tickers: Vec<String> = table.headers().iter().filter(|h| *h != date_column).cloned().collect();
        let columns = tickers
            .iter()
            .map(|ticker| Ok(table.optional_f64_column(ticker)?.into_iter().map(|p| p.unwrap_or(f64::NAN)).collect()))
            .collect::<Result<Vec<Vec<f64>>>>()?;
        Prices::new(dates, tickers, columns).map_err(|err| match err {
            Error::InvalidInput { message, .. } => {
                Error::invalid(format!("prices in {}", path.as_ref().display()), message)
            }
            other => other,
        })
    }

    /// The dates, oldest first.
    pub fn dates(&self) -> &[String] {
        &self.dates
    }

    /// The tickers, in column order.
    pub fn tickers(&self) -> &[String] {
        &self.tickers
    }

    /// Number of dates.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when there are no dates.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The prices of the `j`-th ticker, oldest first.
    pub fn column(&self, j: usize) -> &[f64] {
        &self.columns[j]
    }

    /// The prices of `ticker`, or an error listing the tickers there are.
    pub fn series(&self, ticker: &str) -> Result<&[f64]> {
        Ok(&self.columns[self.position(ticker)?])
    }

    fn position(&self, ticker: &str) -> Result<usize> {
        self.tickers.iter().position(|t| t == ticker).ok_or_else(|| {
            Error::invalid(
                "ticker",
                format!("no ticker `{ticker}` in the prices (they have: {})", self.tickers.join(", ")),
            )
        })
    }

    /// The columns of `tickers`, in the order given.
    pub fn select<S: AsRef<str>>(&self, tickers: &[S]) -> Result<Prices> {
        let positions = tickers.iter().map(|t| self.position(t.as_ref())).collect::<Result<Vec<_>>>()?;
        let names = positions.iter().map(|&j| self.tickers[j].clone()).collect();
        let columns = positions.iter().map(|&j| self.columns[j].clone()).collect();
        Prices::new(self.dates.clone(), names, columns)
    }

    /// The rows dated from `start` to `end`, both included (ISO dates, `YYYY-MM-DD`).
    pub fn between(&self, start: &str, end: &str) -> Result<Prices> {
        for date in [start, end] {
            if !is_iso_date(date) {
                return Err(Error::invalid("date range", format!("`{date}` is not written YYYY-MM-DD")));
            }
        }
        if start > end {
            return Err(Error::invalid("date range", format!("the start {start} is after the end {end}")));
        }
        let from = self.dates.partition_point(|d| d.as_str() < start);
        let to = self.dates.partition_point(|d| d.as_str() <= end);
        if to - from < 2 {
            let span = match (self.dates.first(), self.dates.last()) {
                (Some(first), Some(last)) => format!("the prices run from {first} to {last}"),
                _ => "the prices have no dates".to_owned(),
            };
            return Err(Error::invalid(
                "date range",
                format!("{start} to {end} holds {} dates, returns need at least 2 ({span})", to - from),
            ));
        }
        let columns = self.columns.iter().map(|c| c[from..to].to_vec()).collect();
        Prices::new(self.dates[from..to].to_vec(), self.tickers.clone(), columns)
    }

    /// Daily simple returns `p[t] / p[t-1] - 1`, dated by the later day.
    ///
    /// Fails on a gap: a missing, non-finite or non-positive price, naming the ticker and date.
    pub fn simple_returns(&self) -> Result<Returns> {
        self.returns(ReturnKind::Simple)
    }

    /// Daily log returns `ln(p[t] / p[t-1])`, dated by the later day; they add up over time.
    pub fn log_returns(&self) -> Result<Returns> {
        self.returns(ReturnKind::Log)
    }

    /// Daily returns of the given kind.
    pub fn returns(&self, kind: ReturnKind) -> Result<Returns> {
        if self.len() < 2 {
            return Err(Error::invalid("prices", format!("returns need at least 2 dates, there are {}", self.len())));
        }
        self.check_gaps()?;
        let columns = self
            .columns
            .iter()
            .map(|p| {
                p.windows(2)
                    .map(|w| match kind {
                        ReturnKind::Simple => w[1] / w[0] - 1.0,
                        ReturnKind::Log => (w[1] / w[0]).ln(),
                    })
                    .collect()
            })
            .collect();
        Returns::new(kind, self.dates[1..].to_vec(), self.tickers.clone(), columns)
    }

    /// An error naming the first gap (missing, non-finite or non-positive price), if any.
    pub fn check_gaps(&self) -> Result<()> {
        for (ticker, column) in self.tickers.iter().zip(&self.columns) {
            let gaps: Vec<usize> = (0..column.len()).filter(|&t| !(column[t].is_finite() && column[t] > 0.0)).collect();
            if let Some(&t) = gaps.first() {
                let what = if column[t].is_nan() { "no price".to_owned() } else { format!("the price {}", column[t]) };
                return Err(Error::invalid(
                    "prices",
                    format!(
                        "{ticker} has {what} on {} ({} gap{} in all between {} and {}); returns need a positive \
                         price on every date: choose a date range without gaps or leave {ticker} out",
                        self.dates[t],
                        gaps.len(),
                        if gaps.len() == 1 { "" } else { "s" },
                        self.dates[0],
                        self.dates[self.len() - 1],
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Calendar years from the first date to the last (days / 365.25): how long the window is,
    /// so a notebook can say it from the data rather than from its parameters.
    ///
    /// Fails when there are no dates or a date is not a real calendar day.
    pub fn span_years(&self) -> Result<f64> {
        match (self.dates.first(), self.dates.last()) {
            (Some(first), Some(last)) => years_between(first, last),
            _ => Err(Error::invalid("prices", "no dates, so no span in years")),
        }
    }

    /// Trading days per calendar year in the window: the returns (one per day after the first)
    /// divided by [`Prices::span_years`]; close to 252 for a year or more of US trading days.
    ///
    /// Fails when the window spans less than a day.
    pub fn trading_days_per_year(&self) -> Result<f64> {
        let years = self.span_years()?;
        if years <= 0.0 {
            return Err(Error::invalid("prices", "the window spans no time: give at least two dates"));
        }
        Ok((self.len() - 1) as f64 / years)
    }

    /// Each price divided by the first one: growth of one unit invested on the first date.
    pub fn normalised(&self) -> Vec<Vec<f64>> {
        self.columns.iter().map(|c| c.iter().map(|p| p / c[0]).collect()).collect()
    }

    /// The first and last rows, as a table.
    pub fn head_tail_table(&self, rows: usize) -> Table {
        let mut table = Table::new(std::iter::once("Date".to_owned()).chain(self.tickers.iter().cloned()))
            .caption(format!(
                "Prices: {} dates from {} to {}",
                self.len(),
                self.dates.first().map_or("-", |d| d),
                self.dates.last().map_or("-", |d| d)
            ))
            .max_rows(rows);
        for t in 0..self.len() {
            let row = std::iter::once(self.dates[t].clone()).chain(self.columns.iter().map(|c| format!("{:.3}", c[t])));
            // The row has as many cells as the header by construction.
            let _ = table.push_row(row);
        }
        table
    }

    /// Shows the first and last rows in a notebook.
    pub fn evcxr_display(&self) {
        self.head_tail_table(10).evcxr_display();
    }
}

/// Days in a calendar year on average (Gregorian calendar, leap years included).
const DAYS_PER_YEAR: f64 = 365.25;

/// Calendar years from `start` to `end`, both ISO dates (`YYYY-MM-DD`): their distance in days
/// divided by 365.25. It checks a date window before any prices are read.
///
/// Fails on a date that is not a real calendar day (`2023-02-29`) or an `end` before `start`.
pub fn years_between(start: &str, end: &str) -> Result<f64> {
    let (from, to) = (day_number(start)?, day_number(end)?);
    if to < from {
        return Err(Error::invalid("date range", format!("the end {end} is before the start {start}")));
    }
    Ok((to - from) as f64 / DAYS_PER_YEAR)
}

/// Days since 0001-01-01 (day 1) of an ISO date, checking that the day exists.
fn day_number(date: &str) -> Result<i64> {
    let bad = |why: &str| Error::invalid("date", format!("`{date}` {why}"));
    if !is_iso_date(date) {
        return Err(bad("is not written YYYY-MM-DD"));
    }
    let part = |a: usize, b: usize| date[a..b].parse::<i64>().map_err(|_| bad("is not written YYYY-MM-DD"));
    let (year, month, day) = (part(0, 4)?, part(5, 7)?, part(8, 10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const BEFORE_MONTH: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    const LENGTH: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if year == 0 {
        return Err(bad("has year 0, which the calendar does not have"));
    }
    if !(1..=12).contains(&month) {
        return Err(bad(&format!("has month {month}; months run from 01 to 12")));
    }
    let length = LENGTH[month as usize - 1] + i64::from(leap && month == 2);
    if !(1..=length).contains(&day) {
        return Err(bad(&format!("has day {day}; that month has {length} days")));
    }
    let past = year - 1;
    let leap_days = past / 4 - past / 100 + past / 400;
    Ok(past * 365 + leap_days + BEFORE_MONTH[month as usize - 1] + i64::from(leap && month > 2) + day)
}

fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(n: usize) -> Vec<String> {
        (1..=n).map(|d| format!("2024-01-{d:02}")).collect()
    }

    #[test]
    fn returns_of_known_prices() {
        let p =
            Prices::new(dates(3), vec!["A".into(), "B".into()], vec![vec![100.0, 110.0, 99.0], vec![1.0, 2.0, 1.0]])
                .unwrap();
        let r = p.simple_returns().unwrap();
        assert_eq!(r.dates(), ["2024-01-02", "2024-01-03"]);
        assert!((r.column(0)[0] - 0.1).abs() < 1e-15 && (r.column(0)[1] + 0.1).abs() < 1e-15);
        assert_eq!(r.column(1), [1.0, -0.5]);
        let l = p.log_returns().unwrap();
        assert!((l.column(1)[0] - 2f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn gaps_are_refused_with_ticker_and_date() {
        let p = Prices::new(
            dates(4),
            vec!["A".into(), "B".into()],
            vec![vec![1.0, 1.1, 1.2, 1.3], vec![1.0, f64::NAN, 1.0, 0.0]],
        )
        .unwrap();
        let err = p.simple_returns().unwrap_err().to_string();
        assert!(err.contains("B has no price on 2024-01-02") && err.contains("2 gaps"), "{err}");
        // Outside the gap the returns exist.
        assert!(p.select(&["A"]).unwrap().simple_returns().is_ok());
        assert!(p.between("2024-01-03", "2024-01-03").is_err()); // one date only
    }

    #[test]
    fn construction_errors_say_what_is_wrong() {
        let e = Prices::new(dates(2), vec!["A".into()], vec![vec![1.0]]).unwrap_err().to_string();
        assert!(e.contains("A has 1 prices but there are 2 dates"), "{e}");
        let e = Prices::new(vec!["2024-01-02".into(), "2024-01-01".into()], vec!["A".into()], vec![vec![1.0, 2.0]]);
        assert!(e.unwrap_err().to_string().contains("dates must increase"));
        let e = Prices::new(vec!["2/1/2024".into()], vec!["A".into()], vec![vec![1.0]]);
        assert!(e.unwrap_err().to_string().contains("YYYY-MM-DD"));
        let p = Prices::new(dates(3), vec!["A".into()], vec![vec![1.0, 2.0, 3.0]]).unwrap();
        assert!(p.select(&["Z"]).unwrap_err().to_string().contains("no ticker `Z`"));
        assert_eq!(p.between("2024-01-02", "2024-12-31").unwrap().len(), 2);
    }
}
