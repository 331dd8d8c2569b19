//! Time series analysis for forecasting: transforms, decomposition, autocorrelation,
//! unit-root tests, smoothing models and ARIMA, each tested against statsmodels.
//!
//! | concern | items |
//! |---|---|
//! | transforms with inverses | [`difference`] / [`Differenced`], [`Transform`] (log, sqrt, reciprocal, Box-Cox), [`boxcox_lambda`] |
//! | smoothing a series | [`rolling_mean`], [`ewma`], [`ewma_recursive`] |
//! | decomposition and trends | [`decompose`], [`PolynomialTrend`] |
//! | dependence on the past | [`acf`], [`pacf`], [`ljung_box`] |
//! | stationarity | [`adf_test`], [`AdfTest`] |
//! | smoothing models | [`ExponentialSmoothing`]: simple, Holt, Holt-Winters |
//! | ARIMA | [`Arima`], [`ArimaFit`], [`Forecast`], [`ArimaGrid`] |
//! | accuracy | [`rmse`], [`mae`], [`mape`] |
//!
//! ```
//! use dslab::{random::Rng, tsa::{adf_test, difference, Arima}};
//! let mut rng = Rng::seed(1);
//! let y: Vec<f64> = (0..120).scan(50.0, |level, _| { *level += 0.5 + rng.normal(); Some(*level) }).collect();
//! let stationary = adf_test(&difference(&y, 1)?.values)?;
//! let fit = Arima::new(1, 1, 1).fit(&y)?;
//! let forecast = fit.forecast(10)?;
//! println!("ADF p-value {:.3}, next value {:.1}", stationary.p_value, forecast.mean[0]);
//! # Ok::<(), dslab::Error>(())
//! ```

mod arima;
mod correlation;
mod decompose;
mod forecast;
mod linalg;
mod mackinnon;
mod metrics;
mod moving_average;
mod optimize;
mod smoothing;
mod special;
mod transform;
mod unit_root;

pub use arima::{Arima, ArimaFit, ArimaGrid, ArimaParams, Criterion, GridEntry, GridSearch};
pub use correlation::{Correlogram, LjungBox, PacfMethod, acf, ljung_box, pacf};
pub use decompose::{Decomposition, DecompositionModel, PolynomialTrend, TrendFit, decompose};
pub use forecast::Forecast;
pub use metrics::{mae, mape, rmse};
pub use moving_average::{alpha_from_span, ewma, ewma_recursive, rolling_mean};
pub use smoothing::{ExponentialSmoothing, Seasonality, SmoothingFit};
pub use transform::{Differenced, Transform, boxcox_lambda, difference};
pub use unit_root::{AdfRegression, AdfResult, AdfTest, LagSelection, adf_test};
