"""Strict, reproducible execution of one lesson notebook through papermill.

papermill only warns about unknown parameters and passes ``-p`` values through as
text; here every parameter is checked *before a kernel starts*: its name against the
notebook's ``parameters`` cell (with a did-you-mean), its value parsed as a Python
literal and checked against the type the cell declares (``name: type = value  # help``).
Execution always uses the kernelspec ``python3`` of the environment cxlib is installed
in, and the executed notebook is written atomically.

The notebook conventions (see ``ARCHITECTURE.md``): the first code cell is tagged
``parameters``; the next, tagged ``validation``, checks them with ``cxlib.params`` only
(so ``cx run`` can run it before a kernel starts, and out-of-range values fail at once);
notebook metadata ``cxcourse.smoke`` holds a small parameter set for
quick checks; ``cxcourse.question`` states the question the lesson tests.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxlib.params import did_you_mean

__all__ = [
    "Parameter",
    "RunResult",
    "parameters",
    "smoke_parameters",
    "lesson_info",
    "parse_value",
    "check_parameters",
    "run_validation_cell",
    "execute",
    "run_papermill",
    "format_failure",
]

KERNEL_NAME = "python3"
_TYPES: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "float": (int, float),
    "str": str,
    "bool": bool,
    "list": list,
    "dict": dict,
    "tuple": tuple,
}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ARROW = re.compile(r"^\s*-+>\s*\d*\s(.*)$")  # IPython's "----> 3 the failing line"


@dataclass(frozen=True)
class Parameter:
    """One entry of a notebook's ``parameters`` cell.

    A line ``name: type = value  # help`` of the cell; :func:`parameters` reads them.

    Examples
    --------
    >>> p = Parameter("n_customers", "int", 500, "customers simulated")
    >>> p
    Parameter(name='n_customers', type='int', default=500, help='customers simulated')
    >>> p.name, p.default
    ('n_customers', 500)
    """

    name: str
    type: str
    default: Any
    help: str


@dataclass
class RunResult:
    """What one execution produced: status, timing, records and any error.

    :func:`execute` returns one; ``ok`` tells whether the notebook ran through.

    Examples
    --------
    >>> result = RunResult(notebook="notebooks/01_loyalty.ipynb", output="build/notebooks/01_loyalty.ipynb",
    ...                    status="ok", seconds=12.3, parameters={"n_customers": 500},
    ...                    records={"naive_slope": 1.84})
    >>> result.ok, result.seconds, result.records["naive_slope"]
    (True, 12.3, 1.84)
    >>> failed = RunResult("notebooks/01_loyalty.ipynb", None, "failed", 0.8,
    ...                    error="01_loyalty.ipynb failed: TimeoutError: the run exceeded its timeout of 1 s",
    ...                    reason="the run exceeded its timeout of 1 s")
    >>> failed.ok, failed.output
    (False, None)
    """

    notebook: str
    output: str | None
    status: str  # "ok" or "failed"
    seconds: float
    parameters: dict[str, Any] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _read(path: str | os.PathLike):
    import nbformat

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"notebook {str(path)!r} does not exist")
    if path.suffix != ".ipynb":
        raise ValueError(f"notebook must be an .ipynb file; got {str(path)!r}")
    return nbformat.read(path, as_version=4)


def parameters(path: str | os.PathLike) -> dict[str, Parameter]:
    """Read the declared parameters of a notebook (name, type, default, help).

    Raises ``ValueError`` when the notebook has no cell tagged ``parameters``, or when
    an assignment in it cannot be read by papermill (which would otherwise drop that
    parameter silently, e.g. when its help text contains ``=``).

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
    >>> for p in parameters(path).values():
    ...     print(p.name, p.type, p.default, p.help, sep=" | ")
    n_customers | int | 500 | customers simulated
    seed | int | 0 | random seed
    >>> nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), path.with_name("scratch.ipynb"))
    >>> parameters(path.with_name("scratch.ipynb"))
    Traceback (most recent call last):
    ...
    ValueError: notebook '...scratch.ipynb' has no cell tagged 'parameters'
    """
    import papermill

    nb = _read(path)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        raise ValueError(f"notebook {str(path)!r} has no cell tagged 'parameters'")
    declared = papermill.inspect_notebook(str(path))
    source = tagged[0].source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"notebook {str(path)!r}: the parameters cell is not valid Python: {exc}") from None
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            if isinstance(target, ast.Name) and target.id not in declared:
                line = source.splitlines()[node.lineno - 1]
                raise ValueError(
                    f"notebook {str(path)!r}: parameters cell line {node.lineno} cannot be read as "
                    f"'name: type = value  # help' (papermill skips a line with '=' in its help "
                    f"text): {line.strip()!r}"
                )
    out = {}
    for name, info in declared.items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = info["default"]
        declared = info["inferred_type_name"]
        if declared in (None, "None"):
            declared = type(default).__name__
        out[name] = Parameter(name, declared, default, info.get("help") or "")
    return out


def lesson_info(path: str | os.PathLike) -> dict[str, Any]:
    """The lesson's title (first heading), question and smoke parameters.

    The title is the first ``# `` heading of the first markdown cell (else the file's
    name); the question and the smoke parameters come from the notebook metadata
    ``cxcourse``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "01_loyalty.ipynb"
    >>> nbformat.write(new_notebook(
    ...     cells=[new_markdown_cell("# Loyalty and revenue\\n\\nDo loyal customers spend more?")],
    ...     metadata={"cxcourse": {"question": "Does loyalty pay?", "smoke": {"n_customers": 50}}}), path)
    >>> lesson_info(path)
    {'title': 'Loyalty and revenue', 'question': 'Does loyalty pay?', 'smoke': {'n_customers': 50}}
    >>> lesson_info(path.with_name("missing.ipynb"))
    Traceback (most recent call last):
    ...
    FileNotFoundError: notebook '...missing.ipynb' does not exist
    """
    nb = _read(path)
    title = Path(path).stem
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    title = line[2:].strip()
                    break
            break
    meta = nb.metadata.get("cxcourse", {})
    return {"title": title, "question": meta.get("question", ""), "smoke": dict(meta.get("smoke", {}))}


def smoke_parameters(path: str | os.PathLike) -> dict[str, Any]:
    """The notebook's smoke parameters (metadata ``cxcourse.smoke``).

    ``cx run --smoke`` and ``cx course --smoke`` start from them.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_notebook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nbformat.write(new_notebook(metadata={"cxcourse": {"smoke": {"n_customers": 50, "n_runs": 2}}}),
    ...                folder / "01_loyalty.ipynb")
    >>> smoke_parameters(folder / "01_loyalty.ipynb")
    {'n_customers': 50, 'n_runs': 2}
    >>> nbformat.write(new_notebook(), folder / "02_scratch.ipynb")
    >>> smoke_parameters(folder / "02_scratch.ipynb")
    Traceback (most recent call last):
    ...
    ValueError: notebook '...02_scratch.ipynb' declares no smoke parameters (metadata cxcourse.smoke)
    """
    smoke = lesson_info(path)["smoke"]
    if not smoke:
        raise ValueError(f"notebook {str(path)!r} declares no smoke parameters (metadata cxcourse.smoke)")
    return smoke


def parse_value(text: str) -> Any:
    """Parse a command-line value as a Python literal; plain words stay strings.

    This is how ``cx run -p NAME VALUE`` reads ``VALUE``.

    Examples
    --------
    >>> parse_value("500"), parse_value("0.5"), parse_value("[1, 2]"), parse_value("cdnow_sample")
    (500, 0.5, [1, 2], 'cdnow_sample')
    >>> parse_value("True"), parse_value("'500'"), parse_value("{'a': 1}")
    (True, '500', {'a': 1})
    """
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


#: Spellings of true and false from YAML, JSON and the shell, and the Python literal meant.
_BOOL_WORDS = {"true": "True", "false": "False", "yes": "True", "no": "False", "on": "True", "off": "False"}


def _coerce(spec: Parameter, value: Any, raw: str | None) -> Any:
    want = _TYPES.get(spec.type)
    if want is None:  # a type we do not know how to check: pass it on
        return value
    if spec.type == "str" and not isinstance(value, str) and raw is not None:
        return raw
    if spec.type == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    if spec.type == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) and spec.type != "bool" or not isinstance(value, want):
        hint = ""
        if spec.type == "bool" and isinstance(value, str) and value.lower() in _BOOL_WORDS:
            hint = f"; write it as Python writes it: {_BOOL_WORDS[value.lower()]}"
        raise TypeError(
            f"parameter {spec.name} is declared {spec.type} (default {spec.default!r}); "
            f"got {value!r} ({type(value).__name__}){hint}"
        )
    return value


def check_parameters(
    path: str | os.PathLike,
    given: dict[str, Any],
    *,
    raw: dict[str, str] | None = None,
    specs: dict[str, Parameter] | None = None,
) -> dict[str, Any]:
    """Check parameter names and types against the notebook's ``parameters`` cell.

    Parameters
    ----------
    path : path
        The notebook.
    given : dict
        Parameter values (already parsed).
    raw : dict, optional
        The command-line text of each value, so that a ``str`` parameter given as
        ``-p name 123`` stays the string ``"123"``.
    specs : dict, optional
        Declared parameters, if already read with :func:`parameters`.

    Returns
    -------
    dict
        The values, coerced where that is lossless (``5e3`` → ``5000`` for an int).

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones and suggests the
        closest), or a value the notebook's validation cell rejects (see
        :func:`run_validation_cell`).
    TypeError
        For a value of the wrong type.

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
    >>> check_parameters(path, {"n_customers": 5e3, "seed": 7})
    {'n_customers': 5000, 'seed': 7}
    >>> check_parameters(path, {"n_custmers": 5000})
    Traceback (most recent call last):
    ...
    ValueError: unknown parameter 'n_custmers' for 01_loyalty.ipynb; valid parameters are n_customers, seed;
    did you mean 'n_customers'?
    >>> check_parameters(path, {"n_customers": "many"})
    Traceback (most recent call last):
    ...
    TypeError: parameter n_customers is declared int (default 500); got 'many' (str)
    >>> check_parameters(path, {"n_customers": 5})  # the validation cell's check, run here
    Traceback (most recent call last):
    ...
    ValueError: n_customers must be an integer >= 10; got 5
    """
    specs = parameters(path) if specs is None else specs
    raw = raw or {}
    out = {}
    for name, value in given.items():
        if name not in specs:
            valid = ", ".join(specs)
            raise ValueError(
                f"unknown parameter {name!r} for {Path(path).name}; "
                f"valid parameters are {valid}{did_you_mean(name, specs)}"
            )
        out[name] = _coerce(specs[name], value, raw.get(name))
    run_validation_cell(path, {**{n: p.default for n, p in specs.items()}, **out})
    return out


def _validation_cell(path: str | os.PathLike):
    cells = [c for c in _read(path).cells if c.cell_type == "code"]
    tagged = [c for c in cells if "validation" in c.get("metadata", {}).get("tags", [])]
    return tagged[0] if tagged else None


def _is_pure_validation(tree: ast.Module) -> bool:
    """Only ``from cxlib import ...`` and ``x = params.check(...)`` / ``params.check(...)``."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "cxlib":
            continue
        value = node.value if isinstance(node, (ast.Assign, ast.Expr)) else None
        if not (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and isinstance(value.func.value, ast.Name)
            and value.func.value.id == "params"
            and all(isinstance(t, ast.Name) for t in getattr(node, "targets", []))
        ):
            return False
    return True


def run_validation_cell(path: str | os.PathLike, values: dict[str, Any]) -> bool:
    """Run the notebook's ``validation`` cell on ``values`` here, before any kernel.

    By convention the code cell after ``parameters`` is tagged ``validation`` and holds
    only ``cxlib.params`` checks, so running it in this process gives exactly the errors
    the notebook would give (range, allowed values), but at once.  A cell that does
    anything else is not run here (it still runs in the kernel).

    Returns
    -------
    bool
        Whether the cell was run (``False`` when there is none or it is not pure).

    Raises
    ------
    ValueError, TypeError
        The first failing check, with its own message.

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
    >>> run_validation_cell(path, {"n_customers": 500, "seed": 0})
    True
    >>> run_validation_cell(path, {"n_customers": 2, "seed": 0})
    Traceback (most recent call last):
    ...
    ValueError: n_customers must be an integer >= 10; got 2

    A notebook without a validation cell is left to its kernel:

    >>> nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), path.with_name("scratch.ipynb"))
    >>> run_validation_cell(path.with_name("scratch.ipynb"), {})
    False
    """
    cell = _validation_cell(path)
    if cell is None:
        return False
    tree = ast.parse(cell.source)
    if not _is_pure_validation(tree):
        return False
    exec(compile(tree, f"<validation cell of {Path(path).name}>", "exec"), dict(values))
    return True


def format_failure(exc: BaseException, notebook: str | os.PathLike, output: str | None = None) -> str:
    """One readable block for a failed execution: where, the line, the error.

    Parameters
    ----------
    exc : BaseException
        What :func:`run_papermill` caught; for a cell that raised, papermill's
        ``PapermillExecutionError`` (the cell's line is taken from its traceback).
    notebook : path
        The notebook that was run (only its name is shown).
    output : str, optional
        The executed notebook, named at the end when given.

    Returns
    -------
    str

    Examples
    --------
    >>> from papermill.exceptions import PapermillExecutionError
    >>> exc = PapermillExecutionError(
    ...     cell_index=3, exec_count=2, source="slope = fit(revenue, loyalty)", ename="NameError",
    ...     evalue="name 'fit' is not defined",
    ...     traceback=["NameError    Traceback (most recent call last)",
    ...                "Cell In[2], line 1\\n----> 1 slope = fit(revenue, loyalty)\\n",
    ...                "NameError: name 'fit' is not defined"])
    >>> print(format_failure(exc, "notebooks/01_loyalty.ipynb", "build/notebooks/01_loyalty.ipynb"))
    01_loyalty.ipynb failed at In [2]:
        slope = fit(revenue, loyalty)
    NameError: name 'fit' is not defined
    The executed notebook (with the full traceback) is build/notebooks/01_loyalty.ipynb
    >>> print(format_failure(TimeoutError("the run exceeded its timeout of 60 s"), "notebooks/01_loyalty.ipynb"))
    01_loyalty.ipynb failed: TimeoutError: the run exceeded its timeout of 60 s
    """
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        tb = _ANSI.sub("", "\n".join(exc.traceback or []))
        arrow = next((m.group(1) for m in map(_ARROW.match, tb.splitlines()) if m), None)
        where = f"In [{exc.exec_count}]" if exc.exec_count else f"cell {exc.cell_index}"
        lines = [f"{Path(notebook).name} failed at {where}:"]
        if arrow:
            lines.append(f"    {arrow.strip()}")
        lines.append(f"{exc.ename}: {exc.evalue}")
    else:
        lines = [f"{Path(notebook).name} failed: {type(exc).__name__}: {exc}"]
    if output:
        lines.append(f"The executed notebook (with the full traceback) is {output}")
    return "\n".join(lines)


def run_papermill(
    notebook: str | os.PathLike,
    output: str | os.PathLike,
    parameters: dict[str, Any],
    *,
    timeout: float | None = None,
    progress: bool = False,
    save_each_cell: bool = False,
    keep_going: bool = False,
) -> tuple[str, str | None, BaseException | None]:
    """Execute a notebook with papermill on this environment's kernel; classify the end.

    The one place where cxlib calls papermill (``cx run``, ``cx batch`` and
    ``cx course`` all come here).  Parameters are passed as they are (check them
    first with :func:`check_parameters`).

    Parameters
    ----------
    notebook, output : path
        Source notebook and where papermill writes the executed copy.  It is written
        when the run starts, while it runs (at most every 30 s) and when it ends, however
        it ends: a failed, timed-out or interrupted run is kept too.
    parameters : dict
        Values to inject.
    timeout : float, optional
        Seconds allowed for the whole run: each cell gets what is left of the budget.
    progress : bool
        Show papermill's per-cell progress bar.
    save_each_cell : bool, default False
        Rewrite ``output`` before and after every cell, as papermill does by default
        (a lesson's 60 cells cost the writing process 2-3 s of CPU for that).
    keep_going : bool, default False
        Run every cell even after one raised or timed out (a timed-out cell is
        interrupted): the grader's mode, so one broken answer does not hide the
        others.  The status is still ``"error"`` when any cell raised.

    Returns
    -------
    tuple
        ``(status, reason, exception)``: status ``"ok"``, ``"error"`` (a cell raised),
        ``"timeout"`` or ``"died"`` (the kernel died); ``reason`` one line (None when
        ok); ``exception`` the exception caught (None when ok).

    Examples
    --------
    Check the parameters first, then run (this starts a Jupyter kernel):

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
    >>> checked = check_parameters(path, {"n_customers": 50})
    >>> run_papermill(path, path.with_name("executed.ipynb"), checked, timeout=60)  # starts a Jupyter kernel  # doctest: +SKIP
    ('ok', None, None)

    Whatever goes wrong is classified, never raised; here papermill cannot even read
    the notebook, so no kernel starts:

    >>> status, reason, exc = run_papermill(path.with_name("missing.ipynb"), path.with_name("out.ipynb"), {})
    >>> status, reason
    ('error', "FileNotFoundError: [Errno 2] No such file or directory: '...missing.ipynb'")
    """
    import papermill
    from jupyter_client.manager import AsyncKernelManager
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    started: list[AsyncKernelManager] = []

    class KernelManager(AsyncKernelManager):  # nbclient's default, remembered (see below)
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            started.append(self)

    # Resolve the kernelspec inside this environment, never a user-wide "python3".
    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
    sockets = tempfile.mkdtemp(prefix="cxk-")  # short: Unix socket paths are limited to ~100 bytes
    extra: dict[str, Any] = {}
    if timeout is not None:
        deadline = time.monotonic() + timeout
        extra["timeout_func"] = lambda cell: max(1.0, deadline - time.monotonic())
    if keep_going:
        extra.update(allow_errors=True, interrupt_on_timeout=True)
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=progress,
            engine_name="nbclient" if save_each_cell else _sparse_saves(),
            # All cells have run: stop the kernel at once rather than waiting for it to
            # wind down gracefully (this saves most of a second a run in a batch).
            shutdown_kernel="immediate",
            # Talk to the kernel over Unix sockets named after its unique connection file:
            # TCP ports picked by kernels started at the same moment in parallel workers
            # can collide, and a client wired to another kernel's ports waits forever.
            # Encrypt where the kernel supports it (ipykernel does).
            config=Config({"KernelManager": {
                "transport": "ipc", "ip": str(Path(sockets) / "kernel"), "transport_encryption": "auto",
            }}),
            # The kernel process's own log (not the notebook's output) would otherwise
            # print shutdown chatter such as "KeyboardInterrupt caught in kernel".
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            kernel_manager_class=KernelManager,
            **extra,
        )
    except PapermillExecutionError as exc:
        result = ("error", f"{exc.ename}: {_first_line(exc.evalue)}", exc)
    except CellTimeoutError as exc:
        result = ("timeout", f"the run exceeded its timeout of {timeout:g} s", exc)
    except DeadKernelError as exc:
        result = ("died", f"the kernel died: {_first_line(str(exc))}", exc)
    except Exception as exc:  # noqa: BLE001 - e.g. no kernel could start
        result = ("error", f"{type(exc).__name__}: {_first_line(str(exc))}", exc)
    except BaseException:
        # Stopped from outside (Ctrl-C; SIGTERM in a batch worker).  nbclient shuts the
        # kernel down once it has started; one still starting is left running, in a
        # session of its own, and would outlive this process: kill it and its group.
        for km in started:
            _kill_kernel(km)
        raise
    else:
        result = ("ok", None, None)
    # Only reached when the run ended on its own: when interrupted (Ctrl-C, SIGTERM) the
    # sockets' folder is left for a kernel that may still be starting, which would crash
    # loudly if it vanished.  It holds a few empty socket files in /tmp.
    shutil.rmtree(sockets, ignore_errors=True)
    return result


@functools.cache
def _sparse_saves() -> str:
    """Register (once) and name papermill's nbclient engine with fewer saves of the output.

    papermill rewrites the whole output notebook, outputs and all, before and after every
    cell.  This engine writes it when the run starts and ends (papermill's ``finally``
    saves a run that raised, timed out or was interrupted) and in between at most every
    ``autosave_cell_every`` seconds, papermill's own interval for saving a long cell.
    """
    from papermill.engines import NBClientEngine, papermill_engines

    class SparseSaves(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            save = nb_man.save

            def sparse_save(**kw: Any) -> None:
                ended = nb_man.end_time is not None  # set by notebook_complete before its save
                if ended or (nb_man.now() - nb_man.last_save_time).total_seconds() >= nb_man.autosave_cell_every:
                    save(**kw)

            nb_man.save = sparse_save
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register("cxlib-sparse-saves", SparseSaves)
    return "cxlib-sparse-saves"


def _kill_kernel(km: Any) -> None:
    proc = getattr(getattr(km, "provisioner", None), "process", None)
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, 9)  # the kernel leads its own process group (jupyter_client)
    except (AttributeError, OSError):  # no process groups (Windows), or already gone
        proc.kill()


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in _ANSI.sub("", str(text)).splitlines() if ln.strip()]
    return lines[0][:300] if lines else ""


def execute(
    notebook: str | os.PathLike,
    output: str | os.PathLike,
    parameters: dict[str, Any] | None = None,
    *,
    smoke: bool = False,
    timeout: float | None = None,
    progress: bool = False,
    raw: dict[str, str] | None = None,
) -> RunResult:
    """Execute ``notebook`` with checked parameters; never raises for a failing cell.

    Parameters are checked first (``ValueError``/``TypeError`` raised before any
    kernel starts).  The executed notebook is written to ``output`` atomically: to a
    temporary file beside it, renamed when papermill has finished, also when a cell
    failed, so the failure can be inspected.

    Parameters
    ----------
    notebook, output : path
        Source notebook and where to write the executed copy.
    parameters : dict, optional
        Parameter values; with ``smoke=True`` they override the smoke set.
    smoke : bool
        Start from the notebook's smoke parameters.
    timeout : float, optional
        Seconds allowed for the whole run (see :func:`run_papermill`).
    progress : bool
        Show papermill's per-cell progress bar.
    raw : dict, optional
        Command-line text of each value (see :func:`check_parameters`).

    Returns
    -------
    RunResult
        ``status`` is ``"ok"`` or ``"failed"``; ``error`` holds the readable block
        from :func:`format_failure`; ``records`` what the notebook recorded.

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
    >>> result = execute(path, path.with_name("executed.ipynb"), {"n_customers": 50})  # starts a Jupyter kernel  # doctest: +SKIP
    >>> result.ok, result.parameters, result.records  # needs the run above  # doctest: +SKIP
    (True, {'n_customers': 50}, {'revenue': 1075.0})

    Bad parameters are refused before any kernel starts:

    >>> execute(path, path.with_name("executed.ipynb"), {"n_customers": 5})
    Traceback (most recent call last):
    ...
    ValueError: n_customers must be an integer >= 10; got 5
    >>> execute(path, path.with_name("executed.ipynb"), smoke=True)
    Traceback (most recent call last):
    ...
    ValueError: notebook '...01_loyalty.ipynb' declares no smoke parameters (metadata cxcourse.smoke)
    """
    from cxlib.records import read_records

    given = dict(smoke_parameters(notebook)) if smoke else {}
    given.update(parameters or {})
    checked = check_parameters(notebook, given, raw=raw)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.stem}.{os.getpid()}.tmp.ipynb")
    start = time.perf_counter()
    status, _reason, exc = run_papermill(notebook, tmp, checked, timeout=timeout, progress=progress)
    seconds = time.perf_counter() - start
    written = tmp.exists()
    if written:
        os.replace(tmp, output)
    error = None if exc is None else format_failure(exc, notebook, str(output) if written else None)
    return RunResult(
        notebook=str(notebook),
        output=str(output) if written else None,
        status="ok" if error is None else "failed",
        seconds=seconds,
        reason=_reason,
        parameters=checked,
        records=read_records(output) if written else {},
        error=error,
    )
