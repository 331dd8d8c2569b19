//! Masks that block attention: padding (keys that are not real tokens) and look-ahead
//! (keys the decoder must not see yet). `true` means blocked.

use burn::tensor::{Bool, Device, Int, Tensor};

use crate::error::{Error, Result};

/// The most values a mask may hold, 2^28 (256 MiB of booleans): a look-ahead mask of at most
/// 16 384 positions. A larger size is almost always a mistake, and would abort the process
/// when the memory runs out instead of returning an error.
pub const MAX_MASK_VALUES: usize = 1 << 28;

/// Blocks every key after the query's own position, so position `i` attends to `0..=i` only.
///
/// Fails when `len` is 0 (there is nothing to mask) or the mask would hold more than
/// [`MAX_MASK_VALUES`] values.
///
/// # Shapes
/// - returns `(len, len)`, `true` strictly above the diagonal
pub fn look_ahead_mask(len: usize, device: &Device) -> Result<Tensor<2, Bool>> {
    if len == 0 || len.saturating_mul(len) > MAX_MASK_VALUES {
        return Err(Error::invalid(
            "look-ahead mask length",
            format!("{len}: it must be between 1 and 16384 (a mask of at most {MAX_MASK_VALUES} values)"),
        ));
    }
    Ok(Tensor::<2, Bool>::tril_mask([len, len], 0, device))
}

/// Fails unless `tokens` has at least one sentence and one token (burn cannot build a mask with
/// a size 0).
fn check_tokens(tokens: &Tensor<2, Int>, mask: &str) -> Result<[usize; 2]> {
    let [batch, seq] = tokens.dims();
    if batch == 0 || seq == 0 {
        return Err(Error::invalid(
            format!("tokens of the {mask}"),
            format!("they are [{batch}, {seq}]: there must be at least one sentence of at least one token"),
        ));
    }
    Ok([batch, seq])
}

/// Blocks the keys that hold the padding token `pad_id`.
///
/// Fails when `tokens` has no sentence or no token.
///
/// # Shapes
/// - `tokens`: `(batch, seq)`
/// - returns `(batch, 1, 1, seq)`, broadcast over heads and queries by the attention
pub fn padding_mask(tokens: &Tensor<2, Int>, pad_id: i64) -> Result<Tensor<4, Bool>> {
    check_tokens(tokens, "padding mask")?;
    Ok(tokens.clone().equal_elem(pad_id).unsqueeze_dims::<4>(&[1, 2])) // (batch, 1, 1, seq)
}

/// The decoder's self-attention mask: look-ahead and padding combined.
///
/// Fails when `tokens` has no sentence or no token, or the mask would hold more than
/// [`MAX_MASK_VALUES`] values.
///
/// # Shapes
/// - `tokens`: `(batch, seq)`
/// - returns `(batch, 1, seq, seq)`
pub fn decoder_mask(tokens: &Tensor<2, Int>, pad_id: i64) -> Result<Tensor<4, Bool>> {
    let [batch, seq] = check_tokens(tokens, "decoder mask")?;
    let values = batch.saturating_mul(seq).saturating_mul(seq);
    if values > MAX_MASK_VALUES {
        return Err(Error::invalid(
            "tokens of the decoder mask",
            format!(
                "they are [{batch}, {seq}]: the mask would hold {batch} × {seq} × {seq} = {values} values, more \
                 than the limit of {MAX_MASK_VALUES}; use smaller batches"
            ),
        ));
    }
    let padding = padding_mask(tokens, pad_id)?.expand([batch, 1, seq, seq]); // (batch, 1, seq, seq)
    let ahead = look_ahead_mask(seq, &tokens.device())?.unsqueeze::<4>().expand([batch, 1, seq, seq]);
    Ok(padding.bool_or(ahead))
}
