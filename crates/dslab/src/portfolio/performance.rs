//! A portfolio's weights and the three numbers that judge it: expected return, volatility and
//! Sharpe ratio.

use crate::table::Table;
use crate::{Error, Result};

use super::linalg;
use super::returns::percent;

/// A portfolio: its weights (in the assets' order) and its expected performance.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    /// The fraction of the money in each asset, in the order of the inputs; they sum to 1.
    pub weights: Vec<f64>,
    /// The assets' names, in the same order (`asset 1`, `asset 2`, ... when none were given).
    pub assets: Vec<String>,
    /// Expected annual return `wᵀμ`.
    pub expected_return: f64,
    /// Annual volatility `√(wᵀΣw)`: the standard deviation of the annual return.
    pub volatility: f64,
    /// Sharpe ratio `(return - risk-free rate) / volatility`: return earned per unit of risk.
    pub sharpe_ratio: f64,
    /// The risk-free rate the Sharpe ratio was computed with.
    pub risk_free_rate: f64,
}

impl Portfolio {
    /// The performance of `weights` given expected returns `mu` and covariance `cov`.
    ///
    /// ```
    /// use dslab::portfolio::Portfolio;
    /// let mu = [0.10, 0.04];
    /// let cov = vec![vec![0.04, 0.0], vec![0.0, 0.01]];
    /// let p = Portfolio::evaluate(&[0.5, 0.5], &mu, &cov, 0.0)?;
    /// assert!((p.expected_return - 0.07).abs() < 1e-12);
    /// assert!((p.volatility - (0.25f64 * 0.04 + 0.25 * 0.01).sqrt()).abs() < 1e-12);
    /// # Ok::<(), dslab::Error>(())
    /// ```
    pub fn evaluate(weights: &[f64], mu: &[f64], cov: &[Vec<f64>], risk_free_rate: f64) -> Result<Portfolio> {
        let n = mu.len();
        if weights.len() != n {
            return Err(Error::invalid("weights", format!("{} weights for {n} assets", weights.len())));
        }
        if cov.len() != n || cov.iter().any(|row| row.len() != n) {
            return Err(Error::invalid("covariance", format!("it must be {n} x {n} to match {n} expected returns")));
        }
        if let Some(i) = weights.iter().position(|w| !w.is_finite()) {
            return Err(Error::invalid("weights", format!("weight {} is {}", i + 1, weights[i])));
        }
        if !risk_free_rate.is_finite() {
            return Err(Error::invalid("risk-free rate", format!("{risk_free_rate} is not a number")));
        }
        Ok(Portfolio::from_parts(weights.to_vec(), default_names(n), mu, cov, risk_free_rate))
    }

    pub(crate) fn from_parts(
        weights: Vec<f64>,
        assets: Vec<String>,
        mu: &[f64],
        cov: &[Vec<f64>],
        rf: f64,
    ) -> Portfolio {
        // `+ 0.0` turns a weight of -0.0 (an exact zero from the polishing) into 0.0.
        let weights: Vec<f64> = weights.into_iter().map(|w| w + 0.0).collect();
        let expected_return = linalg::dot(&weights, mu);
        let volatility = linalg::quad_form(cov, &weights).max(0.0).sqrt();
        Portfolio {
            weights,
            assets,
            expected_return,
            volatility,
            sharpe_ratio: (expected_return - rf) / volatility,
            risk_free_rate: rf,
        }
    }

    /// The same portfolio with asset names (one per weight).
    pub fn with_assets<S: AsRef<str>>(mut self, names: &[S]) -> Result<Portfolio> {
        if names.len() != self.weights.len() {
            return Err(Error::invalid(
                "asset names",
                format!("{} names for {} weights", names.len(), self.weights.len()),
            ));
        }
        self.assets = names.iter().map(|s| s.as_ref().to_owned()).collect();
        Ok(self)
    }

    /// The weight of the asset called `name`, if there is one.
    pub fn weight_of(&self, name: &str) -> Option<f64> {
        self.assets.iter().position(|a| a == name).and_then(|i| self.weights.get(i).copied())
    }

    /// A table of the weights (in percent) with the portfolio's performance below them.
    pub fn table(&self) -> Table {
        weights_table(&[("weight", self)]).unwrap_or_else(|_| Table::new(["weight"]))
    }

    /// Shows [`Portfolio::table`] in a notebook.
    pub fn evcxr_display(&self) {
        self.table().evcxr_display();
    }
}

pub(crate) fn default_names(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("asset {i}")).collect()
}

/// Side-by-side weights of several portfolios over the same assets, one column each, with
/// expected return, volatility and Sharpe ratio in the last rows.
///
/// ```
/// use dslab::portfolio::{weights_table, Portfolio};
/// let cov = vec![vec![0.04, 0.0], vec![0.0, 0.01]];
/// let a = Portfolio::evaluate(&[0.5, 0.5], &[0.1, 0.04], &cov, 0.0)?;
/// let b = Portfolio::evaluate(&[0.2, 0.8], &[0.1, 0.04], &cov, 0.0)?;
/// let table = weights_table(&[("even", &a), ("cautious", &b)])?;
/// assert_eq!(table.headers(), ["asset", "even", "cautious"]);
/// # Ok::<(), dslab::Error>(())
/// ```
pub fn weights_table(portfolios: &[(&str, &Portfolio)]) -> Result<Table> {
    let Some((_, first)) = portfolios.first() else {
        return Err(Error::invalid("portfolios", "give at least one portfolio to tabulate"));
    };
    if let Some((name, _)) = portfolios.iter().find(|(_, p)| p.assets != first.assets) {
        return Err(Error::invalid("portfolios", format!("`{name}` holds other assets than the first portfolio")));
    }
    // The fields are public: a portfolio built by hand may have fewer weights than names.
    if let Some((name, p)) = portfolios.iter().find(|(_, p)| p.weights.len() != p.assets.len()) {
        return Err(Error::invalid(
            "portfolios",
            format!("`{name}` has {} weights for {} assets", p.weights.len(), p.assets.len()),
        ));
    }
    let headers = std::iter::once("asset").chain(portfolios.iter().map(|(name, _)| *name));
    let mut table =
        Table::new(headers).max_rows(first.assets.len() + 3).caption("Weights and expected performance (annual)");
    for (i, asset) in first.assets.iter().enumerate() {
        table.push_row(std::iter::once(asset.clone()).chain(portfolios.iter().map(|(_, p)| percent(p.weights[i]))))?;
    }
    table.push_row(
        std::iter::once("expected return".to_owned()).chain(portfolios.iter().map(|(_, p)| percent(p.expected_return))),
    )?;
    table.push_row(
        std::iter::once("volatility".to_owned()).chain(portfolios.iter().map(|(_, p)| percent(p.volatility))),
    )?;
    table.push_row(
        std::iter::once("Sharpe ratio".to_owned())
            .chain(portfolios.iter().map(|(_, p)| format!("{:.3}", p.sharpe_ratio))),
    )?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluate_checks_sizes() {
        let cov = vec![vec![0.04, 0.01], vec![0.01, 0.09]];
        assert!(
            Portfolio::evaluate(&[1.0], &[0.1, 0.2], &cov, 0.0)
                .unwrap_err()
                .to_string()
                .contains("1 weights for 2 assets")
        );
        assert!(Portfolio::evaluate(&[0.5, 0.5], &[0.1, 0.2, 0.3], &cov, 0.0).is_err());
        let p = Portfolio::evaluate(&[0.5, 0.5], &[0.1, 0.2], &cov, 0.05).unwrap();
        let vol = (0.25f64 * 0.04 + 0.25 * 0.09 + 2.0 * 0.25 * 0.01).sqrt();
        assert!((p.volatility - vol).abs() < 1e-15 && (p.sharpe_ratio - 0.1 / vol).abs() < 1e-12);
        let p = p.with_assets(&["X", "Y"]).unwrap();
        assert_eq!(p.weight_of("Y"), Some(0.5));
        assert!(p.table().to_html().contains("Sharpe ratio"));
        let mut short = p.clone();
        short.weights.pop();
        assert_eq!(short.weight_of("Y"), None);
        let e = weights_table(&[("short", &short)]).unwrap_err().to_string();
        assert!(e.contains("`short` has 1 weights for 2 assets"), "{e}");
    }
}
