"""Checks of fitted CLV models against what customers did, and the quantities behind them.

Each function turns a fitted model and data into a table (or a small result) that a
figure in :mod:`cxlib.plots` draws, and that a test or a researcher can read directly:

* :func:`sbg_tracking`: a cohort's survivors and retention rates, actual against an sBG
  fit, period by period, with the periods the fit never saw marked;
* :func:`cumulative_repeat_purchases`: the whole cohort's cumulative repeat purchases
  period by period, actual (from the transaction log) against the purchase model's
  expectation (as ``lifetimes``' ``expected_cumulative_transactions``);
* :func:`holdout_by_frequency`: mean hold-out purchases by calibration frequency, actual
  against the model's conditional expectation (as ``lifetimes``'
  ``plot_calibration_purchases_vs_holdout_purchases``);
* :func:`p_alive_matrix`: P(alive) over frequency and recency for customers of one age
  (as ``lifetimes``' ``plot_probability_alive_matrix``);
* :func:`value_concentration`: the share of total value held by the most valuable
  customers, and the whole concentration curve.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
way: An alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284
(figures 2-4: the tracking curve and the conditional expectations by frequency).

Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention. Journal of
Interactive Marketing, 21(1), 76-90.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._clv_data import _daily
from cxlib._clv_models import BGNBDFit, ParetoNBDFit
from cxlib._clv_retention import SBGFit, _check_alive

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "sbg_tracking",
    "cumulative_repeat_purchases",
    "holdout_by_frequency",
    "p_alive_matrix",
    "value_concentration",
    "ValueConcentration",
]

ArrayLike = Any

#: The name of one period of each ``time_unit``, for the index of the tables.
_UNIT_NAMES = {"D": "day", "W": "week", "M": "month"}


def _check_purchase_model(model: Any) -> BGNBDFit | ParetoNBDFit:
    if not isinstance(model, (BGNBDFit, ParetoNBDFit)):
        raise TypeError(
            "model must be a BGNBDFit or ParetoNBDFit (from fit_bgnbd or fit_pareto_nbd); "
            f"got {type(model).__name__}"
        )
    return model


# ---------------------------------------------------------------------------
# Contractual: the sBG projection against the actual survivors
# ---------------------------------------------------------------------------


def sbg_tracking(fit: SBGFit, alive: ArrayLike, fitted_periods: int | None = None) -> pd.DataFrame:
    """A cohort's survivors and retention rates, actual against an sBG fit, period by period.

    Parameters
    ----------
    fit : SBGFit
        From :func:`cxlib.clv.fit_sbg`, usually fitted on the first periods of ``alive``.
    alive : sequence of int
        The cohort's actual counts: the cohort size, then the customers still active after
        each period (whole numbers >= 0, not increasing), at least 2 of them.  It may run
        beyond the periods the fit saw: those are the projection.
    fitted_periods : int, optional
        How many periods the fit was fitted on (periods after it are marked
        ``holdout``); by default the number of periods in the counts ``fit`` was fitted to.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period`` (0, 1, ..., ``len(alive) - 1``), with columns

        * ``alive``: the actual count;
        * ``expected_alive``: the model's, ``alive[0] * fit.survival(period)``;
        * ``error``: ``(expected_alive - alive) / alive``, the relative error (NaN where
          ``alive`` is 0);
        * ``retention``: the actual retention rate of the period, ``alive[t] / alive[t - 1]``
          (NaN in period 0 and after a period with nobody left);
        * ``expected_retention``: the model's, ``fit.retention(period)`` (NaN in period 0);
        * ``holdout`` (bool): whether the period is after ``fitted_periods``.

    Raises
    ------
    TypeError
        If ``fit`` is not an SBGFit, ``alive`` does not hold numbers, or
        ``fitted_periods`` is not an integer.
    ValueError
        If ``alive`` has fewer than 2 counts, a count is negative or not whole, the
        cohort size is 0, a count is larger than the one before it, or
        ``fitted_periods`` is below 1.

    Examples
    --------
    >>> from cxlib import clv
    >>> regular = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207]  # Fader & Hardie 2007
    >>> fit = clv.fit_sbg(regular[:8])  # years 0-7
    >>> track = clv.sbg_tracking(fit, regular)
    >>> track.loc[7:, ["alive", "expected_alive", "error", "holdout"]].round(3)
            alive  expected_alive  error  holdout
    period
    7         241         239.024 -0.008    False
    8         223         220.085 -0.013     True
    9         207         204.411 -0.013     True
    """
    import pandas as pd

    if not isinstance(fit, SBGFit):
        raise TypeError(f"fit must be an SBGFit (from fit_sbg); got {type(fit).__name__}")
    counts = _check_alive(alive, fitting=False)
    if fitted_periods is None:
        fitted_to = fit.extra.get("alive")
        if fitted_to is None:
            raise TypeError("fitted_periods must be given: this fit does not record the counts it was fitted to")
        fitted_periods = len(fitted_to) - 1
    fitted_periods = params.integer("fitted_periods", fitted_periods, min=1)
    t = np.arange(counts.size)
    expected = np.asarray(fit.expected_alive(t, cohort_size=int(counts[0])), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        error = np.where(counts > 0, (expected - counts) / counts, np.nan)
        retention = np.concatenate([[np.nan], np.where(counts[:-1] > 0, counts[1:] / counts[:-1], np.nan)])
    expected_retention = np.concatenate([[np.nan], np.asarray(fit.retention(t[1:]), dtype=float)])
    return pd.DataFrame(
        {
            "alive": counts.astype(np.int64),
            "expected_alive": expected,
            "error": error,
            "retention": retention,
            "expected_retention": expected_retention,
            "holdout": t > fitted_periods,
        },
        index=pd.Index(t, name="period"),
    )


# ---------------------------------------------------------------------------
# Non-contractual: tracking the cohort, the hold-out by frequency, P(alive)
# ---------------------------------------------------------------------------


def cumulative_repeat_purchases(
    model: BGNBDFit | ParetoNBDFit,
    transactions: pd.DataFrame,
    customer_col: Hashable,
    date_col: Hashable,
    periods: int | None = None,
    time_unit: str = "W",
) -> pd.DataFrame:
    """The cohort's cumulative repeat purchases period by period: actual and expected.

    Day 0 is the first purchase day in ``transactions``; period ``k`` ends with day
    ``ceil(k * u) - 1``, where ``u`` is the length of a period in days (7 for weeks).
    *Actual* counts every customer's repeat purchase days (all purchase days but her
    first, as in :func:`cxlib.clv.rfm_summary`) up to the end of period ``k``.
    *Predicted* adds, over the customers acquired by then, the model's expected repeat
    purchases of a new customer, ``model.expected_purchases(age)``, where ``age`` is the
    time from her first purchase day to the last day of period ``k``, in periods.  This is
    Fader, Hardie & Lee's (2005) tracking curve of the whole cohort.

    Parameters
    ----------
    model : BGNBDFit or ParetoNBDFit
        A fitted purchase model, in the time unit ``time_unit`` (weeks for CDNOW).
    transactions : pandas.DataFrame
        One row per purchase (several on one day are one purchase day).
    customer_col, date_col : column names
        The customer identifier and the purchase date.
    periods : int, optional
        Number of periods; by default every whole period the data cover (from the first
        to the last purchase day).
    time_unit : {"W", "D", "M"}, default "W"
        Length of a period: a week, a day, or an average month of 30.4375 days.

    Returns
    -------
    pandas.DataFrame
        Indexed by the period number ``1..periods`` (index named ``week``, ``day`` or
        ``month``), with columns ``date`` (the last day of the period), ``actual``
        (int) and ``predicted`` (float), both cumulative.

    Raises
    ------
    TypeError
        If ``model`` is not a purchase model, or as :func:`cxlib.clv.rfm_summary` for the
        transactions.
    ValueError
        If a column is missing, a date or customer id is missing or unparsable,
        ``time_unit`` is unknown, the data cover less than one period, or ``periods`` runs
        past the last purchase day.

    See Also
    --------
    cxlib.plots.purchase_tracking : the figure.

    Notes
    -----
    ``lifetimes``' ``expected_cumulative_transactions(model, tx, "date", "id", t=7 * K,
    freq="D", freq_multiplier=7)`` counts the same actual purchases but gives a customer
    acquired on day ``d`` the age ``(7k - d) / 7`` at the end of week ``k``, one day more
    than the days on which her purchases are counted; here the age runs to the last day
    counted, ``(7k - 1 - d) / 7``, the convention of :func:`cxlib.clv.rfm_summary` (``T``
    to the start of the last day).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import clv
    >>> tx = pd.DataFrame({"id": [1, 1, 1, 2, 2, 3],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-19",
    ...                                            "2024-01-03", "2024-01-24", "2024-01-28"])})
    >>> bg = clv.BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> clv.cumulative_repeat_purchases(bg, tx, "id", "date").round({"predicted": 3})
               date  actual  predicted
    week
    1    2024-01-07       1      0.077
    2    2024-01-14       1      0.179
    3    2024-01-21       2      0.275
    4    2024-01-28       3      0.367
    """
    import pandas as pd

    model = _check_purchase_model(model)
    daily, per_unit = _daily(transactions, customer_col, date_col, None, time_unit)
    unit = _UNIT_NAMES[time_unit]
    start = daily["day"].min()
    day = (daily["day"] - start).dt.days.to_numpy(dtype=np.int64)
    repeat = daily["customer"].duplicated().to_numpy()  # sorted by customer and day: the first is the acquisition
    cohort_day, cohort_size = np.unique(day[~repeat], return_counts=True)
    repeat_day = np.sort(day[repeat])
    last = int(day.max())
    covered = int(math.floor((last + 1) / per_unit + 1e-9))
    end = (start + pd.Timedelta(days=last)).date()
    if covered < 1:
        raise ValueError(
            f"transactions cover {last + 1} day(s) ({start.date()} to {end}), less than one {unit}; "
            f"use a shorter time_unit"
        )
    if periods is None:
        periods = covered
    else:
        want = f"an integer between 1 and {covered} (the data end on {end}, in {unit} {covered})"
        if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)):
            raise TypeError(f"periods must be {want}; got {periods!r} ({type(periods).__name__})")
        if not 1 <= periods <= covered:
            raise ValueError(f"periods must be {want}; got {periods!r}")
        periods = int(periods)
    k = np.arange(1, periods + 1)
    cut = np.ceil(k * per_unit - 1e-9).astype(np.int64)  # the first day after period k
    actual = np.searchsorted(repeat_day, cut, side="left")
    predicted = np.array([
        np.sum(cohort_size * model.expected_purchases(np.clip(c - 1 - cohort_day, 0, None) / per_unit))
        for c in cut
    ])
    return pd.DataFrame(
        {"date": start + pd.to_timedelta(cut - 1, unit="D"), "actual": actual.astype(np.int64), "predicted": predicted},
        index=pd.Index(k, name=unit),
    )


def holdout_by_frequency(
    model: BGNBDFit | ParetoNBDFit, summary: pd.DataFrame, max_frequency: int = 7
) -> pd.DataFrame:
    """Mean hold-out purchases by calibration frequency: actual and the model's expectation.

    Customers are grouped by their repeat purchases in the calibration period (0, 1, ...,
    ``max_frequency`` or more); for each group the mean of what they bought in the
    hold-out period is set beside the mean of the model's conditional expectation
    ``model.conditional_expected_purchases(duration_holdout, frequency, recency, T)``.

    Parameters
    ----------
    model : BGNBDFit or ParetoNBDFit
        A purchase model fitted on the calibration period.
    summary : pandas.DataFrame
        From :func:`cxlib.clv.calibration_and_holdout`: columns ``frequency``,
        ``recency``, ``T``, ``frequency_holdout`` and ``duration_holdout``.
    max_frequency : int, default 7
        The last group holds every customer with this many repeat purchases or more.

    Returns
    -------
    pandas.DataFrame
        One row per group that has customers, indexed by ``frequency`` (the last row:
        ``max_frequency`` or more), with columns ``actual`` (mean hold-out purchases),
        ``predicted`` (mean conditional expectation) and ``customers`` (how many).

    Raises
    ------
    TypeError
        If ``model`` is not a purchase model, ``summary`` is not a DataFrame, or a
        column does not hold numbers.
    ValueError
        If ``summary`` is empty or lacks a column, ``max_frequency`` is below 1, or a
        value is invalid (negative, a fractional frequency, recency above ``T``...).

    See Also
    --------
    cxlib.plots.holdout_vs_calibration : the figure.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import clv
    >>> summary = pd.DataFrame({"frequency": [0, 0, 1, 3, 5], "recency": [0, 0, 20, 30, 35],
    ...                         "T": [39, 30, 39, 39, 38], "frequency_holdout": [0, 1, 0, 2, 4],
    ...                         "duration_holdout": 39.0})
    >>> bg = clv.BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> clv.holdout_by_frequency(bg, summary, max_frequency=3).round(3)
               actual  predicted  customers
    frequency
    0             0.5      0.217          2
    1             0.0      0.573          1
    3             3.0      2.506          2
    """
    import pandas as pd

    model = _check_purchase_model(model)
    summary = params.frame(
        "summary", summary, ("frequency", "recency", "T", "frequency_holdout", "duration_holdout"),
        what="from calibration_and_holdout", empty=False,
    )
    cap = params.integer("max_frequency", max_frequency, min=1)
    columns = {}
    for name in ("frequency", "recency", "T", "frequency_holdout", "duration_holdout"):
        params.column(summary, name, "summary", numeric=True)
        columns[name] = params.array(name, summary[name].to_numpy(), finite=True)
    params.elements("frequency_holdout", columns["frequency_holdout"], columns["frequency_holdout"] < 0, ">= 0")
    predicted = np.asarray(
        model.conditional_expected_purchases(
            columns["duration_holdout"], columns["frequency"], columns["recency"], columns["T"]
        ),
        dtype=float,
    )
    group = np.minimum(columns["frequency"], cap).astype(np.int64)
    customers = np.bincount(group, minlength=cap + 1)
    present = np.flatnonzero(customers)
    actual = np.bincount(group, weights=columns["frequency_holdout"], minlength=cap + 1)[present] / customers[present]
    expected = np.bincount(group, weights=predicted, minlength=cap + 1)[present] / customers[present]
    return pd.DataFrame(
        {"actual": actual, "predicted": expected, "customers": customers[present].astype(np.int64)},
        index=pd.Index(present, name="frequency"),
    )


def p_alive_matrix(model: BGNBDFit | ParetoNBDFit, T: float, max_frequency: int = 20) -> pd.DataFrame:
    """P(alive) of a customer of age ``T`` for every frequency and (whole) recency.

    Parameters
    ----------
    model : BGNBDFit or ParetoNBDFit
        A fitted purchase model.
    T : float
        The customers' age (time since the first purchase, > 0), in the model's time unit.
    max_frequency : int, default 20
        The largest frequency (repeat purchases) shown; frequencies run from 0.

    Returns
    -------
    pandas.DataFrame
        Rows: recency ``0, 1, ..., floor(T)`` (index named ``recency``); columns:
        frequency ``0, 1, ..., max_frequency`` (named ``frequency``); values
        ``model.p_alive(frequency, recency, T)``.  Impossible histories are NaN: no
        repeat purchase means recency 0, and a repeat purchase means recency > 0.

    Raises
    ------
    TypeError
        If ``model`` is not a purchase model or ``T`` or ``max_frequency`` is not a
        number.
    ValueError
        If ``T`` is not > 0 or ``max_frequency`` is below 1.

    See Also
    --------
    cxlib.plots.p_alive_heatmap : the figure.

    Examples
    --------
    >>> from cxlib import clv
    >>> bg = clv.BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> clv.p_alive_matrix(bg, T=4, max_frequency=3).round(3)
    frequency    0      1      2      3
    recency
    0          1.0    NaN    NaN    NaN
    1          NaN  0.639  0.616  0.572
    2          NaN  0.686  0.702  0.698
    3          NaN  0.723  0.765  0.787
    4          NaN  0.754  0.812  0.848
    """
    import pandas as pd

    model = _check_purchase_model(model)
    age = params.real("T", T, min=0, min_inclusive=False)
    cap = params.integer("max_frequency", max_frequency, min=1)
    frequency = np.arange(cap + 1)
    recency = np.arange(int(math.floor(age)) + 1)
    F, R = np.meshgrid(frequency, recency)
    possible = (F == 0) == (R == 0)
    # impossible cells get a valid stand-in (recency 1) for the call, then NaN
    values = np.where(possible, model.p_alive(F, np.where(F == 0, 0, np.maximum(R, 1)), age), np.nan)
    return pd.DataFrame(
        values, index=pd.Index(recency, name="recency"), columns=pd.Index(frequency, name="frequency")
    )


# ---------------------------------------------------------------------------
# Value concentration
# ---------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ValueConcentration:
    """How much of the total value the most valuable customers hold (see :func:`value_concentration`).

    Attributes
    ----------
    share : float
        The share of customers asked about (0.1: the top 10%).
    n_top : int
        How many customers that is: ``max(1, floor(share * n))``.
    top_share : float
        The share of the total value the ``n_top`` most valuable customers hold.
    curve : pandas.DataFrame
        One row per customer, most valuable first (index ``rank`` from 1): ``value``,
        ``customer_share`` (``rank / n``) and ``value_share`` (cumulative share of the
        total value).

    Examples
    --------
    >>> from cxlib import clv
    >>> clv.value_concentration([50, 30, 10, 5, 5], share=0.2)
    ValueConcentration(the top 20% of customers (1 of 5) hold 50.0% of the value)
    """

    share: float
    n_top: int
    top_share: float
    curve: pd.DataFrame

    def __repr__(self) -> str:
        n = len(self.curve)
        return (
            f"ValueConcentration(the top {self.share:.0%} of customers ({self.n_top:,} of {n:,}) "
            f"hold {self.top_share:.1%} of the value)"
        )


def value_concentration(values: ArrayLike, share: float = 0.1) -> ValueConcentration:
    """The share of total value held by the top ``share`` of customers, and the whole curve.

    Customers are ranked by value, most valuable first; the top ``share`` are the first
    ``max(1, floor(share * n))`` of them.

    Parameters
    ----------
    values : array_like or pandas.Series
        One value (e.g. a CLV) per customer: finite numbers >= 0, not all 0.
    share : float, default 0.1
        The share of customers at the top (> 0 and <= 1).

    Returns
    -------
    ValueConcentration
        ``top_share`` (the answer), ``n_top`` and the ``curve`` (cumulative share of value
        against share of customers).

    Raises
    ------
    TypeError
        If ``values`` or ``share`` is not numeric.
    ValueError
        If ``values`` is empty, two-dimensional, has a value that is negative or not
        finite, or sums to 0, or ``share`` is not in (0, 1].

    See Also
    --------
    cxlib.plots.clv_distribution : the figure.

    Examples
    --------
    >>> from cxlib import clv
    >>> conc = clv.value_concentration([1.0, 8.0, 0.5, 0.5, 20.0, 2.0, 1.0, 3.0, 4.0, 10.0])
    >>> conc.n_top, round(conc.top_share, 3)
    (1, 0.4)
    >>> conc.curve.head(3)
          value  customer_share  value_share
    rank
    1      20.0             0.1         0.40
    2      10.0             0.2         0.60
    3       8.0             0.3         0.76
    >>> clv.value_concentration([3.0, -1.0])
    Traceback (most recent call last):
    ...
    ValueError: values must be >= 0 (one value per customer); got -1.0 at position 1
    """
    import pandas as pd

    v = params.array("values", values, "one number >= 0 per customer (an array)", ndim=1, finite=True)
    v = np.atleast_1d(v)
    if v.size == 0:
        raise ValueError("values is empty; at least one customer is needed")
    params.elements("values", v, v < 0, ">= 0 (one value per customer)")
    share = params.real("share", share, min=0, max=1, min_inclusive=False)
    ranked = np.sort(v)[::-1]
    total = ranked.sum()
    if not total > 0:
        raise ValueError(f"values must not all be 0; got {v.size:,} values that sum to 0")
    n = ranked.size
    n_top = max(1, int(math.floor(share * n + 1e-9)))
    top_share = float(ranked[:n_top].sum() / total)
    curve = pd.DataFrame(
        {"value": ranked, "customer_share": np.arange(1, n + 1) / n, "value_share": np.cumsum(ranked) / total},
        index=pd.Index(np.arange(1, n + 1), name="rank"),
    )
    return ValueConcentration(share=share, n_top=n_top, top_share=top_share, curve=curve)
