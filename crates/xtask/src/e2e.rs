//! `cargo xtask e2e`: every notebook run in JupyterLab in a real (headless) browser.
//!
//! Starts the JupyterLab that `cargo xtask lab` sets up, on a free port with a token and no
//! browser of its own, over copies of the notebooks (so the browser's saves never touch the
//! repository), then drives Chromium through Playwright (`crates/xtask/e2e/run.mjs`). The server
//! is shut down at the end, also when a check fails. A notebook that runs past its limit or
//! stalls is stopped with a diagnosis (see `run.mjs`), so the pass cannot hang.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::env::{command, output, run};
use crate::setup::{self, Ready};
use crate::{Failure, Result};

/// Seconds a notebook may take in the browser unless its metadata says
/// `"dslab": {"browser_limit_s": N}`.
const LIMIT_S: u64 = 900;
/// Seconds without a cell finishing after which a notebook is stopped with a diagnosis.
const STALL_S: u64 = 480;

const CHROMIUM_CANDIDATES: [&str; 5] = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

fn chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("DSLAB_CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    CHROMIUM_CANDIDATES.iter().map(PathBuf::from).find(|p| p.exists()).ok_or_else(|| {
        Failure(
            "no Chromium found: install it (Debian/Ubuntu: `apt-get install chromium`) or set DSLAB_CHROMIUM to its path".into(),
        )
    })
}

fn node_modules(root: &Path) -> Result<PathBuf> {
    let dir = root.join("crates/xtask/e2e");
    if output(Command::new("node").arg("--version")).is_none() {
        return Err(Failure("node not found: install Node.js 18 or newer (https://nodejs.org) and run again".into()));
    }
    if !dir.join("node_modules/playwright-core").is_dir() {
        // playwright-core only: it drives the system's Chromium and downloads no browser.
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        run(Command::new(npm).args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir), "npm ci (crates/xtask/e2e)")?;
    }
    Ok(dir)
}

#[cfg(unix)]
fn link(target: &Path, link: &Path) -> Result {
    std::os::unix::fs::symlink(target, link).map_err(|e| Failure(format!("cannot link {}: {e}", link.display())))
}

#[cfg(not(unix))]
fn link(_target: &Path, _link: &Path) -> Result {
    Err(Failure("cargo xtask e2e needs symbolic links (Linux or macOS)".into()))
}

/// Where the browser pass keeps its copies of the notebooks, saved after each run.
pub fn work_notebooks(ready: &Ready) -> PathBuf {
    ready.root.join("target/e2e/work/notebooks")
}

/// The browser pass's progress file (run.mjs rewrites it after each notebook), which the
/// parameter reruns follow; `browser-ended` beside it is written when the pass has returned.
pub fn progress_file(ready: &Ready) -> PathBuf {
    ready.root.join("target/e2e/progress.json")
}

/// A copy of `notebooks/` beside links to `crates/` and `data/`, so `../crates/dslab` and
/// `../data/...` resolve as in the repository, plus JupyterLab settings for the run.
fn work_dir(ready: &Ready, notebooks: &[PathBuf]) -> Result<(PathBuf, PathBuf, PathBuf)> {
    let base = ready.root.join("target/e2e");
    let work = work_notebooks(ready).parent().expect("has a parent").to_path_buf();
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    fs::create_dir_all(work.join("notebooks"))?;
    for nb in notebooks {
        fs::copy(nb, work.join("notebooks").join(nb.file_name().expect("a file")))?;
    }
    link(&ready.root.join("crates"), &work.join("crates"))?;
    link(&ready.root.join("data"), &work.join("data"))?;
    let settings = base.join("settings");
    // Render every cell (no windowing), so plots below the fold exist in the page, and never
    // autosave: the run saves its copy once, on purpose.
    for (plugin, text) in [
        ("@jupyterlab/notebook-extension/tracker", "{\"windowingMode\": \"none\"}"),
        ("@jupyterlab/docmanager-extension/plugin", "{\"autosave\": false}"),
        // No news or update pop-ups over the notebooks (and no network calls for them).
        ("@jupyterlab/apputils-extension/notification", "{\"fetchNews\": \"false\", \"checkForUpdates\": false}"),
    ] {
        let path = settings.join(format!("{plugin}.jupyterlab-settings"));
        fs::create_dir_all(path.parent().expect("has a parent"))?;
        fs::write(path, text)?;
    }
    let workspaces = base.join("workspaces");
    if workspaces.exists() {
        fs::remove_dir_all(&workspaces)?;
    }
    fs::create_dir_all(&workspaces)?;
    Ok((work.join("notebooks"), settings, workspaces))
}

fn wait_for_server(port: u16, child: &mut Child) -> Result {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(Failure(format!("JupyterLab exited before it listened ({status})")));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    Err(Failure("JupyterLab did not listen within 2 minutes".into()))
}

fn stop_server(child: &mut Child, port: u16, token: &str) {
    // Jupyter's own shutdown stops the kernels too; kill only if it does not exit.
    let _ = Command::new("curl")
        .args(["-s", "-X", "POST", "-H", &format!("Authorization: token {token}")])
        .arg(format!("http://127.0.0.1:{port}/api/shutdown"))
        .output();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Whether the browser pass can run here: Chromium and Node found, else why not (one line).
pub fn available() -> std::result::Result<(), String> {
    chromium().map_err(|f| f.0)?;
    if output(Command::new("node").arg("--version")).is_none() {
        return Err("node not found (Debian/Ubuntu: `apt-get install nodejs npm`)".into());
    }
    Ok(())
}

/// Runs every notebook in JupyterLab in Chromium; each saved, executed copy is written to
/// `saved_dir` (what the parameter reruns compare with).
pub fn e2e(ready: &Ready, notebooks: &[PathBuf], saved_dir: &Path) -> Result {
    let started = Instant::now();
    let chromium = chromium()?;
    let e2e_dir = node_modules(&ready.root)?;
    let (work, settings, workspaces) = work_dir(ready, notebooks)?;
    let port = setup::free_port(None)?;
    let token = setup::token();
    let jupyter = setup::bin_dir(&ready.prefix).join(if cfg!(windows) { "jupyter.exe" } else { "jupyter" });
    let mut cmd = ready.jupyter_command(&jupyter);
    cmd.arg("lab")
        .arg("--no-browser")
        .arg(format!("--ServerApp.root_dir={}", work.display()))
        .arg(format!("--ServerApp.port={port}"))
        .arg("--ServerApp.port_retries=0")
        .arg(format!("--IdentityProvider.token={token}"))
        .arg(format!("--LabApp.user_settings_dir={}", settings.display()))
        .arg(format!("--LabApp.workspaces_dir={}", workspaces.display()));
    if setup::is_root() {
        cmd.arg("--allow-root");
    }
    let out_dir = ready.root.join("target/e2e");
    let log = fs::File::create(out_dir.join("jupyterlab.log"))?;
    cmd.stdout(log.try_clone()?).stderr(log);
    let mut server = cmd.spawn().map_err(|e| Failure(format!("cannot start {}: {e}", jupyter.display())))?;
    let result = (|| {
        wait_for_server(port, &mut server)?;
        eprintln!("xtask e2e: JupyterLab on port {port}; driving {}", chromium.display());
        let names: Vec<String> =
            notebooks.iter().map(|p| format!("\"{}\"", p.file_name().expect("a file").to_string_lossy())).collect();
        let config = format!(
            "{{\"url\": \"http://127.0.0.1:{port}\", \"token\": \"{token}\", \"chromium\": {}, \"workDir\": {}, \"outDir\": {}, \"notebooks\": [{}], \"limitSeconds\": {LIMIT_S}, \"stallSeconds\": {STALL_S}}}",
            setup::json_string(&chromium.display().to_string()),
            setup::json_string(&work.display().to_string()),
            setup::json_string(&out_dir.display().to_string()),
            names.join(", ")
        );
        let config_path = out_dir.join("config.json");
        fs::write(&config_path, config)?;
        run(
            command("node").arg(e2e_dir.join("run.mjs")).arg(&config_path).current_dir(&e2e_dir),
            "node crates/xtask/e2e/run.mjs",
        )
    })();
    stop_server(&mut server, port, &token);
    fs::create_dir_all(saved_dir)?;
    for nb in notebooks {
        let name = nb.file_name().expect("a file");
        if work.join(name).exists() {
            fs::copy(work.join(name), saved_dir.join(name))?;
        }
    }
    eprintln!(
        "xtask e2e: {} in {} (screenshots and results.json in {})",
        if result.is_ok() { "all notebooks passed" } else { "failed" },
        crate::env::elapsed(started),
        out_dir.display()
    );
    result
}
