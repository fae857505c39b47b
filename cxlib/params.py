"""Validation of parameters: for notebook parameter cells and library functions alike.

Each checker takes the parameter's ``name`` and ``value``, returns the value
(normalised: ``int`` for integers, ``float`` for reals) when it is valid, and
otherwise raises a one-line :class:`TypeError` or :class:`ValueError` that names the
parameter, repeats the bad value and says what is valid.  Notebooks call them in the
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
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "integer",
    "real",
    "probability",
    "choice",
    "boolean",
    "text",
    "shares",
    "did_you_mean",
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

    >>> did_you_mean("n_custmers", ["n_customers", "seed"])
    "; did you mean 'n_customers'?"
    """
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def integer(name: str, value: Any, *, min: int | None = None, max: int | None = None) -> int:
    """Check that ``value`` is an integer (not a bool) within ``[min, max]``.

    A float with an integral value (``500.0``) is accepted and returned as ``int``,
    so that papermill parameters written as ``5e3`` still work.

    >>> integer("n_runs", 3.0, min=1)
    3
    >>> integer("n_runs", 2.5)
    Traceback (most recent call last):
    ...
    TypeError: n_runs must be an integer; got 2.5 (float)
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

    >>> real("dispersion", 0.5, min=0)
    0.5
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
    """Check that ``value`` is one of ``choices``; suggest the closest one if not."""
    choices = list(choices)
    if value in choices:
        return value
    listed = ", ".join(repr(c) for c in choices)
    hint = did_you_mean(value, [str(c) for c in choices]) if isinstance(value, str) else ""
    raise ValueError(f"{name} {value!r} is not known; valid choices are {listed}{hint}")


def boolean(name: str, value: Any) -> bool:
    """Check that ``value`` is ``True`` or ``False`` (not 0/1, not a string).

    >>> boolean("show_widget", "yes")
    Traceback (most recent call last):
    ...
    TypeError: show_widget must be True or False; got 'yes' (str)
    """
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__})")
    return value


def text(name: str, value: Any) -> str:
    """Check that ``value`` is a non-empty string."""
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a non-empty string; got {value!r} ({type(value).__name__})")
    return value


def shares(name: str, value: Any, keys: Iterable[str], *, tol: float = 1e-6) -> dict[str, float]:
    """Check a mapping of category -> share: known keys, probabilities that sum to 1.

    Missing keys count as share 0.

    >>> shares("segment_shares", {"a": 0.25, "b": 0.75}, ["a", "b"])
    {'a': 0.25, 'b': 0.75}
    >>> shares("segment_shares", {"a": 0.5, "c": 0.5}, ["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: segment_shares key 'c' is not known; valid choices are 'a', 'b'
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
