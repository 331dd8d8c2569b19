//! Autocorrelation (ACF), partial autocorrelation (PACF) and the Ljung-Box test: how a series
//! depends on its own past, the evidence behind choosing MA and AR orders.

use crate::table::Table;
use crate::tsa::linalg::least_squares;
use crate::tsa::special::{chi2_sf, normal_quantile};
use crate::{Error, Result};

/// Correlations at lags 0..=nlags with a confidence interval around each (statsmodels'
/// `acf`/`pacf` with `alpha`). A lag whose interval excludes zero is significant.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlogram {
    /// The correlations, lag 0 first (always 1).
    pub values: Vec<f64>,
    /// Lower ends of the intervals (`values - z * std_err`).
    pub lower: Vec<f64>,
    /// Upper ends of the intervals.
    pub upper: Vec<f64>,
    /// Standard errors under the null used for the intervals (0 at lag 0).
    pub std_err: Vec<f64>,
    /// Coverage of the intervals, e.g. 0.95.
    pub level: f64,
}

impl Correlogram {
    /// The lags 0..=nlags as numbers, for plotting.
    pub fn lags(&self) -> Vec<f64> {
        (0..self.values.len()).map(|k| k as f64).collect()
    }

    /// Half-width of the interval at each lag: the band `±z·se` around zero that plots draw.
    pub fn band(&self) -> Vec<f64> {
        let z = normal_quantile(0.5 + self.level / 2.0);
        self.std_err.iter().map(|s| z * s).collect()
    }

    /// Lags (from 1) whose correlation lies outside the band around zero.
    pub fn significant_lags(&self) -> Vec<usize> {
        let band = self.band();
        (1..self.values.len()).filter(|&k| self.values[k].abs() > band[k]).collect()
    }

    /// A table of lag, correlation and interval.
    pub fn table(&self) -> Table {
        let mut table = Table::new(["lag", "correlation", "lower", "upper"]);
        for k in 0..self.values.len() {
            let _ = table.push_row([
                k.to_string(),
                format!("{:.4}", self.values[k]),
                format!("{:.4}", self.lower[k]),
                format!("{:.4}", self.upper[k]),
            ]);
        }
        table
    }

    /// Shows [`Correlogram::table`] in a notebook.
    pub fn evcxr_display(&self) {
        self.table().evcxr_display();
    }
}

fn check_series(x: &[f64], nlags: usize, what: &str) -> Result<()> {
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid("series", format!("{what}: value {i} is {}", x[i])));
    }
    if x.len() < 2 || nlags >= x.len() {
        return Err(Error::invalid(
            "nlags",
            format!("{what}: {nlags} lags need more than {nlags} values, got {}", x.len()),
        ));
    }
    Ok(())
}

/// Autocovariances at lags 0..=nlags of the demeaned series, divided by `n` (or by `n - k`
/// with `adjusted`).
fn autocovariance(x: &[f64], nlags: usize, adjusted: bool) -> Vec<f64> {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let c: Vec<f64> = x.iter().map(|v| v - mean).collect();
    (0..=nlags)
        .map(|k| {
            let s: f64 = (k..n).map(|t| c[t] * c[t - k]).sum();
            s / if adjusted { (n - k) as f64 } else { n as f64 }
        })
        .collect()
}

/// The autocorrelation function at lags 0..=nlags with 95 % intervals whose width grows with
/// the lag by Bartlett's formula — statsmodels' `acf(x, nlags, alpha=0.05)`.
///
/// ```
/// let x: Vec<f64> = (0..100).map(|t| (t as f64 * 0.5).sin()).collect();
/// let acf = dslab::tsa::acf(&x, 10)?;
/// assert_eq!(acf.values[0], 1.0);
/// assert!(acf.values[1] > 0.8);
/// # Ok::<(), dslab::Error>(())
/// ```
pub fn acf(x: &[f64], nlags: usize) -> Result<Correlogram> {
    check_series(x, nlags, "acf")?;
    let acov = autocovariance(x, nlags, false);
    if acov[0] <= 0.0 {
        return Err(Error::invalid("series", "acf: the series is constant"));
    }
    let values: Vec<f64> = acov.iter().map(|g| g / acov[0]).collect();
    let n = x.len() as f64;
    let mut var = vec![0.0; nlags + 1];
    let mut cumulative = 0.0;
    for k in 1..=nlags {
        var[k] = (1.0 + 2.0 * cumulative) / n;
        cumulative += values[k] * values[k];
    }
    Ok(with_intervals(values, var.iter().map(|v| v.sqrt()).collect(), 0.95))
}

fn with_intervals(values: Vec<f64>, std_err: Vec<f64>, level: f64) -> Correlogram {
    let z = normal_quantile(0.5 + level / 2.0);
    let lower = values.iter().zip(&std_err).map(|(v, s)| v - z * s).collect();
    let upper = values.iter().zip(&std_err).map(|(v, s)| v + z * s).collect();
    Correlogram { values, lower, upper, std_err, level }
}

/// How partial autocorrelations are estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PacfMethod {
    /// Yule-Walker with autocovariances divided by `n - k` (statsmodels' default `"yw"`).
    #[default]
    YuleWalker,
    /// Yule-Walker with autocovariances divided by `n` (`"ywm"`, what `plot_pacf` uses).
    YuleWalkerMle,
    /// The last coefficient of least-squares AR(k) fits with a constant (`"ols"`).
    Ols,
}

/// The partial autocorrelation function at lags 0..=nlags with 95 % intervals `±1.96/√n`
/// — statsmodels' `pacf(x, nlags, method, alpha=0.05)`. The lag-k value is the correlation
/// of `x_t` and `x_{t-k}` once the lags in between are accounted for.
pub fn pacf(x: &[f64], nlags: usize, method: PacfMethod) -> Result<Correlogram> {
    check_series(x, nlags, "pacf")?;
    if nlags > x.len() / 2 {
        return Err(Error::invalid(
            "nlags",
            format!("pacf: at most half the sample ({}) lags, got {nlags}", x.len() / 2),
        ));
    }
    let values = match method {
        PacfMethod::YuleWalker | PacfMethod::YuleWalkerMle => {
            let acov = autocovariance(x, nlags, method == PacfMethod::YuleWalker);
            if acov[0] <= 0.0 {
                return Err(Error::invalid("series", "pacf: the series is constant"));
            }
            levinson_durbin(&acov)
        }
        PacfMethod::Ols => {
            // Each AR(k) regression (with a constant) uses every observation that has k lags.
            let n = x.len();
            let mut values = vec![1.0];
            for k in 1..=nlags {
                let mut columns = vec![vec![1.0; n - k]];
                for lag in 1..=k {
                    columns.push((k..n).map(|t| x[t - lag]).collect());
                }
                let fit = least_squares(&columns, &x[k..])
                    .ok_or_else(|| Error::invalid("series", format!("pacf: the lag-{k} regression is singular")))?;
                values.push(fit.coef[k]);
            }
            values
        }
    };
    let se = 1.0 / (x.len() as f64).sqrt();
    let std_err = (0..=nlags).map(|k| if k == 0 { 0.0 } else { se }).collect();
    Ok(with_intervals(values, std_err, 0.95))
}

/// Partial autocorrelations from autocovariances by the Durbin-Levinson recursion.
fn levinson_durbin(acov: &[f64]) -> Vec<f64> {
    let nlags = acov.len() - 1;
    let mut pacf = vec![1.0];
    let mut phi: Vec<f64> = Vec::new();
    let mut sigma = acov[0];
    for k in 1..=nlags {
        let num = acov[k] - phi.iter().enumerate().map(|(j, p)| p * acov[k - 1 - j]).sum::<f64>();
        let kappa = num / sigma;
        let mut next: Vec<f64> = phi.iter().enumerate().map(|(j, p)| p - kappa * phi[k - 2 - j]).collect();
        next.push(kappa);
        phi = next;
        sigma *= 1.0 - kappa * kappa;
        pacf.push(kappa);
    }
    pacf
}

/// The Ljung-Box test at lags 1..=max_lag: is there autocorrelation left up to each lag?
#[derive(Debug, Clone, PartialEq)]
pub struct LjungBox {
    /// The lags tested.
    pub lags: Vec<usize>,
    /// `Q = n (n + 2) Σ_{k ≤ lag} r_k² / (n - k)`.
    pub statistic: Vec<f64>,
    /// Chi-square p-values with `lag - model_df` degrees of freedom (NaN when that is not
    /// positive). Small values: the series is not white noise.
    pub p_value: Vec<f64>,
}

/// The Ljung-Box test at every lag up to `max_lag`, as statsmodels' `acorr_ljungbox`;
/// `model_df` is the number of ARMA parameters when testing a model's residuals.
pub fn ljung_box(x: &[f64], max_lag: usize, model_df: usize) -> Result<LjungBox> {
    if max_lag == 0 {
        return Err(Error::invalid("max_lag", "test at least lag 1"));
    }
    let r = acf(x, max_lag)?.values;
    let n = x.len() as f64;
    let mut q = 0.0;
    let mut out = LjungBox { lags: vec![], statistic: vec![], p_value: vec![] };
    for (k, rk) in r.iter().enumerate().skip(1) {
        q += rk * rk / (n - k as f64);
        let stat = n * (n + 2.0) * q;
        out.lags.push(k);
        out.statistic.push(stat);
        out.p_value.push(if k > model_df { chi2_sf(stat, (k - model_df) as f64) } else { f64::NAN });
    }
    Ok(out)
}

impl LjungBox {
    /// A table of lag, statistic and p-value.
    pub fn table(&self) -> Table {
        let mut table = Table::new(["lag", "Q statistic", "p-value"])
            .caption("Ljung-Box test (null: no autocorrelation up to the lag)");
        for i in 0..self.lags.len() {
            let p = if self.p_value[i].is_nan() {
                "n/a (no degrees of freedom)".to_string()
            } else {
                format!("{:.4}", self.p_value[i])
            };
            let _ = table.push_row([self.lags[i].to_string(), format!("{:.3}", self.statistic[i]), p]);
        }
        table
    }

    /// Shows [`LjungBox::table`] in a notebook.
    pub fn evcxr_display(&self) {
        self.table().evcxr_display();
    }
}
