"""Build the course: run every lesson, render it to HTML, write the course map.

``cx course`` (and ``make course``) calls :func:`build`: each ``notebooks/NN_*.ipynb``
is executed at its default parameters, in parallel through the batch runner, into
``build/notebooks/``, rendered with
nbconvert into ``build/html/``, and ``build/html/index.html`` lists every lesson with
its status, run time and recorded key results.  A failing lesson does not stop the
others; it is reported in the summary and the index, and the exit status says so.
"""

from __future__ import annotations

import html
import os
import sys
from pathlib import Path

from cxlib._io import atomic_write
from cxlib.notebooks import RunResult, lesson_info
from cxlib.records import format_value

__all__ = ["build", "lessons", "render_html", "write_index", "figure_alt_texts"]


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


def render_html(executed: str | os.PathLike, html_path: str | os.PathLike) -> Path:
    """Render an executed notebook to a standalone HTML page with nbconvert.

    The page uses nbconvert's ``lab`` template; missing folders are created and the
    file is written atomically.

    Parameters
    ----------
    executed : path
        The notebook (usually executed, so that it shows its outputs).
    html_path : path
        Where to write the page.

    Returns
    -------
    pathlib.Path
        ``html_path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nbformat.write(new_notebook(cells=[new_markdown_cell("# Loyalty and revenue")]),
    ...                folder / "01_loyalty.ipynb")
    >>> page = render_html(folder / "01_loyalty.ipynb", folder / "html" / "01_loyalty.html")
    >>> page.relative_to(folder).as_posix()
    'html/01_loyalty.html'
    >>> text = page.read_text()
    >>> text.startswith("<!DOCTYPE html>"), "Loyalty and revenue" in text
    (True, True)
    """
    import nbformat
    from nbconvert import HTMLExporter

    from bs4 import BeautifulSoup

    nb = nbformat.read(executed, as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    # nbconvert gives every figure the alt text "No description has been provided for this
    # image"; give each the caption the lesson wrote for it instead.
    soup = BeautifulSoup(body, features="html.parser")
    for img, alt in zip(soup.select(".jp-RenderedImage img"), figure_alt_texts(nb)):
        img["alt"] = alt
    body = str(soup)
    html_path = Path(html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(html_path, body)
    return html_path


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


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .5rem; border-bottom: 1px solid #ddd; }
.ok { color: #1b7837; } .failed { color: #b2182b; font-weight: bold; }
dl { margin: 0; display: grid; grid-template-columns: max-content auto; gap: 0 1rem; }
dt { font-family: monospace; } dd { margin: 0; font-family: monospace; }
pre { white-space: pre-wrap; background: #fdf0f0; padding: .5rem; }
"""


def write_index(results: list[RunResult], html_dir: str | os.PathLike) -> Path:
    """Write ``index.html``: one row per lesson with link, status, seconds, records.

    Each row shows the lesson's title (its first heading) and question (metadata
    ``cxcourse.question``), linked to ``<stem>.html``; a failed lesson also shows its
    error.

    Parameters
    ----------
    results : list of RunResult
        One per lesson, as :func:`build` returns them.
    html_dir : path
        The folder of the HTML pages, created if needed.

    Returns
    -------
    pathlib.Path
        The path of ``index.html``.

    Examples
    --------
    >>> import pathlib, re, tempfile
    >>> import nbformat
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> from cxlib.notebooks import RunResult
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nbformat.write(new_notebook(cells=[new_markdown_cell("# Loyalty and revenue")],
    ...                             metadata={"cxcourse": {"question": "Does loyalty pay?"}}),
    ...                folder / "01_loyalty.ipynb")
    >>> result = RunResult(notebook=str(folder / "01_loyalty.ipynb"), output=None, status="ok",
    ...                    seconds=12.34, records={"naive_slope": 1.83937})
    >>> index = write_index([result], folder / "html")
    >>> index.relative_to(folder).as_posix()
    'html/index.html'
    >>> print(*re.findall("<tr><td>.*?</tr>", index.read_text()))
    <tr><td><a href="01_loyalty.html">Loyalty and revenue</a><br><small>Does loyalty pay?</small></td><td class='ok'>ok</td><td>12.3</td><td><dl><dt>naive_slope</dt><dd>1.839</dd></dl></td></tr>
    """
    html_dir = Path(html_dir)
    rows = []
    for r in results:
        info = lesson_info(r.notebook)
        stem = Path(r.notebook).stem
        link = f'<a href="{html.escape(stem)}.html">{html.escape(info["title"])}</a>'
        question = f"<br><small>{html.escape(info['question'])}</small>" if info["question"] else ""
        recs = "".join(
            f"<dt>{html.escape(k)}</dt><dd>{html.escape(format_value(v, digits=4, width=80))}</dd>" for k, v in r.records.items()
        )
        err = f"<pre>{html.escape(r.error)}</pre>" if r.error else ""
        rows.append(
            f"<tr><td>{link}{question}</td><td class='{r.status}'>{r.status}</td>"
            f"<td>{r.seconds:.1f}</td><td><dl>{recs}</dl>{err}</td></tr>"
        )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>cxcourse: course map</title>"
        f"<style>{_STYLE}</style></head><body><h1>cxcourse: the course map</h1>"
        "<p>Each lesson was executed at its default parameters; its key results are the values "
        "it recorded with <code>cxlib.record</code>.</p>"
        "<table><thead><tr><th>lesson</th><th>status</th><th>seconds</th><th>recorded results</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )
    html_dir.mkdir(parents=True, exist_ok=True)
    index = html_dir / "index.html"
    atomic_write(index, page)
    return index


def build(
    notebooks_dir: str | os.PathLike = "notebooks",
    build_dir: str | os.PathLike = "build",
    *,
    smoke: bool = False,
    timeout: float | None = 600,
    jobs: int | None = None,
    echo: bool = True,
) -> list[RunResult]:
    """Run every lesson (in parallel), render each to HTML and write the course map.

    The lessons run through the batch runner's worker pool (:func:`cxlib.batch.execute_tasks`),
    one worker per core by default.

    Parameters
    ----------
    notebooks_dir, build_dir : path
        Where the lessons are and where ``notebooks/`` and ``html/`` are written.
    smoke : bool
        Use each lesson's smoke parameters instead of its defaults.
    timeout : float, optional
        Seconds allowed for each lesson.
    jobs : int, optional
        Worker processes; default the number of cores.
    echo : bool
        Print progress and the closing summary.

    Returns
    -------
    list of RunResult
        One per lesson, in course order, failures included.

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
        if result.output:
            try:
                render_html(result.output, build_dir / "html" / f"{task.run_id}.html")
            except Exception as exc:  # rendering must not hide the run's own status
                result.status = "failed"
                result.error = (result.error or "") + f"\nHTML rendering failed: {type(exc).__name__}: {exc}"
        by_stem[task.run_id] = result
        bar.set_postfix_str(f"{task.run_id} {result.status}")
        bar.update(1)
    bar.close()
    results = [by_stem[p.stem] for p in paths]
    index = write_index(results, build_dir / "html")
    if echo:
        width = max(len(p.stem) for p in paths)
        print(f"\n{'lesson':<{width}}  status  seconds")
        for r in results:
            print(f"{Path(r.notebook).stem:<{width}}  {r.status:<6}  {r.seconds:7.1f}")
        for r in results:
            if r.error:
                print(f"\n{r.error}")
        print(f"\nCourse map: {index}\nExecuted notebooks: {build_dir / 'notebooks'}")
    return results
