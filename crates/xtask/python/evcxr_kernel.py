"""Starts evcxr_jupyter with a persistent, warm build folder.

Jupyter runs this script as the `rust` kernel (see the kernel.json that `cargo xtask lab`
writes). evcxr compiles every `:dep` crate into its build folder; a fresh folder per kernel
would mean minutes of compiling before the first cell. So build folders live in a pool of
slots under `target/evcxr/`, kept between kernels, and each kernel takes the first free slot
under an exclusive file lock (one kernel per folder: evcxr writes its sources there). A slot
that does not exist yet starts as a copy of an existing one, so a second notebook open at the
same time is warm too.

Usage: evcxr_kernel.py --evcxr PATH --slots DIR CONNECTION_FILE
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

MAX_SLOTS = 8

if os.name == "nt":
    import msvcrt

    def try_lock(handle):
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

else:
    import fcntl

    def try_lock(handle):
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False


def take_slot(slots: Path):
    """Locks the first free slot; returns (slot folder, open lock file)."""
    slots.mkdir(parents=True, exist_ok=True)
    for index in range(MAX_SLOTS):
        slot = slots / f"slot-{index}"
        slot.mkdir(exist_ok=True)
        handle = open(slot / "lock", "a+")
        if try_lock(handle):
            return slot, handle
        handle.close()
    sys.exit(f"evcxr_kernel: all {MAX_SLOTS} build folders in {slots} are in use; shut down a kernel first")


def seed(build: Path, slots: Path):
    """Copies the build folder of another slot, fingerprints first.

    Cargo decides what is fresh from the fingerprint files; copying them before the artifacts
    means a unit that another kernel rebuilds during the copy is, at worst, rebuilt again here.
    """
    sources = sorted(
        (p for p in slots.glob("slot-*/build") if (p / "target").is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    if not sources:
        return
    source = sources[0]
    partial = build.with_name("build.partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        fingerprints = sorted(source.glob("target/**/.fingerprint"))
        for fp in fingerprints:
            shutil.copytree(fp, partial / fp.relative_to(source), symlinks=True)
        shutil.copytree(source, partial, symlinks=True, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".fingerprint", "lock"))
        partial.rename(build)
        print(f"evcxr_kernel: new build folder {build} copied from {source}", file=sys.stderr)
    except OSError as err:
        shutil.rmtree(partial, ignore_errors=True)
        print(f"evcxr_kernel: could not copy {source} ({err}); compiling from scratch", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evcxr", required=True, help="path of the evcxr_jupyter binary")
    parser.add_argument("--slots", required=True, help="folder holding the build-folder slots")
    parser.add_argument("connection_file")
    args = parser.parse_args()

    slots = Path(args.slots)
    slot, lock = take_slot(slots)
    build = slot / "build"
    if not build.exists():
        seed(build, slots)
    build.mkdir(exist_ok=True)
    config = slot / "config"
    config.mkdir(exist_ok=True)

    env = dict(os.environ)
    env["EVCXR_TMPDIR"] = str(build)
    # A config folder of the project's own, so a user's global evcxr settings and prelude
    # do not change what the notebooks compile.
    env["EVCXR_CONFIG_DIR"] = str(config)
    # evcxr_jupyter checks its own installation on every start: when `$JUPYTER_PATH/kernels/rust`
    # (else the user's `jupyter/kernels/rust`) exists with another `version.txt`, it rewrites that
    # kernel.json with its default. Pointing JUPYTER_PATH at a folder that holds no kernels makes
    # the check a no-op, so neither this project's kernel spec nor a user's own is ever touched.
    env["JUPYTER_PATH"] = str(slots / "no-kernels-here")
    argv = [args.evcxr, "--control_file", args.connection_file]
    if os.name == "nt":
        # No exec on Windows: keep the lock by staying alive as the parent.
        sys.exit(subprocess.call(argv, env=env))
    # The lock file stays open across exec, so the slot is held until evcxr exits.
    os.set_inheritable(lock.fileno(), True)
    os.execve(args.evcxr, argv, env)


if __name__ == "__main__":
    main()
