"""Execute an untrusted notebook inside a bubblewrap sandbox, under hard limits.

:func:`run_notebook` is what ``cx grade`` runs for every submission.  The notebook is
executed by papermill *inside* the sandbox (the client and its kernel both), in a
fresh process tree that

* has no network (a new network namespace with only loopback);
* sees a read-only system (``/usr``, ``/etc``), this Python environment, the
  ``cxlib`` package and the datasets, and nothing else of the host: no exercise
  sources, no secret, no other submission, no home directory;
* can write only to a private, size-limited ``/tmp`` that vanishes with it, and
  cannot create user namespaces of its own (where it could mount more);
* runs as an unprivileged user: when the grader is root, the sandboxed process drops
  to a spare user id (root ignores the process limit, and could undo the rest), so
  the limits below bind;
* is limited in wall time, CPU time, memory (address space per process), number of
  processes and threads, file size and output size, and is killed whole (its own PID
  namespace) when it ends or overruns.

Everything that comes out (the executed notebook, through a pipe) is untrusted data:
the caller reads it with a size cap and parses it; nothing in it is executed.

Without bubblewrap, or where it cannot create namespaces, :func:`check_available`
raises :class:`SandboxUnavailable` with what to install; ``sandbox=False`` runs the
same runner under the same resource limits but without isolation (only for trusted
work).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Limits", "SandboxUnavailable", "check_available", "run_notebook"]

#: Where the submission appears inside the sandbox.
INSIDE = "/sandbox/submission.ipynb"
#: The file descriptor on which the runner writes its result.
RESULT_FD = 3
#: Slack over the runner's own budget before the whole sandbox is killed (startup, teardown).
GRACE = 30.0
#: Spare user ids for sandboxed runs started by root (systemd's DynamicUser range).
UID_RANGE = (61184, 65519)

INSTALL = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install "
    "bubblewrap`); or pass --no-sandbox to run submissions without isolation, which is unsafe "
    "for untrusted work"
)


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create its namespaces here.

    :func:`check_available` raises it with what to install or enable; ``cx grade``
    prints its message and exits with code 3.

    Examples
    --------
    >>> err = SandboxUnavailable("cx grade needs bubblewrap (bwrap), which is not installed")
    >>> isinstance(err, RuntimeError), str(err)
    (True, 'cx grade needs bubblewrap (bwrap), which is not installed')
    >>> try:  # check_available probes bubblewrap by starting sandboxes  # doctest: +SKIP
    ...     check_available()
    ... except SandboxUnavailable as exc:
    ...     print(f"cx grade: {exc}")
    """


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed run.

    Attributes
    ----------
    timeout : float
        Wall-clock seconds for the whole notebook (a cell still running then is
        interrupted, the rest get a second each).
    memory_mb : int
        Address space of each process, in MiB (a bigger allocation raises MemoryError).
    cpu : float, optional
        CPU seconds of each process; default ``2 * timeout``.
    nproc : int
        Processes and threads the sandboxed user may have at once.
    output_mb : float
        Size cap of the executed notebook that comes back (and of any file written).
    tmp_mb : int
        Size of the private ``/tmp``.

    Examples
    --------
    >>> limits = Limits(timeout=120, memory_mb=1024)
    >>> limits
    Limits(timeout=120, memory_mb=1024, cpu=None, nproc=128, output_mb=20.0, tmp_mb=256)
    >>> limits.cpu_seconds, limits.output_bytes
    (250, 20971520)
    >>> Limits(memory_mb=100)
    Traceback (most recent call last):
    ...
    ValueError: memory_mb must be an integer >= 256; got 100
    """

    timeout: float = 300.0
    memory_mb: int = 2048
    cpu: float | None = None
    nproc: int = 128
    output_mb: float = 20.0
    tmp_mb: int = 256

    def __post_init__(self) -> None:
        from cxlib import params

        params.real("timeout", self.timeout, min=0, min_inclusive=False)
        params.integer("memory_mb", self.memory_mb, min=256)
        if self.cpu is not None:
            params.real("cpu", self.cpu, min=0, min_inclusive=False)
        params.integer("nproc", self.nproc, min=16)
        params.real("output_mb", self.output_mb, min=0, min_inclusive=False)
        params.integer("tmp_mb", self.tmp_mb, min=16)

    @property
    def cpu_seconds(self) -> int:
        return int(self.cpu if self.cpu is not None else 2 * self.timeout + 10)

    @property
    def output_bytes(self) -> int:
        return int(self.output_mb * 2**20)


# ---------------------------------------------------------------------------
# Is a sandbox possible here?
# ---------------------------------------------------------------------------

_PROBED: dict[str, str | None] = {}


def _probe(argv: Sequence[str]) -> str | None:
    """Run ``argv`` in a sandbox; None if it exits 0, else the last line it printed."""
    cmd = _command(argv, Limits(timeout=30), tmp=None, hide=())
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=_environment())
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return None if proc.returncode == 0 else (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]


def check_available() -> None:
    """Raise :class:`SandboxUnavailable` unless a bubblewrap sandbox can start here and
    run this environment's Python with cxlib and a Jupyter kernel (checked once a process).

    Examples
    --------
    >>> check_available()  # starts two bubblewrap sandboxes to probe them  # doctest: +SKIP

    On a machine without bubblewrap the message says what to install:

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"PATH": "/nonexistent"}):  # as if bwrap were not installed
    ...     check_available()
    Traceback (most recent call last):
    ...
    cxlib.sandbox.SandboxUnavailable: cx grade needs bubblewrap (bwrap), which is not installed: install
    bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`); or pass
    --no-sandbox to run submissions without isolation, which is unsafe for untrusted work
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(f"cx grade needs bubblewrap (bwrap), which is not installed: {INSTALL}")
    if bwrap not in _PROBED:
        failed = _probe(["/bin/true"])
        if failed is not None:
            _PROBED[bwrap] = (
                f"bubblewrap is installed but cannot create a sandbox here ({failed}); it needs user "
                "namespaces (or root). Either enable them (e.g. sysctl kernel.unprivileged_userns_clone=1) "
                f"or {INSTALL.split('; or ', 1)[1]}"
            )
        else:
            python = str(Path(sys.prefix) / "bin" / "python")
            failed = _probe([python, "-c", "import cxlib.exercises, ipykernel, papermill"])
            _PROBED[bwrap] = None if failed is None else (
                f"the sandbox cannot run this environment's Python ({python}: {failed}); check that it and "
                "cxlib are readable by other users"
            )
    if _PROBED[bwrap] is not None:
        raise SandboxUnavailable(_PROBED[bwrap])


# ---------------------------------------------------------------------------
# The bubblewrap command
# ---------------------------------------------------------------------------


def _readable() -> list[Path]:
    """What the sandbox must read: this Python, its environment, cxlib, the datasets."""
    import cxlib
    from cxlib import data

    paths = {
        Path(sys.base_prefix).resolve(),
        Path(sys.prefix).resolve(),
        Path(os.path.realpath(sys.executable)).parent,
        Path(cxlib.__file__).resolve().parent,
        data.datasets_dir().resolve(),
    }
    system = {Path(p) for p in ("/usr", "/etc")}
    # Drop paths inside another one (bound already) and the system's own.
    keep = sorted(p for p in paths if p.exists() and not any(p != q and q in p.parents for q in paths | system))
    return [p for p in keep if p not in system]


def _spare_uid() -> int:
    """A user id no running process has (checked in /proc), from :data:`UID_RANGE`."""
    import random

    used = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                used.add(entry.stat().st_uid)
            except OSError:
                pass
    candidates = [u for u in range(*UID_RANGE) if u not in used]
    return random.SystemRandom().choice(candidates)


def _tasks_of(uid: int) -> int:
    """How many tasks (processes and threads) the user ``uid`` runs now."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(fields.get("Uid", "-1").split()[1]) == uid:
                total += int(fields.get("Threads", "1").strip() or 1)
    return total


def _nproc_per_userns() -> bool:
    """Whether this kernel counts RLIMIT_NPROC per user namespace (Linux 5.14 and later)."""
    import re

    match = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return match is not None and (int(match[1]), int(match[2])) >= (5, 14)


def _prlimit(limits: Limits, nproc: int | None = None) -> list[str]:
    """``prlimit`` with the resource limits of ``limits`` (and a process limit when given)."""
    cmd = [shutil.which("prlimit") or "prlimit", f"--as={limits.memory_mb * 2**20}", f"--cpu={limits.cpu_seconds}"]
    if nproc is not None:
        cmd.append(f"--nproc={nproc}")
    return cmd + [f"--fsize={max(limits.output_bytes, 64 * 2**20)}", "--core=0", "--"]


def _command(argv: Sequence[str], limits: Limits, *, tmp: Path | None, hide: Sequence[Path]) -> list[str]:
    """The full command line: bwrap (namespaces, mounts), prlimit, then (as root) setpriv.

    As root, bwrap runs privileged (it must read this Python wherever it lives, e.g.
    under a private ``/root``), the limits are set, the process drops to a spare user id,
    and a second, unprivileged bwrap (``--unshare-user --disable-userns``) keeps it from
    creating user namespaces of its own, where it could mount unlimited tmpfs.  Without
    root one unprivileged bwrap does all of it.  Either way only ``/tmp`` (size-limited)
    is writable.
    """
    root = os.geteuid() == 0
    cmd = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
        "--new-session", "--die-with-parent", "--hostname", "sandbox",
        "--ro-bind", "/usr", "/usr",
        "--ro-bind", "/etc", "/etc",
        "--proc", "/proc", "--dev", "/dev",
    ]
    if not root:
        cmd[1:1] = ["--unshare-user", "--disable-userns"]
    for top in ("/bin", "/lib", "/lib32", "/lib64", "/sbin"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    # The private /tmp first: what must be readable may live under the host's /tmp (a clone
    # there), and is bound on top of it below.
    cmd += ["--size", str(limits.tmp_mb * 2**20), "--perms", "1777", "--tmpfs", "/tmp"]
    made: set[Path] = {Path("/"), Path("/usr"), Path("/etc"), Path("/tmp")}
    for path in _readable():
        for parent in reversed(path.parents):
            if parent not in made:
                # Mount points made by bwrap are 0700 otherwise: unreadable after the drop to a spare uid.
                cmd += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        cmd += ["--ro-bind", str(path), str(path)]
        made.add(path)
    for secret in hide:  # anything sensitive that happens to lie inside a bound folder
        secret = Path(secret).resolve()
        if secret.exists() and any(p == secret or p in secret.parents for p in made - {Path("/")}):
            if secret.is_dir():
                cmd += ["--tmpfs", str(secret), "--remount-ro", str(secret)]
            else:
                cmd += ["--ro-bind", "/dev/null", str(secret)]
    if tmp is not None:
        cmd += ["--perms", "0755", "--dir", "/sandbox", "--ro-bind", str(tmp / "submission.ipynb"), INSIDE]
    # Without root the sandboxed user owns bwrap's own tmpfs (/, /dev), which have no size limit.
    cmd += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp", "--"]
    uid = _spare_uid() if root else os.getuid()
    # Own user namespace (no root, Linux >= 5.14): the sandbox's tasks are counted apart from the
    # user's others; older kernels count them all.  A spare uid (root) runs nothing else.
    nproc = limits.nproc if root or _nproc_per_userns() else _tasks_of(uid) + limits.nproc
    cmd += _prlimit(limits, nproc)
    if root:
        cmd += [shutil.which("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--",
                shutil.which("bwrap") or "bwrap", "--unshare-user", "--disable-userns", "--die-with-parent",
                "--ro-bind", "/", "/", "--bind", "/tmp", "/tmp", "--dev-bind", "/dev", "/dev", "--chdir", "/tmp", "--"]
    return cmd + list(argv)


def _environment() -> dict[str, str]:
    from cxlib import data

    home = "/tmp/home"
    return {
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter-runtime",
        "JUPYTER_PREFER_ENV_PATH": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "CXCOURSE_DATASETS": str(data.datasets_dir().resolve()),
    }


# ---------------------------------------------------------------------------
# Running one notebook
# ---------------------------------------------------------------------------


def _read_capped(fd: int, cap: int, sink: dict[str, Any]) -> None:
    chunks, size = [], 0
    with os.fdopen(fd, "rb") as fh:
        while True:
            chunk = fh.read(1 << 16)
            if not chunk:
                break
            size += len(chunk)
            if size <= cap:
                chunks.append(chunk)
    sink["data"] = b"".join(chunks)
    sink["size"] = size


def run_notebook(
    text: str,
    limits: Limits | None = None,
    *,
    sandbox: bool = True,
    hide: Sequence[str | os.PathLike] = (),
) -> dict[str, Any]:
    """Execute the notebook ``text`` under ``limits``, inside a sandbox unless told not to.

    Every cell runs, also after one fails (so one broken answer hides nothing).  A run
    that reaches the process limit is an ``error`` whatever follows (such as the time
    limit), and what its kernel forked is killed, so that the cells after it still run.

    Parameters
    ----------
    text : str
        The notebook (JSON), already personalised: nothing is injected here.
    limits : Limits, optional
        Resource limits; the defaults of :class:`Limits`.
    sandbox : bool, default True
        False runs without bubblewrap (still under the resource limits, with a private
        working directory): only for trusted notebooks.
    hide : paths
        Files or folders to mask should they lie inside what the sandbox may read.

    Returns
    -------
    dict
        ``status`` (``"ok"``, ``"error"``, ``"timeout"`` or ``"memory"``), ``reason`` (one
        line, None when ok), ``notebook`` (the executed notebook as text, or None when
        nothing usable came back) and ``seconds``.

    Examples
    --------
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> text = nbformat.writes(new_notebook(cells=[
    ...     new_code_cell("total = sum(range(10))\\nprint(total)"),
    ...     new_code_cell("1 / 0"),
    ...     new_code_cell("print('still runs')"),
    ... ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}))
    >>> limits = Limits(timeout=60, memory_mb=1024)
    >>> outcome = run_notebook(text, limits)  # starts a bubblewrap sandbox and a Jupyter kernel  # doctest: +SKIP
    >>> outcome["status"], outcome["reason"]  # needs the run above  # doctest: +SKIP
    ('error', 'ZeroDivisionError: division by zero')
    >>> executed = nbformat.reads(outcome["notebook"], as_version=4)  # needs the run above  # doctest: +SKIP
    >>> [c.outputs[0].get("text") for c in executed.cells if c.cell_type == "code"]  # needs the run above  # doctest: +SKIP
    ['45\\n', None, 'still runs\\n']
    """
    limits = limits or Limits()
    if sandbox:
        check_available()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cxsbx-") as tmpdir:
        tmp = Path(tmpdir)
        os.chmod(tmp, 0o755)
        (tmp / "submission.ipynb").write_text(text, encoding="utf-8")
        os.chmod(tmp / "submission.ipynb", 0o644)
        runner = [str(Path(sys.prefix) / "bin" / "python"), "-m", "cxlib.sandbox",
                  "--budget", str(limits.timeout), "--max-bytes", str(limits.output_bytes)]
        if sandbox:
            runner += ["--nproc", str(limits.nproc)]  # without the sandbox there is no process limit
            cmd = _command(runner + [INSIDE], limits, tmp=tmp, hide=[Path(h) for h in hide])
            cwd = None
        else:
            work = tmp / "work"
            work.mkdir()
            cmd = _prlimit(limits) + runner + [str(tmp / "submission.ipynb")]
            cwd = work
        env = _environment()
        if not sandbox:
            env.update(HOME=str(tmp / "home"), TMPDIR=str(tmp), MPLCONFIGDIR=str(tmp / "home" / ".matplotlib"),
                       IPYTHONDIR=str(tmp / "home" / ".ipython"), JUPYTER_RUNTIME_DIR=str(tmp / "home" / "rt"))
        read_fd, write_fd = os.pipe()
        result: dict[str, Any] = {}
        log: dict[str, Any] = {}
        err_r, err_w = os.pipe()
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err_w,
                pass_fds=(write_fd,), env={**env, "CX_RESULT_FD": str(write_fd)}, cwd=cwd,
                start_new_session=True,
            )
        finally:
            os.close(write_fd)
            os.close(err_w)
        readers = [threading.Thread(target=_read_capped, args=(read_fd, limits.output_bytes + 2**20, result)),
                   threading.Thread(target=_read_capped, args=(err_r, 64 * 1024, log))]
        for t in readers:
            t.start()
        killed = False
        try:
            proc.wait(timeout=limits.timeout + GRACE)
        except subprocess.TimeoutExpired:
            killed = True
        finally:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, 9)
                except ProcessLookupError:
                    pass
                proc.wait()
        for t in readers:
            t.join(timeout=30)
    seconds = time.perf_counter() - start
    stderr = log.get("data", b"").decode("utf-8", "replace")
    return _outcome(result, stderr, killed, proc.returncode, limits) | {"seconds": seconds}


def _outcome(result: dict[str, Any], stderr: str, killed: bool, code: int | None, limits: Limits) -> dict[str, Any]:
    if killed:
        return {"status": "timeout", "reason": f"the run exceeded its time limit of {limits.timeout:g} s and "
                "was stopped", "notebook": None}
    if result.get("size", 0) > limits.output_bytes + 2**20:
        return {"status": "error", "reason": f"the run's output exceeded the limit of {limits.output_mb:g} MB",
                "notebook": None}
    try:
        payload = json.loads(result.get("data") or b"null")
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or payload.get("status") not in ("ok", "error", "timeout", "memory"):
        last = next((ln for ln in reversed(stderr.splitlines()) if ln.strip()), "")
        status = "memory" if "MemoryError" in stderr or code in (-9, 137) and "memory" in stderr.lower() else "error"
        why = last.strip()[:300] or f"exit code {code}"
        return {"status": status, "reason": f"the run ended without a result ({why})", "notebook": None}
    notebook = payload.get("notebook")
    return {
        "status": payload["status"],
        "reason": str(payload.get("reason"))[:300] if payload.get("reason") else None,
        "notebook": notebook if isinstance(notebook, str) else None,
    }


# ---------------------------------------------------------------------------
# The runner (inside the sandbox)
# ---------------------------------------------------------------------------


def _nproc_reason(nproc: int) -> str:
    return (f"the run reached its process limit of {nproc} processes and threads (starting another fails "
            "with 'Resource temporarily unavailable')")


def _refused_a_process(error: dict[str, Any]) -> bool:
    """Whether a cell's error is a process or thread the process limit refused."""
    ename, evalue = str(error.get("ename")), str(error.get("evalue"))
    traceback = "\n".join(map(str, error.get("traceback") or []))
    return (ename == "RuntimeError" and "can't start new thread" in evalue
            or ename == "BlockingIOError" and ("fork" in traceback or "spawn" in traceback))


def _classify(nb: dict[str, Any], status: str, reason: str | None, timed_out: bool,
              nproc: int | None = None, nproc_reached: bool = False) -> tuple[str, str | None]:
    """The run's status and one-line reason, from how papermill ended and the error outputs.

    Every cell runs, so several things can go wrong in one run: the status is the first
    of process limit (an error), memory, timeout, error that applies, and the reason
    names them all.  The process limit ``nproc`` comes first: it was reached when the
    runner saw the tasks at it (``nproc_reached``) or a cell's error is a refused fork or
    thread.  What follows a fork bomb is its doing: until the runner kills them, its
    copies of the kernel hog the CPU, so the run may reach its time limit too (sooner on
    a busy machine), and the forking cell may be interrupted before it reports the
    refused fork at all.
    """
    errors = [
        out for cell in nb.get("cells", []) if cell.get("cell_type") == "code"
        for out in cell.get("outputs", []) if out.get("output_type") == "error"
    ]
    memory = [e for e in errors if str(e.get("ename", "")).endswith("MemoryError")]
    others = [e for e in errors if e not in memory and str(e.get("ename")) != "KeyboardInterrupt"]
    found: list[tuple[str, str]] = []
    if nproc is not None and (nproc_reached or any(map(_refused_a_process, others))):
        found.append(("error", _nproc_reason(nproc)))
    if memory:
        found.append(("memory", "a cell ran out of memory (MemoryError)"))
    if timed_out or status == "timeout":
        found.append(("timeout", "the run reached its time limit; the cell running then was interrupted"))
    if status == "died":
        found.append(("error", reason or "the kernel died"))
    if others:
        first = others[0]
        more = f" (and {len(others) - 1} more cells failed)" if len(others) > 1 else ""
        found.append(("error", f"{first.get('ename')}: {str(first.get('evalue', ''))[:200]}{more}"))
    if not found and status != "ok":
        found.append(("error", reason or status))
    if not found:
        return "ok", None
    return found[0][0], "; ".join(r for _, r in found)


def _drop_outputs(nb: dict[str, Any]) -> None:
    from cxlib.records import MIMETYPE

    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", []) if MIMETYPE in o.get("data", {})]


def _kill_kernel_forks() -> None:
    """Kill the processes in the kernels' process groups, but not the kernels.

    The kernels are this runner's children, each leading a process group of its own; what
    a cell forks (a fork bomb's copies of the kernel) stays in it.
    """
    groups: dict[int, tuple[int, int]] = {}  # pid: (parent, process group)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            groups[int(entry.name)] = (int(fields[1]), int(fields[2]))
    kernels = {pid for pid, (parent, _) in groups.items() if parent == os.getpid()}
    for pid, (_, group) in groups.items():
        if group in kernels and pid not in kernels:
            try:
                os.kill(pid, 9)
            except OSError:
                pass


def _watch_tasks(nproc: int, stop: threading.Event, reached: threading.Event) -> None:
    """Watch the sandbox's tasks (processes and threads); at the process limit ``nproc``,
    set ``reached`` and kill what the kernel forked.

    RLIMIT_NPROC keeps no count of what it refused, so look: a fork bomb holds the count at
    the limit, which a coarse look cannot miss.  Its copies of the kernel would then hog
    the CPU for seconds (each reports its own refused fork) and hold the limit to the end;
    killed, they leave the cells after it their time to run, and be graded, also on a busy
    machine.
    """
    uid = os.getuid()
    while not stop.wait(0.2):
        if _tasks_of(uid) >= nproc:  # this PID namespace's /proc: only the sandbox's tasks
            reached.set()
            _kill_kernel_forks()


def _main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from cxlib.notebooks import run_papermill

    ap = argparse.ArgumentParser(prog="python -m cxlib.sandbox", description="run a notebook, report on a pipe")
    ap.add_argument("notebook")
    ap.add_argument("--budget", type=float, required=True)
    ap.add_argument("--max-bytes", type=int, required=True)
    ap.add_argument("--nproc", type=int, default=None, help="the process limit, when there is one")
    args = ap.parse_args(argv)
    fd = int(os.environ.get("CX_RESULT_FD", RESULT_FD))
    channel = os.fdopen(fd, "w", encoding="utf-8")
    os.set_inheritable(fd, False)  # the kernel must not get it
    for sub in (".matplotlib", ".ipython", ".jupyter-runtime"):
        Path(os.environ.get("HOME", "/tmp/home"), sub).mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="run-")) / "executed.ipynb"
    stop, reached = threading.Event(), threading.Event()
    if args.nproc is not None:
        threading.Thread(target=_watch_tasks, args=(args.nproc, stop, reached), daemon=True).start()
    start = time.monotonic()
    status, reason, _ = run_papermill(args.notebook, out, {}, timeout=args.budget, keep_going=True)
    timed_out = time.monotonic() - start >= args.budget
    stop.set()
    try:
        nb = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        nb = None
    if nb is None and reached.is_set():
        payload = {"status": "error", "reason": _nproc_reason(args.nproc), "notebook": None}
    elif nb is None:
        payload = {"status": "timeout" if timed_out else "error", "reason": reason or "no executed notebook",
                   "notebook": None}
    else:
        status, reason = _classify(nb, status, reason, timed_out, args.nproc, reached.is_set())
        text = json.dumps(nb)
        if len(text) > args.max_bytes:
            _drop_outputs(nb)
            text = json.dumps(nb)
            status = "error"
            reason = (f"the notebook's output exceeded {args.max_bytes / 2**20:g} MB: its outputs were "
                      "dropped (recorded answers kept)")
        payload = {"status": status, "reason": reason, "notebook": text if len(text) <= args.max_bytes else None}
    channel.write(json.dumps(payload))
    channel.close()
    return 0


if __name__ == "__main__":  # pragma: no cover - runs inside the sandbox
    sys.exit(_main())
