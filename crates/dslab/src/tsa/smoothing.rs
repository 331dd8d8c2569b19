//! Exponential smoothing: simple (level only), Holt's double smoothing (level and trend) and
//! Holt-Winters (level, trend and an additive or multiplicative season). The smoothing
//! parameters and the initial states are chosen together to minimise the sum of squared
//! one-step errors, with statsmodels' recursions and bounds (`β ≤ α`, `γ ≤ 1 - α`).

use crate::table::Table;
use crate::tsa::forecast::check_steps;
use crate::tsa::optimize::{Settings, minimize};
use crate::{Error, Result};

/// How a seasonal component combines with the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seasonality {
    /// Seasonal swings of constant size.
    Additive,
    /// Seasonal swings proportional to the level.
    Multiplicative,
}

/// Which exponential smoothing model to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExponentialSmoothing {
    trend: bool,
    season: Option<(usize, Seasonality)>,
}

/// A fitted exponential smoothing model.
#[derive(Debug, Clone, PartialEq)]
pub struct SmoothingFit {
    /// Level smoothing, in (0, 1): near 1 follows the last value, near 0 averages far back.
    pub alpha: f64,
    /// Trend smoothing (Holt and Holt-Winters), at most `alpha`.
    pub beta: Option<f64>,
    /// Seasonal smoothing (Holt-Winters), at most `1 - alpha`.
    pub gamma: Option<f64>,
    /// The estimated level before the first observation.
    pub initial_level: f64,
    /// The estimated trend before the first observation.
    pub initial_trend: Option<f64>,
    /// The estimated seasonal factors for the first period.
    pub initial_seasonal: Vec<f64>,
    /// Sum of squared one-step-ahead errors.
    pub sse: f64,
    /// One-step-ahead predictions of each observation.
    pub fitted: Vec<f64>,
    name: String,
    level: f64,
    slope: f64,
    seasonal: Vec<f64>,
    period: usize,
    seasonality: Option<Seasonality>,
}

impl ExponentialSmoothing {
    /// Simple exponential smoothing: a level only, flat forecasts.
    pub fn simple() -> Self {
        ExponentialSmoothing { trend: false, season: None }
    }

    /// Holt's double exponential smoothing: level and trend, straight-line forecasts.
    pub fn holt() -> Self {
        ExponentialSmoothing { trend: true, season: None }
    }

    /// Holt-Winters: level, trend and a season of `period` observations.
    pub fn holt_winters(period: usize, seasonality: Seasonality) -> Self {
        ExponentialSmoothing { trend: true, season: Some((period, seasonality)) }
    }

    /// A short name for tables.
    pub fn name(&self) -> String {
        match (self.trend, self.season) {
            (false, None) => "simple exponential smoothing".into(),
            (true, None) => "Holt (double exponential smoothing)".into(),
            (_, Some((m, Seasonality::Additive))) => format!("Holt-Winters, additive season of {m}"),
            (_, Some((m, Seasonality::Multiplicative))) => format!("Holt-Winters, multiplicative season of {m}"),
        }
    }

    /// Fits the model to `y`.
    pub fn fit(&self, y: &[f64]) -> Result<SmoothingFit> {
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid("series", format!("value {i} is {}", y[i])));
        }
        let (period, seasonality) = match self.season {
            Some((m, s)) => (m, Some(s)),
            None => (0, None),
        };
        if self.season.is_some() && period < 2 {
            return Err(Error::invalid("period", format!("a seasonal period of at least 2, got {period}")));
        }
        // `period > n / 2` rather than `n < 2 * period`, which overflows for a huge period.
        if period > y.len() / 2 {
            return Err(Error::invalid(
                "period",
                format!(
                    "{} needs two full periods (2 × {period} values), the series has {}; the period can be at most {}",
                    self.name(),
                    y.len(),
                    y.len() / 2
                ),
            ));
        }
        if y.len() < 3 {
            return Err(Error::invalid("series", format!("{} needs at least 3 values, got {}", self.name(), y.len())));
        }
        if seasonality == Some(Seasonality::Multiplicative) && y.iter().any(|v| *v <= 0.0) {
            return Err(Error::invalid("series", "a multiplicative season needs positive values"));
        }
        // Heuristic initial states.
        let n = y.len();
        let mean = y.iter().sum::<f64>() / n as f64;
        let scale = (y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64)
            .sqrt()
            .max(mean.abs() * 1e-3)
            .max(1e-12);
        let (level0, slope0, season0) = if period > 0 {
            let first = y[..period].iter().sum::<f64>() / period as f64;
            let second = y[period..2 * period].iter().sum::<f64>() / period as f64;
            let season: Vec<f64> = match seasonality {
                Some(Seasonality::Multiplicative) => y[..period].iter().map(|v| v / first).collect(),
                _ => y[..period].iter().map(|v| v - first).collect(),
            };
            (first, (second - first) / period as f64, season)
        } else {
            (y[0], if self.trend { y[1] - y[0] } else { 0.0 }, vec![])
        };
        let k_smooth = 1 + usize::from(self.trend) + usize::from(period > 0);
        let decode = |x: &[f64]| -> State {
            let alpha = logistic(x[0]);
            let mut i = 1;
            let beta = if self.trend {
                i += 1;
                alpha * logistic(x[1])
            } else {
                0.0
            };
            let gamma = if period > 0 {
                let g = (1.0 - alpha) * logistic(x[i]);
                i += 1;
                g
            } else {
                0.0
            };
            let level = level0 + scale * x[i];
            let slope = if self.trend { slope0 + scale * x[i + 1] / n as f64 } else { 0.0 };
            let offset = i + 1 + usize::from(self.trend);
            let season: Vec<f64> = match seasonality {
                Some(Seasonality::Multiplicative) => (0..period).map(|j| season0[j] + x[offset + j]).collect(),
                Some(Seasonality::Additive) => (0..period).map(|j| season0[j] + scale * x[offset + j]).collect(),
                None => vec![],
            };
            State { alpha, beta, gamma, level, slope, season }
        };
        let objective = |x: &[f64]| run(y, &decode(x), seasonality, period, None) / (scale * scale);
        // Start from the best of a small grid of smoothing parameters.
        let logit = |p: f64| (p / (1.0 - p)).ln();
        let mut best_start: Option<(f64, Vec<f64>)> = None;
        for &a in &[0.1, 0.3, 0.5, 0.7, 0.9, 0.99] {
            for &b in if self.trend { &[0.05, 0.2, 0.5][..] } else { &[0.5][..] } {
                for &g in if period > 0 { &[0.05, 0.2, 0.5][..] } else { &[0.5][..] } {
                    let mut x = vec![logit(a)];
                    if self.trend {
                        x.push(logit(b));
                    }
                    if period > 0 {
                        x.push(logit(g));
                    }
                    x.resize(k_smooth + 1 + usize::from(self.trend) + period, 0.0);
                    let value = objective(&x);
                    if best_start.as_ref().is_none_or(|(v, _)| value < *v) {
                        best_start = Some((value, x));
                    }
                }
            }
        }
        let (_, x0) = best_start.expect("the start grid is not empty");
        let min = minimize(objective, &x0, Settings { max_iterations: 2000, ..Settings::default() });
        if !min.value.is_finite() {
            return Err(Error::not_converged(self.name(), "no finite sum of squared errors was found"));
        }
        let state = decode(&min.x);
        let mut fitted = Vec::with_capacity(n);
        let mut last = State { ..state.clone() };
        let sse = run(y, &state, seasonality, period, Some((&mut fitted, &mut last)));
        Ok(SmoothingFit {
            alpha: state.alpha,
            beta: self.trend.then_some(state.beta),
            gamma: (period > 0).then_some(state.gamma),
            initial_level: state.level,
            initial_trend: self.trend.then_some(state.slope),
            initial_seasonal: state.season.clone(),
            sse,
            fitted,
            name: self.name(),
            level: last.level,
            slope: last.slope,
            seasonal: last.season,
            period,
            seasonality,
        })
    }
}

#[derive(Debug, Clone)]
struct State {
    alpha: f64,
    beta: f64,
    gamma: f64,
    level: f64,
    slope: f64,
    season: Vec<f64>,
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Runs the smoothing recursions and returns the sum of squared one-step errors; with `keep`,
/// also the one-step predictions and the states after the last observation (level, slope and
/// the seasonal factors for the next `period` steps).
fn run(
    y: &[f64],
    s: &State,
    seasonality: Option<Seasonality>,
    period: usize,
    keep: Option<(&mut Vec<f64>, &mut State)>,
) -> f64 {
    let (alpha, beta, gamma) = (s.alpha, s.beta, s.gamma);
    let mut level = s.level;
    let mut slope = s.slope;
    // Seasonal factors in a ring: season[t % period] is the factor for observation t.
    let mut season = s.season.clone();
    let mut sse = 0.0;
    let mut predictions = Vec::new();
    let keeping = keep.is_some();
    for (t, &yt) in y.iter().enumerate() {
        let factor = if period > 0 { season[t % period] } else { 0.0 };
        let prediction = match seasonality {
            None => level + slope,
            Some(Seasonality::Additive) => level + slope + factor,
            Some(Seasonality::Multiplicative) => (level + slope) * factor,
        };
        let e = yt - prediction;
        sse += e * e;
        if keeping {
            predictions.push(prediction);
        }
        let previous = level;
        let base = level + slope;
        level = match seasonality {
            None => alpha * yt + (1.0 - alpha) * base,
            Some(Seasonality::Additive) => alpha * (yt - factor) + (1.0 - alpha) * base,
            Some(Seasonality::Multiplicative) => alpha * yt / factor + (1.0 - alpha) * base,
        };
        slope = beta * (level - previous) + (1.0 - beta) * slope;
        if period > 0 {
            season[t % period] = match seasonality {
                Some(Seasonality::Multiplicative) => gamma * yt / base + (1.0 - gamma) * factor,
                _ => gamma * (yt - base) + (1.0 - gamma) * factor,
            };
        }
    }
    if let Some((fitted, last)) = keep {
        *fitted = predictions;
        last.level = level;
        last.slope = slope;
        // Rotate so that the factor for the first step after the sample comes first.
        if period > 0 {
            let start = y.len() % period;
            last.season = (0..period).map(|j| season[(start + j) % period]).collect();
        }
    }
    if sse.is_finite() { sse } else { f64::INFINITY }
}

impl SmoothingFit {
    /// Forecasts `steps` values after the sample (at most 100 000).
    pub fn forecast(&self, steps: usize) -> Result<Vec<f64>> {
        check_steps(steps)?;
        Ok((1..=steps)
            .map(|h| {
                let base = self.level + h as f64 * self.slope;
                match self.seasonality {
                    None => base,
                    Some(Seasonality::Additive) => base + self.seasonal[(h - 1) % self.period],
                    Some(Seasonality::Multiplicative) => base * self.seasonal[(h - 1) % self.period],
                }
            })
            .collect())
    }

    /// A table of the fitted parameters.
    pub fn table(&self) -> Table {
        let mut table = Table::new(["parameter", "value"]).caption(self.name.clone());
        let mut rows = vec![("alpha (level)".to_string(), self.alpha)];
        if let Some(b) = self.beta {
            rows.push(("beta (trend)".into(), b));
        }
        if let Some(g) = self.gamma {
            rows.push(("gamma (season)".into(), g));
        }
        rows.push(("initial level".into(), self.initial_level));
        if let Some(b) = self.initial_trend {
            rows.push(("initial trend".into(), b));
        }
        rows.push(("sum of squared errors".into(), self.sse));
        for (k, v) in rows {
            let _ = table.push_row([k, format!("{v:.6}")]);
        }
        table
    }

    /// Shows [`SmoothingFit::table`] in a notebook.
    pub fn evcxr_display(&self) {
        self.table().evcxr_display();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    #[test]
    fn holt_winters_recovers_a_seasonal_pattern() {
        let mut rng = Rng::seed(9);
        let pattern = [5.0, -2.0, -4.0, 1.0];
        let y: Vec<f64> = (0..80).map(|t| 100.0 + 0.5 * t as f64 + pattern[t % 4] + 0.3 * rng.normal()).collect();
        let fit = ExponentialSmoothing::holt_winters(4, Seasonality::Additive).fit(&y).unwrap();
        let forecast = fit.forecast(4).unwrap();
        for (h, f) in forecast.iter().enumerate() {
            let truth = 100.0 + 0.5 * (80 + h) as f64 + pattern[(80 + h) % 4];
            assert!((f - truth).abs() < 1.5, "step {h}: {f} vs {truth}");
        }
        assert!(fit.beta.unwrap() <= fit.alpha && fit.gamma.unwrap() <= 1.0 - fit.alpha);
    }

    #[test]
    fn simple_smoothing_of_a_flat_series_is_flat() {
        let mut rng = Rng::seed(2);
        let y: Vec<f64> = (0..200).map(|_| 20.0 + rng.normal()).collect();
        let fit = ExponentialSmoothing::simple().fit(&y).unwrap();
        assert!(fit.alpha < 0.3, "{}", fit.alpha);
        let f = fit.forecast(3).unwrap();
        assert!((f[0] - 20.0).abs() < 0.5 && f[0] == f[2]);
        assert!(ExponentialSmoothing::holt_winters(10, Seasonality::Additive).fit(&y[..15]).is_err());
    }
}
