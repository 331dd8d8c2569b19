//! Forecasts with prediction intervals, and their way back to the original units.

use crate::table::Table;
use crate::tsa::special::normal_quantile;
use crate::tsa::transform::Transform;
use crate::{Error, Result};

/// The most steps any forecast in this module makes: far beyond any useful horizon, and a
/// bound on the memory a forecast takes.
pub(crate) const MAX_FORECAST_STEPS: usize = 100_000;

/// An error unless `steps` is at most [`MAX_FORECAST_STEPS`].
pub(crate) fn check_steps(steps: usize) -> Result<()> {
    if steps > MAX_FORECAST_STEPS {
        return Err(Error::invalid(
            "steps",
            format!("{steps} forecast steps is more than the {MAX_FORECAST_STEPS} allowed; forecast fewer"),
        ));
    }
    Ok(())
}

/// Point forecasts with a prediction interval for each step ahead.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The point forecasts (on a transformed scale mapped back: the median, not the mean).
    pub mean: Vec<f64>,
    /// Lower ends of the prediction intervals.
    pub lower: Vec<f64>,
    /// Upper ends of the prediction intervals.
    pub upper: Vec<f64>,
    /// Standard errors of the forecasts on the scale the model was fitted on.
    pub std_err: Vec<f64>,
    /// Coverage of the intervals, e.g. 0.95.
    pub level: f64,
}

impl Forecast {
    /// Normal intervals `mean ± z sqrt(variance)` at coverage `level`.
    pub(crate) fn from_normal(mean: Vec<f64>, variance: Vec<f64>, level: f64) -> Result<Self> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::invalid("level", format!("coverage must be between 0 and 1 (e.g. 0.95), got {level}")));
        }
        let z = normal_quantile(0.5 + level / 2.0);
        let std_err: Vec<f64> = variance.iter().map(|v| v.max(0.0).sqrt()).collect();
        let lower = mean.iter().zip(&std_err).map(|(m, s)| m - z * s).collect();
        let upper = mean.iter().zip(&std_err).map(|(m, s)| m + z * s).collect();
        Ok(Forecast { mean, lower, upper, std_err, level })
    }

    /// Number of steps forecast.
    pub fn len(&self) -> usize {
        self.mean.len()
    }

    /// Whether there are no steps.
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }

    /// Maps a forecast made on a transformed series back to the original units: the point
    /// forecast and both interval ends go through the inverse transform (monotone, so the
    /// interval keeps its coverage; a decreasing transform swaps the ends). A value beyond the
    /// transform's range becomes the limit it approaches, 0 or +infinity: a reciprocal forecast
    /// that falls through zero means the original series has exploded.
    pub fn inverse_transform(&self, transform: Transform) -> Forecast {
        let mean: Vec<f64> = self.mean.iter().map(|z| transform.inverse_bound(*z)).collect();
        let mut lower: Vec<f64> = self.lower.iter().map(|z| transform.inverse_bound(*z)).collect();
        let mut upper: Vec<f64> = self.upper.iter().map(|z| transform.inverse_bound(*z)).collect();
        if transform.is_decreasing() {
            std::mem::swap(&mut lower, &mut upper);
        }
        Forecast { mean, lower, upper, std_err: self.std_err.clone(), level: self.level }
    }

    /// A table with one row per step, labelled by `labels` (e.g. years).
    pub fn table<L: std::fmt::Display>(&self, labels: &[L]) -> Result<Table> {
        if labels.len() != self.len() {
            return Err(Error::invalid("labels", format!("{} labels for {} forecast steps", labels.len(), self.len())));
        }
        let pct = (self.level * 100.0).round();
        let mut table =
            Table::new(["step".to_string(), "forecast".into(), format!("{pct}% lower"), format!("{pct}% upper")]);
        for (i, label) in labels.iter().enumerate() {
            table.push_row([
                label.to_string(),
                format!("{:.2}", self.mean[i]),
                format!("{:.2}", self.lower[i]),
                format!("{:.2}", self.upper[i]),
            ])?;
        }
        Ok(table)
    }

    /// Shows the forecast as a table numbered by step.
    pub fn evcxr_display(&self) {
        let steps: Vec<usize> = (1..=self.len()).collect();
        if let Ok(table) = self.table(&steps) {
            table.evcxr_display();
        }
    }
}
