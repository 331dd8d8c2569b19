//! Translating with a trained model: greedy and beam-search decoding, the attention maps of a
//! translation, and checkpoints (model weights, configuration and both tokenizers in a folder).

use std::path::Path;

use burn::module::Module;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::data::{EncodedPair, make_batch};
use super::model::{Transformer, TransformerConfig};
use super::tokenizer::{Bpe, END, START};
use crate::attention::to_vec;
use crate::error::{Error, Result};

/// A model with its two tokenizers, ready to translate English into German.
#[derive(Clone, Debug)]
pub struct Translator {
    /// The model, on a plain (non-autodiff) device, dropout off.
    pub model: Transformer,
    /// Its sizes.
    pub config: TransformerConfig,
    /// The English tokenizer.
    pub source: Bpe,
    /// The German tokenizer.
    pub target: Bpe,
}

/// One translation.
#[derive(Clone, Debug, PartialEq)]
pub struct Translation {
    /// The German text.
    pub text: String,
    /// Its subword tokens, without `<start>` and `<end>`.
    pub tokens: Vec<String>,
    /// Their ids.
    pub ids: Vec<u32>,
    /// Sum of the log-probabilities of the chosen tokens (the `<end>` included).
    pub log_probability: f64,
}

/// The attention weights of the last layer for one translation.
#[derive(Clone, Debug)]
pub struct AttentionMaps {
    /// Source tokens (keys of the encoder and of the cross-attention), `<end>` included.
    pub source_tokens: Vec<String>,
    /// Target tokens as the decoder saw them: `<start>` then the translation.
    pub target_tokens: Vec<String>,
    /// Encoder self-attention `(1, heads, src, src)`.
    pub encoder: Tensor<4>,
    /// Masked decoder self-attention `(1, heads, tgt, tgt)`.
    pub decoder: Tensor<4>,
    /// Cross-attention, German queries over English keys, `(1, heads, tgt, src)`.
    pub cross: Tensor<4>,
}

/// The widest beam [`Translator::beam`] accepts: each step scores width × width candidates and
/// decodes `width` partial translations at once.
pub const MAX_BEAM_WIDTH: usize = 1000;

const CONFIG_FILE: &str = "config.txt";
const MODEL_FILE: &str = "model.bpk";
const SOURCE_FILE: &str = "en.bpe";
const TARGET_FILE: &str = "de.bpe";

fn config_text(c: &TransformerConfig) -> String {
    format!(
        "n_layers = {}\nd_model = {}\nn_heads = {}\nd_ff = {}\ndropout = {}\nsrc_vocab = {}\ntgt_vocab = {}\nmax_len = {}\n",
        c.n_layers, c.d_model, c.n_heads, c.d_ff, c.dropout, c.src_vocab, c.tgt_vocab, c.max_len
    )
}

const SETTINGS: [&str; 8] = ["n_layers", "d_model", "n_heads", "d_ff", "dropout", "src_vocab", "tgt_vocab", "max_len"];

/// Reads `config.txt`; every setting must appear exactly once. The sizes are only parsed here;
/// [`TransformerConfig::check`] bounds them before anything is allocated.
fn parse_config(path: &Path) -> Result<TransformerConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
    let mut config = TransformerConfig::new(0, 0);
    let mut seen = [false; SETTINGS.len()];
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |message: String| Error::MalformedRow { path: path.to_owned(), line: i as u64 + 1, message };
        let (key, value) = line.split_once('=').ok_or_else(|| bad("expected `name = value`".to_owned()))?;
        let (key, value) = (key.trim(), value.trim());
        let index = SETTINGS
            .iter()
            .position(|s| *s == key)
            .ok_or_else(|| bad(format!("unknown setting `{key}` (expected one of {})", SETTINGS.join(", "))))?;
        if std::mem::replace(&mut seen[index], true) {
            return Err(bad(format!("`{key}` is set twice")));
        }
        let int = || value.parse::<usize>().map_err(|_| bad(format!("`{value}` is not a whole number")));
        match key {
            "n_layers" => config.n_layers = int()?,
            "d_model" => config.d_model = int()?,
            "n_heads" => config.n_heads = int()?,
            "d_ff" => config.d_ff = int()?,
            "src_vocab" => config.src_vocab = int()?,
            "tgt_vocab" => config.tgt_vocab = int()?,
            "max_len" => config.max_len = int()?,
            _ => config.dropout = value.parse().map_err(|_| bad(format!("`{value}` is not a number")))?,
        }
    }
    let missing: Vec<&str> = SETTINGS.iter().zip(seen).filter(|(_, s)| !s).map(|(name, _)| *name).collect();
    if !missing.is_empty() {
        return Err(Error::invalid(path.display().to_string(), format!("missing settings: {}", missing.join(", "))));
    }
    config.check().map_err(|e| match e {
        Error::InvalidInput { what, message } => Error::invalid(format!("{what} in {}", path.display()), message),
        other => other,
    })?;
    Ok(config)
}

impl Translator {
    /// Wraps a (possibly still training) model for translation: dropout off, gradients off.
    pub fn new(model: &Transformer, config: TransformerConfig, source: Bpe, target: Bpe) -> Self {
        Translator { model: model.valid(), config, source, target }
    }

    /// Writes the checkpoint folder: `model.bpk` (burn's format), `config.txt`, `en.bpe`, `de.bpe`.
    /// Files are written next to their final name and renamed, so a failed save never leaves a
    /// half-written checkpoint in place of a good one.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        let partial = dir.join("model.partial.bpk");
        self.model
            .clone()
            .save_file(&partial)
            .map_err(|e| Error::invalid("checkpoint", format!("cannot save {}: {e:?}", partial.display())))?;
        let model_path = dir.join(MODEL_FILE);
        std::fs::rename(&partial, &model_path).map_err(|e| Error::io("write", &model_path, e))?;
        let config_path = dir.join(CONFIG_FILE);
        std::fs::write(&config_path, config_text(&self.config)).map_err(|e| Error::io("write", &config_path, e))?;
        self.source.save(dir.join(SOURCE_FILE))?;
        self.target.save(dir.join(TARGET_FILE))
    }

    /// Reads a checkpoint folder written by [`Translator::save`] onto `device`. The sizes in
    /// `config.txt` ([`TransformerConfig::check`]) and the counts in the tokenizer files are
    /// bounded before anything is allocated, so a corrupted checkpoint is an error.
    pub fn load(dir: impl AsRef<Path>, device: &Device) -> Result<Self> {
        let dir = dir.as_ref();
        let config = parse_config(&dir.join(CONFIG_FILE))?;
        let source = Bpe::load(dir.join(SOURCE_FILE))?;
        let target = Bpe::load(dir.join(TARGET_FILE))?;
        if source.vocab_size() != config.src_vocab || target.vocab_size() != config.tgt_vocab {
            return Err(Error::invalid(
                "checkpoint",
                format!(
                    "{}: the tokenizers have {} and {} ids but the model expects {} and {}",
                    dir.display(),
                    source.vocab_size(),
                    target.vocab_size(),
                    config.src_vocab,
                    config.tgt_vocab
                ),
            ));
        }
        let path = dir.join(MODEL_FILE);
        if !path.exists() {
            return Err(Error::io("read", &path, std::io::Error::from(std::io::ErrorKind::NotFound)));
        }
        let model = config
            .init(device)?
            .try_load_file(&path)
            .map_err(|e| Error::invalid("checkpoint", format!("cannot load {}: {e:?}", path.display())))?;
        Ok(Translator { model, config, source, target })
    }

    fn device(&self) -> Device {
        self.model.output.weight.val().device()
    }

    fn source_ids(&self, sentence: &str) -> Result<Vec<u32>> {
        let mut ids = self.source.encode(sentence);
        if ids.is_empty() {
            return Err(Error::invalid("sentence", "there is nothing to translate"));
        }
        ids.push(END);
        if ids.len() > self.model.max_len() {
            return Err(Error::invalid(
                "sentence",
                format!("it has {} tokens; the model handles at most {}", ids.len(), self.model.max_len()),
            ));
        }
        Ok(ids)
    }

    fn finish(&self, ids: Vec<u32>, log_probability: f64) -> Translation {
        let tokens = ids.iter().map(|&id| self.target.symbol(id).unwrap_or("<unk>").to_owned()).collect();
        Translation { text: self.target.decode(&ids), tokens, ids, log_probability }
    }

    /// Translates many sentences at once, picking the most likely next token at each step until
    /// every sentence has produced `<end>` or `max_len` tokens.
    pub fn greedy_batch(&self, sentences: &[&str], max_len: usize) -> Result<Vec<Translation>> {
        if sentences.is_empty() {
            return Ok(Vec::new());
        }
        let device = self.device();
        let max_len = max_len.min(self.model.max_len() - 1);
        let pairs: Vec<EncodedPair> = sentences
            .iter()
            .map(|s| Ok(EncodedPair { src: self.source_ids(s)?, tgt: Vec::new() }))
            .collect::<Result<_>>()?;
        let encoded = self.model.encode(make_batch(&pairs, &device)?.src)?;
        let n = sentences.len();
        let mut outputs: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut scores = vec![0.0; n];
        let mut done = vec![false; n];
        for _ in 0..max_len {
            let width = outputs[0].len() + 1;
            let data: Vec<i64> = outputs
                .iter()
                .flat_map(|o| std::iter::once(i64::from(START)).chain(o.iter().map(|&t| i64::from(t))))
                .collect();
            let tgt = Tensor::<2, Int>::from_data(TensorData::new(data, [n, width]), &device); // (n, step)
            let (logits, _) = self.model.decode(tgt, &encoded)?; // (n, step, vocab)
            let vocab = logits.dims()[2];
            let last = log_softmax(logits.slice([0..n, width - 1..width]).reshape([n, vocab]), 1); // (n, vocab)
            let (best, best_index) = last.max_dim_with_indices(1); // (n, 1)
            let best = to_vec(best.reshape([n]));
            let best_index: Vec<i64> = best_index
                .reshape([n])
                .into_data()
                .try_into_vec_as::<i64>()
                .map_err(|e| Error::invalid("greedy decoding", format!("cannot read the chosen ids: {e:?}")))?;
            for i in 0..n {
                // A finished sentence keeps feeding <end>; its output no longer changes.
                let token = if done[i] { END } else { best_index[i] as u32 };
                outputs[i].push(token);
                if !done[i] {
                    scores[i] += best[i];
                    done[i] = token == END;
                }
            }
            if done.iter().all(|&d| d) {
                break;
            }
        }
        Ok(outputs
            .into_iter()
            .zip(scores)
            .map(|(mut ids, score)| {
                if let Some(end) = ids.iter().position(|&t| t == END) {
                    ids.truncate(end);
                }
                self.finish(ids, score)
            })
            .collect())
    }

    /// Greedy translation of one sentence.
    pub fn greedy(&self, sentence: &str, max_len: usize) -> Result<Translation> {
        Ok(self.greedy_batch(&[sentence], max_len)?.remove(0))
    }

    /// Beam search: keeps the `width` most likely partial translations at each step and returns
    /// the best finished one, scored by log-probability divided by the GNMT length penalty
    /// `((5 + length) / 6)^0.6`, so that short outputs are not favoured merely for being short.
    /// Fails unless `width` is between 1 and the target vocabulary size, and at most
    /// [`MAX_BEAM_WIDTH`].
    pub fn beam(&self, sentence: &str, width: usize, max_len: usize) -> Result<Translation> {
        Ok(self.beam_batch(&[sentence], width, max_len)?.remove(0))
    }

    /// [`Translator::beam`] for many sentences at once, with the same result for each: every
    /// open partial translation of every sentence is decoded in one batch per step, which is
    /// several times faster than one sentence at a time. Fails like [`Translator::beam`].
    pub fn beam_batch(&self, sentences: &[&str], width: usize, max_len: usize) -> Result<Vec<Translation>> {
        let vocab = self.model.tgt_vocab();
        if width == 0 || width > vocab.min(MAX_BEAM_WIDTH) {
            return Err(Error::invalid(
                "beam width",
                format!(
                    "{width}: it must be between 1 and the target vocabulary size {vocab} (and at most \
                     {MAX_BEAM_WIDTH}: each step decodes width × width candidates)"
                ),
            ));
        }
        if sentences.is_empty() {
            return Ok(Vec::new());
        }
        let device = self.device();
        let max_len = max_len.min(self.model.max_len() - 1);
        let pairs: Vec<EncodedPair> = sentences
            .iter()
            .map(|s| Ok(EncodedPair { src: self.source_ids(s)?, tgt: Vec::new() }))
            .collect::<Result<_>>()?;
        let encoded = self.model.encode(make_batch(&pairs, &device)?.src)?; // (sentences, src, d_model)
        let mut searches: Vec<BeamSearch> = sentences.iter().map(|_| BeamSearch::new()).collect();
        for step in 0..max_len {
            // One row per open beam of every sentence still searching, and the sentence it belongs to.
            let mut owner: Vec<i64> = Vec::new();
            let mut data: Vec<i64> = Vec::new();
            for (s, search) in searches.iter().enumerate().filter(|(_, s)| !s.done) {
                for (ids, _) in &search.beams {
                    owner.push(s as i64);
                    data.push(i64::from(START));
                    data.extend(ids.iter().map(|&t| i64::from(t)));
                }
            }
            let rows = owner.len();
            if rows == 0 {
                break;
            }
            let tgt = Tensor::<2, Int>::from_data(TensorData::new(data, [rows, step + 1]), &device); // (rows, step+1)
            let owner = Tensor::<1, Int>::from_data(TensorData::new(owner, [rows]), &device);
            let memory = crate::transformer::model::Encoded {
                memory: encoded.memory.clone().select(0, owner.clone()), // (rows, src, d_model)
                mask: encoded.mask.clone().select(0, owner),             // (rows, 1, 1, src)
                weights: Vec::new(),
            };
            let (logits, _) = self.model.decode(tgt, &memory)?; // (rows, step+1, vocab)
            let vocab = logits.dims()[2];
            let last = to_vec(log_softmax(logits.slice([0..rows, step..step + 1]).reshape([rows, vocab]), 1));
            let mut row = 0;
            for search in searches.iter_mut().filter(|s| !s.done) {
                let open = search.beams.len();
                search.advance(&last[row * vocab..(row + open) * vocab], vocab, width, max_len);
                row += open;
            }
        }
        searches.into_iter().map(|search| search.best().map(|(ids, score)| self.finish(ids, score))).collect()
    }

    /// The last layer's attention weights while the decoder reads `translation` (teacher
    /// forcing on the model's own output). Fails when an id of `translation` is outside the
    /// target vocabulary or the translation is longer than the model's `max_len`.
    pub fn attention(&self, sentence: &str, translation: &Translation) -> Result<AttentionMaps> {
        let device = self.device();
        let src = self.source_ids(sentence)?;
        let vocab = self.model.tgt_vocab();
        if let Some((i, id)) = translation.ids.iter().enumerate().find(|(_, id)| **id as usize >= vocab) {
            return Err(Error::invalid(
                "translation",
                format!("id {id} at position {i} is outside the model's target vocabulary of {vocab} ids"),
            ));
        }
        let pair = EncodedPair { src: src.clone(), tgt: translation.ids.clone() };
        let batch = make_batch(&[pair], &device)?;
        let out = self.model.forward(batch.src, batch.tgt_in)?;
        let encoder = out
            .encoder_weights
            .last()
            .cloned()
            .ok_or_else(|| Error::invalid("model", "it has no encoder layer".to_owned()))?;
        let decoder = out
            .decoder_weights
            .last()
            .cloned()
            .ok_or_else(|| Error::invalid("model", "it has no decoder layer".to_owned()))?;
        let symbol = |bpe: &Bpe, id: u32| bpe.symbol(id).unwrap_or("<unk>").to_owned();
        Ok(AttentionMaps {
            source_tokens: src.iter().map(|&id| symbol(&self.source, id)).collect(),
            target_tokens: std::iter::once(START)
                .chain(translation.ids.iter().copied())
                .map(|id| symbol(&self.target, id))
                .collect(),
            encoder,
            decoder: decoder.self_attention,
            cross: decoder.cross_attention,
        })
    }
}

/// The GNMT length penalty `((5 + length) / 6)^0.6` that beam search divides scores by.
fn length_penalty(len: usize) -> f64 {
    ((5.0 + len as f64) / 6.0).powf(0.6)
}

/// One sentence's beam search: its open partial translations and the finished ones, each with
/// its summed log-probability.
struct BeamSearch {
    beams: Vec<(Vec<u32>, f64)>,
    finished: Vec<(Vec<u32>, f64)>,
    done: bool,
}

impl BeamSearch {
    fn new() -> Self {
        BeamSearch { beams: vec![(Vec::new(), 0.0)], finished: Vec::new(), done: false }
    }

    /// One step: `last` holds the next-token log-probabilities of each open beam, `vocab` per
    /// beam. Keeps the `width` best continuations, moves those ending in `<end>` to the finished
    /// ones, and stops when no open beam can still beat the best finished translation.
    fn advance(&mut self, last: &[f64], vocab: usize, width: usize, max_len: usize) {
        let mut candidates: Vec<(usize, u32, f64)> = Vec::with_capacity(self.beams.len() * width);
        for (b, (_, score)) in self.beams.iter().enumerate() {
            let row = &last[b * vocab..(b + 1) * vocab];
            let mut top: Vec<(u32, f64)> = row.iter().enumerate().map(|(t, &lp)| (t as u32, lp)).collect();
            top.select_nth_unstable_by(width.min(vocab) - 1, |a, b| b.1.total_cmp(&a.1));
            top.truncate(width);
            candidates.extend(top.into_iter().map(|(t, lp)| (b, t, score + lp)));
        }
        candidates.sort_by(|a, b| b.2.total_cmp(&a.2));
        let mut next = Vec::with_capacity(width);
        for (b, token, score) in candidates {
            if next.len() == width {
                break;
            }
            let mut ids = self.beams[b].0.clone();
            if token == END {
                self.finished.push((ids, score));
            } else {
                ids.push(token);
                next.push((ids, score));
            }
        }
        let best_done =
            self.finished.iter().map(|(ids, s)| s / length_penalty(ids.len() + 1)).fold(f64::NEG_INFINITY, f64::max);
        let best_open = next.iter().map(|(_, s)| *s / length_penalty(max_len)).fold(f64::NEG_INFINITY, f64::max);
        self.beams = next;
        self.done = self.beams.is_empty() || (self.finished.len() >= width && best_done >= best_open);
    }

    /// The best translation, finished or still open (when `max_len` was reached).
    fn best(mut self) -> Result<(Vec<u32>, f64)> {
        self.finished.extend(self.beams);
        self.finished
            .into_iter()
            .max_by(|a, b| (a.1 / length_penalty(a.0.len() + 1)).total_cmp(&(b.1 / length_penalty(b.0.len() + 1))))
            .ok_or_else(|| Error::invalid("beam search", "no translation was kept".to_owned()))
    }
}
