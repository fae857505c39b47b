"""Build the course: run every lesson, then build the course site from the runs.

``cx course`` (and ``make course``) calls :func:`build`: each ``notebooks/NN_*.ipynb``
is executed at its default parameters (``--smoke``: its smoke parameters), in parallel
through the batch runner, into ``build/notebooks/``; then :func:`build_site` renders the
executed lessons, never running them again, into the course site ``build/html/`` with
Sphinx, MyST-NB and the book theme (see :mod:`cxlib._course_site`): a home page with the
course map, a page per lesson, per reading, the exercises, a bibliography and the API
reference, all of it readable offline.  A failing lesson does not stop the others; it is
reported in the summary and on the course map, and the exit status says so.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cxlib._course_site import build_site, format_highlight, prepare_notebook
from cxlib._io import atomic_write
from cxlib.notebooks import RunResult

__all__ = ["build", "lessons", "build_site", "prepare_notebook", "format_highlight", "figure_alt_texts"]


def lessons(notebooks_dir: str | os.PathLike = "notebooks") -> list[Path]:
    """The lesson notebooks (``NN_topic.ipynb``), in course order.

    Other notebooks in the folder (scratch work, copies) are left out.

    Parameters
    ----------
    notebooks_dir : path, default "notebooks"
        The folder of lessons.

    Returns
    -------
    list of pathlib.Path

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ["02_feedback_loops.ipynb", "01_loyalty.ipynb", "scratch.ipynb", "README.md"]:
    ...     _ = (folder / name).write_text("{}")
    >>> [p.name for p in lessons(folder)]
    ['01_loyalty.ipynb', '02_feedback_loops.ipynb']
    >>> lessons(folder / "missing")
    Traceback (most recent call last):
    ...
    FileNotFoundError: notebooks_dir '...missing' is not a folder
    """
    folder = Path(notebooks_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"notebooks_dir {str(folder)!r} is not a folder")
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def figure_alt_texts(nb) -> list[str]:
    """A text alternative for every image output of a notebook, in order.

    A lesson captions a figure in the markdown cell right after the code that draws it,
    starting ``**Figure N.**``: that caption, without its markup, is the alternative text.
    An image without such a caption gets "Figure drawn by code cell N".

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    list of str
        One text per ``image/png`` or ``image/svg+xml`` output, in document order.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
    >>> fig = new_output("display_data", data={"image/png": "iVBORw0KGgo="})
    >>> nb = new_notebook(cells=[new_code_cell("plot()", outputs=[fig]),
    ...                          new_markdown_cell("**Figure 1.** Revenue *rises* with loyalty.")])
    >>> figure_alt_texts(nb)
    ['Figure 1. Revenue rises with loyalty.']
    """
    import re

    texts = []
    cells = list(nb.cells)
    for i, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        images = [o for o in cell.get("outputs", []) if {"image/png", "image/svg+xml"} & set(o.get("data", {}))]
        if not images:
            continue
        following = cells[i + 1].source if i + 1 < len(cells) and cells[i + 1].cell_type == "markdown" else ""
        caption = following.split("\n\n")[0] if following.lstrip().startswith("**Figure") else ""
        plain = re.sub(r"[*_`]", "", " ".join(caption.split()))
        texts += [plain or f"Figure drawn by code cell {i + 1}"] * len(images)
    return texts


def build(
    notebooks_dir: str | os.PathLike = "notebooks",
    build_dir: str | os.PathLike = "build",
    *,
    smoke: bool = False,
    timeout: float | None = 600,
    jobs: int | None = None,
    site: bool = True,
    root: str | os.PathLike | None = None,
    echo: bool = True,
) -> list[RunResult]:
    """Run every lesson (in parallel), then build the course site from the runs.

    The lessons run through the batch runner's worker pool (:func:`cxlib.batch.execute_tasks`),
    one worker per core by default.

    Parameters
    ----------
    notebooks_dir, build_dir : path
        Where the lessons are, and where the executed ``notebooks/`` and the site ``html/``
        are written.
    smoke : bool
        Use each lesson's smoke parameters instead of its defaults.
    timeout : float, optional
        Seconds allowed for each lesson.
    jobs : int, optional
        Worker processes; default the number of cores.
    site : bool
        Build the course site (:func:`build_site`) after the runs.
    root : path, optional
        The course folder holding ``docs/``, ``readings/`` and ``exercises/``; default the
        parent of ``notebooks_dir``.
    echo : bool
        Print progress and the closing summary.

    Returns
    -------
    list of RunResult
        One per lesson, in course order, failures included.

    Raises
    ------
    RuntimeError
        When the lessons ran but Sphinx could not build the site (the runs are kept).

    Examples
    --------
    Building the course executes every lesson, which takes minutes:

    >>> results = build("notebooks", "build")  # runs every lesson in a Jupyter kernel  # doctest: +SKIP
    >>> [r.status for r in results]  # needs the build above  # doctest: +SKIP
    ['ok', 'ok', 'ok']

    A folder without lessons is refused before anything runs:

    >>> import tempfile
    >>> build(tempfile.mkdtemp(), tempfile.mkdtemp(), echo=False)
    Traceback (most recent call last):
    ...
    FileNotFoundError: no lesson notebooks (NN_*.ipynb) in '...'
    """
    from tqdm.auto import tqdm

    from cxlib.batch import Task, execute_tasks
    from cxlib.notebooks import check_parameters, smoke_parameters

    build_dir = Path(build_dir)
    paths = lessons(notebooks_dir)
    if not paths:
        raise FileNotFoundError(f"no lesson notebooks (NN_*.ipynb) in {str(notebooks_dir)!r}")
    tasks = [
        Task(p.stem, str(p), check_parameters(p, smoke_parameters(p) if smoke else {})) for p in paths
    ]
    (build_dir / "notebooks").mkdir(parents=True, exist_ok=True)
    by_stem = {}
    bar = tqdm(total=len(tasks), desc="lessons", unit="lesson", disable=not echo, file=sys.stdout)
    for task, outcome in execute_tasks(tasks, jobs=jobs, timeout=timeout):
        executed = build_dir / "notebooks" / f"{task.run_id}.ipynb"
        if outcome.get("notebook"):
            atomic_write(executed, outcome["notebook"])
        ok = outcome["status"] == "ok"
        result = RunResult(
            notebook=task.notebook,
            output=str(executed) if outcome.get("notebook") else None,
            status="ok" if ok else "failed",
            seconds=float(outcome["seconds"]),
            parameters=task.params,
            records=outcome.get("records") or {},
            reason=outcome.get("reason"),
            error=None if ok else (
                f"{Path(task.notebook).name} failed ({outcome['status']}): {outcome.get('reason')}"
                + (f"\nThe executed notebook is {executed}" if outcome.get("notebook") else "")
            ),
        )
        by_stem[task.run_id] = result
        bar.set_postfix_str(f"{task.run_id} {result.status}")
        bar.update(1)
    bar.close()
    results = [by_stem[p.stem] for p in paths]
    if echo:
        width = max(len(p.stem) for p in paths)
        print(f"\n{'lesson':<{width}}  status  seconds")
        for r in results:
            print(f"{Path(r.notebook).stem:<{width}}  {r.status:<6}  {r.seconds:7.1f}")
        for r in results:
            if r.error:
                print(f"\n{r.error}")
        print(f"\nExecuted notebooks: {build_dir / 'notebooks'}")
    if site:
        executed = [Path(r.output) for r in results if r.output]
        if echo:
            print(f"Building the course site from {len(executed)} executed lessons (Sphinx)...", flush=True)
        site_dir = build_site(
            executed, build_dir / "html", root=Path(root) if root is not None else Path(notebooks_dir).resolve().parent,
            records={Path(r.notebook).stem: r.records for r in results},
            failures={Path(r.notebook).stem: r.reason or r.status for r in results if not r.ok},
            echo=echo,
        )
        if echo:
            print(f"Course site: {site_dir / 'index.html'}")
    return results
