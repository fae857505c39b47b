"""Input checks and design matrices shared by the service-profit-chain analyses (lesson 09).

Every check raises a one-line error that names the argument, the value and what is valid
(through :mod:`cxlib.params` where a checker exists), so that a student never meets a
traceback from inside statsmodels for a slip in their own input.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["columns", "covariate_list", "no_missing", "binary", "numeric", "design", "groups_of"]


def covariate_list(name: str, value: Any) -> list[str]:
    """``value`` as a list of column names (one name, or a sequence of names; duplicates refused).

    >>> covariate_list("covariates", "age")
    ['age']
    >>> covariate_list("covariates", ("age", "age"))
    Traceback (most recent call last):
    ...
    ValueError: covariates names 'age' twice; name each column once
    """
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a column name or a sequence of column names; got {value!r} "
                        f"({type(value).__name__})")
    out = [params.text(f"{name} entry", v) for v in value]
    for v in out:
        if out.count(v) > 1:
            raise ValueError(f"{name} names {v!r} twice; name each column once")
    return out


def columns(data: Any, roles: dict[str, str | None], covariates: list[str] = (), *,
            distinct: Iterable[str] = ()) -> pd.DataFrame:
    """Check that ``data`` is a table holding every named column, that the roles named in
    ``distinct`` name different columns, and that no covariate repeats a role's column.

    Returns the table.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [0, 1], "m": [1.0, 2.0], "y": [3.0, 4.0]})
    >>> columns(df, {"treatment": "t", "mediator": "t"}, distinct=["treatment", "mediator"])
    Traceback (most recent call last):
    ...
    ValueError: mediator 't' is also the treatment; the mediator must be a different column, measured after the treatment and before the outcome
    """
    data = params.frame("data", data, empty=False)
    for role, col in roles.items():
        if col is not None:
            params.column(data, col, role)
    for col in covariates:
        params.column(data, col, "covariate")
    named = [r for r in distinct if roles.get(r) is not None]
    for i, role in enumerate(named):
        for other in named[:i]:
            if roles[role] == roles[other]:
                hint = (", measured after the treatment and before the outcome"
                        if "mediator" in (role, other) else "")
                raise ValueError(f"{role} {roles[role]!r} is also the {other}; the {role} must be a "
                                 f"different column{hint}")
    for col in covariates:
        for role, used in roles.items():
            if used == col:
                raise ValueError(f"covariate {col!r} is also the {role}; covariates are other "
                                 "columns measured before the treatment")
    return data


def no_missing(data: pd.DataFrame, cols: Iterable[Hashable]) -> None:
    """Refuse missing values in the columns an analysis uses, naming the column, how many and
    the first row.

    >>> import pandas as pd
    >>> no_missing(pd.DataFrame({"x": [1.0, None, None]}), ["x"])
    Traceback (most recent call last):
    ...
    ValueError: column 'x' has 2 missing values (the first in row 1); drop or fill them before the analysis (for example data.dropna(subset=['x']))
    """
    for col in dict.fromkeys(cols):
        missing = data[col].isna().to_numpy()
        if missing.any():
            first = data.index[int(np.flatnonzero(missing)[0])]
            count = int(missing.sum())
            values = "value" if count == 1 else "values"
            raise ValueError(f"column {col!r} has {count} missing {values} (the first in row {first!r}); "
                             f"drop or fill them before the analysis (for example "
                             f"data.dropna(subset=[{col!r}]))")


def binary(data: pd.DataFrame, col: str, role: str, why: str) -> np.ndarray:
    """The column as a float array of 0s and 1s; a one-line error unless it is 0/1 or True/False.

    >>> import pandas as pd
    >>> binary(pd.DataFrame({"t": [0, 1, 2]}), "t", "treatment", "mediation compares treatment 1 with 0")
    Traceback (most recent call last):
    ...
    ValueError: treatment 't' must be binary (0/1 or True/False): mediation compares treatment 1 with 0; got 3 distinct values: 0, 1, 2
    """
    import pandas as pd

    series = data[col]
    values = pd.unique(series.dropna())
    ok = pd.api.types.is_bool_dtype(series) or (
        pd.api.types.is_numeric_dtype(series) and set(np.asarray(values, dtype=float).tolist()) <= {0.0, 1.0})
    if not ok:
        try:
            shown = sorted(values.tolist())
        except TypeError:  # mixed types
            shown = sorted(values.tolist(), key=str)
        listed = ", ".join(map(str, shown[:6])) + (", ..." if len(shown) > 6 else "")
        raise ValueError(f"{role} {col!r} must be binary (0/1 or True/False): {why}; got "
                         f"{len(shown)} distinct values: {listed}")
    out = series.to_numpy(dtype=float)
    if np.unique(out).size < 2:
        raise ValueError(f"{role} {col!r} takes only the value {out[0]:g}; it must hold both 0 and 1 ({why})")
    return out


def numeric(data: pd.DataFrame, col: str, role: str) -> np.ndarray:
    """The column as a float array; a one-line error unless it is numeric (not boolean) and varies."""
    params.column(data, col, role, numeric=True)
    out = data[col].to_numpy(dtype=float)
    if np.ptp(out) == 0:
        raise ValueError(f"{role} {col!r} is constant ({out[0]:g} in every row); it must vary")
    return out


def _levels(series: pd.Series) -> list:
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return [c for c in series.cat.categories if (series == c).any()]
    return sorted(pd.unique(series).tolist(), key=str)


def design(data: pd.DataFrame, terms: list[str], *, what: str = "model") -> pd.DataFrame:
    """The design matrix of ``Intercept + terms``, ordered as patsy orders a formula.

    Numeric columns enter as they are, booleans as 0/1, any other column as treatment-coded
    dummies (the first level, in categorical order or sorted, is the reference; names such
    as ``educ[T.high school]``).  As in patsy (and R), the categorical terms come first after
    the intercept, then the numeric ones in the order given: the same columns, in the same
    order, as ``statsmodels``' formulas give, so that simulations seeded alike agree.

    Raises a one-line ``ValueError`` when the columns are collinear (a covariate that
    repeats another, or a constant one), which statsmodels would fit silently.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 4.0], "g": ["b", "a", "b"]})
    >>> design(df, ["x", "g"]).columns.tolist()
    ['Intercept', 'g[T.b]', 'x']
    """
    import pandas as pd

    cats: dict[str, np.ndarray] = {}
    nums: dict[str, np.ndarray] = {}
    for term in terms:
        s = data[term]
        if pd.api.types.is_bool_dtype(s):
            nums[term] = s.to_numpy(dtype=float)
        elif pd.api.types.is_numeric_dtype(s):
            nums[term] = s.to_numpy(dtype=float)
        else:
            for level in _levels(s)[1:]:
                cats[f"{term}[T.{level}]"] = (s == level).to_numpy(dtype=float)
    X = pd.DataFrame({"Intercept": np.ones(len(data)), **cats, **nums}, index=data.index)
    rank = np.linalg.matrix_rank(X.to_numpy())
    if rank < X.shape[1]:
        raise ValueError(f"the {what}'s columns are collinear ({X.shape[1]} columns, rank {rank}): "
                         f"a covariate repeats another or does not vary; terms: {', '.join(map(repr, terms))}")
    return X


def groups_of(data: pd.DataFrame, group: str, role: str = "groups", *, minimum: int = 2) -> np.ndarray:
    """Integer codes of the groups in ``data[group]``; at least ``minimum`` groups.

    >>> import pandas as pd
    >>> groups_of(pd.DataFrame({"store": ["s1", "s1"]}), "store")
    Traceback (most recent call last):
    ...
    ValueError: groups 'store' has only one group ('s1'); a model of groups needs at least 2 (better 20 or more)
    """
    import pandas as pd

    codes, uniques = pd.factorize(data[group], sort=True)
    if len(uniques) < minimum:
        first = uniques[0].item() if hasattr(uniques[0], "item") else uniques[0]
        only = f"only one group ({first!r})" if len(uniques) == 1 else f"{len(uniques)} groups"
        raise ValueError(f"{role} {group!r} has {only}; a model of groups needs at least {minimum} "
                         "(better 20 or more)")
    return codes
