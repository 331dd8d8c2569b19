//! Translates English sentences with a checkpoint folder, greedy and beam search side by side.
//!
//! `cargo run --release --features transformer --example translate -- data/translator "I am tired." "She reads a book."`
//!
//! With `--bench-beam N` it instead decodes the first N test sentences of `data/ding_en_de.tsv`
//! by beam search (width 4) one sentence at a time and in batches of 64, checks that both give
//! the same translations, and prints both times and their ratio:
//!
//! `cargo run --release --features transformer --example translate -- data/translator --bench-beam 523`

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((dir, rest)) = args.split_first() else {
        eprintln!("usage: translate CHECKPOINT_DIR SENTENCE...   or   translate CHECKPOINT_DIR --bench-beam N");
        std::process::exit(2);
    };
    let translator = match dslab::transformer::Translator::load(dir, &dslab::attention::device()) {
        Ok(t) => t,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
    };
    if rest.first().map(String::as_str) == Some("--bench-beam") {
        let n = rest.get(1).and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
        if let Err(err) = bench_beam(&translator, n) {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
        return;
    }
    for sentence in rest {
        let greedy = translator.greedy(sentence, 40).map(|t| t.text).unwrap_or_else(|e| format!("error: {e}"));
        let beam = translator.beam(sentence, 4, 40).map(|t| t.text).unwrap_or_else(|e| format!("error: {e}"));
        println!("{sentence}\n  greedy: {greedy}\n  beam:   {beam}");
    }
}

/// Beam search on the test split, one sentence at a time against batches of 64.
fn bench_beam(translator: &dslab::transformer::Translator, n: usize) -> dslab::Result<()> {
    use std::time::Instant;
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/ding_en_de.tsv");
    let splits = dslab::transformer::load_pairs(data)?;
    let sources: Vec<&str> = splits.test.iter().take(n).map(|p| p.en.as_str()).collect();
    let started = Instant::now();
    let alone: Vec<_> = sources.iter().map(|s| translator.beam(s, 4, 40)).collect::<dslab::Result<_>>()?;
    let alone_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut together = Vec::new();
    for chunk in sources.chunks(64) {
        together.extend(translator.beam_batch(chunk, 4, 40)?);
    }
    let together_s = started.elapsed().as_secs_f64();
    let same = alone.iter().zip(&together).filter(|(a, b)| a.ids == b.ids).count();
    println!(
        "beam search (width 4) on {} test sentences: one at a time {alone_s:.2} s, batches of 64 {together_s:.2} s, \
         ratio {:.1}; same translation for {same} of {}",
        sources.len(),
        alone_s / together_s,
        sources.len()
    );
    Ok(())
}
