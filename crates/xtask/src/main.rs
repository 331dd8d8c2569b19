//! Project automation for dslab, run as `cargo xtask <command>`.
//!
//! `lab` sets everything up (idempotently) and opens JupyterLab on `notebooks/`; `test` runs
//! everything the project checks. Both share the set-up code in [`setup`], so CI and a
//! teacher's laptop go through the same steps.

mod cargo_test;
mod e2e;
mod env;
mod evcxr_patch;
mod reference;
mod setup;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use env::Env;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  lab [--port N] [--no-browser]   set up what is missing, pre-build the notebooks'
                                  dependencies, open JupyterLab on notebooks/
  test [--skip-cargo] [--headless] [NAME...]
                                  cargo test (in the background, at low priority), the
                                  kernel-isolation check, then every notebook
                                  (or those whose file name contains NAME) in JupyterLab in
                                  Chromium when Chromium and Node are here (else headless in a
                                  fresh kernel, said in one line; DSLAB_BROWSER=required makes
                                  that an error), then the notebooks' parameter reruns
  setup [--no-warm]               the set-up part of `lab`, without starting JupyterLab
  bench-kernel [NAME...]          time a fresh kernel to its first plot, a trivial cell and
                                  peak memory (00-start-here and 01-multi-head-attention)
  e2e [NAME...]                   only the browser pass: every notebook in JupyterLab in
                                  headless Chromium (Run → Run All Cells), check
                                  plots, tables and errors, save screenshots in target/e2e/
  strip                           clear outputs and execution counts of notebooks/*.ipynb
  fixtures                        regenerate the test fixtures with the reference tools
                                  (numpy, statsmodels, PyPortfolioOpt, ... in .venv-ref)
  bench [TOPIC...]                dslab next to its reference tool: attention, tsa,
                                  portfolio, geo (the translator's PyTorch comparison is
                                  described in crates/dslab/benches/transformer_reference.py)
";

/// A failed step: the message to print, already saying what to do.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure(err.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, Failure>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let started = Instant::now();
    let result = match command.as_str() {
        "lab" => lab(rest),
        "test" => test(rest),
        "setup" => setup_only(rest),
        "bench-kernel" => bench_kernel(rest),
        "strip" => strip(),
        "e2e" => e2e_command(rest),
        "fixtures" => Env::discover().and_then(|env| reference::fixtures(&env)),
        "bench" => Env::discover().and_then(|env| reference::bench(&env, rest)),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(Failure(format!("unknown command `{other}`\n{USAGE}"))),
    };
    match result {
        Ok(()) => {
            if command != "lab" {
                eprintln!("xtask {command}: done in {}", env::elapsed(started));
            }
            ExitCode::SUCCESS
        }
        Err(Failure(message)) => {
            eprintln!("xtask {command}: {message}");
            ExitCode::FAILURE
        }
    }
}

fn setup_only(args: &[String]) -> Result {
    let env = setup::ensure(&Env::discover()?)?;
    if !args.iter().any(|a| a == "--no-warm") {
        setup::warm(&env)?;
    }
    Ok(())
}

fn lab(args: &[String]) -> Result {
    let mut port: Option<u16> = None;
    let mut browser = true;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => {
                let value = it.next().ok_or_else(|| Failure("--port needs a number".into()))?;
                port = Some(value.parse().map_err(|_| Failure(format!("--port: `{value}` is not a port number")))?);
            }
            "--no-browser" => browser = false,
            other => return Err(Failure(format!("lab: unknown option `{other}`"))),
        }
    }
    let env = setup::ensure(&Env::discover()?)?;
    setup::warm(&env)?;
    setup::launch_lab(&env, port, browser)
}

fn test(args: &[String]) -> Result {
    let skip_cargo = args.iter().any(|a| a == "--skip-cargo");
    let headless_only = args.iter().any(|a| a == "--headless");
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let base = Env::discover()?;
    let notebooks = notebooks(&base.root, &filters)?;
    // cargo test needs nothing the set-up builds: it runs beside everything else, taking the
    // CPU the other steps leave idle (see cargo_test.rs), and is waited for at the end.
    let cargo_test = if skip_cargo { None } else { Some(cargo_test::CargoTest::start(&base)?) };
    let notebooks_result = test_notebooks(&base, &notebooks, headless_only);
    if let (Err(Failure(message)), Some(_)) = (&notebooks_result, &cargo_test) {
        eprintln!("xtask test: {message}\nxtask test: waiting for the background cargo test to report too");
    }
    let cargo_result = cargo_test.map_or(Ok(()), cargo_test::CargoTest::finish);
    notebooks_result.and(cargo_result)
}

/// Everything `cargo xtask test` checks apart from `cargo test`: set-up, the cheap checks, the
/// kernel's isolation, every notebook (in the browser when it can) and the parameter reruns.
fn test_notebooks(base: &Env, notebooks: &[PathBuf], headless_only: bool) -> Result {
    // The cheap checks first: a notebook committed with outputs fails before anything builds.
    let env = setup::ensure(base)?;
    env.python_script("notebooks.py", ["selftest"])?;
    env.python_script(
        "notebooks.py",
        ["check-clean"].into_iter().chain(notebooks.iter().map(|p| p.to_str().unwrap_or(""))),
    )?;
    // evcxr's self-update must leave the project's kernel spec and the user's own alone.
    let jupyter_dir = env.prefix.join("share/jupyter");
    env.python_script("notebooks.py", ["isolation".as_ref(), jupyter_dir.as_os_str()])?;
    let out = env.root.join("target").join("notebooks");
    let paths: Vec<String> = notebooks.iter().map(|p| p.display().to_string()).collect();
    // One pass over the notebooks: in JupyterLab in Chromium when both are here (it checks what
    // the headless run checks, on the outputs it saves), else headless; then the parameter reruns.
    let browser = if headless_only { Err("--headless was given".to_string()) } else { e2e::available() };
    if let Err(why) = &browser {
        if std::env::var("DSLAB_BROWSER").as_deref() == Ok("required") {
            return Err(Failure(format!(
                "the browser pass is required (DSLAB_BROWSER=required) but cannot run: {why}"
            )));
        }
        eprintln!("xtask test: skipping the browser pass ({why}); running the notebooks headless");
    }
    let started = Instant::now();
    if browser.is_ok() {
        setup::warm(&env)?;
        let started = Instant::now();
        // The parameter reruns (headless) follow the browser pass notebook by notebook, each as
        // soon as the browser has saved that notebook's run: two kernels at a time, one per core.
        let progress = e2e::progress_file(&env);
        let ended = progress.with_file_name("browser-ended");
        for stale in [&progress, &ended] {
            if stale.exists() {
                std::fs::remove_file(stale)?;
            }
        }
        let mut args: Vec<String> = vec!["rerun".into(), "--first".into()];
        args.push(e2e::work_notebooks(&env).display().to_string());
        args.extend(["--out".into(), out.display().to_string()]);
        args.extend(["--follow".into(), progress.display().to_string()]);
        args.extend(paths);
        let mut reruns = env
            .python_command("notebooks.py", &args)
            .spawn()
            .map_err(|e| Failure(format!("cannot start the parameter reruns: {e}")))?;
        let browser_pass = e2e::e2e(&env, notebooks, &out);
        eprintln!("xtask test: browser pass took {}", env::elapsed(started));
        // However the browser pass ended, the reruns must not wait for it any longer.
        std::fs::create_dir_all(ended.parent().expect("has a parent"))?;
        std::fs::write(&ended, "")?;
        let status = reruns.wait().map_err(|e| Failure(format!("the parameter reruns: {e}")))?;
        eprintln!("xtask test: browser pass and parameter reruns took {}", env::elapsed(started));
        browser_pass?;
        if !status.success() {
            return Err(Failure(format!("the parameter reruns failed ({status}); see `--- … rerunning` above")));
        }
    } else {
        let mut args: Vec<String> = vec!["run".into(), "--out".into(), out.display().to_string()];
        args.extend(paths);
        env.python_script("notebooks.py", &args)?;
        eprintln!("xtask test: notebooks took {} (executed copies in {})", env::elapsed(started), out.display());
    }
    Ok(())
}

fn bench_kernel(args: &[String]) -> Result {
    let env = setup::ensure(&Env::discover()?)?;
    let defaults = ["00-start-here".to_string(), "01-multi-head-attention".to_string()];
    let filters: Vec<&String> = if args.is_empty() { defaults.iter().collect() } else { args.iter().collect() };
    let notebooks = notebooks(&env.root, &filters)?;
    // Build first so the figures measure a kernel after set-up, as in class.
    setup::warm(&env)?;
    let json = env.root.join("target").join("bench-kernel.json");
    let mut args: Vec<String> = vec!["bench".into(), "--json".into(), json.display().to_string()];
    args.extend(notebooks.iter().map(|p| p.display().to_string()));
    env.python_script("notebooks.py", &args)
}

fn e2e_command(args: &[String]) -> Result {
    let env = setup::ensure(&Env::discover()?)?;
    let filters: Vec<&String> = args.iter().collect();
    let notebooks = notebooks(&env.root, &filters)?;
    setup::warm(&env)?;
    e2e::e2e(&env, &notebooks, &env.root.join("target/e2e/saved"))
}

fn strip() -> Result {
    let env = setup::ensure(&Env::discover()?)?;
    let notebooks = notebooks(&env.root, &[])?;
    env.python_script("notebooks.py", ["strip"].into_iter().chain(notebooks.iter().map(|p| p.to_str().unwrap_or(""))))
}

/// The notebooks under `notebooks/`, sorted, optionally only those whose name contains a filter.
pub fn notebooks(root: &Path, filters: &[&String]) -> Result<Vec<PathBuf>> {
    let dir = root.join("notebooks");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| Failure(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ipynb"))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(Failure(format!("no notebook in {} matches {filters:?}", dir.display())));
    }
    Ok(found)
}
