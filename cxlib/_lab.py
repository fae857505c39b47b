"""What ``make lab`` and the git filter strip from a notebook: one list, one function.

A lesson a student ran must save back to the bytes git has, or ``git status`` shows it
modified.  Two pieces do that, with the same keys:

* the git clean filter (``.gitattributes``; ``make setup`` points it at ``.venv/bin/nbstripout
  --keep-id --extra-keys ...``), for whatever a contributor stages;
* :func:`strip_on_save`, the ``ContentsManager.pre_save_hook`` of the JupyterLab that
  ``make lab`` starts, because a filter alone leaves ``git status`` saying "modified" for a file
  whose size changed, even when it cleans to the committed bytes (git compares sizes before
  contents, and ``git diff`` then shows nothing).

Stripped: outputs, execution counts, nbstripout's default metadata (widget state, timings,
collapsed/scrolled) and what a kernel adds to ``metadata.language_info`` beyond its name.
Cell ids are kept (JupyterLab keeps them too).
"""

from __future__ import annotations

from typing import Any

__all__ = ["STRIP_KEYS", "strip", "strip_on_save"]

#: Extra keys stripped on top of nbstripout's defaults; the Makefile's STRIP_KEYS is the same list.
STRIP_KEYS = (
    "metadata.language_info.codemirror_mode",
    "metadata.language_info.file_extension",
    "metadata.language_info.mimetype",
    "metadata.language_info.nbconvert_exporter",
    "metadata.language_info.pygments_lexer",
    "metadata.language_info.version",
)

#: nbstripout's own default extra keys (its command line adds them; its function does not).
_NBSTRIPOUT_DEFAULTS = (
    "metadata.signature",
    "metadata.widgets",
    "cell.metadata.collapsed",
    "cell.metadata.ExecuteTime",
    "cell.metadata.execution",
    "cell.metadata.heading_collapsed",
    "cell.metadata.hidden",
    "cell.metadata.scrolled",
)


def strip(nb: Any) -> Any:
    """Strip ``nb`` (an ``nbformat.NotebookNode``) in place, as the git filter does; return it."""
    from nbstripout import strip_output

    return strip_output(nb, keep_output=False, keep_count=False, keep_id=True,
                        extra_keys=[*_NBSTRIPOUT_DEFAULTS, *STRIP_KEYS])


def strip_on_save(model: dict, path: str = "", **kwargs: Any) -> None:
    """A jupyter_server ``pre_save_hook``: save the course's own notebooks without outputs.

    Only notebooks under ``notebooks/`` and ``exercises/`` (the files git tracks, relative to
    the course folder ``make lab`` serves) are stripped; JupyterLab keeps showing their
    outputs, only the file on disk is clean.  Any other file, a student's own notebook
    included, is saved as it is.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook, new_output
    >>> def model():
    ...     cell = new_code_cell("1 + 1", execution_count=1,
    ...                          outputs=[new_output("execute_result", {"text/plain": "2"}, execution_count=1)])
    ...     return {"type": "notebook", "content": new_notebook(cells=[cell])}
    >>> lesson, mine = model(), model()
    >>> strip_on_save(lesson, path="notebooks/02_loyalty_and_revenue.ipynb")
    >>> strip_on_save(mine, path="my_work/scratch.ipynb")
    >>> lesson["content"]["cells"][0]["outputs"], len(mine["content"]["cells"][0]["outputs"])
    ([], 1)
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    if not str(path).lstrip("/").startswith(("notebooks/", "exercises/")):
        return
    import nbformat

    model["content"] = strip(nbformat.from_dict(model["content"]))


def smoke_copy(notebook: Any, out: Any) -> Any:
    """Write a copy of a lesson that runs at its smoke parameters in JupyterLab; return its path.

    The smoke set (:func:`cxlib.notebooks.smoke_parameters`) goes into a cell tagged
    ``injected-parameters`` right after the ``parameters`` cell, as papermill puts it for
    ``cx run --smoke``; nothing is run.
    """
    from pathlib import Path

    import nbformat

    from cxlib.notebooks import smoke_parameters

    nb = nbformat.read(notebook, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    lines = [f"{name} = {value!r}" for name, value in smoke_parameters(notebook).items()]
    cell = nbformat.v4.new_code_cell("# Parameters: the lesson's smoke set\n" + "\n".join(lines),
                                     metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(at + 1, cell)
    out = Path(out)
    nbformat.write(nb, out)
    return out
