//! Benchmark: the ARIMA(p, 1, q) grid, p and q in 0..=4, on the first 200 values of the CO2
//! series, fitted by dslab and by statsmodels (benches/tsa_reference.py) in the same run.
//!
//! ```text
//! DSLAB_REF_PYTHON=/path/to/python cargo run --release --features tsa --example bench_tsa
//! ```
//! Prints both times (the best of several repeats for each), their ratio, both best orders
//! and how the log-likelihoods compare order by order.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    use dslab::tsa::ArimaGrid;
    use std::time::Instant;

    let manifest = env!("CARGO_MANIFEST_DIR");
    let root = std::path::Path::new(manifest).join("../..");
    let table = dslab::data::CsvTable::read(root.join("data/co2_global_1800_2014.csv"))?;
    let y = table.f64_column("emissions")?;
    let train = &y[..200];
    let repeats = 20;

    let grid = ArimaGrid::new(0..=4, [1], 0..=4);
    let mut best_time = f64::INFINITY;
    let mut search = grid.fit(train)?;
    for _ in 0..repeats {
        let start = Instant::now();
        search = grid.fit(train)?;
        best_time = best_time.min(start.elapsed().as_secs_f64());
    }
    println!(
        "dslab:       {} fits in {:.4} s (best of {repeats})",
        search.entries.len() + search.failures.len(),
        best_time
    );

    let python = std::env::var("DSLAB_REF_PYTHON").unwrap_or_else(|_| ".venv-ref/bin/python".into());
    let script = std::path::Path::new(manifest).join("benches/tsa_reference.py");
    let output = std::process::Command::new(&python).arg(&script).arg("3").output();
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!("{python} {} failed:\n{}", script.display(), String::from_utf8_lossy(&o.stderr));
            return Ok(());
        }
        Err(e) => {
            eprintln!("cannot run {python} (set DSLAB_REF_PYTHON to a Python with statsmodels): {e}");
            return Ok(());
        }
    };
    let reference: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let ref_time = reference["seconds"].as_f64().ok_or("no `seconds` in the reference output")?;
    println!("statsmodels: 25 fits in {ref_time:.4} s (best of 3)");
    println!("ratio:       dslab is {:.1} times faster", ref_time / best_time);

    let mut ref_best = (f64::INFINITY, String::new());
    let mut within = 0;
    let mut higher = 0;
    let mut lower = 0;
    println!("\norder      dslab loglik   statsmodels loglik   difference   statsmodels converged");
    for fit in reference["fits"].as_array().ok_or("no `fits`")? {
        let o: Vec<usize> =
            fit["order"].as_array().ok_or("order")?.iter().filter_map(|v| v.as_u64().map(|v| v as usize)).collect();
        let order = (o[0], o[1], o[2]);
        let ref_ll = fit["loglik"].as_f64().ok_or("loglik")?;
        let aic = fit["aic"].as_f64().ok_or("aic")?;
        if aic < ref_best.0 {
            ref_best = (aic, format!("{order:?}"));
        }
        let ours = search.get(order).map(|e| e.fit.loglik()).unwrap_or(f64::NAN);
        let diff = ours - ref_ll;
        if diff.abs() <= 1e-3 {
            within += 1;
        } else if diff > 0.0 {
            higher += 1;
        } else {
            lower += 1;
        }
        println!("{:<10} {ours:>13.6} {ref_ll:>20.6} {diff:>+12.2e}   {}", format!("{order:?}"), fit["converged"]);
    }
    let best = search.entries[0].order;
    println!(
        "\nbest order by AIC: dslab {best:?} (AIC {:.3}), statsmodels {} (AIC {:.3})",
        search.entries[0].score, ref_best.1, ref_best.0
    );
    println!("log-likelihoods: {within} of 25 within 1e-3; dslab higher at {higher}, lower at {lower}");
    Ok(())
}
