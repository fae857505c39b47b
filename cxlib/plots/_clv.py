"""Figures of lesson 05 (retention and customer lifetime value).

Each figure draws a table computed in :mod:`cxlib.clv` (data flow one way: the topic
function computes, the figure draws):

* :func:`clv_by_retention` draws :func:`cxlib.clv.retention_value`;
* :func:`sbg_projection` draws :func:`cxlib.clv.sbg_tracking` (one or more cohorts);
* :func:`purchase_tracking` draws :func:`cxlib.clv.cumulative_repeat_purchases`;
* :func:`holdout_vs_calibration` draws :func:`cxlib.clv.holdout_by_frequency`;
* :func:`p_alive_heatmap` draws :func:`cxlib.clv.p_alive_matrix`;
* :func:`clv_distribution` draws :func:`cxlib.clv.value_concentration`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS, LINE_COLORS, _axes, _figure

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cxlib._clv_checks import ValueConcentration

__all__ = [
    "clv_by_retention",
    "sbg_projection",
    "purchase_tracking",
    "holdout_vs_calibration",
    "p_alive_heatmap",
    "clv_distribution",
]

#: Lines of several series (cohorts): the roles first, then the rest of the palette.
_SERIES_COLORS = (COLORS["primary"], COLORS["secondary"], COLORS["tertiary"]) + tuple(
    c for c in LINE_COLORS if c not in (COLORS["primary"], COLORS["secondary"], COLORS["tertiary"])
)


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
    >>> ax = plots.clv_by_retention(clv.retention_value(100, 0.1, paid="start"), current=0.8)
    >>> ax.texts[0].get_text()
    '$367 at 80%'
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


_TRACKING_COLUMNS = ("alive", "expected_alive", "retention", "expected_retention", "holdout")


def sbg_projection(
    tracks: pd.DataFrame | Mapping[str, pd.DataFrame],
    fig: Figure | None = None,
    *,
    unit: str = "year",
) -> Figure:
    """Survivors and retention rates of cohorts, actual against the sBG, projection shaded.

    Left: customers still active after each period, actual (points) and the sBG
    (lines).  Right: the retention rate of each period, actual and the sBG's.  The
    periods the fit never saw (``holdout``) are shaded in both panels.

    Parameters
    ----------
    tracks : pandas.DataFrame or mapping of str to pandas.DataFrame
        From :func:`cxlib.clv.sbg_tracking`: one cohort, or several by name (each gets
        its own colour: ``primary``, ``secondary``, ...).
    fig : matplotlib Figure, optional
        An empty figure to draw in; a new 12 x 4 inch figure by default.
    unit : str, default "year"
        The length of a period, for the axis labels.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes; in each, per cohort, a line of points (actual) then a line (sBG).

    Raises
    ------
    TypeError
        If ``tracks`` is not a DataFrame or a non-empty mapping of them, or ``fig`` is
        not a Figure.
    ValueError
        If a table is empty or lacks a column of :func:`cxlib.clv.sbg_tracking`.

    Examples
    --------
    >>> from cxlib import clv, plots
    >>> regular = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207]
    >>> track = clv.sbg_tracking(clv.fit_sbg(regular[:8]), regular)
    >>> fig = plots.sbg_projection({"regular": track})
    >>> left, right = fig.axes
    >>> left.lines[0].get_ydata().tolist() == regular
    True
    >>> right.get_ylabel()
    'retention rate in the year'
    """
    import pandas as pd
    from matplotlib.ticker import PercentFormatter

    unit = params.text("unit", unit)
    if isinstance(tracks, pd.DataFrame):
        tracks = {"": tracks}
    if not isinstance(tracks, Mapping) or not tracks:
        got = "an empty mapping" if isinstance(tracks, Mapping) else type(tracks).__name__
        raise TypeError(
            f"tracks must be a DataFrame from cxlib.clv.sbg_tracking or a non-empty mapping of cohort "
            f"name to one; got {got}"
        )
    checked = {
        str(name): params.frame(f"tracks[{name!r}]" if name else "tracks", frame, _TRACKING_COLUMNS,
                                what="from cxlib.clv.sbg_tracking", empty=False)
        for name, frame in tracks.items()
    }
    fig = _figure(fig, (12, 4))
    left, right = fig.subplots(1, 2)
    sizes, fitted, projected = set(), [], []
    for i, (name, frame) in enumerate(checked.items()):
        color = _SERIES_COLORS[i % len(_SERIES_COLORS)]
        prefix = f"{name}: " if name else ""
        t = frame.index.to_numpy(dtype=float)
        holdout = frame["holdout"].to_numpy(dtype=bool)
        left.plot(t, frame["alive"].to_numpy(dtype=float), "o", color=color, label=f"{prefix}actual")
        left.plot(t, frame["expected_alive"].to_numpy(dtype=float), "-", color=color, label=f"{prefix}sBG")
        later = t > t.min()  # a retention rate needs a period before it
        right.plot(t[later], frame["retention"].to_numpy(dtype=float)[later], "o", color=color,
                   label=f"{prefix}actual")
        right.plot(t[later], frame["expected_retention"].to_numpy(dtype=float)[later], "-", color=color,
                   label=f"{prefix}sBG")
        sizes.add(int(frame["alive"].iloc[0]))
        fitted.extend(t[~holdout])
        projected.extend(t[holdout])
    if projected:
        lo, hi = min(projected) - 0.5, max(projected) + 0.5
        for ax in (left, right):
            ax.axvspan(lo, hi, color=COLORS["observed"], alpha=0.15, linewidth=0)
        left.text((lo + hi) / 2, 0.97, "projected", transform=left.get_xaxis_transform(),
                  ha="center", va="top", color="dimgrey")
        if fitted:
            last = max(f for f in fitted if f < lo)
            left.text((min(fitted) + last) / 2 + 0.5, 0.97, f"fitted on {unit}s {min(fitted):g}-{last:g}",
                      transform=left.get_xaxis_transform(), ha="center", va="top", color="dimgrey")
    xlabel = f"{unit}s since acquisition"
    of = f" (of {next(iter(sizes)):,})" if len(sizes) == 1 else ""
    left.set(xlabel=xlabel, ylabel=f"customers still active{of}")
    right.set(xlabel=xlabel, ylabel=f"retention rate in the {unit}")
    right.yaxis.set_major_formatter(PercentFormatter(1.0))
    right.legend(fontsize="small", frameon=False, loc="lower right", ncol=2)
    fig.tight_layout()
    return fig


def purchase_tracking(
    frame: pd.DataFrame,
    ax: Axes | None = None,
    *,
    calibration_end: float | None = None,
    label: str = "model",
) -> Axes:
    """The cohort's cumulative repeat purchases, actual against predicted, period by period.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`cxlib.clv.cumulative_repeat_purchases` (columns ``actual`` and
        ``predicted``, indexed by period).
    ax : matplotlib Axes, optional
    calibration_end : float, optional
        The last period of the calibration: marked by a vertical line, with the
        calibration to its left and the hold-out to its right.
    label : str, default "model"
        The model's name, for the legend (``"<label> prediction"``).

    Returns
    -------
    matplotlib.axes.Axes
        Two lines (actual, then predicted); with ``calibration_end`` also the line marking it.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame, ``ax`` not an Axes, or ``label`` not a string.
    ValueError
        If ``frame`` is empty or lacks a column, or ``calibration_end`` is outside its periods.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import clv, plots
    >>> tx = pd.DataFrame({"id": [1, 1, 1, 2, 2, 3],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-19",
    ...                                            "2024-01-03", "2024-01-24", "2024-01-28"])})
    >>> bg = clv.BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> tracking = clv.cumulative_repeat_purchases(bg, tx, "id", "date")
    >>> ax = plots.purchase_tracking(tracking, calibration_end=2, label="BG/NBD")
    >>> ax.lines[0].get_ydata().tolist()
    [1, 1, 2, 3]
    >>> ax.get_xlabel()
    'weeks since the first purchase in the data'
    """
    frame = params.frame("frame", frame, ("actual", "predicted"),
                         what="from cxlib.clv.cumulative_repeat_purchases", empty=False)
    label = params.text("label", label)
    ax = _axes(ax, (8, 4.2))
    x = frame.index.to_numpy(dtype=float)
    ax.plot(x, frame["actual"].to_numpy(), color=COLORS["observed"], linewidth=3, label="actual")
    ax.plot(x, frame["predicted"].to_numpy(dtype=float), color=COLORS["primary"], linestyle="--",
            label=f"{label} prediction")
    if calibration_end is not None:
        end = params.real("calibration_end", calibration_end, min=float(x.min()), max=float(x.max()))
        ax.axvline(end, color=COLORS["truth"], linewidth=0.8)
        where = ax.get_xaxis_transform()
        ax.text(end, 0.95, "calibration  ", transform=where, ha="right", va="top", color="dimgrey")
        ax.text(end, 0.95, "  hold-out", transform=where, ha="left", va="top", color="dimgrey")
    unit = frame.index.name or "period"
    ax.set(xlabel=f"{unit}s since the first purchase in the data", ylabel="cumulative repeat purchases")
    ax.legend(frameon=False, loc="lower right")
    return ax


def holdout_vs_calibration(
    frame: pd.DataFrame,
    ax: Axes | None = None,
    *,
    label: str = "model",
) -> Axes:
    """Mean hold-out purchases by calibration frequency, actual against the model.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`cxlib.clv.holdout_by_frequency` (columns ``actual`` and
        ``predicted``, indexed by frequency; the last group is that many or more).
    ax : matplotlib Axes, optional
    label : str, default "model"
        The model's name, for the legend.

    Returns
    -------
    matplotlib.axes.Axes
        Two lines (actual, then the model); the last tick is labelled ``"<k>+"``.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame, ``ax`` not an Axes, or ``label`` not a string.
    ValueError
        If ``frame`` is empty or lacks a column.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import clv, plots
    >>> summary = pd.DataFrame({"frequency": [0, 0, 1, 3, 5], "recency": [0, 0, 20, 30, 35],
    ...                         "T": [39, 30, 39, 39, 38], "frequency_holdout": [0, 1, 0, 2, 4],
    ...                         "duration_holdout": 39.0})
    >>> bg = clv.BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> ax = plots.holdout_vs_calibration(clv.holdout_by_frequency(bg, summary, max_frequency=3))
    >>> ax.lines[0].get_ydata().tolist()
    [0.5, 0.0, 3.0]
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['0', '1', '3+']
    """
    frame = params.frame("frame", frame, ("actual", "predicted"),
                         what="from cxlib.clv.holdout_by_frequency", empty=False)
    label = params.text("label", label)
    ax = _axes(ax, (7, 4))
    x = frame.index.to_numpy(dtype=float)
    ax.plot(x, frame["actual"].to_numpy(dtype=float), "o-", color=COLORS["observed"], linewidth=3, label="actual")
    ax.plot(x, frame["predicted"].to_numpy(dtype=float), "s--", color=COLORS["primary"], label=label)
    ticks = [f"{v:g}" for v in x]
    ticks[-1] += "+"
    ax.set_xticks(x, ticks)
    ax.set(xlabel="repeat purchases in the calibration period", ylabel="mean purchases in the hold-out period")
    ax.legend(frameon=False)
    return ax


def p_alive_heatmap(
    matrix: pd.DataFrame,
    ax: Axes | None = None,
    *,
    unit: str = "week",
    title: str | None = None,
) -> Axes:
    """P(alive) over frequency (across) and recency (up) as a heatmap; impossible cells blank.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`cxlib.clv.p_alive_matrix`: recency in the index, frequency in the
        columns, probabilities (NaN where the history is impossible).
    ax : matplotlib Axes, optional
    unit : str, default "week"
        The model's time unit, for the recency axis.
    title : str, optional
        A title, e.g. the customers' age.

    Returns
    -------
    matplotlib.axes.Axes
        The heatmap (``ax.collections[0]``, colour scale 0 to 1) with its colour bar.

    Raises
    ------
    TypeError
        If ``matrix`` is not a DataFrame of numbers with numeric labels, or ``ax`` not an Axes.
    ValueError
        If ``matrix`` is empty or holds a value outside [0, 1].

    Examples
    --------
    >>> from cxlib import clv, plots
    >>> bg = clv.BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> matrix = clv.p_alive_matrix(bg, T=4, max_frequency=3)
    >>> ax = plots.p_alive_heatmap(matrix, title="P(alive) for a customer aged 4 weeks")
    >>> ax.collections[0].get_array().shape
    (5, 4)
    """
    matrix = params.frame("matrix", matrix, what="from cxlib.clv.p_alive_matrix", empty=False)
    unit = params.text("unit", unit)
    frequency = params.array("matrix columns (frequency)", matrix.columns.to_numpy(), ndim=1, finite=True)
    recency = params.array("matrix index (recency)", matrix.index.to_numpy(), ndim=1, finite=True)
    values = params.array("matrix", matrix.to_numpy(), "a table of probabilities (or NaN)")
    params.elements("matrix", values, ~np.isnan(values) & ((values < 0) | (values > 1)), "probabilities (or NaN)")
    ax = _axes(ax, (8, 5))
    mesh = ax.pcolormesh(frequency, recency, values, cmap="viridis", vmin=0, vmax=1, shading="nearest")
    ax.figure.colorbar(mesh, ax=ax, label="P(alive)")
    ax.set(xlabel="frequency: repeat purchases", ylabel=f"recency: {unit}s from first to last purchase")
    if title is not None:
        ax.set_title(params.text("title", title))
    ax.grid(False)
    if frequency.size > 12:
        ax.set_xticks(frequency[::2])
    return ax


def clv_distribution(
    concentration: ValueConcentration,
    fig: Figure | None = None,
    *,
    value_label: str = "CLV ($)",
    currency: str = "$",
    bins: int = 40,
) -> Figure:
    """Customer values: their distribution (log scale, mean marked) and their concentration.

    Left: a histogram of the values on a logarithmic axis, the mean dashed.  Values below
    the first bar's edge (the 0.5% quantile, at least 0.01) are counted in the first bar.
    Right: the cumulative share of total value against the share of customers, most
    valuable first, with the top ``share`` marked; the dotted diagonal is equal value.

    Parameters
    ----------
    concentration : ValueConcentration
        From :func:`cxlib.clv.value_concentration`.
    fig : matplotlib Figure, optional
        An empty figure to draw in; a new 12 x 4 inch figure by default.
    value_label : str, default "CLV ($)"
        What a value is, with its unit, for the histogram's axis.
    currency : str, default "$"
        Put before the mean in its label.
    bins : int, default 40
        Number of bars.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the histogram (``axes[0].patches``, the mean line), and the curve (its
        first line), the diagonal and the marked point.

    Raises
    ------
    TypeError
        If ``concentration`` is not a ValueConcentration, ``fig`` not a Figure, a label
        not a string or ``bins`` not an integer.
    ValueError
        If ``bins`` is below 1.

    Examples
    --------
    >>> from cxlib import clv, plots
    >>> conc = clv.value_concentration([1.0, 8.0, 0.5, 0.5, 20.0, 2.0, 1.0, 3.0, 4.0, 10.0])
    >>> fig = plots.clv_distribution(conc, bins=10)
    >>> hist, curve = fig.axes
    >>> float(sum(bar.get_height() for bar in hist.patches))
    10.0
    >>> curve.lines[0].get_ydata()[:3].tolist()
    [0.4, 0.6, 0.76]
    """
    from matplotlib.ticker import PercentFormatter

    from cxlib._clv_checks import ValueConcentration

    if not isinstance(concentration, ValueConcentration):
        raise TypeError(
            f"concentration must be a ValueConcentration (from cxlib.clv.value_concentration); "
            f"got {type(concentration).__name__}"
        )
    value_label = params.text("value_label", value_label)
    if not isinstance(currency, str):
        raise TypeError(f"currency must be a string; got {currency!r} ({type(currency).__name__})")
    bins = params.integer("bins", bins, min=1)
    curve = concentration.curve
    values = curve["value"].to_numpy(dtype=float)
    mean = float(values.mean())
    fig = _figure(fig, (12, 4))
    left, right = fig.subplots(1, 2)

    lo = max(float(np.quantile(values, 0.005)), 0.01)
    hi = float(values.max())
    if hi <= lo:
        hi = lo * 10
    edges = np.logspace(np.log10(lo), np.log10(hi), bins + 1)
    left.hist(np.clip(values, lo, None), bins=edges, color=COLORS["points"], edgecolor="white")
    left.set_xscale("log")
    left.set_xlim(edges[0], edges[-1])
    left.axvline(mean, color=COLORS["highlight"], linestyle="--")
    left.text(mean * 1.1, 0.95, f"mean {currency}{mean:,.2f}", transform=left.get_xaxis_transform(),
              va="top", color=COLORS["highlight"])
    left.set(xlabel=f"{value_label}, log scale", ylabel="customers")

    right.plot(curve["customer_share"].to_numpy(), curve["value_share"].to_numpy(), color=COLORS["primary"],
               label="most valuable first")
    right.plot([0, 1], [0, 1], color=COLORS["observed"], linewidth=0.8, linestyle=":", label="equal value")
    px, py = concentration.n_top / len(curve), concentration.top_share
    right.plot([px], [py], "o", color=COLORS["highlight"])
    right.annotate(f"top {concentration.share:.0%} of customers: {py:.0%} of value", (px, py),
                   xytext=(px + 0.15, py - 0.15), arrowprops={"arrowstyle": "->", "color": "dimgrey"})
    right.xaxis.set_major_formatter(PercentFormatter(1.0))
    right.yaxis.set_major_formatter(PercentFormatter(1.0))
    right.set(xlabel="share of customers, most valuable first", ylabel="share of total value")
    right.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return fig
