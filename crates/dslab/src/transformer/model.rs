//! The Transformer of "Attention Is All You Need": encoder and decoder stacks built from
//! [`MultiHeadAttention`], so that every layer hands back its attention weights.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Bool, Device, Int, Tensor};

use crate::attention::{
    AttentionOutput, MultiHeadAttention, MultiHeadAttentionConfig, decoder_mask, padding_mask, positional_encoding,
};
use crate::error::{Error, Result};

use super::tokenizer::PAD;

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

    /// Checks the sizes and builds the model with random weights on `device`.
    pub fn init(&self, device: &Device) -> Result<Transformer> {
        let what = "Transformer configuration";
        if self.n_layers == 0 || self.d_ff == 0 || self.max_len == 0 || self.src_vocab < 5 || self.tgt_vocab < 5 {
            return Err(Error::invalid(
                what,
                format!(
                    "every size must be positive and each vocabulary hold more than the 4 special tokens: {self:?}"
                ),
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(Error::invalid(what, format!("dropout {} must be in [0, 1)", self.dropout)));
        }
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

    /// Number of trained numbers the model will have, per part, without building it.
    pub fn parameter_counts(&self) -> Vec<(&'static str, usize)> {
        let (d, f) = (self.d_model, self.d_ff);
        let attention = 4 * (d * d + d);
        let ffn = d * f + f + f * d + d;
        let norm = 2 * d;
        vec![
            ("source embedding", self.src_vocab * d),
            ("target embedding", self.tgt_vocab * d),
            ("encoder layers", self.n_layers * (attention + ffn + 2 * norm)),
            ("decoder layers", self.n_layers * (2 * attention + ffn + 3 * norm)),
            ("output layer", d * self.tgt_vocab + self.tgt_vocab),
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
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let hidden = relu(self.inner.forward(x)); // (batch, seq, d_ff)
        self.outer.forward(hidden) // (batch, seq, d_model)
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
        let x = self.norm_2.forward(x.clone() + self.dropout.forward(self.ffn.forward(x))); // (batch, src, d_model)
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
        let x = self.norm_3.forward(x.clone() + self.dropout.forward(self.ffn.forward(x))); // (batch, tgt, d_model)
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

    /// Embeds tokens, scales by √d_model and adds the positions.
    ///
    /// # Shapes
    /// - `tokens`: `(batch, seq)` → `(batch, seq, d_model)`
    fn embed(&self, embedding: &Embedding, tokens: Tensor<2, Int>) -> Result<Tensor<3>> {
        let [_, seq] = tokens.dims();
        if seq > self.max_len {
            return Err(Error::invalid(
                "token sequence",
                format!("it has {seq} tokens but the model's positional encoding covers {}", self.max_len),
            ));
        }
        let x = embedding.forward(tokens).mul_scalar((self.d_model as f64).sqrt()); // (batch, seq, d_model)
        let positions = self.positions.clone().narrow(0, 0, seq).unsqueeze::<3>(); // (1, seq, d_model)
        Ok(self.dropout.forward(x + positions))
    }

    /// Runs the encoder.
    ///
    /// # Shapes
    /// - `src`: `(batch, src)` token ids, padded with [`PAD`]
    pub fn encode(&self, src: Tensor<2, Int>) -> Result<Encoded> {
        let mask = padding_mask(&src, i64::from(PAD))?; // (batch, 1, 1, src)
        let mut x = self.embed(&self.src_embedding, src)?; // (batch, src, d_model)
        let mut weights = Vec::with_capacity(self.encoder.len());
        for layer in &self.encoder {
            let (next, w) = layer.forward(x, &mask)?;
            x = next;
            weights.push(w);
        }
        Ok(Encoded { memory: x, mask, weights })
    }

    /// Runs the decoder on target tokens given the encoded source.
    ///
    /// # Shapes
    /// - `tgt`: `(batch, tgt)` token ids starting with `<start>`, padded with [`PAD`]
    /// - returns logits `(batch, tgt, tgt_vocab)` and each decoder layer's weights
    pub fn decode(&self, tgt: Tensor<2, Int>, encoded: &Encoded) -> Result<(Tensor<3>, Vec<DecoderWeights>)> {
        let self_mask = decoder_mask(&tgt, i64::from(PAD))?; // (batch, 1, tgt, tgt)
        let mut x = self.embed(&self.tgt_embedding, tgt)?; // (batch, tgt, d_model)
        let mut weights = Vec::with_capacity(self.decoder.len());
        for layer in &self.decoder {
            let (next, w) = layer.forward(x, &encoded.memory, &self_mask, &encoded.mask)?;
            x = next;
            weights.push(w);
        }
        Ok((self.output.forward(x), weights)) // (batch, tgt, tgt_vocab)
    }

    /// The full model: encode `src`, decode `tgt` (teacher forcing), return the logits and every
    /// layer's attention weights.
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
