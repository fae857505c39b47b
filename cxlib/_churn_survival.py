"""Survival curves for :mod:`cxlib.churn` (lesson 06): Kaplan-Meier tables, median lifetimes,
the log-rank test, and the input checks every churn function shares.

The estimates are statsmodels' (``SurvfuncRight``, ``survdiff``); this module turns them
into tidy tables, adds pointwise confidence bands, and refuses bad input with a message
that names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["kaplan_meier", "median_lifetime", "logrank", "LogRank"]


# ---------------------------------------------------------------------------
# Input checks (shared by the churn modules)
# ---------------------------------------------------------------------------


def check_durations(durations: Any, name: str = "durations") -> np.ndarray:
    """Durations as a float vector: finite and >= 0, at least two of them."""
    t = params.array(name, durations, "a vector of durations (numbers >= 0)", ndim=1, finite=True)
    t = np.atleast_1d(t)
    params.elements(name, t, t < 0, "a vector of durations >= 0 (time to churn or to censoring)")
    if t.size < 2:
        raise ValueError(f"{name} must hold at least 2 durations; got {t.size}")
    return t


def check_events(events: Any, n: int, name: str = "events") -> np.ndarray:
    """Event indicators as a float vector of 0/1 (booleans accepted), of length ``n``."""
    raw = np.asarray(events)
    if raw.dtype == bool:
        raw = raw.astype(float)
    e = np.atleast_1d(params.array(name, raw, "a vector of 0/1 event indicators (1: churned, 0: censored)", ndim=1))
    if e.size != n:
        raise ValueError(f"{name} must have one value per duration ({n}); got {e.size}")
    params.elements(name, e, ~np.isin(e, (0.0, 1.0)), "0 or 1 (1: churned, 0: censored)")
    return e


def check_groups(groups: Any, n: int, name: str = "groups") -> np.ndarray:
    """Group labels as an object vector of length ``n`` without missing values."""
    g = np.asarray(groups, dtype=object)
    if g.ndim != 1 or g.size != n:
        raise ValueError(f"{name} must have one label per duration ({n}); got shape {g.shape}")
    import pandas as pd

    missing = pd.isna(g)
    if missing.any():
        raise ValueError(f"{name} must not have missing labels; got {params.where(g, missing)}")
    return g


def _group_order(g: np.ndarray, groups: Any) -> list[Any]:
    """Groups in their categorical order if they have one, else sorted (or first seen)."""
    import pandas as pd

    if isinstance(groups, pd.Series) and isinstance(groups.dtype, pd.CategoricalDtype):
        present = set(g.tolist())
        return [c for c in groups.cat.categories if c in present]
    uniq = pd.unique(g)
    try:
        return sorted(uniq.tolist())
    except TypeError:
        return uniq.tolist()


# ---------------------------------------------------------------------------
# Kaplan-Meier
# ---------------------------------------------------------------------------


def _km_one(t: np.ndarray, e: np.ndarray, z: float) -> pd.DataFrame:
    import pandas as pd
    from statsmodels.duration.survfunc import SurvfuncRight

    sf = SurvfuncRight(t, e)
    s = np.asarray(sf.surv_prob, float)
    se = np.asarray(sf.surv_prob_se, float)
    # Pointwise band on the log(-log S) scale (Kalbfleisch & Prentice), as lifelines and
    # R's conf.type = "log-log": it stays inside (0, 1).
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.log(-np.log(s))
        se_theta = se / (s * np.abs(np.log(s)))
        low = np.exp(-np.exp(theta + z * se_theta))
        high = np.exp(-np.exp(theta - z * se_theta))
    flat = (s >= 1.0) | ~np.isfinite(se_theta)
    low = np.where(flat, np.where(s >= 1.0, 1.0, np.nan), low)
    high = np.where(flat, np.where(s >= 1.0, 1.0, np.nan), high)
    low = np.where(s <= 0.0, 0.0, low)
    high = np.where(s <= 0.0, 0.0, high)
    table = pd.DataFrame(
        {
            "time": np.asarray(sf.surv_times, float),
            "at_risk": np.asarray(sf.n_risk, float).astype(np.int64),
            "events": np.asarray(sf.n_events, float).astype(np.int64),
            "survival": s,
            "std_error": se,
            "ci_low": low,
            "ci_high": high,
        }
    )
    start = pd.DataFrame({"time": [0.0], "at_risk": [t.size], "events": [0], "survival": [1.0],
                          "std_error": [0.0], "ci_low": [1.0], "ci_high": [1.0]})
    return pd.concat([start, table[table["time"] > 0]], ignore_index=True)


def kaplan_meier(durations: Any, events: Any, groups: Any = None, *, ci: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier survival curves as a tidy table, one row per event time (and group).

    The estimates and Greenwood standard errors are statsmodels'
    (:class:`statsmodels.duration.survfunc.SurvfuncRight`); the pointwise confidence band
    is computed on the log(-log) scale (as lifelines and R's ``conf.type = "log-log"``), so
    it stays between 0 and 1.  Each curve starts with a row at time 0 (survival 1).

    Parameters
    ----------
    durations : array-like
        Time under observation of each customer (to churn or to censoring), >= 0.
    events : array-like
        1 (or True) where the customer churned at ``durations``, 0 where they were
        censored (still a customer when observation stopped).
    groups : array-like, optional
        A label per customer; one curve per group (in categorical order, else sorted).
    ci : float, default 0.95
        Level of the pointwise band.

    Returns
    -------
    pandas.DataFrame
        Columns ``group`` (with ``groups``), ``time``, ``at_risk`` (customers still
        observed just before ``time``), ``events`` (churned at ``time``), ``survival``,
        ``std_error``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from cxlib.churn import kaplan_meier
    >>> kaplan_meier([2, 3, 3, 5, 8], [1, 1, 0, 1, 0]).round(3)
       time  at_risk  events  survival  std_error  ci_low  ci_high
    0   0.0        5       0       1.0      0.000   1.000    1.000
    1   2.0        5       1       0.8      0.179   0.204    0.969
    2   3.0        4       1       0.6      0.219   0.126    0.882
    3   5.0        2       1       0.3      0.239   0.012    0.719
    >>> kaplan_meier([2, -3], [1, 0])
    Traceback (most recent call last):
    ...
    ValueError: durations must be a vector of durations >= 0 (time to churn or to censoring); got -3.0 at position 1
    """
    import pandas as pd
    from scipy.stats import norm

    t = check_durations(durations)
    e = check_events(events, t.size)
    level = params.real("ci", ci, min=0, max=1, min_inclusive=False, max_inclusive=False)
    z = float(norm.ppf(0.5 + level / 2))
    if groups is None:
        return _km_one(t, e, z)
    g = check_groups(groups, t.size)
    parts = []
    for label in _group_order(g, groups):
        part = _km_one(t[g == label], e[g == label], z)
        part.insert(0, "group", label)
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    if isinstance(groups, pd.Series) and isinstance(groups.dtype, pd.CategoricalDtype):
        table["group"] = pd.Categorical(table["group"], categories=groups.cat.categories)
    return table


def median_lifetime(durations: Any, events: Any, groups: Any = None, *, ci: float = 0.95) -> pd.DataFrame:
    """The median lifetime (time at which the Kaplan-Meier curve reaches 0.5), with an interval.

    The median and its interval are statsmodels' (``SurvfuncRight.quantile`` and
    ``quantile_ci`` with the complementary log-log transform, Brookmeyer & Crowley's
    method).  Where the curve never falls to 0.5 (fewer than half the customers churned
    while observed) the median is NaN and ``reached`` is False: the data say only that it
    is longer than the last time observed.

    Parameters
    ----------
    durations, events, groups
        As for :func:`kaplan_meier`.
    ci : float, default 0.95
        Level of the interval.

    Returns
    -------
    pandas.DataFrame
        One row per group (index ``group``; one row ``"all"`` without groups): ``median``,
        ``ci_low``, ``ci_high`` (NaN where the band never reaches 0.5), ``reached``,
        ``customers``, ``events``, ``last_time`` (the longest time observed).

    Examples
    --------
    >>> from cxlib.churn import median_lifetime
    >>> median_lifetime([2, 3, 3, 5, 8, 9], [1, 1, 0, 1, 0, 1])[["median", "reached", "events"]]
           median  reached  events
    group
    all       5.0     True       4
    """
    import pandas as pd
    from statsmodels.duration.survfunc import SurvfuncRight

    t = check_durations(durations)
    e = check_events(events, t.size)
    level = params.real("ci", ci, min=0, max=1, min_inclusive=False, max_inclusive=False)
    if groups is None:
        g = np.full(t.size, "all", dtype=object)
        order = ["all"]
    else:
        g = check_groups(groups, t.size)
        order = _group_order(g, groups)
    rows = []
    for label in order:
        tt, ee = t[g == label], e[g == label]
        sf = SurvfuncRight(tt, ee)
        surv = np.asarray(sf.surv_prob, float)
        reached = bool(surv.size and surv.min() <= 0.5)
        med = float(sf.quantile(0.5)) if reached else np.nan
        try:
            with np.errstate(divide="ignore", invalid="ignore"):  # log(-log 1) on the flat start
                low, high = sf.quantile_ci(0.5, alpha=1 - level, method="cloglog")
        except (ValueError, IndexError, ZeroDivisionError):  # pragma: no cover - degenerate curves
            low, high = np.nan, np.nan
        rows.append({"group": label, "median": med,
                     "ci_low": np.nan if low is None else float(low),
                     "ci_high": np.nan if high is None else float(high),
                     "reached": reached, "customers": int(tt.size), "events": int(ee.sum()),
                     "last_time": float(tt.max())})
    return pd.DataFrame(rows).set_index("group")


# ---------------------------------------------------------------------------
# Log-rank
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LogRank:
    """A log-rank test: are the survival curves of the groups the same?

    Attributes
    ----------
    statistic : float
        The chi-square statistic.
    df : int
        Degrees of freedom (groups - 1).
    p_value : float
    groups : tuple
        The groups compared.
    table : pandas.DataFrame
        Customers, observed and expected events per group.

    Examples
    --------
    >>> from cxlib.churn import logrank
    >>> test = logrank([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], ["a", "a", "a", "b", "b", "b"])
    >>> test.groups, test.table["observed"].tolist()
    (('a', 'b'), [3, 2])
    """

    statistic: float
    df: int
    p_value: float
    groups: tuple[Any, ...]
    table: Any

    def __repr__(self) -> str:
        return f"LogRank(chi2={self.statistic:.2f}, df={self.df}, p={self.p_value:.3g})"


def logrank(durations: Any, events: Any, groups: Any) -> LogRank:
    """The log-rank test of equal survival across groups (statsmodels' ``survdiff``).

    It compares, at each event time, the churn observed in each group with what equal
    hazards would give; it is the test whose power Schoenfeld's formula
    (:func:`cxlib.churn.events_needed`) describes.

    Parameters
    ----------
    durations, events
        As for :func:`kaplan_meier`.
    groups : array-like
        A label per customer; at least two groups.

    Returns
    -------
    LogRank

    Examples
    --------
    >>> from cxlib.churn import logrank
    >>> from cxlib.data import churn_panel
    >>> d = churn_panel(2000, rng=1).data
    >>> test = logrank(d["weeks"], d["churned"], d["outreach"])
    >>> test.df, test.p_value < 0.05
    (1, True)
    """
    import pandas as pd
    from statsmodels.duration.survfunc import survdiff

    t = check_durations(durations)
    e = check_events(events, t.size)
    g = check_groups(groups, t.size)
    order = _group_order(g, groups)
    if len(order) < 2:
        raise ValueError(f"groups must hold at least 2 groups to compare; got only {params.short(order)}")
    codes = np.asarray(pd.Categorical(g, categories=order).codes)
    stat, p = survdiff(t, e, codes)
    # observed and expected events per group under equal hazards
    times = np.unique(t[e == 1])
    at_risk = t.size - np.searchsorted(np.sort(t), times, side="left")
    died = np.bincount(np.searchsorted(times, t[e == 1]), minlength=times.size)
    expected = np.zeros(len(order))
    for k in range(len(order)):
        tk = np.sort(t[codes == k])
        at_risk_k = tk.size - np.searchsorted(tk, times, side="left")
        expected[k] = float(np.sum(died * at_risk_k / at_risk))
    table = pd.DataFrame({
        "customers": [int((codes == k).sum()) for k in range(len(order))],
        "observed": [int(e[codes == k].sum()) for k in range(len(order))],
        "expected": expected,
    }, index=pd.Index(order, name="group"))
    return LogRank(float(stat), len(order) - 1, float(p), tuple(order), table)
