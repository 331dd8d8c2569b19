//! Why residual connections: gradients through a deep stack with and without the bypass.

use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Distribution, Tensor};

use super::training_device;
use crate::error::{Error, Result};

// Bounds of [`layer_gradient_norms`]: a demonstration stack, far below what would exhaust memory.
const MAX_DEPTH: usize = 1000;
const MAX_WIDTH: usize = 4096;
const MAX_WEIGHTS: usize = 50_000_000;

/// The gradient norm `‖∂loss/∂W_l‖` of every layer's weights in a stack of `depth` dense
/// layers with sigmoid activations, first layer first.
///
/// Each layer computes `f(h) = sigmoid(W h + b)`; with `residual` the layer output is
/// `h + f(h)`, so the gradient has a path around every layer. The loss is the mean square of
/// the last layer's output for a batch of 32 standard normal inputs. `seed` fixes the
/// initial weights and the inputs. Fails when a size is 0 or above 1000 layers, 4096 units, or
/// 5·10^7 weights in all.
pub fn layer_gradient_norms(depth: usize, width: usize, residual: bool, seed: u64) -> Result<Vec<f64>> {
    if depth == 0 || width == 0 {
        return Err(Error::invalid("stack size", format!("depth = {depth} and width = {width} must be positive")));
    }
    let weights = depth.saturating_mul(width).saturating_mul(width);
    if depth > MAX_DEPTH || width > MAX_WIDTH || weights > MAX_WEIGHTS {
        return Err(Error::invalid(
            "stack size",
            format!(
                "depth = {depth} and width = {width}: at most {MAX_DEPTH} layers of {MAX_WIDTH} units and \
                 {MAX_WEIGHTS} weights in all (depth × width² = {weights})"
            ),
        ));
    }
    let device = training_device();
    device.seed(seed);
    let layers: Vec<Linear> = (0..depth).map(|_| LinearConfig::new(width, width).init(&device)).collect();
    let input = Tensor::<2>::random([32, width], Distribution::Normal(0.0, 1.0), &device); // (batch, width)
    let mut h = input;
    for layer in &layers {
        let f = sigmoid(layer.forward(h.clone())); // (batch, width)
        h = if residual { h + f } else { f };
    }
    let grads = h.powf_scalar(2.0).mean().backward();
    layers
        .iter()
        .map(|layer| {
            let grad = layer
                .weight
                .val()
                .grad(&grads)
                .ok_or_else(|| Error::invalid("gradient", "a layer's weights received no gradient".to_owned()))?;
            Ok(f64::from(grad.powf_scalar(2.0).sum().sqrt().into_scalar::<f32>()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_vanish_without_residuals_and_survive_with_them() {
        let plain = layer_gradient_norms(20, 32, false, 1).unwrap();
        let residual = layer_gradient_norms(20, 32, true, 1).unwrap();
        assert_eq!(plain.len(), 20);
        // Without the bypass the first layer's gradient is orders of magnitude below the last's.
        assert!(plain[0] < 1e-6 * plain[19], "plain: first {} last {}", plain[0], plain[19]);
        // With it, the first layer still learns.
        assert!(residual[0] > 1e-2 * residual[19], "residual: first {} last {}", residual[0], residual[19]);
        assert!(residual[0] > 1e5 * plain[0], "residual first layer {} vs plain {}", residual[0], plain[0]);
        assert!(layer_gradient_norms(0, 4, true, 1).is_err());
        let err = layer_gradient_norms(usize::MAX, 1 << 20, true, 1).unwrap_err();
        assert!(err.to_string().contains("depth = 18446744073709551615 and width = 1048576"), "{err}");
        let err = layer_gradient_norms(1000, 4096, true, 1).unwrap_err();
        assert!(err.to_string().contains("depth × width² = 16777216000"), "{err}");
    }
}
