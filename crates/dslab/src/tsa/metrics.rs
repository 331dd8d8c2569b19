//! Forecast accuracy: root mean squared error, mean absolute error and mean absolute
//! percentage error.

use crate::{Error, Result};

fn pairs(actual: &[f64], predicted: &[f64]) -> Result<()> {
    if actual.len() != predicted.len() {
        return Err(Error::invalid(
            "predicted",
            format!("{} predictions for {} actual values", predicted.len(), actual.len()),
        ));
    }
    if actual.is_empty() {
        return Err(Error::invalid("actual", "no values to compare"));
    }
    if let Some(i) = actual.iter().chain(predicted).position(|v| !v.is_finite()) {
        return Err(Error::invalid("values", format!("entry {} is not finite", i % actual.len())));
    }
    Ok(())
}

/// Root mean squared error: the typical error, weighting large misses more.
///
/// ```
/// use dslab::tsa::{mae, rmse};
/// assert_eq!(rmse(&[1.0, 2.0], &[1.0, 4.0])?, 2f64.sqrt());
/// assert_eq!(mae(&[1.0, 2.0], &[1.0, 4.0])?, 1.0);
/// # Ok::<(), dslab::Error>(())
/// ```
pub fn rmse(actual: &[f64], predicted: &[f64]) -> Result<f64> {
    pairs(actual, predicted)?;
    Ok((actual.iter().zip(predicted).map(|(a, p)| (a - p) * (a - p)).sum::<f64>() / actual.len() as f64).sqrt())
}

/// Mean absolute error, in the series' units.
pub fn mae(actual: &[f64], predicted: &[f64]) -> Result<f64> {
    pairs(actual, predicted)?;
    Ok(actual.iter().zip(predicted).map(|(a, p)| (a - p).abs()).sum::<f64>() / actual.len() as f64)
}

/// Mean absolute percentage error, in percent (actual values must be non-zero).
pub fn mape(actual: &[f64], predicted: &[f64]) -> Result<f64> {
    pairs(actual, predicted)?;
    if let Some(i) = actual.iter().position(|a| *a == 0.0) {
        return Err(Error::invalid("actual", format!("value {i} is zero, so a percentage error is undefined")));
    }
    Ok(100.0 * actual.iter().zip(predicted).map(|(a, p)| ((a - p) / a).abs()).sum::<f64>() / actual.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentage_error_and_mismatched_lengths() {
        assert!((mape(&[100.0, 200.0], &[110.0, 190.0]).unwrap() - 7.5).abs() < 1e-12);
        assert!(mape(&[0.0, 1.0], &[1.0, 1.0]).is_err());
        assert!(rmse(&[1.0], &[1.0, 2.0]).is_err());
        assert!(mae(&[], &[]).is_err());
    }
}
