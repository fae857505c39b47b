"""The course site: a Sphinx project (MyST-NB, the book theme) built from executed lessons.

:func:`build_site` writes a Sphinx source tree into ``build/site-src/`` and runs
``sphinx-build`` on it into ``build/html/`` (written to a fresh folder and swapped in, so a
failed build leaves the last good site in place).  The tree is:

- ``index.md``: the home page, ``docs/home.md`` followed by the course map (each lesson's
  question, readings, exercise and the key results it recorded, labelled by the lesson's
  ``cxcourse.highlights`` metadata);
- ``lessons/NN_topic.ipynb``: the executed lessons, never executed again
  (``nb_execution_mode = "off"``), prepared by :func:`prepare_notebook`: every explorer
  (an ipywidgets view) is replaced by its default figure and summary with a line on how to
  run it live, progress bars are dropped, figures get their captions as alt text, and
  mentions of a reading link to its page;
- ``readings/*.md``: one page per reading of ``readings/``, listing the lessons that quote it;
- ``exercises.md``: the exercises, with the student notebooks to download;
- ``bibliography.md`` (``docs/references.bib``) and ``api/``: the reference of ``cxlib``
  generated from its numpydoc docstrings.

Everything the pages load is local: MathJax 3 comes from the ``sphinx-mathjax-offline``
package and is copied into ``_static/``; no widget manager or font is fetched from a CDN.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_site", "prepare_notebook", "format_highlight", "READINGS"]

#: The readings the lessons quote (``readings/<file>``): a title for each page.
READINGS = {
    "000_6dbbfaf15ab60b2f.txt": "Techniques for a customer-centric mindset",
    "001_54a63cd485e4840b.txt": "Nurturing a customer-centric mindset",
    "002_29f7c0463a63eb42.txt": "Customer centricity as five behaviours",
    "003_76b12731695d8fc6.txt": "Techniques for a customer service mindset",
    "004_0656c6b687fc57ea.txt": "Customer centricity: features, importance, approaches",
}

#: Modules of the API reference, in the order of the sidebar.
API_MODULES = (
    "cxlib", "cxlib.survey", "cxlib.loyalty", "cxlib.feedback", "cxlib.clv", "cxlib.churn",
    "cxlib.offers", "cxlib.journey", "cxlib.serviceprofit", "cxlib.referral", "cxlib.data",
    "cxlib.plots", "cxlib.widgets", "cxlib.params", "cxlib.records", "cxlib.notebooks",
    "cxlib.batch", "cxlib.course", "cxlib.exercises", "cxlib.grading",
)

_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_READING = re.compile(r"`(\d{3}_[0-9a-f]{16}\.txt)`")
_LIVE = ("*This explorer is live in JupyterLab: run `make lab`, open this lesson and run it; "
         "here you see its default view.*")


def _children(state: Mapping[str, Any], model_id: str) -> list[str]:
    children = state.get(model_id, {}).get("state", {}).get("children", [])
    return [c.removeprefix("IPY_MODEL_") for c in children]


def _walk(state: Mapping[str, Any], model_id: str) -> list[str]:
    """The model ids of a widget tree, depth first, the root included."""
    out = [model_id]
    for child in _children(state, model_id):
        out += _walk(state, child)
    return out


def _explorer_outputs(view: Mapping[str, Any], state: Mapping[str, Any]) -> list[dict] | None:
    """The static outputs that stand for one widget view, or None to drop it.

    A view whose tree holds an ``Output`` widget is an explorer (``cxlib.widgets``): it
    becomes a line listing its controls at their default values, how to run it live, its
    summary (the ``HTML`` widgets' values) and the outputs its ``Output`` widget held.  A
    view without one (a tqdm progress bar) is dropped: it says nothing once the run is over.
    """
    ids = _walk(state, view["model_id"])
    models = [state.get(i, {}) for i in ids]
    if not any(m.get("model_name") == "OutputModel" for m in models):
        return None
    controls, summaries, shown = [], [], []
    for m in models:
        s, name = m.get("state", {}), m.get("model_name", "")
        if name.endswith("SliderModel") or name in ("DropdownModel", "CheckboxModel", "ToggleButtonsModel",
                                                    "RadioButtonsModel", "SelectModel"):
            value = s.get("value")
            if name == "DropdownModel" or "index" in s and "_options_labels" in s:
                labels = s.get("_options_labels", [])
                value = labels[s["index"]] if isinstance(s.get("index"), int) and s["index"] < len(labels) else value
            controls.append(f"**{s.get('description', '').strip() or 'control'}** = {value}")
        elif name == "HTMLModel" and s.get("value"):
            summaries.append(s["value"])
        elif name == "OutputModel":
            shown += list(s.get("outputs", []))
    intro = _LIVE
    if controls:
        intro += " Its controls start at " + ", ".join(controls) + "."
    outputs: list[dict] = [{"output_type": "display_data", "metadata": {},
                            "data": {"text/markdown": intro, "text/plain": intro}}]
    outputs += [{"output_type": "display_data", "metadata": {},
                 "data": {"text/html": h, "text/plain": re.sub("<[^>]+>", "", h)}} for h in summaries]
    for o in shown:
        o = dict(o)
        o.setdefault("metadata", {})
        if o.get("output_type") == "execute_result":
            o["output_type"] = "display_data"
            o.pop("execution_count", None)
        outputs.append(o)
    return outputs


def prepare_notebook(nb: Any, *, reading_link: str = "../readings/{stem}.md") -> Any:
    """Make an executed lesson ready for the static site (returns a new notebook).

    - Each explorer's widget view is replaced by static outputs: how to run it live, its
      controls' default values, its summary line and its default figure (read from the
      widget state the executor stored); progress bars are dropped; the widget state and
      the papermill metadata are removed, so no page loads a widget manager.
    - Each figure gets the caption the lesson wrote for it as alt text
      (:func:`cxlib.course.figure_alt_texts`), through MyST-NB's cell metadata.
    - A reading named in a markdown cell (```001_54a63cd485e4840b.txt```) links to its page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed lesson.
    reading_link : str
        Link target for a reading, formatted with ``stem``.

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
    >>> state = {"v": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_o"]}},
    ...          "s": {"model_name": "FloatSliderModel", "state": {"description": "rate", "value": 0.3}},
    ...          "o": {"model_name": "OutputModel", "state": {"outputs": [
    ...              {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo="}}]}}}
    >>> view = new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "v"},
    ...                                         "text/plain": "VBox(...)"})
    >>> nb = new_notebook(cells=[new_markdown_cell("As `001_54a63cd485e4840b.txt` says."),
    ...                          new_code_cell("explore()", outputs=[view]),
    ...                          new_markdown_cell("**Figure 3.** Retention rises with the rate.")],
    ...                   metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {"state": state}}})
    >>> out = prepare_notebook(nb)
    >>> out.cells[0].source
    'As [`001_54a63cd485e4840b.txt`](../readings/001_54a63cd485e4840b.md) says.'
    >>> [sorted(o["data"]) for o in out.cells[1].outputs]
    [['text/markdown', 'text/plain'], ['image/png']]
    >>> "**rate** = 0.3" in out.cells[1].outputs[0]["data"]["text/markdown"]
    True
    >>> out.cells[1].metadata["mystnb"]["image"]["alt"]
    'Figure 3. Retention rises with the rate.'
    >>> "widgets" in out.metadata
    False
    """
    import copy

    import nbformat

    from cxlib.course import figure_alt_texts

    nb = copy.deepcopy(nb)
    state = nb.metadata.get("widgets", {}).get(_WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _READING.sub(lambda m: f"[`{m[1]}`]({reading_link.format(stem=m[1][:-4])})", cell.source)
            continue
        if cell.cell_type != "code":
            continue
        outputs = []
        for o in cell.get("outputs", []):
            view = o.get("data", {}).get(_WIDGET_VIEW)
            if view is None:
                outputs.append(o)
                continue
            replaced = _explorer_outputs(view, state)
            if replaced:
                summary = " ".join(r["data"]["text/plain"] for r in replaced[1:] if "text/html" in r.get("data", {}))
                cell.metadata["cx_explorer_alt"] = " ".join(f"The explorer's default figure. {summary}".split())
            outputs += [nbformat.from_dict(r) for r in replaced or []]
        cell.outputs = outputs
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("papermill", None)
    alts = iter(figure_alt_texts(nb))
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        n = sum(1 for o in cell.get("outputs", []) if {"image/png", "image/svg+xml"} & set(o.get("data", {})))
        texts = [next(alts) for _ in range(n)]
        explorer = cell.metadata.pop("cx_explorer_alt", None)
        if texts:
            alt = explorer if explorer and texts[0].startswith("Figure drawn by") else texts[0]
            cell.metadata.setdefault("mystnb", {})["image"] = {"alt": alt}
    return nb


def format_highlight(value: Any, fmt: str = "", none: str = "none") -> str:
    """A recorded value for people: numbers by ``fmt``, intervals as ``a to b``,
    mappings as ``key: value`` pairs, ``None`` as the text ``none``.

    Parameters
    ----------
    value : object
        A recorded value (JSON types).
    fmt : str
        A format spec for numbers (``".2f"``, ``".1%"``, ``",.0f"``); default: up to
        four significant digits.
    none : str
        What ``None`` means for this record (e.g. "not within the horizon").

    Returns
    -------
    str

    Examples
    --------
    >>> format_highlight(0.799296, ".2f"), format_highlight([0.7432, 0.8457], ".2f")
    ('0.80', '0.74 to 0.85')
    >>> format_highlight({"fixed": 123229.0, "customer_centric": 120001.4}, ",.0f")
    'fixed: 123,229; customer centric: 120,001'
    >>> format_highlight(None, none="never pays"), format_highlight(True), format_highlight("fixed")
    ('never pays', 'yes', 'fixed')
    """
    if value is None:
        return none
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return format(value, fmt) if fmt else format(value, ",.4g")
    if isinstance(value, str):
        return value.replace("_", " ")
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            return f"{format_highlight(value[0], fmt)} to {format_highlight(value[1], fmt)}"
        return ", ".join(format_highlight(v, fmt, none) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{str(k).replace('_', ' ')}: {format_highlight(v, fmt, none)}" for k, v in value.items())
    return str(value)


def _failure_note(failure: str) -> str:
    return (f":::{{error}}\nThis lesson **failed** when the site was built: {failure}. "
            "Its page shows the run up to the failing cell.\n:::\n")


def _lesson_block(stem: str, info: Mapping[str, Any], nb: Any, records: Mapping[str, Any], exercise: bool,
                  failure: str | None) -> str:
    meta = nb.metadata.get("cxcourse", {})
    lines = [f"### [{info['title']}](lessons/{stem}.ipynb)", ""]
    if failure:
        lines += [_failure_note(failure)]
    lines += [f"**Question.** {info['question']}", ""]
    readings = [f"[{READINGS.get(r, r)}](readings/{r[:-4]}.md)" for r in meta.get("readings", [])]
    if readings:
        lines += ["**Readings.** " + "; ".join(readings), ""]
    if exercise:
        lines += [f"**Exercise.** [{stem}](exercises.md#exercise-{stem.replace('_', '-')})", ""]
    shown = [h for h in meta.get("highlights", []) if h["record"] in records]
    if shown:
        lines += ["**Key results** (recorded by the lesson at the parameters it was run with):", ""]
        lines += [f"- {h['label']}: **{format_highlight(records[h['record']], h.get('format', ''), h.get('none', 'none'))}**"
                  for h in shown]
        lines.append("")
    return "\n".join(lines)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _source_tree(executed: Sequence[Path], src: Path, root: Path, records: Mapping[str, Mapping[str, Any]],
                 failures: Mapping[str, str]) -> None:
    """Write the Sphinx source tree of the site into ``src`` (an empty folder)."""
    import nbformat

    from cxlib.notebooks import lesson_info
    from cxlib.records import read_records

    docs = root / "docs"
    shutil.copytree(docs, src, dirs_exist_ok=True)
    (src / "_static" / "mathjax").mkdir(parents=True, exist_ok=True)
    shutil.copy2(_mathjax(), src / "_static" / "mathjax" / "tex-svg-full.js")

    stems, quoted_by, blocks, titles = [], {r: [] for r in READINGS}, [], {}
    student = root / "exercises" / "student"
    for path in executed:
        path = Path(path)
        nb = nbformat.read(path, as_version=4)
        stem = path.stem
        stems.append(stem)
        info = lesson_info(path)
        titles[stem] = info["title"]
        recs = records.get(stem) if stem in records else read_records(nb)
        has_exercise = (student / f"{stem}.ipynb").exists()
        blocks.append(_lesson_block(stem, info, nb, recs, has_exercise, failures.get(stem)))
        for r in nb.metadata.get("cxcourse", {}).get("readings", []):
            quoted_by.setdefault(r, []).append(stem)
        page = prepare_notebook(nb)
        page.cells.insert(1, nbformat.v4.new_markdown_cell(_lesson_banner(nb, stem, has_exercise, failures.get(stem))))
        (src / "lessons").mkdir(exist_ok=True)
        nbformat.write(page, src / "lessons" / f"{stem}.ipynb")

    home = (docs / "home.md").read_text(encoding="utf-8")
    readings_list = "\n".join(f"- [{t}](readings/{f[:-4]}.md) (`{f}`)" for f, t in READINGS.items())
    toc = ("\n```{toctree}\n:hidden:\n:caption: Lessons\n\n" + "\n".join(f"lessons/{s}" for s in stems) + "\n```\n"
           "\n```{toctree}\n:hidden:\n:caption: Readings\n\n" + "\n".join(f"readings/{f[:-4]}" for f in READINGS)
           + "\n```\n\n```{toctree}\n:hidden:\n:caption: Reference\n\nexercises\nbibliography\napi/index\n```\n")
    _write(src / "index.md", home.replace("{readings}", readings_list) + "\n## The course map\n\n"
           + "\n".join(blocks) + toc)

    for file, title in READINGS.items():
        text = (root / "readings" / file).read_text(encoding="utf-8")
        lessons = ", ".join(f"[{titles[s]}](../lessons/{s}.ipynb)" for s in quoted_by.get(file, [])) or "no lesson yet"
        _write(src / "readings" / f"{file[:-4]}.md",
               f"# {title}\n\n*The reading `{file}`, as the course uses it. Quoted by: {lessons}.*\n\n"
               "```{raw} html\n<div class=\"cx-reading\">\n```\n\n" + _reading_markdown(text)
               + "\n\n```{raw} html\n</div>\n```\n")

    rows = []
    for s in stems:
        if (student / f"{s}.ipynb").exists():
            (src / "exercises").mkdir(exist_ok=True)
            shutil.copy2(student / f"{s}.ipynb", src / "exercises" / f"{s}.ipynb")
            rows.append(f"({'exercise-' + s.replace('_', '-')})=\n### Exercise {s}\n\n"
                        f"For [the lesson](lessons/{s}.ipynb). {{download}}`Download the student notebook <exercises/{s}.ipynb>`"
                        " and open it in JupyterLab (`make lab` opens the course, exercises included).\n")
    intro = (root / "exercises" / "README.md").read_text(encoding="utf-8")
    _write(src / "exercises.md", _exercises_page(intro) + "\n## The exercises\n\n" + "\n".join(rows))

    pages = []
    for mod in API_MODULES:
        pages.append(mod)
        _write(src / "api" / f"{mod}.md",
               f"# `{mod}`\n\n```{{eval-rst}}\n.. automodule:: {mod}\n   :members:\n   :imported-members:\n```\n")
    _write(src / "api" / "index.md",
           "# API reference\n\nThe library behind the lessons, generated from its numpydoc docstrings. "
           "Every example runs in the test suite.\n\n```{toctree}\n:maxdepth: 1\n\n" + "\n".join(pages) + "\n```\n")


def _mathjax() -> Path:
    """MathJax 3's single-file TeX-to-SVG build, from the sphinx-mathjax-offline package."""
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the course site needs the sphinx-mathjax-offline package (MathJax 3, offline): "
                                  "run `make setup`")
    return Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "tex-svg-full.js"


def _lesson_banner(nb: Any, stem: str, has_exercise: bool, failure: str | None = None) -> str:
    readings = nb.metadata.get("cxcourse", {}).get("readings", [])
    parts = []
    if readings:
        parts.append("**Readings:** " + "; ".join(f"[{READINGS.get(r, r)}](../readings/{r[:-4]}.md)" for r in readings))
    if has_exercise:
        parts.append(f"**Exercise:** [{stem}](../exercises.md#exercise-{stem.replace('_', '-')})")
    parts.append(f"**Run it yourself:** `make lab`, then open `notebooks/{stem}.ipynb` (sliders and parameters "
                 "are live there); or download this page's notebook with the button at the top.")
    note = _failure_note(failure) + "\n" if failure else ""
    return note + ":::{admonition} About this lesson\n:class: tip\n\n" + "\n\n".join(parts) + "\n:::\n"


def _reading_markdown(text: str) -> str:
    """A reading's plain text as Markdown: underlined titles and ``#`` headings become
    headings, nothing else is interpreted (markup characters are escaped)."""
    lines = text.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if re.fullmatch(r"\s*-{3,}\s*", line) and out and out[-1].strip():
            out[-1] = "## " + out[-1].lstrip("\\")
            continue
        heading = re.match(r"(#{1,6})\s+(.*)", line)
        if heading:  # the reading's own Markdown headings, one level below the page title
            out.append("#" * max(2, len(heading[1])) + " " + _escape(heading[2]))
        else:
            out.append(_escape(line) if line.strip() else "")
    return "\n".join(out)


def _escape(text: str) -> str:
    """Markdown markup characters in plain text, escaped."""
    return re.sub(r"([\\`*_{}\[\]<>#|~$])", r"\\\1", text)


def _exercises_page(readme: str) -> str:
    """``exercises/README.md`` for the site: its table and its students' section."""
    return readme.split("\n## Instructors")[0]


def build_site(
    executed: Sequence[str | os.PathLike],
    site_dir: str | os.PathLike = "build/html",
    *,
    root: str | os.PathLike = ".",
    records: Mapping[str, Mapping[str, Any]] | None = None,
    failures: Mapping[str, str] | None = None,
    source_dir: str | os.PathLike | None = None,
    echo: bool = True,
) -> Path:
    """Build the course site from executed lessons with Sphinx (MyST-NB, the book theme).

    Parameters
    ----------
    executed : sequence of paths
        The executed lessons, in course order.
    site_dir : path, default "build/html"
        Where the site goes (replaced only when the build succeeds).
    root : path, default "."
        The course folder: its ``docs/``, ``readings/`` and ``exercises/``.
    records : mapping, optional
        Each lesson's recorded results by stem; read from the notebooks when missing.
    failures : mapping, optional
        Why a lesson failed, by stem: the course map and the lesson's page say so.
    source_dir : path, optional
        Where to write the Sphinx sources; default ``<site_dir>/../site-src``.
    echo : bool
        Show Sphinx's warnings and the result.

    Returns
    -------
    pathlib.Path
        ``site_dir``; its ``index.html`` is the home page.

    Raises
    ------
    RuntimeError
        When Sphinx fails, with its last lines of output.

    Examples
    --------
    Building the site renders every lesson, which takes a minute:

    >>> import pathlib
    >>> build_site(sorted(pathlib.Path("build/notebooks").glob("*.ipynb")))  # needs cx course's runs  # doctest: +SKIP
    PosixPath('build/html')
    """
    root = Path(root).resolve()
    site_dir = Path(site_dir)
    src = Path(source_dir) if source_dir else site_dir.parent / "site-src"
    if not (root / "docs" / "conf.py").exists():
        raise FileNotFoundError(f"root {str(root)!r} has no docs/conf.py: run cx course in the course folder")
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    _source_tree([Path(p) for p in executed], src, root, records or {}, failures or {})
    fresh = site_dir.with_name(site_dir.name + ".new")
    if fresh.exists():
        shutil.rmtree(fresh)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "auto", str(src), str(fresh),
           "-d", str(src / ".doctrees")]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"sphinx-build failed (exit {proc.returncode}):\n{tail}")
    # numpydoc turns the "Examples"/"References" headings of every module docstring into
    # rubrics with the same implicit name, which Sphinx reports once per module; nothing links
    # to them, so those lines are left out of what the user sees.
    warnings = [line for line in proc.stderr.splitlines()
                if line.strip() and not re.search(r"duplicate label (examples|references),", line)]
    if echo and warnings:
        print("\n".join(warnings), file=sys.stderr)
    old = site_dir.with_name(site_dir.name + ".old")
    if site_dir.exists():
        site_dir.rename(old)
    fresh.rename(site_dir)
    if old.exists():
        shutil.rmtree(old)
    return site_dir
