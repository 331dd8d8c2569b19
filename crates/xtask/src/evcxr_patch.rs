//! evcxr_jupyter 0.22.0 with one fix of ours, built by set-up: a cell's reply waits until the
//! last line the cell printed has been sent.
//!
//! Why: evcxr relays a cell's stdout from a channel to Jupyter on a thread of its own. After a
//! cell, evcxr waits until that channel is empty, but the relay may still be sending the line it
//! took last; the kernel then reports the cell done (idle) before that line, and Jupyter, which
//! files output by cell, drops it. Seen here as a `println!` missing from a notebook's saved
//! output about once in a few dozen cells. The fix: the relay holds a lock while it takes and
//! sends a line, and the shell handler takes that lock once after each cell.
//!
//! The source comes from crates.io through cargo (`cargo metadata` on a scratch manifest), is
//! copied to `target/evcxr-patched/src`, edited by the exact replacements below (each must match
//! once, else set-up stops and says which), and installed with `cargo install --locked --path`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::env::{FNV_OFFSET, command, fnv1a, output, run};
use crate::{Failure, Result};

/// (file, text in evcxr_jupyter 0.22.0, replacement). Each text occurs exactly once.
const EDITS: [(&str, &str, &str); 4] = [
    (
        "src/core.rs",
        "    tokio_handle: tokio::runtime::Handle,\n}",
        "    tokio_handle: tokio::runtime::Handle,\n    \
         /// Held by the output relay while it takes and sends a line (dslab patch).\n    \
         output_relay: Arc<std::sync::Mutex<()>>,\n}",
    ),
    (
        "src/core.rs",
        "            tokio_handle,\n        };",
        "            tokio_handle,\n            output_relay: Arc::new(std::sync::Mutex::new(())),\n        };",
    ),
    (
        "src/core.rs",
        "                loop {\n                    match channel.recv_timeout(Duration::from_millis(1)) {\n                        \
         Ok(line) => {\n                            let server = self.clone();\n                            \
         handle.block_on(server.pass_output_line(output_name, line));\n                        }",
        "                loop {\n                    \
         let relaying = self.output_relay.lock().unwrap_or_else(|e| e.into_inner());\n                    \
         match channel.recv_timeout(Duration::from_millis(1)) {\n                        \
         Ok(line) => {\n                            let server = self.clone();\n                            \
         handle.block_on(server.pass_output_line(output_name, line));\n                            \
         drop(relaying);\n                        }",
    ),
    (
        "src/core.rs",
        "                (eval_result, message)\n            })\n            .await?;\n",
        "                (eval_result, message)\n            })\n            .await?;\n            \
         // The channel of the cell's output is empty now; wait until the relay has sent the\n            \
         // line it took last, so no output arrives after the cell's reply (dslab patch).\n            \
         let relay = Arc::clone(&self.output_relay);\n            \
         tokio::task::spawn_blocking(move || drop(relay.lock().unwrap_or_else(|e| e.into_inner()))).await?;\n",
    ),
];

/// What identifies the patched build: the version and the edits.
pub fn stamp(version: &str) -> String {
    let mut hash = fnv1a(version.as_bytes(), FNV_OFFSET);
    for (file, old, new) in EDITS {
        for part in [file, old, new] {
            hash = fnv1a(part.as_bytes(), hash);
        }
    }
    format!("evcxr_jupyter {version}, dslab patch {hash:016x}\n")
}

/// The unpacked crates.io source of evcxr_jupyter `version`, fetched by cargo.
fn registry_source(cargo: &Path, scratch: &Path, version: &str) -> Result<PathBuf> {
    let manifest_dir = scratch.join("fetch");
    fs::create_dir_all(manifest_dir.join("src"))?;
    fs::write(
        manifest_dir.join("Cargo.toml"),
        format!(
            "# Written by cargo xtask (crates/xtask/src/evcxr_patch.rs): fetches evcxr_jupyter's source.\n\
             [package]\nname = \"dslab-evcxr-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nevcxr_jupyter = \"={version}\"\n\n[workspace]\n"
        ),
    )?;
    fs::write(manifest_dir.join("src/lib.rs"), "")?;
    let metadata = output(
        command(cargo)
            .args(["metadata", "--format-version", "1", "--manifest-path"])
            .arg(manifest_dir.join("Cargo.toml")),
    )
    .ok_or_else(|| {
        Failure(format!(
            "cargo metadata could not fetch evcxr_jupyter {version} (is crates.io reachable?); run `cargo metadata --manifest-path {}` to see why",
            manifest_dir.join("Cargo.toml").display()
        ))
    })?;
    let tail = format!("evcxr_jupyter-{version}");
    metadata
        .split("\"manifest_path\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|p| PathBuf::from(p.replace("\\\\", "\\")))
        .find(|p| p.parent().and_then(|d| d.file_name()).is_some_and(|n| n == tail.as_str()))
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .ok_or_else(|| Failure(format!("cargo metadata did not list evcxr_jupyter {version}")))
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Applies [`EDITS`] to the source in `dir`.
fn apply(dir: &Path, version: &str) -> Result {
    for (index, (file, old, new)) in EDITS.iter().enumerate() {
        let path = dir.join(file);
        let text = fs::read_to_string(&path)?;
        let found = text.matches(old).count();
        if found != 1 {
            return Err(Failure(format!(
                "the dslab patch to evcxr_jupyter {version} does not apply: edit {} expects its text once in {file}, found it {found} times",
                index + 1
            )));
        }
        fs::write(&path, text.replacen(old, new, 1))?;
    }
    Ok(())
}

/// Builds and installs the patched evcxr_jupyter into `prefix`/bin.
pub fn install(cargo: &Path, root: &Path, prefix: &Path, version: &str) -> Result {
    let scratch = root.join("target/evcxr-patched");
    let source = registry_source(cargo, &scratch, version)?;
    let patched = scratch.join("src");
    if patched.exists() {
        fs::remove_dir_all(&patched)?;
    }
    copy_dir(&source, &patched)?;
    apply(&patched, version)?;
    // With the target folder on PATH, cargo does not warn that the binary is not on PATH: the
    // kernel is registered by its full path, so the user's PATH does not matter.
    let bin = crate::setup::bin_dir(prefix);
    let dirs = std::iter::once(bin)
        .chain(std::env::var_os("PATH").into_iter().flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>()));
    let mut install = command(cargo);
    install
        .args(["install", "--locked", "--force", "--path"])
        .arg(&patched)
        .arg("--root")
        .arg(prefix)
        .arg("--target-dir")
        .arg(scratch.join("build"));
    if let Ok(path) = std::env::join_paths(dirs) {
        install.env("PATH", path);
    }
    run(&mut install, &format!("cargo install --locked --path {} --root {}", patched.display(), prefix.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The edits apply to the real source when cargo has it unpacked (after set-up).
    #[test]
    fn edits_apply_to_the_registry_source_when_present() {
        let Some(home) = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        else {
            return;
        };
        let Ok(registries) = fs::read_dir(home.join("registry/src")) else { return };
        for registry in registries.flatten() {
            let source = registry.path().join(format!("evcxr_jupyter-{}", crate::setup::EVCXR_VERSION));
            if source.join("src/core.rs").exists() {
                let dir = std::env::temp_dir().join(format!("dslab-evcxr-patch-{}", std::process::id()));
                copy_dir(&source.join("src"), &dir.join("src")).unwrap();
                apply(&dir, crate::setup::EVCXR_VERSION).unwrap();
                let core = fs::read_to_string(dir.join("src/core.rs")).unwrap();
                assert_eq!(core.matches("output_relay").count(), 4, "{core}");
                fs::remove_dir_all(&dir).unwrap();
            }
        }
    }

    #[test]
    fn an_edit_that_does_not_match_says_which() {
        let dir = std::env::temp_dir().join(format!("dslab-evcxr-nomatch-{}", std::process::id()));
        fs::create_dir_all(dir.join("src")).unwrap();
        fs::write(dir.join("src/core.rs"), "fn main() {}\n").unwrap();
        let err = apply(&dir, "0.22.0").unwrap_err();
        assert!(err.0.contains("edit 1 expects its text once in src/core.rs, found it 0 times"), "{}", err.0);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_stamp_names_the_version_and_changes_with_the_edits() {
        assert!(stamp("0.22.0").starts_with("evcxr_jupyter 0.22.0, dslab patch "));
        assert_ne!(stamp("0.22.0"), stamp("0.22.1"));
    }
}
