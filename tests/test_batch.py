"""`cx batch` and cxlib.batch: building runs, checking them first, failures, resume, Dask."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from conftest import ROOT, make_notebook
from cxlib import batch
from cxlib.cli import main

CX = [sys.executable, "-m", "cxlib.cli"]

PARAMS = (
    "x: int = 1  # a number (0 to 100)\n"
    "fail: bool = False  # raise in a cell\n"
    "sleep: float = 0.0  # seconds to sleep in a cell\n"
    "die: bool = False  # kill the kernel"
)
VALIDATION = "from cxlib import params\nx = params.integer(\"x\", x, min=0, max=100)"
BODY = [
    "import os, time\nfrom cxlib import record",
    "if fail:\n    raise ValueError(\"boom\")\nif die:\n    os._exit(1)\ntime.sleep(sleep)",
    "record(\"x2\", x * 2)\nrecord(\"label\", f\"x={x}\")\nrecord(\"vec\", [x, x + 1])\nrecord(\"d\", {\"x\": x})",
]


@pytest.fixture
def nb(tmp_path: Path) -> Path:
    return make_notebook(tmp_path / "07_tiny_batch.ipynb", PARAMS, BODY, smoke={"x": 1}, validation=VALIDATION)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _tmp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if ".tmp" in p.name]


# ---------------------------------------------------------------------------
# Building the list of runs
# ---------------------------------------------------------------------------


def test_expand_grid_is_cartesian_last_name_fastest():
    assert batch.expand_grid({"a": [1, 2], "b": ["x", "y"]}) == [
        {"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"},
    ]
    assert batch.expand_grid({"a": [1, 2]}, seeds=2) == [
        {"a": 1, "seed": 0}, {"a": 1, "seed": 1}, {"a": 2, "seed": 0}, {"a": 2, "seed": 1},
    ]
    assert batch.expand_grid({"a": [1]}, seeds=3, seed_name="rng") == [{"a": 1, "rng": s} for s in range(3)]


def test_expand_grid_errors():
    with pytest.raises(ValueError, match="grid entry 'a' has no values"):
        batch.expand_grid({"a": []})
    with pytest.raises(ValueError, match="'seed', which the grid already sets"):
        batch.expand_grid({"a": [1], "seed": [1, 2]}, seeds=2)
    with pytest.raises(TypeError, match="grid entry 'a' must be a list"):
        batch.expand_grid({"a": 3})
    with pytest.raises(ValueError, match="seeds"):
        batch.expand_grid({"a": [1]}, seeds=0)


def test_read_grid_yaml_and_json(tmp_path):
    y = tmp_path / "g.yaml"
    y.write_text("action_capacity: [25, 50]\nlabel: cdnow_sample\nrate: [0.5]\n")
    assert batch.read_grid(y) == {"action_capacity": [25, 50], "label": ["cdnow_sample"], "rate": [0.5]}
    j = tmp_path / "g.json"
    j.write_text(json.dumps({"a": [1, 2], "b": "x"}))
    assert batch.read_grid(j) == {"a": [1, 2], "b": ["x"]}


def test_read_grid_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        batch.read_grid(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    with pytest.raises(ValueError, match="not valid YAML or JSON"):
        batch.read_grid(bad)
    for text in ("- 1\n- 2\n", "", "{}"):
        bad.write_text(text)
        with pytest.raises(ValueError, match="must hold a mapping"):
            batch.read_grid(bad)


def test_read_rows_parses_literals_and_omits_empty_cells(tmp_path):
    f = tmp_path / "runs.csv"
    f.write_text("x,label,sizes,flag,rate\n3,cdnow_sample,\"[1, 2]\",True,0.5\n4,,,,\n")
    assert batch.read_rows(f) == [
        {"x": 3, "label": "cdnow_sample", "sizes": [1, 2], "flag": True, "rate": 0.5},
        {"x": 4},
    ]


def test_read_rows_errors(tmp_path):
    f = tmp_path / "runs.csv"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        batch.read_rows(f)
    f.write_text("")
    with pytest.raises(ValueError, match="is empty"):
        batch.read_rows(f)
    f.write_text("x,y\n")
    with pytest.raises(ValueError, match="header but no runs"):
        batch.read_rows(f)
    f.write_text("x,y\n1,2\n1,2,3\n")
    with pytest.raises(ValueError, match="line 3 has more cells than the header"):
        batch.read_rows(f)


def test_parse_sweep():
    assert batch.parse_sweep("25,50,100") == [25, 50, 100]
    assert batch.parse_sweep("cdnow_sample,cdnow_master") == ["cdnow_sample", "cdnow_master"]
    assert batch.parse_sweep("[1, 2], [3]") == [[1, 2], [3]]
    assert batch.parse_sweep("0.5") == [0.5]
    assert batch.parse_sweep("a, 2") == ["a", 2]


def test_run_id_is_stable():
    a = batch.run_id("notebooks/03_feedback_loops.ipynb", {"seed": 1, "n_runs": 4})
    assert a == batch.run_id("elsewhere/03_feedback_loops.ipynb", {"n_runs": 4, "seed": 1})
    assert a.startswith("03_feedback_loops-") and len(a) == len("03_feedback_loops-") + 10
    assert a != batch.run_id("03_feedback_loops.ipynb", {"seed": 2, "n_runs": 4})
    assert a != batch.run_id("03_feedback_loops.ipynb", {"seed": 1, "n_runs": 4, "x": 0})
    assert a != batch.run_id("04_other.ipynb", {"seed": 1, "n_runs": 4})


# ---------------------------------------------------------------------------
# Every run is checked before any starts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, error, words",
    [
        ({"y": 2}, ValueError, ["run 2", "unknown parameter 'y'", "valid parameters are x, fail, sleep, die"]),
        ({"x": "many"}, TypeError, ["run 2", "parameter x is declared int", "'many'"]),
        ({"x": 500}, ValueError, ["run 2", "x must be an integer between 0 and 100; got 500"]),
    ],
)
def test_bad_run_is_refused_before_anything_runs(nb, tmp_path, bad, error, words):
    out = tmp_path / "out"
    with pytest.raises(error) as info:
        batch.run_batch(nb, [{"x": 1}, bad, {"x": 2}], out, jobs=2, progress=False)
    for word in words:
        assert word in str(info.value)
    assert not out.exists()


def test_cli_reports_bad_run_without_running(nb, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["batch", str(nb), "-p", "x", "1,500", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "run 2" in err and "between 0 and 100; got 500" in err and "Traceback" not in err
    assert not (out / "results.csv").exists()


def test_duplicate_runs_are_refused(nb):
    with pytest.raises(ValueError, match="run 2 repeats run 1"):
        batch.plan(nb, [{"x": 1}, {"x": 1.0}])


# ---------------------------------------------------------------------------
# Failures: error, timeout, died; the batch carries on
# ---------------------------------------------------------------------------


def test_failing_runs_are_reported_and_the_batch_carries_on(nb, tmp_path, capsys):
    rows = tmp_path / "runs.csv"
    rows.write_text("x,fail,sleep,die\n1,,,\n2,,,\n3,True,,\n4,,120,\n5,,,True\n")
    out = tmp_path / "out"
    code = main(["batch", str(nb), "--rows", str(rows), "--out", str(out), "--jobs", "2",
                 "--timeout", "12", "--quiet"])
    stdout = capsys.readouterr().out
    assert code == 1

    table = _rows(out / "results.csv")
    assert [r["x"] for r in table] == ["1", "2", "3", "4", "5"]  # one row per run, in the batch's order
    by_x = {r["x"]: r for r in table}
    assert [by_x[x]["status"] for x in "12345"] == ["ok", "ok", "error", "timeout", "died"]
    assert by_x["3"]["reason"] == "ValueError: boom"
    assert "timeout of 12 s" in by_x["4"]["reason"]
    assert "kernel died" in by_x["5"]["reason"]
    assert [r["run_id"] for r in table] == [t.run_id for t in batch.plan(nb, batch.read_rows(rows))]
    assert all("\n" not in r["reason"] for r in table)
    # scalar records in results.csv, non-scalar ones in records.jsonl
    assert (by_x["1"]["x2"], by_x["1"]["label"]) == ("2", "x=1")
    assert (by_x["2"]["x2"], by_x["2"]["label"]) == ("4", "x=2")
    assert by_x["3"]["x2"] == "" and "vec" not in table[0]
    jl = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert jl == [
        {"run_id": by_x["1"]["run_id"], "records": {"vec": [1, 2], "d": {"x": 1}}},
        {"run_id": by_x["2"]["run_id"], "records": {"vec": [2, 3], "d": {"x": 2}}},
    ]
    # the executed notebooks, also of the failed runs that produced one
    for x in "1234":
        assert (out / "runs" / f"{by_x[x]['run_id']}.ipynb").is_file()
    plan = json.loads((out / "batch.json").read_text())
    assert [r["run_id"] for r in plan["runs"]] == [r["run_id"] for r in table]
    assert not _tmp_files(out)

    # the summary names the failed runs and why
    summary = stdout[stdout.index("5 runs: "):]
    assert summary.startswith("5 runs: 2 ok, 1 error, 1 timeout, 1 died\n")
    for x in "345":
        assert f"{by_x[x]['run_id']}: {by_x[x]['status']}: {by_x[x]['reason']}" in summary
    assert by_x["1"]["run_id"] not in summary and by_x["2"]["run_id"] not in summary

    # load_results joins the non-scalar records back in
    res = batch.load_results(out)
    assert list(res["status"]) == ["ok", "ok", "error", "timeout", "died"]
    assert res["vec"].tolist() == [[1, 2], [2, 3], None, None, None]
    assert res["d"].tolist()[0] == {"x": 1}
    assert pd.isna(res.loc[0, "reason"]) and res.loc[2, "reason"] == "ValueError: boom"


def test_load_results_keeps_numeric_records_numeric_when_a_run_failed(nb, tmp_path):
    table = batch.run_batch(nb, [{"x": 1}, {"x": 2, "fail": True}], tmp_path / "out", jobs=2, progress=False,
                            log=lambda s: None)
    assert list(table["status"]) == ["ok", "error"]
    assert pd.api.types.is_numeric_dtype(table["x2"]), table["x2"].tolist()
    assert table.loc[0, "x2"] == 2 and pd.isna(table.loc[1, "x2"])


def test_load_results_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="results.csv is missing"):
        batch.load_results(tmp_path / "nothing")


# ---------------------------------------------------------------------------
# Interrupted, then resumed
# ---------------------------------------------------------------------------


def _interrupt_batch(nb: Path, out: Path, *, group: bool = False) -> tuple[list[str], int, str, set[int]]:
    """Start `cx batch` in a subprocess, Ctrl-C it once a first run has finished.

    With ``group`` the SIGINT goes to its whole process group, as a terminal's Ctrl-C
    does (the workers get it too); else to the `cx` process alone (``kill -INT``).
    """
    args = ["batch", str(nb), "-p", "x", "1,2,3,4,5,6", "-p", "sleep", "1.5", "--jobs", "2",
            "--out", str(out), "--quiet"]
    env = {**os.environ, "JUPYTER_PREFER_ENV_PATH": "1"}
    proc = subprocess.Popen(CX + args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=group)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                seen |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
            except psutil.NoSuchProcess:
                break
            results = out / "results.csv"
            if results.exists() and len(_rows(results)) >= 1:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the batch finished before it could be interrupted"
        seen |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return args, proc.returncode, stderr, seen


def test_interrupted_batch_resumes(nb, tmp_path, capsys):
    out = tmp_path / "out"
    args, code, stderr, seen = _interrupt_batch(nb, out)
    assert code == 130, stderr
    assert "cx batch: interrupted; finished work is kept (rerun with --resume)" in stderr

    # no worker or kernel left behind
    deadline = time.monotonic() + 15
    alive = seen
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in seen if psutil.pid_exists(pid)
                 and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE}
        time.sleep(0.2)
    assert not alive, [psutil.Process(p).cmdline() for p in alive if psutil.pid_exists(p)]

    # only finished runs, written whole
    finished = _rows(out / "results.csv")
    assert 1 <= len(finished) < 6
    assert all(r["status"] == "ok" for r in finished)
    assert not _tmp_files(out)
    notebooks_done = {r["run_id"]: (out / "runs" / f"{r['run_id']}.ipynb") for r in finished}
    assert all(p.is_file() for p in notebooks_done.values())
    mtimes = {rid: p.stat().st_mtime_ns for rid, p in notebooks_done.items()}

    # resume: the finished runs are not rerun, the rest are
    assert main(args + ["--resume"]) == 0
    text = capsys.readouterr().out
    assert f"resume: {len(finished)} of 6 runs already finished ok; {6 - len(finished)} to run" in text
    table = batch.load_results(out)
    assert list(table["x"]) == [1, 2, 3, 4, 5, 6] and set(table["status"]) == {"ok"}
    assert list(table["x2"]) == [2, 4, 6, 8, 10, 12]
    assert table["vec"].tolist() == [[x, x + 1] for x in range(1, 7)]
    assert {rid: notebooks_done[rid].stat().st_mtime_ns for rid in mtimes} == mtimes
    assert len(list((out / "runs").glob("*.ipynb"))) == 6

    csv_before = (out / "results.csv").read_text()
    # without --resume an existing results folder is refused
    assert main(args) == 2
    assert "already holds batch results" in capsys.readouterr().err
    assert (out / "results.csv").read_text() == csv_before


def test_resuming_a_complete_batch_runs_nothing(nb, tmp_path):
    out = tmp_path / "out"
    batch.run_batch(nb, [{"x": 1}], out, jobs=1, progress=False, log=lambda s: None)
    before = {p.name: p.stat().st_mtime_ns for p in out.rglob("*")}
    lines: list[str] = []
    table = batch.run_batch(nb, [{"x": 1}], out, jobs=1, progress=False, resume=True, log=lines.append)
    assert lines == ["resume: 1 of 1 runs already finished ok; 0 to run"]
    assert list(table["status"]) == ["ok"] and list(table["x2"]) == [2]
    assert {p.name: p.stat().st_mtime_ns for p in out.rglob("*") if p.name != "batch.json"} == {
        k: v for k, v in before.items() if k != "batch.json"}


def test_resume_reruns_failed_runs(nb, tmp_path):
    out = tmp_path / "out"
    first = batch.run_batch(nb, [{"x": 1}, {"x": 2, "fail": True}], out, jobs=2, progress=False,
                            log=lambda s: None)
    assert list(first["status"]) == ["ok", "error"]
    ok_nb = out / "runs" / f"{first.loc[0, 'run_id']}.ipynb"
    mtime = ok_nb.stat().st_mtime_ns
    lines: list[str] = []
    again = batch.run_batch(nb, [{"x": 1}, {"x": 2, "fail": True}], out, jobs=2, progress=False,
                            resume=True, log=lines.append)
    assert list(again["status"]) == ["ok", "error"]  # the failed run ran again (and failed again)
    assert lines[0] == "resume: 1 of 2 runs already finished ok; 1 to run"
    assert ok_nb.stat().st_mtime_ns == mtime


INTERRUPTED = "cx batch: interrupted; finished work is kept (rerun with --resume)"


@pytest.mark.parametrize("group", [False, True], ids=["kill-INT", "terminal-ctrl-c"])
def test_interrupt_prints_no_traceback(nb, tmp_path, group):
    _, code, stderr, seen = _interrupt_batch(nb, tmp_path / "out", group=group)
    assert code == 130
    assert "Traceback" not in stderr and "Task exception was never retrieved" not in stderr, stderr
    # one line, from the parent: nothing from the workers or their kernels as they stop
    assert stderr.splitlines() == [INTERRUPTED], stderr
    # the workers end as soon as they have shut their kernels down: none starts a queued run
    time.sleep(0.5)
    assert not {pid for pid in seen if psutil.pid_exists(pid)
                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE}


def test_ctrl_c_while_the_workers_start_prints_one_line(nb, tmp_path):
    """A Ctrl-C in the terminal reaches the workers too, also before they ignore it."""
    for delay in (0.0, 0.01, 0.02, 0.1, 0.3):  # 0 to 0.02 s: a worker may be starting (the race fixed in _sigint_blocked)
        args = ["batch", str(nb), "-p", "x", "1,2,3", "--jobs", "2", "--out", str(tmp_path / f"out-{delay}"),
                "--quiet"]
        proc = subprocess.Popen(CX + args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while not psutil.Process(proc.pid).children() and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(delay)  # the workers are importing: they do not ignore SIGINT yet
            os.killpg(proc.pid, signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 130, stderr
        assert stderr.splitlines() == [INTERRUPTED], stderr


# ---------------------------------------------------------------------------
# On a Dask cluster
# ---------------------------------------------------------------------------


def test_dask_cluster_gives_the_same_results(nb, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")
    runs = batch.expand_grid({"x": [1, 2, 3]}) + [{"x": 4, "fail": True}]
    local = batch.run_batch(nb, runs, tmp_path / "local", jobs=2, progress=False, log=lambda s: None)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        remote = batch.run_batch(nb, runs, tmp_path / "dask", scheduler=cluster.scheduler_address,
                                 progress=False, log=lambda s: None)
    assert list(remote["status"]) == ["ok", "ok", "ok", "error"]
    assert remote.loc[3, "reason"] == "ValueError: boom"
    cols = ["run_id", "status", "reason", "x", "fail", "x2", "label", "vec", "d"]
    pd.testing.assert_frame_equal(local[cols], remote[cols])
    assert remote["vec"].tolist() == [[1, 2], [2, 3], [3, 4], None]
    assert all((tmp_path / "dask" / "runs" / f"{rid}.ipynb").is_file() for rid in remote["run_id"])
