//! Moving averages that smooth a series: the trailing rolling mean and the exponentially
//! weighted mean, as pandas computes them.

use crate::{Error, Result};

fn check(x: &[f64]) -> Result<()> {
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid("series", format!("value {i} is {}", x[i])));
    }
    Ok(())
}

/// The mean of each value and the `window - 1` before it (pandas `rolling(window).mean()`);
/// the first `window - 1` entries are NaN.
///
/// ```
/// let m = dslab::tsa::rolling_mean(&[1.0, 2.0, 3.0, 4.0], 2)?;
/// assert!(m[0].is_nan());
/// assert_eq!(&m[1..], &[1.5, 2.5, 3.5]);
/// # Ok::<(), dslab::Error>(())
/// ```
pub fn rolling_mean(x: &[f64], window: usize) -> Result<Vec<f64>> {
    check(x)?;
    if window == 0 || window > x.len() {
        return Err(Error::invalid(
            "window",
            format!("a window from 1 to the series length {}, got {window}", x.len()),
        ));
    }
    let mut out = vec![f64::NAN; x.len()];
    for t in window - 1..x.len() {
        // Summed afresh for each window: exact, and the sizes here are small.
        out[t] = x[t + 1 - window..=t].iter().sum::<f64>() / window as f64;
    }
    Ok(out)
}

/// The exponentially weighted moving average with smoothing factor `alpha` in (0, 1]: each
/// value is the weighted mean of all values so far, with weights `(1 - alpha)^age` (pandas
/// `ewm(alpha=alpha).mean()`, `adjust=True`).
pub fn ewma(x: &[f64], alpha: f64) -> Result<Vec<f64>> {
    check(x)?;
    check_alpha(alpha)?;
    let mut num = 0.0;
    let mut den = 0.0;
    Ok(x.iter()
        .map(|v| {
            num = v + (1.0 - alpha) * num;
            den = 1.0 + (1.0 - alpha) * den;
            num / den
        })
        .collect())
}

/// The recursive form `s_t = alpha x_t + (1 - alpha) s_{t-1}`, `s_0 = x_0` (pandas
/// `ewm(alpha=alpha, adjust=False).mean()`), which is simple exponential smoothing.
pub fn ewma_recursive(x: &[f64], alpha: f64) -> Result<Vec<f64>> {
    check(x)?;
    check_alpha(alpha)?;
    let mut s = f64::NAN;
    Ok(x.iter()
        .enumerate()
        .map(|(t, v)| {
            s = if t == 0 { *v } else { alpha * v + (1.0 - alpha) * s };
            s
        })
        .collect())
}

/// The smoothing factor that corresponds to a span of `span` periods: `2 / (span + 1)`.
pub fn alpha_from_span(span: f64) -> Result<f64> {
    if span.is_nan() || span < 1.0 {
        return Err(Error::invalid("span", format!("a span of at least 1, got {span}")));
    }
    Ok(2.0 / (span + 1.0))
}

fn check_alpha(alpha: f64) -> Result<()> {
    if !(alpha > 0.0 && alpha <= 1.0) {
        return Err(Error::invalid("alpha", format!("a smoothing factor in (0, 1], got {alpha}")));
    }
    Ok(())
}
