//! Trains the English-to-German translator and writes a checkpoint folder.
//!
//! ```text
//! cargo run --release --features transformer --example train_translator -- \
//!     --steps 4000 --vocab 2000 --layers 2 --d-model 128 --heads 4 --d-ff 512 --dropout 0.3 \
//!     --batch 64 --warmup 400 --seed 42 --validate-every 250 --out data/translator
//! ```
//!
//! It trains a BPE tokenizer per language on the training split, trains the model, evaluates
//! loss and token accuracy on the validation and test splits, BLEU of greedy and beam-search
//! decoding on the test split, and saves the tokenizers, configuration and weights in `--out`
//! together with `TRAINING.md`, which records the command and the results.

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

fn run() -> dslab::Result<()> {
    use dslab::attention;
    use dslab::transformer::{
        Bpe, TrainingConfig, TransformerConfig, Translator, corpus_bleu, encode_pairs, evaluate, load_pairs, train,
    };
    use std::time::Instant;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str, default: &str| -> String {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_owned())
    };
    let num = |name: &str, default: &str| -> dslab::Result<usize> {
        let value = get(name, default);
        value.parse().map_err(|_| dslab::Error::invalid(name, format!("`{value}` is not a whole number")))
    };
    let steps = num("--steps", "2000")?;
    let vocab = num("--vocab", "2000")?;
    let batch = num("--batch", "64")?;
    let warmup = num("--warmup", "400")?;
    let seed = num("--seed", "42")? as u64;
    let beam_width = num("--beam", "4")?;
    let eval_limit = num("--eval-sentences", "100000")?;
    let data = get("--data", "data/ding_en_de.tsv");
    let out = get("--out", "target/translator");
    let mut config = TransformerConfig::new(0, 0)
        .with_layers(num("--layers", "2")?)
        .with_d_model(num("--d-model", "128")?)
        .with_heads(num("--heads", "4")?)
        .with_d_ff(num("--d-ff", "512")?)
        .with_max_len(num("--max-len", "64")?);
    config.dropout = get("--dropout", "0.3").parse().map_err(|_| dslab::Error::invalid("--dropout", "not a number"))?;

    let splits = load_pairs(&data)?;
    println!("pairs: {} train, {} valid, {} test", splits.train.len(), splits.valid.len(), splits.test.len());
    let t0 = Instant::now();
    let source = Bpe::train(splits.train.iter().map(|p| p.en.as_str()), vocab)?;
    let target = Bpe::train(splits.train.iter().map(|p| p.de.as_str()), vocab)?;
    println!(
        "tokenizers: {} English and {} German ids in {:.1} s",
        source.vocab_size(),
        target.vocab_size(),
        t0.elapsed().as_secs_f64()
    );
    config.src_vocab = source.vocab_size();
    config.tgt_vocab = target.vocab_size();

    let train_pairs = encode_pairs(&splits.train, &source, &target, config.max_len);
    let valid_pairs = encode_pairs(&splits.valid, &source, &target, config.max_len);
    let test_pairs = encode_pairs(&splits.test, &source, &target, config.max_len);
    if let Some(dir) = args.iter().position(|a| a == "--dump-encoded").and_then(|i| args.get(i + 1)) {
        // The exact ids this run trains and tests on, for the PyTorch comparison
        // (crates/dslab/benches/transformer_reference.py).
        std::fs::create_dir_all(dir).map_err(|e| dslab::Error::invalid("--dump-encoded", e.to_string()))?;
        let dump = |name: &str, pairs: &[dslab::transformer::EncodedPair]| -> dslab::Result<()> {
            let text: String = pairs
                .iter()
                .map(|p| {
                    let ids = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(" ");
                    format!("{}\t{}\n", ids(&p.src), ids(&p.tgt))
                })
                .collect();
            std::fs::write(std::path::Path::new(dir).join(name), text)
                .map_err(|e| dslab::Error::invalid("--dump-encoded", e.to_string()))
        };
        dump("train.ids", &train_pairs)?;
        dump("test.ids", &test_pairs)?;
        source.save(std::path::Path::new(dir).join("en.bpe"))?;
        target.save(std::path::Path::new(dir).join("de.bpe"))?;
        let refs: String = splits
            .test
            .iter()
            .filter(|p| source.encode(&p.en).len() < config.max_len && target.encode(&p.de).len() < config.max_len)
            .map(|p| format!("{}\n", p.de))
            .collect();
        std::fs::write(std::path::Path::new(dir).join("test.de"), refs)
            .map_err(|e| dslab::Error::invalid("--dump-encoded", e.to_string()))?;
        println!("wrote the encoded pairs to {dir}");
    }
    let device = attention::training_device();
    device.seed(seed);
    let model = config.init(&device)?;
    println!("model: {} parameters, {config:?}", model.parameter_count());
    let validate_every = num("--validate-every", "0")?;
    let training = TrainingConfig::new(steps)
        .with_batch_size(batch)
        .with_warmup_steps(warmup)
        .with_seed(seed)
        .with_log_every(100)
        .with_validate_every(validate_every);
    let started = Instant::now();
    let trained = train(model, &train_pairs, &valid_pairs, &training, |log| println!("{log}"))?;
    let (model, logs, best_step) = (trained.model, trained.logs, trained.best_step);
    if validate_every > 0 {
        println!("keeping the weights of step {best_step}, the lowest validation loss");
    }
    let train_seconds = started.elapsed().as_secs_f64();
    let tokens: f64 = logs.iter().map(|l| l.tokens_per_second).sum::<f64>() / logs.len() as f64;
    let valid = evaluate(&model, &valid_pairs, 128)?;
    let test = evaluate(&model, &test_pairs, 128)?;
    println!("trained {steps} steps in {train_seconds:.0} s ({tokens:.0} tokens/s on average)");
    println!("valid: loss {:.3}, token accuracy {:.1} %", valid.loss, 100.0 * valid.accuracy);
    println!("test:  loss {:.3}, token accuracy {:.1} %", test.loss, 100.0 * test.accuracy);

    let translator = Translator::new(&model, config.clone(), source, target);
    let test_set: Vec<_> = splits.test.iter().take(eval_limit).collect();
    let sources: Vec<&str> = test_set.iter().map(|p| p.en.as_str()).collect();
    let references: Vec<&str> = test_set.iter().map(|p| p.de.as_str()).collect();
    let t0 = Instant::now();
    let mut greedy = Vec::new();
    for chunk in sources.chunks(64) {
        greedy.extend(translator.greedy_batch(chunk, 40)?.into_iter().map(|t| t.text));
    }
    let greedy_seconds = t0.elapsed().as_secs_f64();
    let greedy_bleu = corpus_bleu(&greedy, &references)?;
    println!("greedy on {} test sentences ({greedy_seconds:.0} s): {greedy_bleu}", sources.len());
    let t0 = Instant::now();
    let mut beam = Vec::new();
    for chunk in sources.chunks(64) {
        beam.extend(translator.beam_batch(chunk, beam_width, 40)?.into_iter().map(|t| t.text));
    }
    let beam_seconds = t0.elapsed().as_secs_f64();
    let beam_bleu = corpus_bleu(&beam, &references)?;
    println!("beam {beam_width} ({beam_seconds:.0} s): {beam_bleu}");
    for i in 0..8.min(sources.len()) {
        println!("  {}\n    greedy: {}\n    beam:   {}\n    ref:    {}", sources[i], greedy[i], beam[i], references[i]);
    }

    translator.save(&out)?;
    let command =
        format!("cargo run --release --features transformer --example train_translator -- {}", args.join(" "));
    let record = format!(
        "# Translator checkpoint\n\nTrained by this repository's own code with:\n\n```text\n{command}\n```\n\n\
         - data: `{data}` ({} training pairs after the length filter)\n- model: {config:?}, {} parameters\n\
         - training: {steps} steps of {batch} pairs, warm-up {warmup}, seed {seed}, {train_seconds:.0} s on {} ({tokens:.0} tokens/s); \
         the weights of step {best_step} (the lowest validation loss when validating every {validate_every} steps)\n\
         - validation: loss {:.3}, token accuracy {:.1} %\n- test: loss {:.3}, token accuracy {:.1} %\n\
         - test BLEU (sacrebleu-compatible, {} sentences): greedy {:.2}, beam {beam_width} {:.2}\n",
        train_pairs.len(),
        translator.model.parameter_count(),
        std::env::consts::ARCH,
        valid.loss,
        100.0 * valid.accuracy,
        test.loss,
        100.0 * test.accuracy,
        sources.len(),
        greedy_bleu.score,
        beam_bleu.score,
    );
    let record_path = std::path::Path::new(&out).join("TRAINING.md");
    std::fs::write(&record_path, record).map_err(|e| dslab::Error::invalid("output", e.to_string()))?;
    println!("saved the checkpoint in {out}");
    Ok(())
}
