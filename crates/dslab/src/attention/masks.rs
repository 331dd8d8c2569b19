//! Masks that block attention: padding (keys that are not real tokens) and look-ahead
//! (keys the decoder must not see yet). `true` means blocked.

use burn::tensor::{Bool, Device, Int, Tensor};

/// Blocks every key after the query's own position, so position `i` attends to `0..=i` only.
///
/// # Shapes
/// - returns `(len, len)`, `true` strictly above the diagonal
pub fn look_ahead_mask(len: usize, device: &Device) -> Tensor<2, Bool> {
    Tensor::<2, Bool>::tril_mask([len, len], 0, device)
}

/// Blocks the keys that hold the padding token `pad_id`.
///
/// # Shapes
/// - `tokens`: `(batch, seq)`
/// - returns `(batch, 1, 1, seq)`, broadcast over heads and queries by the attention
pub fn padding_mask(tokens: &Tensor<2, Int>, pad_id: i64) -> Tensor<4, Bool> {
    tokens.clone().equal_elem(pad_id).unsqueeze_dims::<4>(&[1, 2]) // (batch, 1, 1, seq)
}

/// The decoder's self-attention mask: look-ahead and padding combined.
///
/// # Shapes
/// - `tokens`: `(batch, seq)`
/// - returns `(batch, 1, seq, seq)`
pub fn decoder_mask(tokens: &Tensor<2, Int>, pad_id: i64) -> Tensor<4, Bool> {
    let [batch, seq] = tokens.dims();
    let padding = padding_mask(tokens, pad_id).expand([batch, 1, seq, seq]); // (batch, 1, seq, seq)
    let ahead = look_ahead_mask(seq, &tokens.device()).unsqueeze::<4>().expand([batch, 1, seq, seq]);
    padding.bool_or(ahead)
}
