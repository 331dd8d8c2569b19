//! Transforms that make a series closer to stationary, each with its exact inverse so that
//! forecasts can be returned to the original units: differencing of any order, logarithm,
//! square root, reciprocal and Box-Cox.

use crate::{Error, Result};

/// A pointwise variance-stabilising transform.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transform {
    /// No change.
    Identity,
    /// Natural logarithm (values must be positive).
    Log,
    /// Square root (values must be non-negative).
    Sqrt,
    /// `1 / y` (values must be non-zero); decreasing, so it swaps interval ends.
    Reciprocal,
    /// Box-Cox `(y^λ - 1) / λ`, `ln y` at `λ = 0` (values must be positive).
    BoxCox(f64),
}

impl Transform {
    /// A short name for tables and plot titles.
    pub fn name(&self) -> String {
        match self {
            Transform::Identity => "none".into(),
            Transform::Log => "log".into(),
            Transform::Sqrt => "square root".into(),
            Transform::Reciprocal => "reciprocal".into(),
            Transform::BoxCox(l) => format!("Box-Cox (λ = {l:.3})"),
        }
    }

    /// Whether the transform reverses order (then interval ends swap).
    pub fn is_decreasing(&self) -> bool {
        matches!(self, Transform::Reciprocal)
    }

    /// Transforms one value; `None` outside the domain.
    pub fn apply_value(&self, y: f64) -> Option<f64> {
        let v = match *self {
            Transform::Identity => y,
            Transform::Log if y > 0.0 => y.ln(),
            Transform::Sqrt if y >= 0.0 => y.sqrt(),
            Transform::Reciprocal if y != 0.0 => 1.0 / y,
            Transform::BoxCox(l) if y > 0.0 => {
                if l == 0.0 {
                    y.ln()
                } else {
                    (y.powf(l) - 1.0) / l
                }
            }
            _ => return None,
        };
        v.is_finite().then_some(v)
    }

    /// The inverse of one value (NaN where the inverse does not exist).
    pub fn inverse_value(&self, z: f64) -> f64 {
        match *self {
            Transform::Identity => z,
            Transform::Log => z.exp(),
            Transform::Sqrt => {
                if z >= 0.0 {
                    z * z
                } else {
                    f64::NAN
                }
            }
            Transform::Reciprocal => 1.0 / z,
            Transform::BoxCox(l) => {
                if l == 0.0 {
                    z.exp()
                } else {
                    let base = l * z + 1.0;
                    if base > 0.0 { base.powf(1.0 / l) } else { f64::NAN }
                }
            }
        }
    }

    /// The inverse of an interval end: like [`Transform::inverse_value`], but an end beyond the
    /// transform's range maps to the limit it approaches (0, or +infinity), so a prediction
    /// interval stays an interval.
    pub fn inverse_bound(&self, z: f64) -> f64 {
        match *self {
            Transform::Sqrt if z < 0.0 => 0.0,
            Transform::Reciprocal if z <= 0.0 => f64::INFINITY,
            Transform::BoxCox(l) if l != 0.0 && l * z + 1.0 <= 0.0 => {
                if l > 0.0 {
                    0.0
                } else {
                    f64::INFINITY
                }
            }
            _ => self.inverse_value(z),
        }
    }

    /// Transforms a series; an error names the first value outside the domain.
    pub fn apply(&self, y: &[f64]) -> Result<Vec<f64>> {
        y.iter()
            .enumerate()
            .map(|(i, &v)| {
                self.apply_value(v).ok_or_else(|| {
                    Error::invalid(
                        "series",
                        format!("value {i} ({v}) is outside the domain of the {} transform", self.name()),
                    )
                })
            })
            .collect()
    }

    /// Maps transformed values back to the original units.
    pub fn inverse(&self, z: &[f64]) -> Vec<f64> {
        z.iter().map(|&v| self.inverse_value(v)).collect()
    }
}

/// The Box-Cox λ that maximises the normal log-likelihood of the transformed series (the
/// `method="mle"` choice of scipy's `boxcox`), searched in [-5, 5]. A constant series has no
/// such λ: an error.
pub fn boxcox_lambda(y: &[f64]) -> Result<f64> {
    if y.len() < 2 {
        return Err(Error::invalid("series", "Box-Cox needs at least 2 values"));
    }
    if let Some(i) = y.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(Error::invalid("series", format!("Box-Cox needs positive finite values; value {i} is {}", y[i])));
    }
    if y.iter().all(|v| *v == y[0]) {
        return Err(Error::invalid(
            "series",
            format!(
                "Box-Cox: the series is constant ({}), so λ is undefined (every λ transforms it to a constant)",
                y[0]
            ),
        ));
    }
    let logs: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let sum_log: f64 = logs.iter().sum();
    let n = y.len() as f64;
    let neg_llf = |l: f64| {
        let z: Vec<f64> =
            if l == 0.0 { logs.clone() } else { logs.iter().map(|g| ((l * g).exp() - 1.0) / l).collect() };
        let mean = z.iter().sum::<f64>() / n;
        let var = z.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        -((l - 1.0) * sum_log - n / 2.0 * var.ln())
    };
    Ok(golden_section(neg_llf, -5.0, 5.0, 1e-10))
}

/// Minimises a unimodal function on [lo, hi] by golden-section search.
pub(crate) fn golden_section(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64, tol: f64) -> f64 {
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = hi - ratio * (hi - lo);
    let mut d = lo + ratio * (hi - lo);
    let mut fc = f(c);
    let mut fd = f(d);
    while (hi - lo).abs() > tol * (1.0 + c.abs()) {
        if fc < fd {
            hi = d;
            d = c;
            fd = fc;
            c = hi - ratio * (hi - lo);
            fc = f(c);
        } else {
            lo = c;
            c = d;
            fc = fd;
            d = lo + ratio * (hi - lo);
            fd = f(d);
        }
    }
    (lo + hi) / 2.0
}

/// A series differenced `order` times, remembering what it needs to be undone exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Differenced {
    /// The differenced values (`order` fewer than the original).
    pub values: Vec<f64>,
    order: usize,
    /// First value of the series at each differencing level 0..order.
    first: Vec<f64>,
    /// Last value of the series at each differencing level 0..order.
    last: Vec<f64>,
}

/// Differences `y` `order` times: `y_t - y_{t-1}`, repeated.
///
/// ```
/// let d = dslab::tsa::difference(&[1.0, 4.0, 9.0, 16.0], 1)?;
/// assert_eq!(d.values, vec![3.0, 5.0, 7.0]);
/// assert_eq!(d.undo(), vec![1.0, 4.0, 9.0, 16.0]);
/// assert_eq!(d.integrate(&[9.0, 11.0]), vec![25.0, 36.0]);
/// # Ok::<(), dslab::Error>(())
/// ```
pub fn difference(y: &[f64], order: usize) -> Result<Differenced> {
    if y.len() <= order {
        return Err(Error::invalid(
            "series",
            format!("differencing {order} times needs more than {order} values, got {}", y.len()),
        ));
    }
    let mut current = y.to_vec();
    let mut first = Vec::with_capacity(order);
    let mut last = Vec::with_capacity(order);
    for _ in 0..order {
        first.push(current[0]);
        last.push(current[current.len() - 1]);
        current = current.windows(2).map(|w| w[1] - w[0]).collect();
    }
    Ok(Differenced { values: current, order, first, last })
}

impl Differenced {
    /// How many times the series was differenced.
    pub fn order(&self) -> usize {
        self.order
    }

    /// The original series, rebuilt exactly from the differences and the first values.
    pub fn undo(&self) -> Vec<f64> {
        let mut current = self.values.clone();
        for level in (0..self.order).rev() {
            let mut rebuilt = Vec::with_capacity(current.len() + 1);
            let mut acc = self.first[level];
            rebuilt.push(acc);
            for v in &current {
                acc += v;
                rebuilt.push(acc);
            }
            current = rebuilt;
        }
        current
    }

    /// Turns forecasts of the differenced series (the steps right after the sample) into
    /// forecasts of the original series: add them cumulatively to the last observed value,
    /// once per differencing level.
    pub fn integrate(&self, forecasts: &[f64]) -> Vec<f64> {
        let mut current = forecasts.to_vec();
        for level in (0..self.order).rev() {
            let mut acc = self.last[level];
            for v in current.iter_mut() {
                acc += *v;
                *v = acc;
            }
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_differences_undo_and_integrate() {
        let y: Vec<f64> = (0..8).map(|t| (t * t) as f64 + 0.5 * t as f64).collect();
        let d = difference(&y, 2).unwrap();
        assert!(d.values.iter().all(|v| (v - 2.0).abs() < 1e-12));
        assert_eq!(d.undo(), y);
        // Continue the quadratic: second differences stay 2.
        let next = d.integrate(&[2.0, 2.0]);
        assert!((next[0] - (64.0 + 4.0)).abs() < 1e-12 && (next[1] - (81.0 + 4.5)).abs() < 1e-12);
    }

    #[test]
    fn transforms_invert() {
        for t in [
            Transform::Identity,
            Transform::Log,
            Transform::Sqrt,
            Transform::Reciprocal,
            Transform::BoxCox(0.3),
            Transform::BoxCox(0.0),
        ] {
            for y in [0.5, 3.0, 120.0] {
                let z = t.apply_value(y).unwrap();
                assert!((t.inverse_value(z) - y).abs() < 1e-12 * y, "{t:?} {y}");
            }
        }
        assert!(Transform::Log.apply(&[1.0, 0.0]).is_err());
        assert_eq!(Transform::Reciprocal.inverse_bound(-0.1), f64::INFINITY);
        assert_eq!(Transform::Sqrt.inverse_bound(-2.0), 0.0);
        assert_eq!(Transform::BoxCox(0.5).inverse_bound(-3.0), 0.0);
    }

    #[test]
    fn boxcox_lambda_is_near_zero_for_lognormal_like_data() {
        let y: Vec<f64> = (0..200).map(|i| (((i * 37) % 101) as f64 / 25.0 - 2.0).exp()).collect();
        let l = boxcox_lambda(&y).unwrap();
        assert!(l.abs() < 0.3, "{l}");
    }
}
