"""Validation of parameters: for notebook parameter cells and library functions alike.

Each checker takes the parameter's ``name`` and ``value``, returns the value
(normalised: ``int`` for integers, ``float`` for reals, a float array for
:func:`array`) when it is valid, and otherwise raises a one-line :class:`TypeError`
or :class:`ValueError` that names the parameter, repeats the bad value and says what
is valid.  Scalars: :func:`integer`, :func:`real`, :func:`probability`,
:func:`choice`, :func:`boolean`, :func:`text`, :func:`shares`.  Arrays:
:func:`array` and :func:`elements` (the first bad element, by position).  Tables:
:func:`frame` and :func:`column` (with a did-you-mean for misspelt columns).  This is
the only place cxlib validates input; topic modules call these.  Notebooks call them in the
cell after the ``parameters`` cell; library functions call them on their arguments,
so a student never meets a traceback from deep inside numpy for a typo of theirs.

Examples
--------
>>> from cxlib import params
>>> params.integer("n_customers", 500, min=10)
500
>>> params.integer("n_customers", -5, min=10)
Traceback (most recent call last):
...
ValueError: n_customers must be an integer >= 10; got -5
>>> params.choice("segment", "vip", ["budget", "mainstream", "premium"])
Traceback (most recent call last):
...
ValueError: segment 'vip' is not known; valid choices are 'budget', 'mainstream', 'premium'
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "integer",
    "real",
    "probability",
    "choice",
    "boolean",
    "text",
    "shares",
    "array",
    "elements",
    "frame",
    "column",
    "did_you_mean",
    "short",
    "first",
    "where",
]


def _range_text(min: float | None, max: float | None) -> str:
    if min is not None and max is not None:
        return f"between {min} and {max}"
    if min is not None:
        return f">= {min}"
    if max is not None:
        return f"<= {max}"
    return ""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest choice, or ``""``.

    The checkers append it to their messages, so a misspelt name gets a suggestion.

    Parameters
    ----------
    word : str
        What was typed.
    choices : iterable of str
        The valid names.

    Returns
    -------
    str
        The suggestion, ready to append to a message; ``""`` when no choice is close.

    Examples
    --------
    >>> did_you_mean("n_custmers", ["n_customers", "seed"])
    "; did you mean 'n_customers'?"
    >>> did_you_mean("colour", ["n_customers", "seed"])
    ''
    >>> "unknown parameter 'sed'" + did_you_mean("sed", ["n_customers", "seed"])
    "unknown parameter 'sed'; did you mean 'seed'?"
    """
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def integer(name: str, value: Any, *, min: int | None = None, max: int | None = None) -> int:
    """Check that ``value`` is an integer (not a bool) within ``[min, max]``.

    A float with an integral value (``500.0``) is accepted and returned as ``int``,
    so that papermill parameters written as ``5e3`` still work.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : Any
        The value to check.
    min, max : int, optional
        Inclusive bounds; ``None`` leaves that side open.

    Returns
    -------
    int

    Examples
    --------
    >>> integer("n_customers", 5e3, min=10)
    5000
    >>> integer("n_runs", 3.0, min=1)
    3
    >>> integer("n_runs", 2.5)
    Traceback (most recent call last):
    ...
    TypeError: n_runs must be an integer; got 2.5 (float)
    >>> integer("weeks", 0, min=1, max=104)
    Traceback (most recent call last):
    ...
    ValueError: weeks must be an integer between 1 and 104; got 0
    """
    bounds = _range_text(min, max)
    want = f"an integer {bounds}".rstrip()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {want}; got {value!r} ({type(value).__name__})")
    if not isinstance(value, numbers.Integral):
        if not (math.isfinite(value) and float(value).is_integer()):
            raise TypeError(f"{name} must be {want}; got {value!r} ({type(value).__name__})")
    value = int(value)
    if (min is not None and value < min) or (max is not None and value > max):
        raise ValueError(f"{name} must be {want}; got {value!r}")
    return value


def real(
    name: str,
    value: Any,
    *,
    min: float | None = None,
    max: float | None = None,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
) -> float:
    """Check that ``value`` is a finite real number within the given bounds.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : Any
        The value to check; an integer is accepted and returned as ``float``.
    min, max : float, optional
        Bounds; ``None`` leaves that side open.
    min_inclusive, max_inclusive : bool, default True
        Whether a value equal to the bound is allowed.

    Returns
    -------
    float

    Examples
    --------
    >>> real("dispersion", 0.5, min=0)
    0.5
    >>> real("retention", 1, min=0, max=1, max_inclusive=False)
    Traceback (most recent call last):
    ...
    ValueError: retention must be a finite number >= 0 and < 1; got 1.0
    >>> real("dispersion", float("nan"), min=0)
    Traceback (most recent call last):
    ...
    ValueError: dispersion must be a finite number >= 0; got nan
    >>> real("confounding", "high")
    Traceback (most recent call last):
    ...
    TypeError: confounding must be a finite number; got 'high' (str)
    """
    lo = "" if min is None else (f">= {min}" if min_inclusive else f"> {min}")
    hi = "" if max is None else (f"<= {max}" if max_inclusive else f"< {max}")
    bounds = " and ".join(b for b in (lo, hi) if b)
    want = f"a finite number {bounds}".rstrip()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {want}; got {value!r} ({type(value).__name__})")
    value = float(value)
    bad = not math.isfinite(value)
    if min is not None:
        bad |= value < min if min_inclusive else value <= min
    if max is not None:
        bad |= value > max if max_inclusive else value >= max
    if bad:
        raise ValueError(f"{name} must be {want}; got {value!r}")
    return value


def probability(name: str, value: Any) -> float:
    """Check that ``value`` is a probability, a number in [0, 1].

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : Any
        The value to check.

    Returns
    -------
    float

    Examples
    --------
    >>> probability("p_voice", 0.3)
    0.3
    >>> probability("p_voice", 1)
    1.0
    >>> probability("p_voice", 1.2)
    Traceback (most recent call last):
    ...
    ValueError: p_voice must be a probability between 0 and 1; got 1.2
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a probability between 0 and 1; got {value!r} ({type(value).__name__})"
        )
    value = float(value)
    if not (0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be a probability between 0 and 1; got {value!r}")
    return value


def choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``choices``; suggest the closest one if not.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : Any
        The value to check.
    choices : iterable
        The valid values, listed in the message in this order.

    Returns
    -------
    object
        ``value`` itself.

    Examples
    --------
    >>> choice("segment", "premium", ["budget", "mainstream", "premium"])
    'premium'
    >>> choice("segment", "premum", ["budget", "mainstream", "premium"])
    Traceback (most recent call last):
    ...
    ValueError: segment 'premum' is not known; valid choices are 'budget', 'mainstream', 'premium'; did you mean 'premium'?
    """
    choices = list(choices)
    if value in choices:
        return value
    listed = ", ".join(repr(c) for c in choices)
    hint = did_you_mean(value, [str(c) for c in choices]) if isinstance(value, str) else ""
    raise ValueError(f"{name} {value!r} is not known; valid choices are {listed}{hint}")


def boolean(name: str, value: Any) -> bool:
    """Check that ``value`` is ``True`` or ``False`` (not 0/1, not a string).

    Examples
    --------
    >>> boolean("show_widget", False)
    False
    >>> boolean("show_widget", 1)
    Traceback (most recent call last):
    ...
    TypeError: show_widget must be True or False; got 1 (int)
    >>> boolean("show_widget", "yes")
    Traceback (most recent call last):
    ...
    TypeError: show_widget must be True or False; got 'yes' (str)
    """
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__})")
    return value


def text(name: str, value: Any) -> str:
    """Check that ``value`` is a non-empty string.

    Examples
    --------
    >>> text("outcome", "revenue")
    'revenue'
    >>> text("outcome", "")
    Traceback (most recent call last):
    ...
    TypeError: outcome must be a non-empty string; got '' (str)
    >>> text("outcome", None)
    Traceback (most recent call last):
    ...
    TypeError: outcome must be a non-empty string; got None (NoneType)
    """
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a non-empty string; got {value!r} ({type(value).__name__})")
    return value


def shares(name: str, value: Any, keys: Iterable[str], *, tol: float = 1e-6) -> dict[str, float]:
    """Check a mapping of category -> share: known keys, probabilities that sum to 1.

    Missing keys count as share 0.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : mapping of str to float
        The shares.
    keys : iterable of str
        The known categories, in the order of the returned dict.
    tol : float, default 1e-6
        How far from 1 the sum may be.

    Returns
    -------
    dict of str to float
        One share per key, in the order of ``keys``.

    Examples
    --------
    >>> segments = ["budget", "mainstream", "premium"]
    >>> shares("segment_shares", {"premium": 0.2, "budget": 0.8}, segments)
    {'budget': 0.8, 'mainstream': 0.0, 'premium': 0.2}
    >>> shares("segment_shares", {"budget": 0.5, "premium": 0.2}, segments)
    Traceback (most recent call last):
    ...
    ValueError: segment_shares must sum to 1; got {'budget': 0.5, 'premium': 0.2}, which sums to 0.7
    >>> shares("segment_shares", {"budget": 0.5, "luxury": 0.5}, segments)
    Traceback (most recent call last):
    ...
    ValueError: segment_shares key 'luxury' is not known; valid choices are 'budget', 'mainstream', 'premium'
    """
    keys = list(keys)
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be a mapping from {', '.join(map(repr, keys))} to shares; "
            f"got {value!r} ({type(value).__name__})"
        )
    out = {k: 0.0 for k in keys}
    for key, share in value.items():
        choice(f"{name} key", key, keys)
        out[key] = probability(f"{name}[{key!r}]", share)
    total = sum(out.values())
    if abs(total - 1.0) > tol:
        raise ValueError(f"{name} must sum to 1; got {value!r}, which sums to {total:g}")
    return out


# ---------------------------------------------------------------------------
# Arrays
# ---------------------------------------------------------------------------


def short(value: Any, width: int = 80) -> str:
    """``repr(value)`` cut to ``width`` characters (arrays shown as lists), for messages.

    Examples
    --------
    >>> short(list(range(100)), width=20)
    '[0, 1, 2, 3, 4, 5...'
    >>> import numpy as np
    >>> short(np.array([0.5, 1.5]))
    '[0.5, 1.5]'
    """
    if hasattr(value, "tolist") and hasattr(value, "ndim"):
        value = value.tolist()
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def first(mask: Any) -> tuple[int, ...]:
    """The index of the first true element of ``mask`` (``()`` for a scalar).

    ``mask`` must hold at least one true element.

    Examples
    --------
    >>> first([False, True, True])
    (1,)
    >>> import numpy as np
    >>> first(np.array([[1.0, 2.0], [3.0, -4.0]]) < 0)
    (1, 1)
    >>> first(True)
    ()
    """
    import numpy as np

    return tuple(int(i) for i in np.argwhere(np.asarray(mask))[0])


def where(arr: np.ndarray, mask: np.ndarray) -> str:
    """The first element of ``arr`` where ``mask`` is true, and its position, for messages.

    ``"1.5"`` for a scalar, ``"1.5 at position 3"`` in a vector, ``"1.5 at position
    (0, 2)"`` in a matrix.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, -2.0, 3.0])
    >>> where(x, x < 0)
    '-2.0 at position 1'
    >>> m = np.array([[1.0, 2.0, np.nan]])
    >>> where(m, np.isnan(m))
    'nan at position (0, 2)'
    """
    import numpy as np

    arr = np.asarray(arr)
    if arr.ndim == 0:
        return repr(arr.item())
    pos = first(np.broadcast_to(mask, arr.shape))
    at = pos[0] if len(pos) == 1 else pos
    item = arr[pos].item()
    return f"{item!r} at position {at}"


def array(
    name: str,
    value: Any,
    want: str = "a number or an array of numbers",
    *,
    ndim: int | None = None,
    finite: bool = False,
) -> np.ndarray:
    """Check that ``value`` holds only real numbers; return it as a float array.

    Strings, booleans, ``None`` and ragged or mixed sequences are refused with a
    :class:`TypeError` that names the first offending element; numpy would otherwise
    turn ``[1, True]`` into ``[1, 1]`` and ``[1, "2"]`` into strings without a word.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : number, sequence or array
    want : str
        What is valid, for the message (e.g. ``"a retention rate >= 0 and < 1"``).
    ndim : int, optional
        Largest number of dimensions allowed (``1``: a number or a vector).
    finite : bool, default False
        Refuse NaN and infinite values.

    Returns
    -------
    numpy.ndarray
        dtype float64, the shape of ``value``.

    Examples
    --------
    >>> array("T", [5, 6.5])
    array([5. , 6.5])
    >>> array("T", [5, True])
    Traceback (most recent call last):
    ...
    TypeError: T must be a number or an array of numbers; got True (bool) in [5, True]
    >>> array("T", [[5, 6]], ndim=1)
    Traceback (most recent call last):
    ...
    ValueError: T must be one-dimensional; got an array of shape (1, 2)
    >>> array("T", [5, float("nan")], finite=True)
    Traceback (most recent call last):
    ...
    ValueError: T must be finite; got nan at position 1
    """
    import numpy as np

    if isinstance(value, (str, bytes, bool)) or value is None:
        raise TypeError(f"{name} must be {want}; got {value!r} ({type(value).__name__})")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):  # ragged sequences
        raise TypeError(f"{name} must be {want}; got {short(value)} ({type(value).__name__})") from None
    items = list(value) if isinstance(value, (list, tuple)) else []
    if arr.dtype.kind not in "iuf" or any(isinstance(item, bool) for item in items):
        # name the first offending element (numpy turns [1, True] into integers, [1, "2"] into strings)
        for item in items or np.asarray(value, dtype=object).ravel():
            if isinstance(item, bool) or not isinstance(item, numbers.Real):
                raise TypeError(f"{name} must be {want}; got {item!r} ({type(item).__name__}) in {short(value)}")
        if arr.dtype.kind not in "iufO":
            raise TypeError(f"{name} must be {want}; got {short(value)} (dtype {arr.dtype})")
    arr = arr.astype(float)
    if ndim is not None and arr.ndim > ndim:
        shape = {0: "a single number", 1: "one-dimensional", 2: "two-dimensional"}.get(ndim, f"{ndim}-dimensional")
        raise ValueError(f"{name} must be {shape}; got an array of shape {arr.shape}")
    if finite:
        elements(name, arr, ~np.isfinite(arr), "finite")
    return arr


def elements(name: str, arr: np.ndarray, bad: np.ndarray, want: str) -> None:
    """Raise ``ValueError`` naming the first element of ``arr`` where ``bad`` is true.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    arr : numpy.ndarray
        The values.
    bad : numpy.ndarray of bool
        Which values are invalid (broadcast to the shape of ``arr``).
    want : str
        What is valid, for the message.

    Examples
    --------
    Nothing happens when no element is bad:

    >>> import numpy as np
    >>> elements("recency", np.array([3.0, 0.0]), np.array([3.0, 0.0]) < 0, ">= 0")
    >>> x = np.array([3.0, -1.0])
    >>> elements("recency", x, x < 0, ">= 0")
    Traceback (most recent call last):
    ...
    ValueError: recency must be >= 0; got -1.0 at position 1
    """
    import numpy as np

    if np.any(bad):
        raise ValueError(f"{name} must be {want}; got {where(arr, bad)}")


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


def _columns_text(data: pd.DataFrame) -> str:
    return ", ".join(repr(str(c)) for c in data.columns) or "none"


def frame(
    name: str,
    value: Any,
    columns: Sequence[Hashable] | Mapping[str, Hashable | None] = (),
    *,
    what: str = "",
    empty: bool = True,
) -> pd.DataFrame:
    """Check that ``value`` is a DataFrame holding ``columns``; return it.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : Any
    columns : sequence of column names, or mapping of argument name to column name
        Columns that must be present.  With a mapping (e.g. ``{"customer_col":
        "customer_id"}``) a missing column is reported with the argument that named
        it; ``None`` values are skipped.
    what : str
        What each row is, for the message (e.g. ``"with one row per purchase"``).
    empty : bool, default True
        Whether a table without rows is acceptable.

    Examples
    --------
    >>> import pandas as pd
    >>> frame("table", pd.DataFrame({"estimate": [1.0]}), ["estimate", "ci_lo"])
    Traceback (most recent call last):
    ...
    ValueError: table lacks the column(s) 'ci_lo'; it has: 'estimate'
    >>> frame("transactions", pd.DataFrame({"cust": [1]}), {"customer_col": "customer"})
    Traceback (most recent call last):
    ...
    ValueError: transactions lacks the column(s) customer_col 'customer' (did you mean 'cust'?); it has: 'cust'
    >>> frame("data", [1, 2])
    Traceback (most recent call last):
    ...
    TypeError: data must be a pandas DataFrame; got list
    """
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        kind = f"a pandas DataFrame {what}".rstrip()
        raise TypeError(f"{name} must be {kind}; got {type(value).__name__}")
    roles = columns.items() if isinstance(columns, Mapping) else ((None, c) for c in columns)
    have = [str(c) for c in value.columns]
    missing = []
    for role, col in roles:
        if col is None:
            continue
        if not isinstance(col, Hashable) or isinstance(col, tuple):
            raise TypeError(f"{role or 'column'} must be a column name; got {col!r} ({type(col).__name__})")
        if col not in value.columns:
            hint = did_you_mean(col, have) if isinstance(col, str) else ""
            hint = f" (did you mean {hint[len('; did you mean '):-1]}?)" if hint else ""
            missing.append(f"{role + ' ' if role else ''}{col!r}{hint}")
    if missing:
        raise ValueError(f"{name} lacks the column(s) {', '.join(missing)}; it has: {_columns_text(value)}")
    if not empty and len(value) == 0:
        raise ValueError(f"{name} is empty (no rows); expected a table {what}".rstrip())
    return value


def column(data: pd.DataFrame, column: Any, role: str = "column", *, numeric: bool = False) -> str:
    """Check that ``column`` names a column of ``data`` (numeric, if asked); return it.

    Parameters
    ----------
    data : pandas.DataFrame
    column : str
    role : str
        The argument's name, for the message (``"outcome"``, ``"focal"``...).
    numeric : bool, default False
        Also require a numeric (not boolean) column.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"revenue": [1.0], "loyalty": [50.0]})
    >>> column(df, "loyality", "focal")
    Traceback (most recent call last):
    ...
    ValueError: focal 'loyality' is not a column of the data; the data has: 'revenue', 'loyalty'; did you mean 'loyalty'?
    """
    import pandas as pd

    text(role, column)
    if column not in data.columns:
        hint = did_you_mean(column, [str(c) for c in data.columns])
        raise ValueError(
            f"{role} {column!r} is not a column of the data; the data has: {_columns_text(data)}{hint}"
        )
    if numeric and (not pd.api.types.is_numeric_dtype(data[column]) or pd.api.types.is_bool_dtype(data[column])):
        raise TypeError(f"{role} column {column!r} must be numeric; it has dtype {data[column].dtype}")
    return column
