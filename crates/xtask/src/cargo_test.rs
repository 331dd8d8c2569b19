//! `cargo test` beside the rest of `cargo xtask test`, at the lowest CPU priority.
//!
//! The set-up, the notebooks' dependency builds and the browser pass leave a share of the two
//! CI cores idle (a build waiting on one large crate, a kernel between cells, the browser
//! rendering); measured on a 2-core machine, that share was 5 % to 40 % in each step. `cargo test`
//! needs nothing they build, so it runs from the start under `nice -n 19`: it takes what they
//! leave and barely slows them, and what is left of it runs at full speed once they are done.
//! Its output goes to a log file, printed whole when it ends, so the two never interleave.

use std::fs::{self, File};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Instant, SystemTime};

use crate::env::{self, Env};
use crate::{Failure, Result};

/// cargo's arguments, and the command as the messages name it.
const ARGS: [&str; 4] = ["test", "--workspace", "--all-features", "--no-fail-fast"];
const WHAT: &str = "cargo test --workspace --all-features --no-fail-fast";

/// A `cargo test` running in the background; [`CargoTest::finish`] waits for it and reports.
pub struct CargoTest {
    child: Option<Child>,
    log: PathBuf,
    started: SystemTime,
}

impl CargoTest {
    /// Starts `cargo test` with its output in `target/xtask/cargo-test.log`.
    pub fn start(base: &Env) -> Result<CargoTest> {
        let log = base.root.join("target/xtask/cargo-test.log");
        fs::create_dir_all(log.parent().expect("has a parent"))?;
        let out = File::create(&log).map_err(|e| Failure(format!("cannot write {}: {e}", log.display())))?;
        let err = out.try_clone()?;
        let mut cmd = if nice_available() {
            let mut cmd = Command::new("nice");
            cmd.args(["-n", "19"]).arg(&base.cargo);
            cmd
        } else {
            Command::new(&base.cargo)
        };
        cmd.current_dir(&base.root).args(ARGS).stdin(Stdio::null()).stdout(out).stderr(err);
        let child = cmd.spawn().map_err(|e| Failure(format!("cannot start `{WHAT}`: {e}")))?;
        eprintln!("$ {WHAT} (in the background at low priority, output in {}; printed when it ends)", log.display());
        Ok(CargoTest { child: Some(child), log, started: SystemTime::now() })
    }

    /// Waits for `cargo test`, prints its output and fails if it failed.
    pub fn finish(mut self) -> Result {
        let waited = Instant::now();
        let status = self.child.take().expect("finished once").wait()?;
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        eprintln!("--- {WHAT} (ran in the background), its output:");
        eprint!("{text}");
        // The log's last write is when cargo test ended (it may have ended long before this wait).
        let ran = fs::metadata(&self.log)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|end| end.duration_since(self.started).ok())
            .or_else(|| self.started.elapsed().ok())
            .map_or_else(String::new, |d| env::seconds(d.as_secs_f64()));
        eprintln!(
            "xtask test: cargo test ran for {ran} beside the other steps; waited {} for it after them",
            env::elapsed(waited)
        );
        if status.success() { Ok(()) } else { Err(Failure(format!("`{WHAT}` failed ({status}); its output is above"))) }
    }
}

impl Drop for CargoTest {
    /// A `cargo xtask test` that panics before [`CargoTest::finish`] does not leave cargo running.
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
            eprintln!("xtask test: stopped the background `cargo test` (log so far: {})", self.log.display());
        }
    }
}

/// Whether `nice` runs here (Unix); elsewhere cargo test runs at normal priority.
fn nice_available() -> bool {
    Command::new("nice").arg("true").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_message_names_the_command_that_runs() {
        assert_eq!(super::WHAT, format!("cargo {}", super::ARGS.join(" ")));
    }
}
