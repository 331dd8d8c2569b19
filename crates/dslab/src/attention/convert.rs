//! Moving numbers between burn tensors and the plain vectors that plots and tables take.

use burn::tensor::{Device, Tensor, TensorData};

use crate::error::{Error, Result};

/// Every element of a float tensor, in row-major order, as `f64`.
pub fn to_vec<const D: usize>(tensor: Tensor<D>) -> Vec<f64> {
    tensor
        .try_into_vec_as::<f32>()
        .map(|v| v.into_iter().map(f64::from).collect())
        .unwrap_or_else(|e| panic!("a float tensor converts to f32: {e:?}"))
}

/// A matrix tensor as rows, ready for [`crate::plot::Heatmap`].
///
/// # Shapes
/// - `tensor`: `(rows, cols)`
pub fn to_rows(tensor: Tensor<2>) -> Vec<Vec<f64>> {
    let [rows, cols] = tensor.dims();
    if cols == 0 {
        return vec![Vec::new(); rows];
    }
    to_vec(tensor).chunks(cols).map(<[f64]>::to_vec).collect()
}

/// A matrix tensor from rows of equal length.
pub fn tensor_from_rows(rows: &[Vec<f64>], device: &Device) -> Result<Tensor<2>> {
    let cols = rows.first().map_or(0, Vec::len);
    if let Some((i, row)) = rows.iter().enumerate().find(|(_, r)| r.len() != cols) {
        return Err(Error::invalid("matrix rows", format!("row {i} has {} values, row 0 has {cols}", row.len())));
    }
    let data: Vec<f32> = rows.iter().flatten().map(|&x| x as f32).collect();
    Ok(Tensor::from_data(TensorData::new(data, [rows.len(), cols]), device))
}

/// One `(caption, rows)` panel per head of the attention weights of sequence `batch_index`,
/// for [`crate::plot::HeatmapGrid`].
///
/// Fails when `batch_index` is not a sequence of the batch, or the weights have a size 0.
///
/// # Shapes
/// - `weights`: `(batch, heads, seq_q, seq_k)`
pub fn head_maps(weights: Tensor<4>, batch_index: usize) -> Result<Vec<(String, Vec<Vec<f64>>)>> {
    let [batch, heads, seq_q, seq_k] = weights.dims();
    if heads == 0 || seq_q == 0 || seq_k == 0 {
        return Err(Error::invalid(
            "attention weights",
            format!("they are {:?}: every head needs at least one query and one key", weights.dims()),
        ));
    }
    if batch_index >= batch {
        return Err(Error::invalid(
            "batch index",
            format!("{batch_index} is out of range for a batch of {batch} (valid: 0..{batch})"),
        ));
    }
    let one = weights.narrow(0, batch_index, 1).reshape([heads, seq_q * seq_k]);
    Ok(to_vec(one)
        .chunks(seq_q * seq_k)
        .enumerate()
        .map(|(h, values)| (format!("head {}", h + 1), values.chunks(seq_k).map(<[f64]>::to_vec).collect()))
        .collect())
}
