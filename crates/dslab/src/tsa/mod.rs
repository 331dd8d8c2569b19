//! Time series analysis: transforms, decomposition, autocorrelation, unit-root tests,
//! smoothing and ARIMA models, tested against statsmodels.

mod arima;
mod forecast;
mod linalg;
mod optimize;
mod special;
mod transform;

pub use arima::{Arima, ArimaFit, ArimaGrid, ArimaParams, Criterion, GridEntry, GridSearch};
pub use forecast::Forecast;
pub use transform::{boxcox_lambda, difference, Differenced, Transform};
