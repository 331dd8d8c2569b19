//! Multi-head attention: several attentions side by side on slices of the model's depth.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Bool, Device, Tensor};

use super::scaled_dot_product::try_scaled_dot_product_attention;
use crate::error::{Error, Result};

/// The widest `d_model` a layer accepts: 8192 gives four projections of 67 million weights each
/// (1 GiB in `f32`); beyond that a size is almost surely a typo that would abort on allocation.
pub const MAX_D_MODEL: usize = 8192;

/// Sizes of a [`MultiHeadAttention`] layer.
///
/// Written out by hand rather than with burn's `#[derive(Config)]`: evcxr's type inference
/// cannot see what a derive macro generates, so `MultiHeadAttentionConfig::new(..)` would leave
/// notebook variables without a type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiHeadAttentionConfig {
    /// Width of the token vectors going in and out (512 in the paper).
    pub d_model: usize,
    /// Number of heads; `d_model` is split evenly between them (8 in the paper).
    pub n_heads: usize,
}

impl MultiHeadAttentionConfig {
    /// A configuration with `d_model` dimensions split over `n_heads` heads.
    pub fn new(d_model: usize, n_heads: usize) -> Self {
        MultiHeadAttentionConfig { d_model, n_heads }
    }

    /// Fails when a size is 0, `d_model` exceeds [`MAX_D_MODEL`], or `d_model` is not divisible
    /// by `n_heads` (every head must get the same depth).
    pub fn check(&self) -> Result<()> {
        let what = "multi-head attention sizes";
        if self.n_heads == 0 || self.d_model == 0 {
            return Err(Error::invalid(
                what,
                format!("d_model = {} and n_heads = {} must both be positive", self.d_model, self.n_heads),
            ));
        }
        if self.d_model > MAX_D_MODEL {
            return Err(Error::invalid(
                what,
                format!(
                    "d_model = {} is more than {MAX_D_MODEL}, the largest accepted (its four d_model × d_model \
                     projections would take gigabytes)",
                    self.d_model
                ),
            ));
        }
        if !self.d_model.is_multiple_of(self.n_heads) {
            return Err(Error::invalid(
                what,
                format!(
                    "d_model = {} is not divisible by n_heads = {}: each head needs d_model / n_heads dimensions",
                    self.d_model, self.n_heads
                ),
            ));
        }
        Ok(())
    }

    /// Checks the sizes ([`MultiHeadAttentionConfig::check`]) and builds the layer with randomly
    /// initialised projections.
    pub fn init(&self, device: &Device) -> Result<MultiHeadAttention> {
        self.check()?;
        let linear = || LinearConfig::new(self.d_model, self.d_model).init(device);
        Ok(MultiHeadAttention {
            query: linear(),
            key: linear(),
            value: linear(),
            output: linear(),
            n_heads: self.n_heads,
            d_k: self.d_model / self.n_heads,
        })
    }
}

/// Multi-head attention (Vaswani et al. 2017): project queries, keys and values, split the
/// depth into heads, attend in each head, concatenate the heads and project once more.
#[derive(Module, Debug)]
pub struct MultiHeadAttention {
    /// Projection `W_Q` of the query inputs.
    pub query: Linear,
    /// Projection `W_K` of the key inputs.
    pub key: Linear,
    /// Projection `W_V` of the value inputs.
    pub value: Linear,
    /// The dense layer `W_O` applied to the concatenated heads.
    pub output: Linear,
    n_heads: usize,
    d_k: usize,
}

/// What a [`MultiHeadAttention`] returns: the new token vectors and each head's weights.
#[derive(Debug, Clone)]
pub struct AttentionOutput {
    /// `(batch, seq_q, d_model)`
    pub context: Tensor<3>,
    /// `(batch, heads, seq_q, seq_k)`; every row sums to 1
    pub weights: Tensor<4>,
}

impl MultiHeadAttention {
    /// Number of heads.
    pub fn n_heads(&self) -> usize {
        self.n_heads
    }

    /// Depth of each head, `d_model / n_heads`.
    pub fn head_depth(&self) -> usize {
        self.d_k
    }

    /// Number of trained numbers: four `d_model × d_model` projections and their biases.
    ///
    /// (burn's `Module::num_params` gives the same; called from a notebook cell, evcxr cannot
    /// compile it, so this inherent method wraps it.)
    pub fn parameter_count(&self) -> usize {
        self.num_params()
    }

    /// Width of the token vectors, `n_heads * head_depth`.
    pub fn d_model(&self) -> usize {
        self.n_heads * self.d_k
    }

    /// Cuts the last dimension into `n_heads` slices of `d_k` and moves heads before tokens.
    ///
    /// Fails when the last dimension is not the layer's `d_model`.
    ///
    /// # Shapes
    /// - `x`: `(batch, seq, d_model)`
    /// - returns `(batch, heads, seq, d_k)`
    pub fn split_heads(&self, x: Tensor<3>) -> Result<Tensor<4>> {
        let [batch, seq, width] = x.dims();
        if width != self.d_model() {
            return Err(Error::invalid(
                "tensor to split into heads",
                format!(
                    "it is {:?} but the layer expects d_model = {} in the last dimension",
                    x.dims(),
                    self.d_model()
                ),
            ));
        }
        Ok(x.reshape([batch, seq, self.n_heads, self.d_k]) // (batch, seq, heads, d_k)
            .swap_dims(1, 2)) // (batch, heads, seq, d_k)
    }

    /// The inverse of [`MultiHeadAttention::split_heads`]: concatenates the heads again.
    ///
    /// # Shapes
    /// - `x`: `(batch, heads, seq, d_k)`
    /// - returns `(batch, seq, heads * d_k)`
    pub fn merge_heads(&self, x: Tensor<4>) -> Tensor<3> {
        let [batch, heads, seq, d_k] = x.dims();
        x.swap_dims(1, 2) // (batch, seq, heads, d_k)
            .reshape([batch, seq, heads * d_k]) // (batch, seq, d_model)
    }

    /// Attends from `query` tokens to `key`/`value` tokens (the same tensor for
    /// self-attention; encoder output for the decoder's cross-attention).
    ///
    /// # Shapes
    /// - `query`: `(batch, seq_q, d_model)`
    /// - `key`, `value`: `(batch, seq_k, d_model)`
    /// - `mask`: broadcastable to `(batch, heads, seq_q, seq_k)`, `true` = blocked
    /// - returns context `(batch, seq_q, d_model)`, weights `(batch, heads, seq_q, seq_k)`
    pub fn forward(
        &self,
        query: Tensor<3>,
        key: Tensor<3>,
        value: Tensor<3>,
        mask: Option<Tensor<4, Bool>>,
    ) -> Result<AttentionOutput> {
        let d_model = self.d_model();
        for (name, t) in [("query", &query), ("key", &key), ("value", &value)] {
            let dims = t.dims();
            if dims[2] != d_model {
                return Err(Error::invalid(
                    "multi-head attention input",
                    format!("{name} is {dims:?} but the layer expects d_model = {d_model} in the last dimension"),
                ));
            }
        }
        if query.dims().iter().chain(&key.dims()).any(|&d| d == 0) {
            return Err(Error::invalid(
                "multi-head attention input",
                format!(
                    "query is {:?} and key is {:?}: there must be at least one sequence and one token in each",
                    query.dims(),
                    key.dims()
                ),
            ));
        }
        if key.dims() != value.dims() || key.dims()[0] != query.dims()[0] {
            return Err(Error::invalid(
                "multi-head attention input",
                format!(
                    "query {:?}, key {:?}, value {:?}: key and value must match, and the batch sizes agree",
                    query.dims(),
                    key.dims(),
                    value.dims()
                ),
            ));
        }
        let q = self.split_heads(self.query.forward(query))?; // (batch, heads, seq_q, d_k)
        let k = self.split_heads(self.key.forward(key))?; // (batch, heads, seq_k, d_k)
        let v = self.split_heads(self.value.forward(value))?; // (batch, heads, seq_k, d_k)
        let (context, weights) = try_scaled_dot_product_attention(q, k, v, mask)?; // (batch, heads, seq_q, d_k)
        let context = self.output.forward(self.merge_heads(context)); // (batch, seq_q, d_model)
        Ok(AttentionOutput { context, weights })
    }
}
