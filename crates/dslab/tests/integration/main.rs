//! The integration tests, one binary: each test module links the crate (and burn) once instead
//! of once per file, which is most of `cargo test`'s link time. Each module is compiled only
//! with its feature.

mod attention;
mod geo;
mod iac;
mod portfolio;
mod transformer;
mod tsa;

/// burn's ndarray backend has one global random generator: a test that seeds it and expects
/// a given initialisation must not share it with another test drawing from it at the same time.
/// Every test that touches burn holds this lock.
#[cfg(feature = "attention")]
pub fn burn_rng() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
