"""Figures of lesson 05 (retention and customer lifetime value)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS, _axes

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["clv_by_retention"]


def clv_by_retention(
    frame: pd.DataFrame,
    ax: Axes | None = None,
    *,
    current: float | None = None,
    ylabel: str = "value of a customer ($)",
) -> Axes:
    """A customer's value against the retention rate, with the current rate marked.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`cxlib.clv.retention_value` (columns ``retention`` and ``value``).
    ax : matplotlib Axes, optional
    current : float, optional
        A retention rate to mark (the nearest row of ``frame``), with its value.
    ylabel : str
        Label of the value axis.

    Returns
    -------
    matplotlib.axes.Axes
        One line; with ``current`` also a point and its label.

    Examples
    --------
    >>> from cxlib import clv, plots
    >>> ax = plots.clv_by_retention(clv.retention_value(100, 0.1), current=0.8)  # doctest: +SKIP
    """
    frame = params.frame("frame", frame, ("retention", "value"))
    ax = _axes(ax)
    frame = frame.sort_values("retention")
    ax.plot(frame["retention"], frame["value"], color=COLORS["primary"], label="value")
    if current is not None:
        r = params.real("current", current, min=0, max=1)
        row = frame.iloc[int(np.argmin(np.abs(frame["retention"].to_numpy() - r)))]
        ax.plot([row["retention"]], [row["value"]], "o", color=COLORS["highlight"], label="current")
        ax.annotate(f"${row['value']:,.0f} at {row['retention']:.0%}", (row["retention"], row["value"]),
                    textcoords="offset points", xytext=(-10, 8), ha="right", fontsize="small")
    ax.set(xlabel="retention rate per period", ylabel=ylabel)
    return ax
