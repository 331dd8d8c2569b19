//! Scaled dot-product attention: compare queries with keys, turn the scores into weights,
//! reweight the values.

use burn::tensor::activation::softmax;
use burn::tensor::{Bool, Tensor};

use crate::error::{Error, Result};

/// The logit given to blocked positions before the softmax, as in the original Transformer
/// code: `exp(-1e9 - max)` is exactly zero in floating point, so blocked keys get weight 0.
pub const MASKED_LOGIT: f32 = -1e9;

/// The most attention weights one call may compute, 2^30 (4 GiB of `f32`): beyond that the
/// `(batch, heads, seq_q, seq_k)` weights would exhaust memory and abort the process.
pub const MAX_WEIGHT_VALUES: usize = 1 << 30;

/// `softmax(Q Kᵀ / √d_k) V`, returning `(context, weights)`.
///
/// `mask` marks blocked (query, key) pairs with `true`; it may have size 1 in any dimension and
/// is broadcast (a padding mask is `(batch, 1, 1, seq_k)`, a look-ahead mask `(1, 1, seq, seq)`).
/// Blocked logits are set to [`MASKED_LOGIT`], which gives them weight 0 (adding `-1e9`, as the
/// article does, gives the same weights).
///
/// # Shapes
/// - `q`: `(batch, heads, seq_q, depth)`
/// - `k`: `(batch, heads, seq_k, depth)`
/// - `v`: `(batch, heads, seq_k, depth_v)`
/// - `mask`: broadcastable to `(batch, heads, seq_q, seq_k)`
/// - returns context `(batch, heads, seq_q, depth_v)` and weights `(batch, heads, seq_q, seq_k)`
///
/// # Panics
/// When the shapes do not fit together or a size is 0, with a message naming them (before burn
/// sees them);
/// [`try_scaled_dot_product_attention`] returns the error instead.
pub fn scaled_dot_product_attention(
    q: Tensor<4>,
    k: Tensor<4>,
    v: Tensor<4>,
    mask: Option<Tensor<4, Bool>>,
) -> (Tensor<4>, Tensor<4>) {
    match try_scaled_dot_product_attention(q, k, v, mask) {
        Ok(out) => out,
        Err(err) => panic!("{err}"),
    }
}

/// [`scaled_dot_product_attention`] that returns an error for shapes that do not fit, have a
/// size 0 (burn-ndarray's matrix product divides by the depth and the key count), or would need
/// more than [`MAX_WEIGHT_VALUES`] weights.
pub fn try_scaled_dot_product_attention(
    q: Tensor<4>,
    k: Tensor<4>,
    v: Tensor<4>,
    mask: Option<Tensor<4, Bool>>,
) -> Result<(Tensor<4>, Tensor<4>)> {
    let [b, h, seq_q, depth] = q.dims();
    let [kb, kh, seq_k, k_depth] = k.dims();
    let [vb, vh, v_seq, _] = v.dims();
    let what = "attention inputs";
    if q.dims().iter().chain(&k.dims()).chain(&v.dims()).any(|&d| d == 0) {
        return Err(Error::invalid(
            what,
            format!(
                "q is {:?}, k is {:?} and v is {:?}: every size must be at least 1 (a depth of 0 or no keys \
                 leaves nothing to attend to)",
                q.dims(),
                k.dims(),
                v.dims()
            ),
        ));
    }
    if (kb, kh, k_depth) != (b, h, depth) {
        return Err(Error::invalid(
            what,
            format!("q is {:?} and k is {:?}: batch, heads and depth must match", q.dims(), k.dims()),
        ));
    }
    if (vb, vh, v_seq) != (b, h, seq_k) {
        return Err(Error::invalid(
            what,
            format!("k is {:?} and v is {:?}: v needs one row per key", k.dims(), v.dims()),
        ));
    }
    let full = [b, h, seq_q, seq_k];
    let values = full.iter().fold(1usize, |n, &d| n.saturating_mul(d));
    if values > MAX_WEIGHT_VALUES {
        return Err(Error::invalid(
            what,
            format!(
                "q is {:?} and k is {:?}: the weights {full:?} would hold {values} values, more than the limit of \
                 {MAX_WEIGHT_VALUES}; use shorter sequences or smaller batches",
                q.dims(),
                k.dims()
            ),
        ));
    }
    if let Some(m) = &mask {
        let dims = m.dims();
        if dims.iter().zip(full).any(|(&d, f)| d != 1 && d != f) {
            return Err(Error::invalid(
                "attention mask",
                format!("the mask is {dims:?} but the weights are {full:?}: each mask dimension must be 1 or match"),
            ));
        }
    }

    let scale = (depth as f64).sqrt();
    let logits = q.matmul(k.swap_dims(2, 3)).div_scalar(scale); // (batch, heads, seq_q, seq_k)
    let logits = match mask {
        Some(m) => logits.mask_fill(m.expand(full), MASKED_LOGIT),
        None => logits,
    };
    let weights = softmax(logits, 3); // (batch, heads, seq_q, seq_k), rows sum to 1
    let context = weights.clone().matmul(v); // (batch, heads, seq_q, depth_v)
    Ok((context, weights))
}
