//! Modern Portfolio Theory (Markowitz): from prices to returns, risks and the efficient frontier.
//!
//! The notebook `05-portfolio-risk` follows the recipe of searching random portfolios for the
//! best mix of assets; this module keeps the tested pieces:
//!
//! | step | items | file |
//! |---|---|---|
//! | prices, their gaps and their window in years | [`Prices`], [`years_between`] | `prices.rs` |
//! | daily returns, annual means, covariance | [`Returns`], [`ReturnKind`], [`TRADING_DAYS_PER_YEAR`] | `returns.rs` |
//! | a portfolio's return, volatility, Sharpe ratio | [`Portfolio`], [`weights_table`] | `performance.rs` |
//! | random portfolios, two ways | [`RandomPortfolioParams`], [`Sampling`], [`RandomPortfolios`] | `random_portfolios.rs` |
//! | the exact frontier as quadratic programmes | [`EfficientFrontier`] | `frontier.rs` |
//!
//! Returns are annualised with 252 trading days. Expected returns, volatilities and the
//! efficient portfolios match PyPortfolioOpt (`tests/portfolio.rs` holds them to 1e-6 and the
//! weights to 1e-4); the quadratic programmes are solved by Clarabel and polished to the exact
//! optimum.
//!
//! ```
//! use dslab::portfolio::{EfficientFrontier, Prices};
//! // Three assets over six days (synthetic).
//! let dates = (2..=7).map(|d| format!("2024-01-{d:02}")).collect();
//! let prices = Prices::new(dates, vec!["A".into(), "B".into(), "C".into()], vec![
//!     vec![100.0, 101.0, 103.0, 102.0, 104.0, 106.0],
//!     vec![50.0, 49.5, 50.5, 51.0, 50.0, 51.5],
//!     vec![20.0, 20.4, 20.2, 20.6, 21.0, 20.8],
//! ])?;
//! let ef = EfficientFrontier::from_prices(&prices)?;
//! let safest = ef.min_volatility()?;
//! let tangency = ef.max_sharpe(0.02)?;
//! assert!(safest.volatility <= tangency.volatility);
//! assert!((tangency.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
//! # Ok::<(), dslab::Error>(())
//! ```

mod frontier;
mod linalg;
mod performance;
mod prices;
mod qp;
mod random_portfolios;
mod returns;

pub use frontier::EfficientFrontier;
pub use performance::{Portfolio, weights_table};
pub use prices::{Prices, years_between};
pub use random_portfolios::{RandomPortfolioParams, RandomPortfolios, Sampling};
pub use returns::{ReturnKind, Returns, TRADING_DAYS_PER_YEAR};
