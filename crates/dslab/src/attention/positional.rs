//! Sinusoidal positional encodings, which tell a Transformer where each token sits.

use burn::tensor::{Device, Tensor, TensorData};

use crate::error::{Error, Result};

/// The most values an encoding may hold, 10^8 (400 MB of `f32`): far more than any model here
/// needs, small enough that a mistyped size is an error instead of an aborted process.
pub const MAX_ENCODING_VALUES: usize = 100_000_000;

/// Fails unless both sizes are positive and the table holds at most [`MAX_ENCODING_VALUES`].
fn check_sizes(max_len: usize, d_model: usize) -> Result<()> {
    if max_len == 0 || d_model == 0 || max_len.saturating_mul(d_model) > MAX_ENCODING_VALUES {
        return Err(Error::invalid(
            "positional encoding sizes",
            format!(
                "max_len = {max_len} and d_model = {d_model}: both must be positive and max_len × d_model at \
                 most {MAX_ENCODING_VALUES}"
            ),
        ));
    }
    Ok(())
}

/// The angle `pos / 10000^(2i / d_model)` of depth pair `i`.
fn angle(pos: usize, pair: usize, d_model: usize) -> f64 {
    pos as f64 / 10000f64.powf(2.0 * pair as f64 / d_model as f64)
}

/// The paper's encoding, sines and cosines interleaved:
/// `PE(pos, 2i) = sin(pos / 10000^(2i/d_model))`, `PE(pos, 2i+1) = cos(same)`.
///
/// Computed in `f64`, stored as the device's float type. Fails when a size is 0 or the table
/// would hold more than [`MAX_ENCODING_VALUES`] values.
///
/// # Shapes
/// - returns `(max_len, d_model)`
pub fn positional_encoding(max_len: usize, d_model: usize, device: &Device) -> Result<Tensor<2>> {
    check_sizes(max_len, d_model)?;
    let mut data = Vec::with_capacity(max_len * d_model);
    for pos in 0..max_len {
        for j in 0..d_model {
            let a = angle(pos, j / 2, d_model);
            data.push(if j % 2 == 0 { a.sin() } else { a.cos() } as f32);
        }
    }
    Ok(Tensor::from_data(TensorData::new(data, [max_len, d_model]), device))
}

/// The variant that puts every sine first and every cosine after: column `i` is
/// `sin(angle(i))` for `i < ⌈d_model/2⌉`, then the cosines in the same order. It holds the
/// same numbers as [`positional_encoding`] with the columns reordered, and fails for the same
/// sizes.
///
/// # Shapes
/// - returns `(max_len, d_model)`
pub fn positional_encoding_concatenated(max_len: usize, d_model: usize, device: &Device) -> Result<Tensor<2>> {
    check_sizes(max_len, d_model)?;
    let sines = d_model.div_ceil(2);
    let mut data = Vec::with_capacity(max_len * d_model);
    for pos in 0..max_len {
        for j in 0..d_model {
            let value = if j < sines { angle(pos, j, d_model).sin() } else { angle(pos, j - sines, d_model).cos() };
            data.push(value as f32);
        }
    }
    Ok(Tensor::from_data(TensorData::new(data, [max_len, d_model]), device))
}
