//! A small English-to-German Transformer (article 3), laid out like burn's guide example:
//! [`data`](self::data) (pairs, batches), [`model`](self::model) (configuration and layers),
//! [`training`](self::training) (optimiser, schedule, progress), [`inference`](self::inference)
//! (greedy and beam search, attention maps, checkpoints), plus the subword [`Bpe`] tokenizer and
//! sacrebleu-compatible [`corpus_bleu`].
//!
//! Every encoder and decoder layer is built from [`crate::attention::MultiHeadAttention`] and
//! returns its attention weights per head, so a notebook can draw them (burn's own
//! `TransformerEncoder` does not return them).
//!
//! ```
//! use dslab::attention;
//! use dslab::transformer::TransformerConfig;
//! # fn main() -> dslab::Result<()> {
//! let config = TransformerConfig::new(100, 120).with_layers(1).with_d_model(32).with_heads(4).with_d_ff(64);
//! let model = config.init(&attention::device())?;
//! let expected: usize = config.parameter_counts().iter().map(|(_, n)| n).sum();
//! assert_eq!(model.parameter_count(), expected);
//! # Ok(())
//! # }
//! ```

pub mod bleu;
pub mod data;
pub mod inference;
pub mod model;
pub mod tokenizer;
pub mod training;

pub use bleu::{BleuScore, corpus_bleu};
pub use data::{EncodedPair, SentencePair, Splits, TranslationBatch, encode_pairs, load_pairs, make_batch};
pub use inference::{AttentionMaps, Translation, Translator};
pub use model::{Transformer, TransformerConfig, TransformerOutput};
pub use tokenizer::{Bpe, END, PAD, START, UNK};
pub use training::{Evaluation, Trained, TrainingConfig, TrainingLog, evaluate, train};
