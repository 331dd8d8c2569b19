//! Idempotent set-up: Python environment, Jupyter packages, evcxr, the `rust` kernel, and
//! pre-built notebook dependencies. Each step checks first and does nothing when done.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::env::{Env, FNV_OFFSET, command, elapsed, fnv1a, output, run};
use crate::{Failure, Result, evcxr_patch};

/// The evcxr_jupyter release the notebooks are tested with.
pub const EVCXR_VERSION: &str = "0.22.0";

/// Name of the conda environment in `environment.yml`; when it is active, it is used instead
/// of `.venv`.
const CONDA_ENV: &str = "dslab";

/// Everything the notebooks need, ready to use.
#[derive(Debug)]
pub struct Ready {
    /// The repository root.
    pub root: PathBuf,
    /// The Python environment's prefix (`.venv` or the conda environment).
    pub prefix: PathBuf,
    /// Its interpreter.
    pub python: PathBuf,
    /// The evcxr_jupyter binary the kernel runs.
    pub evcxr: PathBuf,
}

impl Ready {
    /// Runs one of the helper scripts in `crates/xtask/python` with the environment's Python.
    pub fn python_script<I, S>(&self, script: &str, args: I) -> Result
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run(&mut self.python_command(script, args), &format!("python {script} ..."))
    }

    /// The command that runs one of `crates/xtask/python`'s scripts, for running or spawning.
    pub fn python_command<I, S>(&self, script: &str, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let path = self.root.join("crates/xtask/python").join(script);
        let mut cmd = self.jupyter_command(&self.python);
        cmd.arg(&path).args(args);
        cmd
    }

    /// A command with the environment Jupyter and the kernels should see.
    pub fn jupyter_command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = command(program);
        // Our `rust` kernel lives in the environment; prefer it over one in the user's folder.
        cmd.env("JUPYTER_PREFER_ENV_PATH", "1").env("PYTHONUNBUFFERED", "1").current_dir(&self.root);
        cmd
    }
}

/// Brings the machine to [`Ready`], doing only the steps that are not done yet.
pub fn ensure(base: &Env) -> Result<Ready> {
    let started = Instant::now();
    let (prefix, python) = python_env(base)?;
    requirements(base, &prefix, &python)?;
    rust_src()?;
    let evcxr = evcxr(base, &prefix)?;
    let ready = Ready { root: base.root.clone(), prefix, python, evcxr };
    kernel_spec(&ready)?;
    evcxr_cargo_config(&ready)?;
    eprintln!("xtask: environment ready in {} ({})", elapsed(started), ready.prefix.display());
    Ok(ready)
}

/// The folder of an environment's executables.
pub fn bin_dir(prefix: &Path) -> PathBuf {
    if cfg!(windows) { prefix.join("Scripts") } else { prefix.join("bin") }
}

fn exe(name: &str) -> String {
    if cfg!(windows) { format!("{name}.exe") } else { name.to_owned() }
}

/// The conda environment `dslab` when it is active, else `.venv` (created when missing).
fn python_env(base: &Env) -> Result<(PathBuf, PathBuf)> {
    if std::env::var("CONDA_DEFAULT_ENV").as_deref() == Ok(CONDA_ENV)
        && let Some(prefix) = std::env::var_os("CONDA_PREFIX").map(PathBuf::from)
    {
        let python = if cfg!(windows) { prefix.join("python.exe") } else { prefix.join("bin/python") };
        if python.exists() {
            return Ok((prefix, python));
        }
    }
    let prefix = base.root.join(".venv");
    let python = bin_dir(&prefix).join(exe("python"));
    if python.exists() {
        return Ok((prefix, python));
    }
    let system = ["python3", "python"]
        .into_iter()
        .find(|p| output(Command::new(p).args(["-c", "import sys; assert sys.version_info >= (3, 9)"])).is_some())
        .ok_or_else(|| {
            Failure(
                "python3 not found: install Python 3.9 or newer (https://www.python.org/downloads/) and run again"
                    .into(),
            )
        })?;
    if output(Command::new(system).args(["-c", "import venv, ensurepip"])).is_none() {
        return Err(Failure(format!(
            "{system} cannot create virtual environments: install its venv module (Debian and Ubuntu: `apt install python3-venv`) and run again"
        )));
    }
    run(command(system).args(["-m", "venv"]).arg(&prefix), &format!("{system} -m venv .venv"))?;
    Ok((prefix, python))
}

/// Installs the pinned Jupyter packages when the environment's stamp differs from the file.
fn requirements(base: &Env, prefix: &Path, python: &Path) -> Result {
    let file = base.root.join("crates/xtask/python/requirements.txt");
    let wanted = fs::read_to_string(&file)?;
    let stamp = prefix.join("dslab-requirements.txt");
    if fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    run(
        command(python).args(["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r"]).arg(&file),
        "pip install -r crates/xtask/python/requirements.txt",
    )?;
    fs::write(&stamp, wanted)?;
    Ok(())
}

/// evcxr's embedded rust-analyzer reads the standard library's sources to learn types.
fn rust_src() -> Result {
    let sysroot = output(Command::new("rustc").args(["--print", "sysroot"]))
        .ok_or_else(|| Failure("rustc not found: install Rust from https://rustup.rs and run again".into()))?;
    if Path::new(&sysroot).join("lib/rustlib/src/rust/library").is_dir() {
        return Ok(());
    }
    if output(Command::new("rustup").arg("--version")).is_none() {
        return Err(Failure(format!(
            "the Rust standard library's sources are missing from {sysroot}: install the `rust-src` component (conda: `rust-src`) and run again"
        )));
    }
    run(Command::new("rustup").args(["component", "add", "rust-src"]), "rustup component add rust-src")
}

/// The evcxr_jupyter binary at [`EVCXR_VERSION`]: conda's when the conda environment has it
/// (without our fix, see [`crate::evcxr_patch`]), else our patched build in the environment,
/// installed once (never replacing one the user installed elsewhere).
fn evcxr(base: &Env, prefix: &Path) -> Result<PathBuf> {
    let in_env = bin_dir(prefix).join(exe("evcxr_jupyter"));
    let conda_has_it = fs::read_dir(prefix.join("conda-meta"))
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().starts_with(&format!("evcxr-{EVCXR_VERSION}-")))
        })
        .unwrap_or(false);
    if in_env.exists() && conda_has_it {
        return Ok(in_env);
    }
    let stamp = prefix.join("dslab-evcxr.txt");
    let wanted = evcxr_patch::stamp(EVCXR_VERSION);
    if in_env.exists() && fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(in_env);
    }
    eprintln!(
        "xtask: building evcxr_jupyter {EVCXR_VERSION} (with dslab's output fix) into {} (about 7 minutes on two cores, once)",
        prefix.display()
    );
    evcxr_patch::install(&base.cargo, &base.root, prefix, EVCXR_VERSION)?;
    fs::write(&stamp, wanted)?;
    Ok(in_env)
}

/// JSON string literal for a path.
pub fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The kernel spec Jupyter finds as `rust`, inside the environment (not the user's folders).
pub fn kernel_spec_json(ready: &Ready) -> String {
    let launcher = ready.root.join("crates/xtask/python/evcxr_kernel.py");
    let slots = ready.root.join("target/evcxr");
    let argv = [
        ready.python.display().to_string(),
        launcher.display().to_string(),
        "--evcxr".into(),
        ready.evcxr.display().to_string(),
        "--slots".into(),
        slots.display().to_string(),
        "{connection_file}".into(),
    ];
    let argv: Vec<String> = argv.iter().map(|a| json_string(a)).collect();
    format!(
        "{{\n  \"argv\": [\n    {}\n  ],\n  \"display_name\": \"Rust\",\n  \"language\": \"rust\",\n  \"interrupt_mode\": \"message\",\n  \"metadata\": {{\"dslab\": \"kernel with persistent build folders, see crates/xtask/python/evcxr_kernel.py\"}}\n}}\n",
        argv.join(",\n    ")
    )
}

/// Cargo settings for evcxr's builds only (cargo reads `.cargo/config.toml` in the folders
/// above the build folder). evcxr builds every dependency with debug assertions and overflow
/// checks on; for burn and ndarray that halves the speed of the maths, so they are turned off
/// for dependencies. Code typed in cells keeps its checks.
const EVCXR_CARGO_CONFIG: &str = "\
# Written by `cargo xtask` (crates/xtask/src/setup.rs): settings for evcxr's builds only.
[profile.dev.package.\"*\"]
debug-assertions = false
overflow-checks = false
";

fn evcxr_cargo_config(ready: &Ready) -> Result {
    let path = ready.root.join("target/evcxr/.cargo/config.toml");
    if fs::read_to_string(&path).ok().as_deref() == Some(EVCXR_CARGO_CONFIG) {
        return Ok(());
    }
    fs::create_dir_all(path.parent().expect("has a parent"))?;
    fs::write(&path, EVCXR_CARGO_CONFIG)?;
    Ok(())
}

/// The `rust` kernel spec inside the environment: our kernel.json (the wrapper) beside evcxr's
/// own resources (logos, kernel.js and `version.txt`). With `version.txt` at evcxr's version,
/// evcxr's self-update check, should anything start it with `JUPYTER_PATH` pointing here, finds
/// the installation current and leaves kernel.json alone.
fn kernel_spec(ready: &Ready) -> Result {
    let dir = ready.prefix.join("share/jupyter/kernels/rust");
    let path = dir.join("kernel.json");
    let wanted = kernel_spec_json(ready);
    let stamp = dir.join("dslab-kernel.txt");
    let stamp_text = format!("{}\n", ready.evcxr.display());
    if fs::read_to_string(&path).ok().as_deref() == Some(wanted.as_str())
        && fs::read_to_string(&stamp).ok().as_deref() == Some(stamp_text.as_str())
        && dir.join("version.txt").exists()
    {
        return Ok(());
    }
    // evcxr writes its resources where JUPYTER_PATH points: a scratch folder of ours.
    let scratch = ready.root.join("target/evcxr/kernel-resources");
    if scratch.exists() {
        fs::remove_dir_all(&scratch)?;
    }
    fs::create_dir_all(&scratch)?;
    let mut install = command(&ready.evcxr);
    install.arg("--install").env("JUPYTER_PATH", &scratch).stdout(std::process::Stdio::null());
    run(&mut install, &format!("{} --install (into {})", ready.evcxr.display(), scratch.display()))?;
    let written = scratch.join("kernels/rust");
    fs::create_dir_all(&dir)?;
    for entry in fs::read_dir(&written)? {
        let entry = entry?;
        if entry.file_name() != "kernel.json" {
            fs::copy(entry.path(), dir.join(entry.file_name()))?;
        }
    }
    if !dir.join("version.txt").exists() {
        return Err(Failure(format!(
            "{} --install wrote no version.txt into {}: is it evcxr_jupyter {EVCXR_VERSION}?",
            ready.evcxr.display(),
            written.display()
        )));
    }
    fs::write(&path, wanted)?;
    fs::write(&stamp, stamp_text)?;
    eprintln!("xtask: registered the `rust` kernel in {}", path.display());
    Ok(())
}

/// What the warm build depends on: the notebooks' `:dep` lines, the toolchain, the lock file
/// and the support crate's sources.
fn warm_stamp(ready: &Ready, notebooks: &[PathBuf]) -> Result<String> {
    let mut hash = FNV_OFFSET;
    for nb in notebooks {
        for line in fs::read_to_string(nb)?.lines().filter(|l| l.contains(":dep ")) {
            hash = fnv1a(line.trim().as_bytes(), hash);
        }
    }
    let rustc = output(Command::new("rustc").arg("-vV")).unwrap_or_default();
    hash = fnv1a(rustc.as_bytes(), hash);
    hash = fnv1a(ready.evcxr.display().to_string().as_bytes(), hash);
    hash = fnv1a(EVCXR_CARGO_CONFIG.as_bytes(), hash);
    hash = fnv1a(&fs::read(ready.root.join("Cargo.lock")).unwrap_or_default(), hash);
    let mut files = Vec::new();
    collect_files(&ready.root.join("crates/dslab"), &mut files)?;
    files.sort();
    for file in files {
        hash = fnv1a(file.to_string_lossy().as_bytes(), hash);
        hash = fnv1a(&fs::read(&file)?, hash);
    }
    Ok(format!("{hash:016x}\n"))
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name() != Some(OsStr::new("target")) {
                collect_files(&path, out)?;
            }
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Pre-builds every dependency set the notebooks load, so the first cell in class is fast.
pub fn warm(ready: &Ready) -> Result {
    let notebooks = crate::notebooks(&ready.root, &[])?;
    let stamp_path = ready.root.join("target/evcxr/warm-stamp");
    let stamp = warm_stamp(ready, &notebooks)?;
    if fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp.as_str()) {
        return Ok(());
    }
    let started = Instant::now();
    eprintln!("xtask: pre-building the notebooks' dependencies (minutes the first time, once)");
    ready.python_script(
        "notebooks.py",
        ["warm"].into_iter().map(String::from).chain(notebooks.iter().map(|p| p.display().to_string())),
    )?;
    fs::create_dir_all(stamp_path.parent().expect("has a parent"))?;
    fs::write(&stamp_path, stamp)?;
    eprintln!("xtask: dependencies built in {}", elapsed(started));
    Ok(())
}

/// A random token for the Jupyter server, from the standard library's randomly keyed hasher.
pub fn token() -> String {
    use std::hash::{BuildHasher, RandomState};
    let a = RandomState::new().hash_one(std::time::SystemTime::now());
    let b = RandomState::new().hash_one(std::process::id());
    format!("{a:016x}{b:016x}")
}

/// A free localhost port: `preferred`, or the first free one from 8888.
pub fn free_port(preferred: Option<u16>) -> Result<u16> {
    let candidates: Vec<u16> = match preferred {
        Some(p) => vec![p],
        None => (8888..8988).collect(),
    };
    candidates
        .into_iter()
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .ok_or_else(|| Failure("no free port for JupyterLab (tried from 8888; pass --port N)".into()))
}

/// Whether this process runs as root (JupyterLab then needs `--allow-root`).
pub fn is_root() -> bool {
    cfg!(unix) && output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// Starts JupyterLab on `notebooks/` and prints the address with its token.
pub fn launch_lab(ready: &Ready, port: Option<u16>, browser: bool) -> Result {
    let port = free_port(port)?;
    let token = token();
    let jupyter = bin_dir(&ready.prefix).join(exe("jupyter"));
    let mut cmd = ready.jupyter_command(&jupyter);
    cmd.arg("lab")
        .arg(format!("--ServerApp.root_dir={}", ready.root.join("notebooks").display()))
        .arg(format!("--ServerApp.port={port}"))
        .arg("--ServerApp.port_retries=0")
        .arg(format!("--IdentityProvider.token={token}"));
    if is_root() {
        // JupyterLab refuses to run as root without this flag (containers, CI machines).
        cmd.arg("--allow-root");
    }
    if !browser {
        cmd.arg("--no-browser");
    }
    println!("\nJupyterLab on notebooks/ is starting. Open this address if no browser opens:\n");
    println!("    http://localhost:{port}/lab?token={token}\n");
    println!("Start with 00-start-here.ipynb. Stop the server with Ctrl-C (twice).\n");
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        Err(Failure(format!("cannot start {}: {err}", jupyter.display())))
    }
    #[cfg(not(unix))]
    {
        run(&mut cmd, "jupyter lab")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready() -> Ready {
        Ready {
            root: PathBuf::from("/repo"),
            prefix: PathBuf::from("/repo/.venv"),
            python: PathBuf::from("/repo/.venv/bin/python"),
            evcxr: PathBuf::from("/repo/.venv/bin/evcxr_jupyter"),
        }
    }

    #[test]
    fn kernel_spec_runs_the_launcher_with_the_connection_file() {
        let json = kernel_spec_json(&ready());
        assert!(
            json.contains("\"/repo/.venv/bin/python\",\n    \"/repo/crates/xtask/python/evcxr_kernel.py\""),
            "{json}"
        );
        assert!(json.contains("\"--slots\",\n    \"/repo/target/evcxr\",\n    \"{connection_file}\""), "{json}");
        assert!(json.contains("\"interrupt_mode\": \"message\""));
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(token(), token());
        assert_eq!(token().len(), 32);
    }

    /// environment.yml (conda) and requirements.txt (pip) must pin the same versions.
    #[test]
    fn conda_and_pip_pins_agree() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let conda = fs::read_to_string(root.join("environment.yml")).unwrap();
        let pip = fs::read_to_string(root.join("crates/xtask/python/requirements.txt")).unwrap();
        let pins: Vec<(String, String)> = pip
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && l.contains("=="))
            .map(|l| {
                let (name, version) = l.split_once("==").unwrap();
                (name.trim().to_lowercase().replace('_', "-"), version.trim().to_owned())
            })
            .collect();
        assert!(!pins.is_empty());
        for (name, version) in pins {
            let line = format!("- {name}={version}");
            assert!(
                conda.lines().any(|l| l.trim().replace('_', "-") == line),
                "environment.yml should pin `{line}` like requirements.txt"
            );
        }
        assert!(
            conda.contains(&format!("- evcxr={EVCXR_VERSION}")),
            "environment.yml should pin evcxr {EVCXR_VERSION}"
        );
    }
}
