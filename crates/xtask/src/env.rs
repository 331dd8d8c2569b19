//! Where things are (repository, cargo, python) and how commands are run and reported.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::{Failure, Result};

/// The repository and the tools found before any set-up.
#[derive(Debug, Clone)]
pub struct Env {
    /// The repository root (the folder with the workspace `Cargo.toml`).
    pub root: PathBuf,
    /// The cargo that runs this xtask, or the one on `PATH`.
    pub cargo: PathBuf,
}

impl Env {
    /// Finds the repository from this crate's location and checks that cargo runs.
    pub fn discover() -> Result<Env> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .map(Path::to_path_buf)
            .ok_or_else(|| Failure("cannot find the repository root".into()))?;
        let cargo = std::env::var_os("CARGO").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("cargo"));
        if output(Command::new(&cargo).arg("--version")).is_none() {
            return Err(Failure("cargo not found: install Rust from https://rustup.rs and run again".into()));
        }
        Ok(Env { root, cargo })
    }
}

/// A command with the environment cleaned of what `cargo run` adds for its own child
/// (`CARGO_PKG_*`, `CARGO_MANIFEST_DIR`, ...), which must not leak into kernels and builds.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if key_text.starts_with("CARGO_") && key_text != "CARGO_HOME" && !key_text.starts_with("CARGO_REGISTRIES") {
            cmd.env_remove(&key);
        }
    }
    cmd
}

/// Runs `cmd`, echoing `what`; fails with the exit status if it does not succeed.
pub fn run(cmd: &mut Command, what: &str) -> Result {
    eprintln!("$ {what}");
    let status = cmd.status().map_err(|e| Failure(format!("cannot start `{what}`: {e}")))?;
    if status.success() { Ok(()) } else { Err(Failure(format!("`{what}` failed ({status})"))) }
}

/// The trimmed standard output of `cmd` when it runs and succeeds.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A duration as `1 min 23 s` or `4.2 s`.
pub fn elapsed(since: Instant) -> String {
    seconds(since.elapsed().as_secs_f64())
}

/// Seconds as `1 min 23 s` or `4.2 s`.
pub fn seconds(secs: f64) -> String {
    if secs >= 60.0 { format!("{} min {:.0} s", (secs / 60.0).floor(), secs % 60.0) } else { format!("{secs:.1} s") }
}

/// FNV-1a: a stable 64-bit hash for stamps (std's hasher may change between releases).
pub fn fnv1a(bytes: &[u8], mut hash: u64) -> u64 {
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// FNV-1a's starting value.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b"", FNV_OFFSET), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a", FNV_OFFSET), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar", FNV_OFFSET), 0x8594_4171_f739_67e8);
    }
}
