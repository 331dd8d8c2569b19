//! Teaching the Transformer: Adam with the paper's warm-up schedule, a loss and an accuracy that
//! ignore padding, progress lines with throughput, and checkpoints.

use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Int, Tensor};

use super::data::{EncodedPair, TranslationBatch, make_batch, shuffled_batches};
use super::model::Transformer;
use super::tokenizer::PAD;
use crate::error::{Error, Result};
use crate::random::Rng;

/// How to train: steps, batch size and the learning-rate schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingConfig {
    /// Optimisation steps (batches) to run.
    pub steps: usize,
    /// Sentence pairs per batch (64 in the article).
    pub batch_size: usize,
    /// Steps over which the learning rate rises before it decays (4000 in the paper).
    pub warmup_steps: usize,
    /// Multiplies the schedule `d_model^-0.5 · min(step^-0.5, step · warmup^-1.5)`.
    pub lr_factor: f64,
    /// Seed of the batch order (the weights are seeded through the device).
    pub seed: u64,
    /// Steps between progress lines.
    pub log_every: usize,
    /// Steps between evaluations on the validation pairs (0: never). When set, training keeps
    /// the weights with the lowest validation loss (early stopping): a small data set is
    /// learned by heart long before the last step.
    pub validate_every: usize,
}

impl TrainingConfig {
    /// `steps` steps of 64 pairs, warm-up over 10 % of the steps (at least 100), factor 1.
    pub fn new(steps: usize) -> Self {
        TrainingConfig {
            steps,
            batch_size: 64,
            warmup_steps: (steps / 10).max(100),
            lr_factor: 1.0,
            seed: 42,
            log_every: 50,
            validate_every: 0,
        }
    }

    /// Sets the batch size.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Sets the warm-up length.
    pub fn with_warmup_steps(mut self, warmup_steps: usize) -> Self {
        self.warmup_steps = warmup_steps;
        self
    }

    /// Sets the learning-rate factor.
    pub fn with_lr_factor(mut self, lr_factor: f64) -> Self {
        self.lr_factor = lr_factor;
        self
    }

    /// Sets the seed of the batch order.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the steps between progress lines.
    pub fn with_log_every(mut self, log_every: usize) -> Self {
        self.log_every = log_every.max(1);
        self
    }

    /// Evaluates on the validation pairs every `steps` steps and keeps the best weights.
    pub fn with_validate_every(mut self, steps: usize) -> Self {
        self.validate_every = steps;
        self
    }

    /// The learning rate at `step` (counted from 1): linear warm-up, then decay as `1/√step`.
    pub fn learning_rate(&self, d_model: usize, step: usize) -> f64 {
        let step = step.max(1) as f64;
        let warmup = self.warmup_steps.max(1) as f64;
        self.lr_factor * (d_model as f64).powf(-0.5) * step.powf(-0.5).min(step * warmup.powf(-1.5))
    }
}

/// One progress line.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingLog {
    /// Steps done.
    pub step: usize,
    /// Passes over the training pairs so far (fractional).
    pub epoch: f64,
    /// Mean cross-entropy per target token over the steps since the last line.
    pub loss: f64,
    /// Share of target tokens predicted right (argmax) over the same steps.
    pub accuracy: f64,
    /// Source plus target tokens (padding excluded) processed per second.
    pub tokens_per_second: f64,
    /// The learning rate of the last step.
    pub learning_rate: f64,
    /// Seconds since training started.
    pub seconds: f64,
    /// Loss and accuracy on the validation pairs, on the lines where they were evaluated.
    pub valid: Option<Evaluation>,
}

impl std::fmt::Display for TrainingLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "step {:5}  epoch {:5.2}  loss {:.3}  accuracy {:5.1} %  {:6.0} tokens/s  lr {:.2e}  {:6.1} s",
            self.step,
            self.epoch,
            self.loss,
            100.0 * self.accuracy,
            self.tokens_per_second,
            self.learning_rate,
            self.seconds
        )?;
        if let Some(valid) = self.valid {
            write!(f, "  | valid loss {:.3}  accuracy {:5.1} %", valid.loss, 100.0 * valid.accuracy)?;
        }
        Ok(())
    }
}

/// Loss and accuracy of a model on some pairs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean cross-entropy per target token.
    pub loss: f64,
    /// Share of target tokens predicted right when the decoder sees the true previous tokens.
    pub accuracy: f64,
}

/// Cross-entropy over the non-padding labels, and the number of right and counted labels.
///
/// # Shapes
/// - `logits`: `(batch, tgt, vocab)`; `labels`: `(batch, tgt)`
fn loss_and_hits(logits: Tensor<3>, labels: Tensor<2, Int>) -> (Tensor<1>, usize, usize) {
    let [batch, tgt, vocab] = logits.dims();
    let predicted = logits.clone().argmax(2).reshape([batch, tgt]); // (batch, tgt)
    let real = labels.clone().not_equal_elem(i64::from(PAD)); // (batch, tgt)
    let hits = predicted.equal(labels.clone()).bool_and(real.clone()).int().sum().into_scalar::<i64>() as usize;
    let counted = real.int().sum().into_scalar::<i64>() as usize;
    let loss = CrossEntropyLossConfig::new()
        .with_pad_tokens(Some(vec![PAD as usize]))
        .init(&logits.device())
        .forward(logits.reshape([batch * tgt, vocab]), labels.reshape([batch * tgt]));
    (loss, hits, counted)
}

fn non_pad(t: &Tensor<2, Int>) -> usize {
    t.clone().not_equal_elem(i64::from(PAD)).int().sum().into_scalar::<i64>() as usize
}

/// Loss and accuracy of `model` on `pairs`, without dropout or gradients, `batch_size` pairs
/// at a time. Fails when there are no pairs or `batch_size` is 0.
pub fn evaluate(model: &Transformer, pairs: &[EncodedPair], batch_size: usize) -> Result<Evaluation> {
    if pairs.is_empty() {
        return Err(Error::invalid("evaluation pairs", "there are none"));
    }
    if batch_size == 0 {
        return Err(Error::invalid("evaluation batch size", "0: a batch needs at least one sentence pair"));
    }
    let model = model.valid();
    let device = model.output.weight.val().device();
    let (mut loss_sum, mut hits, mut counted) = (0.0, 0, 0);
    for chunk in pairs.chunks(batch_size) {
        let batch = make_batch(chunk, &device)?;
        let out = model.forward(batch.src, batch.tgt_in)?;
        let (loss, h, c) = loss_and_hits(out.logits, batch.tgt_out);
        loss_sum += f64::from(loss.into_scalar::<f32>()) * c as f64;
        hits += h;
        counted += c;
    }
    Ok(Evaluation { loss: loss_sum / counted as f64, accuracy: hits as f64 / counted as f64 })
}

/// A finished training run.
#[derive(Clone, Debug)]
pub struct Trained {
    /// The weights with the lowest validation loss when validation was on, else the last ones
    /// (still on the training device).
    pub model: Transformer,
    /// Every progress line.
    pub logs: Vec<TrainingLog>,
    /// The step whose weights `model` holds.
    pub best_step: usize,
}

/// Trains `model` on `pairs` for `config.steps` steps with Adam (β₁ 0.9, β₂ 0.98, ε 1e-9) and
/// the warm-up schedule, calling `on_log` every `config.log_every` steps. With
/// `config.validate_every` set, it also evaluates on `valid` and keeps the best weights.
///
/// The model must live on an autodiff device ([`crate::attention::training_device`]).
pub fn train(
    model: Transformer,
    pairs: &[EncodedPair],
    valid: &[EncodedPair],
    config: &TrainingConfig,
    mut on_log: impl FnMut(&TrainingLog),
) -> Result<Trained> {
    if config.validate_every > 0 && valid.is_empty() {
        return Err(Error::invalid("validation", "validate_every is set but there are no validation pairs".to_owned()));
    }
    if pairs.is_empty() || config.batch_size == 0 {
        return Err(Error::invalid(
            "training data",
            format!("{} pairs with batch size {}", pairs.len(), config.batch_size),
        ));
    }
    if config.log_every == 0 {
        return Err(Error::invalid("training log_every", "0: progress lines need at least 1 step between them"));
    }
    if !(config.lr_factor.is_finite() && config.lr_factor > 0.0) {
        return Err(Error::invalid(
            "training lr_factor",
            format!("{}: it must be a positive number", config.lr_factor),
        ));
    }
    let device = model.output.weight.val().device();
    if !device.is_autodiff() {
        return Err(Error::invalid(
            "training device",
            "the model is not on an autodiff device: build it on dslab::attention::training_device()".to_owned(),
        ));
    }
    let d_model = model.output.weight.val().dims()[0];
    let mut optimizer = AdamConfig::new().with_beta_1(0.9).with_beta_2(0.98).with_epsilon(1e-9).init();
    let mut rng = Rng::seed(config.seed);
    let mut model = model;
    let mut batches: Vec<Vec<EncodedPair>> = Vec::new();
    let mut logs = Vec::new();
    let started = Instant::now();
    let (mut window_loss, mut window_hits, mut window_counted, mut window_tokens) = (0.0, 0usize, 0usize, 0usize);
    let mut window_start = Instant::now();
    let mut pairs_seen = 0usize;
    let mut best: Option<(f64, usize, Transformer)> = None;
    for step in 1..=config.steps {
        if batches.is_empty() {
            batches = shuffled_batches(pairs, config.batch_size, &mut rng)?;
            batches.reverse(); // popped from the back
        }
        let group = batches.pop().expect("refilled above");
        pairs_seen += group.len();
        let TranslationBatch { src, tgt_in, tgt_out, .. } = make_batch(&group, &device)?;
        window_tokens += non_pad(&src) + non_pad(&tgt_out);
        let out = model.forward(src, tgt_in)?;
        let (loss, hits, counted) = loss_and_hits(out.logits, tgt_out);
        let loss_value = f64::from(loss.clone().into_scalar::<f32>());
        if !loss_value.is_finite() {
            return Err(Error::not_converged(
                "training",
                format!("the loss became {loss_value} at step {step}: lower the learning-rate factor"),
            ));
        }
        window_loss += loss_value * counted as f64;
        window_hits += hits;
        window_counted += counted;
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let lr = config.learning_rate(d_model, step);
        model = optimizer.step(lr, model, grads);
        let validate = config.validate_every > 0 && (step % config.validate_every == 0 || step == config.steps);
        if step % config.log_every == 0 || step == config.steps || validate {
            let seconds = window_start.elapsed().as_secs_f64();
            let valid = if validate { Some(evaluate(&model, valid, 128)?) } else { None };
            if let Some(v) = valid
                && best.as_ref().is_none_or(|(loss, _, _)| v.loss < *loss)
            {
                best = Some((v.loss, step, model.clone()));
            }
            let log = TrainingLog {
                step,
                epoch: pairs_seen as f64 / pairs.len() as f64,
                loss: window_loss / window_counted.max(1) as f64,
                accuracy: window_hits as f64 / window_counted.max(1) as f64,
                tokens_per_second: window_tokens as f64 / seconds.max(1e-9),
                learning_rate: lr,
                seconds: started.elapsed().as_secs_f64(),
                valid,
            };
            on_log(&log);
            logs.push(log);
            (window_loss, window_hits, window_counted, window_tokens) = (0.0, 0, 0, 0);
            window_start = Instant::now();
        }
    }
    Ok(match best {
        Some((_, best_step, best_model)) => Trained { model: best_model, logs, best_step },
        None => Trained { model, logs, best_step: config.steps },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_warms_up_then_decays() {
        let config = TrainingConfig::new(1000).with_warmup_steps(100);
        let lr = |s| config.learning_rate(128, s);
        assert!(lr(1) < lr(50) && lr(50) < lr(100));
        assert!(lr(100) > lr(101) && lr(101) > lr(1000));
        // The peak is d_model^-0.5 · warmup^-0.5.
        assert!((lr(100) - 128f64.powf(-0.5) * 100f64.powf(-0.5)).abs() < 1e-12);
    }
}
