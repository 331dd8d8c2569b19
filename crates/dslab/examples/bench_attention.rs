//! Times `scaled_dot_product_attention` at the translator's batch shape (64, 8, 41, 64) on
//! burn-ndarray and, in the same run, numpy on the same shapes (float32), and prints the ratio.
//!
//! `cargo run --release --features attention --example bench_attention`
//! (the reference needs numpy: `DSLAB_REF_PYTHON` names the Python, default `.venv-ref/bin/python`).

fn main() {
    use burn::tensor::{Distribution, Tensor};
    use dslab::attention::{self, scaled_dot_product_attention};
    use std::time::Instant;

    let shape = [64usize, 8, 41, 64];
    let repeats = 50;
    let device = attention::device();
    device.seed(0);
    let make = || Tensor::<4>::random(shape, Distribution::Normal(0.0, 1.0), &device);
    let (q, k, v) = (make(), make(), make());
    let run = || {
        let (context, weights) = scaled_dot_product_attention(q.clone(), k.clone(), v.clone(), None);
        // Reading the results back makes sure the work is done, as a notebook would.
        let _ = (context.into_data(), weights.into_data());
    };
    run();
    let mut times: Vec<f64> = (0..repeats)
        .map(|_| {
            let t0 = Instant::now();
            run();
            t0.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let burn = times[repeats / 2];
    println!("scaled_dot_product_attention at {shape:?}, median of {repeats}:");
    println!("  burn-ndarray {:8.3} ms", burn * 1e3);

    let python = std::env::var("DSLAB_REF_PYTHON").unwrap_or_else(|_| ".venv-ref/bin/python".to_owned());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/attention_reference.py");
    let args: Vec<String> = shape.iter().map(usize::to_string).chain([repeats.to_string()]).collect();
    match std::process::Command::new(&python).arg(script).args(&args).output() {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let numpy: f64 = text.split_whitespace().nth(1).and_then(|t| t.parse().ok()).expect("numpy time");
            println!("  numpy        {:8.3} ms", numpy * 1e3);
            println!("  ratio burn / numpy = {:.2} (below 1: burn is faster)", burn / numpy);
        }
        Ok(out) => eprintln!("reference failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => eprintln!("cannot run {python} (set DSLAB_REF_PYTHON to a Python with numpy): {e}"),
    }
}
