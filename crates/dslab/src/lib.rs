//! `dslab`: the tested implementations behind the dslab notebooks.
//!
//! A notebook shows an idea step by step; this crate keeps what the notebook built, with
//! tests against trusted references. Load it in a notebook with one `:dep` line and only the
//! features that notebook needs, because every crate in the dependency graph slows each cell
//! (evcxr's embedded rust-analyzer reads them all):
//!
//! ```text
//! :dep dslab = { path = "../crates/dslab" }                            // plots, tables, CSV
//! :dep dslab = { path = "../crates/dslab", features = ["attention"] }   // + burn tensors
//! ```
//!
//! | module | what | feature | notebook |
//! |---|---|---|---|
//! | [`plot`] | SVG charts, heat maps and grids shown inline | always | all |
//! | [`table`] | HTML tables shown inline | always (`frame` adds polars) | all |
//! | [`data`] | CSV loading with errors naming file, line and column | always | all |
//! | [`random`] | a seeded generator whose streams never change | always | all |
//! | `attention` | scaled dot-product and multi-head attention, positional encodings, masks (burn) | `attention` | 01, 02 |
//! | `transformer` | BPE tokenizer, the Transformer, training, greedy and beam decoding, BLEU | `transformer` | 03 |
//! | `tsa` | transforms, decomposition, ACF/PACF, ADF, smoothing, ARIMA | `tsa` | 04 |
//! | `portfolio` | returns, covariances, random portfolios, the efficient frontier | `portfolio` | 05 |
//! | `geo` | distances, projections, grids, spatial index, the location search | `geo` | 06 |
//! | `iac` | typed Terraform resources, HCL/JSON, dependency graph, plan/apply on a simulated Azure, policies | `iac` | 07 |
#![warn(missing_docs)]

#[cfg(feature = "attention")]
pub mod attention;
pub mod data;
pub mod error;
#[cfg(feature = "geo")]
pub mod geo;
#[cfg(feature = "iac")]
pub mod iac;
pub mod plot;
#[cfg(feature = "portfolio")]
pub mod portfolio;
pub mod random;
pub mod table;
#[cfg(feature = "transformer")]
pub mod transformer;
#[cfg(feature = "tsa")]
pub mod tsa;

pub use error::{Error, Result};

/// burn, re-exported so a notebook that loads `dslab` with the `attention` feature can use
/// tensors (`use dslab::burn::tensor::Tensor;`) without a second `:dep` line.
#[cfg(feature = "attention")]
pub use burn;
