"""Customer journeys as paths for :mod:`cxlib.journey` (lesson 08): reading aggregated path
strings (the ChannelAttribution format) and event logs, with clear messages for bad paths.

A *paths table* is a DataFrame with one row per distinct journey: ``path`` (a tuple of
touchpoints, in order), ``conversions``, ``value`` (total conversion value) and ``nulls``
(journeys that ended without converting), as ChannelAttribution's ``markov_model`` expects.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["read_paths", "paths_from_log", "RESERVED"]

#: Names reserved for the chain's own states; no touchpoint may use them.
RESERVED: tuple[str, ...] = ("(start)", "(conversion)", "(null)")


def _split(text: Any, sep: str, row: Any) -> tuple[str, ...]:
    if not isinstance(text, str):
        raise TypeError(f"path at row {row!r} must be a string like 'a {sep} b'; got {text!r} ({type(text).__name__})")
    parts = tuple(p.strip() for p in text.split(sep))
    if not text.strip() or any(p == "" for p in parts):
        what = "is empty" if not text.strip() else f"has an empty touchpoint (two {sep!r} in a row, or one at an end)"
        raise ValueError(f"path at row {row!r} {what}: {text!r}; a path is touchpoints separated by {sep!r}")
    bad = [p for p in parts if p in RESERVED]
    if bad:
        raise ValueError(f"path at row {row!r} uses the reserved name {bad[0]!r}; rename that touchpoint")
    return parts


_ROW = "\x1e"  # joins the rows' texts for the one-pass parse below (the ASCII record separator)
#: Every character ``str.isspace`` (and so ``str.strip``) treats as whitespace, except ``_ROW``
#: (the first nine are the ASCII ones).
_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
          "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _split_all(texts: pd.Series, sep: str) -> tuple[list[tuple[str, ...]], list[str] | None]:
    """Split every path string at once: the rows joined into one text, the whitespace around each
    separator removed (a plain replacement of ``" > "``; a regular expression only when other
    whitespace touches a separator), then one ``str.split`` per row (no Python work per touch).
    Anything unusual (a non-string, an empty path or touchpoint, a reserved name, a separator
    with whitespace at its ends, the joining character inside a path) goes row by row through
    :func:`_split`, which names the row in its message.  Returns the paths and, on the fast
    path, the normalised row texts (equal texts, equal paths: cheaper to compare)."""
    values = texts.tolist()
    slow = sep != sep.strip() or set(map(type, values)) != {str}
    if not slow:
        joined = _ROW.join(values)
        norm = joined.replace(f" {sep} ", sep)
        present = [w for w in (_SPACE[:9] if norm.isascii() else _SPACE) if w in norm]
        if (norm[:1].isspace() or norm[-1:].isspace()
                or any(m + w in norm or w + m in norm for w in present for m in (sep, _ROW))):
            space = f"[^\\S{_ROW}]*"  # whitespace, but not the row joiner (which str.isspace counts)
            for mark in (sep, _ROW):
                norm = re.sub(f"{space}{re.escape(mark)}{space}", mark.replace("\\", "\\\\"), norm)
            norm = re.sub(f"^{space}|{space}$", "", norm)
        doubled = (sep + sep, _ROW + sep, sep + _ROW, _ROW + _ROW)
        slow = (not norm or joined.count(_ROW) != len(values) - 1 or norm.count(_ROW) != len(values) - 1
                or any(d in norm for d in doubled) or norm.startswith((sep, _ROW)) or norm.endswith((sep, _ROW))
                or any(r in norm for r in RESERVED))
    if slow:  # the exact row-by-row reading, with its messages (or a result when nothing was wrong after all)
        return [_split(text, sep, idx) for idx, text in zip(texts.index, values)], None
    rows = norm.split(_ROW)
    return [tuple(row.split(sep)) for row in rows], rows


def read_paths(
    data: pd.DataFrame,
    path: str = "path",
    conversions: str = "total_conversions",
    value: str | None = "total_conversion_value",
    nulls: str | None = "total_null",
    *,
    sep: str = ">",
    collapse_repeats: bool = False,
) -> pd.DataFrame:
    """Read aggregated journeys: one row per path string with its counts (ChannelAttribution's format).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per distinct path.
    path : str, default "path"
        Column of path strings, touchpoints separated by ``sep`` (``"a > b > c"``).
    conversions : str, default "total_conversions"
        Column: journeys along this path that converted.
    value : str or None, default "total_conversion_value"
        Column: their total conversion value (None: no values).
    nulls : str or None, default "total_null"
        Column: journeys along this path that did not convert (None: all paths are
        conversions only, as in some exports; a Markov model then has nothing to lose).
    sep : str, default ">"
        The separator.  A path whose touchpoints look separated by something else (e.g.
        ``"a/b"`` when ``sep=">"``) is one touchpoint named ``"a/b"``: check the result.
    collapse_repeats : bool, default False
        Merge repeated consecutive touchpoints (``a > a > b`` becomes ``a > b``).  They do not
        change conversion probabilities or removal effects (a self-loop only delays), but they
        do change time in state and the linear heuristic.

    Returns
    -------
    pandas.DataFrame
        ``path`` (tuples), ``conversions``, ``value``, ``nulls``, one row per distinct path
        (rows with the same path after parsing are added up).

    Raises
    ------
    ValueError
        Empty paths or touchpoints, negative or non-integer counts, rows with no journeys, a
        touchpoint named like a chain state; the message names the row.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import read_paths
    >>> raw = pd.DataFrame({"path": ["a > b", "b", "a > b"], "total_conversions": [1, 0, 2],
    ...                     "total_conversion_value": [10.0, 0.0, 30.0], "total_null": [3, 5, 0]})
    >>> read_paths(raw)
         path  conversions  value  nulls
    0  (a, b)            3   40.0      3
    1    (b,)            0    0.0      5
    >>> read_paths(pd.DataFrame({"path": ["a > > b"], "total_conversions": [1]}), value=None, nulls=None)
    Traceback (most recent call last):
    ...
    ValueError: path at row 0 has an empty touchpoint (two '>' in a row, or one at an end): 'a > > b'; a path is touchpoints separated by '>'
    """
    import pandas as pd

    params.frame("data", data, {"path": path, "conversions": conversions, "value": value, "nulls": nulls},
                 empty=False)
    sep = params.text("sep", sep)
    collapse = params.boolean("collapse_repeats", collapse_repeats)
    counts = {}
    for role, col in (("conversions", conversions), ("nulls", nulls), ("value", value)):
        if col is None:
            counts[role] = np.zeros(len(data))
            continue
        arr = params.array(f"{role} column {col!r}", data[col].to_numpy(), "numbers >= 0", ndim=1, finite=True)
        want = "numbers >= 0" if role == "value" else "whole numbers >= 0"
        bad = (arr < 0) if role == "value" else (arr < 0) | (arr != np.round(arr))
        params.elements(f"{role} column {col!r}", arr, bad, want)
        counts[role] = arr
    journeys = counts["conversions"] + counts["nulls"]
    if np.any(journeys == 0):
        i = int(np.flatnonzero(journeys == 0)[0])
        raise ValueError(f"row {data.index[i]!r} has no journeys (0 conversions and 0 nulls); drop it")
    parsed, keys = _split_all(data[path], sep)
    if collapse:
        parsed = [tuple(p for k, p in enumerate(parts) if k == 0 or p != parts[k - 1]) for parts in parsed]
        keys = None
    return _table(parsed, counts["conversions"], counts["value"], counts["nulls"], keys)


def _table(parsed: list[tuple[str, ...]], conversions: np.ndarray, value: np.ndarray, nulls: np.ndarray,
           keys: list[str] | None = None) -> pd.DataFrame:
    """The paths table, rows with the same path added up (in order of first appearance); ``keys``,
    one text per path (equal exactly when the paths are equal), are faster to compare than tuples."""
    import pandas as pd

    objects = np.empty(len(parsed), dtype=object)
    objects[:] = parsed
    if len(set(parsed if keys is None else keys)) < len(objects):  # (aggregated tables seldom repeat a path)
        codes, uniques = pd.factorize(objects if keys is None else np.array(keys, dtype=object), sort=False)
        n = len(uniques)
        conversions, value, nulls = (np.bincount(codes, weights=x, minlength=n) for x in (conversions, value, nulls))
        first = np.full(n, len(codes))
        np.minimum.at(first, codes, np.arange(len(codes)))
        objects = objects[first]
    return pd.DataFrame({"path": objects, "conversions": np.asarray(conversions, np.int64),
                         "value": np.asarray(value, float), "nulls": np.asarray(nulls, np.int64)})


def paths_from_log(
    log: pd.DataFrame,
    customer: str = "customer",
    time: str = "time",
    touchpoint: str = "touchpoint",
    outcome: str = "converted",
    value: str | None = None,
) -> pd.DataFrame:
    """Turn an event log (one row per touchpoint visit) into a paths table.

    Each customer's visits, in time order, make one journey; it counts as a conversion when
    the customer's ``outcome`` is 1 on any row (the conversion ends the journey), else as a
    null.  ``value`` (optional) is summed over the customer's rows.

    Parameters
    ----------
    log : pandas.DataFrame
    customer, time, touchpoint, outcome : str
        Columns: who, when (anything sortable), where, and 0/1 converted.
    value : str, optional
        Column of conversion value.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_paths`.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import paths_from_log
    >>> log = pd.DataFrame({"customer": [1, 1, 2, 2, 2], "time": [1, 2, 1, 3, 2],
    ...                     "touchpoint": ["a", "b", "a", "c", "b"], "converted": [0, 1, 0, 0, 0]})
    >>> paths_from_log(log)
            path  conversions  value  nulls
    0     (a, b)            1    0.0      0
    1  (a, b, c)            0    0.0      1
    """
    import pandas as pd

    params.frame("log", log, {"customer": customer, "time": time, "touchpoint": touchpoint, "outcome": outcome,
                              "value": value}, empty=False)
    y = log[outcome]
    if y.isna().any() or not y.isin([0, 1]).all():
        bad = y[y.isna() | ~y.isin([0, 1])]
        raise ValueError(f"outcome column {outcome!r} must hold 0 or 1; got {bad.tolist()[0]!r} at row "
                         f"{bad.index.tolist()[0]!r}")
    names = log[touchpoint].astype(str)
    reserved = names.isin(RESERVED)
    if reserved.any():
        raise ValueError(f"touchpoint {names[reserved].iloc[0]!r} at row {names.index[reserved][0]!r} is a reserved "
                         "name; rename it")
    who = log[customer]
    if who.isna().any():
        raise ValueError(f"customer column {customer!r} is missing at row {who.index[who.isna()][0]!r}; "
                         "every visit needs its customer")
    ordered = log.assign(_tp=names).sort_values([customer, time], kind="stable")
    # each customer's visits are consecutive rows now: cut the touchpoints into journeys there
    # (numpy, not a Python function per group: five times faster on 16,000 customers)
    ids = ordered[customer].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    paths = [tuple(p) for p in np.split(ordered["_tp"].to_numpy(object), starts[1:])]
    converted = np.maximum.reduceat(ordered[outcome].to_numpy(np.int64), starts)
    frame = pd.DataFrame({"path": paths, "conversions": converted,
                          "value": np.add.reduceat(ordered[value].fillna(0).to_numpy(float), starts) if value is not None else 0.0,
                          "nulls": 1 - converted})
    return frame.groupby("path", sort=False, as_index=False).sum()
