//! Attention on burn tensors: scaled dot-product attention, multi-head attention, positional
//! encodings and masks (articles 1 and 2).
//!
//! Tensors follow the shape `(batch, heads, seq, depth)` for attention inputs; every function
//! documents its shapes. The backend is chosen once, in [`device`]: burn 0.22 picks it from the
//! `Device` value, so switching to another backend (burn's `flex` CPU backend, `wgpu`, `cuda`)
//! is a one-line change there.
//!
//! ```
//! use dslab::attention::{self, scaled_dot_product_attention};
//! use burn::tensor::Tensor;
//!
//! let device = attention::device();
//! let q = Tensor::<4>::ones([1, 1, 2, 4], &device);
//! let (context, weights) = scaled_dot_product_attention(q.clone(), q.clone(), q, None);
//! assert_eq!(weights.dims(), [1, 1, 2, 2]); // one weight per (query, key)
//! assert_eq!(context.dims(), [1, 1, 2, 4]);
//! ```

mod convert;
mod masks;
mod multi_head;
mod positional;
pub mod residual;
mod scaled_dot_product;

pub use convert::{head_maps, tensor_from_rows, to_rows, to_vec};
pub use masks::{MAX_MASK_VALUES, decoder_mask, look_ahead_mask, padding_mask};
pub use multi_head::{AttentionOutput, MAX_D_MODEL, MultiHeadAttention, MultiHeadAttentionConfig};
pub use positional::{MAX_ENCODING_VALUES, positional_encoding, positional_encoding_concatenated};
pub use scaled_dot_product::{
    MASKED_LOGIT, MAX_WEIGHT_VALUES, scaled_dot_product_attention, try_scaled_dot_product_attention,
};

pub use burn::tensor::{Bool, Device, Int, Tensor};

/// The device every notebook computes on: burn-ndarray on the CPU.
///
/// The one place the backend is chosen. burn 0.22 marks `ndarray` deprecated in favour of its
/// `flex` CPU backend; this project stays on ndarray (its named dependency) until flex is measured
/// on the project's own workloads.
#[allow(deprecated)]
pub fn device() -> Device {
    Device::ndarray()
}

/// The device for training: [`device`] with automatic differentiation.
pub fn training_device() -> Device {
    device().autodiff()
}
