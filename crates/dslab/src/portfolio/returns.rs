//! Daily returns and their annualised summaries: the expected returns and the covariance that
//! Modern Portfolio Theory feeds on.
//!
//! The formulas are PyPortfolioOpt's (`mean_historical_return`, `sample_cov`), which the
//! integration tests check against: the arithmetic mean times the periods per year, the
//! compounded annual growth rate, and the sample covariance (divisor `n - 1`) times the periods
//! per year.

use crate::table::Table;
use crate::{Error, Result};

/// Trading days in a year: the factor that turns daily figures into annual ones.
pub const TRADING_DAYS_PER_YEAR: f64 = 252.0;

/// How a return is measured from one price to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnKind {
    /// `p[t] / p[t-1] - 1`: what a portfolio earns, since a portfolio's simple return is the
    /// weighted sum of its assets' simple returns.
    Simple,
    /// `ln(p[t] / p[t-1])`: adds up over time, which makes compounding a sum.
    Log,
}

/// Returns of several assets over shared periods, one column per ticker.
#[derive(Debug, Clone, PartialEq)]
pub struct Returns {
    kind: ReturnKind,
    dates: Vec<String>,
    tickers: Vec<String>,
    columns: Vec<Vec<f64>>,
    periods_per_year: f64,
}

impl Returns {
    /// Returns from columns: `columns[j][t]` is the return of `tickers[j]` over the period that
    /// ends on `dates[t]`. Every value must be finite (and above -1 for simple returns).
    pub fn new(kind: ReturnKind, dates: Vec<String>, tickers: Vec<String>, columns: Vec<Vec<f64>>) -> Result<Self> {
        if tickers.is_empty() || tickers.len() != columns.len() {
            return Err(Error::invalid(
                "returns",
                format!(
                    "{} tickers and {} columns: give one column per ticker, at least one",
                    tickers.len(),
                    columns.len()
                ),
            ));
        }
        if dates.len() < 2 {
            return Err(Error::invalid(
                "returns",
                format!("a covariance needs at least 2 periods (3 prices), there are {}", dates.len()),
            ));
        }
        for (ticker, column) in tickers.iter().zip(&columns) {
            if column.len() != dates.len() {
                return Err(Error::invalid(
                    "returns",
                    format!("{ticker} has {} returns but there are {} dates", column.len(), dates.len()),
                ));
            }
            let floor = if kind == ReturnKind::Simple { -1.0 } else { f64::NEG_INFINITY };
            if let Some(t) = column.iter().position(|r| !(r.is_finite() && *r > floor)) {
                return Err(Error::invalid(
                    "returns",
                    format!(
                        "{ticker} has the return {} on {}: returns must be finite (and above -1 when simple)",
                        column[t], dates[t]
                    ),
                ));
            }
        }
        Ok(Returns { kind, dates, tickers, columns, periods_per_year: TRADING_DAYS_PER_YEAR })
    }

    /// The same returns annualised with another number of periods per year (12 for monthly).
    pub fn with_periods_per_year(mut self, periods: f64) -> Result<Self> {
        if !(periods.is_finite() && periods > 0.0) {
            return Err(Error::invalid(
                "periods per year",
                format!("{periods} must be a positive number (252 for daily data)"),
            ));
        }
        self.periods_per_year = periods;
        Ok(self)
    }

    /// Simple or log returns.
    pub fn kind(&self) -> ReturnKind {
        self.kind
    }

    /// The date that ends each period.
    pub fn dates(&self) -> &[String] {
        &self.dates
    }

    /// The tickers, in column order.
    pub fn tickers(&self) -> &[String] {
        &self.tickers
    }

    /// Number of periods.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// Always false: returns hold at least two periods.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The periods per year used to annualise (252 unless changed).
    pub fn periods_per_year(&self) -> f64 {
        self.periods_per_year
    }

    /// The returns of the `j`-th ticker.
    pub fn column(&self, j: usize) -> &[f64] {
        &self.columns[j]
    }

    /// Mean return per period of each ticker.
    pub fn mean(&self) -> Vec<f64> {
        self.columns.iter().map(|c| c.iter().sum::<f64>() / c.len() as f64).collect()
    }

    /// Annualised arithmetic mean: the mean per period times the periods per year
    /// (PyPortfolioOpt's `mean_historical_return(compounding=False)`).
    pub fn mean_annual(&self) -> Vec<f64> {
        self.mean().into_iter().map(|m| m * self.periods_per_year).collect()
    }

    /// Annualised compounded mean, the growth rate that turns the first price into the last:
    /// `(Π (1 + r))^(periods per year / n) - 1` (PyPortfolioOpt's default
    /// `mean_historical_return`). Log returns give the same rate, `exp(mean × periods) - 1`.
    ///
    /// Lower than [`Returns::mean_annual`] for a volatile asset: ups and downs of the same size
    /// lose money (+10 % then -10 % leaves 0.99).
    pub fn compounded_annual(&self) -> Vec<f64> {
        let n = self.len() as f64;
        self.columns
            .iter()
            .map(|c| {
                let log_growth: f64 = match self.kind {
                    ReturnKind::Simple => c.iter().map(|r| r.ln_1p()).sum(),
                    ReturnKind::Log => c.iter().sum(),
                };
                (log_growth * self.periods_per_year / n).exp_m1()
            })
            .collect()
    }

    /// Sample covariance per period (divisor `n - 1`), as rows.
    pub fn covariance(&self) -> Vec<Vec<f64>> {
        let k = self.columns.len();
        let n = self.len() as f64;
        let centred: Vec<Vec<f64>> =
            self.columns.iter().zip(self.mean()).map(|(c, m)| c.iter().map(|r| r - m).collect()).collect();
        let mut cov = vec![vec![0.0; k]; k];
        for i in 0..k {
            for j in i..k {
                let s: f64 = centred[i].iter().zip(&centred[j]).map(|(a, b)| a * b).sum();
                cov[i][j] = s / (n - 1.0);
                cov[j][i] = cov[i][j];
            }
        }
        cov
    }

    /// Annualised sample covariance: [`Returns::covariance`] times the periods per year
    /// (PyPortfolioOpt's `sample_cov`).
    pub fn covariance_annual(&self) -> Vec<Vec<f64>> {
        let f = self.periods_per_year;
        self.covariance().into_iter().map(|row| row.into_iter().map(|c| c * f).collect()).collect()
    }

    /// Correlation matrix: the covariance scaled to -1..1, for a heat map of who moves with whom.
    pub fn correlation(&self) -> Vec<Vec<f64>> {
        let cov = self.covariance();
        let sd: Vec<f64> = (0..cov.len()).map(|i| cov[i][i].sqrt()).collect();
        cov.iter()
            .enumerate()
            .map(|(i, row)| row.iter().enumerate().map(|(j, c)| c / (sd[i] * sd[j])).collect())
            .collect()
    }

    /// Annualised volatility of each ticker: the square root of the covariance's diagonal.
    pub fn volatility_annual(&self) -> Vec<f64> {
        let cov = self.covariance_annual();
        (0..cov.len()).map(|i| cov[i][i].sqrt()).collect()
    }

    /// A table of each ticker's annual figures: arithmetic and compounded mean, volatility.
    pub fn summary(&self) -> Table {
        let (mean, cagr, vol) = (self.mean_annual(), self.compounded_annual(), self.volatility_annual());
        let mut table = Table::new(["ticker", "mean return / year", "compounded return / year", "volatility / year"])
            .caption(format!(
                "{} {} returns from {} to {}, annualised with {} periods a year",
                self.len(),
                if self.kind == ReturnKind::Simple { "simple" } else { "log" },
                self.dates[0],
                self.dates[self.len() - 1],
                self.periods_per_year
            ))
            .max_rows(self.tickers.len());
        for j in 0..self.tickers.len() {
            let cells = [self.tickers[j].clone(), percent(mean[j]), percent(cagr[j]), percent(vol[j])];
            // Four cells for four columns.
            let _ = table.push_row(cells);
        }
        table
    }

    /// Shows [`Returns::summary`] in a notebook.
    pub fn evcxr_display(&self) {
        self.summary().evcxr_display();
    }
}

/// `x` as a percentage with two decimals; values that round to zero show as `0.00 %`, not `-0.00 %`.
pub(crate) fn percent(x: f64) -> String {
    let v = 100.0 * x;
    format!("{:.2} %", if v.abs() < 0.005 { 0.0 } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn returns(columns: Vec<Vec<f64>>) -> Returns {
        let n = columns[0].len();
        let dates = (0..n).map(|d| format!("2024-01-{:02}", d + 2)).collect();
        let tickers = (0..columns.len()).map(|j| format!("T{j}")).collect();
        Returns::new(ReturnKind::Simple, dates, tickers, columns).unwrap()
    }

    #[test]
    fn annual_means_and_covariance() {
        let r = returns(vec![vec![0.1, -0.1, 0.1, -0.1], vec![0.0, 0.02, 0.0, 0.02]]);
        let mean = r.mean_annual();
        assert!(mean[0].abs() < 1e-12 && (mean[1] - 0.01 * 252.0).abs() < 1e-12);
        // +10 % then -10 % twice: growth 0.99² over 4 days.
        let cagr = r.compounded_annual();
        assert!((cagr[0] - (0.99f64.powi(2).powf(252.0 / 4.0) - 1.0)).abs() < 1e-12);
        let cov = r.covariance();
        // Var of ±0.1 around 0 with n - 1 = 3: 4 × 0.01 / 3.
        assert!((cov[0][0] - 0.04 / 3.0).abs() < 1e-15);
        assert!((cov[0][1] - cov[1][0]).abs() == 0.0 && cov[0][1] < 0.0);
        let corr = r.correlation();
        assert!((corr[0][1] + 1.0).abs() < 1e-12); // perfectly opposite
        let monthly = r.clone().with_periods_per_year(12.0).unwrap();
        assert!((monthly.covariance_annual()[1][1] * 21.0 - r.covariance_annual()[1][1]).abs() < 1e-15);
    }

    #[test]
    fn invalid_returns_are_refused() {
        let dates: Vec<String> = vec!["2024-01-02".into(), "2024-01-03".into()];
        let e = Returns::new(ReturnKind::Simple, dates.clone(), vec!["A".into()], vec![vec![0.1, -1.5]]).unwrap_err();
        assert!(e.to_string().contains("A has the return -1.5 on 2024-01-03"), "{e}");
        assert!(Returns::new(ReturnKind::Log, dates.clone(), vec!["A".into()], vec![vec![0.1, -1.5]]).is_ok());
        assert!(Returns::new(ReturnKind::Log, dates, vec!["A".into()], vec![vec![0.1]]).is_err());
        assert!(returns(vec![vec![0.0, 0.1]]).with_periods_per_year(0.0).is_err());
    }
}
