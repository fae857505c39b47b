"""The ``cx`` command: run, batch, course, datasets, exercises build, assign, grade.

Every subcommand exits 0 on success and non-zero on any failure, printing a short,
readable message (never a traceback) for mistakes in its input.  Set ``CX_DEBUG=1``
to see the full traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["main"]


def format_records(records: dict[str, Any]) -> str:
    """Records as aligned ``name  value`` lines."""
    from cxlib.records import format_value

    if not records:
        return "  (nothing recorded)"
    width = max(len(n) for n in records)
    return "\n".join(f"  {name:<{width}}  {format_value(v)}" for name, v in records.items())


def _cmd_run(args: argparse.Namespace) -> int:
    from cxlib import notebooks

    nb = Path(args.notebook)
    given, raw = {}, {}
    for name, text in args.param or []:
        given[name] = notebooks.parse_value(text)
        raw[name] = text
    output = Path(args.output) if args.output else Path("build") / "notebooks" / nb.name
    if output.is_dir():  # a folder: the executed notebook goes inside it, under its own name
        output = output / nb.name
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    result = notebooks.execute(
        nb, output, given, smoke=args.smoke, timeout=args.timeout, progress=progress, raw=raw
    )
    if not result.ok:
        print(result.error, file=sys.stderr)
        return 1
    print(f"{nb.name}: ok in {result.seconds:.1f} s -> {result.output}")
    print("Recorded results:")
    print(format_records(result.records))
    return 0


def _cmd_batch(args: argparse.Namespace) -> int:
    from cxlib import batch, notebooks

    sources = [x for x in (args.grid, args.rows, args.param) if x]
    if len(sources) != 1:
        raise ValueError("give exactly one of --grid GRID.yaml, --rows RUNS.csv or -p NAME V1,V2,...")
    if args.grid:
        runs = batch.expand_grid(batch.read_grid(args.grid), seeds=args.seeds)
    elif args.rows:
        runs = batch.read_rows(args.rows)
        if args.seeds:
            runs = [{**row, "seed": s} for row in runs for s in range(args.seeds)]
    else:
        grid = {name: batch.parse_sweep(values) for name, values in args.param}
        runs = batch.expand_grid(grid, seeds=args.seeds)
    notebooks.parameters(args.notebook)  # a missing notebook fails here, clearly
    table = batch.run_batch(
        args.notebook, runs, args.out, jobs=args.jobs, timeout=args.timeout, scheduler=args.scheduler,
        resume=args.resume, progress=not args.quiet,
    )
    print(batch.summary_text(table))
    print(f"Results: {Path(args.out) / 'results.csv'}  (cxlib.batch.load_results({str(args.out)!r}))")
    return 0 if (table["status"] == "ok").all() else 1


def _cmd_course(args: argparse.Namespace) -> int:
    from cxlib import course

    try:
        results = course.build(
            notebooks_dir=args.notebooks, build_dir=args.build, smoke=args.smoke, timeout=args.timeout,
            jobs=args.jobs,
        )
    except RuntimeError as exc:  # the lessons ran, the site did not build
        print(f"cx course: the course site was not built: {exc}", file=sys.stderr)
        return 1
    return 0 if all(r.ok for r in results) else 1


def _cmd_datasets(args: argparse.Namespace) -> int:
    from cxlib import data

    table = data.list_datasets()
    print(table.to_string(index=False))
    if args.verify:
        bad = []
        for name in table["name"]:
            try:
                data.verify(name)
                print(f"{name}: checksum ok")
            except (ValueError, FileNotFoundError) as exc:
                bad.append(name)
                print(f"{name}: {exc}", file=sys.stderr)
        return 1 if bad else 0
    return 0


def _cmd_exercises_build(args: argparse.Namespace) -> int:
    from cxlib import exercises

    changed = exercises.build_all(args.source, args.student, check_only=args.check)
    if args.check:
        if changed:
            print("stale or missing student versions (run `cx exercises build`): "
                  + ", ".join(str(p) for p in changed), file=sys.stderr)
            return 1
        print(f"student versions in {args.student} are up to date")
        return 0
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print(f"student versions in {args.student} were already up to date")
    return 0


def _cmd_assign(args: argparse.Namespace) -> int:
    from cxlib import exercises

    existed = Path(args.secret_file).exists()
    manifest = exercises.assign(args.source, args.roster, args.out, secret_file=args.secret_file)
    if not existed:
        print(f"created the course secret {args.secret_file}: keep it private and keep it for grading "
              "(seeds are derived from it)")
    for row in manifest:
        print(f"  {row['student_id']:<20} seed {row['seed']:>10}  {Path(args.out) / row['file']}")
    print(f"{len(manifest)} notebooks and manifest.csv written to {args.out}")
    return 0


def _cmd_grade(args: argparse.Namespace) -> int:
    from cxlib import grading
    from cxlib.sandbox import SandboxUnavailable

    if args.no_sandbox:
        print("cx grade: --no-sandbox: submissions run WITHOUT isolation; only do this for trusted work",
              file=sys.stderr)
    try:
        report = grading.grade(
            args.source, args.submissions, args.roster, args.out, secret_file=args.secret_file,
            jobs=args.jobs, timeout=args.timeout, memory_mb=args.memory, sandbox=not args.no_sandbox,
            progress=not args.quiet,
        )
    except SandboxUnavailable as exc:
        print(f"cx grade: {exc}", file=sys.stderr)
        return 3
    print(report.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cx", description="Run and build the cxcourse notebooks.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run one notebook with checked parameters",
        description=(
            "Run one notebook through papermill. Parameter names and types are checked "
            "against the notebook's parameters cell before any kernel starts."
        ),
    )
    run.add_argument("notebook", help="the .ipynb file to run")
    run.add_argument(
        "-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
        help="set a parameter; VALUE is read as a Python literal (5000, 0.5, 'text', [1, 2])",
    )
    run.add_argument("--smoke", action="store_true", help="start from the notebook's small smoke parameters")
    run.add_argument("-o", "--output", help="executed notebook, or a folder for it (default build/notebooks/NAME.ipynb)")
    run.add_argument("--timeout", type=float, default=None, help="seconds allowed per cell")
    run.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="show a per-cell progress bar (default: when the terminal is interactive)",
    )
    run.set_defaults(func=_cmd_run)

    bat = sub.add_parser(
        "batch",
        help="run one notebook over a grid, a roster or a sweep, in parallel",
        description=(
            "Run a notebook once per parameter set, in parallel worker processes (or on a Dask "
            "cluster). Every run is checked before any starts; each finished run is written at once "
            "to OUT/runs/ and OUT/results.csv, so --resume continues an interrupted batch."
        ),
    )
    bat.add_argument("notebook", help="the .ipynb file to run")
    bat.add_argument("--grid", help="YAML or JSON mapping of parameter name to a list of values (all combinations)")
    bat.add_argument("--rows", help="CSV with one run per row (a roster or hand-picked cases)")
    bat.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "V1,V2,..."),
                     help="a quick sweep over comma-separated values (several -p: all combinations)")
    bat.add_argument("--seeds", type=int, help="repeat every run with seed = 0 .. N-1")
    bat.add_argument("--out", required=True, help="output folder")
    bat.add_argument("--jobs", type=int, default=None, help="worker processes (default: the number of cores)")
    bat.add_argument("--timeout", type=float, default=None, help="seconds allowed for each run")
    bat.add_argument("--resume", action="store_true", help="skip runs already finished ok in --out")
    bat.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://127.0.0.1:8786")
    bat.add_argument("--quiet", action="store_true", help="no progress bar: one log line per finished run")
    bat.set_defaults(func=_cmd_batch)

    crs = sub.add_parser("course", help="run every lesson and build the course site in build/html/")
    crs.add_argument("--notebooks", default="notebooks", help="folder of lesson notebooks")
    crs.add_argument("--build", default="build", help="output folder")
    crs.add_argument("--smoke", action="store_true", help="use each lesson's smoke parameters")
    crs.add_argument("--timeout", type=float, default=600, help="seconds allowed for each lesson")
    crs.add_argument("--jobs", type=int, default=None, help="lessons run at once (default: the number of cores)")
    crs.set_defaults(func=_cmd_course)

    ds = sub.add_parser("datasets", help="list the course datasets")
    ds.add_argument("--verify", action="store_true", help="check every file against its sha256")
    ds.set_defaults(func=_cmd_datasets)

    exr = sub.add_parser("exercises", help="build the student versions of the exercise sources")
    exsub = exr.add_subparsers(dest="action", required=True)
    exb = exsub.add_parser(
        "build", help="write exercises/student/ from exercises/source/",
        description=("Generate each student version: solutions replaced by a stub that raises "
                     "NotImplementedError, hidden cells removed, outputs cleared."),
    )
    exb.add_argument("--source", default="exercises/source", help="folder of exercise sources")
    exb.add_argument("--student", default="exercises/student", help="folder of student versions")
    exb.add_argument("--check", action="store_true", help="write nothing; exit 1 if any student version is stale")
    exb.set_defaults(func=_cmd_exercises_build)

    secret_help = "the course secret that seeds are derived from (created by the first cx assign)"
    asg = sub.add_parser(
        "assign", help="one personalised exercise notebook per student",
        description=("Write the student version of SOURCE once per roster row, with that student's seed "
                     "injected (derived from the course secret and the student id), and manifest.csv."),
    )
    asg.add_argument("source", help="the exercise source, e.g. exercises/source/02_loyalty_and_revenue.ipynb")
    asg.add_argument("--roster", required=True, help="CSV with a student_id column (other columns are kept)")
    asg.add_argument("--out", required=True, help="output folder")
    asg.add_argument("--secret-file", default=".cx-secret", help=secret_help + " (default .cx-secret)")
    asg.set_defaults(func=_cmd_assign)

    grd = sub.add_parser(
        "grade", help="grade a folder of submissions in a sandbox",
        description=("Run each submission in a bubblewrap sandbox (no network, read-only system, limits on "
                     "time, memory and processes) with the student's own seed, then grade the recorded "
                     "answers against the source's solutions run at the same seed. Writes OUT/grades.csv "
                     "and OUT/feedback/STUDENT.md."),
    )
    grd.add_argument("source", help="the exercise source with solutions")
    grd.add_argument("submissions", help="folder of submitted notebooks (NN_topic-STUDENT.ipynb, "
                     "STUDENT.ipynb, or STUDENT/anything.ipynb)")
    grd.add_argument("--roster", required=True, help="CSV with a student_id column")
    grd.add_argument("--out", required=True, help="output folder")
    grd.add_argument("--secret-file", default=".cx-secret", help=secret_help + " (default .cx-secret)")
    grd.add_argument("--jobs", type=int, default=None, help="submissions run at once (default: the number of cores)")
    grd.add_argument("--timeout", type=float, default=300, help="seconds allowed for each submission (default 300)")
    grd.add_argument("--memory", type=int, default=2048, help="memory per process in MB (default 2048)")
    grd.add_argument("--no-sandbox", action="store_true",
                     help="run without bubblewrap: UNSAFE for untrusted submissions")
    grd.add_argument("--quiet", action="store_true", help="no progress bars")
    grd.set_defaults(func=_cmd_grade)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cx`` console script.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``cx``; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit code: 0 on success, 1 when a run or check failed, 2 for a mistake in
        the input (one line on stderr), 3 when ``cx grade`` has no sandbox, 130 when
        interrupted.

    Examples
    --------
    >>> import contextlib, pathlib, sys, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nbformat.write(new_notebook(cells=[
    ...     new_code_cell("n_customers: int = 500  # customers simulated\\nseed: int = 0  # random seed",
    ...                   metadata={"tags": ["parameters"]}),
    ...     new_code_cell("from cxlib import params\\nparams.integer('n_customers', n_customers, min=10)",
    ...                   metadata={"tags": ["validation"]}),
    ...     new_code_cell("from cxlib import record\\nrecord('revenue', 21.5 * n_customers + seed)"),
    ... ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}),
    ...     folder / "01_loyalty.ipynb")
    >>> nb = str(folder / "01_loyalty.ipynb")
    >>> main(["run", nb, "-p", "n_customers", "50", "-o", str(folder / "executed.ipynb")])  # starts a Jupyter kernel  # doctest: +SKIP
    01_loyalty.ipynb: ok in 1.4 s -> /tmp/.../executed.ipynb
    Recorded results:
      revenue  1075
    0

    A mistake in the input is one line on stderr (shown here) and exit code 2, before
    any kernel starts:

    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["run", nb, "-p", "n_custmers", "50"])
    cx run: unknown parameter 'n_custmers' for 01_loyalty.ipynb; valid parameters are n_customers, seed;
    did you mean 'n_customers'?
    2
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["batch", nb, "-p", "n_customers", "5,50", "--out", str(folder / "sweep")])
    cx batch: run 1 {'n_customers': 5}: n_customers must be an integer >= 10; got 5
    2
    >>> try:
    ...     main(["--help"])
    ... except SystemExit as stop:
    ...     print("exit code", stop.code)
    usage: cx [-h] ...
    ...
    exit code 0
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, TypeError, FileNotFoundError) as exc:
        if os.environ.get("CX_DEBUG"):
            raise
        print(f"cx {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        hint = {"batch": " (rerun with --resume)",
                "grade": " (grades.csv holds the students graded so far; reference runs are cached)"}
        print(f"cx {args.command}: interrupted; finished work is kept{hint.get(args.command, '')}",
              file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
