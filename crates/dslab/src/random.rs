//! A small seeded random number generator whose streams never change between versions.
//!
//! Synthetic data sets in this repository are generated from a seed and committed or
//! regenerated on demand; they must come out identical on every machine and every release.
//! General-purpose crates make no such promise for their seeded generators, so this module
//! holds its own: xoshiro256++ seeded through SplitMix64, with the few distributions the
//! notebooks draw from.
//!
//! ```
//! use dslab::random::Rng;
//! let mut a = Rng::seed(42);
//! let mut b = Rng::seed(42);
//! assert_eq!(a.uniform(), b.uniform()); // same seed, same stream
//! let x = a.normal();
//! assert!(x.is_finite());
//! ```

/// The xoshiro256++ generator (Blackman and Vigna), seeded from one `u64`.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
    spare_normal: Option<f64>,
}

impl Rng {
    /// A generator whose whole stream is fixed by `seed`.
    pub fn seed(seed: u64) -> Self {
        let mut sm = seed;
        let mut next = || {
            sm = sm.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = sm;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng { s: [next(), next(), next(), next()], spare_normal: None }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = (s[0].wrapping_add(s[3])).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on [0, 1), with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// A uniform index in 0..n (n > 0), without modulo bias.
    pub fn index(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::index needs n > 0");
        let n = n as u64;
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let v = self.next_u64();
            if v < zone {
                return (v % n) as usize;
            }
        }
    }

    /// Standard normal (mean 0, variance 1), by the Marsaglia polar method.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = (-2.0 * s.ln() / s).sqrt();
                self.spare_normal = Some(v * f);
                return u * f;
            }
        }
    }

    /// Exponential with rate 1.
    pub fn exponential(&mut self) -> f64 {
        -(1.0 - self.uniform()).ln()
    }

    /// Gamma with shape `k` > 0 and scale 1 (Marsaglia and Tsang), for Dirichlet draws.
    pub fn gamma(&mut self, k: f64) -> f64 {
        assert!(k > 0.0, "Rng::gamma needs a positive shape");
        if k < 1.0 {
            let u = self.uniform();
            return self.gamma(k + 1.0) * u.powf(1.0 / k);
        }
        let d = k - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_var(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        (m, xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0))
    }

    #[test]
    fn stream_is_fixed_by_the_seed() {
        // The first outputs for seed 0 pin the algorithm: a change here changes every
        // synthetic data set in the repository.
        let mut r = Rng::seed(0);
        let first: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(first, [0x53175d61490b23df, 0x61da6f3dc380d507, 0x5c0fdf91ec9a7bfc]);
        assert_ne!(Rng::seed(1).next_u64(), Rng::seed(0).next_u64());
    }

    #[test]
    fn distributions_have_their_moments() {
        let mut r = Rng::seed(7);
        let n = 200_000;
        let u: Vec<f64> = (0..n).map(|_| r.uniform()).collect();
        let (m, v) = mean_var(&u);
        assert!((m - 0.5).abs() < 0.005 && (v - 1.0 / 12.0).abs() < 0.002, "{m} {v}");
        assert!(u.iter().all(|x| (0.0..1.0).contains(x)));
        let z: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let (m, v) = mean_var(&z);
        assert!(m.abs() < 0.01 && (v - 1.0).abs() < 0.02, "{m} {v}");
        for k in [0.5, 1.0, 3.0] {
            let g: Vec<f64> = (0..n).map(|_| r.gamma(k)).collect();
            let (m, v) = mean_var(&g);
            assert!((m - k).abs() < 0.03 * k.max(1.0) && (v - k).abs() < 0.06 * k.max(1.0), "k={k}: {m} {v}");
        }
        let e: Vec<f64> = (0..n).map(|_| r.exponential()).collect();
        let (m, _) = mean_var(&e);
        assert!((m - 1.0).abs() < 0.01, "{m}");
        let mut counts = [0usize; 3];
        for _ in 0..30_000 {
            counts[r.index(3)] += 1;
        }
        assert!(counts.iter().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<usize> = (0..100).collect();
        Rng::seed(3).shuffle(&mut v);
        assert_ne!(v, (0..100).collect::<Vec<_>>());
        v.sort();
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }
}
