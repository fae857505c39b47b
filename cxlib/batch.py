"""Run a notebook over many parameter sets: in parallel, with progress, resumable.

``cx batch`` (and :func:`run_batch`) take a notebook and a list of runs (from a grid,
a CSV roster or a one-dimensional sweep), check *every* run's parameters before any
run starts (the same strict checks as ``cx run``), then execute the runs through
papermill in worker processes, or on a Dask cluster.  Each finished run is written
at once and atomically:

``DIR/runs/<run_id>.ipynb``
    the executed notebook (also for failed runs, to inspect);
``DIR/results.csv``
    one row per run: ``run_id, status, reason, seconds``, the run's parameters and
    its scalar records (``cxlib.record``);
``DIR/records.jsonl``
    one line per run with its non-scalar records;
``DIR/batch.json``
    the plan: the notebook and every run's id and parameters.

A run's ``status`` is ``ok``, ``error`` (a cell raised), ``timeout`` or ``died`` (its
kernel or worker died), with a one-line ``reason``; a failing run never stops the
others.  ``run_id`` depends only on the notebook's name and the run's parameters, so
``resume=True`` skips the runs already finished ``ok`` and reruns the rest.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import itertools
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxlib import params as check
from cxlib._io import atomic_write, atomic_write_csv

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Task",
    "read_grid",
    "expand_grid",
    "read_rows",
    "parse_sweep",
    "run_id",
    "plan",
    "execute_tasks",
    "run_batch",
    "load_results",
]

STATUSES = ("ok", "error", "timeout", "died")


@dataclass(frozen=True)
class Task:
    """One notebook execution: an id, the notebook and its (checked) parameters.

    :func:`plan` makes them (checking the parameters); :func:`execute_tasks` runs them.

    Examples
    --------
    >>> params = {"n_customers": 100, "seed": 0}
    >>> task = Task(run_id("notebooks/01_loyalty.ipynb", params), "notebooks/01_loyalty.ipynb", params)
    >>> task
    Task(run_id='01_loyalty-f789ee09a0', notebook='notebooks/01_loyalty.ipynb',
         params={'n_customers': 100, 'seed': 0})
    >>> task.params = {"seed": 1}
    Traceback (most recent call last):
    ...
    dataclasses.FrozenInstanceError: cannot assign to field 'params'
    """

    run_id: str
    notebook: str
    params: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Building the list of runs
# ---------------------------------------------------------------------------


def read_grid(path: str | os.PathLike) -> dict[str, list[Any]]:
    """Read a grid: a YAML or JSON mapping of parameter name to a list of values.

    A single value (not a list) counts as a list of one.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "grid.yaml").write_text("n_customers: [100, 200]\\ndataset: cdnow_sample\\n")
    >>> grid = read_grid(folder / "grid.yaml")
    >>> grid
    {'n_customers': [100, 200], 'dataset': ['cdnow_sample']}
    >>> expand_grid(grid, seeds=2)[:3]
    [{'n_customers': 100, 'dataset': 'cdnow_sample', 'seed': 0},
     {'n_customers': 100, 'dataset': 'cdnow_sample', 'seed': 1},
     {'n_customers': 200, 'dataset': 'cdnow_sample', 'seed': 0}]
    >>> _ = (folder / "list.yaml").write_text("- 100\\n- 200\\n")
    >>> read_grid(folder / "list.yaml")
    Traceback (most recent call last):
    ...
    ValueError: grid file '...list.yaml' must hold a mapping of parameter name to a list of values,
    e.g. 'action_capacity: [25, 50]'; got list
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"grid file {str(path)!r} does not exist")
    try:
        grid = yaml.safe_load(path.read_text(encoding="utf-8"))  # YAML is a superset of JSON
    except yaml.YAMLError as exc:
        raise ValueError(f"grid file {str(path)!r} is not valid YAML or JSON: {exc}".splitlines()[0]) from None
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(
            f"grid file {str(path)!r} must hold a mapping of parameter name to a list of values, "
            f"e.g. 'action_capacity: [25, 50]'; got {type(grid).__name__}"
        )
    return {str(k): (list(v) if isinstance(v, list) else [v]) for k, v in grid.items()}


def expand_grid(
    grid: Mapping[str, Sequence[Any]], *, seeds: int | None = None, seed_name: str = "seed"
) -> list[dict[str, Any]]:
    """The cartesian product of a grid, optionally repeated over ``seeds`` seeds.

    Parameters
    ----------
    grid : mapping
        Parameter name to the list of its values.
    seeds : int, optional
        Repeat each combination with ``seed_name`` = 0, 1, ..., seeds - 1.
    seed_name : str, default "seed"

    Returns
    -------
    list of dict
        One dict per run, in a stable order (the grid's order, last name fastest).

    Examples
    --------
    >>> expand_grid({"a": [1, 2], "b": ["x"]}, seeds=2)
    [{'a': 1, 'b': 'x', 'seed': 0}, {'a': 1, 'b': 'x', 'seed': 1}, {'a': 2, 'b': 'x', 'seed': 0}, {'a': 2, 'b': 'x', 'seed': 1}]
    >>> expand_grid({"a": []})
    Traceback (most recent call last):
    ...
    ValueError: grid entry 'a' has no values; give at least one
    """
    names = list(grid)
    for name in names:
        if not isinstance(grid[name], (list, tuple)):
            raise TypeError(f"grid entry {name!r} must be a list of values; got {grid[name]!r}")
        if len(grid[name]) == 0:
            raise ValueError(f"grid entry {name!r} has no values; give at least one")
    if seeds is not None:
        seeds = check.integer("seeds", seeds, min=1, max=100_000)
        if seed_name in grid:
            raise ValueError(f"--seeds repeats each run over {seed_name!r}, which the grid already sets; drop one")
    runs = []
    for combo in itertools.product(*(grid[n] for n in names)):
        base = dict(zip(names, combo))
        if seeds is None:
            runs.append(base)
        else:
            runs.extend({**base, seed_name: s} for s in range(seeds))
    return runs


def read_rows(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Read a CSV with one run per row; each cell is read as a Python literal.

    Empty cells are left out (the notebook's default applies).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> rows = pathlib.Path(tempfile.mkdtemp()) / "runs.csv"
    >>> _ = rows.write_text("n_customers,seed,dataset\\n100,0,cdnow_sample\\n5000,,cdnow_master\\n")
    >>> read_rows(rows)
    [{'n_customers': 100, 'seed': 0, 'dataset': 'cdnow_sample'}, {'n_customers': 5000, 'dataset': 'cdnow_master'}]
    >>> _ = rows.write_text("n_customers,seed\\n")
    >>> read_rows(rows)
    Traceback (most recent call last):
    ...
    ValueError: rows file '...runs.csv' has a header but no runs
    """
    from cxlib.notebooks import parse_value

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"rows file {str(path)!r} does not exist")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames:
            raise ValueError(f"rows file {str(path)!r} is empty; expected a header row of parameter names")
        rows = []
        for line, row in enumerate(reader, start=2):
            if None in row:
                raise ValueError(f"rows file {str(path)!r} line {line} has more cells than the header")
            rows.append({k.strip(): parse_value(v.strip()) for k, v in row.items() if v is not None and v.strip()})
    if not rows:
        raise ValueError(f"rows file {str(path)!r} has a header but no runs")
    return rows


def parse_sweep(text: str) -> list[Any]:
    """The values of ``-p NAME V1,V2,...``: a Python list literal, or comma-separated.

    Each value is read as by :func:`cxlib.notebooks.parse_value`: numbers and lists
    become Python objects, plain words stay strings.

    Examples
    --------
    >>> parse_sweep("25,50,100"), parse_sweep("cdnow_sample,cdnow_master"), parse_sweep("[1, 2], [3]")
    ([25, 50, 100], ['cdnow_sample', 'cdnow_master'], [[1, 2], [3]])
    >>> expand_grid({"action_capacity": parse_sweep("25,50"), "rate": parse_sweep("0.1, 0.2")})
    [{'action_capacity': 25, 'rate': 0.1}, {'action_capacity': 25, 'rate': 0.2},
     {'action_capacity': 50, 'rate': 0.1}, {'action_capacity': 50, 'rate': 0.2}]
    """
    from cxlib.notebooks import parse_value

    whole = parse_value(f"[{text}]")
    if isinstance(whole, list):
        return whole
    return [parse_value(part.strip()) for part in text.split(",") if part.strip()]


def run_id(notebook: str | os.PathLike, parameters: Mapping[str, Any]) -> str:
    """A stable id for a run: the notebook's name and a hash of its parameters.

    The same parameters give the same id in any order and from any folder, which is
    what lets ``resume=True`` recognise finished runs.

    Examples
    --------
    >>> run_id("notebooks/03_feedback_loops.ipynb", {"seed": 1, "n_runs": 4})
    '03_feedback_loops-cd59e3b2e8'
    >>> run_id("x/03_feedback_loops.ipynb", {"n_runs": 4, "seed": 1}) == run_id("03_feedback_loops.ipynb", {"seed": 1, "n_runs": 4})
    True
    """
    canonical = json.dumps(dict(parameters), sort_keys=True, separators=(",", ":"), default=str)
    return f"{Path(notebook).stem}-{hashlib.sha256(canonical.encode()).hexdigest()[:10]}"


def plan(notebook: str | os.PathLike, runs: Iterable[Mapping[str, Any]], *, where: str = "run") -> list[Task]:
    """Check every run's parameters (as ``cx run`` does) and give each its id.

    Raises
    ------
    ValueError, TypeError
        For the first bad run, naming it (``where`` and its number), the parameter
        and what is valid.  Duplicate runs are refused too.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "01_loyalty.ipynb"
    >>> nbformat.write(new_notebook(cells=[
    ...     new_code_cell("n_customers: int = 500  # customers simulated\\nseed: int = 0  # random seed",
    ...                   metadata={"tags": ["parameters"]}),
    ...     new_code_cell("from cxlib import params\\nparams.integer('n_customers', n_customers, min=10)",
    ...                   metadata={"tags": ["validation"]}),
    ...     new_code_cell("from cxlib import record\\nrecord('revenue', 21.5 * n_customers + seed)"),
    ... ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}), path)
    >>> for task in plan(path, expand_grid({"n_customers": [100, 200]}, seeds=2)):
    ...     print(task.run_id, task.params)
    01_loyalty-f789ee09a0 {'n_customers': 100, 'seed': 0}
    01_loyalty-e656e040c8 {'n_customers': 100, 'seed': 1}
    01_loyalty-8f6c1ded41 {'n_customers': 200, 'seed': 0}
    01_loyalty-a3f9ffcf21 {'n_customers': 200, 'seed': 1}
    >>> plan(path, [{"n_customers": 100}, {"n_customers": 5}])
    Traceback (most recent call last):
    ...
    ValueError: run 2 {'n_customers': 5}: n_customers must be an integer >= 10; got 5
    >>> plan(path, [{"n_customers": 100}, {"n_customers": 100.0}])
    Traceback (most recent call last):
    ...
    ValueError: run 2 repeats run 1 (same parameters {'n_customers': 100}); drop one
    """
    from cxlib.notebooks import check_parameters, parameters

    specs = parameters(notebook)
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    for i, run in enumerate(runs, start=1):
        if not isinstance(run, Mapping):
            raise TypeError(f"{where} {i} must be a mapping of parameter name to value; got {run!r}")
        try:
            checked = check_parameters(notebook, dict(run), specs=specs)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"{where} {i} {dict(run)!r}: {exc}") from None
        rid = run_id(notebook, checked)
        if rid in seen:
            raise ValueError(f"{where} {i} repeats {where} {seen[rid]} (same parameters {checked!r}); drop one")
        seen[rid] = i
        tasks.append(Task(rid, str(notebook), checked))
    if not tasks:
        raise ValueError("the batch has no runs; give a grid, rows or a sweep with at least one value")
    return tasks


# ---------------------------------------------------------------------------
# Executing: one worker function, a process pool or a Dask cluster
# ---------------------------------------------------------------------------


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)  # unwind as on SIGTERM: the kernel shuts down too


_stopping = False  # set in a pool worker once the parent has told it to stop (SIGTERM)


def _on_term(*_: Any) -> None:
    # The parent is stopping the pool.  Unwind the running call, so that papermill shuts
    # its kernel down (or the sandbox is killed) and temporary files go; _call then ends
    # the worker.  A second SIGTERM changes nothing.
    global _stopping
    _stopping = True
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # The unwinding is noisy and nothing of it is news: raised in the middle of nbclient's
    # event loop, the exit abandons its asyncio tasks (the cell's execution, the poll of
    # the kernel); the kernel shutdown runs that loop again, they fail against the dying
    # kernel and asyncio prints "Task exception was never retrieved" with tracebacks.
    # This process's stdout and stderr are the user's terminal, where the parent alone
    # reports the interrupt: a stopping worker says nothing more.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    raise SystemExit(143)


def _call(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...]) -> dict[str, Any]:
    """Run ``fn(*args)`` in a pool worker; a worker told to stop ends when it has unwound."""
    if _stopping:
        os._exit(143)
    try:
        return fn(*args)
    finally:
        if _stopping:
            # The pool's worker loop would catch the SystemExit raised by _on_term and start
            # the next queued call (with SIGTERM ignored by then); end here instead, now that
            # the call's kernel or sandbox is gone.
            os._exit(143)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Hold off Ctrl-C; a Ctrl-C pressed meanwhile arrives at the end.

    Two holds, because either alone leaks.  The thread's signal mask blocks SIGINT, and
    processes started meanwhile inherit that mask.  But the mask is the thread's: another
    thread (tqdm's monitor, say) may take the terminal's SIGINT, and Python then raises
    KeyboardInterrupt in the main thread all the same, in the middle of starting a worker
    (which then fails to read its start-up data and prints a traceback).  So, in the main
    thread, Python's handler is also swapped for one that only notes the Ctrl-C.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    pressed: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    handler = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum)) if main else None
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # one held at the mask arrives here
        if main:
            signal.signal(signal.SIGINT, handler)
            if pressed:
                signal.raise_signal(signal.SIGINT)  # and one the handler noted, here


#: Thread pools of the numeric libraries, held to one thread in each batch worker's kernels.
_ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _worker_init() -> None:
    # Ctrl-C is the parent's to handle: it stops the batch and the workers cleanly.  (It
    # reaches the workers too, which share the terminal's process group; kernels and
    # sandboxes are started in sessions of their own, so it never reaches them.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        # The worker was started with Ctrl-C blocked (see map_calls); now that it is ignored,
        # unblock it: kernels started from here inherit the mask and could not be interrupted.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGTERM, _on_term)
    # If the parent is killed outright (SIGKILL) nobody tells the workers: watch for it.
    parent = os.getppid()
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
    # One notebook per worker and one worker per core: a kernel's numeric libraries must
    # not start a thread per core each as well (two kernels with two BLAS threads each on
    # two cores made the factor analyses of lesson 01 several times slower).
    for var in _ONE_THREAD:
        os.environ.setdefault(var, "1")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def execute_one(source: str, name: str, parameters: dict[str, Any], timeout: float | None) -> dict[str, Any]:
    """Execute one notebook given as text; return status, timing, records and the result.

    Runs in a worker (a local process or a Dask worker): the notebook travels as text
    and the executed notebook comes back as text, so no shared file system is needed.
    """
    from cxlib.notebooks import run_papermill
    from cxlib.records import read_records

    with tempfile.TemporaryDirectory(prefix="cxbatch-") as tmp:
        src = Path(tmp) / name
        src.write_text(source, encoding="utf-8")
        out = Path(tmp) / f"executed-{name}"
        start = time.perf_counter()
        status, reason, _ = run_papermill(src, out, parameters, timeout=timeout)
        seconds = time.perf_counter() - start
        text = out.read_text(encoding="utf-8") if out.exists() else None
    records = read_records(json.loads(text)) if text else {}
    return {"status": status, "reason": reason, "seconds": seconds, "records": records, "notebook": text}


def execute_tasks(
    tasks: Sequence[Task],
    *,
    jobs: int | None = None,
    timeout: float | None = None,
    scheduler: str | None = None,
) -> Iterator[tuple[Task, dict[str, Any]]]:
    """Execute tasks in parallel; yield ``(task, outcome)`` as each finishes.

    Locally the tasks run in a pool of ``jobs`` worker processes (papermill changes
    the working directory process-wide, so never threads); with ``scheduler`` (a Dask
    address such as ``tcp://127.0.0.1:8786``) they run on that cluster.  Every task
    yields an outcome (see :func:`execute_one`), also when its worker died.  Closing
    the iterator early (or Ctrl-C) cancels what has not started and stops the
    workers, whose kernels shut down with them.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "01_loyalty.ipynb"
    >>> nbformat.write(new_notebook(cells=[
    ...     new_code_cell("n_customers: int = 500  # customers simulated\\nseed: int = 0  # random seed",
    ...                   metadata={"tags": ["parameters"]}),
    ...     new_code_cell("from cxlib import params\\nparams.integer('n_customers', n_customers, min=10)",
    ...                   metadata={"tags": ["validation"]}),
    ...     new_code_cell("from cxlib import record\\nrecord('revenue', 21.5 * n_customers + seed)"),
    ... ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}), path)
    >>> tasks = plan(path, [{"n_customers": 100}, {"n_customers": 200}])
    >>> for task, outcome in execute_tasks(tasks, jobs=2, timeout=120):  # starts a process pool and a kernel per run  # doctest: +SKIP
    ...     print(task.params, outcome["status"], outcome["records"])
    {'n_customers': 200} ok {'revenue': 4300.0}
    {'n_customers': 100} ok {'revenue': 2150.0}

    The outcomes come in the order the runs finish.  With nothing to run, no worker
    starts:

    >>> list(execute_tasks([]))
    []
    """
    if not tasks:
        return
    sources = {t.notebook: Path(t.notebook).read_text(encoding="utf-8") for t in tasks}
    if scheduler is not None:
        yield from _execute_dask(tasks, sources, timeout, scheduler)
    else:
        yield from _execute_local(tasks, sources, timeout, jobs)


def _died(reason: str) -> dict[str, Any]:
    return {"status": "died", "reason": reason, "seconds": float("nan"), "records": {}, "notebook": None}


def _execute_local(tasks, sources, timeout, jobs) -> Iterator[tuple[Task, dict[str, Any]]]:
    calls = [(execute_one, (sources[t.notebook], Path(t.notebook).name, t.params, timeout)) for t in tasks]
    for i, outcome in map_calls(calls, jobs=jobs):
        yield tasks[i], outcome


def map_calls(
    calls: Sequence[tuple[Callable[..., dict[str, Any]], tuple[Any, ...]]],
    *,
    jobs: int | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Run ``fn(*args)`` for each ``(fn, args)`` in a pool of worker processes.

    Yields ``(index, outcome)`` as each call finishes; a call whose worker died or
    that raised yields a ``died`` outcome (``status``, ``reason``) instead of being
    lost.  Workers are spawned (never forked), ignore Ctrl-C (the parent stops them),
    and exit if the parent dies.  Closing the iterator early (or Ctrl-C) cancels what
    has not started and stops the workers: each unwinds its call (so its kernel or
    sandbox shuts down) and exits at once, printing nothing.  ``fn`` must be
    importable by name (a module-level function).
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    if not calls:
        return
    jobs = jobs or os.cpu_count() or 1
    jobs = check.integer("jobs", jobs, min=1, max=1024)
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(calls)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
    )
    futures = {}
    finished = False
    try:
        # submit() starts the workers.  Until _worker_init runs in one, a Ctrl-C would make
        # it print a KeyboardInterrupt traceback: start them with Ctrl-C blocked (the mask
        # is inherited); the parent gets any Ctrl-C pressed meanwhile right after.
        with _sigint_blocked():
            for i, (fn, args) in enumerate(calls):
                futures[pool.submit(_call, fn, args)] = i
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    outcome = _died("its worker process died (out of memory or killed?)")
                except Exception as exc:  # noqa: BLE001 - report, never drop a run
                    outcome = _died(f"{type(exc).__name__}: {exc}".splitlines()[0])
                yield futures[fut], outcome
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)  # the workers exit on their own
        else:  # interrupted, or the consumer stopped early
            _stop_pool(pool)


def _stop_pool(pool) -> None:
    procs = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    # A second Ctrl-C must not cut this short and leave workers running: it arrives after.
    with _sigint_blocked():
        for proc in procs:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: the worker unwinds, shuts its kernel down and exits
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()


def _execute_dask(tasks, sources, timeout, scheduler) -> Iterator[tuple[Task, dict[str, Any]]]:
    from distributed import Client, as_completed

    client = Client(scheduler, timeout="20s")
    try:
        futures = {}
        for t in tasks:
            fut = client.submit(
                execute_one, sources[t.notebook], Path(t.notebook).name, t.params, timeout,
                key=f"cx-batch-{t.run_id}-{time.time_ns()}", pure=False, retries=0,
            )
            futures[fut.key] = (fut, t)
        for fut in as_completed([f for f, _ in futures.values()]):
            task = futures[fut.key][1]
            try:
                outcome = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker lost, a task erred
                outcome = _died(f"on the Dask cluster: {type(exc).__name__}: {exc}".splitlines()[0])
            yield task, outcome
    finally:
        client.cancel([f for f, _ in futures.values()]) if "futures" in locals() else None
        client.close()


# ---------------------------------------------------------------------------
# The batch: plan, resume, execute, write atomically, summarise
# ---------------------------------------------------------------------------


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


class _Results:
    """The batch's results on disk, rewritten atomically after every finished run."""

    def __init__(self, out: Path, tasks: Sequence[Task]):
        self.out = out
        self.order = {t.run_id: i for i, t in enumerate(tasks)}
        self.rows: dict[str, dict[str, Any]] = {}
        self.nonscalar: dict[str, dict[str, Any]] = {}

    def load_previous(self) -> None:
        path = self.out / "results.csv"
        if path.exists():
            import pandas as pd

            prev = _read_results_csv(path)
            for row in prev.to_dict(orient="records"):
                if row["run_id"] in self.order:
                    self.rows[row["run_id"]] = row
        jl = self.out / "records.jsonl"
        if jl.exists():
            for line in jl.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    item = json.loads(line)
                    if item["run_id"] in self.order:
                        self.nonscalar[item["run_id"]] = item["records"]

    def finished_ok(self) -> set[str]:
        return {
            rid for rid, row in self.rows.items()
            if row.get("status") == "ok" and (self.out / "runs" / f"{rid}.ipynb").exists()
        }

    def add(self, task: Task, outcome: Mapping[str, Any]) -> None:
        records = outcome.get("records") or {}
        row = {"run_id": task.run_id, "status": outcome["status"], "reason": outcome.get("reason") or "",
               "seconds": round(float(outcome["seconds"]), 3)}
        row.update(task.params)
        row.update({k: v for k, v in records.items() if _is_scalar(v) and k not in row})
        self.rows[task.run_id] = row
        nonscalar = {k: v for k, v in records.items() if not _is_scalar(v)}
        if nonscalar:
            self.nonscalar[task.run_id] = nonscalar
        else:
            self.nonscalar.pop(task.run_id, None)
        self.write()

    def write(self) -> None:
        ordered = sorted(self.rows.values(), key=lambda r: self.order.get(r["run_id"], len(self.order)))
        columns: list[str] = []
        for row in ordered:
            columns.extend(c for c in row if c not in columns)
        atomic_write_csv(self.out / "results.csv", columns, (
            {k: ("" if v is None or (isinstance(v, float) and v != v) else v) for k, v in row.items()}
            for row in ordered
        ))
        lines = [
            json.dumps({"run_id": rid, "records": recs}, sort_keys=True)
            for rid, recs in sorted(self.nonscalar.items(), key=lambda kv: self.order.get(kv[0], 0))
        ]
        atomic_write(self.out / "records.jsonl", "".join(line + "\n" for line in lines))


def run_batch(
    notebook: str | os.PathLike,
    runs: Iterable[Mapping[str, Any]],
    out: str | os.PathLike,
    *,
    jobs: int | None = None,
    timeout: float | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Run ``notebook`` once per parameter set in ``runs``; write results as they finish.

    Parameters
    ----------
    notebook : path
        The notebook (its ``parameters`` cell declares what runs may set).
    runs : iterable of dict
        Parameter values per run, e.g. from :func:`expand_grid` or :func:`read_rows`.
        All are checked before the first run starts.
    out : path
        Output folder (created): ``runs/``, ``results.csv``, ``records.jsonl``,
        ``batch.json``.
    jobs : int, optional
        Worker processes; default the number of CPU cores.  Ignored with a scheduler.
    timeout : float, optional
        Seconds allowed for each run.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://HOST:PORT``) to run on.
    resume : bool, default False
        Skip runs that already finished ``ok`` in ``out``; rerun the failed or missing.
    progress : bool, default True
        A progress bar over runs (counts of ok and failed, ETA); with ``False`` one log
        line per finished run (through ``log``, default print).

    Returns
    -------
    pandas.DataFrame
        The results table (as in ``results.csv``), one row per run of this batch.

    Raises
    ------
    ValueError, TypeError
        Before anything runs, for a bad run (named), a bad option, or an output folder
        that holds a different batch without ``resume``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "01_loyalty.ipynb"
    >>> nbformat.write(new_notebook(cells=[
    ...     new_code_cell("n_customers: int = 500  # customers simulated\\nseed: int = 0  # random seed",
    ...                   metadata={"tags": ["parameters"]}),
    ...     new_code_cell("from cxlib import params\\nparams.integer('n_customers', n_customers, min=10)",
    ...                   metadata={"tags": ["validation"]}),
    ...     new_code_cell("from cxlib import record\\nrecord('revenue', 21.5 * n_customers + seed)"),
    ... ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}), path)
    >>> out = path.with_name("batch")
    >>> table = run_batch(path, expand_grid({"n_customers": [100, 200]}, seeds=2), out, jobs=2)  # starts a process pool and a kernel per run  # doctest: +SKIP
    >>> table[["run_id", "status", "n_customers", "seed", "revenue"]]  # needs the batch above  # doctest: +SKIP
                      run_id status  n_customers  seed  revenue
    0  01_loyalty-f789ee09a0     ok          100     0   2150.0
    1  01_loyalty-e656e040c8     ok          100     1   2151.0
    2  01_loyalty-8f6c1ded41     ok          200     0   4300.0
    3  01_loyalty-a3f9ffcf21     ok          200     1   4301.0

    Every run is checked before the first starts, so a bad one costs nothing:

    >>> run_batch(path, [{"n_customers": 100}, {"n_customers": 5}], out)
    Traceback (most recent call last):
    ...
    ValueError: run 2 {'n_customers': 5}: n_customers must be an integer >= 10; got 5
    >>> out.exists()
    False
    >>> run_batch(path, [{"n_customers": 100}], out, timeout=0)
    Traceback (most recent call last):
    ...
    ValueError: timeout must be a finite number > 0; got 0.0
    """
    from tqdm.auto import tqdm

    resume = check.boolean("resume", resume)
    if timeout is not None:
        timeout = check.real("timeout", timeout, min=0, min_inclusive=False)
    if scheduler is not None:
        check.text("scheduler", scheduler)
    tasks = plan(notebook, runs)
    out = Path(out)
    (out / "runs").mkdir(parents=True, exist_ok=True)
    results = _Results(out, tasks)
    if resume:
        results.load_previous()
    elif (out / "results.csv").exists():
        raise ValueError(
            f"out {str(out)!r} already holds batch results; pass resume=True (--resume) to continue "
            "them, or choose another folder"
        )
    manifest = {
        "notebook": str(notebook),
        "runs": [{"run_id": t.run_id, "params": t.params} for t in tasks],
    }
    atomic_write(out / "batch.json", json.dumps(manifest, indent=1, default=str) + "\n")
    done_ok = results.finished_ok()
    todo = [t for t in tasks if t.run_id not in done_ok]
    say = log or print
    counts = {"ok": 0, "failed": 0}
    if done_ok:
        say(f"resume: {len(done_ok)} of {len(tasks)} runs already finished ok; {len(todo)} to run")
    bar = tqdm(total=len(todo), desc=Path(notebook).stem, unit="run", disable=not progress or not todo,
               file=sys.stderr)
    # SIGTERM (a scheduler's kill, `timeout`) stops the batch as cleanly as Ctrl-C does.
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        for n, (task, outcome) in enumerate(execute_tasks(todo, jobs=jobs, timeout=timeout, scheduler=scheduler), 1):
            if outcome.get("notebook"):
                atomic_write(out / "runs" / f"{task.run_id}.ipynb", outcome["notebook"])
            results.add(task, outcome)
            counts["ok" if outcome["status"] == "ok" else "failed"] += 1
            bar.update(1)
            bar.set_postfix(counts)
            if not progress:
                reason = f" ({outcome['reason']})" if outcome.get("reason") else ""
                say(f"[{n}/{len(todo)}] {task.run_id} {outcome['status']} in {outcome['seconds']:.1f} s{reason}")
    finally:
        bar.close()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
    return load_results(out, _tasks=tasks)


def _raise_interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def load_results(out: str | os.PathLike, *, _tasks: Sequence[Task] | None = None) -> pd.DataFrame:
    """Read a batch's results: ``results.csv`` with the non-scalar records joined in.

    Parameters
    ----------
    out : path
        The batch's output folder.

    Returns
    -------
    pandas.DataFrame
        One row per run (in the batch's order): ``run_id, status, reason, seconds``,
        the parameters and the records (non-scalar records as Python objects).

    Examples
    --------
    The folder of a finished batch (as :func:`run_batch` writes it; here its two files
    are written by hand):

    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (out / "results.csv").write_text(
    ...     "run_id,status,reason,seconds,n_customers,seed,revenue\\n"
    ...     "01_loyalty-f789ee09a0,ok,,13.169,100,0,2150.0\\n"
    ...     "01_loyalty-e656e040c8,error,ZeroDivisionError: division by zero,1.2,100,1,\\n")
    >>> _ = (out / "records.jsonl").write_text(
    ...     '{"records": {"by_tier": [50, 50]}, "run_id": "01_loyalty-f789ee09a0"}\\n')
    >>> table = load_results(out)
    >>> table[["status", "reason", "seed", "revenue", "by_tier"]]
      status                               reason  seed  revenue   by_tier
    0     ok                                 None     0   2150.0  [50, 50]
    1  error  ZeroDivisionError: division by zero     1      NaN      None
    >>> load_results(out / "elsewhere")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no batch results in '...elsewhere' (results.csv is missing)
    """
    import pandas as pd

    out = Path(out)
    path = out / "results.csv"
    if not path.exists():
        raise FileNotFoundError(f"no batch results in {str(out)!r} (results.csv is missing)")
    table = _read_results_csv(path)
    jl = out / "records.jsonl"
    if jl.exists():
        extra: dict[str, dict[str, Any]] = {}
        for line in jl.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                extra[item["run_id"]] = item["records"]
        names = sorted({k for recs in extra.values() for k in recs})
        for name in names:
            table[name] = [extra.get(rid, {}).get(name) for rid in table["run_id"]]
    if _tasks is not None:
        keep = [t.run_id for t in _tasks]
        table = table.set_index("run_id").reindex([r for r in keep if r in set(table["run_id"])]).reset_index()
    return table


def _read_results_csv(path: Path) -> pd.DataFrame:
    """results.csv with numbers as numbers; empty cells (a failed run's records) as missing."""
    import pandas as pd

    table = pd.read_csv(path, dtype={"run_id": str, "status": str, "reason": str})
    table["reason"] = table["reason"].astype(object).where(table["reason"].notna(), None)
    return table


def summary_text(table: pd.DataFrame) -> str:
    """A short summary: counts by status and the failed runs with their reasons."""
    counts = table["status"].value_counts()
    parts = [f"{counts.get(s, 0)} {s}" for s in STATUSES if counts.get(s, 0)]
    lines = [f"{len(table)} runs: {', '.join(parts)}"]
    for row in table[table["status"] != "ok"].itertuples():
        lines.append(f"  {row.run_id}: {row.status}: {row.reason}")
    return "\n".join(lines)
