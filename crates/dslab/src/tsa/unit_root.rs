//! The augmented Dickey-Fuller unit-root test: is a series non-stationary (null) or
//! stationary (alternative)? Same regression, lag choice and p-values as statsmodels'
//! `adfuller`.

use crate::table::Table;
use crate::tsa::linalg::least_squares;
use crate::tsa::mackinnon;
use crate::{Error, Result};

/// Deterministic terms in the test regression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdfRegression {
    /// No constant (`"n"`).
    None,
    /// A constant (`"c"`, the default).
    #[default]
    Constant,
    /// A constant and a linear time trend (`"ct"`).
    ConstantTrend,
}

impl AdfRegression {
    fn terms(&self) -> usize {
        match self {
            AdfRegression::None => 0,
            AdfRegression::Constant => 1,
            AdfRegression::ConstantTrend => 2,
        }
    }
}

/// How many lagged differences enter the regression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LagSelection {
    /// The count in 0..=max_lag with the smallest AIC (the default).
    #[default]
    Aic,
    /// The count with the smallest BIC.
    Bic,
    /// Exactly `max_lag`.
    Fixed,
}

/// The test's settings (hyperparameters); [`AdfTest::default`] is statsmodels' default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdfTest {
    /// Deterministic terms.
    pub regression: AdfRegression,
    /// The largest lag tried; `None`: `ceil(12 (n/100)^(1/4))`, capped at `n/2 - terms - 1`.
    pub max_lag: Option<usize>,
    /// How the lag is chosen.
    pub lags: LagSelection,
}

/// The result of an augmented Dickey-Fuller test.
#[derive(Debug, Clone, PartialEq)]
pub struct AdfResult {
    /// The t-statistic of the lagged level; more negative is stronger evidence of stationarity.
    pub statistic: f64,
    /// MacKinnon's approximate p-value; below 0.05 rejects the unit root at 5 %.
    pub p_value: f64,
    /// Lagged differences used.
    pub used_lag: usize,
    /// Observations in the final regression.
    pub nobs: usize,
    /// Critical values at 1 %, 5 % and 10 %.
    pub critical_values: [f64; 3],
    /// The best information criterion when the lag was chosen by one.
    pub ic_best: Option<f64>,
}

/// The ADF test with statsmodels' defaults: a constant, lag chosen by AIC up to
/// `12 (n/100)^(1/4)`.
///
/// ```
/// use dslab::{random::Rng, tsa::adf_test};
/// let mut rng = Rng::seed(3);
/// let noise: Vec<f64> = (0..200).map(|_| rng.normal()).collect();
/// let walk: Vec<f64> = noise.iter().scan(0.0, |s, e| { *s += e; Some(*s) }).collect();
/// assert!(adf_test(&noise)?.p_value < 0.01); // white noise is stationary
/// assert!(adf_test(&walk)?.p_value > 0.05); // a random walk has a unit root
/// # Ok::<(), dslab::Error>(())
/// ```
pub fn adf_test(x: &[f64]) -> Result<AdfResult> {
    AdfTest::default().test(x)
}

/// Least-squares fit on a design of columns: (ssr, coefficients, xtx_inv_diag).
fn ols(columns: &[Vec<f64>], y: &[f64]) -> Result<crate::tsa::linalg::LeastSquares> {
    least_squares(columns, y).ok_or_else(|| {
        Error::invalid("series", "adf: the test regression is singular (is the series constant or too short?)")
    })
}

impl AdfTest {
    /// Runs the test on `x`.
    pub fn test(&self, x: &[f64]) -> Result<AdfResult> {
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid("series", format!("adf: value {i} is {}", x[i])));
        }
        let n = x.len();
        if n < 4 {
            return Err(Error::invalid("series", format!("adf: needs at least 4 values, got {n}")));
        }
        if x.iter().all(|v| *v == x[0]) {
            return Err(Error::invalid("series", "adf: the series is constant"));
        }
        let ntrend = self.regression.terms();
        // The most lags the data allow, `n/2 - terms - 1`; compared as unsigned numbers (a lag
        // of 2^63 cast to a signed one would be negative and pass).
        let Some(cap) = (n / 2).checked_sub(ntrend + 1) else {
            return Err(Error::invalid("series", format!("adf: {n} values are too few for this regression")));
        };
        let max_lag = match self.max_lag {
            None => ((12.0 * (n as f64 / 100.0).powf(0.25)).ceil() as usize).min(cap),
            Some(lag) => {
                if lag > cap {
                    return Err(Error::invalid(
                        "max_lag",
                        format!("adf: at most {cap} lags for {n} values, got {lag}"),
                    ));
                }
                lag
            }
        };
        let diff: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
        // Design with `lags` lagged differences on the sample that starts after `start` lags.
        let design = |lags: usize, start: usize| -> (Vec<Vec<f64>>, Vec<f64>) {
            let rows = start..diff.len();
            let mut columns: Vec<Vec<f64>> = Vec::new();
            if ntrend >= 1 {
                columns.push(vec![1.0; rows.len()]);
            }
            if ntrend >= 2 {
                columns.push((1..=rows.len()).map(|t| t as f64).collect());
            }
            columns.push(rows.clone().map(|t| x[t]).collect());
            for lag in 1..=lags {
                columns.push(rows.clone().map(|t| diff[t - lag]).collect());
            }
            (columns, rows.map(|t| diff[t]).collect())
        };
        let (used_lag, ic_best) = match self.lags {
            LagSelection::Fixed => (max_lag, None),
            LagSelection::Aic | LagSelection::Bic => {
                // Every candidate on the same sample, so the criteria are comparable.
                let mut best = (f64::INFINITY, 0usize);
                for lags in 0..=max_lag {
                    let (columns, y) = design(lags, max_lag);
                    let fit = ols(&columns, &y)?;
                    let m = y.len() as f64;
                    let llf = -m / 2.0 * ((2.0 * std::f64::consts::PI).ln() + (fit.ssr / m).ln() + 1.0);
                    let k = columns.len() as f64;
                    let ic =
                        if self.lags == LagSelection::Aic { -2.0 * llf + 2.0 * k } else { -2.0 * llf + k * m.ln() };
                    if ic < best.0 {
                        best = (ic, lags);
                    }
                }
                (best.1, Some(best.0))
            }
        };
        let (columns, y) = design(used_lag, used_lag);
        let fit = ols(&columns, &y)?;
        let level = ntrend;
        let dof = (y.len() - columns.len()) as f64;
        let se = (fit.ssr / dof * fit.xtx_inv_diag[level]).sqrt();
        let statistic = fit.coef[level] / se;
        Ok(AdfResult {
            statistic,
            p_value: mackinnon::p_value(statistic, self.regression),
            used_lag,
            nobs: y.len(),
            critical_values: mackinnon::critical_values(self.regression, y.len()),
            ic_best,
        })
    }
}

impl AdfResult {
    /// Whether the unit root is rejected at significance `alpha` (e.g. 0.05): the series
    /// looks stationary.
    pub fn rejects_unit_root(&self, alpha: f64) -> bool {
        self.p_value < alpha
    }

    /// A table of the statistic, p-value, lag and critical values.
    pub fn table(&self) -> Table {
        let mut table = Table::new(["quantity", "value"])
            .caption("Augmented Dickey-Fuller test (null: a unit root, non-stationary)");
        let rows = [
            ("ADF statistic", format!("{:.4}", self.statistic)),
            ("p-value", format!("{:.4}", self.p_value)),
            ("lags used", self.used_lag.to_string()),
            ("observations", self.nobs.to_string()),
            ("critical value 1 %", format!("{:.4}", self.critical_values[0])),
            ("critical value 5 %", format!("{:.4}", self.critical_values[1])),
            ("critical value 10 %", format!("{:.4}", self.critical_values[2])),
        ];
        for (k, v) in rows {
            let _ = table.push_row([k.to_string(), v]);
        }
        table
    }

    /// Shows [`AdfResult::table`] in a notebook.
    pub fn evcxr_display(&self) {
        self.table().evcxr_display();
    }
}
