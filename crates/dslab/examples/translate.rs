//! Translates English sentences with a checkpoint folder, greedy and beam search side by side.
//!
//! `cargo run --release --features transformer --example translate -- data/translator "I am tired." "She reads a book."`

#[cfg(feature = "transformer")]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((dir, sentences)) = args.split_first() else {
        eprintln!("usage: translate CHECKPOINT_DIR SENTENCE...");
        std::process::exit(2);
    };
    let translator = match dslab::transformer::Translator::load(dir, &dslab::attention::device()) {
        Ok(t) => t,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
    };
    for sentence in sentences {
        let greedy = translator.greedy(sentence, 40).map(|t| t.text).unwrap_or_else(|e| format!("error: {e}"));
        let beam = translator.beam(sentence, 4, 40).map(|t| t.text).unwrap_or_else(|e| format!("error: {e}"));
        println!("{sentence}\n  greedy: {greedy}\n  beam:   {beam}");
    }
}

#[cfg(not(feature = "transformer"))]
fn main() {
    eprintln!("translate needs the `transformer` feature");
}
