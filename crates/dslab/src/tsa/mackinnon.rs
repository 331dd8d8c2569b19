//! MacKinnon's response-surface tables for the Dickey-Fuller statistic with one variable:
//! approximate p-values (MacKinnon 1994) and finite-sample critical values (MacKinnon 2010),
//! the numbers statsmodels' `adfuller` uses.

use crate::tsa::special::normal_cdf;
use crate::tsa::unit_root::AdfRegression;

/// Coefficients for one deterministic specification.
struct Surface {
    /// Below this statistic the p-value is 0.
    min: f64,
    /// Above this statistic the p-value is 1.
    max: f64,
    /// Where the small-p polynomial hands over to the large-p one.
    star: f64,
    /// p = Φ(c0 + c1 τ + c2 τ²) for τ <= star.
    small: [f64; 3],
    /// p = Φ(c0 + c1 τ + c2 τ² + c3 τ³) for τ > star.
    large: [f64; 4],
    /// Critical values at 1 %, 5 %, 10 %: c0 + c1/n + c2/n² + c3/n³.
    critical: [[f64; 4]; 3],
}

fn surface(regression: AdfRegression) -> Surface {
    match regression {
        AdfRegression::None => Surface {
            min: -19.04,
            max: f64::INFINITY,
            star: -1.04,
            small: [0.6344, 1.2378, 3.2496e-2],
            large: [0.4797, 9.3557e-1, -0.6999e-1, 3.3066e-2],
            critical: [
                [-2.56574, -2.2358, -3.627, 0.0],
                [-1.94100, -0.2686, -3.365, 31.223],
                [-1.61682, 0.2656, -2.714, 25.364],
            ],
        },
        AdfRegression::Constant => Surface {
            min: -18.83,
            max: 2.74,
            star: -1.61,
            small: [2.1659, 1.4412, 3.8269e-2],
            large: [1.7339, 9.3202e-1, -1.2745e-1, -1.0368e-2],
            critical: [
                [-3.43035, -6.5393, -16.786, -79.433],
                [-2.86154, -2.8903, -4.234, -40.040],
                [-2.56677, -1.5384, -2.809, 0.0],
            ],
        },
        AdfRegression::ConstantTrend => Surface {
            min: -16.18,
            max: 0.7,
            star: -2.89,
            small: [3.2512, 1.6047, 4.9588e-2],
            large: [2.5261, 6.1654e-1, -3.7956e-1, -6.0285e-2],
            critical: [
                [-3.95877, -9.0531, -28.428, -134.155],
                [-3.41049, -4.3904, -9.036, -45.374],
                [-3.12705, -2.5856, -3.925, -22.380],
            ],
        },
    }
}

/// The approximate p-value of a Dickey-Fuller statistic.
pub(crate) fn p_value(statistic: f64, regression: AdfRegression) -> f64 {
    let s = surface(regression);
    if statistic > s.max {
        return 1.0;
    }
    if statistic < s.min {
        return 0.0;
    }
    let t = statistic;
    let z = if t <= s.star {
        s.small[0] + s.small[1] * t + s.small[2] * t * t
    } else {
        s.large[0] + s.large[1] * t + s.large[2] * t * t + s.large[3] * t * t * t
    };
    normal_cdf(z)
}

/// Critical values at 1 %, 5 % and 10 % for a regression on `nobs` observations.
pub(crate) fn critical_values(regression: AdfRegression, nobs: usize) -> [f64; 3] {
    let s = surface(regression);
    let x = 1.0 / nobs as f64;
    s.critical.map(|c| c[0] + c[1] * x + c[2] * x * x + c[3] * x * x * x)
}
