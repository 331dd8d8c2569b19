//! Random portfolios: the article's Monte Carlo search over weights, done in blocks so that a
//! million portfolios of twenty assets take a fraction of a second.
//!
//! Two ways to draw weights that sum to one:
//! - [`Sampling::NormalisedUniform`], the article's: draw each weight uniformly on [0, 1) and
//!   divide by their sum. It is *not* uniform over all portfolios: sums of many uniforms
//!   concentrate, so the portfolios crowd around equal weights and rarely hold a few assets
//!   heavily.
//! - [`Sampling::Dirichlet`]: normalised exponential draws, the Dirichlet(1, ..., 1)
//!   distribution, which is exactly uniform over the simplex of long-only weights.
//!
//! Portfolio `i` uses the generator's draws `i·n .. (i+1)·n` (one per asset, in asset order),
//! so a seed fixes every portfolio whatever the block size.

use crate::random::Rng;
use crate::table::Table;
use crate::{Error, Result};

use super::performance::{Portfolio, default_names};
use super::returns::percent;

/// Portfolios evaluated together; small enough that a block's arrays stay in the L1 cache.
const BLOCK: usize = 256;

/// The most portfolios one search draws: their returns, volatilities and Sharpe ratios take 24
/// bytes each, 480 MB at this limit.
const MAX_PORTFOLIOS: usize = 20_000_000;

/// The most weights a search keeps (portfolios × assets, 8 bytes each: 800 MB at this limit).
const MAX_KEPT_WEIGHTS: usize = 100_000_000;

/// How random weights are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// Uniform draws on [0, 1) divided by their sum (the article's recipe).
    NormalisedUniform,
    /// Uniform over all long-only portfolios: Dirichlet(1, ..., 1), as normalised exponentials.
    Dirichlet,
}

impl std::fmt::Display for Sampling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Sampling::NormalisedUniform => "normalised uniform",
            Sampling::Dirichlet => "Dirichlet(1, ..., 1)",
        })
    }
}

/// The settings of a random-portfolio search: how many, how drawn, the seed, the risk-free
/// rate for the Sharpe ratios, and whether to keep every portfolio's weights.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomPortfolioParams {
    count: usize,
    sampling: Sampling,
    seed: u64,
    risk_free_rate: f64,
    keep_weights: bool,
}

impl RandomPortfolioParams {
    /// `count` portfolios (1 to 20 million) drawn the article's way with seed 0, risk-free rate
    /// 0, weights kept.
    pub fn new(count: usize) -> Self {
        RandomPortfolioParams {
            count,
            sampling: Sampling::NormalisedUniform,
            seed: 0,
            risk_free_rate: 0.0,
            keep_weights: true,
        }
    }

    /// How the weights are drawn.
    pub fn sampling(mut self, sampling: Sampling) -> Self {
        self.sampling = sampling;
        self
    }

    /// The seed that fixes every draw.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The risk-free rate the Sharpe ratios are computed with (annual, like the returns).
    pub fn risk_free_rate(mut self, rate: f64) -> Self {
        self.risk_free_rate = rate;
        self
    }

    /// Whether to keep each portfolio's weights (8 bytes per asset per portfolio: 160 MB for a
    /// million portfolios of 20 assets; at most 100 million weights are kept). Without them only
    /// the picks' weights are known.
    pub fn keep_weights(mut self, keep: bool) -> Self {
        self.keep_weights = keep;
        self
    }

    /// Checks the settings that do not depend on the assets.
    fn check(&self) -> Result<()> {
        if self.count == 0 {
            return Err(Error::invalid("number of portfolios", "draw at least one portfolio"));
        }
        if self.count > MAX_PORTFOLIOS {
            return Err(Error::invalid(
                "number of portfolios",
                format!(
                    "{} is more than the {MAX_PORTFOLIOS} one search draws (24 bytes each for their return, \
                     volatility and Sharpe ratio); draw fewer",
                    self.count
                ),
            ));
        }
        if !self.risk_free_rate.is_finite() {
            return Err(Error::invalid("risk-free rate", format!("{} is not a number", self.risk_free_rate)));
        }
        Ok(())
    }

    /// Draws the portfolios and computes each one's return, volatility and Sharpe ratio.
    ///
    /// ```
    /// use dslab::portfolio::{RandomPortfolioParams, Sampling};
    /// let mu = [0.10, 0.04, 0.07];
    /// let cov = vec![vec![0.04, 0.0, 0.0], vec![0.0, 0.01, 0.0], vec![0.0, 0.0, 0.02]];
    /// let cloud = RandomPortfolioParams::new(1000).sampling(Sampling::Dirichlet).seed(7).sample(&mu, &cov)?;
    /// assert_eq!(cloud.len(), 1000);
    /// let best = cloud.portfolio(cloud.max_sharpe())?;
    /// assert!((best.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    /// # Ok::<(), dslab::Error>(())
    /// ```
    pub fn sample(&self, mu: &[f64], cov: &[Vec<f64>]) -> Result<RandomPortfolios> {
        self.check()?;
        let n = mu.len();
        if n == 0 {
            return Err(Error::invalid("expected returns", "no assets: give at least one expected return"));
        }
        if cov.len() != n || cov.iter().any(|row| row.len() != n) {
            return Err(Error::invalid("covariance", format!("it must be {n} x {n} to match {n} expected returns")));
        }
        if mu.iter().chain(cov.iter().flatten()).any(|v| !v.is_finite()) {
            return Err(Error::invalid("expected returns and covariance", "every value must be a finite number"));
        }
        let kept = self.count.checked_mul(n).filter(|k| *k <= MAX_KEPT_WEIGHTS);
        if self.keep_weights && kept.is_none() {
            return Err(Error::invalid(
                "number of portfolios",
                format!(
                    "{} portfolios of {n} assets would keep {} weights, more than {MAX_KEPT_WEIGHTS} (800 MB); draw \
                     fewer or call keep_weights(false), which keeps only the picks' weights",
                    self.count,
                    self.count as u128 * n as u128
                ),
            ));
        }
        // wᵀΣw = Σ_i w_i (Σ_{j≥i} c_ij w_j) with c_ii = Σ_ii and c_ij = Σ_ij + Σ_ji above the diagonal.
        let upper: Vec<Vec<f64>> =
            (0..n).map(|i| (i..n).map(|j| if i == j { cov[i][i] } else { cov[i][j] + cov[j][i] }).collect()).collect();
        let count = self.count;
        let mut out = RandomPortfolios {
            assets: default_names(n),
            mu: mu.to_vec(),
            cov: cov.to_vec(),
            sampling: self.sampling,
            seed: self.seed,
            risk_free_rate: self.risk_free_rate,
            weights: if self.keep_weights { vec![0.0; count * n] } else { Vec::new() },
            returns: vec![0.0; count],
            volatilities: vec![0.0; count],
            sharpe_ratios: vec![0.0; count],
        };
        let mut rng = Rng::seed(self.seed);
        // Block arrays, asset-major: w[j * BLOCK + b] is asset j's weight in portfolio b, so each
        // inner loop runs over contiguous portfolios and the compiler vectorises it.
        let mut w = vec![0.0; n * BLOCK];
        let (mut sum, mut ret, mut var, mut acc) =
            (vec![0.0; BLOCK], vec![0.0; BLOCK], vec![0.0; BLOCK], vec![0.0; BLOCK]);
        let mut start = 0;
        while start < count {
            let size = BLOCK.min(count - start);
            for b in 0..size {
                for j in 0..n {
                    w[j * BLOCK + b] = match self.sampling {
                        Sampling::NormalisedUniform => rng.uniform(),
                        Sampling::Dirichlet => rng.exponential(),
                    };
                }
            }
            sum.fill(0.0);
            for j in 0..n {
                for (s, x) in sum.iter_mut().zip(&w[j * BLOCK..(j + 1) * BLOCK]) {
                    *s += x;
                }
            }
            for s in sum.iter_mut() {
                *s = 1.0 / *s;
            }
            ret.fill(0.0);
            for j in 0..n {
                let wj = &mut w[j * BLOCK..(j + 1) * BLOCK];
                for ((x, s), r) in wj.iter_mut().zip(&sum).zip(ret.iter_mut()) {
                    *x *= s;
                    *r += mu[j] * *x;
                }
            }
            var.fill(0.0);
            for i in 0..n {
                acc.fill(0.0);
                for (k, c) in upper[i].iter().enumerate() {
                    let wj = &w[(i + k) * BLOCK..(i + k + 1) * BLOCK];
                    for (a, x) in acc.iter_mut().zip(wj) {
                        *a += c * x;
                    }
                }
                let wi = &w[i * BLOCK..(i + 1) * BLOCK];
                for ((v, a), x) in var.iter_mut().zip(&acc).zip(wi) {
                    *v += a * x;
                }
            }
            for b in 0..size {
                let vol = var[b].max(0.0).sqrt();
                out.returns[start + b] = ret[b];
                out.volatilities[start + b] = vol;
                out.sharpe_ratios[start + b] = (ret[b] - self.risk_free_rate) / vol;
            }
            if self.keep_weights {
                for b in 0..size {
                    let row = &mut out.weights[(start + b) * n..(start + b + 1) * n];
                    for (j, x) in row.iter_mut().enumerate() {
                        *x = w[j * BLOCK + b];
                    }
                }
            }
            start += size;
        }
        Ok(out)
    }
}

/// A cloud of random portfolios: the article's three lists (returns, risks, weights) plus
/// Sharpe ratios, with the picks the article looks for.
#[derive(Debug, Clone)]
pub struct RandomPortfolios {
    assets: Vec<String>,
    mu: Vec<f64>,
    cov: Vec<Vec<f64>>,
    sampling: Sampling,
    seed: u64,
    risk_free_rate: f64,
    weights: Vec<f64>,
    returns: Vec<f64>,
    volatilities: Vec<f64>,
    sharpe_ratios: Vec<f64>,
}

impl RandomPortfolios {
    /// The same cloud with asset names (one per asset), used by [`RandomPortfolios::portfolio`].
    pub fn with_assets<S: AsRef<str>>(mut self, names: &[S]) -> Result<Self> {
        if names.len() != self.mu.len() {
            return Err(Error::invalid("asset names", format!("{} names for {} assets", names.len(), self.mu.len())));
        }
        self.assets = names.iter().map(|s| s.as_ref().to_owned()).collect();
        Ok(self)
    }

    /// Number of portfolios.
    pub fn len(&self) -> usize {
        self.returns.len()
    }

    /// Always false: a cloud holds at least one portfolio.
    pub fn is_empty(&self) -> bool {
        self.returns.is_empty()
    }

    /// The assets' names (`asset 1`, ... unless given with [`RandomPortfolios::with_assets`]).
    pub fn assets(&self) -> &[String] {
        &self.assets
    }

    /// How the weights were drawn.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// Expected annual return of each portfolio.
    pub fn returns(&self) -> &[f64] {
        &self.returns
    }

    /// Annual volatility (risk) of each portfolio.
    pub fn volatilities(&self) -> &[f64] {
        &self.volatilities
    }

    /// Sharpe ratio of each portfolio.
    pub fn sharpe_ratios(&self) -> &[f64] {
        &self.sharpe_ratios
    }

    /// The weights of portfolio `i`, if they were kept.
    pub fn weights(&self, i: usize) -> Option<&[f64]> {
        let n = self.mu.len();
        self.weights.get(i * n..(i + 1) * n)
    }

    /// The weight of asset `j` (from 0) in every portfolio (empty if weights were not kept).
    ///
    /// Fails when there is no asset `j`.
    pub fn asset_weights(&self, j: usize) -> Result<Vec<f64>> {
        let n = self.mu.len();
        if j >= n {
            return Err(Error::invalid(
                "asset index",
                format!("{j} is past the last of {n} assets (indices run from 0 to {})", n - 1),
            ));
        }
        Ok(self.weights.iter().skip(j).step_by(n).copied().collect())
    }

    /// Index of the portfolio with the highest expected return.
    pub fn max_return(&self) -> usize {
        argmax(&self.returns)
    }

    /// Index of the portfolio with the lowest volatility.
    pub fn min_volatility(&self) -> usize {
        argmax_by(&self.volatilities, |v| -v)
    }

    /// Index of the portfolio with the highest Sharpe ratio.
    pub fn max_sharpe(&self) -> usize {
        argmax(&self.sharpe_ratios)
    }

    /// Portfolio `i` as a [`Portfolio`]. Without kept weights, its weights are redrawn from the
    /// seed (the same stream, so the same weights).
    pub fn portfolio(&self, i: usize) -> Result<Portfolio> {
        if i >= self.len() {
            return Err(Error::invalid(
                "portfolio index",
                format!("{i} is past the last of {} portfolios", self.len()),
            ));
        }
        let weights = match self.weights(i) {
            Some(w) => w.to_vec(),
            None => self.redraw(i),
        };
        Ok(Portfolio::from_parts(weights, self.assets.clone(), &self.mu, &self.cov, self.risk_free_rate))
    }

    fn redraw(&self, i: usize) -> Vec<f64> {
        let n = self.mu.len();
        let mut rng = Rng::seed(self.seed);
        for _ in 0..i * n {
            rng.next_u64();
        }
        let w: Vec<f64> = (0..n)
            .map(|_| match self.sampling {
                Sampling::NormalisedUniform => rng.uniform(),
                Sampling::Dirichlet => rng.exponential(),
            })
            .collect();
        let s: f64 = w.iter().sum();
        w.into_iter().map(|x| x * (1.0 / s)).collect()
    }

    /// A table of the cloud's size and its three picks.
    pub fn summary(&self) -> Table {
        let mut table =
            Table::new(["pick", "portfolio", "expected return", "volatility", "Sharpe ratio"]).caption(format!(
                "{} random portfolios of {} assets ({}, seed {}, risk-free rate {})",
                self.len(),
                self.mu.len(),
                self.sampling,
                self.seed,
                percent(self.risk_free_rate)
            ));
        for (name, i) in [
            ("highest return", self.max_return()),
            ("lowest volatility", self.min_volatility()),
            ("highest Sharpe ratio", self.max_sharpe()),
        ] {
            let row = [
                name.to_owned(),
                format!("#{i}"),
                percent(self.returns[i]),
                percent(self.volatilities[i]),
                format!("{:.3}", self.sharpe_ratios[i]),
            ];
            // Five cells for five columns.
            let _ = table.push_row(row);
        }
        table
    }

    /// Shows [`RandomPortfolios::summary`] in a notebook.
    pub fn evcxr_display(&self) {
        self.summary().evcxr_display();
    }
}

fn argmax(values: &[f64]) -> usize {
    argmax_by(values, |v| v)
}

fn argmax_by(values: &[f64], key: impl Fn(f64) -> f64) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if key(v) > key(values[best]) || key(values[best]).is_nan() {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> (Vec<f64>, Vec<Vec<f64>>) {
        let mu = vec![0.12, 0.05, 0.08, 0.10];
        let cov = vec![
            vec![0.09, 0.01, 0.02, 0.00],
            vec![0.01, 0.02, 0.00, 0.01],
            vec![0.02, 0.00, 0.04, 0.01],
            vec![0.00, 0.01, 0.01, 0.06],
        ];
        (mu, cov)
    }

    #[test]
    fn blocks_match_one_by_one_evaluation() {
        let (mu, cov) = inputs();
        for sampling in [Sampling::NormalisedUniform, Sampling::Dirichlet] {
            let cloud = RandomPortfolioParams::new(600)
                .sampling(sampling)
                .seed(3)
                .risk_free_rate(0.01)
                .sample(&mu, &cov)
                .unwrap();
            let lean =
                RandomPortfolioParams::new(600).sampling(sampling).seed(3).risk_free_rate(0.01).keep_weights(false);
            let lean = lean.sample(&mu, &cov).unwrap();
            assert_eq!(cloud.returns(), lean.returns());
            for i in [0, 255, 256, 599] {
                let w = cloud.weights(i).unwrap();
                assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12 && w.iter().all(|x| *x >= 0.0));
                let p = Portfolio::evaluate(w, &mu, &cov, 0.01).unwrap();
                assert!((p.expected_return - cloud.returns()[i]).abs() < 1e-14);
                assert!((p.volatility - cloud.volatilities()[i]).abs() < 1e-14);
                assert!((p.sharpe_ratio - cloud.sharpe_ratios()[i]).abs() < 1e-12);
                // Redrawn from the seed, the weights are the same.
                let again = lean.portfolio(i).unwrap();
                assert!(again.weights.iter().zip(w).all(|(a, b)| (a - b).abs() < 1e-15));
            }
            let best = cloud.max_sharpe();
            assert!(cloud.sharpe_ratios().iter().all(|s| *s <= cloud.sharpe_ratios()[best]));
        }
    }

    #[test]
    fn the_first_portfolio_is_the_articles_recipe() {
        let (mu, cov) = inputs();
        let cloud = RandomPortfolioParams::new(2).seed(11).sample(&mu, &cov).unwrap();
        let mut rng = Rng::seed(11);
        let raw: Vec<f64> = (0..4).map(|_| rng.uniform()).collect();
        let total: f64 = raw.iter().sum();
        for (w, r) in cloud.weights(0).unwrap().iter().zip(&raw) {
            assert!((w - r / total).abs() < 1e-15);
        }
    }

    #[test]
    fn dirichlet_spreads_more_than_normalised_uniform() {
        // Var of one weight: Dirichlet(1,..,1) with n = 4 gives (n-1)/(n²(n+1)) = 0.0375.
        let (mu, cov) = inputs();
        let var = |s| {
            let c = RandomPortfolioParams::new(100_000).sampling(s).seed(5).sample(&mu, &cov).unwrap();
            let w = c.asset_weights(0).unwrap();
            let m = w.iter().sum::<f64>() / w.len() as f64;
            (m, w.iter().map(|x| (x - m).powi(2)).sum::<f64>() / w.len() as f64)
        };
        let (m_d, v_d) = var(Sampling::Dirichlet);
        let (m_u, v_u) = var(Sampling::NormalisedUniform);
        assert!((m_d - 0.25).abs() < 0.003 && (m_u - 0.25).abs() < 0.003);
        assert!((v_d - 0.0375).abs() < 0.001, "{v_d}");
        assert!(v_u < 0.7 * v_d, "{v_u} {v_d}");
    }

    #[test]
    fn bad_settings_are_refused() {
        let (mu, cov) = inputs();
        assert!(RandomPortfolioParams::new(0).sample(&mu, &cov).is_err());
        assert!(RandomPortfolioParams::new(5).risk_free_rate(f64::NAN).sample(&mu, &cov).is_err());
        assert!(RandomPortfolioParams::new(5).sample(&mu[..3], &cov).unwrap_err().to_string().contains("3 x 3"));
    }
}
