//! Unconstrained minimisation for the estimators in this module: BFGS with a backtracking
//! line search and central-difference gradients. The problems here have at most a dozen
//! parameters and cheap objectives, so a dense inverse-Hessian approximation is the right tool.

/// Where the minimiser stopped.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    /// The minimising point.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// BFGS iterations taken.
    pub iterations: usize,
    /// Objective evaluations, gradients included.
    pub evaluations: usize,
    /// Whether a convergence test was met (rather than the iteration limit or a failed search).
    pub converged: bool,
    /// The largest absolute gradient component at the end.
    pub gradient_norm: f64,
}

/// Stopping rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub max_iterations: usize,
    /// Stop when every gradient component is below this.
    pub gradient_tolerance: f64,
    /// Stop when an iteration lowers the objective by less than this, relative to it.
    pub relative_tolerance: f64,
    /// The largest step allowed in any coordinate per iteration.
    pub max_step: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { max_iterations: 500, gradient_tolerance: 1e-6, relative_tolerance: 1e-13, max_step: 3.0 }
    }
}

/// A non-finite objective counts as +infinity, so the search backs away from it.
fn value_of<F: FnMut(&[f64]) -> f64>(f: &mut F, x: &[f64], evaluations: &mut usize) -> f64 {
    *evaluations += 1;
    let v = f(x);
    if v.is_finite() { v } else { f64::INFINITY }
}

/// Finite-difference gradient: forward differences (one evaluation per coordinate) while the
/// gradient is large, central differences (two, far more accurate) near the minimum.
fn gradient<F: FnMut(&[f64]) -> f64>(
    f: &mut F,
    x: &[f64],
    fx: f64,
    evaluations: &mut usize,
    g: &mut [f64],
    central: bool,
) {
    let mut probe = x.to_vec();
    if !central {
        for i in 0..x.len() {
            let h = 1.5e-8 * x[i].abs().max(1.0);
            probe[i] = x[i] + h;
            let up = value_of(f, &probe, evaluations);
            if up.is_finite() {
                g[i] = (up - fx) / h;
            } else {
                probe[i] = x[i] - h;
                let down = value_of(f, &probe, evaluations);
                g[i] = if down.is_finite() { (fx - down) / h } else { 0.0 };
            }
            probe[i] = x[i];
        }
        return;
    }
    for i in 0..x.len() {
        let h = 1e-6 * x[i].abs().max(1.0);
        probe[i] = x[i] + h;
        let up = value_of(f, &probe, evaluations);
        probe[i] = x[i] - h;
        let down = value_of(f, &probe, evaluations);
        probe[i] = x[i];
        g[i] = if up.is_finite() && down.is_finite() {
            (up - down) / (2.0 * h)
        } else if up.is_finite() {
            (up - fx) / h
        } else if down.is_finite() {
            (fx - down) / h
        } else {
            0.0
        };
    }
}

/// Below this gradient size, gradients switch to central differences.
const CENTRAL_BELOW: f64 = 1e-4;

/// Minimises `f` from `x0`.
pub(crate) fn minimize<F: FnMut(&[f64]) -> f64>(mut f: F, x0: &[f64], settings: Settings) -> Minimum {
    let n = x0.len();
    let mut evaluations = 0;
    let mut x = x0.to_vec();
    let mut fx = value_of(&mut f, &x, &mut evaluations);
    if n == 0 || !fx.is_finite() {
        return Minimum {
            x,
            value: fx,
            iterations: 0,
            evaluations,
            converged: n == 0 && fx.is_finite(),
            gradient_norm: 0.0,
        };
    }
    let mut g = vec![0.0; n];
    gradient(&mut f, &x, fx, &mut evaluations, &mut g, false);
    if max_abs(&g) < CENTRAL_BELOW {
        gradient(&mut f, &x, fx, &mut evaluations, &mut g, true);
    }
    let mut h = identity(n);
    let mut first = true;
    let mut converged = false;
    let mut iterations = 0;
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut dir = vec![0.0; n];
    let mut stalls = 0;
    while iterations < settings.max_iterations {
        if max_abs(&g) <= settings.gradient_tolerance {
            converged = true;
            break;
        }
        iterations += 1;
        for i in 0..n {
            dir[i] = -(0..n).map(|j| h[i * n + j] * g[j]).sum::<f64>();
        }
        let mut slope: f64 = dir.iter().zip(&g).map(|(d, g)| d * g).sum();
        if slope.is_nan() || slope >= 0.0 {
            h = identity(n);
            dir.iter_mut().zip(&g).for_each(|(d, g)| *d = -g);
            slope = -g.iter().map(|g| g * g).sum::<f64>();
        }
        // Keep steps bounded: the transformed parameters saturate far from zero.
        let longest = max_abs(&dir);
        let mut step = if longest > settings.max_step { settings.max_step / longest } else { 1.0 };
        let mut f_new = f64::INFINITY;
        let mut accepted = false;
        for _ in 0..40 {
            for i in 0..n {
                x_new[i] = x[i] + step * dir[i];
            }
            f_new = value_of(&mut f, &x_new, &mut evaluations);
            if f_new <= fx + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            // Quadratic interpolation of the step, kept within [0.1, 0.5] of the last one.
            let next = if f_new.is_finite() {
                let q = -slope * step * step / (2.0 * (f_new - fx - slope * step));
                q.clamp(0.1 * step, 0.5 * step)
            } else {
                0.2 * step
            };
            step = next;
        }
        if !accepted {
            if first {
                break;
            }
            // The quasi-Newton direction failed: restart from steepest descent once.
            h = identity(n);
            first = true;
            stalls += 1;
            if stalls > 2 {
                break;
            }
            continue;
        }
        gradient(&mut f, &x_new, f_new, &mut evaluations, &mut g_new, max_abs(&g) < CENTRAL_BELOW);
        let s: Vec<f64> = (0..n).map(|i| x_new[i] - x[i]).collect();
        let yv: Vec<f64> = (0..n).map(|i| g_new[i] - g[i]).collect();
        let sy: f64 = s.iter().zip(&yv).map(|(a, b)| a * b).sum();
        let yy: f64 = yv.iter().map(|v| v * v).sum();
        if sy > 1e-12 * yy.sqrt() * s.iter().map(|v| v * v).sum::<f64>().sqrt() {
            if first {
                let scale = sy / yy;
                h.iter_mut().for_each(|v| *v *= scale);
            }
            bfgs_update(&mut h, &s, &yv, sy);
        }
        first = false;
        let decrease = fx - f_new;
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        fx = f_new;
        if decrease <= settings.relative_tolerance * fx.abs().max(1.0) {
            stalls += 1;
            if stalls >= 2 {
                converged = true;
                break;
            }
        } else {
            stalls = 0;
        }
    }
    if !converged && max_abs(&g) <= settings.gradient_tolerance {
        converged = true;
    }
    Minimum { x, value: fx, iterations, evaluations, converged, gradient_norm: max_abs(&g) }
}

fn identity(n: usize) -> Vec<f64> {
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = 1.0;
    }
    h
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// `H <- (I - ρ s y') H (I - ρ y s') + ρ s s'` with `ρ = 1 / (y's)`.
fn bfgs_update(h: &mut [f64], s: &[f64], y: &[f64], sy: f64) {
    let n = s.len();
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n).map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum()).collect();
    let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
    for i in 0..n {
        for j in 0..n {
            h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_the_rosenbrock_function() {
        let rosen = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let min = minimize(rosen, &[-1.2, 1.0], Settings { max_step: 10.0, ..Settings::default() });
        assert!(min.converged, "{min:?}");
        assert!((min.x[0] - 1.0).abs() < 1e-5 && (min.x[1] - 1.0).abs() < 1e-5, "{min:?}");
    }

    #[test]
    fn backs_away_from_invalid_regions() {
        let f = |x: &[f64]| if x[0] <= 0.0 { f64::NAN } else { x[0] - x[0].ln() };
        let min = minimize(f, &[3.0], Settings::default());
        assert!((min.x[0] - 1.0).abs() < 1e-6, "{min:?}");
    }
}
