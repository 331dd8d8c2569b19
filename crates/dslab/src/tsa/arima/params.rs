//! Parameter maps for ARIMA estimation: the transformation that keeps AR polynomials
//! stationary and MA polynomials invertible while the optimiser moves freely (Monahan 1984,
//! Jones 1980, the same map statsmodels uses), and conditional-least-squares starting values.

use crate::tsa::linalg::least_squares;

/// Maps free numbers to the coefficients of a stationary AR polynomial `1 - c1 L - ... - cn L^n`:
/// each free number becomes a partial autocorrelation in (-1, 1), and the Durbin-Levinson
/// recursion builds the coefficients from them.
pub(crate) fn constrain_stationary(unconstrained: &[f64]) -> Vec<f64> {
    let n = unconstrained.len();
    let mut prev = vec![0.0; n];
    let mut cur = vec![0.0; n];
    for k in 0..n {
        let r = unconstrained[k] / (1.0 + unconstrained[k] * unconstrained[k]).sqrt();
        for i in 0..k {
            cur[i] = prev[i] + r * prev[k - i - 1];
        }
        cur[k] = r;
        prev[..=k].copy_from_slice(&cur[..=k]);
    }
    prev.iter().map(|v| -v).collect()
}

/// The inverse of [`constrain_stationary`]; `None` when the polynomial is not stationary
/// (a partial autocorrelation reaches +-1).
pub(crate) fn unconstrain_stationary(constrained: &[f64]) -> Option<Vec<f64>> {
    let partial = partial_autocorrelations(constrained)?;
    Some(partial.iter().map(|r| r / (1.0 - r * r).sqrt()).collect())
}

/// The partial autocorrelations behind AR coefficients (the step-down recursion); `None`
/// when one of them is not strictly inside (-1, 1), i.e. the polynomial is not stationary.
fn partial_autocorrelations(constrained: &[f64]) -> Option<Vec<f64>> {
    let n = constrained.len();
    let mut y: Vec<f64> = constrained.iter().map(|v| -v).collect();
    let mut r = vec![0.0; n];
    for k in (0..n).rev() {
        let rk = y[k];
        if !rk.is_finite() || rk.abs() >= 1.0 {
            return None;
        }
        r[k] = rk;
        let denom = 1.0 - rk * rk;
        let prev: Vec<f64> = (0..k).map(|i| (y[i] - rk * y[k - i - 1]) / denom).collect();
        y[..k].copy_from_slice(&prev);
    }
    Some(r)
}

/// Whether `1 - c1 L - ... - cn L^n` has all its roots outside the unit circle.
pub(crate) fn is_stationary(coefficients: &[f64]) -> bool {
    partial_autocorrelations(coefficients).is_some_and(|r| r.iter().all(|v| v.abs() < 1.0 - 1e-10))
}

/// The first `d` differences of `y`.
pub(crate) fn difference(y: &[f64], d: usize) -> Vec<f64> {
    let mut out = y.to_vec();
    for _ in 0..d {
        out = out.windows(2).map(|w| w[1] - w[0]).collect();
    }
    out
}

/// Starting values for the ARMA part, as statsmodels' SARIMAX computes them: a long AR fit
/// gives residuals that stand in for the shocks, then one least-squares regression of the
/// series on its own lags and the lagged residuals gives AR and MA coefficients.
/// Returns (ar, ma, sigma2); non-stationary or non-invertible estimates are replaced by zeros.
pub(crate) fn conditional_least_squares(
    endog: &[f64],
    p: usize,
    q: usize,
    nobs_for_variance: usize,
    has_mean: bool,
) -> (Vec<f64>, Vec<f64>, f64) {
    let n = endog.len();
    let k = 2 * q;
    let r = (k + q).max(p);
    let mut ar = vec![0.0; p];
    let mut ma = vec![0.0; q];
    let mut variance: Option<f64> = None;
    if p + q > 0 {
        let fitted = (|| {
            let mut residuals: Vec<f64> = Vec::new();
            if q > 0 {
                if k >= n {
                    return None;
                }
                let columns: Vec<Vec<f64>> = (1..=k).map(|lag| (k..n).map(|t| endog[t - lag]).collect()).collect();
                let fit = least_squares(&columns, &endog[k..])?;
                residuals = fit.residuals; // residuals[i] belongs to time k + i
            }
            if r >= n {
                return None;
            }
            let mut columns: Vec<Vec<f64>> = Vec::with_capacity(p + q);
            for lag in 1..=p {
                columns.push((r..n).map(|t| endog[t - lag]).collect());
            }
            for lag in 1..=q {
                columns.push((r..n).map(|t| residuals[t - lag - k]).collect());
            }
            let fit = least_squares(&columns, &endog[r..])?;
            Some(fit)
        })();
        match fitted {
            Some(fit) => {
                ar.copy_from_slice(&fit.coef[..p]);
                ma.copy_from_slice(&fit.coef[p..]);
                if fit.residuals.len() > q.max(1) {
                    let tail = &fit.residuals[q..];
                    variance = Some(tail.iter().map(|e| e * e).sum::<f64>() / tail.len() as f64);
                } else {
                    variance = Some(population_variance(endog));
                }
            }
            None => {
                // Too few observations for the regressions: zeros, and the variance of the
                // demeaned series padded with 2q zeros, as statsmodels does.
                let mean = endog.iter().sum::<f64>() / n.max(1) as f64;
                let mut padded = vec![0.0; 2 * q];
                padded.extend(endog.iter().map(|v| v - mean));
                let tail = &padded[q..];
                variance = Some(if tail.len() > q.max(1) {
                    tail.iter().map(|e| e * e).sum::<f64>() / tail.len() as f64
                } else {
                    population_variance(endog)
                });
            }
        }
    }
    if p > 0 && !is_stationary(&ar) {
        ar.iter_mut().for_each(|v| *v = 0.0);
    }
    let negated: Vec<f64> = ma.iter().map(|v| -v).collect();
    if q > 0 && !is_stationary(&negated) {
        ma.iter_mut().for_each(|v| *v = 0.0);
    }
    let variance = variance.unwrap_or_else(|| {
        let ss: f64 = endog.iter().map(|v| v * v).sum();
        if has_mean { ss } else { ss / nobs_for_variance as f64 }
    });
    (ar, ma, variance.max(1e-10))
}

fn population_variance(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constrain_and_unconstrain_are_inverse() {
        let free = [0.3, -1.2, 2.0, 0.1];
        let coefs = constrain_stationary(&free);
        assert!(is_stationary(&coefs));
        let back = unconstrain_stationary(&coefs).unwrap();
        for (a, b) in free.iter().zip(&back) {
            assert!((a - b).abs() < 1e-10, "{a} vs {b}");
        }
    }

    #[test]
    fn ar1_transform_is_the_scaled_partial_autocorrelation() {
        let c = constrain_stationary(&[1.0]);
        // statsmodels convention: the coefficient is minus the partial autocorrelation.
        assert!((c[0] + 1.0 / 2f64.sqrt()).abs() < 1e-15);
        assert!(!is_stationary(&[1.2]));
        assert!(is_stationary(&[0.5, 0.3]));
        assert!(!is_stationary(&[0.5, 0.6]));
    }

    #[test]
    fn differencing_twice() {
        assert_eq!(difference(&[1.0, 4.0, 9.0, 16.0], 2), vec![2.0, 2.0]);
    }
}
