//! ARIMA(p, d, q) models estimated by exact Gaussian maximum likelihood through the Kalman
//! filter: the same model, likelihood and parameterisation as statsmodels'
//! `ARIMA(y, order=(p, d, q)).fit()` (a mean only when `d = 0`, stationarity and
//! invertibility enforced, approximate diffuse start for the differencing states).
//!
//! AR(p) and ARMA(p, q) are the special cases `Arima::new(p, 0, 0)` and `Arima::new(p, 0, q)`.

mod grid;
pub(crate) mod params;
pub(crate) mod state_space;

pub use grid::{ArimaGrid, Criterion, GridEntry, GridSearch};

use crate::table::Table;
use crate::tsa::forecast::{Forecast, check_steps};
use crate::tsa::optimize::{Settings, minimize};
use crate::{Error, Result};
use params::{conditional_least_squares, constrain_stationary, difference, unconstrain_stationary};
use state_space::{ArimaSystem, FilterOutput, Workspace};

/// The most autoregressive or moving-average lags a fit takes: the stationary covariance solves
/// about `max(p, q + 1)²/2` equations at every likelihood evaluation (0.8 s each at 50 lags).
const MAX_ARMA_ORDER: usize = 50;

/// The most differences a fit takes (each adds a state; one or two is usual).
const MAX_DIFFERENCES: usize = 10;

/// The hyperparameters of an ARIMA(p, d, q) model: `p` autoregressive lags, `d` differences,
/// `q` moving-average lags. Build it, then [`Arima::fit`] it to a series.
///
/// ```
/// use dslab::tsa::Arima;
/// let y: Vec<f64> = (0..80).map(|t| (t as f64 * 0.7).sin() + 0.05 * t as f64).collect();
/// let fit = Arima::new(1, 1, 0).fit(&y)?;
/// let forecast = fit.forecast(5)?;
/// assert_eq!(forecast.mean.len(), 5);
/// assert!(forecast.lower[0] < forecast.mean[0] && forecast.mean[0] < forecast.upper[0]);
/// # Ok::<(), dslab::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arima {
    p: usize,
    d: usize,
    q: usize,
    mean: Option<bool>,
    max_iterations: usize,
}

/// The estimated parameters of an ARIMA model, in statsmodels' order and sign conventions:
/// `(y_t - mean) (1 - L)^d (1 - φ1 L - ...) = (1 + θ1 L + ...) ε_t`, `Var ε_t = sigma2`.
#[derive(Debug, Clone, PartialEq)]
pub struct ArimaParams {
    /// The process mean (only for `d = 0`; statsmodels' `const`).
    pub mean: Option<f64>,
    /// AR coefficients φ1..φp.
    pub ar: Vec<f64>,
    /// MA coefficients θ1..θq.
    pub ma: Vec<f64>,
    /// Variance of the shocks.
    pub sigma2: f64,
}

impl ArimaParams {
    /// All parameters as one vector in statsmodels' order: const, ar, ma, sigma2.
    pub fn to_vec(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.mean.into_iter().collect();
        v.extend(&self.ar);
        v.extend(&self.ma);
        v.push(self.sigma2);
        v
    }

    /// Parameter names in the same order as [`ArimaParams::to_vec`].
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.mean.iter().map(|_| "const".to_string()).collect();
        v.extend((1..=self.ar.len()).map(|i| format!("ar.L{i}")));
        v.extend((1..=self.ma.len()).map(|i| format!("ma.L{i}")));
        v.push("sigma2".into());
        v
    }
}

/// A fitted ARIMA model: parameters, likelihood, information criteria, residuals and forecasts.
#[derive(Debug, Clone)]
pub struct ArimaFit {
    order: (usize, usize, usize),
    params: ArimaParams,
    loglik: f64,
    nobs: usize,
    system: ArimaSystem,
    filtered: FilterOutput,
    observed: Vec<f64>,
    iterations: usize,
    evaluations: usize,
}

impl Arima {
    /// ARIMA(p, d, q); a mean is estimated when `d = 0` (as statsmodels does by default).
    pub fn new(p: usize, d: usize, q: usize) -> Self {
        Arima { p, d, q, mean: None, max_iterations: 500 }
    }

    /// The autoregressive model AR(p) = ARIMA(p, 0, 0), with a mean.
    pub fn ar(p: usize) -> Self {
        Arima::new(p, 0, 0)
    }

    /// The ARMA(p, q) model = ARIMA(p, 0, q), with a mean.
    pub fn arma(p: usize, q: usize) -> Self {
        Arima::new(p, 0, q)
    }

    /// Whether to estimate a mean. Only possible for `d = 0`: differencing removes a constant.
    pub fn with_mean(mut self, mean: bool) -> Self {
        self.mean = Some(mean);
        self
    }

    /// The optimiser's iteration limit (default 500); reaching it is a
    /// [`Error::NotConverged`].
    pub fn max_iterations(mut self, iterations: usize) -> Self {
        self.max_iterations = iterations;
        self
    }

    /// `(p, d, q)`.
    pub fn order(&self) -> (usize, usize, usize) {
        (self.p, self.d, self.q)
    }

    fn has_mean(&self) -> bool {
        self.mean.unwrap_or(self.d == 0)
    }

    /// Estimates the model on `y` by exact maximum likelihood.
    ///
    /// Errors: non-finite values in `y`; `p` or `q` above 50, `d` above 10, or any of them not
    /// below the series' length; a series too short for the order (fewer than `d + k + 2`
    /// values for `k` parameters); a series that is constant after differencing;
    /// a mean asked for with `d > 0`; and
    /// [`Error::NotConverged`] when the optimiser stops without meeting its tests.
    pub fn fit(&self, y: &[f64]) -> Result<ArimaFit> {
        let (p, d, q) = self.order();
        let name = format!("ARIMA({p}, {d}, {q})");
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "series",
                format!("value {i} is {} (ARIMA needs finite numbers; drop or fill missing values first)", y[i]),
            ));
        }
        // Each order is bounded, and must leave data to estimate from, before anything is sized
        // by it (so the sums below cannot overflow either).
        let n = y.len();
        let orders = [
            ("p", p, MAX_ARMA_ORDER, "autoregressive lags"),
            ("d", d, MAX_DIFFERENCES, "differences"),
            ("q", q, MAX_ARMA_ORDER, "moving-average lags"),
        ];
        for (what, order, most, meaning) in orders {
            if order > most {
                return Err(Error::invalid(
                    what,
                    format!(
                        "{name}: {what} = {order} {meaning} is more than the {most} supported (the likelihood's \
                         initial covariance solves about max(p, q + 1)²/2 equations at every evaluation)"
                    ),
                ));
            }
            if order >= n {
                return Err(Error::invalid(
                    what,
                    format!("{name}: {what} = {order} {meaning} need more than {order} values, the series has {n}"),
                ));
            }
        }
        let has_mean = self.has_mean();
        if has_mean && d > 0 {
            return Err(Error::invalid(
                "mean",
                format!("{name}: a mean cannot be estimated with d = {d} > 0 (differencing removes it)"),
            ));
        }
        let k = p + q + 1 + usize::from(has_mean);
        if y.len() < d + k + 2 {
            return Err(Error::invalid(
                "series",
                format!(
                    "{name} needs at least {} values ({k} parameters after {d} differences), got {}",
                    d + k + 2,
                    y.len()
                ),
            ));
        }
        let diffed = difference(y, d);
        let first = diffed[0];
        if diffed.iter().all(|v| *v == first) {
            return Err(Error::invalid(
                "series",
                format!(
                    "{name}: after {d} differences the series is constant ({first}), so nothing random is left to model"
                ),
            ));
        }
        // Starting values as statsmodels computes them.
        let mean0 = if has_mean { y.iter().sum::<f64>() / y.len() as f64 } else { 0.0 };
        let endog: Vec<f64> = if has_mean { diffed.iter().map(|v| v - mean0).collect() } else { diffed };
        let (ar0, ma0, sigma2_0) = conditional_least_squares(&endog, p, q, y.len(), has_mean);
        let mut x0 = Vec::with_capacity(k);
        if has_mean {
            x0.push(0.0);
        }
        x0.extend(unconstrain_stationary(&ar0).unwrap_or_else(|| vec![0.0; p]));
        let neg_ma: Vec<f64> = ma0.iter().map(|v| -v).collect();
        x0.extend(unconstrain_stationary(&neg_ma).unwrap_or_else(|| vec![0.0; q]));
        x0.push(0.5 * sigma2_0.ln());
        let mean_scale = sigma2_0.sqrt();
        let decode = |x: &[f64]| -> ArimaSystem {
            let mut i = 0;
            let mean = if has_mean {
                i = 1;
                mean0 + mean_scale * x[0]
            } else {
                0.0
            };
            let ar = constrain_stationary(&x[i..i + p]);
            let ma: Vec<f64> = constrain_stationary(&x[i + p..i + p + q]).iter().map(|v| -v).collect();
            let sigma2 = (2.0 * x[i + p + q]).exp();
            ArimaSystem { d, ar, ma, sigma2, mean }
        };
        let n = y.len() as f64;
        let mut ws = Workspace::default();
        let objective = |x: &[f64]| match decode(x).loglik(y, &mut ws) {
            Some(loglik) => -loglik / n,
            None => f64::INFINITY,
        };
        let min = minimize(objective, &x0, Settings { max_iterations: self.max_iterations, ..Settings::default() });
        if !min.converged || !min.value.is_finite() {
            return Err(Error::not_converged(
                format!("{name} maximum likelihood"),
                format!(
                    "stopped after {} iterations with log-likelihood {:.4} and gradient {:.2e}; try a lower order or a transformed series",
                    min.iterations,
                    -min.value * n,
                    min.gradient_norm
                ),
            ));
        }
        let system = decode(&min.x);
        let filtered = system.filter(y, &mut ws, true).ok_or_else(|| {
            Error::not_converged(format!("{name} maximum likelihood"), "the estimate gives no valid likelihood")
        })?;
        let params = ArimaParams {
            mean: has_mean.then_some(system.mean),
            ar: system.ar.clone(),
            ma: system.ma.clone(),
            sigma2: system.sigma2,
        };
        Ok(ArimaFit {
            order: (p, d, q),
            params,
            loglik: filtered.loglik,
            nobs: y.len(),
            system,
            filtered,
            observed: y.to_vec(),
            iterations: min.iterations,
            evaluations: min.evaluations,
        })
    }
}

impl ArimaFit {
    /// `(p, d, q)`.
    pub fn order(&self) -> (usize, usize, usize) {
        self.order
    }

    /// The estimated parameters.
    pub fn params(&self) -> &ArimaParams {
        &self.params
    }

    /// The maximised log-likelihood (the first `d` observations condition the rest).
    pub fn loglik(&self) -> f64 {
        self.loglik
    }

    /// Number of estimated parameters, the shock variance included.
    pub fn n_params(&self) -> usize {
        self.params.ar.len() + self.params.ma.len() + 1 + usize::from(self.params.mean.is_some())
    }

    /// Observations that enter the likelihood: the series length minus `d`.
    pub fn nobs_effective(&self) -> usize {
        self.nobs - self.order.1
    }

    /// Akaike's information criterion `-2 loglik + 2 k`.
    pub fn aic(&self) -> f64 {
        -2.0 * self.loglik + 2.0 * self.n_params() as f64
    }

    /// AIC with the small-sample correction `2k(k+1)/(n-k-1)`.
    pub fn aicc(&self) -> f64 {
        let k = self.n_params() as f64;
        let n = self.nobs_effective() as f64;
        self.aic() + 2.0 * k * (k + 1.0) / (n - k - 1.0)
    }

    /// The Bayesian information criterion `-2 loglik + k ln n`.
    pub fn bic(&self) -> f64 {
        -2.0 * self.loglik + self.n_params() as f64 * (self.nobs_effective() as f64).ln()
    }

    /// One-step-ahead prediction errors, one per observation (the first `d` reflect the
    /// diffuse start and are not model residuals in the usual sense).
    pub fn residuals(&self) -> &[f64] {
        &self.filtered.innovations
    }

    /// One-step-ahead predictions of each observation from the ones before it.
    pub fn fitted_values(&self) -> Vec<f64> {
        self.observed.iter().zip(&self.filtered.innovations).map(|(y, v)| y - v).collect()
    }

    /// Optimiser iterations and likelihood evaluations used by the fit.
    pub fn iterations(&self) -> (usize, usize) {
        (self.iterations, self.evaluations)
    }

    /// Forecasts the next `steps` values (1 to 100 000) in the series' units, with 95 % intervals.
    pub fn forecast(&self, steps: usize) -> Result<Forecast> {
        self.forecast_level(steps, 0.95)
    }

    /// Forecasts with intervals at the given coverage `level` (between 0 and 1).
    pub fn forecast_level(&self, steps: usize, level: f64) -> Result<Forecast> {
        if steps == 0 {
            return Err(Error::invalid("steps", "forecast at least one step"));
        }
        check_steps(steps)?;
        let (mean, variance) = self.system.forecast(&self.filtered.state, &self.filtered.cov, steps);
        Forecast::from_normal(mean, variance, level)
    }

    /// A table of the parameters and the fit criteria.
    pub fn summary(&self) -> Table {
        let (p, d, q) = self.order;
        let mut table = Table::new(["quantity", "value"])
            .caption(format!("ARIMA({p}, {d}, {q}) by exact maximum likelihood, {} observations", self.nobs));
        for (name, value) in self.params.names().into_iter().zip(self.params.to_vec()) {
            let _ = table.push_row([name, format!("{value:.6}")]);
        }
        for (name, value) in
            [("log-likelihood", self.loglik), ("AIC", self.aic()), ("AICc", self.aicc()), ("BIC", self.bic())]
        {
            let _ = table.push_row([name.to_string(), format!("{value:.4}")]);
        }
        table
    }

    /// Shows [`ArimaFit::summary`] in a notebook.
    pub fn evcxr_display(&self) {
        self.summary().evcxr_display();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    fn ar1(phi: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng::seed(seed);
        let mut x = 0.0;
        (0..n)
            .map(|_| {
                x = phi * x + rng.normal();
                10.0 + x
            })
            .collect()
    }

    #[test]
    fn recovers_an_ar1_coefficient_and_mean() {
        let y = ar1(0.6, 2000, 11);
        let fit = Arima::ar(1).fit(&y).unwrap();
        let params = fit.params();
        assert!((params.ar[0] - 0.6).abs() < 0.05, "{params:?}");
        assert!((params.mean.unwrap() - 10.0).abs() < 0.2, "{params:?}");
        assert!((params.sigma2 - 1.0).abs() < 0.1, "{params:?}");
        assert_eq!(params.names(), ["const", "ar.L1", "sigma2"]);
    }

    #[test]
    fn intervals_of_an_integrated_model_widen() {
        let walk: Vec<f64> = ar1(0.3, 300, 5)
            .iter()
            .scan(0.0, |s, v| {
                *s += v - 10.0;
                Some(*s)
            })
            .collect();
        let fc = Arima::new(1, 1, 0).fit(&walk).unwrap().forecast(10).unwrap();
        let widths: Vec<f64> = fc.upper.iter().zip(&fc.lower).map(|(u, l)| u - l).collect();
        assert!(widths.windows(2).all(|w| w[1] > w[0]), "{widths:?}");
        assert_eq!(fc.level, 0.95);
    }

    #[test]
    fn bad_input_gives_clear_errors() {
        let y = ar1(0.5, 100, 3);
        let mut with_nan = y.clone();
        with_nan[3] = f64::NAN;
        let err = Arima::new(1, 0, 0).fit(&with_nan).unwrap_err().to_string();
        assert!(err.contains("value 3 is NaN"), "{err}");
        let err = Arima::new(2, 1, 2).fit(&y[..6]).unwrap_err().to_string();
        assert!(err.contains("needs at least"), "{err}");
        let err = Arima::new(1, 1, 0).with_mean(true).fit(&y).unwrap_err().to_string();
        assert!(err.contains("mean"), "{err}");
        let err = Arima::new(0, 1, 1).fit(&[3.0; 20]).unwrap_err().to_string();
        assert!(err.contains("constant"), "{err}");
        let err = Arima::new(2, 0, 2).max_iterations(1).fit(&y).unwrap_err();
        assert!(matches!(err, Error::NotConverged { .. }), "{err}");
        assert!(Arima::new(1, 0, 0).fit(&y).unwrap().forecast(0).is_err());
    }
}
