"""Benchmark: `cx batch --jobs 2` against a sequential shell loop of `papermill` calls.

Run from the repository root::

    .venv/bin/python benchmarks/batch.py

16 runs of lesson 03 (action_capacity x action_delay x seed, small sizes), first as an
instructor would with a shell loop calling the ``papermill`` command once per run, then
with ``cx batch --jobs 2``.  Prints both wall times and their ratio (target >= 2.5 on
2 cores), checks that both give the same records, and splits the per-run overhead (wall
time per run minus the time spent in the notebook's own cells) into interpreter and
library imports, kernel start, and the rest.  Exits 0 only if the records agree and the
ratio meets the target.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cxlib import read_records  # noqa: E402
from cxlib.batch import expand_grid, load_results, plan  # noqa: E402

BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "03_feedback_loops.ipynb"
FIXED = {"n_customers": 600, "n_periods": 16, "n_runs": 4, "batch_demo": False}
GRID = {"action_capacity": [25, 100], "action_delay": [1, 8], "seed": [0, 1, 2, 3]}
JOBS = 2
TARGET = 2.5
ENV = {**os.environ, "JUPYTER_PREFER_ENV_PATH": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def cell_seconds(nb_path: Path) -> float:
    """Time spent in the notebook's own cells (papermill's per-cell durations)."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return sum((c.get("metadata", {}).get("papermill", {}).get("duration") or 0.0) for c in nb["cells"])


def timed(cmd: list[str] | str, **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def kernel_start_seconds() -> float:
    from jupyter_client import KernelManager

    start = time.perf_counter()
    km = KernelManager(kernel_name="python3")
    km.start_kernel(extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    seconds = time.perf_counter() - start
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    return seconds


def same(a, b) -> bool:
    # results.csv stores a None record as an empty cell, which load_results gives back as ""
    if a is None and (b == "" or (isinstance(b, float) and math.isnan(b))):
        return True
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def main() -> int:
    os.environ.update(ENV)
    runs = [{**r, **FIXED} for r in expand_grid(GRID)]
    tasks = plan(NOTEBOOK, runs)  # checked parameters and run ids, as cx batch does
    load = os.getloadavg()
    print(f"{len(tasks)} runs of {NOTEBOOK.name} with {FIXED}; grid {GRID}")
    print(f"cores: {os.cpu_count()}; load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    with tempfile.TemporaryDirectory(prefix="cxbench-batch-") as tmp:
        tmp = Path(tmp)
        # (a) the shell loop an instructor would write: one papermill call per run
        loop_dir = tmp / "loop"
        loop_dir.mkdir()
        lines = []
        for t in tasks:
            ps = " ".join(f"-p {k} {shlex.quote(str(v))}" for k, v in t.params.items())
            lines.append(f"{shlex.quote(str(BIN / 'papermill'))} -k python3 {ps} "
                         f"{shlex.quote(str(NOTEBOOK))} {shlex.quote(str(loop_dir / (t.run_id + '.ipynb')))}")
        script = tmp / "loop.sh"
        script.write_text("set -e\n" + "\n".join(lines) + "\n")
        wall_loop = timed(["bash", str(script)])
        print(f"(a) shell loop of papermill: {wall_loop:.1f} s ({wall_loop / len(tasks):.2f} s a run)")

        # (b) cx batch
        grid = tmp / "grid.json"
        grid.write_text(json.dumps({**{k: [v] for k, v in FIXED.items()}, **GRID}))
        out = tmp / "batch"
        wall_batch = timed([str(BIN / "cx"), "batch", str(NOTEBOOK), "--grid", str(grid), "--jobs", str(JOBS),
                            "--out", str(out), "--quiet"])
        print(f"(b) cx batch --jobs {JOBS}:     {wall_batch:.1f} s ({wall_batch / len(tasks):.2f} s a run)")
        ratio = wall_loop / wall_batch
        print(f"ratio (a)/(b): {ratio:.2f} (target >= {TARGET})")

        # the same records either way
        table = load_results(out).set_index("run_id")
        mismatches = []
        for t in tasks:
            recs = read_records(loop_dir / f"{t.run_id}.ipynb")
            row = table.loc[t.run_id]
            if row["status"] != "ok":
                mismatches.append(f"{t.run_id}: cx batch status {row['status']}: {row['reason']}")
                continue
            for name, value in recs.items():
                if not same(value, row[name] if not hasattr(row[name], "item") else row[name].item()):
                    mismatches.append(f"{t.run_id}: {name} differs")
        n_records = len(read_records(loop_dir / f"{tasks[0].run_id}.ipynb"))
        print(f"records equal: {not mismatches} ({n_records} records a run x {len(tasks)} runs)")
        for m in mismatches[:10]:
            print("  ", m)

        # where the per-run time goes
        cells_loop = statistics.mean(cell_seconds(loop_dir / f"{t.run_id}.ipynb") for t in tasks)
        cells_batch = statistics.mean(cell_seconds(out / "runs" / f"{t.run_id}.ipynb") for t in tasks)
        over_loop = wall_loop / len(tasks) - cells_loop
        over_batch = wall_batch * JOBS / len(tasks) - cells_batch  # per run, per worker
        imports = statistics.median(timed([sys.executable, "-c", "import papermill"]) for _ in range(3))
        kernel = statistics.median(kernel_start_seconds() for _ in range(3))
        print(f"cells (the notebook's own work): {cells_loop:.2f} s a run in (a), {cells_batch:.2f} s in (b)")
        print(f"overhead a run: (a) {over_loop:.2f} s; (b) {over_batch:.2f} s a run per worker")
        print(f"  (a) interpreter + `import papermill`: {imports:.2f} s; kernel start (KernelManager + "
              f"wait_for_ready): {kernel:.2f} s; the rest (notebook I/O, nbclient, shutdown): "
              f"{over_loop - imports - kernel:.2f} s")
        print("  (b) workers import once; each run still starts a kernel")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0 if not mismatches and ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
