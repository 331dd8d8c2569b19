//! Benchmark: the efficient frontier of the 20 S&P 500 stocks (2010-2022) at 100 target returns,
//! plus min_volatility and max_sharpe, by dslab and by PyPortfolioOpt
//! (benches/portfolio_reference.py) in the same run; then one million random portfolios of the
//! 20 assets, both ways of drawing them.
//!
//! ```text
//! DSLAB_REF_PYTHON=/path/to/python cargo run --release --features portfolio --example bench_portfolio
//! ```
//! Prints both times (best of several repeats), their ratio, and how far apart the weights of
//! the 102 portfolios are. PyPortfolioOpt runs twice: with its defaults (OSQP, which stops at a
//! tolerance of 1e-5 and is up to 3e-3 off in the weights near the top of this frontier) and
//! with Clarabel at tolerances of 1e-10 (accurate to about 1e-8).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    use dslab::portfolio::{EfficientFrontier, Portfolio, Prices, RandomPortfolioParams, Sampling};
    use std::io::Write;
    use std::process::{Command, Stdio};
    use std::time::Instant;

    const START: &str = "2010-01-01";
    const END: &str = "2022-12-28";
    const RISK_FREE_RATE: f64 = 0.02;
    const TARGETS: usize = 100;
    const REPEATS: usize = 5;
    const RANDOM: usize = 1_000_000;

    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = manifest.join("../../data/sp500_prices.csv");
    let prices = Prices::read(&data)?.between(START, END)?;
    let ef = EfficientFrontier::from_prices(&prices)?;
    let low = ef.min_volatility()?.expected_return;
    let high = ef.max_return()?.expected_return;
    // 100 targets from the minimum-volatility return towards (not reaching) the highest return.
    let targets: Vec<f64> = (0..TARGETS).map(|k| low + (high - low) * k as f64 / TARGETS as f64).collect();
    println!(
        "{} assets, {} days from {} to {}",
        prices.tickers().len(),
        prices.len(),
        prices.dates()[0],
        prices.dates()[prices.len() - 1]
    );

    // The frontier as one call (each target warm-started from the previous one's active set),
    // and as 100 separate calls (each solved by Clarabel from scratch, then polished).
    // The minimum-volatility portfolio, the tangency portfolio and the frontier.
    type Picks = (Portfolio, Portfolio, Vec<Portfolio>);
    let run = |batch: bool| -> dslab::Result<Picks> {
        let ef = EfficientFrontier::from_prices(&prices)?;
        let least = ef.min_volatility()?;
        let tangency = ef.max_sharpe(RISK_FREE_RATE)?;
        let curve = if batch {
            ef.efficient_returns(&targets)?
        } else {
            targets.iter().map(|&t| ef.efficient_return(t)).collect::<dslab::Result<Vec<_>>>()?
        };
        Ok((least, tangency, curve))
    };
    let time = |batch: bool| -> dslab::Result<(f64, Picks)> {
        let mut out = run(batch)?;
        let mut best = f64::INFINITY;
        for _ in 0..REPEATS {
            let start = Instant::now();
            out = run(batch)?;
            best = best.min(start.elapsed().as_secs_f64());
        }
        Ok((best, out))
    };
    let (best, ours) = time(true)?;
    let (cold, separate) = time(false)?;
    println!(
        "dslab:          min_volatility + max_sharpe + efficient_returns at {TARGETS} targets: {best:.4} s (best of {REPEATS}; mean and covariance from prices included)"
    );
    println!("                the same with {TARGETS} separate efficient_return calls (no warm start): {cold:.4} s");
    let diff = |a: &[f64], b: &[f64]| -> f64 {
        if a.len() != b.len() {
            return f64::INFINITY;
        }
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
    };
    let warm_vs_cold = ours.2.iter().zip(&separate.2).map(|(a, b)| diff(&a.weights, &b.weights)).fold(0.0, f64::max);
    println!("                warm-started and separate answers agree within {warm_vs_cold:.1e}");

    let python = std::env::var("DSLAB_REF_PYTHON").unwrap_or_else(|_| ".venv-ref/bin/python".into());
    let script = manifest.join("benches/portfolio_reference.py");
    let request = serde_json::json!({
        "prices": data, "tickers": prices.tickers(), "start": START, "end": END,
        "risk_free_rate": RISK_FREE_RATE, "targets": targets, "repeats": 3,
    });
    let child =
        Command::new(&python).arg(&script).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let reference = match child {
        Ok(mut child) => {
            child.stdin.take().ok_or("no stdin")?.write_all(request.to_string().as_bytes())?;
            let output = child.wait_with_output()?;
            if output.status.success() {
                Some(serde_json::from_slice::<serde_json::Value>(&output.stdout)?)
            } else {
                eprintln!("{python} {} failed:\n{}", script.display(), String::from_utf8_lossy(&output.stderr));
                None
            }
        }
        Err(e) => {
            eprintln!("cannot run {python} (set DSLAB_REF_PYTHON to a Python with PyPortfolioOpt): {e}");
            None
        }
    };
    for config in reference.as_ref().and_then(|r| r.as_array()).into_iter().flatten() {
        let name = config["name"].as_str().unwrap_or("?");
        let ref_time = config["seconds"].as_f64().ok_or("no `seconds` in the reference output")?;
        let weights = |v: &serde_json::Value| -> Vec<f64> {
            v.as_array().map(|a| a.iter().filter_map(|x| x.as_f64()).collect()).unwrap_or_default()
        };
        let mut worst = diff(&ours.0.weights, &weights(&config["min_volatility"]));
        worst = worst.max(diff(&ours.1.weights, &weights(&config["max_sharpe"])));
        let frontier = config["frontier"].as_array().ok_or("no `frontier`")?;
        let mut beyond = 0;
        for (p, w) in ours.2.iter().zip(frontier) {
            let d = diff(&p.weights, &weights(w));
            beyond += usize::from(d > 1e-4);
            worst = worst.max(d);
        }
        println!(
            "PyPortfolioOpt, {name}: the same {} portfolios in {ref_time:.4} s (best of 3; mean and covariance not timed)",
            TARGETS + 2
        );
        println!(
            "    ratio: dslab is {:.0} times faster ({:.0} times with separate calls)",
            ref_time / best,
            ref_time / cold
        );
        println!(
            "    weights: largest difference {worst:.1e}; {beyond} of the {TARGETS} frontier portfolios differ by more than 1e-4"
        );
    }

    let (mu, cov) = (ef.expected_returns(), ef.covariance());
    for sampling in [Sampling::NormalisedUniform, Sampling::Dirichlet] {
        for keep in [true, false] {
            let params = RandomPortfolioParams::new(RANDOM)
                .sampling(sampling)
                .seed(42)
                .risk_free_rate(RISK_FREE_RATE)
                .keep_weights(keep);
            let mut best = f64::INFINITY;
            let mut sharpe = 0.0;
            for _ in 0..3 {
                let start = Instant::now();
                let cloud = params.sample(mu, cov)?;
                best = best.min(start.elapsed().as_secs_f64());
                sharpe = cloud.sharpe_ratios()[cloud.max_sharpe()];
            }
            println!(
                "random:         {RANDOM} portfolios of {} assets, {sampling}, weights {}: {:.3} s (best of 3; best Sharpe ratio {sharpe:.3})",
                mu.len(),
                if keep { "kept" } else { "not kept" },
                best
            );
        }
    }
    Ok(())
}
