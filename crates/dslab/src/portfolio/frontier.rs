//! The exact efficient frontier: Markowitz's optimisation problems solved as quadratic
//! programmes, where random portfolios only approach the answer from below.
//!
//! Every problem keeps the weights summing to one, each between its lower and upper bound
//! (0 and 1 unless set: long only, no borrowing):
//! - [`EfficientFrontier::min_volatility`]: minimise `wᵀΣw`;
//! - [`EfficientFrontier::efficient_return`]: minimise `wᵀΣw` subject to `wᵀμ ≥ target`;
//! - [`EfficientFrontier::efficient_risk`]: maximise `wᵀμ` subject to `√(wᵀΣw) ≤ target`
//!   (a second-order cone);
//! - [`EfficientFrontier::max_sharpe`]: maximise `(wᵀμ - r_f) / √(wᵀΣw)`, made convex by the
//!   change of variables `y = k·w` (Cornuéjols and Tütüncü): minimise `yᵀΣy` subject to
//!   `(μ - r_f)ᵀy = 1`, `Σy = k`, `k·lower ≤ y ≤ k·upper`, `k ≥ 0`.
//!
//! These are PyPortfolioOpt's formulations, which the integration tests check against. Each is
//! solved by Clarabel and polished to the exact optimum of its active set (see `qp.rs`).

// Matrix code indexes rows and columns by position: the loops read like the formulas.
#![allow(clippy::needless_range_loop)]

use crate::table::Table;
use crate::{Error, Result};

use super::linalg;
use super::performance::{Portfolio, default_names};
use super::prices::Prices;
use super::qp::{self, Qp, Row};
use super::random_portfolios::{RandomPortfolioParams, RandomPortfolios};
use super::returns::percent;

/// The most points [`EfficientFrontier::frontier`] computes (each is a quadratic programme).
const MAX_FRONTIER_POINTS: usize = 100_000;

/// Expected returns and a covariance with weight bounds: the inputs of every Markowitz problem.
#[derive(Debug, Clone)]
pub struct EfficientFrontier {
    mu: Vec<f64>,
    cov: Vec<Vec<f64>>,
    assets: Vec<String>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    risk_free_rate: f64,
    /// `F` with `FᵀF = Σ` (rows), for the cone `‖F w‖ ≤ σ`.
    factor: Vec<Vec<f64>>,
}

impl EfficientFrontier {
    /// A frontier over assets with annual expected returns `mu` and annual covariance `cov`
    /// (rows), long only (each weight between 0 and 1).
    ///
    /// Fails when the sizes differ, a value is not finite, or `cov` is not symmetric positive
    /// semi-definite (then some portfolio would have a negative variance).
    ///
    /// ```
    /// use dslab::portfolio::EfficientFrontier;
    /// let mu = vec![0.10, 0.04];
    /// let cov = vec![vec![0.04, 0.0], vec![0.0, 0.01]];
    /// let ef = EfficientFrontier::new(mu, cov)?;
    /// let p = ef.min_volatility()?;
    /// // Uncorrelated assets: weights inversely proportional to the variances, 1/5 and 4/5.
    /// assert!((p.weights[0] - 0.2).abs() < 1e-9 && (p.weights[1] - 0.8).abs() < 1e-9);
    /// # Ok::<(), dslab::Error>(())
    /// ```
    pub fn new(mu: Vec<f64>, cov: Vec<Vec<f64>>) -> Result<EfficientFrontier> {
        let n = mu.len();
        if n == 0 {
            return Err(Error::invalid("expected returns", "no assets: give at least one expected return"));
        }
        if let Some(i) = mu.iter().position(|m| !m.is_finite()) {
            return Err(Error::invalid("expected returns", format!("the return of asset {} is {}", i + 1, mu[i])));
        }
        if cov.len() != n {
            return Err(Error::invalid(
                "covariance",
                format!("it has {} rows for {n} expected returns (it must be {n} x {n})", cov.len()),
            ));
        }
        if let Some(i) = cov.iter().position(|row| row.len() != n) {
            return Err(Error::invalid(
                "covariance",
                format!("row {} has {} values (it must be {n} x {n})", i + 1, cov[i].len()),
            ));
        }
        for i in 0..n {
            for j in 0..n {
                if !cov[i][j].is_finite() {
                    return Err(Error::invalid(
                        "covariance",
                        format!("the value at ({}, {}) is {}", i + 1, j + 1, cov[i][j]),
                    ));
                }
            }
        }
        let scale = cov.iter().flatten().fold(0.0f64, |m, c| m.max(c.abs()));
        for i in 0..n {
            for j in 0..i {
                if (cov[i][j] - cov[j][i]).abs() > 1e-10 * scale {
                    return Err(Error::invalid(
                        "covariance",
                        format!(
                            "it is not symmetric: ({}, {}) is {} but ({}, {}) is {}",
                            i + 1,
                            j + 1,
                            cov[i][j],
                            j + 1,
                            i + 1,
                            cov[j][i]
                        ),
                    ));
                }
            }
        }
        let cov: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| 0.5 * (cov[i][j] + cov[j][i])).collect()).collect();
        let factor = match linalg::cholesky_upper(&cov) {
            Some(u) => u,
            None => psd_factor(&cov, scale)?,
        };
        Ok(EfficientFrontier {
            mu,
            cov,
            assets: default_names(n),
            lower: vec![0.0; n],
            upper: vec![1.0; n],
            risk_free_rate: 0.0,
            factor,
        })
    }

    /// The frontier PyPortfolioOpt builds by default from prices: the compounded annual mean of
    /// daily simple returns and their annualised sample covariance, named by ticker.
    pub fn from_prices(prices: &Prices) -> Result<EfficientFrontier> {
        let returns = prices.simple_returns()?;
        EfficientFrontier::new(returns.compounded_annual(), returns.covariance_annual())?.with_assets(prices.tickers())
    }

    /// The same frontier with asset names (one per asset).
    pub fn with_assets<S: AsRef<str>>(mut self, names: &[S]) -> Result<EfficientFrontier> {
        if names.len() != self.mu.len() {
            return Err(Error::invalid("asset names", format!("{} names for {} assets", names.len(), self.mu.len())));
        }
        self.assets = names.iter().map(|s| s.as_ref().to_owned()).collect();
        Ok(self)
    }

    /// Every weight between `lower` and `upper` (0 and 1 by default; a negative lower bound
    /// allows short selling, an upper bound below 1 forces diversification).
    pub fn with_weight_bounds(self, lower: f64, upper: f64) -> Result<EfficientFrontier> {
        let n = self.mu.len();
        self.with_asset_bounds(vec![lower; n], vec![upper; n])
    }

    /// Each asset's own weight bounds: `lower[i] ≤ w[i] ≤ upper[i]`.
    pub fn with_asset_bounds(mut self, lower: Vec<f64>, upper: Vec<f64>) -> Result<EfficientFrontier> {
        let n = self.mu.len();
        if lower.len() != n || upper.len() != n {
            return Err(Error::invalid(
                "weight bounds",
                format!("{} lower and {} upper bounds for {n} assets", lower.len(), upper.len()),
            ));
        }
        for i in 0..n {
            if !(lower[i].is_finite() && upper[i].is_finite() && lower[i] <= upper[i]) {
                return Err(Error::invalid(
                    "weight bounds",
                    format!(
                        "{}: the bounds [{}, {}] must be finite with lower ≤ upper",
                        self.assets[i], lower[i], upper[i]
                    ),
                ));
            }
        }
        let (low, high): (f64, f64) = (lower.iter().sum(), upper.iter().sum());
        if low > 1.0 + 1e-12 || high < 1.0 - 1e-12 {
            return Err(Error::invalid(
                "weight bounds",
                format!(
                    "no weights sum to 1 between them: the lower bounds add up to {low:.4} and the upper bounds to {high:.4}"
                ),
            ));
        }
        self.lower = lower;
        self.upper = upper;
        Ok(self)
    }

    /// The risk-free rate used for the Sharpe ratios of the portfolios this frontier returns
    /// (0 by default, as in PyPortfolioOpt; [`EfficientFrontier::max_sharpe`] uses its own).
    pub fn with_risk_free_rate(mut self, rate: f64) -> Result<EfficientFrontier> {
        if !rate.is_finite() {
            return Err(Error::invalid("risk-free rate", format!("{rate} is not a number")));
        }
        self.risk_free_rate = rate;
        Ok(self)
    }

    /// Annual expected returns, in asset order.
    pub fn expected_returns(&self) -> &[f64] {
        &self.mu
    }

    /// Annual covariance, as rows.
    pub fn covariance(&self) -> &[Vec<f64>] {
        &self.cov
    }

    /// Asset names.
    pub fn assets(&self) -> &[String] {
        &self.assets
    }

    /// Lower and upper weight bounds.
    pub fn bounds(&self) -> (&[f64], &[f64]) {
        (&self.lower, &self.upper)
    }

    /// The performance of any weights on this frontier's assets.
    pub fn evaluate(&self, weights: &[f64]) -> Result<Portfolio> {
        Portfolio::evaluate(weights, &self.mu, &self.cov, self.risk_free_rate)?.with_assets(&self.assets)
    }

    fn portfolio(&self, weights: Vec<f64>, rf: f64) -> Portfolio {
        Portfolio::from_parts(weights, self.assets.clone(), &self.mu, &self.cov, rf)
    }

    fn n(&self) -> usize {
        self.mu.len()
    }

    /// The bounds the problems hold, as `(asset, is_upper)`, upper bounds first: every lower
    /// bound, and each upper bound that the other assets' lower bounds do not already imply.
    ///
    /// With the weights summing to one and every lower bound held, `w_i = 1 - Σ_{j≠i} w_j ≤
    /// 1 - Σ_{j≠i} lower_j`, so an upper bound at or above that can never bind (long only with
    /// upper bounds of 1, say); leaving it out keeps the active sets non-degenerate (one asset
    /// at 100 % would hold its upper bound and every other lower bound). The same holds for
    /// `y_i ≤ k·upper_i` in `max_sharpe`, as `k ≥ 0`. Only one direction may be used: dropping
    /// also the lower bounds that the others' upper bounds imply would drop each bound on the
    /// strength of one that is itself dropped (with two long-only assets, all four).
    fn binding_bounds(&self) -> Vec<(usize, bool)> {
        let n = self.n();
        let low: f64 = self.lower.iter().sum();
        // An upper bound within 1e-14 of the implied one is left out too: the weight can then
        // pass it by rounding only.
        let upper = (0..n).filter(|&i| self.upper[i] < 1.0 - (low - self.lower[i]) - 1e-14);
        upper.map(|i| (i, true)).chain((0..n).map(|i| (i, false))).collect()
    }

    /// `w ≤ upper` and `-w ≤ -lower` for the bounds that can bind.
    fn bound_rows(&self) -> Vec<Row> {
        let row = |(i, is_upper): (usize, bool)| {
            if is_upper { Row::new(vec![(i, 1.0)], self.upper[i]) } else { Row::new(vec![(i, -1.0)], -self.lower[i]) }
        };
        self.binding_bounds().into_iter().map(row).collect()
    }

    fn budget_row(&self) -> Row {
        Row::dense(&vec![1.0; self.n()], 1.0)
    }

    fn variance_qp(&self) -> Qp {
        // ½ wᵀ(2Σ)w = wᵀΣw, the variance itself.
        let p = self.cov.iter().map(|row| row.iter().map(|c| 2.0 * c).collect()).collect();
        Qp { p, q: vec![0.0; self.n()], eq: vec![self.budget_row()], ineq: self.bound_rows(), soc: None }
    }

    /// The portfolio with the lowest volatility.
    pub fn min_volatility(&self) -> Result<Portfolio> {
        let w = self.variance_qp().solve_polished("min_volatility")?;
        Ok(self.portfolio(w, self.risk_free_rate))
    }

    /// The portfolio with the highest expected return within the bounds: fill the assets in
    /// order of expected return, each up to its upper bound (a linear programme solved exactly).
    pub fn max_return(&self) -> Result<Portfolio> {
        let mut w = self.lower.clone();
        let mut left = 1.0 - w.iter().sum::<f64>();
        let mut order: Vec<usize> = (0..self.n()).collect();
        order.sort_by(|&a, &b| self.mu[b].total_cmp(&self.mu[a]));
        for i in order {
            let add = left.min(self.upper[i] - self.lower[i]).max(0.0);
            w[i] += add;
            left -= add;
        }
        Ok(self.portfolio(w, self.risk_free_rate))
    }

    /// The portfolio with the lowest volatility among those expecting at least `target`.
    ///
    /// A target above the highest return the bounds allow is an error; a target below the
    /// minimum-volatility portfolio's return gives that portfolio (the constraint is `≥`).
    pub fn efficient_return(&self, target: f64) -> Result<Portfolio> {
        let mut one = self.efficient_returns(&[target])?;
        Ok(one.remove(0))
    }

    /// [`EfficientFrontier::efficient_return`] at each target, in order: the frontier at chosen
    /// returns. Clarabel solves the first; each next one starts from the constraints the
    /// previous answer held (a warm start: nearby targets hold nearly the same bounds), which
    /// the active-set steps adjust in a few linear solves, Clarabel taking over if they cannot.
    ///
    /// ```
    /// use dslab::portfolio::EfficientFrontier;
    /// let cov = vec![vec![0.09, 0.0, 0.0], vec![0.0, 0.04, 0.0], vec![0.0, 0.0, 0.01]];
    /// let ef = EfficientFrontier::new(vec![0.12, 0.08, 0.03], cov)?;
    /// let curve = ef.efficient_returns(&[0.06, 0.08, 0.10])?;
    /// assert!(curve.windows(2).all(|p| p[0].volatility < p[1].volatility));
    /// # Ok::<(), dslab::Error>(())
    /// ```
    pub fn efficient_returns(&self, targets: &[f64]) -> Result<Vec<Portfolio>> {
        let best = self.max_return()?;
        let top = best.expected_return;
        for &target in targets {
            if !target.is_finite() {
                return Err(Error::invalid("target return", format!("{target} is not a number")));
            }
            if target > top + 1e-12 * (1.0 + top.abs()) {
                return Err(Error::invalid(
                    "target return",
                    format!(
                        "{} is above the highest expected return any portfolio reaches within the weight bounds, {} ({}); \
                         choose a target up to that",
                        percent(target),
                        percent(top),
                        describe(&best)
                    ),
                ));
            }
        }
        let minus_mu: Vec<f64> = self.mu.iter().map(|m| -m).collect();
        let mut previous: Option<Vec<bool>> = None;
        let mut curve = Vec::with_capacity(targets.len());
        for &target in targets {
            let mut qp = self.variance_qp();
            qp.ineq.push(Row::dense(&minus_mu, -target.min(top)));
            let warm = previous.take().and_then(|active| qp::active_set(&qp, active, None));
            let solved = match warm {
                Some(solved) => solved,
                None => qp.solve_with_active_set("efficient_return")?,
            };
            previous = Some(solved.active);
            curve.push(self.portfolio(solved.x, self.risk_free_rate));
        }
        Ok(curve)
    }

    /// The portfolio with the highest expected return among those with volatility at most
    /// `target`.
    ///
    /// A target below the minimum volatility is an error; a target above the volatility of
    /// the highest-return portfolio gives that portfolio.
    pub fn efficient_risk(&self, target: f64) -> Result<Portfolio> {
        if !(target.is_finite() && target > 0.0) {
            return Err(Error::invalid("target volatility", format!("{target} must be a positive number")));
        }
        let least = self.min_volatility()?;
        if target < least.volatility * (1.0 - 1e-9) {
            return Err(Error::invalid(
                "target volatility",
                format!(
                    "{} is below the minimum volatility the weight bounds allow, {}: no portfolio is that safe; \
                     choose a target of at least that",
                    percent(target),
                    percent(least.volatility)
                ),
            ));
        }
        let best = self.max_return()?;
        if best.volatility <= target {
            return Ok(best);
        }
        if target <= least.volatility {
            return Ok(least);
        }
        let qp = Qp {
            p: vec![vec![0.0; self.n()]; self.n()],
            q: self.mu.iter().map(|m| -m).collect(),
            eq: vec![self.budget_row()],
            ineq: self.bound_rows(),
            soc: Some((target, self.factor.clone())),
        };
        let solved = qp.solve().map_err(|failure| {
            Error::not_converged("efficient_risk", format!("the solver stopped without an optimum ({failure:?})"))
        })?;
        let w = self.polish_risk(&solved, target).unwrap_or(solved.x);
        Ok(self.portfolio(w, self.risk_free_rate))
    }

    /// The exact optimum of `efficient_risk`, starting from the active bounds Clarabel found.
    /// For a given set of bounds held, the efficient portfolios are `w(r) = a + r·d` for a return
    /// `r`, their variance a quadratic in `r`, and the answer the larger root of
    /// `variance(r) = target²`; a held bound with a negative multiplier is let go and a broken
    /// bound is held, until the optimality conditions all hold.
    fn polish_risk(&self, solved: &qp::Solved, target: f64) -> Option<Vec<f64>> {
        let mut qp = self.variance_qp();
        qp.ineq.insert(0, Row::dense(&self.mu.iter().map(|m| -m).collect::<Vec<_>>(), 0.0));
        let mut active: Vec<bool> = std::iter::once(true).chain(solved.active.iter().copied()).collect();
        for _step in 0..(2 * qp.ineq.len() + 2) {
            let held: Vec<usize> = (1..qp.ineq.len()).filter(|&i| active[i]).collect();
            let held_bounds: Vec<f64> = held.iter().map(|&i| qp.ineq[i].rhs).collect();
            let rhs = |r: f64| [vec![1.0, -r], held_bounds.clone()].concat();
            let Some(mut both) = qp::kkt(&qp, &active, &[rhs(0.0), rhs(1.0)]) else {
                // Degenerate: let go of the held bound with the smallest multiplier.
                let loosest =
                    held.iter().copied().min_by(|&a, &b| solved.duals[a - 1].total_cmp(&solved.duals[b - 1]))?;
                active[loosest] = false;
                continue;
            };
            let (x1, l1) = both.pop()?;
            let (x0, l0) = both.pop()?;
            let d: Vec<f64> = x1.iter().zip(&x0).map(|(a, b)| a - b).collect();
            let a = linalg::quad_form(&self.cov, &d);
            let b = 2.0 * linalg::dot(&x0, &linalg::mat_vec(&self.cov, &d));
            let c = linalg::quad_form(&self.cov, &x0);
            let disc = b * b - 4.0 * a * (c - target * target);
            if !(a > 0.0 && disc >= 0.0) {
                return None;
            }
            let r = (-b + disc.sqrt()) / (2.0 * a);
            let w: Vec<f64> = x0.iter().zip(&d).map(|(x, d)| x + r * d).collect();
            // Multipliers of the held rows: the budget, the return, then the held bounds.
            let multipliers: Vec<f64> = l0.iter().zip(&l1).map(|(a, b)| a + r * (b - a)).collect();
            let scale = multipliers.iter().fold(1e-300f64, |m, l| m.max(l.abs()));
            if multipliers[1] < -1e-9 * scale {
                return None; // the volatility target does not bind: not this problem's optimum
            }
            let worst_dual = held
                .iter()
                .zip(&multipliers[2..])
                .filter(|(_, l)| **l < -1e-9 * scale)
                .min_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| *i);
            let worst_primal = (1..qp.ineq.len())
                .filter(|&i| !active[i])
                .map(|i| (i, qp.ineq[i].value(&w) - qp.ineq[i].rhs))
                .filter(|(_, v)| *v > 1e-10)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i);
            match (worst_dual, worst_primal) {
                (None, None) => {
                    // Optimal; guard against an ill-conditioned solve.
                    let better = linalg::dot(&self.mu, &w) >= linalg::dot(&self.mu, &solved.x) - 1e-9;
                    return better.then_some(w);
                }
                (Some(i), _) => active[i] = false,
                (None, Some(i)) => active[i] = true,
            }
        }
        None
    }

    /// The tangency portfolio: the highest Sharpe ratio for the risk-free rate `risk_free_rate`.
    ///
    /// Fails when no portfolio within the bounds expects more than the risk-free rate.
    pub fn max_sharpe(&self, risk_free_rate: f64) -> Result<Portfolio> {
        if !risk_free_rate.is_finite() {
            return Err(Error::invalid("risk-free rate", format!("{risk_free_rate} is not a number")));
        }
        let best = self.max_return()?;
        if best.expected_return <= risk_free_rate {
            return Err(Error::invalid(
                "risk-free rate",
                format!(
                    "{} is at or above the highest expected return within the weight bounds, {}: no portfolio beats \
                     the risk-free asset, so there is no tangency portfolio",
                    percent(risk_free_rate),
                    percent(best.expected_return)
                ),
            ));
        }
        // Variables (y, k), y = k·w.
        let n = self.n();
        let mut p = vec![vec![0.0; n + 1]; n + 1];
        for i in 0..n {
            for j in 0..n {
                p[i][j] = 2.0 * self.cov[i][j];
            }
        }
        let excess: Vec<(usize, f64)> = (0..n).map(|i| (i, self.mu[i] - risk_free_rate)).collect();
        let budget: Vec<(usize, f64)> = (0..n).map(|i| (i, 1.0)).chain([(n, -1.0)]).collect();
        // k·lower ≤ y ≤ k·upper for the bounds that can bind, and k ≥ 0.
        let row = |(i, is_upper): (usize, bool)| {
            if is_upper {
                Row::new(vec![(i, 1.0), (n, -self.upper[i])], 0.0)
            } else {
                Row::new(vec![(i, -1.0), (n, self.lower[i])], 0.0)
            }
        };
        let mut ineq: Vec<Row> = self.binding_bounds().into_iter().map(row).collect();
        ineq.push(Row::new(vec![(n, -1.0)], 0.0));
        let qp = Qp { p, q: vec![0.0; n + 1], eq: vec![Row::new(excess, 1.0), Row::new(budget, 0.0)], ineq, soc: None };
        let yk = qp.solve_polished("max_sharpe")?;
        let k = yk[n];
        if k.is_nan() || k <= 0.0 {
            return Err(Error::not_converged(
                "max_sharpe",
                format!("the scale k came out as {k}; the problem is degenerate"),
            ));
        }
        let w = yk[..n].iter().map(|y| y / k).collect();
        Ok(self.portfolio(w, risk_free_rate))
    }

    /// `points` efficient portfolios with returns evenly spaced from the minimum-volatility
    /// portfolio's to the highest: the frontier as a curve (from 2 to 100 000 points).
    pub fn frontier(&self, points: usize) -> Result<Vec<Portfolio>> {
        if points < 2 {
            return Err(Error::invalid("frontier points", format!("{points}: a curve needs at least 2 points")));
        }
        if points > MAX_FRONTIER_POINTS {
            return Err(Error::invalid(
                "frontier points",
                format!("{points} is more than {MAX_FRONTIER_POINTS}; a smooth curve needs a few hundred at most"),
            ));
        }
        let low = self.min_volatility()?;
        let high = self.max_return()?;
        let (r0, r1) = (low.expected_return, high.expected_return);
        let targets: Vec<f64> = (1..points - 1).map(|k| r0 + (r1 - r0) * k as f64 / (points - 1) as f64).collect();
        let mut curve = vec![low];
        curve.extend(self.efficient_returns(&targets)?);
        curve.push(high);
        Ok(curve)
    }

    /// Random portfolios over this frontier's assets (ignoring the weight bounds), named by asset.
    pub fn random_portfolios(&self, params: &RandomPortfolioParams) -> Result<RandomPortfolios> {
        params.sample(&self.mu, &self.cov)?.with_assets(&self.assets)
    }

    /// A table of each asset's expected return, volatility and weight bounds.
    pub fn table(&self) -> Table {
        let mut table = Table::new(["asset", "expected return", "volatility", "weight bounds"])
            .caption("Inputs of the efficient frontier (annual)")
            .max_rows(self.n());
        for i in 0..self.n() {
            let row = [
                self.assets[i].clone(),
                percent(self.mu[i]),
                percent(self.cov[i][i].sqrt()),
                format!("{} to {}", percent(self.lower[i]), percent(self.upper[i])),
            ];
            // Four cells for four columns.
            let _ = table.push_row(row);
        }
        table
    }

    /// Shows [`EfficientFrontier::table`] in a notebook.
    pub fn evcxr_display(&self) {
        self.table().evcxr_display();
    }
}

/// The largest holdings of a portfolio, for messages: "60 % AAPL, 40 % MSFT".
fn describe(p: &Portfolio) -> String {
    let mut held: Vec<(usize, f64)> = p.weights.iter().copied().enumerate().filter(|(_, w)| *w > 1e-9).collect();
    held.sort_by(|a, b| b.1.total_cmp(&a.1));
    let parts: Vec<String> = held.iter().take(3).map(|(i, w)| format!("{:.0} % {}", 100.0 * w, p.assets[*i])).collect();
    parts.join(", ") + if held.len() > 3 { ", ..." } else { "" }
}

/// A factor `F` with `FᵀF = Σ` for a semi-definite `Σ` (the Cholesky factor failed), or the
/// error naming the negative eigenvalue.
fn psd_factor(cov: &[Vec<f64>], scale: f64) -> Result<Vec<Vec<f64>>> {
    let (values, vectors) = linalg::symmetric_eigen(cov);
    let (k, smallest) = values.iter().copied().enumerate().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or((0, 0.0));
    let tolerance = 1e-10 * scale.max(f64::MIN_POSITIVE) * cov.len() as f64;
    if smallest < -tolerance {
        let direction: Vec<String> = vectors[k].iter().map(|v| format!("{v:.3}")).collect();
        return Err(Error::invalid(
            "covariance",
            format!(
                "it is not positive semi-definite: its smallest eigenvalue is {smallest:.3e}, so the portfolio \
                 with weights proportional to [{}] would have a negative variance; estimate the covariance from \
                 returns over one common set of dates (Returns::covariance_annual)",
                direction.join(", ")
            ),
        ));
    }
    Ok(values
        .iter()
        .zip(&vectors)
        .filter(|(v, _)| **v > tolerance)
        .map(|(v, vec)| vec.iter().map(|x| x * v.sqrt()).collect())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> EfficientFrontier {
        let mu = vec![0.12, 0.06, 0.09];
        let cov = vec![vec![0.09, 0.006, 0.018], vec![0.006, 0.0225, 0.003], vec![0.018, 0.003, 0.04]];
        EfficientFrontier::new(mu, cov).unwrap()
    }

    #[test]
    fn frontier_problems_agree_with_each_other() {
        let ef = three();
        let low = ef.min_volatility().unwrap();
        let tangent = ef.max_sharpe(0.02).unwrap();
        // The tangency portfolio is efficient: asking for its return gives it back, and so
        // does asking for its volatility.
        let same = ef.efficient_return(tangent.expected_return).unwrap();
        let again = ef.efficient_risk(tangent.volatility).unwrap();
        for (a, b, c) in tangent.weights.iter().zip(&same.weights).zip(&again.weights).map(|((a, b), c)| (a, b, c)) {
            assert!((a - b).abs() < 1e-9 && (a - c).abs() < 1e-9, "{tangent:?} {same:?} {again:?}");
        }
        assert!(low.volatility <= tangent.volatility);
        // Below the minimum-volatility return, efficient_return gives the minimum.
        let below = ef.efficient_return(0.0).unwrap();
        assert!((below.volatility - low.volatility).abs() < 1e-12);
        // The curve rises from the minimum to the highest return.
        let curve = ef.frontier(12).unwrap();
        assert!(
            curve.windows(2).all(|p| p[1].expected_return > p[0].expected_return && p[1].volatility >= p[0].volatility)
        );
        assert_eq!(curve.last().unwrap().weights, [1.0, 0.0, 0.0]);
        // No portfolio on a grid of weights beats the tangency portfolio's Sharpe ratio.
        for i in 0..=50 {
            for j in 0..=(50 - i) {
                let w = [i as f64 / 50.0, j as f64 / 50.0, (50 - i - j) as f64 / 50.0];
                let p = Portfolio::evaluate(&w, ef.expected_returns(), ef.covariance(), 0.02).unwrap();
                assert!(p.sharpe_ratio <= tangent.sharpe_ratio + 1e-12);
                assert!(p.volatility >= low.volatility - 1e-12);
            }
        }
    }

    #[test]
    fn weights_at_bounds_are_exact() {
        let ef = three().with_weight_bounds(0.1, 0.5).unwrap();
        let top = ef.max_return().unwrap();
        assert!(top.weights.iter().zip([0.5, 0.1, 0.4]).all(|(w, e)| (w - e).abs() < 1e-15), "{top:?}");
        let p = ef.efficient_return(0.1).unwrap();
        assert!(p.weights.iter().all(|w| (0.1..=0.5).contains(w)));
        assert!((p.expected_return - 0.1).abs() < 1e-12, "{p:?}");
        let s = ef.max_sharpe(0.0).unwrap();
        assert!(s.weights.iter().all(|w| *w >= 0.1 - 1e-12 && *w <= 0.5 + 1e-12), "{s:?}");
    }

    #[test]
    fn infeasible_requests_are_explained() {
        let ef = three();
        let e = ef.efficient_return(0.2).unwrap_err().to_string();
        assert!(e.contains("above the highest expected return") && e.contains("12.00 %"), "{e}");
        let e = ef.efficient_risk(0.05).unwrap_err().to_string();
        assert!(e.contains("below the minimum volatility"), "{e}");
        let e = ef.max_sharpe(0.2).unwrap_err().to_string();
        assert!(e.contains("no tangency portfolio"), "{e}");
        assert!(ef.efficient_risk(1.0).unwrap().weights == [1.0, 0.0, 0.0]);
        assert!(three().with_weight_bounds(0.0, 0.3).unwrap_err().to_string().contains("upper bounds to 0.9000"));
        assert!(three().with_asset_bounds(vec![0.0; 2], vec![1.0; 3]).is_err());
    }

    #[test]
    fn two_assets_keep_their_bounds() {
        // Correlation 0.9: without its bounds the minimum-volatility portfolio shorts the first asset.
        let cov = vec![vec![0.09, 0.054], vec![0.054, 0.04]];
        let ef = EfficientFrontier::new(vec![0.12, 0.05], cov).unwrap();
        assert_eq!(ef.min_volatility().unwrap().weights, [0.0, 1.0]);
        assert_eq!(ef.max_sharpe(0.0).unwrap().weights, [1.0, 0.0]);
        // Bounds of 50 % leave one portfolio, which every problem must give.
        let forced = ef.with_weight_bounds(0.0, 0.5).unwrap();
        let curve = forced.frontier(3).unwrap();
        for p in curve.iter().chain([&forced.min_volatility().unwrap(), &forced.max_sharpe(0.0).unwrap()]) {
            assert!(p.weights.iter().all(|w| (w - 0.5).abs() < 1e-9), "{p:?}");
        }
    }

    #[test]
    fn one_asset_is_its_own_frontier() {
        let ef = EfficientFrontier::new(vec![0.07], vec![vec![0.04]]).unwrap();
        for p in [
            ef.min_volatility().unwrap(),
            ef.max_sharpe(0.01).unwrap(),
            ef.efficient_return(0.05).unwrap(),
            ef.efficient_risk(0.3).unwrap(),
        ] {
            assert!((p.weights[0] - 1.0).abs() < 1e-12 && (p.volatility - 0.2).abs() < 1e-12, "{p:?}");
        }
    }

    #[test]
    fn warm_started_batches_equal_separate_solves() {
        let ef = three().with_weight_bounds(0.05, 0.6).unwrap();
        let top = ef.max_return().unwrap().expected_return;
        let targets: Vec<f64> = (0..25).map(|k| 0.05 + (top - 0.05) * k as f64 / 25.0).collect();
        let batch = ef.efficient_returns(&targets).unwrap();
        for (p, &t) in batch.iter().zip(&targets) {
            let alone = ef.efficient_return(t).unwrap();
            assert!(p.weights.iter().zip(&alone.weights).all(|(a, b)| (a - b).abs() < 1e-12), "{t}: {p:?} {alone:?}");
        }
        // A target out of reach anywhere in the batch is an error naming it.
        assert!(ef.efficient_returns(&[0.08, 1.0]).unwrap_err().to_string().contains("100.00 %"));
    }

    #[test]
    fn bad_covariances_are_refused() {
        let e =
            EfficientFrontier::new(vec![0.1, 0.2], vec![vec![0.04, 0.05], vec![0.05, 0.04]]).unwrap_err().to_string();
        assert!(e.contains("not positive semi-definite") && e.contains("-1.000e-2"), "{e}");
        let e =
            EfficientFrontier::new(vec![0.1, 0.2], vec![vec![0.04, 0.01], vec![0.02, 0.04]]).unwrap_err().to_string();
        assert!(e.contains("not symmetric"), "{e}");
        let e = EfficientFrontier::new(vec![0.1, 0.2, 0.3], vec![vec![0.04, 0.01], vec![0.01, 0.04]])
            .unwrap_err()
            .to_string();
        assert!(e.contains("2 rows for 3 expected returns"), "{e}");
        assert!(EfficientFrontier::new(vec![0.1, f64::NAN], vec![vec![1.0, 0.0], vec![0.0, 1.0]]).is_err());
        // Singular but semi-definite (two identical assets) is accepted and solved.
        let ef = EfficientFrontier::new(
            vec![0.1, 0.1, 0.05],
            vec![vec![0.04, 0.04, 0.0], vec![0.04, 0.04, 0.0], vec![0.0, 0.0, 0.01]],
        )
        .unwrap();
        let p = ef.min_volatility().unwrap();
        assert!((p.weights[2] - 0.8).abs() < 1e-7, "{p:?}");
        let r = ef.efficient_risk(0.15).unwrap();
        assert!((r.volatility - 0.15).abs() < 1e-7, "{r:?}");
    }
}
