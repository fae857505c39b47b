"""Transaction logs to the per-customer summaries the CLV models are fitted to.

:func:`rfm_summary` turns a table of transactions (one row per purchase) into one row
per customer: the number of *repeat purchase days* (``frequency``), the time from the
first to the last purchase (``recency``), the time from the first purchase to the end
of observation (``T``) and, optionally, the mean value of the repeat purchase days
(``monetary_value``).  These are ``x``, ``t_x`` and ``T`` of Fader, Hardie & Lee
(2005) and the inputs of the BG/NBD, Pareto/NBD and Gamma-Gamma models.
:func:`calibration_and_holdout` adds what each customer did in a later hold-out period,
to check a model's predictions.

Conventions (the same as the ``lifetimes`` package with ``freq="D"`` and
``freq_multiplier`` 7 for weeks):

* Dates are truncated to the calendar day; several purchases of one customer on one day
  are one *purchase day* (their values are added).
* The first purchase day is the customer's acquisition: it is not counted in
  ``frequency`` and its value is not part of ``monetary_value``.
* Times are whole-day differences of dates, expressed in the ``time_unit``: days
  (``"D"``), weeks of 7 days (``"W"``, the default, as in FHL 2005) or average
  Gregorian months of 365.25 / 12 = 30.4375 days (``"M"``; not calendar months).
* The end of observation is a date, and ``T`` is measured to the *start* of that day.
  FHL (2005) count calendar weeks: with CDNOW's calibration period 1997-01-01 to
  1997-09-30 ("weeks 1-39"), a customer who first bought on 1997-01-01 has
  ``T = 272 / 7 = 38.86`` weeks here (and in ``lifetimes``' ``cdnow_customers_summary``
  file, which matches this function customer by customer), not the 39 weeks to the end
  of 1997-09-30.  The one-day difference is immaterial for the models.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["TIME_UNITS", "rfm_summary", "calibration_and_holdout"]

#: Days per unit of time for the ``time_unit`` argument.
TIME_UNITS: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}


def _parse_date_column(transactions: pd.DataFrame, column: Hashable) -> pd.Series:
    """The column as day-truncated, timezone-naive datetimes; one-line error if unparsable."""
    import pandas as pd

    raw = transactions[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        dates = raw
    else:
        if pd.api.types.is_bool_dtype(raw) or pd.api.types.is_numeric_dtype(raw):
            raise TypeError(
                f"date_col {column!r} must hold dates (datetime64 or date strings such as "
                f"'1997-01-01'); it has dtype {raw.dtype}"
            )
        try:
            dates = pd.to_datetime(raw, errors="coerce", format="mixed")
        except (TypeError, ValueError):  # pragma: no cover - coerce should not raise
            dates = pd.Series(pd.NaT, index=raw.index)
        bad = dates.isna() & raw.notna()
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"date_col {column!r} has a value that is not a date: {raw.iloc[pos]!r} "
                f"(row {pos}); expected dates such as '1997-01-01'"
            )
    if dates.isna().any():
        pos = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise ValueError(f"date_col {column!r} has a missing date (row {pos}); every purchase needs a date")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates.dt.normalize().astype("datetime64[ns]")


def _parse_date(name: str, value: Any) -> pd.Timestamp:
    import pandas as pd

    if isinstance(value, bool) or isinstance(value, (int, float, np.number)):
        raise TypeError(
            f"{name} must be a date (a string such as '1997-09-30', a datetime or a "
            f"Timestamp); got {value!r} ({type(value).__name__})"
        )
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if stamp is pd.NaT or pd.isna(stamp):
        raise ValueError(f"{name} must be a date such as '1997-09-30'; got {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def _value_column(transactions: pd.DataFrame, column: Hashable) -> np.ndarray:
    import pandas as pd

    col = transactions[column]
    if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        raise TypeError(f"value_col {column!r} must be numeric; it has dtype {col.dtype}")
    values = col.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"value_col {column!r} has a missing or infinite value ({col.iloc[pos]!r}, row {pos}); "
            "expected finite values >= 0"
        )
    if (values < 0).any():
        pos = int(np.flatnonzero(values < 0)[0])
        raise ValueError(
            f"value_col {column!r} has a negative value ({values[pos]!r}, row {pos}); "
            "expected values >= 0 (remove returns and refunds first)"
        )
    return values


def _daily(
    transactions: Any,
    customer_col: Hashable,
    date_col: Hashable,
    value_col: Hashable | None,
    time_unit: str,
) -> tuple[pd.DataFrame, float]:
    """Validate and collapse to one row per (customer, purchase day), sorted."""
    import pandas as pd

    unit = params.choice("time_unit", time_unit, tuple(TIME_UNITS))
    tx = params.frame(
        "transactions", transactions, {"customer_col": customer_col, "date_col": date_col, "value_col": value_col},
        what="with one row per purchase", empty=False,
    )
    customers = tx[customer_col]
    if customers.isna().any():
        pos = int(np.flatnonzero(customers.isna().to_numpy())[0])
        raise ValueError(
            f"customer_col {customer_col!r} has a missing customer id (row {pos}); every purchase needs one"
        )
    dates = _parse_date_column(tx, date_col)
    values = _value_column(tx, value_col) if value_col is not None else np.zeros(len(tx))
    frame = pd.DataFrame(
        {"customer": customers.to_numpy(), "day": dates.to_numpy(), "value": values}
    )
    daily = frame.groupby(["customer", "day"], sort=True, as_index=False)["value"].sum()
    return daily, TIME_UNITS[unit]


def _summarise(daily: pd.DataFrame, end: pd.Timestamp, days_per_unit: float, with_value: bool) -> pd.DataFrame:
    """frequency / recency / T (/ monetary_value) from purchase days up to ``end``."""
    import pandas as pd

    grouped = daily.groupby("customer", sort=True)
    first = grouped["day"].min()
    last = grouped["day"].max()
    n_days = grouped["day"].size()
    out = pd.DataFrame(index=first.index)
    out["frequency"] = (n_days - 1).astype("int64")
    out["recency"] = ((last - first).dt.days / days_per_unit).astype(float)
    out["T"] = ((end - first).dt.days / days_per_unit).astype(float)
    if with_value:
        # rows are sorted by customer and day: each customer's first row is the acquisition
        repeats = daily[daily["customer"].duplicated()]
        mean = repeats.groupby("customer", sort=True)["value"].mean()
        out["monetary_value"] = mean.reindex(out.index, fill_value=0.0).astype(float)
    return out


def _name_index(frame: pd.DataFrame, customer_col: Hashable) -> pd.DataFrame:
    frame.index.name = customer_col
    return frame


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def rfm_summary(
    transactions: pd.DataFrame,
    customer_col: Hashable,
    date_col: Hashable,
    value_col: Hashable | None = None,
    calibration_end: Any = None,
    observation_end: Any = None,
    time_unit: str = "W",
) -> pd.DataFrame:
    """Summarise a transaction log per customer: frequency, recency, T (and value).

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per purchase.
    customer_col, date_col : column names
        The customer identifier and the purchase date (datetime64, or strings pandas
        can parse).  Times of day are ignored: purchases on the same calendar day are
        one purchase day.
    value_col : column name, optional
        The purchase value (numeric, >= 0).  When given, ``monetary_value`` is added.
    calibration_end : date, optional
        Purchases after this day are ignored (purchases *on* it count), and customers
        whose first purchase is after it are left out.
    observation_end : date, optional
        The end of observation, to which ``T`` is measured; by default
        ``calibration_end`` if given, else the last purchase day in the data.  Without
        ``calibration_end``, purchases after ``observation_end`` are ignored.  With both,
        ``observation_end`` must not be before ``calibration_end``; purchases between
        the two are ignored while ``T`` still runs to ``observation_end`` (rarely what
        you want: use :func:`calibration_and_holdout` for a hold-out period).
    time_unit : {"W", "D", "M"}, default "W"
        Unit of ``recency`` and ``T``: weeks (days / 7, as in Fader, Hardie & Lee 2005),
        days, or average months (days / 30.4375; ``lifetimes``' ``freq="M"`` counts
        calendar months instead).

    Returns
    -------
    pandas.DataFrame
        Indexed by customer (sorted, index named ``customer_col``), with columns

        * ``frequency`` (int64): number of repeat purchase days, i.e. distinct purchase
          days minus one (the first purchase is the acquisition, not a repeat);
        * ``recency`` (float): time from the first to the last purchase day
          (0 for customers with no repeat purchase);
        * ``T`` (float): time from the first purchase day to ``observation_end``;
        * ``monetary_value`` (float, with ``value_col`` only): mean value of the repeat
          purchase days (values of one day added; the first purchase day excluded);
          0 for customers with no repeat purchase.

    Raises
    ------
    TypeError
        If ``transactions`` is not a DataFrame, the value column is not numeric, the
        date column holds numbers, or a date argument is not a date.
    ValueError
        If a column is missing (the message lists the columns and suggests the
        closest), the table is empty, a date cannot be parsed, a customer id or date
        is missing, a value is negative or missing, ``time_unit`` is unknown,
        ``calibration_end`` is before the first purchase, or ``observation_end`` is
        before ``calibration_end`` or before the first purchase.

    See Also
    --------
    calibration_and_holdout : the same summary plus a hold-out period.

    Notes
    -----
    On CDNOW (``cxlib.data.load("cdnow_sample")``) with ``calibration_end="1997-09-30"``
    the result agrees customer by customer with the summary file shipped with
    ``lifetimes`` 0.11.3 (2,357 customers, 946 of them repeat buyers, 2,457 repeat
    purchase days in all).  ``T`` is measured to the start of ``observation_end``
    (272 days = 38.86 weeks for a customer acquired on 1997-01-01), where Fader, Hardie
    & Lee speak of the end of week 39; see the module docstring.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({
    ...     "id": ["a", "a", "a", "a", "b"],
    ...     "date": ["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-29", "2024-01-08"],
    ...     "amount": [10.0, 5.0, 20.0, 30.0, 7.0],
    ... })
    >>> rfm_summary(tx, "id", "date", "amount", observation_end="2024-02-05")
        frequency  recency    T  monetary_value
    id
    a           2      4.0  5.0            25.0
    b           0      0.0  4.0             0.0
    """
    import pandas as pd

    daily, per_unit = _daily(transactions, customer_col, date_col, value_col, time_unit)
    first_day = daily["day"].min()
    cut = None
    if calibration_end is not None:
        cut = _parse_date("calibration_end", calibration_end)
        if cut < first_day:
            raise ValueError(
                f"calibration_end {cut.date()} is before the first purchase ({first_day.date()}); "
                "no customer would be left"
            )
    end = None
    if observation_end is not None:
        end = _parse_date("observation_end", observation_end)
        if cut is not None and end < cut:
            raise ValueError(
                f"observation_end {end.date()} is before calibration_end {cut.date()}; "
                "observation must end on or after the calibration period"
            )
        if end < first_day:
            raise ValueError(
                f"observation_end {end.date()} is before the first purchase ({first_day.date()}); "
                "no customer would be left"
            )
    if cut is None:
        cut = end if end is not None else daily["day"].max()
    if end is None:
        end = cut
    kept = daily[daily["day"] <= cut]
    summary = _summarise(kept, pd.Timestamp(end), per_unit, value_col is not None)
    return _name_index(summary, customer_col)


def calibration_and_holdout(
    transactions: pd.DataFrame,
    customer_col: Hashable,
    date_col: Hashable,
    calibration_end: Any,
    observation_end: Any = None,
    value_col: Hashable | None = None,
    time_unit: str = "W",
) -> pd.DataFrame:
    """Summarise a calibration period per customer and count their hold-out purchases.

    The calibration period runs to ``calibration_end`` (inclusive), the hold-out period
    from the day after it to ``observation_end`` (inclusive).  Only customers acquired
    in the calibration period are kept: the models predict what *they* do next.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per purchase.
    customer_col, date_col : column names
        The customer identifier and the purchase date.
    calibration_end : date
        Last day of the calibration period.
    observation_end : date, optional
        Last day of the hold-out period; by default the last purchase day in the data.
        Must be after ``calibration_end``.
    value_col : column name, optional
        The purchase value; adds ``monetary_value`` and ``monetary_value_holdout``.
    time_unit : {"W", "D", "M"}, default "W"
        Unit of ``recency``, ``T`` and ``duration_holdout`` (see :func:`rfm_summary`).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`rfm_summary` for the calibration period (``T`` measured to
        ``calibration_end``), and

        * ``frequency_holdout`` (int64): purchase days in the hold-out period (every one
          counts: the customer was acquired before it);
        * ``monetary_value_holdout`` (float, with ``value_col`` only): mean value of the
          hold-out purchase days, 0 for customers without one;
        * ``duration_holdout`` (float): length of the hold-out period, the same for all.

    Raises
    ------
    TypeError, ValueError
        As :func:`rfm_summary`; also if ``observation_end`` is not after
        ``calibration_end``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({
    ...     "id": [1, 1, 1, 1, 2, 3],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-20", "2024-01-20",
    ...                             "2024-01-03", "2024-01-25"]),
    ... })
    >>> calibration_and_holdout(tx, "id", "date", "2024-01-15", "2024-01-29", time_unit="D")
        frequency  recency     T  frequency_holdout  duration_holdout
    id
    1           1      7.0  14.0                  1              14.0
    2           0      0.0  12.0                  0              14.0
    """
    if calibration_end is None:
        raise TypeError("calibration_end must be a date such as '1997-09-30'; got None")
    daily, per_unit = _daily(transactions, customer_col, date_col, value_col, time_unit)
    first_day = daily["day"].min()
    cut = _parse_date("calibration_end", calibration_end)
    if cut < first_day:
        raise ValueError(
            f"calibration_end {cut.date()} is before the first purchase ({first_day.date()}); "
            "no customer would be left"
        )
    if observation_end is None:
        end = daily["day"].max()
        if end <= cut:
            raise ValueError(
                f"calibration_end {cut.date()} is on or after the last purchase ({end.date()}); "
                "there is no hold-out period: pass an earlier calibration_end or an observation_end"
            )
    else:
        end = _parse_date("observation_end", observation_end)
        if end <= cut:
            raise ValueError(
                f"observation_end {end.date()} is not after calibration_end {cut.date()}; "
                "the hold-out period runs from the day after calibration_end to observation_end"
            )
    with_value = value_col is not None
    summary = _summarise(daily[daily["day"] <= cut], cut, per_unit, with_value)
    hold = daily[(daily["day"] > cut) & (daily["day"] <= end) & daily["customer"].isin(summary.index)]
    grouped = hold.groupby("customer", sort=True)
    counts = grouped["day"].size()
    summary["frequency_holdout"] = counts.reindex(summary.index, fill_value=0).astype("int64")
    if with_value:
        means = grouped["value"].mean()
        summary["monetary_value_holdout"] = means.reindex(summary.index, fill_value=0.0).astype(float)
    summary["duration_holdout"] = float((end - cut).days / per_unit)
    return _name_index(summary, customer_col)
