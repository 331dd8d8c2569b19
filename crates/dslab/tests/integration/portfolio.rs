//! dslab::portfolio against PyPortfolioOpt (fixtures/portfolio/make_fixtures.py) on the S&P 500
//! prices in data/sp500_prices.csv: returns, annual means and covariance to 1e-10, efficient
//! weights to 1e-4 and their performance to 1e-6; and on small frontiers of 2 to 4 assets whose
//! weight bounds bind in every combination (small_cases.json).
#![cfg(feature = "portfolio")]

use std::path::PathBuf;

use dslab::portfolio::{
    EfficientFrontier, Portfolio, Prices, RandomPortfolioParams, Sampling, TRADING_DAYS_PER_YEAR, years_between,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixtures {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    tickers: Vec<String>,
    start: String,
    end: String,
    bounds: [f64; 2],
    days: usize,
    first_date: String,
    last_date: String,
    first_returns: Vec<Vec<f64>>,
    first_log_returns: Vec<Vec<f64>>,
    mean_compounded: Vec<f64>,
    mean_arithmetic: Vec<f64>,
    mean_log: Vec<f64>,
    covariance: Vec<Vec<f64>>,
    results: Vec<Solved>,
}

#[derive(Deserialize)]
struct Solved {
    method: String,
    argument: Option<f64>,
    weights: Vec<f64>,
    expected_return: f64,
    volatility: f64,
    sharpe_ratio: f64,
    tight_weights: Vec<f64>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> Fixtures {
    let path = root().join("tests/fixtures/portfolio/portfolio.json");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("read the fixtures")).expect("parse the fixtures")
}

fn prices() -> Prices {
    Prices::read(root().join("../../data/sp500_prices.csv")).expect("read data/sp500_prices.csv")
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

fn max_rel_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs() / y.abs().max(1e-300)).fold(0.0, f64::max)
}

#[test]
fn the_data_file_is_complete() {
    let p = prices();
    assert_eq!(p.len(), 8313);
    assert_eq!(p.tickers().len(), 20);
    assert_eq!((p.dates()[0].as_str(), p.dates()[p.len() - 1].as_str()), ("1990-01-02", "2022-12-28"));
    p.check_gaps().unwrap();
}

#[test]
fn returns_means_and_covariance_match_pyportfolioopt() {
    let all = prices();
    for case in fixtures().cases {
        let p = all.select(&case.tickers).unwrap().between(&case.start, &case.end).unwrap();
        assert_eq!(p.len(), case.days, "{}", case.name);
        assert_eq!((&p.dates()[0], &p.dates()[p.len() - 1]), (&case.first_date, &case.last_date));
        let simple = p.simple_returns().unwrap();
        let log = p.log_returns().unwrap();
        for t in 0..3 {
            let row: Vec<f64> = (0..case.tickers.len()).map(|j| simple.column(j)[t]).collect();
            assert!(max_abs_diff(&row, &case.first_returns[t]) < 1e-15, "{}", case.name);
            let row: Vec<f64> = (0..case.tickers.len()).map(|j| log.column(j)[t]).collect();
            assert!(max_abs_diff(&row, &case.first_log_returns[t]) < 1e-15, "{}", case.name);
        }
        assert!(max_rel_diff(&simple.compounded_annual(), &case.mean_compounded) < 1e-10, "{}", case.name);
        assert!(max_rel_diff(&simple.mean_annual(), &case.mean_arithmetic) < 1e-12, "{}", case.name);
        assert!(max_rel_diff(&log.mean_annual(), &case.mean_log) < 1e-12, "{}", case.name);
        let cov = simple.covariance_annual();
        for (ours, theirs) in cov.iter().zip(&case.covariance) {
            assert!(max_rel_diff(ours, theirs) < 1e-11, "{}", case.name);
        }
        // The frontier built from prices holds the same inputs.
        let ef = EfficientFrontier::from_prices(&p).unwrap();
        assert!(max_rel_diff(ef.expected_returns(), &case.mean_compounded) < 1e-10);
        assert_eq!(ef.assets(), case.tickers.as_slice());
    }
}

fn solve(ef: &EfficientFrontier, method: &str, argument: Option<f64>) -> Portfolio {
    match (method, argument) {
        ("min_volatility", None) => ef.min_volatility(),
        ("max_sharpe", Some(rf)) => ef.max_sharpe(rf),
        ("efficient_return", Some(target)) => ef.efficient_return(target),
        ("efficient_risk", Some(target)) => ef.efficient_risk(target),
        other => panic!("unknown fixture method {other:?}"),
    }
    .unwrap_or_else(|e| panic!("{method}({argument:?}): {e}"))
}

#[test]
fn efficient_portfolios_match_pyportfolioopt() {
    let mut worst = (0.0f64, 0.0f64);
    for case in fixtures().cases {
        let ef = EfficientFrontier::new(case.mean_compounded.clone(), case.covariance.clone())
            .unwrap()
            .with_weight_bounds(case.bounds[0], case.bounds[1])
            .unwrap();
        for expected in &case.results {
            let got = solve(&ef, &expected.method, expected.argument);
            let label = format!("{} / {}({:?})", case.name, expected.method, expected.argument);
            let dw = max_abs_diff(&got.weights, &expected.weights);
            let perf = [got.expected_return, got.volatility, got.sharpe_ratio];
            let dp = max_abs_diff(&perf, &[expected.expected_return, expected.volatility, expected.sharpe_ratio]);
            let dt = max_abs_diff(&got.weights, &expected.tight_weights);
            println!("{label}: weights within {dw:.1e} (tight solve {dt:.1e}), performance within {dp:.1e}");
            assert!(
                dw < 1e-4,
                "{label}: weights differ by {dw:e}\n ours   {:?}\n theirs {:?}",
                got.weights,
                expected.weights
            );
            assert!(dp < 1e-6, "{label}: performance differs by {dp:e}: ours {perf:?}");
            // Closer still to the same problem solved at tolerances of 1e-12.
            let dt = max_abs_diff(&got.weights, &expected.tight_weights);
            assert!(dt < 1e-6, "{label}: weights differ from the tight solve by {dt:e}");
            if expected.method == "efficient_risk" {
                // Polished to the exact optimum: the volatility is the target to rounding.
                let target = expected.argument.unwrap();
                assert!((got.volatility - target).abs() < 1e-12, "{label}: volatility {}", got.volatility);
            }
            // Our weights are feasible to rounding.
            assert!((got.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{label}");
            assert!(
                got.weights.iter().all(|w| *w >= case.bounds[0] - 1e-12 && *w <= case.bounds[1] + 1e-12),
                "{label}"
            );
            worst = (worst.0.max(dw), worst.1.max(dp));
        }
    }
    println!("worst: weights {:.1e}, performance {:.1e}", worst.0, worst.1);
}

#[derive(Deserialize)]
struct SmallCases {
    cases: Vec<SmallCase>,
}

#[derive(Deserialize)]
struct SmallCase {
    name: String,
    tickers: Vec<String>,
    expected_returns: Vec<f64>,
    covariance: Vec<Vec<f64>>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    results: Vec<SmallSolved>,
    frontier5: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct SmallSolved {
    method: String,
    argument: Option<f64>,
    /// PyPortfolioOpt's answer at its default solver settings.
    weights: Vec<f64>,
    /// The same problem at tolerances of 1e-12 (absent for max_return, a linear programme
    /// solved exactly).
    tight_weights: Option<Vec<f64>>,
}

/// Asserts that `weights` sum to one within the case's bounds, to rounding.
fn assert_feasible(case: &SmallCase, weights: &[f64], label: &str) {
    assert!(
        (weights.iter().sum::<f64>() - 1.0).abs() < 1e-12,
        "{label}: weights sum to {}",
        weights.iter().sum::<f64>()
    );
    for (i, w) in weights.iter().enumerate() {
        assert!(
            *w >= case.lower[i] - 1e-12 && *w <= case.upper[i] + 1e-12,
            "{label}: weight {i} is {w}, outside [{}, {}]: {weights:?}",
            case.lower[i],
            case.upper[i]
        );
    }
}

#[test]
fn small_frontiers_with_binding_bounds_match_pyportfolioopt() {
    let path = root().join("tests/fixtures/portfolio/small_cases.json");
    let small: SmallCases =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read small_cases.json")).expect("parse it");
    assert!(small.cases.len() >= 9);
    for case in &small.cases {
        let ef = EfficientFrontier::new(case.expected_returns.clone(), case.covariance.clone())
            .unwrap()
            .with_assets(&case.tickers)
            .unwrap()
            .with_asset_bounds(case.lower.clone(), case.upper.clone())
            .unwrap();
        for expected in &case.results {
            let label = format!("{} / {}({:?})", case.name, expected.method, expected.argument);
            let got = if expected.method == "max_return" {
                ef.max_return().unwrap()
            } else {
                solve(&ef, &expected.method, expected.argument)
            };
            assert_feasible(case, &got.weights, &label);
            let exact = expected.tight_weights.as_ref().unwrap_or(&expected.weights);
            let theirs = ef.evaluate(exact).unwrap();
            // The optimum itself: ours is as good as the tight solve's (where the objective is
            // flat the weights may still differ by a few 1e-7).
            let (ours, best) = match expected.method.as_str() {
                "min_volatility" | "efficient_return" => (-got.volatility, -theirs.volatility),
                "max_sharpe" => {
                    let rf = expected.argument.unwrap();
                    let sharpe = |p: &Portfolio| (p.expected_return - rf) / p.volatility;
                    (sharpe(&got), sharpe(&theirs))
                }
                _ => (got.expected_return, theirs.expected_return),
            };
            assert!(ours >= best - 1e-10, "{label}: objective {ours} below PyPortfolioOpt's {best}");
            match expected.method.as_str() {
                "efficient_return" => assert!(got.expected_return >= expected.argument.unwrap() - 1e-12, "{label}"),
                "efficient_risk" => assert!((got.volatility - expected.argument.unwrap()).abs() < 1e-12, "{label}"),
                _ => {}
            }
            let dt = max_abs_diff(&got.weights, exact);
            assert!(
                dt < 1e-5,
                "{label}: weights differ from the tight solve by {dt:e}\n ours   {:?}\n theirs {exact:?}",
                got.weights
            );
            let dw = max_abs_diff(&got.weights, &expected.weights);
            assert!(dw < 1e-4, "{label}: weights differ from PyPortfolioOpt's by {dw:e}");
            let dp = max_abs_diff(&[got.expected_return, got.volatility], &[theirs.expected_return, theirs.volatility]);
            assert!(dp < 1e-8, "{label}: performance differs by {dp:e}");
            println!("{label}: weights within {dt:.1e} of the tight solve, {dw:.1e} of PyPortfolioOpt's");
        }
        let curve = ef.frontier(5).unwrap();
        assert_eq!(curve.len(), case.frontier5.len(), "{}", case.name);
        for (k, (p, theirs)) in curve.iter().zip(&case.frontier5).enumerate() {
            let label = format!("{} / frontier(5)[{k}]", case.name);
            assert_feasible(case, &p.weights, &label);
            let d = max_abs_diff(&p.weights, theirs);
            assert!(d < 1e-6, "{label}: weights differ by {d:e}\n ours   {:?}\n theirs {theirs:?}", p.weights);
        }
    }
}

#[test]
fn a_warm_started_frontier_equals_separate_solves() {
    // Twenty assets: the warm start moves through many active sets.
    let case = &fixtures().cases[1];
    let ef = EfficientFrontier::new(case.mean_compounded.clone(), case.covariance.clone()).unwrap();
    let curve = ef.frontier(40).unwrap();
    assert!(
        curve
            .windows(2)
            .all(|p| p[1].expected_return > p[0].expected_return && p[1].volatility >= p[0].volatility - 1e-15)
    );
    for p in &curve[1..curve.len() - 1] {
        let alone = ef.efficient_return(p.expected_return).unwrap();
        let d = p.weights.iter().zip(&alone.weights).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(d < 1e-10, "target {}: {d:e}", p.expected_return);
    }
}

#[test]
fn random_portfolios_never_beat_the_frontier() {
    let case = &fixtures().cases[0];
    let ef = EfficientFrontier::new(case.mean_compounded.clone(), case.covariance.clone()).unwrap();
    let rf = 0.02;
    let tangency = ef.max_sharpe(rf).unwrap();
    let least = ef.min_volatility().unwrap();
    for sampling in [Sampling::NormalisedUniform, Sampling::Dirichlet] {
        let cloud = RandomPortfolioParams::new(50_000)
            .sampling(sampling)
            .seed(1)
            .risk_free_rate(rf)
            .sample(ef.expected_returns(), ef.covariance())
            .unwrap();
        let best = cloud.max_sharpe();
        assert!(cloud.sharpe_ratios()[best] <= tangency.sharpe_ratio + 1e-12);
        assert!(cloud.volatilities()[cloud.min_volatility()] >= least.volatility - 1e-12);
        // But a cloud this dense comes close.
        assert!(cloud.sharpe_ratios()[best] > 0.9 * tangency.sharpe_ratio, "{sampling}");
    }
}

#[test]
fn clear_errors() {
    let all = prices();
    // Gaps: a price removed from the middle of a column.
    let p = all.select(&["AAPL", "KO"]).unwrap().between("2020-01-01", "2020-12-31").unwrap();
    let mut columns: Vec<Vec<f64>> = (0..2).map(|j| p.column(j).to_vec()).collect();
    columns[1][10] = f64::NAN;
    let gappy = Prices::new(p.dates().to_vec(), p.tickers().to_vec(), columns).unwrap();
    let e = gappy.simple_returns().unwrap_err().to_string();
    assert!(e.contains(&format!("KO has no price on {}", p.dates()[10])), "{e}");
    assert!(EfficientFrontier::from_prices(&gappy).is_err());
    // Mismatched sizes.
    let e = EfficientFrontier::new(vec![0.1; 3], vec![vec![0.1, 0.0], vec![0.0, 0.1]]).unwrap_err().to_string();
    assert!(e.contains("2 rows for 3 expected returns"), "{e}");
    // Not positive semi-definite: correlations that cannot coexist.
    let cov = vec![vec![1.0, 0.9, -0.9], vec![0.9, 1.0, 0.9], vec![-0.9, 0.9, 1.0]];
    let e = EfficientFrontier::new(vec![0.1; 3], cov).unwrap_err().to_string();
    assert!(e.contains("not positive semi-definite"), "{e}");
    // Infeasible targets.
    let case = &fixtures().cases[0];
    let ef = EfficientFrontier::new(case.mean_compounded.clone(), case.covariance.clone()).unwrap();
    let e = ef.efficient_return(0.5).unwrap_err().to_string();
    assert!(e.contains("above the highest expected return") && e.contains("100 % asset 5"), "{e}");
    let least = ef.min_volatility().unwrap().volatility;
    let e = ef.efficient_risk(0.9 * least).unwrap_err().to_string();
    assert!(e.contains("below the minimum volatility"), "{e}");
    // Unknown tickers and empty date ranges.
    assert!(all.select(&["AAPL", "TSLA"]).unwrap_err().to_string().contains("no ticker `TSLA`"));
    assert!(all.between("2030-01-01", "2031-01-01").unwrap_err().to_string().contains("holds 0 dates"));
}

/// Two uncorrelated assets: the smallest frontier.
fn two_assets() -> EfficientFrontier {
    EfficientFrontier::new(vec![0.10, 0.04], vec![vec![0.04, 0.0], vec![0.0, 0.01]]).unwrap()
}

#[test]
fn a_frontier_of_absurdly_many_points_is_an_error() {
    let e = two_assets().frontier(1_000_000_000_000).unwrap_err().to_string();
    assert!(e.contains("frontier points") && e.contains("1000000000000 is more than 100000"), "{e}");
    assert!(two_assets().frontier(1).unwrap_err().to_string().contains("invalid frontier points"));
    assert_eq!(two_assets().frontier(3).unwrap().len(), 3);
}

#[test]
fn absurdly_many_random_portfolios_are_an_error() {
    let ef = two_assets();
    let e = RandomPortfolioParams::new(1_000_000_000_000).sample(ef.expected_returns(), ef.covariance());
    let e = e.unwrap_err().to_string();
    assert!(e.contains("number of portfolios") && e.contains("1000000000000 is more than the 20000000"), "{e}");
    assert!(ef.random_portfolios(&RandomPortfolioParams::new(usize::MAX)).is_err());
}

#[test]
fn keeping_too_many_random_weights_is_an_error() {
    // 20 million portfolios of 6 assets: 120 million weights, more than are kept, so nothing is
    // allocated; without the weights the same draw is allowed (not run here: it takes a while).
    let cov: Vec<Vec<f64>> = (0..6).map(|i| (0..6).map(|j| if i == j { 0.04 } else { 0.0 }).collect()).collect();
    let e = RandomPortfolioParams::new(20_000_000).sample(&[0.1; 6], &cov).unwrap_err().to_string();
    assert!(e.contains("number of portfolios") && e.contains("would keep 120000000 weights"), "{e}");
    assert!(e.contains("keep_weights(false)"), "{e}");
}

#[test]
fn weights_of_a_missing_asset_are_an_error() {
    let cloud = two_assets().random_portfolios(&RandomPortfolioParams::new(10)).unwrap();
    assert_eq!(cloud.asset_weights(1).unwrap().len(), 10);
    let e = cloud.asset_weights(2).unwrap_err().to_string();
    assert!(e.contains("asset index") && e.contains("2 is past the last of 2 assets"), "{e}");
}

#[test]
fn a_window_in_calendar_years_and_trading_days() {
    // 2013-01-01 to 2023-01-01: ten years of 365 days and two leap days (2016, 2020).
    assert!((years_between("2013-01-01", "2023-01-01").unwrap() - 3652.0 / 365.25).abs() < 1e-12);
    assert_eq!(years_between("2020-02-28", "2020-03-01").unwrap() * 365.25, 2.0);
    assert_eq!(years_between("2021-02-28", "2021-03-01").unwrap() * 365.25, 1.0);
    assert_eq!(years_between("2000-02-28", "2000-03-01").unwrap() * 365.25, 2.0); // 2000 is a leap year
    assert_eq!(years_between("1900-02-28", "1900-03-01").unwrap() * 365.25, 1.0); // 1900 is not
    let window = prices().between("2013-01-01", "2022-12-28").unwrap();
    assert_eq!(window.len(), 2516);
    let years = window.span_years().unwrap();
    assert!((years - years_between("2013-01-02", "2022-12-28").unwrap()).abs() < 1e-12);
    assert!((9.9..10.0).contains(&years), "{years}");
    let per_year = window.trading_days_per_year().unwrap();
    assert!((per_year - TRADING_DAYS_PER_YEAR).abs() < 2.0, "{per_year}");
}

#[test]
fn impossible_dates_and_windows_are_errors() {
    let e = years_between("2023-02-29", "2024-01-01").unwrap_err().to_string();
    assert!(e.contains("`2023-02-29` has day 29; that month has 28 days"), "{e}");
    let e = years_between("2020-01-01", "2020-13-01").unwrap_err().to_string();
    assert!(e.contains("`2020-13-01` has month 13"), "{e}");
    let e = years_between("2020-1-1", "2020-12-01").unwrap_err().to_string();
    assert!(e.contains("`2020-1-1` is not written YYYY-MM-DD"), "{e}");
    let e = years_between("0000-01-01", "2020-12-01").unwrap_err().to_string();
    assert!(e.contains("year 0"), "{e}");
    let e = years_between("2022-01-01", "2021-01-01").unwrap_err().to_string();
    assert!(e.contains("the end 2021-01-01 is before the start 2022-01-01"), "{e}");
    let one_day = prices().between("2022-12-27", "2022-12-28").unwrap();
    assert!(one_day.trading_days_per_year().is_ok());
    let empty = Prices::new(Vec::new(), vec!["A".into()], vec![Vec::new()]).unwrap();
    assert!(empty.span_years().unwrap_err().to_string().contains("no dates"));
    let same_day = Prices::new(vec!["2024-01-02".into()], vec!["A".into()], vec![vec![1.0]]).unwrap();
    let e = same_day.trading_days_per_year().unwrap_err().to_string();
    assert!(e.contains("spans no time"), "{e}");
}
