//! Special functions behind the p-values and intervals: the normal distribution and the
//! chi-square tail, computed to near machine precision without an extra crate.

use std::f64::consts::PI;

/// The complementary error function `erfc(x) = 1 - erf(x)`, accurate in both tails.
pub(crate) fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        // erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)): positive terms only.
        let x2 = x * x;
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        while term > 1e-17 * sum {
            n += 1.0;
            term *= 2.0 * x2 / (2.0 * n + 1.0);
            sum += term;
        }
        return 1.0 - 2.0 / PI.sqrt() * (-x2).exp() * sum;
    }
    if x > 27.0 {
        return 0.0;
    }
    // Continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
    // evaluated with the modified Lentz method.
    let tiny = 1e-300;
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for k in 1..500 {
        let a = k as f64 / 2.0;
        d = x + a * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = x + a / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x * x).exp() / PI.sqrt() / f
}

/// The standard normal distribution function `P(Z <= x)`.
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile: the `x` with `P(Z <= x) = p`, for `0 < p < 1`.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return if p == 0.0 {
            f64::NEG_INFINITY
        } else if p == 1.0 {
            f64::INFINITY
        } else {
            f64::NAN
        };
    }
    // A rational first guess (Abramowitz and Stegun 26.2.23), then Halley steps on the cdf.
    let tail = p.min(1.0 - p);
    let t = (-2.0 * tail.ln()).sqrt();
    let mut x = t
        - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
    if p < 0.5 {
        x = -x;
    }
    for _ in 0..4 {
        let e = if p < 0.5 { normal_cdf(x) - p } else { (1.0 - p) - normal_cdf(-x) };
        let u = e * (2.0 * PI).sqrt() * (x * x / 2.0).exp();
        x -= u / (1.0 + x * u / 2.0);
    }
    x
}

/// `ln Γ(x)` for `x > 0`, by Stirling's series after shifting `x` above 15.
pub(crate) fn ln_gamma(x: f64) -> f64 {
    let mut shift = 0.0;
    let mut z = x;
    while z < 15.0 {
        shift += z.ln();
        z += 1.0;
    }
    let z2 = z * z;
    let series = 1.0 / (12.0 * z) - 1.0 / (360.0 * z * z2) + 1.0 / (1260.0 * z * z2 * z2)
        - 1.0 / (1680.0 * z * z2 * z2 * z2)
        + 1.0 / (1188.0 * z * z2 * z2 * z2 * z2);
    (z - 0.5) * z.ln() - z + 0.5 * (2.0 * PI).ln() + series - shift
}

/// The regularized upper incomplete gamma function `Q(a, x)`.
pub(crate) fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let log_prefix = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // Series for P(a, x).
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut n = a;
        for _ in 0..10_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term < sum * 1e-17 {
                break;
            }
        }
        1.0 - sum * log_prefix.exp()
    } else {
        // Continued fraction for Q(a, x) (modified Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        log_prefix.exp() * h
    }
}

/// The chi-square survival function `P(X > x)` with `df` degrees of freedom.
pub(crate) fn chi2_sf(x: f64, df: f64) -> f64 {
    gamma_q(df / 2.0, x / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn normal_cdf_matches_known_values() {
        // Values from scipy.stats.norm.cdf.
        assert!(close(normal_cdf(0.0), 0.5, 1e-15));
        assert!(close(normal_cdf(1.0), 0.8413447460685429, 1e-14));
        assert!(close(normal_cdf(-1.959963984540054), 0.025, 1e-13));
        assert!(close(normal_cdf(-5.0), 2.866515718791939e-07, 1e-12));
        assert!(close(normal_cdf(-10.0), 7.61985302416047e-24, 1e-11));
        assert!(close(normal_cdf(-1.7), 0.04456546275854304, 1e-12));
        assert!(close(normal_cdf(2.5), 0.9937903346742238, 1e-14));
    }

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        assert!(close(normal_quantile(0.975), 1.959963984540054, 1e-14));
        assert!(close(normal_quantile(0.025), -1.959963984540054, 1e-14));
        assert!(close(normal_quantile(0.5).abs() + 1.0, 1.0, 1e-15));
        assert!(close(normal_quantile(1e-10), -6.361340902404056, 1e-12));
        for &p in &[1e-6, 0.01, 0.3, 0.7, 0.99, 1.0 - 1e-9] {
            assert!(close(normal_cdf(normal_quantile(p)), p, 1e-12), "p = {p}");
        }
    }

    #[test]
    fn ln_gamma_and_chi2_match_known_values() {
        assert!(close(ln_gamma(0.5), 0.5 * PI.ln(), 1e-13));
        assert!(close(ln_gamma(5.0), 24f64.ln(), 1e-13));
        assert!(close(ln_gamma(0.1), 2.252712651734206, 1e-13));
        // scipy.stats.chi2.sf
        assert!(close(chi2_sf(3.84145882069412, 1.0), 0.05, 1e-12));
        assert!(close(chi2_sf(10.0, 4.0), 0.04042768199451279, 1e-12));
        assert!(close(chi2_sf(1.0, 10.0), 0.9998278843700441, 1e-12));
        assert!(close(chi2_sf(60.0, 10.0), 3.6243009520614924e-09, 1e-10));
    }
}
