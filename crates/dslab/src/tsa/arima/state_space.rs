//! The ARIMA model in state-space form and its Kalman filter: exact Gaussian likelihood,
//! one-step innovations and multi-step forecasts with their variances.
//!
//! The layout is statsmodels' SARIMAX (Harvey representation, differencing kept inside the
//! state so that forecasts come out in the original units):
//!
//! * state: `d` differencing states followed by `r = max(p, q + 1)` ARMA states;
//! * observation: `y_t = mean + (sum of the d differencing states) + (first ARMA state)`;
//! * transition: the differencing block is upper-triangular ones that also accumulate the first
//!   ARMA state; the ARMA block is a companion matrix with the AR coefficients in its first
//!   column; the shock enters the ARMA block through `(1, θ1, ..., θ_{r-1})`;
//! * initial state: mean zero; the differencing states get the approximate diffuse variance
//!   1e6, the ARMA block its stationary covariance (the discrete Lyapunov equation), and the
//!   first `d` observations are left out of the likelihood.

use crate::tsa::linalg::solve_in_place;

/// The approximate diffuse prior variance for the differencing states (statsmodels' default).
pub(crate) const DIFFUSE_VARIANCE: f64 = 1e6;

/// One ARIMA(p, d, q) model with given parameters.
#[derive(Debug, Clone)]
pub(crate) struct ArimaSystem {
    pub d: usize,
    pub ar: Vec<f64>,
    pub ma: Vec<f64>,
    pub sigma2: f64,
    pub mean: f64,
}

/// What one filter pass produced.
#[derive(Debug, Clone, Default)]
pub(crate) struct FilterOutput {
    pub loglik: f64,
    /// One-step prediction errors `v_t` (all observations, burn-in included).
    pub innovations: Vec<f64>,
    /// Their variances `F_t`.
    pub variances: Vec<f64>,
    /// Predicted state and covariance for the first time after the sample.
    pub state: Vec<f64>,
    pub cov: Vec<f64>,
}

/// Reusable buffers, so that the optimiser's thousands of likelihood evaluations allocate
/// nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Workspace {
    a: Vec<f64>,
    p: Vec<f64>,
    tmp: Vec<f64>,
    pz: Vec<f64>,
    lyap_a: Vec<f64>,
    lyap_b: Vec<f64>,
    rvec: Vec<f64>,
    a_next: Vec<f64>,
    p_old: Vec<f64>,
    block: Vec<f64>,
    psi: Vec<f64>,
    gamma: Vec<f64>,
}

impl ArimaSystem {
    /// Number of ARMA states.
    fn r(&self) -> usize {
        self.ar.len().max(self.ma.len() + 1)
    }

    /// `(1, θ1, ..., θ_{r-1})`: how the shock enters the ARMA states.
    fn fill_r(&self, out: &mut Vec<f64>) {
        let r = self.r();
        out.clear();
        out.resize(r, 0.0);
        out[0] = 1.0;
        for (i, t) in self.ma.iter().enumerate() {
            out[i + 1] = *t;
        }
    }

    /// Multiplies `x` (m rows of `stride` numbers, rows at `x[row * stride..]`) by the
    /// transition matrix from the left, writing into `out`.
    fn transition_rows(&self, x: &[f64], out: &mut [f64], stride: usize, cols: usize) {
        let d = self.d;
        let r = self.r();
        // Differencing rows: row i = sum of rows i..=d.
        if d > 0 {
            for c in 0..cols {
                let mut acc = x[d * stride + c];
                for i in (0..d).rev() {
                    acc += x[i * stride + c];
                    out[i * stride + c] = acc;
                }
            }
        }
        // ARMA rows: row d+i = phi_{i+1} * row d + row d+i+1.
        for i in 0..r {
            let phi = self.ar.get(i).copied().unwrap_or(0.0);
            let g = d + i;
            for c in 0..cols {
                let mut v = phi * x[d * stride + c];
                if i + 1 < r {
                    v += x[(g + 1) * stride + c];
                }
                out[g * stride + c] = v;
            }
        }
    }

    /// The stationary covariance of the ARMA states divided by sigma2 (r x r, row-major):
    /// solves `G = T G T' + R R'` over the upper triangle. `None` if the AR part is not
    /// stationary.
    fn stationary_block(&self, ws: &mut Workspace, out: &mut [f64]) -> Option<()> {
        let r = self.r();
        self.fill_r(&mut ws.rvec);
        let nu = r * (r + 1) / 2;
        let index = |i: usize, j: usize| {
            let (i, j) = if i <= j { (i, j) } else { (j, i) };
            i * r - i * (i + 1) / 2 + j
        };
        ws.lyap_a.clear();
        ws.lyap_a.resize(nu * nu, 0.0);
        ws.lyap_b.clear();
        ws.lyap_b.resize(nu, 0.0);
        // Nonzeros of transition row i: (0, phi_{i+1}) and (i+1, 1).
        let row_nz = |i: usize| -> [(usize, f64); 2] {
            let phi = self.ar.get(i).copied().unwrap_or(0.0);
            [(0, phi), (if i + 1 < r { i + 1 } else { usize::MAX }, 1.0)]
        };
        for i in 0..r {
            for j in i..r {
                let row = index(i, j);
                ws.lyap_a[row * nu + row] += 1.0;
                ws.lyap_b[row] = ws.rvec[i] * ws.rvec[j];
                for (k, tik) in row_nz(i) {
                    if k == usize::MAX || tik == 0.0 {
                        continue;
                    }
                    for (l, tjl) in row_nz(j) {
                        if l == usize::MAX || tjl == 0.0 {
                            continue;
                        }
                        ws.lyap_a[row * nu + index(k, l)] -= tik * tjl;
                    }
                }
            }
        }
        if !solve_in_place(&mut ws.lyap_a, &mut ws.lyap_b, nu) {
            return None;
        }
        for i in 0..r {
            for j in 0..r {
                let v = ws.lyap_b[index(i, j)];
                if !v.is_finite() {
                    return None;
                }
                out[i * r + j] = v;
            }
        }
        // The diagonal of a covariance cannot be negative (zero is fine: e.g. an ARMA state
        // that only carries absent MA terms).
        (0..r).all(|i| out[i * r + i] >= -1e-12 * out[0].abs()).then_some(())
    }

    /// The first column of the stationary covariance of the ARMA states, for σ² = 1: what
    /// the fast likelihood needs, from the ARMA autocovariances instead of the whole Lyapunov
    /// equation. With the Harvey state `a_t[0] = y_t`,
    /// `a_t[i] = Σ_{k=i}^{r-1} (φ_{k+1} y_{t+i-1-k} + θ_k ε_{t+i-k})`, so
    /// `Cov(a_t[i], y_t) = Σ_{k=i}^{r-1} (φ_{k+1} γ(k+1-i) + θ_k ψ_{k-i})`, where `γ` are the
    /// autocovariances and `ψ` the MA(∞) weights. `None` if the AR part is not stationary.
    fn stationary_first_column(&self, ws: &mut Workspace, out: &mut [f64]) -> Option<()> {
        let p = self.ar.len();
        let q = self.ma.len();
        let r = self.r();
        let theta = |j: usize| if j == 0 { 1.0 } else { self.ma.get(j - 1).copied().unwrap_or(0.0) };
        let phi = |i: usize| if i >= 1 && i <= p { self.ar[i - 1] } else { 0.0 };
        // ψ_0..ψ_r.
        let psi = &mut ws.psi;
        psi.clear();
        for m in 0..=r {
            let mut v = theta(m);
            for i in 1..=m.min(p) {
                v += phi(i) * psi[m - i];
            }
            psi.push(v);
        }
        // γ(k) - Σ φ_i γ(|k - i|) = Σ_{j=k}^{q} θ_j ψ_{j-k}, k = 0..p: a (p+1) x (p+1) system.
        let rhs = |k: usize, psi: &[f64]| (k..=q).map(|j| theta(j) * psi[j - k]).sum::<f64>();
        let size = p + 1;
        ws.lyap_a.clear();
        ws.lyap_a.resize(size * size, 0.0);
        ws.lyap_b.clear();
        for k in 0..size {
            ws.lyap_a[k * size + k] += 1.0;
            for i in 1..=p {
                let lag = k.abs_diff(i);
                ws.lyap_a[k * size + lag] -= phi(i);
            }
            ws.lyap_b.push(rhs(k, psi));
        }
        if !solve_in_place(&mut ws.lyap_a, &mut ws.lyap_b, size) {
            return None;
        }
        // Then γ(k) for k > p by the recursion.
        let gamma = &mut ws.gamma;
        gamma.clear();
        gamma.extend_from_slice(&ws.lyap_b);
        for k in size..=r {
            let v = (1..=p).map(|i| phi(i) * gamma[k - i]).sum::<f64>() + rhs(k, psi);
            gamma.push(v);
        }
        if !(gamma[0] > 0.0 && gamma[0].is_finite()) {
            return None;
        }
        out[0] = gamma[0];
        for i in 1..r {
            out[i] = (i..r).map(|k| phi(k + 1) * gamma[k + 1 - i] + theta(k) * psi[k - i]).sum();
        }
        out[..r].iter().all(|v| v.is_finite()).then_some(())
    }

    /// [`ArimaSystem::stationary_block`] written into the ARMA block of the m x m matrix `out`.
    fn stationary_cov(&self, ws: &mut Workspace, out: &mut [f64], m: usize) -> Option<()> {
        let d = self.d;
        let r = self.r();
        let mut block = std::mem::take(&mut ws.block);
        block.clear();
        block.resize(r * r, 0.0);
        let ok = self.stationary_block(ws, &mut block);
        if ok.is_some() {
            for i in 0..r {
                out[(d + i) * m + d..(d + i) * m + d + r].copy_from_slice(&block[i * r..(i + 1) * r]);
            }
        }
        ws.block = block;
        ok
    }

    /// Runs the Kalman filter over `y`. With `record`, keeps innovations and the final state.
    /// Returns `None` when the parameters give no valid likelihood (non-stationary AR part,
    /// non-positive variance).
    pub fn filter(&self, y: &[f64], ws: &mut Workspace, record: bool) -> Option<FilterOutput> {
        if !(self.sigma2 > 0.0 && self.sigma2.is_finite()) {
            return None;
        }
        let d = self.d;
        let r = self.r();
        let m = d + r;
        for buf in [&mut ws.a, &mut ws.pz, &mut ws.a_next] {
            buf.clear();
            buf.resize(m, 0.0);
        }
        for buf in [&mut ws.p, &mut ws.tmp, &mut ws.p_old] {
            buf.clear();
            buf.resize(m * m, 0.0);
        }
        let mut p = std::mem::take(&mut ws.p);
        let ok = self.stationary_cov(ws, &mut p, m).is_some();
        let result = if ok { self.run(y, ws, &mut p, record) } else { None };
        ws.p = p;
        result
    }

    fn run(&self, y: &[f64], ws: &mut Workspace, p: &mut [f64], record: bool) -> Option<FilterOutput> {
        let d = self.d;
        let r = self.r();
        let m = d + r;
        for i in d..m {
            for j in d..m {
                p[i * m + j] *= self.sigma2;
            }
        }
        for i in 0..d {
            p[i * m + i] = DIFFUSE_VARIANCE;
        }
        self.fill_r(&mut ws.rvec);
        let mut out = FilterOutput::default();
        if record {
            out.innovations.reserve(y.len());
            out.variances.reserve(y.len());
        }
        let ln2pi = (2.0 * std::f64::consts::PI).ln();
        let mut loglik = 0.0;
        let mut steady = false;
        let mut f = 0.0;
        let mut log_f = 0.0;
        for (t, &yt) in y.iter().enumerate() {
            // Z a and P Z': Z has ones on the d differencing states and the first ARMA state.
            let za: f64 = ws.a[..=d].iter().sum();
            let v = yt - self.mean - za;
            if !steady {
                for i in 0..m {
                    ws.pz[i] = p[i * m..i * m + d + 1].iter().sum();
                }
                f = ws.pz[..=d].iter().sum();
                if !(f > 0.0 && f.is_finite()) {
                    return None;
                }
                log_f = f.ln();
            }
            if t >= d {
                loglik -= 0.5 * (ln2pi + log_f + v * v / f);
            }
            if record {
                out.innovations.push(v);
                out.variances.push(f);
            }
            // Update then predict the state: a <- T (a + P Z' v / F).
            let gain = v / f;
            for i in 0..m {
                ws.a[i] += ws.pz[i] * gain;
            }
            self.transition_rows(&ws.a, &mut ws.a_next, 1, 1);
            std::mem::swap(&mut ws.a, &mut ws.a_next);
            if steady {
                continue;
            }
            // P <- T (P - P Z' Z P / F) T' + sigma2 R R'.
            ws.p_old.copy_from_slice(p);
            for i in 0..m {
                let s = ws.pz[i] / f;
                for j in 0..m {
                    p[i * m + j] -= s * ws.pz[j];
                }
            }
            self.transition_rows(p, &mut ws.tmp, m, m);
            // tmp = T P; (T P T')' = T (T P)', and the result is symmetric.
            transpose_in_place(&mut ws.tmp, m);
            self.transition_rows(&ws.tmp, p, m, m);
            for i in 0..r {
                for j in 0..r {
                    p[(d + i) * m + d + j] += self.sigma2 * ws.rvec[i] * ws.rvec[j];
                }
            }
            // Steady state: once the predicted covariance stops changing, the gain is fixed
            // and the covariance recursion can be skipped.
            if t >= d {
                let mut scale = 0.0f64;
                let mut change = 0.0f64;
                for (new, old) in p.iter().zip(&ws.p_old) {
                    scale = scale.max(new.abs());
                    change = change.max((new - old).abs());
                }
                if change <= STEADY_TOLERANCE * scale {
                    steady = true;
                    for i in 0..m {
                        ws.pz[i] = p[i * m..i * m + d + 1].iter().sum();
                    }
                    f = ws.pz[..=d].iter().sum();
                    if !(f > 0.0 && f.is_finite()) {
                        return None;
                    }
                    log_f = f.ln();
                }
            }
        }
        if !loglik.is_finite() {
            return None;
        }
        out.loglik = loglik;
        if record {
            out.state = ws.a.clone();
            out.cov = p.to_vec();
        }
        Some(out)
    }

    /// The log-likelihood alone: the same number as [`ArimaSystem::filter`] gives, computed
    /// faster. For `d <= 1` the differencing state is handled in closed form and the ARMA
    /// states are filtered by the Chandrasekhar recursions; other models use the full filter.
    ///
    /// With `d = 1`, observing `y_0` through the 1e6 diffuse prior makes the level state
    /// exactly `y_0` and leaves the ARMA state with mean `c y_0 / F_0` and covariance
    /// `σ²Σ - c c' / F_0`, where `Σ` is the stationary covariance (for σ² = 1),
    /// `c = T_a σ²Σ e_1` and `F_0 = 1e6 + σ²Σ_00`. From then on the observations are the
    /// differences `y_t - y_{t-1}` of an ARMA model with that start.
    ///
    /// The Chandrasekhar recursions carry a low-rank factorisation `W M W'` of the change
    /// `P_{t+1} - P_t` instead of the covariance itself (rank 1 for `d = 0`, 3 for `d = 1`),
    /// so a step costs O(r) instead of O(r^2) or more. With `K̄_t = T P_t Z'`:
    /// `F_{t+1} = F_t + (ZW) M (ZW)'`, `K̄_{t+1} = K̄_t + T W M (ZW)'`,
    /// `W_{t+1} = (T - K̄_t Z / F_t) W`, `M_{t+1} = M - M (ZW)' (ZW) M / F_{t+1}`.
    pub fn loglik(&self, y: &[f64], ws: &mut Workspace) -> Option<f64> {
        if !(self.sigma2 > 0.0 && self.sigma2.is_finite()) {
            return None;
        }
        let r = self.r();
        if self.d > 1 || y.len() <= self.d {
            return self.filter(y, ws, false).map(|out| out.loglik);
        }
        ws.p.clear();
        ws.p.resize(r, 0.0);
        let mut sigma = std::mem::take(&mut ws.p);
        let ok = self.stationary_first_column(ws, &mut sigma).is_some();
        let result = if !ok {
            None
        } else {
            // Fixed sizes let the compiler unroll the tiny loops.
            match (r, self.d) {
                (1, 0) => self.chandrasekhar::<1, 1>(y, &sigma),
                (2, 0) => self.chandrasekhar::<2, 1>(y, &sigma),
                (3, 0) => self.chandrasekhar::<3, 1>(y, &sigma),
                (4, 0) => self.chandrasekhar::<4, 1>(y, &sigma),
                (5, 0) => self.chandrasekhar::<5, 1>(y, &sigma),
                (6, 0) => self.chandrasekhar::<6, 1>(y, &sigma),
                (7, 0) => self.chandrasekhar::<7, 1>(y, &sigma),
                (8, 0) => self.chandrasekhar::<8, 1>(y, &sigma),
                (1, 1) => self.chandrasekhar::<1, 3>(y, &sigma),
                (2, 1) => self.chandrasekhar::<2, 3>(y, &sigma),
                (3, 1) => self.chandrasekhar::<3, 3>(y, &sigma),
                (4, 1) => self.chandrasekhar::<4, 3>(y, &sigma),
                (5, 1) => self.chandrasekhar::<5, 3>(y, &sigma),
                (6, 1) => self.chandrasekhar::<6, 3>(y, &sigma),
                (7, 1) => self.chandrasekhar::<7, 3>(y, &sigma),
                (8, 1) => self.chandrasekhar::<8, 3>(y, &sigma),
                _ => {
                    ws.p = sigma;
                    return self.filter(y, ws, false).map(|out| out.loglik);
                }
            }
        };
        ws.p = sigma;
        result
    }

    /// The Chandrasekhar recursions on the `R` ARMA states, with rank `S` (1 for `d = 0`,
    /// 3 for `d = 1`); `sigma` is the first column of the stationary covariance for σ² = 1
    /// (the recursions never need the rest: the covariance enters only through `P e_1`).
    fn chandrasekhar<const R: usize, const S: usize>(&self, y: &[f64], sigma: &[f64]) -> Option<f64> {
        let d = self.d;
        let s2 = self.sigma2;
        let mut phi = [0.0; R];
        for (i, v) in self.ar.iter().enumerate() {
            phi[i] = *v;
        }
        // T_a x: row i is phi_i x_0 + x_{i+1}.
        let apply = |x: &[f64; R]| -> [f64; R] {
            let mut out = [0.0; R];
            for i in 0..R {
                out[i] = phi[i] * x[0] + if i + 1 < R { x[i + 1] } else { 0.0 };
            }
            out
        };
        // Start: the first column of the covariance P, state a, and the factors of
        // P_{t+1} - P_t.
        let mut col = [0.0; R];
        for i in 0..R {
            col[i] = s2 * sigma[i];
        }
        let mut a = [0.0; R];
        let mut w = [[0.0; S]; R];
        let mut mm = [[0.0; S]; S];
        let first;
        if d == 1 {
            let c = apply(&col);
            let f0 = DIFFUSE_VARIANCE + col[0];
            let c0 = c[0];
            for i in 0..R {
                a[i] = c[i] * y[0] / f0;
                // (σ²Σ - c c'/F_0) e_1
                col[i] -= c[i] * c0 / f0;
            }
            let tc = apply(&c);
            for i in 0..R {
                w[i][0] = c[i];
                w[i][1] = tc[i];
            }
            mm[0][0] = 1.0 / f0;
            mm[1][1] = -1.0 / f0;
            first = 1;
        } else {
            for v in a.iter_mut() {
                *v = 0.0;
            }
            first = 0;
        }
        let mut f = col[0];
        let mut kbar = apply(&col);
        for i in 0..R {
            w[i][S - 1] = kbar[i];
        }
        mm[S - 1][S - 1] = -1.0 / f;

        let ln2pi = (2.0 * std::f64::consts::PI).ln();
        let mut sum_sq = 0.0;
        let mut log_sum = 0.0;
        let mut product = 1.0;
        let n = y.len();
        for t in first..n {
            if !(f > 0.0 && f.is_finite()) {
                return None;
            }
            let z = if d == 1 { y[t] - y[t - 1] } else { y[t] - self.mean };
            let v = z - a[0];
            sum_sq += v * v / f;
            // Sum of logs as the log of a product, renormalised before it over- or underflows.
            product *= f;
            if !(1e-150..=1e150).contains(&product) {
                log_sum += product.ln();
                product = 1.0;
            }
            let ta = apply(&a);
            let gain = v / f;
            for i in 0..R {
                a[i] = ta[i] + kbar[i] * gain;
            }
            if t + 1 == n {
                break;
            }
            let zw = w[0];
            let mut u = [0.0; S];
            for i in 0..S {
                for j in 0..S {
                    u[i] += mm[i][j] * zw[j];
                }
            }
            let mut f_next = f;
            for j in 0..S {
                f_next += zw[j] * u[j];
            }
            let mut tw = [[0.0; S]; R];
            for i in 0..R {
                for j in 0..S {
                    tw[i][j] = phi[i] * w[0][j] + if i + 1 < R { w[i + 1][j] } else { 0.0 };
                }
            }
            let inv_f = 1.0 / f;
            for i in 0..R {
                let k_old = kbar[i] * inv_f;
                let mut dk = 0.0;
                for j in 0..S {
                    dk += tw[i][j] * u[j];
                    w[i][j] = tw[i][j] - k_old * zw[j];
                }
                kbar[i] += dk;
            }
            let inv_next = 1.0 / f_next;
            for i in 0..S {
                for j in 0..S {
                    mm[i][j] -= u[i] * u[j] * inv_next;
                }
            }
            f = f_next;
        }
        log_sum += product.ln();
        let count = (n - first) as f64;
        let loglik = -0.5 * (count * ln2pi + log_sum + sum_sq);
        loglik.is_finite().then_some(loglik)
    }

    /// Forecasts `steps` values after the sample from the filter's final state: means and
    /// variances of the forecast errors.
    pub fn forecast(&self, state: &[f64], cov: &[f64], steps: usize) -> (Vec<f64>, Vec<f64>) {
        let d = self.d;
        let r = self.r();
        let m = d + r;
        let mut rvec = Vec::new();
        self.fill_r(&mut rvec);
        let mut a = state.to_vec();
        let mut p = cov.to_vec();
        let mut a_next = vec![0.0; m];
        let mut tmp = vec![0.0; m * m];
        let mut means = Vec::with_capacity(steps);
        let mut variances = Vec::with_capacity(steps);
        for _ in 0..steps {
            means.push(self.mean + a[..=d].iter().sum::<f64>());
            let f: f64 = (0..=d).map(|i| p[i * m..i * m + d + 1].iter().sum::<f64>()).sum();
            variances.push(f);
            self.transition_rows(&a, &mut a_next, 1, 1);
            std::mem::swap(&mut a, &mut a_next);
            self.transition_rows(&p, &mut tmp, m, m);
            transpose_in_place(&mut tmp, m);
            self.transition_rows(&tmp, &mut p, m, m);
            for i in 0..r {
                for j in 0..r {
                    p[(d + i) * m + d + j] += self.sigma2 * rvec[i] * rvec[j];
                }
            }
        }
        (means, variances)
    }
}

/// Relative change in the predicted covariance below which the filter is in steady state.
const STEADY_TOLERANCE: f64 = 1e-13;

fn transpose_in_place(x: &mut [f64], m: usize) {
    for i in 0..m {
        for j in i + 1..m {
            x.swap(i * m + j, j * m + i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    fn series(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng::seed(seed);
        let mut level = 10.0;
        let mut slope = 0.3;
        (0..n)
            .map(|_| {
                slope += 0.05 * rng.normal();
                level += slope + rng.normal();
                level
            })
            .collect()
    }

    #[test]
    fn chandrasekhar_recursions_match_the_full_filter() {
        let y = series(150, 7);
        let systems = [
            ArimaSystem { d: 0, ar: vec![0.5], ma: vec![], sigma2: 2.0, mean: 40.0 },
            ArimaSystem { d: 0, ar: vec![0.4, 0.3], ma: vec![0.2, -0.1], sigma2: 1.5, mean: 30.0 },
            ArimaSystem { d: 1, ar: vec![], ma: vec![], sigma2: 1.3, mean: 0.0 },
            ArimaSystem { d: 1, ar: vec![0.28, 0.70], ma: vec![0.04, -0.82], sigma2: 1.1, mean: 0.0 },
            ArimaSystem { d: 1, ar: vec![0.2, 0.1, -0.1, 0.05], ma: vec![0.3, 0.2, 0.1, -0.2], sigma2: 0.9, mean: 0.0 },
            ArimaSystem { d: 2, ar: vec![0.3], ma: vec![-0.6], sigma2: 1.0, mean: 0.0 },
            ArimaSystem { d: 2, ar: vec![], ma: vec![-0.9], sigma2: 0.7, mean: 0.0 },
        ];
        let mut ws = Workspace::default();
        for system in systems {
            let full = system.filter(&y, &mut ws, true).unwrap().loglik;
            let fast = system.loglik(&y, &mut ws).unwrap();
            let tolerance = 1e-11;
            assert!((full - fast).abs() < tolerance * full.abs(), "{system:?}: {full} vs {fast}");
        }
        // A series in small units (like a logarithm): sigma2 far below the diffuse variance.
        let small: Vec<f64> = y.iter().map(|v| v / 300.0).collect();
        for (ar, ma) in [(vec![0.9], vec![-0.8]), (vec![0.3, 0.5], vec![0.1, -0.6])] {
            let system = ArimaSystem { d: 1, ar, ma, sigma2: 2e-5, mean: 0.0 };
            let full = system.filter(&small, &mut ws, true).unwrap().loglik;
            let fast = system.loglik(&small, &mut ws).unwrap();
            // Here the full filter is the less accurate one: it subtracts numbers of size 1e6
            // to get covariances of size 1e-5, while the fast path never forms them.
            assert!((full - fast).abs() < 1e-8 * full.abs(), "{system:?}: {full} vs {fast}");
        }
    }

    #[test]
    fn first_column_from_autocovariances_matches_the_lyapunov_solution() {
        let mut ws = Workspace::default();
        for (ar, ma) in [
            (vec![], vec![]),
            (vec![0.5], vec![]),
            (vec![], vec![0.4, -0.3]),
            (vec![0.28, 0.70], vec![0.04, -0.82]),
            (vec![0.2, 0.1, -0.1, 0.05], vec![0.3, 0.2, 0.1, -0.2]),
            (vec![0.9, -0.2, 0.1], vec![0.5]),
        ] {
            let system = ArimaSystem { d: 0, ar, ma, sigma2: 1.0, mean: 0.0 };
            let r = system.r();
            let mut block = vec![0.0; r * r];
            system.stationary_block(&mut ws, &mut block).unwrap();
            let mut column = vec![0.0; r];
            system.stationary_first_column(&mut ws, &mut column).unwrap();
            for i in 0..r {
                assert!(
                    (block[i * r] - column[i]).abs() < 1e-12 * block[0].abs(),
                    "{system:?} row {i}: {} vs {}",
                    block[i * r],
                    column[i]
                );
            }
        }
    }

    #[test]
    fn non_stationary_ar_has_no_likelihood() {
        let system = ArimaSystem { d: 0, ar: vec![1.2], ma: vec![], sigma2: 1.0, mean: 0.0 };
        let mut ws = Workspace::default();
        assert!(system.loglik(&series(50, 1), &mut ws).is_none());
    }
}
