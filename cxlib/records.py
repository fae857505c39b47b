"""Named results stored in a notebook's outputs, for batches and grading to read.

``record(name, value)`` displays a bundle with a custom JSON mimetype
(:data:`MIMETYPE`) plus one short ``text/plain`` line; the executed notebook keeps the
bundle in the cell's outputs.  ``read_records`` reads the values back from an executed
notebook, so nothing downstream ever scrapes printed text.

Values are converted to JSON: numbers, strings, booleans and ``None`` as they are;
numpy scalars and arrays through ``.item()``/``.tolist()``; a pandas Series as a dict
``{index: value}``; a DataFrame as a list of row dicts (a named or non-default index
becomes a column); tuples and sets as lists; dicts and lists recursively.  ``NaN`` and
infinities become ``None`` (JSON has no such numbers).
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["MIMETYPE", "record", "read_records", "to_json", "format_value", "format_p"]

#: The mimetype under which records are stored in notebook outputs.
MIMETYPE = "application/vnd.cxcourse.record+json"

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_ACCEPTED = (
    "numbers, strings, booleans, None, lists, tuples, dicts with string keys, "
    "numpy scalars and arrays, pandas Series and DataFrames"
)


def to_json(value: Any, *, _where: str = "value") -> Any:
    """Convert ``value`` into plain JSON types (see the module docstring).

    :func:`record` stores what this returns.

    Parameters
    ----------
    value : object
        Numbers, strings, booleans, ``None``, lists, tuples, sets, dicts with string
        or number keys, numpy scalars and arrays, pandas Series and DataFrames.

    Returns
    -------
    object
        The same data built from ``dict``, ``list``, ``str``, ``int``, ``float``,
        ``bool`` and ``None`` only.

    Raises
    ------
    TypeError
        For anything else, naming where in ``value`` it was found.

    Examples
    --------
    >>> import numpy as np
    >>> to_json({"a": np.float64(1.5), "b": np.arange(3), "c": (1, float("nan"))})
    {'a': 1.5, 'b': [0, 1, 2], 'c': [1, None]}

    A Series becomes a dict; a DataFrame a list of rows, its named index a column:

    >>> import pandas as pd
    >>> to_json(pd.Series([0.8, 0.6], index=["year1", "year2"]))
    {'year1': 0.8, 'year2': 0.6}
    >>> table = pd.DataFrame({"segment": ["budget", "premium"], "share": [0.8, 0.2]})
    >>> to_json(table.set_index("segment"))
    [{'segment': 'budget', 'share': 0.8}, {'segment': 'premium', 'share': 0.2}]
    >>> to_json({"fit": object()})
    Traceback (most recent call last):
    ...
    TypeError: record value['fit'] of type object cannot be stored; accepted are numbers, ...
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)):
                raise TypeError(
                    f"record {_where} has a key {key!r} of type {type(key).__name__}; "
                    "dict keys must be strings or numbers"
                )
            out[str(key)] = to_json(item, _where=f"{_where}[{key!r}]")
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_json(item, _where=f"{_where}[{i}]") for i, item in enumerate(items)]
    module = type(value).__module__.split(".")[0]
    if module == "numpy":
        if hasattr(value, "tolist"):
            return to_json(value.tolist(), _where=_where)
    if module == "pandas":
        import pandas as pd

        if isinstance(value, pd.Series):
            return to_json(dict(zip(map(str, value.index), value.tolist())), _where=_where)
        if isinstance(value, pd.DataFrame):
            frame = value
            if not isinstance(frame.index, pd.RangeIndex) or any(frame.index.names):
                frame = frame.reset_index()
            frame.columns = [str(c) for c in frame.columns]
            return to_json(frame.to_dict(orient="records"), _where=_where)
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
    raise TypeError(
        f"record {_where} of type {type(value).__name__} cannot be stored; "
        f"accepted are {_ACCEPTED}"
    )


def format_p(p: float, *, digits: int = 2, floor: float = 0.001) -> str:
    """A p-value as a reader expects it: ``"p = 0.032"``, ``"p < 0.001"``, never ``"p = 0"``.

    A p-value computed as 0 is a number too small to represent, not zero; below
    ``floor`` the exact value carries no information a reader can use.

    Parameters
    ----------
    p : float
        The p-value, in [0, 1].
    digits : int, default 2
        Significant digits above ``floor``.
    floor : float, default 0.001
        Values below it are written ``p < floor``.

    Returns
    -------
    str

    Examples
    --------
    >>> format_p(0.0321), format_p(0.5), format_p(0.0), format_p(2e-12)
    ('p = 0.032', 'p = 0.5', 'p < 0.001', 'p < 0.001')
    """
    from cxlib import params

    p = params.real("p", p, min=0, max=1)
    floor = params.real("floor", floor, min=0, max=1, min_inclusive=False)
    if p < floor:
        return f"p < {floor:g}"
    return f"p = {p:.{digits}g}"


def format_value(value: Any, *, digits: int = 6, width: int = 60) -> str:
    """A recorded value as short text for tables: numbers to ``digits`` significant
    digits (also in short numeric lists), anything else as JSON cut to ``width``.

    The course map (:func:`cxlib.course.write_index`) and ``cx run`` show records
    this way.

    Parameters
    ----------
    value : object
        A recorded value (already converted by :func:`to_json`).
    digits : int, default 6
        Significant digits of floats.
    width : int, default 60
        Longest text returned; longer text ends in ``...``.

    Returns
    -------
    str

    Examples
    --------
    >>> format_value(3.14159265), format_value([0.123456789, 2]), format_value({"a": 1})
    ('3.14159', '[0.123457, 2]', '{"a": 1}')
    >>> format_value(0.0123456, digits=3)
    '0.0123'
    >>> format_value(None), format_value(True)
    ('null', 'true')
    >>> format_value(list(range(50)), width=20)
    '[0, 1, 2, 3, 4, 5...'
    """
    def number(v: Any) -> str:
        return f"{v:.{digits}g}" if isinstance(v, float) else str(v)

    if isinstance(value, float):
        text = number(value)
    elif (isinstance(value, list) and 0 < len(value) <= 4
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        text = "[" + ", ".join(number(v) for v in value) + "]"
    else:
        text = json.dumps(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def record(name: str, value: Any, *, show: bool = True) -> None:
    """Store a named result in the notebook's outputs.

    Returns nothing, so that ``record(...)`` as the last line of a cell adds no
    ``Out[n]:`` echo of the value; :func:`to_json` gives the stored form.

    Parameters
    ----------
    name : str
        A short identifier (letters, digits, ``_``, ``.``, ``-``; not starting with a
        digit).  Recording the same name again replaces the earlier value when the
        notebook is read back.
    value : object
        Anything :func:`to_json` accepts.
    show : bool, default True
        Whether the student sees one short line (``recorded: name = value``).  With
        ``show=False`` the output is invisible in JupyterLab and in HTML.

    Examples
    --------
    Outside a notebook the short line is simply printed:

    >>> record("answer", 42)
    recorded: answer = 42
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"record name must be a short identifier (letters, digits, '_', '.', '-', "
            f"not starting with a digit); got {name!r}"
        )
    data = to_json(value, _where=repr(name))
    bundle = {MIMETYPE: {"name": name, "value": data}}
    if show:
        bundle["text/plain"] = f"recorded: {name} = {format_value(data, width=70)}"
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        get_ipython = lambda: None  # noqa: E731
    if get_ipython() is not None:
        from IPython.display import display

        display(bundle, raw=True)
    elif show:
        print(bundle["text/plain"])


def read_records(notebook: str | os.PathLike | Mapping) -> dict[str, Any]:
    """Read the records of an executed notebook; the last value of a name wins.

    Parameters
    ----------
    notebook : path or notebook
        A path to an ``.ipynb`` file, or a notebook already read (an
        ``nbformat.NotebookNode`` or a plain dict with ``cells``).

    Returns
    -------
    dict
        ``{name: value}`` in the order the names were first recorded.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "outputs": [
    ...     {"output_type": "display_data", "metadata": {},
    ...      "data": {MIMETYPE: {"name": "slope", "value": 1.5}}}]}]}
    >>> read_records(nb)
    {'slope': 1.5}
    """
    if isinstance(notebook, (str, os.PathLike)):
        path = Path(notebook)
        if not path.is_file():
            raise FileNotFoundError(f"notebook {str(path)!r} does not exist")
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"notebook {str(path)!r} is not valid notebook JSON: {exc}") from None
    if not isinstance(notebook, Mapping) or "cells" not in notebook:
        raise TypeError(
            f"notebook must be a path to an .ipynb file or a notebook with 'cells'; "
            f"got {type(notebook).__name__}"
        )
    found: dict[str, Any] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", ()) if cell.get("cell_type") == "code" else ():
            payload = output.get("data", {}).get(MIMETYPE)
            if isinstance(payload, str):  # some writers store JSON mimetypes as text
                payload = json.loads(payload)
            if isinstance(payload, Mapping) and "name" in payload:
                found[payload["name"]] = payload.get("value")
    return found
