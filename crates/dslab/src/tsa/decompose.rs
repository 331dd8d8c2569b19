//! Classical decomposition into trend, seasonal and residual parts (statsmodels'
//! `seasonal_decompose`), and polynomial trend regression.

use crate::table::Table;
use crate::tsa::forecast::check_steps;
use crate::tsa::linalg::least_squares;
use crate::{Error, Result};

/// How the parts combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecompositionModel {
    /// `y = trend + seasonal + residual`: swings of constant size.
    Additive,
    /// `y = trend × seasonal × residual`: swings that grow with the level (values must be
    /// positive).
    Multiplicative,
}

/// A series split into parts; each part has the series' length, with NaN where the centred
/// moving average has no full window (the first and last `period / 2` values).
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposition {
    /// The series itself.
    pub observed: Vec<f64>,
    /// Centred moving average over one period.
    pub trend: Vec<f64>,
    /// The average deviation at each position in the period, repeated.
    pub seasonal: Vec<f64>,
    /// What is left.
    pub resid: Vec<f64>,
    /// The period used.
    pub period: usize,
    /// Additive or multiplicative.
    pub model: DecompositionModel,
}

/// Decomposes `x` with a seasonal `period` (at least 2; the series needs two full periods).
///
/// ```
/// use dslab::tsa::{decompose, DecompositionModel};
/// let x: Vec<f64> = (0..48).map(|t| t as f64 + [3.0, -1.0, -2.0, 0.0][t % 4]).collect();
/// let parts = decompose(&x, 4, DecompositionModel::Additive)?;
/// assert!((parts.seasonal[0] - 3.0).abs() < 1e-9 && (parts.trend[10] - 10.0).abs() < 1e-9);
/// # Ok::<(), dslab::Error>(())
/// ```
pub fn decompose(x: &[f64], period: usize, model: DecompositionModel) -> Result<Decomposition> {
    if period < 2 {
        return Err(Error::invalid("period", format!("a seasonal period must be at least 2, got {period}")));
    }
    let n = x.len();
    // `period > n / 2` rather than `2 * period > n`, which overflows for a huge period.
    if period > n / 2 {
        return Err(Error::invalid(
            "period",
            format!(
                "decomposing with period {period} needs two full periods (2 × {period} values), the series has {n}; \
                 the period can be at most {}",
                n / 2
            ),
        ));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid("series", format!("value {i} is {}", x[i])));
    }
    let multiplicative = model == DecompositionModel::Multiplicative;
    if let Some(i) = x.iter().position(|v| *v <= 0.0).filter(|_| multiplicative) {
        return Err(Error::invalid(
            "series",
            format!("a multiplicative decomposition needs positive values; value {i} is {}", x[i]),
        ));
    }
    // Centred moving average: weights 1/period, halved at both ends when the period is even.
    let weights: Vec<f64> = if period.is_multiple_of(2) {
        let mut w = vec![1.0 / period as f64; period + 1];
        w[0] /= 2.0;
        w[period] /= 2.0;
        w
    } else {
        vec![1.0 / period as f64; period]
    };
    let half = weights.len() / 2;
    let mut trend = vec![f64::NAN; n];
    for t in half..n - half {
        trend[t] = weights.iter().enumerate().map(|(j, w)| w * x[t + j - half]).sum();
    }
    let detrended: Vec<f64> = match model {
        DecompositionModel::Additive => x.iter().zip(&trend).map(|(v, t)| v - t).collect(),
        DecompositionModel::Multiplicative => x.iter().zip(&trend).map(|(v, t)| v / t).collect(),
    };
    let mut averages: Vec<f64> = (0..period)
        .map(|i| {
            let values: Vec<f64> =
                detrended.iter().skip(i).step_by(period).copied().filter(|v| v.is_finite()).collect();
            values.iter().sum::<f64>() / values.len() as f64
        })
        .collect();
    let centre = averages.iter().sum::<f64>() / period as f64;
    for a in averages.iter_mut() {
        match model {
            DecompositionModel::Additive => *a -= centre,
            DecompositionModel::Multiplicative => *a /= centre,
        }
    }
    let seasonal: Vec<f64> = (0..n).map(|t| averages[t % period]).collect();
    let resid = match model {
        DecompositionModel::Additive => detrended.iter().zip(&seasonal).map(|(d, s)| d - s).collect(),
        DecompositionModel::Multiplicative => (0..n).map(|t| x[t] / seasonal[t] / trend[t]).collect(),
    };
    Ok(Decomposition { observed: x.to_vec(), trend, seasonal, resid, period, model })
}

/// A polynomial trend in time `t = 0, 1, 2, ...` fitted by least squares: degree 1 is the
/// straight line, degree 2 the quadratic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolynomialTrend {
    degree: usize,
}

/// A fitted polynomial trend.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendFit {
    /// Coefficients in ascending powers of `t`: `c0 + c1 t + c2 t² + ...`.
    pub coefficients: Vec<f64>,
    /// The trend at each observed time.
    pub fitted: Vec<f64>,
    /// Share of the variance explained.
    pub r_squared: f64,
}

impl PolynomialTrend {
    /// A trend of the given degree (1 = linear, 2 = quadratic; at most 5).
    pub fn new(degree: usize) -> Result<Self> {
        if !(1..=5).contains(&degree) {
            return Err(Error::invalid("degree", format!("a trend degree from 1 to 5, got {degree}")));
        }
        Ok(PolynomialTrend { degree })
    }

    /// Fits the trend to `y` observed at `t = 0..y.len()`.
    pub fn fit(&self, y: &[f64]) -> Result<TrendFit> {
        if y.len() <= self.degree + 1 {
            return Err(Error::invalid(
                "series",
                format!("a degree-{} trend needs more than {} values, got {}", self.degree, self.degree + 1, y.len()),
            ));
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid("series", format!("value {i} is {}", y[i])));
        }
        // Fit on t scaled to [0, 1] for conditioning, then convert the coefficients back.
        let n = y.len();
        let scale = (n - 1) as f64;
        let columns: Vec<Vec<f64>> =
            (0..=self.degree).map(|k| (0..n).map(|t| (t as f64 / scale).powi(k as i32)).collect()).collect();
        let fit =
            least_squares(&columns, y).ok_or_else(|| Error::invalid("series", "the trend regression is singular"))?;
        let coefficients: Vec<f64> = fit.coef.iter().enumerate().map(|(k, c)| c / scale.powi(k as i32)).collect();
        let fitted: Vec<f64> = y.iter().zip(&fit.residuals).map(|(v, e)| v - e).collect();
        let mean = y.iter().sum::<f64>() / n as f64;
        let total: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
        Ok(TrendFit { coefficients, fitted, r_squared: 1.0 - fit.ssr / total })
    }
}

impl TrendFit {
    /// The trend at time `t` (may be beyond the sample: a forecast).
    pub fn predict(&self, t: f64) -> f64 {
        self.coefficients.iter().rev().fold(0.0, |acc, c| acc * t + c)
    }

    /// The trend for the `steps` times after the sample (at most 100 000).
    pub fn forecast(&self, steps: usize) -> Result<Vec<f64>> {
        check_steps(steps)?;
        let n = self.fitted.len();
        Ok((n..n + steps).map(|t| self.predict(t as f64)).collect())
    }

    /// A table of the coefficients.
    pub fn table(&self) -> Table {
        let mut table =
            Table::new(["term", "coefficient"]).caption(format!("Polynomial trend, R² = {:.4}", self.r_squared));
        for (k, c) in self.coefficients.iter().enumerate() {
            let term = match k {
                0 => "1".to_string(),
                1 => "t".to_string(),
                _ => format!("t^{k}"),
            };
            let _ = table.push_row([term, format!("{c:.6}")]);
        }
        table
    }

    /// Shows [`TrendFit::table`] in a notebook.
    pub fn evcxr_display(&self) {
        self.table().evcxr_display();
    }
}
