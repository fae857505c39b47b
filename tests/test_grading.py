"""cx grade: sandboxed runs of hostile submissions, graded outside against trusted references.

The hostile table runs as one graded batch: every hostile submission must be contained,
reported with the right status, and the honest ones graded correctly beside them.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from conftest import SOLUTIONS, answer_student_copy, make_exercise_source
from cxlib import exercises, grading, sandbox

# One worker runs the whole module: its grading fixture (17 sandboxed submissions, ~2 min) is
# built once, and no other worker's sandboxes are running when test_no_sandbox_process_survives looks.
pytestmark = [pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed"),
              pytest.mark.xdist_group("grading")]
CX = str(Path(sys.executable).with_name("cx"))


def _with_cells(text: str, extra: list[str], at: int | None = None) -> str:
    nb = nbformat.reads(text, as_version=4)
    new = [nbformat.v4.new_code_cell(src) for src in extra]
    if at is None:
        nb.cells.extend(new)
    else:
        nb.cells[at:at] = new
    return nbformat.writes(nb)


class Listener:
    """A TCP server on the host's loopback that counts connections."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One `cx grade` batch over an honest and a hostile class; returns what the tests check."""
    tmp = tmp_path_factory.mktemp("grading")
    source = make_exercise_source(tmp / "09_tiny.ipynb")
    secret = tmp / "secret"
    secret.write_text("a course secret of some length\n")
    canary = tmp / "canary.txt"
    canary.write_text("untouched\n")
    listener = Listener()

    handout = tmp / "handout"
    cases = [
        "right", "wrong", "copier", "loop", "memory", "forkbomb", "network", "reader", "writer",
        "deleter", "forger", "noisy", "notjson", "kernelspec", "shuffled", "seedtamper", "missing",
    ]
    roster = tmp / "roster.csv"
    roster.write_text("student_id,section\n" + "".join(f"{c},A\n" for c in cases))
    exercises.assign(source, roster, handout, secret_file=secret)
    key = exercises.read_secret(secret)
    copy = {c: (handout / f"09_tiny-{c}.ipynb").read_text() for c in cases}
    right = {c: answer_student_copy(copy[c]) for c in cases}

    subs = tmp / "submissions"
    subs.mkdir()
    other = subs / "09_tiny-right.ipynb"
    x_right = np.random.default_rng(exercises.student_seed(key, "right")).normal(10, 2, size=200)

    def put(case: str, text: str, name: str | None = None):
        (subs / (name or f"09_tiny-{case}.ipynb")).write_text(text)

    put("right", right["right"])
    put("wrong", answer_student_copy(copy["wrong"], {
        "q1": "m = float(x.mean()) + 0.5", "q2": "mm = [float(x.min()), float(x.max()) + 1]", "q3": SOLUTIONS["q3"]}))
    # the copier hard-codes the right student's answers
    put("copier", answer_student_copy(copy["copier"], {
        "q1": f"m = {x_right.mean()!r}", "q2": f"mm = [{x_right.min()!r}, {x_right.max()!r}]",
        "q3": f"c = {('a' if x_right.mean() > 10 else 'b')!r}"}))
    put("loop", _with_cells(right["loop"], ["while True:\n    pass"]))
    put("memory", _with_cells(right["memory"], ["hog = bytearray(64 * 2**30)"], at=4))
    put("forkbomb", _with_cells(right["forkbomb"], ["import os\nwhile True:\n    os.fork()"], at=4))
    put("network", _with_cells(right["network"], [
        "import socket\nreached = []\n"
        f"for host, port in [('127.0.0.1', {listener.port}), ('1.1.1.1', 80), ('10.0.0.1', 22)]:\n"
        "    try:\n        socket.create_connection((host, port), timeout=3).close()\n"
        "        reached.append(host)\n    except OSError:\n        pass\n"
        "from cxlib import record\nrecord('reached', reached)\n"
        "import os\nrecord('limits', open('/proc/self/limits').read())\nrecord('uid', os.getuid())"]))
    stolen = [str(source), str(secret), str(other), str(roster)]
    put("reader", _with_cells(right["reader"], [
        "import glob\nfrom pathlib import Path\nloot = {}\n"
        f"for p in {stolen!r} + glob.glob('{tmp}/**/*', recursive=True):\n"
        "    try:\n        loot[p] = Path(p).read_text()[:200]\n    except Exception as e:\n"
        "        loot[p] = type(e).__name__\n"
        "from cxlib import exercises, record\nrecord('loot', loot)\nexercises.answer('q3', str(loot)[:50])"]))
    put("writer", _with_cells(right["writer"], [
        "import os\nresults = {}\n"
        f"for p in [{str(canary)!r}, {str(tmp / 'planted.txt')!r}, '/usr/planted.txt', "
        f"{str(Path(exercises.__file__).with_name('planted.py'))!r}, '/etc/planted', '/planted', "
        "'/dev/shm/planted', '/sandbox/planted']:\n"
        "    try:\n        open(p, 'w').write('pwned')\n        results[p] = 'written'\n"
        "    except Exception as e:\n        results[p] = type(e).__name__\n"
        "import subprocess\n"
        "nested = subprocess.run(['unshare', '-Urm', 'sh', '-c', 'mount -t tmpfs none /tmp && echo MOUNTED'],\n"
        "                        capture_output=True, text=True)\n"
        "from cxlib import record\nrecord('writes', results)\nrecord('nested', nested.stdout + nested.stderr)"]))
    put("deleter", _with_cells(right["deleter"], [
        "import os, shutil, numpy\n"
        f"for p in [{str(canary)!r}, {str(other)!r}]:\n"
        "    try:\n        os.remove(p)\n    except Exception:\n        pass\n"
        "shutil.rmtree(os.path.dirname(numpy.__file__), ignore_errors=True)\n"
        f"shutil.rmtree({str(Path(exercises.__file__).parent)!r}, ignore_errors=True)"]))
    # replaces answer/check, then forges "answers" and grade-like records for other questions
    put("forger", _with_cells(copy["forger"], [
        "from cxlib import exercises, record\n"
        "exercises.check = lambda *a, **k: True\n"
        "record('answer.q1', 'correct')\nrecord('answer.q2', [0, 1e9])\nrecord('grade.q1', 2)\n"
        "record('question.q1', {'id': 'q1', 'points': 1000, 'kind': 'number', 'rtol': 1e9, 'atol': 1e9})\n"
        "exercises.answer = lambda qid, value: record('answer.' + qid, 10.0)"], at=4))
    put("noisy", _with_cells(right["noisy"], ["for _ in range(40):\n    print('x' * 2**20)"]))
    put("notjson", "{ this is not a notebook", name="09_tiny-notjson.ipynb")
    nb = nbformat.reads(right["kernelspec"], as_version=4)
    nb.metadata.kernelspec = {"name": "evil", "display_name": "Evil", "language": "bash"}
    nb.metadata.language_info = {"name": "bash"}
    put("kernelspec", nbformat.writes(nb))
    # cells reordered (answers last first), one deleted (the parameters cell), one duplicated
    nb = nbformat.reads(right["shuffled"], as_version=4)
    head = [c for c in nb.cells[:5] if "parameters" not in c.metadata.get("tags", [])]
    answers = [c for c in nb.cells if "exercises.answer(" in c.source]
    dup = nbformat.v4.new_code_cell("m = -1.0\nexercises.answer('q1', m)")
    nb.cells = head + list(reversed(answers)) + [dup, nbformat.v4.new_code_cell(answers[0].source)]
    put("shuffled", nbformat.writes(nb))
    nb = nbformat.reads(right["seedtamper"], as_version=4)
    for c in nb.cells:
        if "injected-parameters" in c.metadata.get("tags", []) or "parameters" in c.metadata.get("tags", []):
            c.source = "seed = 1"
    put("seedtamper", nbformat.writes(nb))
    (subs / "nobody-in-particular.ipynb").write_text(right["right"])  # matches no student

    report = grading.grade(source, subs, roster, tmp / "graded", secret_file=secret, jobs=2, timeout=25,
                           memory_mb=1024, progress=False, log=lambda s: None)
    listener.close()
    with (tmp / "graded" / "grades.csv").open() as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    return {"tmp": tmp, "rows": rows, "report": report, "canary": canary, "listener": listener,
            "out": tmp / "graded", "secret": secret}


def _records(graded, sid):
    from cxlib.records import read_records

    return read_records(graded["out"] / "runs" / f"{sid}.ipynb")


@pytest.mark.parametrize(
    ("sid", "status", "total"),
    [
        ("right", "ok", 4), ("wrong", "ok", 1), ("copier", "ok", None), ("loop", "timeout", 4),
        ("memory", "memory", 4), ("forkbomb", "error", 4), ("network", "ok", 4), ("reader", "ok", 3),
        ("writer", "ok", 4), ("deleter", "ok", 4), ("forger", "error", 0), ("noisy", "error", 4),
        ("notjson", "error", 0), ("kernelspec", "ok", 4), ("shuffled", "ok", 4), ("seedtamper", "ok", 4),
        ("missing", "missing", 0),
    ],
)
def test_every_submission_gets_the_right_status_and_points(graded, sid, status, total):
    row = graded["rows"][sid]
    assert row["status"] == status, row
    assert row["section"] == "A" and row["max_points"] == "4.0"
    if total is not None:
        assert float(row["total"]) == total, row
    assert (graded["out"] / "feedback" / f"{sid}.md").exists()


def test_a_copy_of_another_students_answers_does_not_get_the_marks(graded):
    row = graded["rows"]["copier"]
    assert float(row["q1"]) == 0 and float(row["q2"]) == 0
    assert float(row["total"]) < 4


def test_reasons_say_what_happened(graded):
    rows = graded["rows"]
    assert "time limit" in rows["loop"]["reason"]
    assert "MemoryError" in rows["memory"]["reason"]
    assert "BlockingIOError" in rows["forkbomb"]["reason"] or "Resource temporarily unavailable" in rows["forkbomb"]["reason"]
    assert "process limit of 128 processes and threads" in rows["forkbomb"]["reason"]
    assert "output exceeded" in rows["noisy"]["reason"]
    assert "not a valid notebook" in rows["notjson"]["reason"]
    assert rows["missing"]["reason"] == "no submission found"
    assert rows["right"]["reason"] == ""


def test_a_fork_bomb_is_an_error_also_when_the_time_limit_follows():
    """The process limit decides the status, whatever happens after it (here the time limit)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import os\nwhile True:\n    os.fork()"),
                nbformat.v4.new_code_cell("import time\ntime.sleep(3600)")]
    out = sandbox.run_notebook(nbformat.writes(nb), sandbox.Limits(timeout=20, memory_mb=1024))
    assert out["status"] == "error", out["reason"]
    assert out["reason"].startswith("the run reached its process limit of 128 processes and threads"), out["reason"]
    assert "time limit" in out["reason"]


def test_classify_puts_the_process_limit_first():
    error = {"output_type": "error", "ename": "BlockingIOError", "evalue": "[Errno 11] Resource temporarily unavailable",
             "traceback": ["----> 3     os.fork()", "BlockingIOError: [Errno 11] Resource temporarily unavailable"]}
    interrupted = {"output_type": "error", "ename": "KeyboardInterrupt", "evalue": "", "traceback": []}
    nb = lambda *outputs: {"cells": [{"cell_type": "code", "outputs": list(outputs)}]}  # noqa: E731
    limit = sandbox._nproc_reason(128)
    # seen at the limit: the cell that forked may not even have reported it (interrupted by the time limit)
    assert sandbox._classify(nb(interrupted), "error", None, True, 128, True) == (
        "error", f"{limit}; the run reached its time limit; the cell running then was interrupted")
    # a refused fork in a cell's error is enough
    status, reason = sandbox._classify(nb(error), "error", None, True, 128, False)
    assert status == "error" and reason.startswith(limit + "; the run reached its time limit")
    assert reason.endswith("BlockingIOError: [Errno 11] Resource temporarily unavailable")
    thread = {**error, "ename": "RuntimeError", "evalue": "can't start new thread", "traceback": []}
    assert sandbox._classify(nb(thread), "error", None, False, 128, False)[1].startswith(limit)
    # an EAGAIN that is no process (non-blocking I/O), or no process limit (no sandbox): as before
    nonblocking = {**error, "traceback": ["----> 1 sock.recv(10)"]}
    assert sandbox._classify(nb(nonblocking), "error", None, False, 128, False) == (
        "error", "BlockingIOError: [Errno 11] Resource temporarily unavailable")
    assert sandbox._classify(nb(error), "error", None, True, None, False)[0] == "timeout"
    assert sandbox._classify(nb(), "ok", None, False, 128, False) == ("ok", None)


def test_no_network_from_inside(graded):
    assert graded["listener"].connections == 0
    assert _records(graded, "network")["reached"] == []


def test_limits_bind_inside_and_root_is_dropped(graded):
    import re

    records = _records(graded, "network")
    limits = {m.group(1).strip(): m.group(2) for m in re.finditer(r"^(Max [a-z ]+?)\s{2,}(\S+)", records["limits"], re.M)}
    assert limits["Max address space"] == str(1024 * 2**20)
    assert limits["Max processes"] == str(sandbox.Limits().nproc)
    assert limits["Max cpu time"] != "unlimited" and limits["Max core file size"] == "0"
    if os.geteuid() == 0:
        lo, hi = sandbox.UID_RANGE
        assert lo <= records["uid"] < hi
    else:
        assert records["uid"] == os.getuid()


def test_no_view_of_sources_secret_or_other_submissions(graded):
    loot = _records(graded, "reader")["loot"]
    secret_text = graded["secret"].read_text().strip()
    dump = json.dumps(loot)
    assert secret_text not in dump and "BEGIN SOLUTION" not in dump and "float(x.mean())" not in dump
    assert all(v in ("FileNotFoundError", "PermissionError", "IsADirectoryError") for v in loot.values()), loot
    # the stolen text never reaches the grader's outputs either
    for path in graded["out"].rglob("*"):
        if path.is_file() and path.suffix in (".ipynb", ".md", ".csv"):
            assert secret_text not in path.read_text(errors="replace")


def test_no_writes_or_deletes_outside(graded):
    assert graded["canary"].read_text() == "untouched\n"
    assert not (graded["tmp"] / "planted.txt").exists()
    assert not Path("/usr/planted.txt").exists() and not Path("/etc/planted").exists()
    assert not Path(exercises.__file__).with_name("planted.py").exists()
    writes = _records(graded, "writer")["writes"]
    assert "written" not in writes.values(), writes
    # no user namespace of its own, where it could mount an unlimited tmpfs
    assert "MOUNTED" not in _records(graded, "writer")["nested"]
    assert (graded["tmp"] / "submissions" / "09_tiny-right.ipynb").exists()
    import numpy  # noqa: F401 - still importable: the deleter removed nothing
    assert Path(exercises.__file__).exists()


def test_forged_records_never_grade(graded):
    row = graded["rows"]["forger"]
    assert float(row["q1"]) == 0 and float(row["q2"]) == 0 and float(row["q3"]) == 0
    assert row["max_points"] == "4.0"  # points come from the trusted source run, not the forged question


def test_reordered_deleted_duplicated_cells_are_graded_by_question_id(graded):
    row = graded["rows"]["shuffled"]
    assert (row["q1"], row["q2"], row["q3"]) == ("2.0", "1.0", "1.0")


def test_seed_comes_from_the_grader_not_the_submission(graded):
    key = exercises.read_secret(graded["secret"])
    assert int(graded["rows"]["seedtamper"]["seed"]) == exercises.student_seed(key, "seedtamper")


def test_unmatched_files_are_listed(graded):
    listed = (graded["out"] / "unmatched.txt").read_text()
    assert "nobody-in-particular.ipynb" in listed
    assert "nobody-in-particular.ipynb" in graded["report"].summary()


def test_feedback_gives_results_and_hints_but_never_the_reference(graded):
    text = (graded["out"] / "feedback" / "wrong.md").read_text()
    assert "1 of 4 points" in text
    assert "does not match the answer from your data" in text and "Hint: " not in text and "x.mean()" in text
    ref = json.loads(next((graded["out"] / "references").glob("*.json")).read_text())
    assert repr(ref["answers"]["q1"]) not in text and f"{ref['answers']['q1']:.4f}" not in text


def test_no_sandbox_process_survives(graded):
    import psutil

    lo, hi = sandbox.UID_RANGE
    left = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if lo <= entry.stat().st_uid < hi:
                    left.append(int(entry.name))
            except OSError:
                pass
    # Sandboxes that another pytest-xdist worker runs at this moment (for its own grading
    # tests) are not survivors of this one: a survivor has lost its grader.
    others = {p.pid for p in psutil.Process(os.getppid()).children()} - {os.getpid()}
    running_elsewhere = set()
    for pid in left:
        try:
            if any(parent.pid in others for parent in psutil.Process(pid).parents()):
                running_elsewhere.add(pid)
        except psutil.NoSuchProcess:
            running_elsewhere.add(pid)  # gone meanwhile: it did not survive
    survivors = [pid for pid in left if pid not in running_elsewhere]
    assert survivors == [], [psutil.Process(pid).cmdline() for pid in survivors if psutil.pid_exists(pid)]


def test_references_are_cached_per_seed(graded):
    refs = sorted((graded["out"] / "references").glob("*.json"))
    assert len(refs) == 16  # every student with a file; "missing" has none
    key = exercises.read_secret(graded["secret"])
    seed = exercises.student_seed(key, "right")
    entry = json.loads(next(p for p in refs if p.stem.endswith(f"-{seed}")).read_text())
    x = np.random.default_rng(seed).normal(10, 2, size=200)
    assert entry["answers"]["q1"] == pytest.approx(x.mean(), rel=1e-12)
    assert entry["answers"]["q2"] == pytest.approx([x.min(), x.max()], rel=1e-12)


# ---------------------------------------------------------------------------- CLI and refusal


def test_grade_refuses_without_bubblewrap(tmp_path, exercise_source, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on PATH
    (tmp_path / "subs").mkdir()
    (tmp_path / "roster.csv").write_text("student_id\nada\n")
    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap.*--no-sandbox"):
        grading.grade(exercise_source, tmp_path / "subs", tmp_path / "roster.csv", tmp_path / "out",
                      secret_file=tmp_path / "secret", progress=False)


def test_cli_assign_then_grade_three_students(tmp_path, exercise_source):
    """The flow an instructor follows: assign, collect, grade (one right, one wrong, one hostile)."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\nada,Ada\nbob,Bob\ncy,Cy\n")
    secret = tmp_path / "course-secret"
    run = lambda *a: subprocess.run([CX, *map(str, a)], capture_output=True, text=True, cwd=tmp_path)  # noqa: E731
    assigned = run("assign", exercise_source, "--roster", roster, "--out", tmp_path / "handout", "--secret-file", secret)
    assert assigned.returncode == 0, assigned.stderr
    subs = tmp_path / "subs"
    subs.mkdir()
    handout = {s: (tmp_path / "handout" / f"09_tiny-{s}.ipynb").read_text() for s in ("ada", "bob", "cy")}
    (subs / "09_tiny-ada.ipynb").write_text(answer_student_copy(handout["ada"]))
    (subs / "09_tiny-bob.ipynb").write_text(answer_student_copy(handout["bob"], {**SOLUTIONS, "q1": "m = 0.0"}))
    (subs / "cy").mkdir()
    (subs / "cy" / "my work.ipynb").write_text(_with_cells(answer_student_copy(handout["cy"]),
                                                            ["import os\nos.system('rm -rf /')\nwhile True: pass"]))
    graded = run("grade", exercise_source, subs, "--roster", roster, "--out", tmp_path / "graded",
                 "--secret-file", secret, "--timeout", "20", "--quiet")
    assert graded.returncode == 0, graded.stderr
    assert "3 students: 2 ok, 1 timeout" in graded.stdout
    assert "full marks per question, of the submissions: q1 2/3, q2 3/3, q3 3/3" in graded.stdout
    with (tmp_path / "graded" / "grades.csv").open() as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert [rows[s]["total"] for s in ("ada", "bob", "cy")] == ["4.0", "2.0", "4.0"]
    assert rows["bob"]["q1"] == "0.0" and rows["ada"]["name"] == "Ada"
    assert rows["cy"]["file"] == "cy/my work.ipynb"
    for s in ("ada", "bob", "cy"):
        assert (tmp_path / "graded" / "feedback" / f"{s}.md").exists()
    # a missing secret is a clear one-line error
    bad = run("grade", exercise_source, subs, "--roster", roster, "--out", tmp_path / "g2", "--secret-file",
              tmp_path / "nope")
    assert bad.returncode == 2 and "secret file" in bad.stderr and "Traceback" not in bad.stderr


GRADE_INTERRUPTED = ("cx grade: interrupted; finished work is kept (grades.csv holds the students graded so far; "
                     "reference runs are cached)")


@pytest.mark.parametrize("stage", ["references", "submissions"])
def test_interrupt_prints_no_traceback(tmp_path, exercise_source, stage):
    """Ctrl-C in the terminal (SIGINT to `cx grade`'s process group, its workers too) while the
    reference runs or the sandboxed submissions are under way: one line, nothing left running."""
    import psutil

    students = ["ada", "bob", "cy", "dee", "eve", "fay"]
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\n" + "".join(f"{s}\n" for s in students))
    secret = tmp_path / "secret"
    exercises.assign(exercise_source, roster, tmp_path / "handout", secret_file=secret)
    subs = tmp_path / "subs"
    subs.mkdir()
    for s in students:
        text = answer_student_copy((tmp_path / "handout" / f"09_tiny-{s}.ipynb").read_text())
        (subs / f"09_tiny-{s}.ipynb").write_text(_with_cells(text, ["import time\ntime.sleep(2)"]))
    out = tmp_path / "graded"

    def graded_rows() -> list[dict[str, str]]:
        if not (out / "grades.csv").exists():
            return []
        with (out / "grades.csv").open() as fh:
            return list(csv.DictReader(fh))

    def under_way() -> bool:
        if stage == "references":
            return any((out / "references").glob("*.json"))
        return len(graded_rows()) >= 1

    proc = subprocess.Popen([CX, "grade", str(exercise_source), str(subs), "--roster", str(roster), "--out", str(out),
                             "--secret-file", str(secret), "--jobs", "2", "--timeout", "60", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not under_way():
            try:
                seen |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the grading finished before it could be interrupted"
        seen |= {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    assert stderr.splitlines() == [GRADE_INTERRUPTED], stderr

    # no worker, kernel or sandbox left behind
    deadline = time.monotonic() + 15
    alive = seen
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in seen if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE}
        time.sleep(0.2)
    assert not alive, [psutil.Process(p).cmdline() for p in alive if psutil.pid_exists(p)]

    # what finished is kept, whole: cached references, the students graded so far
    refs = list((out / "references").glob("*.json"))
    rows = graded_rows()
    if stage == "references":
        assert 1 <= len(refs) < len(students) and rows == []
    else:
        assert len(refs) == len(students) and 1 <= len(rows) < len(students)
        assert all(r["status"] == "ok" and float(r["total"]) == 4 for r in rows), rows
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]


def test_cli_grade_refuses_without_bubblewrap_and_says_how_to_install(tmp_path, exercise_source):
    (tmp_path / "subs").mkdir()
    (tmp_path / "roster.csv").write_text("student_id\nada\n")
    env = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on PATH
    proc = subprocess.run([CX, "grade", str(exercise_source), str(tmp_path / "subs"), "--roster",
                           str(tmp_path / "roster.csv"), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 3
    assert "bubblewrap" in proc.stderr and "apt-get install bubblewrap" in proc.stderr
    assert "--no-sandbox" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_no_sandbox_grades_trusted_work_under_the_same_limits(tmp_path, exercise_source):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\nada\nbob\n")
    secret = tmp_path / "secret"
    exercises.assign(exercise_source, roster, tmp_path / "handout", secret_file=secret)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.ipynb").write_text(answer_student_copy((tmp_path / "handout" / "09_tiny-ada.ipynb").read_text()))
    (subs / "bob.ipynb").write_text(_with_cells(
        answer_student_copy((tmp_path / "handout" / "09_tiny-bob.ipynb").read_text()), ["hog = bytearray(64 * 2**30)"]))
    report = grading.grade(exercise_source, subs, roster, tmp_path / "out", secret_file=secret, sandbox=False,
                           jobs=2, timeout=60, memory_mb=1024, progress=False)
    table = report.table.set_index("student_id")
    assert table.loc["ada", "status"] == "ok" and table.loc["ada", "total"] == 4
    assert table.loc["bob", "status"] == "memory" and table.loc["bob", "total"] == 4


def test_a_sandbox_that_cannot_run_this_python_is_refused_before_any_grading(monkeypatch):
    """A broken setup must never be blamed on the students: every run would 'fail'."""
    monkeypatch.setattr(sandbox, "_readable", lambda: [])  # nothing of this environment inside
    monkeypatch.setattr(sandbox, "_PROBED", {})
    with pytest.raises(sandbox.SandboxUnavailable, match="cannot run this environment's Python"):
        sandbox.check_available()
