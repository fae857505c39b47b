"""Checks of item tables for :mod:`cxlib.survey`: numeric items, missing answers, reverse keying.

Every check goes through :mod:`cxlib.params`, so each bad input fails at once with one line
that names the argument, the value and what is valid.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["MISSING", "check_items", "check_scale", "check_reverse", "check_missing", "complete_mask", "complete_rows"]

#: Ways of handling missing answers (pingouin's ``nan_policy`` names).
MISSING = ("listwise", "pairwise")


def check_missing(missing: Any) -> str:
    """``missing`` must be ``"listwise"`` or ``"pairwise"``.

    Examples
    --------
    >>> check_missing("pairwise")
    'pairwise'
    >>> check_missing("pairwize")
    Traceback (most recent call last):
    ...
    ValueError: missing 'pairwize' is not known; valid choices are 'listwise', 'pairwise'; did you mean 'pairwise'?
    """
    return params.choice("missing", missing, MISSING)


def check_scale(scale: Any) -> tuple[float, float] | None:
    """``scale`` must be ``None`` or ``(low, high)``, the lowest and highest possible answers.

    Examples
    --------
    >>> check_scale((1, 5))
    (1.0, 5.0)
    >>> check_scale((5, 1))
    Traceback (most recent call last):
    ...
    ValueError: scale must be (low, high) with low < high, the lowest and highest possible answers, e.g. (1, 5); got (5, 1)
    """
    if scale is None:
        return None
    want = "(low, high) with low < high, the lowest and highest possible answers, e.g. (1, 5)"
    if isinstance(scale, (str, bytes)) or not isinstance(scale, Iterable):
        raise TypeError(f"scale must be {want}; got {scale!r} ({type(scale).__name__})")
    bounds = list(scale)
    if len(bounds) != 2 or any(isinstance(b, bool) or not isinstance(b, numbers.Real) for b in bounds):
        raise TypeError(f"scale must be {want}; got {scale!r}")
    low, high = float(bounds[0]), float(bounds[1])
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"scale must be {want}; got {scale!r}")
    return low, high


def check_reverse(reverse: Any, frame: pd.DataFrame, scale: tuple[float, float] | None) -> list[str]:
    """``reverse`` names reverse-keyed columns of ``frame``; it needs ``scale``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"care_1": [1, 2], "care_2": [3, 4]})
    >>> check_reverse("care_2", df, (1.0, 5.0))
    ['care_2']
    >>> check_reverse(["care_3"], df, (1.0, 5.0))
    Traceback (most recent call last):
    ...
    ValueError: reverse item 'care_3' is not a column of the data; the data has: 'care_1', 'care_2'; did you mean 'care_2'?
    >>> check_reverse(["care_2"], df, None)
    Traceback (most recent call last):
    ...
    ValueError: reverse needs scale=(low, high), the lowest and highest possible answers (e.g. scale=(1, 5)), to reverse items as low + high - x; got reverse=['care_2'] and scale=None
    """
    if reverse is None:
        return []
    names = [reverse] if isinstance(reverse, str) else reverse
    if not isinstance(names, Iterable):
        raise TypeError(f"reverse must be a list of item names; got {reverse!r} ({type(reverse).__name__})")
    names = list(dict.fromkeys(names))
    for name in names:
        params.column(frame, name, "reverse item")
    if names and scale is None:
        raise ValueError("reverse needs scale=(low, high), the lowest and highest possible answers "
                         "(e.g. scale=(1, 5)), to reverse items as low + high - x; "
                         f"got reverse={reverse!r} and scale=None")
    return names


def check_items(
    items: Any,
    *,
    reverse: Any = None,
    scale: Any = None,
    min_items: int = 2,
    allow_constant: bool = False,
    name: str = "items",
) -> pd.DataFrame:
    """Check a table of item answers and return it as floats, reverse-keyed items reversed.

    Parameters
    ----------
    items : pandas.DataFrame or 2-D array
        One row per respondent, one column per item; NaN marks a missing answer.  An
        array's columns are named ``item1``, ``item2``, ...; a DataFrame's non-string
        column labels are turned into strings.
    reverse : list of str, optional
        Reverse-keyed items, reversed as ``low + high - x``.
    scale : (low, high), optional
        The lowest and highest possible answers: required with ``reverse``; when given,
        every answer must lie within it.
    min_items : int, default 2
        The fewest items accepted.
    allow_constant : bool, default False
        Accept an item with the same answer from everybody (an error otherwise).
    name : str, default "items"
        The argument's name, for messages.

    Returns
    -------
    pandas.DataFrame
        float64 columns, the reverse-keyed ones reversed.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"q1": [1, 2, 5], "q2": [2, 2, 4], "q3": [5, 4, 1]})
    >>> check_items(df, reverse=["q3"], scale=(1, 5))["q3"].tolist()
    [1.0, 2.0, 5.0]
    >>> check_items(df[["q1"]])
    Traceback (most recent call last):
    ...
    ValueError: items must hold at least 2 items (columns); got 1: 'q1'
    >>> check_items(df.assign(q2=3))
    Traceback (most recent call last):
    ...
    ValueError: items column 'q2' is constant (every answer is 3); a constant item cannot tell respondents apart: drop it
    >>> check_items(df.assign(q2=["a", "b", "c"]))
    Traceback (most recent call last):
    ...
    TypeError: items column 'q2' must be numeric; it has dtype str
    >>> check_items(df, reverse=["q3"], scale=(1, 4))
    Traceback (most recent call last):
    ...
    ValueError: items column 'q1' must be within scale=(1, 4); got 5.0 at position 2
    """
    import pandas as pd

    if isinstance(items, pd.DataFrame):
        names = [str(c) for c in items.columns]
        for col, dtype in zip(names, items.dtypes):
            if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
                raise TypeError(f"{name} column {col!r} must be numeric; it has dtype {dtype}")
        values = items.to_numpy(dtype=float, na_value=np.nan, copy=True)
        index = items.index
    else:
        values = params.array(name, items)
        if values.ndim != 2:
            raise ValueError(f"{name} must be two-dimensional (respondents x items); "
                             f"got an array of shape {values.shape}")
        values = values.copy()
        names = [f"item{j + 1}" for j in range(values.shape[1])]
        index = pd.RangeIndex(values.shape[0])
    k = values.shape[1]
    if k < min_items:
        listed = ", ".join(repr(c) for c in names)
        raise ValueError(f"{name} must hold at least {min_items} items (columns); got {k}{': ' + listed if k else ''}")

    def first_column(bad: np.ndarray) -> int:
        return int(np.flatnonzero(bad.any(axis=0) if bad.ndim == 2 else bad)[0])

    infinite = np.isinf(values)
    if infinite.any():
        j = first_column(infinite)
        params.elements(f"{name} column {names[j]!r}", values[:, j], infinite[:, j], "finite or NaN (missing)")
    missing = np.isnan(values)
    empty = missing.all(axis=0)
    if empty.any():
        raise ValueError(f"{name} column {names[first_column(empty)]!r} has no answers (every value is missing)")
    if not allow_constant:
        answered = (~missing).sum(axis=0)
        low_v = np.where(missing, np.inf, values).min(axis=0)
        high_v = np.where(missing, -np.inf, values).max(axis=0)
        constant = (low_v == high_v) & (answered > 1)
        if constant.any():
            j = first_column(constant)
            raise ValueError(f"{name} column {names[j]!r} is constant (every answer is {low_v[j]:g}); "
                             "a constant item cannot tell respondents apart: drop it")
    n = int((~missing).any(axis=1).sum())
    if n < 2:
        raise ValueError(f"{name} must have at least 2 respondents (rows) with answers; got {n}")
    frame = pd.DataFrame(values, index=index, columns=names, copy=False)
    bounds = check_scale(scale)
    keyed = check_reverse(reverse, frame, bounds)
    if bounds is not None:
        low, high = bounds
        outside = (values < low) | (values > high)
        if outside.any():
            j = first_column(outside)
            role = f"reverse-keyed item {names[j]!r}" if names[j] in keyed else f"{name} column {names[j]!r}"
            params.elements(role, values[:, j], outside[:, j], f"within scale=({low:g}, {high:g})")
    if keyed:
        cols = [names.index(c) for c in keyed]
        values[:, cols] = bounds[0] + bounds[1] - values[:, cols]
        frame = pd.DataFrame(values, index=index, columns=names, copy=False)
    return frame


def complete_mask(values: np.ndarray, name: str = "items", *, need: int = 2) -> np.ndarray:
    """Which rows of ``values`` have no missing answer (listwise deletion); at least ``need``.

    Examples
    --------
    >>> import numpy as np
    >>> complete_mask(np.array([[1.0, 1.0], [np.nan, 2.0], [3.0, 4.0]])).tolist()
    [True, False, True]
    >>> complete_mask(np.array([[1.0, np.nan], [np.nan, 2.0]]))
    Traceback (most recent call last):
    ...
    ValueError: items has 0 complete rows (respondents who answered every item); need at least 2 for listwise deletion, or use missing='pairwise'
    """
    mask = ~np.isnan(values).any(axis=1)
    count = int(mask.sum())
    if count < need:
        raise ValueError(f"{name} has {count} complete rows (respondents who answered every item); "
                         f"need at least {need} for listwise deletion, or use missing='pairwise'")
    return mask


def complete_rows(frame: pd.DataFrame, name: str = "items", *, need: int = 2) -> pd.DataFrame:
    """The rows of ``frame`` without a missing answer (listwise deletion); at least ``need``.

    Examples
    --------
    >>> import pandas as pd
    >>> complete_rows(pd.DataFrame({"a": [1.0, None, 3.0], "b": [1.0, 2.0, 4.0]})).index.tolist()
    [0, 2]
    """
    return frame[complete_mask(frame.to_numpy(), name, need=need)]
