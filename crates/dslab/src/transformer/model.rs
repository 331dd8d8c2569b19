//! The Transformer of "Attention Is All You Need": encoder and decoder stacks built from
//! [`MultiHeadAttention`], so that every layer hands back its attention weights.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Bool, Device, Int, Tensor};

use crate::attention::{
    AttentionOutput, MAX_D_MODEL, MAX_ENCODING_VALUES, MultiHeadAttention, MultiHeadAttentionConfig, decoder_mask,
    padding_mask, positional_encoding,
};
use crate::error::{Error, Result};

use super::tokenizer::PAD;

/// Most encoder (and decoder) layers a configuration may have.
pub const MAX_LAYERS: usize = 64;
/// Widest feed-forward hidden layer.
pub const MAX_D_FF: usize = 65_536;
/// Most ids in a vocabulary.
pub const MAX_VOCAB: usize = 1_000_000;
/// Longest sequence the positional encoding may cover.
pub const MAX_LEN: usize = 100_000;
/// Most trained numbers a model may have (2 GB of `f32` weights, plus as much again for Adam).
pub const MAX_PARAMETERS: usize = 500_000_000;

/// Sizes of a [`Transformer`]; `TransformerConfig::new(src_vocab, tgt_vocab)` starts from a
/// small configuration that trains in minutes on a laptop CPU.
///
/// Written by hand (not with burn's `#[derive(Config)]`) so that evcxr can infer the types of
/// notebook variables built from it.
#[derive(Clone, Debug, PartialEq)]
pub struct TransformerConfig {
    /// Encoder layers, and as many decoder layers (6 in the paper).
    pub n_layers: usize,
    /// Width of every token vector (512 in the paper).
    pub d_model: usize,
    /// Attention heads per layer (8 in the paper).
    pub n_heads: usize,
    /// Hidden width of the point-wise feed-forward networks (2048 in the paper).
    pub d_ff: usize,
    /// Dropout after every sub-layer and on the embeddings (0.1 in the paper).
    pub dropout: f64,
    /// Number of source (English) token ids.
    pub src_vocab: usize,
    /// Number of target (German) token ids.
    pub tgt_vocab: usize,
    /// Longest sequence the positional encoding covers.
    pub max_len: usize,
}

impl TransformerConfig {
    /// The class configuration: 2 layers, `d_model` 128, 4 heads, `d_ff` 512, dropout 0.3 (more
    /// than the paper's 0.1: with 10 000 sentences the model otherwise learns them by heart),
    /// sequences up to 64 tokens.
    pub fn new(src_vocab: usize, tgt_vocab: usize) -> Self {
        TransformerConfig {
            n_layers: 2,
            d_model: 128,
            n_heads: 4,
            d_ff: 512,
            dropout: 0.3,
            src_vocab,
            tgt_vocab,
            max_len: 64,
        }
    }

    /// Sets the number of encoder (and decoder) layers.
    pub fn with_layers(mut self, n_layers: usize) -> Self {
        self.n_layers = n_layers;
        self
    }

    /// Sets the model width.
    pub fn with_d_model(mut self, d_model: usize) -> Self {
        self.d_model = d_model;
        self
    }

    /// Sets the number of heads.
    pub fn with_heads(mut self, n_heads: usize) -> Self {
        self.n_heads = n_heads;
        self
    }

    /// Sets the feed-forward hidden width.
    pub fn with_d_ff(mut self, d_ff: usize) -> Self {
        self.d_ff = d_ff;
        self
    }

    /// Sets the dropout rate.
    pub fn with_dropout(mut self, dropout: f64) -> Self {
        self.dropout = dropout;
        self
    }

    /// Sets the longest sequence.
    pub fn with_max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// Checks every size before anything is allocated: each must be positive, `d_model` at most
    /// 8192 and divisible by `n_heads`, at most 64 layers, `d_ff` at most 65 536, each
    /// vocabulary 5 to 1 000 000 ids (the 4 special tokens and more), `max_len` at most 100 000
    /// with `max_len × d_model` at most 10^8, dropout in `[0, 1)`, and at most 5·10^8 parameters
    /// in all. [`TransformerConfig::init`] and [`crate::transformer::Translator::load`] call it,
    /// so a mistyped size or a corrupted `config.txt` is an error instead of an aborted process.
    pub fn check(&self) -> Result<()> {
        let what = "Transformer configuration";
        let sizes = [
            ("n_layers", self.n_layers, 1, MAX_LAYERS),
            ("d_model", self.d_model, 1, MAX_D_MODEL),
            ("d_ff", self.d_ff, 1, MAX_D_FF),
            ("src_vocab", self.src_vocab, 5, MAX_VOCAB),
            ("tgt_vocab", self.tgt_vocab, 5, MAX_VOCAB),
            ("max_len", self.max_len, 1, MAX_LEN),
        ];
        for (name, value, low, high) in sizes {
            if !(low..=high).contains(&value) {
                let why = if low == 5 { " (the 4 special tokens and at least one more)" } else { "" };
                return Err(Error::invalid(what, format!("{name} = {value} must be between {low} and {high}{why}")));
            }
        }
        MultiHeadAttentionConfig::new(self.d_model, self.n_heads).check()?;
        if self.max_len * self.d_model > MAX_ENCODING_VALUES {
            return Err(Error::invalid(
                what,
                format!(
                    "max_len × d_model = {} × {} is more than {MAX_ENCODING_VALUES} positional-encoding values",
                    self.max_len, self.d_model
                ),
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::invalid(what, format!("dropout {} must be in [0, 1)", self.dropout)));
        }
        let total = self.parameter_counts().iter().fold(0usize, |sum, (_, n)| sum.saturating_add(*n));
        if total > MAX_PARAMETERS {
            return Err(Error::invalid(
                what,
                format!("the model would have {total} parameters, more than the limit of {MAX_PARAMETERS}"),
            ));
        }
        Ok(())
    }

    /// Checks the sizes ([`TransformerConfig::check`]) and builds the model with random weights on
    /// `device`.
    pub fn init(&self, device: &Device) -> Result<Transformer> {
        self.check()?;
        let attention = MultiHeadAttentionConfig::new(self.d_model, self.n_heads);
        let ffn = || FeedForward {
            inner: LinearConfig::new(self.d_model, self.d_ff).init(device),
            outer: LinearConfig::new(self.d_ff, self.d_model).init(device),
        };
        let norm = || LayerNormConfig::new(self.d_model).init(device);
        let dropout = || DropoutConfig::new(self.dropout).init();
        let encoder = (0..self.n_layers)
            .map(|_| {
                Ok(EncoderLayer {
                    self_attention: attention.init(device)?,
                    ffn: ffn(),
                    norm_1: norm(),
                    norm_2: norm(),
                    dropout: dropout(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let decoder = (0..self.n_layers)
            .map(|_| {
                Ok(DecoderLayer {
                    self_attention: attention.init(device)?,
                    cross_attention: attention.init(device)?,
                    ffn: ffn(),
                    norm_1: norm(),
                    norm_2: norm(),
                    norm_3: norm(),
                    dropout: dropout(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Transformer {
            src_embedding: EmbeddingConfig::new(self.src_vocab, self.d_model).init(device),
            tgt_embedding: EmbeddingConfig::new(self.tgt_vocab, self.d_model).init(device),
            encoder,
            decoder,
            output: LinearConfig::new(self.d_model, self.tgt_vocab).init(device),
            dropout: dropout(),
            positions: positional_encoding(self.max_len, self.d_model, device)?,
            d_model: self.d_model,
            max_len: self.max_len,
        })
    }

    /// Number of trained numbers the model will have, per part, without building it (saturating
    /// at `usize::MAX` for absurd sizes instead of overflowing).
    pub fn parameter_counts(&self) -> Vec<(&'static str, usize)> {
        let (mul, add) = (usize::saturating_mul, usize::saturating_add);
        let (d, f) = (self.d_model, self.d_ff);
        let attention = mul(4, add(mul(d, d), d));
        let ffn = add(add(mul(d, f), f), add(mul(f, d), d));
        let norm = mul(2, d);
        vec![
            ("source embedding", mul(self.src_vocab, d)),
            ("target embedding", mul(self.tgt_vocab, d)),
            ("encoder layers", mul(self.n_layers, add(add(attention, ffn), mul(2, norm)))),
            ("decoder layers", mul(self.n_layers, add(add(mul(2, attention), ffn), mul(3, norm)))),
            ("output layer", add(mul(d, self.tgt_vocab), self.tgt_vocab)),
        ]
    }
}

/// The point-wise feed-forward network `max(0, x W₁ + b₁) W₂ + b₂`, applied to every position
/// separately: its size depends on `d_model` and `d_ff`, not on the sentence length.
#[derive(Module, Debug)]
pub struct FeedForward {
    /// `W₁`, `b₁`: `d_model → d_ff`.
    pub inner: Linear,
    /// `W₂`, `b₂`: `d_ff → d_model`.
    pub outer: Linear,
}

impl FeedForward {
    /// # Shapes
    /// - `x`: `(batch, seq, d_model)` → `(batch, seq, d_model)`
    ///
    /// Fails when a size of `x` is 0 or its last dimension is not the network's `d_model`.
    pub fn forward(&self, x: Tensor<3>) -> Result<Tensor<3>> {
        let d_model = self.inner.weight.val().dims()[0];
        let dims = x.dims();
        if dims[2] != d_model || dims.contains(&0) {
            return Err(Error::invalid(
                "feed-forward input",
                format!("it is {dims:?} but the network expects (batch ≥ 1, seq ≥ 1, d_model = {d_model})"),
            ));
        }
        let hidden = relu(self.inner.forward(x)); // (batch, seq, d_ff)
        Ok(self.outer.forward(hidden)) // (batch, seq, d_model)
    }
}

/// One encoder layer: self-attention, then the feed-forward network, each wrapped as
/// `LayerNorm(x + Dropout(sublayer(x)))`.
#[derive(Module, Debug)]
pub struct EncoderLayer {
    /// Attention of every source token to every source token.
    pub self_attention: MultiHeadAttention,
    /// The point-wise feed-forward network.
    pub ffn: FeedForward,
    /// Normalisation after the attention's residual connection.
    pub norm_1: LayerNorm,
    /// Normalisation after the feed-forward residual connection.
    pub norm_2: LayerNorm,
    /// Dropout on both sub-layers' outputs.
    pub dropout: Dropout,
}

impl EncoderLayer {
    /// # Shapes
    /// - `x`: `(batch, src, d_model)`; `mask`: `(batch, 1, 1, src)` padding
    /// - returns `(batch, src, d_model)` and weights `(batch, heads, src, src)`
    pub fn forward(&self, x: Tensor<3>, mask: &Tensor<4, Bool>) -> Result<(Tensor<3>, Tensor<4>)> {
        let AttentionOutput { context, weights } =
            self.self_attention.forward(x.clone(), x.clone(), x.clone(), Some(mask.clone()))?;
        let x = self.norm_1.forward(x + self.dropout.forward(context)); // (batch, src, d_model)
        let x = self.norm_2.forward(x.clone() + self.dropout.forward(self.ffn.forward(x)?)); // (batch, src, d_model)
        Ok((x, weights))
    }
}

/// One decoder layer: masked self-attention, cross-attention to the encoder output, then the
/// feed-forward network, each with a residual connection and layer normalisation.
#[derive(Module, Debug)]
pub struct DecoderLayer {
    /// Attention of target tokens to earlier target tokens (look-ahead masked).
    pub self_attention: MultiHeadAttention,
    /// Attention of target tokens (queries) to the encoded source (keys and values).
    pub cross_attention: MultiHeadAttention,
    /// The point-wise feed-forward network.
    pub ffn: FeedForward,
    /// Normalisation after the self-attention.
    pub norm_1: LayerNorm,
    /// Normalisation after the cross-attention.
    pub norm_2: LayerNorm,
    /// Normalisation after the feed-forward network.
    pub norm_3: LayerNorm,
    /// Dropout on the three sub-layers' outputs.
    pub dropout: Dropout,
}

/// The weights of one decoder layer.
#[derive(Clone, Debug)]
pub struct DecoderWeights {
    /// Masked self-attention `(batch, heads, tgt, tgt)`, lower triangular.
    pub self_attention: Tensor<4>,
    /// Cross-attention `(batch, heads, tgt, src)`.
    pub cross_attention: Tensor<4>,
}

impl DecoderLayer {
    /// # Shapes
    /// - `x`: `(batch, tgt, d_model)`; `memory`: encoder output `(batch, src, d_model)`
    /// - `self_mask`: `(batch, 1, tgt, tgt)`; `memory_mask`: `(batch, 1, 1, src)`
    /// - returns `(batch, tgt, d_model)` and the layer's weights
    pub fn forward(
        &self,
        x: Tensor<3>,
        memory: &Tensor<3>,
        self_mask: &Tensor<4, Bool>,
        memory_mask: &Tensor<4, Bool>,
    ) -> Result<(Tensor<3>, DecoderWeights)> {
        let own = self.self_attention.forward(x.clone(), x.clone(), x.clone(), Some(self_mask.clone()))?;
        let x = self.norm_1.forward(x + self.dropout.forward(own.context)); // (batch, tgt, d_model)
        let cross =
            self.cross_attention.forward(x.clone(), memory.clone(), memory.clone(), Some(memory_mask.clone()))?;
        let x = self.norm_2.forward(x + self.dropout.forward(cross.context)); // (batch, tgt, d_model)
        let x = self.norm_3.forward(x.clone() + self.dropout.forward(self.ffn.forward(x)?)); // (batch, tgt, d_model)
        Ok((x, DecoderWeights { self_attention: own.weights, cross_attention: cross.weights }))
    }
}

/// The encoder-decoder Transformer for translation.
#[derive(Module, Debug)]
pub struct Transformer {
    /// Source token embeddings.
    pub src_embedding: Embedding,
    /// Target token embeddings.
    pub tgt_embedding: Embedding,
    /// The encoder stack.
    pub encoder: Vec<EncoderLayer>,
    /// The decoder stack.
    pub decoder: Vec<DecoderLayer>,
    /// The final projection from `d_model` to target-vocabulary logits.
    pub output: Linear,
    /// Dropout on the embeddings plus positions.
    pub dropout: Dropout,
    /// The positional encoding, a constant `(max_len, d_model)` (not trained, not saved).
    positions: Tensor<2>,
    d_model: usize,
    max_len: usize,
}

/// The encoder's result: the encoded source and each layer's self-attention weights.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// `(batch, src, d_model)`
    pub memory: Tensor<3>,
    /// Padding mask of the source, `(batch, 1, 1, src)`.
    pub mask: Tensor<4, Bool>,
    /// Per layer, `(batch, heads, src, src)`.
    pub weights: Vec<Tensor<4>>,
}

/// The whole model's result for a batch.
#[derive(Clone, Debug)]
pub struct TransformerOutput {
    /// Scores of every target-vocabulary token at every target position, `(batch, tgt, tgt_vocab)`.
    pub logits: Tensor<3>,
    /// Encoder self-attention per layer, `(batch, heads, src, src)`.
    pub encoder_weights: Vec<Tensor<4>>,
    /// Decoder attention per layer.
    pub decoder_weights: Vec<DecoderWeights>,
}

impl Transformer {
    /// Number of trained numbers.
    pub fn parameter_count(&self) -> usize {
        self.num_params()
    }

    /// Longest sequence the positional encoding covers.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Number of source token ids the model embeds.
    pub fn src_vocab(&self) -> usize {
        self.src_embedding.weight.val().dims()[0]
    }

    /// Number of target token ids the model embeds and predicts.
    pub fn tgt_vocab(&self) -> usize {
        self.tgt_embedding.weight.val().dims()[0]
    }

    /// Fails unless `tokens` holds at least one sentence of 1 to `max_len` tokens whose ids are
    /// all inside the vocabulary of `embedding` (burn would panic on any of these).
    fn check_tokens(&self, tokens: &Tensor<2, Int>, side: &str, embedding: &Embedding) -> Result<()> {
        let what = format!("{side} tokens");
        let [batch, seq] = tokens.dims();
        if batch == 0 || seq == 0 {
            return Err(Error::invalid(
                what,
                format!("they are [{batch}, {seq}]: there must be at least one sentence of at least one token"),
            ));
        }
        if seq > self.max_len {
            return Err(Error::invalid(
                what,
                format!("sentences of {seq} tokens but the model's positional encoding covers {}", self.max_len),
            ));
        }
        let vocab = embedding.weight.val().dims()[0];
        let ids =
            tokens.to_data().try_to_vec_as::<i64>().map_err(|e| Error::invalid(what.clone(), format!("{e:?}")))?;
        if let Some((i, id)) = ids.iter().enumerate().find(|(_, id)| !(0..vocab as i64).contains(*id)) {
            return Err(Error::invalid(
                what,
                format!(
                    "id {id} (sentence {}, position {}) is outside the vocabulary of {vocab} ids (0..{vocab})",
                    i / seq,
                    i % seq
                ),
            ));
        }
        Ok(())
    }

    /// Embeds tokens (checked by `check_tokens`), scales by √d_model and adds the
    /// positions.
    ///
    /// # Shapes
    /// - `tokens`: `(batch, seq)` → `(batch, seq, d_model)`
    fn embed(&self, embedding: &Embedding, tokens: Tensor<2, Int>) -> Tensor<3> {
        let [_, seq] = tokens.dims();
        let x = embedding.forward(tokens).mul_scalar((self.d_model as f64).sqrt()); // (batch, seq, d_model)
        let positions = self.positions.clone().narrow(0, 0, seq).unsqueeze::<3>(); // (1, seq, d_model)
        self.dropout.forward(x + positions)
    }

    /// Runs the encoder. Fails for an empty batch, sentences longer than `max_len`, or ids
    /// outside the source vocabulary.
    ///
    /// # Shapes
    /// - `src`: `(batch, src)` token ids, padded with [`PAD`]
    pub fn encode(&self, src: Tensor<2, Int>) -> Result<Encoded> {
        self.check_tokens(&src, "source", &self.src_embedding)?;
        let mask = padding_mask(&src, i64::from(PAD))?; // (batch, 1, 1, src)
        let mut x = self.embed(&self.src_embedding, src); // (batch, src, d_model)
        let mut weights = Vec::with_capacity(self.encoder.len());
        for layer in &self.encoder {
            let (next, w) = layer.forward(x, &mask)?;
            x = next;
            weights.push(w);
        }
        Ok(Encoded { memory: x, mask, weights })
    }

    /// Runs the decoder on target tokens given the encoded source. Fails like
    /// [`Transformer::encode`] for the target tokens, or when `encoded` has another batch size.
    ///
    /// # Shapes
    /// - `tgt`: `(batch, tgt)` token ids starting with `<start>`, padded with [`PAD`]
    /// - returns logits `(batch, tgt, tgt_vocab)` and each decoder layer's weights
    pub fn decode(&self, tgt: Tensor<2, Int>, encoded: &Encoded) -> Result<(Tensor<3>, Vec<DecoderWeights>)> {
        self.check_tokens(&tgt, "target", &self.tgt_embedding)?;
        let self_mask = decoder_mask(&tgt, i64::from(PAD))?; // (batch, 1, tgt, tgt)
        let mut x = self.embed(&self.tgt_embedding, tgt); // (batch, tgt, d_model)
        let mut weights = Vec::with_capacity(self.decoder.len());
        for layer in &self.decoder {
            let (next, w) = layer.forward(x, &encoded.memory, &self_mask, &encoded.mask)?;
            x = next;
            weights.push(w);
        }
        Ok((self.output.forward(x), weights)) // (batch, tgt, tgt_vocab)
    }

    /// The full model: encode `src`, decode `tgt` (teacher forcing), return the logits and every
    /// layer's attention weights. Fails when the batch sizes differ or the tokens are not what
    /// [`Transformer::encode`] and [`Transformer::decode`] accept.
    ///
    /// # Shapes
    /// - `src`: `(batch, src)`, `tgt`: `(batch, tgt)` → logits `(batch, tgt, tgt_vocab)`
    pub fn forward(&self, src: Tensor<2, Int>, tgt: Tensor<2, Int>) -> Result<TransformerOutput> {
        if src.dims()[0] != tgt.dims()[0] {
            return Err(Error::invalid(
                "batch",
                format!("{} source sentences but {} target sentences", src.dims()[0], tgt.dims()[0]),
            ));
        }
        let encoded = self.encode(src)?;
        let (logits, decoder_weights) = self.decode(tgt, &encoded)?;
        Ok(TransformerOutput { logits, encoder_weights: encoded.weights, decoder_weights })
    }
}
