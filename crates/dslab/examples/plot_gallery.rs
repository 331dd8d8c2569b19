//! Draws one figure of every kind into `target/plot-gallery/`, to look at the helpers' output.
use dslab::plot::{self, Chart, Heatmap, HeatmapGrid};

fn main() -> dslab::Result<()> {
    let dir = std::path::Path::new("target/plot-gallery");
    std::fs::create_dir_all(dir).map_err(|e| dslab::Error::invalid("output folder", e.to_string()))?;
    let x: Vec<f64> = (0..200).map(|i| 1800.0 + i as f64).collect();
    let y: Vec<f64> = x.iter().map(|v| ((v - 1800.0) / 40.0).exp()).collect();
    let lo: Vec<f64> = y.iter().map(|v| v * 0.8).collect();
    let hi: Vec<f64> = y.iter().map(|v| v * 1.2).collect();
    Chart::new("Emissions (synthetic)", "year", "million tonnes of carbon")
        .band("95 % interval", &x, &lo, &hi)
        .line("series", &x, &y)
        .dashed_line("trend", &x, &lo)
        .highlight("peak", &[1999.0], &[y[199]])
        .draw()?
        .save(dir.join("chart.svg"))?;
    let px: Vec<f64> = (0..3000).map(|i| ((i * 7919) % 1000) as f64 / 1000.0).collect();
    let py: Vec<f64> = (0..3000).map(|i| ((i * 104729) % 997) as f64 / 997.0).collect();
    let v: Vec<f64> = px.iter().zip(&py).map(|(a, b)| a / (b + 0.1)).collect();
    Chart::new("Portfolios", "volatility", "return")
        .points_by_value("portfolios", &px, &py, &v, "Sharpe ratio")
        .draw()?
        .save(dir.join("scatter.svg"))?;
    let tokens = ["Anthony", "Hopkins", "admired", "Michael", "Bay", "as", "a", "great", "director."];
    plot::bar_chart(
        "Attention of `Michael`",
        "key",
        "weight",
        &tokens,
        &[0.06, 0.09, 0.05, 0.25, 0.18, 0.06, 0.09, 0.06, 0.15],
    )?
    .save(dir.join("bar.svg"))?;
    plot::histogram("Histogram", "value", "count", &v, 30)?.save(dir.join("hist.svg"))?;
    let m: Vec<Vec<f64>> = (0..9).map(|i| (0..9).map(|j| ((i * 9 + j) % 7) as f64 / 6.0).collect()).collect();
    Heatmap::new("Attention weights", "key", "query", &m)
        .x_ticks(&tokens)
        .y_ticks(&tokens)
        .range(0.0, 1.0)
        .annotate(2)
        .value_label("weight")
        .draw()?
        .save(dir.join("heatmap.svg"))?;
    let pe: Vec<Vec<f64>> = (0..50)
        .map(|p| (0..256).map(|i| ((p as f64) / 10000f64.powf((i / 2 * 2) as f64 / 256.0)).sin()).collect())
        .collect();
    Heatmap::new("Positional encoding", "depth", "position", &pe).draw()?.save(dir.join("pe.svg"))?;
    let panels = (0..8).map(|h| (format!("head {h}"), m.clone())).collect();
    HeatmapGrid::new("Heads", "key", "query", panels)
        .x_ticks(&tokens)
        .y_ticks(&tokens)
        .draw()?
        .save(dir.join("grid.svg"))?;
    Ok(())
}
