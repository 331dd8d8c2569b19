"""Runs the dslab notebooks headless in real evcxr kernels (driven by `cargo xtask`).

Commands:
  check-clean NOTEBOOK...   fail if a committed notebook carries outputs or execution counts
  run --out DIR [--no-reruns] NOTEBOOK...
                            execute each notebook top to bottom in a fresh kernel; write the
                            executed copy to DIR; then (unless --no-reruns) rerun the notebooks
                            whose metadata asks for it with other values in their `parameters` cell
  rerun --first DIR --out DIR NOTEBOOK...
                            only the reruns, compared with executed copies already in --first DIR
                            (the browser pass's saved notebooks)
  warm NOTEBOOK...          pre-build every dependency set the notebooks load with `:dep`
  bench NOTEBOOK...         time a fresh kernel to the first plot, a trivial cell, peak memory
  strip NOTEBOOK...         remove outputs and execution counts in place
  isolation JUPYTER_DIR     start the `rust` kernel registered in JUPYTER_DIR (with and without
                            JUPYTER_PATH, beside a user's own `rust` kernel of another evcxr version
                            in a temporary XDG_DATA_HOME) and check that no kernel spec changed
  selftest                  check this script's own notebook handling (no kernel needed)

A notebook asks for a rerun in its metadata (one object, or a list of them for several reruns):
  "dslab": {"rerun": {"parameters": {"NAME": "new value"}, "expect": ["text in an output"]}}
The rerun rewrites `const NAME: T = value;` (or `let NAME = value;`) in the cell tagged
`parameters`, runs the notebook again, and checks that every `expect` text appears in the
outputs and that the outputs of the cells tagged `result` differ from the first run.
"""

import argparse
import json
import os
import tempfile
import re
import statistics
import sys
import threading
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

KERNEL = "rust"
CELL_TIMEOUT = 1800  # seconds; a cold `:dep` of burn compiles for minutes on two cores
STARTUP_TIMEOUT = 120


def load(path):
    return nbformat.read(str(path), as_version=4)


# ---------------------------------------------------------------- check-clean / strip


def dirty_cells(nb):
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]


def cells_without_unique_ids(path):
    """Cells whose `id` is missing or repeated (nbformat 4.5 requires unique ids)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    ids = [c.get("id") for c in cells]
    return [i for i, cid in enumerate(ids) if cid is None or ids.count(cid) > 1]


def check_clean(paths):
    bad = []
    for path in paths:
        cells = dirty_cells(load(path))
        if cells:
            bad.append(f"{path}: cells {cells} carry outputs or execution counts")
        cells = cells_without_unique_ids(path)
        if cells:
            bad.append(f"{path}: cells {cells} have no id or share one (give each cell a unique `id`)")
    for line in bad:
        print(f"error: {line}", file=sys.stderr)
    if bad:
        print("Commit notebooks without outputs: `cargo xtask strip` clears them.", file=sys.stderr)
        return 1
    print(f"{len(paths)} notebooks are committed without outputs")
    return 0


def strip(paths):
    for path in paths:
        nb = load(path)
        if not dirty_cells(nb):
            continue
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nbformat.write(nb, str(path))
        print(f"stripped {path}")
    return 0


# ---------------------------------------------------------------- run


def execute(nb, path, timeout=CELL_TIMEOUT):
    """Executes `nb` in a fresh kernel with the notebook's folder as working directory.

    Returns (seconds, error text or None); `nb` holds the outputs either way.
    """
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=timeout,
        startup_timeout=STARTUP_TIMEOUT,
        resources={"metadata": {"path": str(Path(path).parent.resolve())}},
    )
    start = time.monotonic()
    error = None
    try:
        client.execute()
    except CellExecutionError as err:
        error = str(err)
        # evcxr puts the compiler's message in the error output; show it, not only the cell.
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    error += f"\n{out.get('ename', '')}: {out.get('evalue', '')}"
                elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                    error += "\n" + out.get("text", "")[-2000:]
    except (CellTimeoutError, DeadKernelError, RuntimeError, TimeoutError) as err:
        error = f"{type(err).__name__}: {err}"
    if error is None:
        panics = panicked_cells(nb)
        if panics:
            error = "a cell panicked (evcxr reports a panic, a failed assert! among them, as a cell that ran):\n" + "\n".join(panics)
    return time.monotonic() - start, error


# evcxr catches a cell's panic, prints Rust's panic message to stderr and reports the cell as
# run, so Jupyter goes on to the next cell: the panic message is what tells a failed assert!.
PANIC = re.compile(r"\bpanicked at ")


def panicked_cells(nb):
    """`cell N: message` for every code cell whose stderr shows a Rust panic."""
    found = []
    index = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        index += 1
        stderr = "".join(
            "".join(out.get("text", ""))
            for out in cell.get("outputs", [])
            if out.get("output_type") == "stream" and out.get("name") == "stderr"
        )
        match = PANIC.search(stderr)
        if match:
            found.append(f"code cell {index}: {stderr[max(0, match.start() - 40):].strip()[:600]}")
    return found


def outputs_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") in ("execute_result", "display_data"):
            data = out.get("data", {})
            parts.append(data.get("text/plain", ""))
            parts.append(data.get("text/html", ""))
            parts.append(data.get("image/svg+xml", ""))
        elif out.get("output_type") == "error":
            parts.append(out.get("ename", "") + ": " + out.get("evalue", ""))
    return "".join(p if isinstance(p, str) else "".join(p) for p in parts)


def tagged(nb, tag):
    return [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]


def set_parameters(nb, values):
    """Rewrites `const NAME: T = ...;` / `let NAME = ...;` lines of the `parameters` cell."""
    cells = tagged(nb, "parameters")
    if len(cells) != 1:
        raise ValueError(f"expected one cell tagged `parameters`, found {len(cells)}")
    source = cells[0].source
    for name, value in values.items():
        pattern = re.compile(
            rf"^(\s*(?:pub\s+)?(?:const|static|let(?:\s+mut)?)\s+{re.escape(name)}\b[^=]*=\s*)(.*?)(;\s*(?://.*)?)$",
            re.MULTILINE,
        )
        source, count = pattern.subn(lambda m: m.group(1) + value + m.group(3), source)
        if count != 1:
            raise ValueError(f"parameter `{name}` is defined {count} times in the parameters cell")
    cells[0].source = source


def run(paths, out_dir, reruns=True):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    timings = []
    for path in paths:
        path = Path(path)
        nb = load(path)
        print(f"--- {path.name}: running", flush=True)
        seconds, error = execute(nb, path)
        nbformat.write(nb, str(out_dir / path.name))
        timings.append((path.name, seconds))
        if error:
            failures.append(f"{path.name}: {error}")
            print(f"FAILED {path.name} after {seconds:.1f} s\n{error}", flush=True)
            continue
        print(f"ok     {path.name} in {seconds:.1f} s ({len(nb.cells)} cells)", flush=True)
        if reruns:
            failures += run_reruns(path, nb, out_dir)
    print("\nnotebook times:")
    for name, seconds in timings:
        print(f"  {seconds:7.1f} s  {name}")
    return report(failures)


def report(failures):
    if failures:
        print(f"\n{len(failures)} notebook runs failed:", file=sys.stderr)
        for f in failures:
            print(f"  {f.splitlines()[0]}", file=sys.stderr)
        return 1
    return 0


def rerun_with_parameters(path, first, rerun, out_dir, index=0):
    """Runs the notebook again with other parameters; returns a problem or None."""
    nb = load(path)
    try:
        set_parameters(nb, rerun.get("parameters", {}))
    except ValueError as err:
        return str(err)
    print(f"--- {path.name}: rerunning with {rerun.get('parameters')}", flush=True)
    seconds, error = execute(nb, path)
    nbformat.write(nb, str(Path(out_dir) / f"{path.stem}.rerun{index + 1}.ipynb"))
    if error:
        return error
    text = "".join(outputs_text(c) for c in nb.cells if c.cell_type == "code")
    missing = [e for e in rerun.get("expect", []) if e not in text]
    if missing:
        return f"outputs lack the expected {missing}"
    before = [outputs_text(c) for c in tagged(first, "result")]
    after = [outputs_text(c) for c in tagged(nb, "result")]
    if not before:
        return "no cell is tagged `result`, so the rerun cannot compare results"
    same = [i for i, (a, b) in enumerate(zip(before, after)) if a == b]
    if same:
        return f"cells tagged `result` number {same} gave the same output with other parameters"
    print(f"ok     {path.name} rerun in {seconds:.1f} s: results changed as expected", flush=True)
    return None


def reruns_only(paths, first_dir, out_dir, follow=None):
    """The parameter reruns of `paths`, each compared with its executed copy in `first_dir`.

    With `follow` (the browser pass's progress file), each notebook's reruns start as soon as
    the browser pass has saved its run, so they overlap the browser pass's next notebooks: a
    notebook's kernel keeps about one core busy, and CI has two.
    """
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    failures = []
    for path in map(Path, paths):
        if not declared_reruns(load(path)):
            continue
        if follow:
            status = wait_for_browser(Path(follow), path.name)
            if status != "ok":
                failures.append(f"{path.name}: reruns not run: {status}")
                print(f"SKIPPED {path.name} reruns: {status}", flush=True)
                continue
        failures += run_reruns(path, load(Path(first_dir) / path.name), out_dir)
    return report(failures)


def wait_for_browser(progress, name):
    """Waits until the browser pass's progress file records `name`: "ok", or why not."""
    ended = progress.with_name("browser-ended")  # written by xtask when the pass returns
    while True:
        over = ended.exists()
        try:
            state = json.loads(progress.read_text())
        except (OSError, ValueError):
            state = {}  # not written yet, or being replaced: read it again
        entry = state.get("notebooks", {}).get(name)
        if entry is not None:
            return "ok" if entry.get("ok") else "its browser run failed"
        if state.get("finished") or over:
            return "the browser pass ended without running it"
        time.sleep(2)


def declared_reruns(nb):
    """The notebook's reruns: `dslab.rerun` is one rerun or a list of them."""
    rerun = nb.metadata.get("dslab", {}).get("rerun") or []
    return rerun if isinstance(rerun, list) else [rerun]


def run_reruns(path, first, out_dir):
    """Every declared rerun of `path`, compared with the executed `first`; returns the failures."""
    failures = []
    for index, rerun in enumerate(declared_reruns(load(path))):
        problem = rerun_with_parameters(path, first, rerun, out_dir, index)
        if problem:
            failures.append(f"{path.name} (rerun {index + 1} with {rerun.get('parameters')}): {problem}")
    return failures


# ---------------------------------------------------------------- warm


def dep_lines(nb):
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            lines += [l.strip() for l in cell.source.splitlines() if l.strip().startswith(":dep")]
    return lines


def warm(paths):
    """Builds each distinct `:dep` set once, in the kernel's own build folder."""
    sets = {}
    for path in paths:
        deps = tuple(dep_lines(load(path)))
        if deps:
            sets.setdefault(deps, (Path(path), []))[1].append(Path(path).name)
    for deps, (path, names) in sets.items():
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("\n".join(deps)), nbformat.v4.new_code_cell("let warm = 1 + 1;")]
        print(f"--- building {' '.join(deps)} (for {', '.join(names)})", flush=True)
        seconds, error = execute(nb, path)
        if error:
            print(f"FAILED to build the dependencies of {', '.join(names)}:\n{error}", file=sys.stderr)
            return 1
        print(f"ready in {seconds:.1f} s", flush=True)
    return 0


# ---------------------------------------------------------------- bench


class MemoryWatch:
    """Samples the resident memory of a process tree every 50 ms and keeps the peaks."""

    def __init__(self, pid):
        import psutil

        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.peak_kernel = 0  # evcxr (with its embedded rust-analyzer) and its runtime child
        self.peak_tree = 0  # the same plus cargo and rustc while a cell compiles
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while not self._stop.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
                kernel = tree = 0
                for p in procs:
                    try:
                        rss = p.memory_info().rss
                        name = p.name()
                    except self.psutil.Error:
                        continue
                    tree += rss
                    if "evcxr" in name:
                        kernel += rss
                self.peak_kernel = max(self.peak_kernel, kernel)
                self.peak_tree = max(self.peak_tree, tree)
            except self.psutil.Error:
                pass
            time.sleep(0.05)

    def stop(self):
        self._stop.set()
        self._thread.join()


def has_plot(outputs):
    return any("image/svg+xml" in o.get("data", {}) for o in outputs)


def bench_one(path, trivial_runs):
    path = Path(path)
    nb = load(path)
    km = KernelManager(kernel_name=KERNEL)
    start = time.monotonic()
    km.start_kernel(cwd=str(path.parent.resolve()))
    watch = MemoryWatch(km.provisioner.process.pid)
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
    first_plot = None
    dep_cell = None
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            outputs = []
            t0 = time.monotonic()
            reply = kc.execute_interactive(cell.source, timeout=CELL_TIMEOUT, output_hook=outputs.append)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{path.name}: a cell failed: {reply['content'].get('evalue')}")
            if dep_cell is None and ":dep" in cell.source:
                dep_cell = time.monotonic() - t0
            if has_plot([o["content"] for o in outputs if "data" in o["content"]]):
                first_plot = time.monotonic() - start
                break
        if first_plot is None:
            raise RuntimeError(f"{path.name} draws no plot")
        trivial = []
        for _ in range(trivial_runs):
            t0 = time.monotonic()
            kc.execute_interactive("1 + 1", timeout=600, output_hook=lambda m: None)
            trivial.append(time.monotonic() - t0)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
        watch.stop()
    return {
        "notebook": path.name,
        "dep_cell_s": dep_cell,
        "first_plot_s": first_plot,
        "trivial_cell_median_s": statistics.median(trivial),
        "trivial_cell_all_s": trivial,
        "peak_kernel_rss_mib": watch.peak_kernel / 2**20,
        "peak_tree_rss_mib": watch.peak_tree / 2**20,
    }


def bench(paths, trivial_runs, json_out):
    results = []
    for path in paths:
        print(f"--- {Path(path).name}", flush=True)
        r = bench_one(path, trivial_runs)
        results.append(r)
        print(
            f"  fresh kernel to first plot: {r['first_plot_s']:.1f} s (the :dep cell {r['dep_cell_s'] or 0:.1f} s)\n"
            f"  trivial cell `1 + 1`: median {r['trivial_cell_median_s']:.2f} s over {trivial_runs}\n"
            f"  peak resident memory: kernel {r['peak_kernel_rss_mib']:.0f} MiB, "
            f"with cargo and rustc {r['peak_tree_rss_mib']:.0f} MiB",
            flush=True,
        )
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps(results, indent=2))
    return 0


# ---------------------------------------------------------------- selftest


def selftest():
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        "// Parameters\nconst SEED: u64 = 42; // the seed\nconst N: usize = 200;\nlet mut name = \"a\";"
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("println!(\"{}\", N);")]
    set_parameters(nb, {"SEED": "7", "N": "50", "name": '"b"'})
    assert params.source == (
        "// Parameters\nconst SEED: u64 = 7; // the seed\nconst N: usize = 50;\nlet mut name = \"b\";"
    ), params.source
    for bad in ({"MISSING": "1"},):
        try:
            set_parameters(nb, bad)
        except ValueError as err:
            assert "MISSING" in str(err)
        else:
            raise AssertionError("a parameter that is not defined must be an error")
    assert dirty_cells(nb) == []
    nb.cells[1].execution_count = 3
    assert dirty_cells(nb) == [1]
    nb.cells[1].execution_count = None
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="50")]
    assert dirty_cells(nb) == [1]
    assert outputs_text(nb.cells[1]) == "50"
    assert dep_lines(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(":dep a = 1\nlet x = 1;")])) == [":dep a = 1"]
    panicking = nbformat.v4.new_code_cell("assert!(1 > 2);")
    panicking.outputs = [nbformat.v4.new_output(
        "stream", name="stderr",
        text="thread '<unnamed>' (4242) panicked at src/lib.rs:41:1:\nassertion failed: 1 > 2\n")]
    quiet = nbformat.v4.new_code_cell(":dep dslab")
    quiet.outputs = [nbformat.v4.new_output("stream", name="stderr", text="   Compiling dslab v0.1.0\n")]
    found = panicked_cells(nbformat.v4.new_notebook(cells=[quiet, panicking]))
    assert len(found) == 1 and found[0].startswith("code cell 2: thread"), found
    print("notebooks.py selftest: ok")
    return 0


# ---------------------------------------------------------------- isolation


def snapshot(folder):
    return {f.name: f.read_bytes() for f in sorted(Path(folder).iterdir()) if f.is_file()}


def isolation(jupyter_dir):
    """evcxr rewrites a kernel.json whose folder has another version.txt; check it never does.

    Scenario 1 is what `JUPYTER_PATH=.venv/share/jupyter jupyter lab` gives, scenario 2 a plain
    start: in both, a `rust` kernel of the user's own (another evcxr version, in the user's data
    folder) and the project's spec must come out byte for byte as they went in.
    """
    project = Path(jupyter_dir).resolve() / "kernels" / KERNEL
    if not (project / "kernel.json").is_file():
        print(f"isolation: no kernel spec in {project}", file=sys.stderr)
        return 1
    problems = []
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "XDG_DATA_HOME")}
    with tempfile.TemporaryDirectory(prefix="dslab-isolation-") as tmp:
        user = Path(tmp) / "data" / "jupyter" / "kernels" / KERNEL
        user.mkdir(parents=True)
        (user / "kernel.json").write_text(json.dumps(
            {"argv": ["/opt/user/evcxr_jupyter", "--control_file", "{connection_file}"],
             "display_name": "Rust (the user's own)", "language": "rust"}, indent=1))
        (user / "version.txt").write_text("0.0.1-the-users-own\n")
        before = (snapshot(project), snapshot(user))
        scenarios = [("JUPYTER_PATH is the project's folder", str(Path(jupyter_dir).resolve())),
                     ("JUPYTER_PATH unset", None)]
        try:
            for label, jupyter_path in scenarios:
                known = len(problems)
                os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "data")
                if jupyter_path is None:
                    os.environ.pop("JUPYTER_PATH", None)
                else:
                    os.environ["JUPYTER_PATH"] = jupyter_path
                km = KernelManager(kernel_name=KERNEL)
                spec_dir = Path(km.kernel_spec.resource_dir).resolve()
                if spec_dir != project:
                    problems.append(f"{label}: Jupyter found the `{KERNEL}` kernel in {spec_dir}, not {project}")
                    continue
                km.start_kernel()
                try:
                    kc = km.client()
                    kc.start_channels()
                    kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
                    out = []
                    reply = kc.execute_interactive(
                        'println!("{}", 40 + 2);', timeout=300,
                        output_hook=lambda m: out.append(m["content"].get("text", "")))
                    kc.stop_channels()
                    if reply["content"]["status"] != "ok" or "42" not in "".join(out):
                        problems.append(f"{label}: the kernel did not run a cell ({reply['content']}, {out})")
                finally:
                    km.shutdown_kernel(now=False)
                after = (snapshot(project), snapshot(user))
                for name, old, new in (("the project's", before[0], after[0]), ("the user's own", before[1], after[1])):
                    changed = sorted(f for f in set(old) | set(new) if old.get(f) != new.get(f))
                    if changed:
                        problems.append(f"{label}: {name} kernel spec changed: {changed}")
                if len(problems) == known:
                    print(f"isolation: {label}: the kernel ran a cell; both kernel specs unchanged", flush=True)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    for p in problems:
        print(f"isolation FAILED: {p}", file=sys.stderr)
    return 1 if problems else 0


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("selftest")
    for name in ("check-clean", "warm", "strip"):
        sub.add_parser(name).add_argument("notebooks", nargs="+")
    sub.add_parser("isolation").add_argument("jupyter_dir")
    p = sub.add_parser("run")
    p.add_argument("--out", required=True)
    p.add_argument("--no-reruns", action="store_true")
    p.add_argument("notebooks", nargs="+")
    p = sub.add_parser("rerun")
    p.add_argument("--first", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--follow", help="the browser pass's progress.json: start each notebook's reruns once it is saved")
    p.add_argument("notebooks", nargs="+")
    p = sub.add_parser("bench")
    p.add_argument("--trivial-runs", type=int, default=5)
    p.add_argument("--json")
    p.add_argument("notebooks", nargs="+")
    args = parser.parse_args()
    if args.command == "selftest":
        return selftest()
    if args.command == "check-clean":
        return check_clean(args.notebooks)
    if args.command == "strip":
        return strip(args.notebooks)
    if args.command == "isolation":
        return isolation(args.jupyter_dir)
    if args.command == "run":
        return run(args.notebooks, args.out, reruns=not args.no_reruns)
    if args.command == "rerun":
        return reruns_only(args.notebooks, args.first, args.out, args.follow)
    if args.command == "warm":
        return warm(args.notebooks)
    return bench(args.notebooks, args.trivial_runs, args.json)


if __name__ == "__main__":
    sys.exit(main())
