//! Order selection: fit every ARIMA(p, d, q) in a grid and rank the fits by an information
//! criterion.

use super::{Arima, ArimaFit};
use crate::table::Table;
use crate::{Error, Result};

/// The most values a grid takes for each of `p`, `d` and `q`; more are not even collected, so
/// that a range such as `0..usize::MAX` is an error rather than an allocation that aborts.
const MAX_VALUES: usize = 100;

/// The most orders one grid fits (each is a maximum-likelihood fit).
const MAX_ORDERS: usize = 1_000;

/// Which information criterion ranks the models (smaller is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    /// Akaike: `-2 loglik + 2k`.
    Aic,
    /// Akaike with the small-sample correction.
    Aicc,
    /// Schwarz / Bayesian: `-2 loglik + k ln n`.
    Bic,
}

impl Criterion {
    /// The criterion's value for a fit.
    pub fn of(&self, fit: &ArimaFit) -> f64 {
        match self {
            Criterion::Aic => fit.aic(),
            Criterion::Aicc => fit.aicc(),
            Criterion::Bic => fit.bic(),
        }
    }

    /// Its usual abbreviation.
    pub fn name(&self) -> &'static str {
        match self {
            Criterion::Aic => "AIC",
            Criterion::Aicc => "AICc",
            Criterion::Bic => "BIC",
        }
    }
}

/// The grid of orders to try. Compare criteria only between models with the same `d`: the
/// likelihoods of differently differenced series are not on the same footing.
///
/// ```
/// use dslab::tsa::{ArimaGrid, Criterion};
/// let y: Vec<f64> = (0..60).map(|t| (t as f64 * 0.9).sin() + 0.1 * t as f64).collect();
/// let search = ArimaGrid::new(0..=1, [1], 0..=1).criterion(Criterion::Bic).fit(&y)?;
/// assert_eq!(search.entries.len() + search.failures.len(), 4);
/// let best = search.best();
/// assert!(best.bic() <= search.entries[1].fit.bic());
/// # Ok::<(), dslab::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArimaGrid {
    p: Vec<usize>,
    d: Vec<usize>,
    q: Vec<usize>,
    criterion: Criterion,
}

/// One fitted order of a grid search.
#[derive(Debug, Clone)]
pub struct GridEntry {
    /// `(p, d, q)`.
    pub order: (usize, usize, usize),
    /// The criterion's value (the ranking key).
    pub score: f64,
    /// The fit itself.
    pub fit: ArimaFit,
}

/// Every fit of a grid, best first, and the orders that could not be fitted.
#[derive(Debug, Clone)]
pub struct GridSearch {
    /// The criterion used for ranking.
    pub criterion: Criterion,
    /// Successful fits sorted by the criterion, best first.
    pub entries: Vec<GridEntry>,
    /// Orders that failed, with the reason.
    pub failures: Vec<((usize, usize, usize), String)>,
}

impl ArimaGrid {
    /// Every combination of the given `p`, `d` and `q` values, ranked by AIC by default.
    ///
    /// At most 100 values each and 1 000 orders in all; [`ArimaGrid::fit`] refuses more.
    pub fn new(
        p: impl IntoIterator<Item = usize>,
        d: impl IntoIterator<Item = usize>,
        q: impl IntoIterator<Item = usize>,
    ) -> Self {
        // One value past the limit is kept, so that `fit` can tell that there were too many.
        let take = |values: &mut dyn Iterator<Item = usize>| values.take(MAX_VALUES + 1).collect();
        ArimaGrid {
            p: take(&mut p.into_iter()),
            d: take(&mut d.into_iter()),
            q: take(&mut q.into_iter()),
            criterion: Criterion::Aic,
        }
    }

    /// Ranks by another criterion.
    pub fn criterion(mut self, criterion: Criterion) -> Self {
        self.criterion = criterion;
        self
    }

    /// The orders in the grid, in fitting order.
    pub fn orders(&self) -> Vec<(usize, usize, usize)> {
        let mut orders = Vec::new();
        for &d in &self.d {
            for &p in &self.p {
                for &q in &self.q {
                    orders.push((p, d, q));
                }
            }
        }
        orders
    }

    /// Fits every order to `y`. Orders that fail (too short a series, no convergence) are
    /// listed in `failures`; it is an error only when none succeeds.
    pub fn fit(&self, y: &[f64]) -> Result<GridSearch> {
        for (what, values) in [("p values", &self.p), ("d values", &self.d), ("q values", &self.q)] {
            if values.len() > MAX_VALUES {
                return Err(Error::invalid(
                    what,
                    format!(
                        "the grid takes at most {MAX_VALUES} values each for p, d and q (the first are {:?}, ...)",
                        &values[..3]
                    ),
                ));
            }
        }
        let count = self.p.len() * self.d.len() * self.q.len();
        if count > MAX_ORDERS {
            return Err(Error::invalid(
                "grid",
                format!(
                    "{} p values × {} d values × {} q values make {count} orders, more than the {MAX_ORDERS} one grid fits",
                    self.p.len(),
                    self.d.len(),
                    self.q.len()
                ),
            ));
        }
        let orders = self.orders();
        if orders.is_empty() {
            return Err(Error::invalid("grid", "the grid is empty: give at least one value each for p, d and q"));
        }
        let mut entries = Vec::new();
        let mut failures = Vec::new();
        for (p, d, q) in orders {
            match Arima::new(p, d, q).fit(y) {
                Ok(fit) => entries.push(GridEntry { order: (p, d, q), score: self.criterion.of(&fit), fit }),
                Err(err) => failures.push(((p, d, q), err.to_string())),
            }
        }
        if entries.is_empty() {
            return Err(Error::not_converged(
                "ARIMA grid search",
                format!("no order could be fitted; first failure: {}", failures[0].1),
            ));
        }
        entries.sort_by(|a, b| a.score.total_cmp(&b.score));
        Ok(GridSearch { criterion: self.criterion, entries, failures })
    }
}

impl GridSearch {
    /// The best fit by the criterion.
    pub fn best(&self) -> &ArimaFit {
        &self.entries[0].fit
    }

    /// The entry for one order, if it was fitted.
    pub fn get(&self, order: (usize, usize, usize)) -> Option<&GridEntry> {
        self.entries.iter().find(|e| e.order == order)
    }

    /// A ranked table of the fits (at most `max_rows` rows are shown) and any failures.
    pub fn table(&self) -> Table {
        let mut table = Table::new(["rank", "order (p, d, q)", "log-likelihood", "AIC", "AICc", "BIC"])
            .caption(format!("ARIMA grid ranked by {} (smaller is better)", self.criterion.name()));
        for (rank, e) in self.entries.iter().enumerate() {
            let (p, d, q) = e.order;
            let _ = table.push_row([
                format!("{}", rank + 1),
                format!("({p}, {d}, {q})"),
                format!("{:.3}", e.fit.loglik()),
                format!("{:.3}", e.fit.aic()),
                format!("{:.3}", e.fit.aicc()),
                format!("{:.3}", e.fit.bic()),
            ]);
        }
        for ((p, d, q), why) in &self.failures {
            let _ = table.push_row([
                "failed".to_string(),
                format!("({p}, {d}, {q})"),
                why.clone(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        table
    }

    /// Shows [`GridSearch::table`] in a notebook.
    pub fn evcxr_display(&self) {
        self.table().evcxr_display();
    }
}
