//! The reference tools (numpy, statsmodels, PyPortfolioOpt, sacrebleu, pyproj) in their own
//! environment `.venv-ref`: they regenerate the test fixtures and run beside dslab in the
//! benchmarks. Neither the notebooks nor `cargo xtask test` need them.

use std::fs;
use std::path::{Path, PathBuf};

use crate::env::{Env, command, output, run};
use crate::{Failure, Result};

/// Topics with a fixture folder, a benchmark example `bench_<topic>` and a dslab feature.
pub const TOPICS: [(&str, &str); 4] =
    [("attention", "attention"), ("tsa", "tsa"), ("portfolio", "portfolio"), ("geo", "geo")];

fn fixture_dirs(root: &Path) -> Result<Vec<PathBuf>> {
    let base = root.join("crates/dslab/tests/fixtures");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&base)
        .map_err(|e| Failure(format!("cannot list {}: {e}", base.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("make_fixtures.py").exists())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// `.venv-ref` with every fixture folder's pinned requirements; reinstalls when they change.
pub fn ensure(env: &Env) -> Result<PathBuf> {
    let prefix = env.root.join(".venv-ref");
    let python = if cfg!(windows) { prefix.join("Scripts/python.exe") } else { prefix.join("bin/python") };
    if !python.exists() {
        let system = ["python3", "python"]
            .into_iter()
            .find(|p| output(std::process::Command::new(p).arg("--version")).is_some())
            .ok_or_else(|| Failure("python3 not found: install Python 3.9 or newer and run again".into()))?;
        run(command(system).args(["-m", "venv"]).arg(&prefix), &format!("{system} -m venv .venv-ref"))?;
    }
    let mut wanted = String::new();
    let mut args: Vec<String> = vec!["-m".into(), "pip".into(), "install".into(), "-q".into()];
    for dir in fixture_dirs(&env.root)? {
        let file = dir.join("requirements.txt");
        if file.exists() {
            wanted += &fs::read_to_string(&file)?;
            args.push("-r".into());
            args.push(file.display().to_string());
        }
    }
    let stamp = prefix.join("dslab-reference-requirements.txt");
    if fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        run(command(&python).args(&args), "pip install the reference tools into .venv-ref")?;
        fs::write(&stamp, wanted)?;
    }
    Ok(python)
}

/// Regenerates every fixture with the reference tools.
pub fn fixtures(env: &Env) -> Result {
    let python = ensure(env)?;
    for dir in fixture_dirs(&env.root)? {
        let script = dir.join("make_fixtures.py");
        run(command(&python).arg(&script).current_dir(&env.root), &format!("python {}", script.display()))?;
    }
    eprintln!("xtask fixtures: regenerated; `git diff crates/dslab/tests/fixtures` shows what changed");
    Ok(())
}

/// Runs the benchmarks of `topics` (all when empty): dslab in release mode next to its reference.
pub fn bench(env: &Env, topics: &[String]) -> Result {
    let python = ensure(env)?;
    for (topic, feature) in TOPICS {
        if !topics.is_empty() && !topics.iter().any(|t| t == topic) {
            continue;
        }
        run(
            command(&env.cargo)
                .args(["run", "--quiet", "--release", "-p", "dslab", "--features", feature, "--example"])
                .arg(format!("bench_{topic}"))
                .env("DSLAB_REF_PYTHON", &python)
                .current_dir(&env.root),
            &format!("cargo run --release --features {feature} --example bench_{topic}"),
        )?;
    }
    Ok(())
}
