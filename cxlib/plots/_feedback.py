"""Figures of lessons 03 and 04 (feedback loops): the stock-and-flow diagram and Monte
Carlo bands of the simulated trajectories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS as _ROLES
from cxlib.plots._style import LINE_COLORS, _axes

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["feedback_diagram", "trajectory_bands"]

#: Colours of the feedback engine's policies, by name (others take the line palette in order).
COLORS = {"listening": "#0072B2", "not listening": "#D55E00"}


def feedback_diagram(ax: Axes | None = None) -> Axes:
    """The causal-loop diagram of :mod:`cxlib.feedback`, with its loops marked.

    Influences are arrows marked ``+`` (more of one gives more of the other) or ``-``
    (more gives less); the stocks (what accumulates: quality, the backlog, satisfaction,
    customers) are boxed; ``B`` marks the balancing loop, ``R`` the reinforcing one, and
    ``||`` the delay.  The costs of acting on feedback and of service recovery are the
    two ``-`` arrows into profit.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from cxlib import plots
    >>> ax = plots.feedback_diagram()
    >>> sorted(t.get_text() for t in ax.texts if t.get_text() in ("B", "R"))  # the two loops
    ['B', 'R']
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    ax = _axes(ax, (10, 6.4))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    stock = {"boxstyle": "round,pad=0.02", "facecolor": "#dbe9f6", "edgecolor": _ROLES["primary"], "linewidth": 1.5}
    nodes = {  # name: (x, y, is_stock)
        "Quality": (0.12, 0.86, True),
        "Problems": (0.45, 0.86, False),
        "Feedback\nbacklog": (0.84, 0.86, True),
        "Acting on\nfeedback": (0.62, 0.6, False),
        "Service\nrecovery": (0.86, 0.5, False),
        "Satisfaction": (0.3, 0.42, True),
        "Churn": (0.84, 0.3, False),
        "Referrals": (0.09, 0.2, False),
        "Customers": (0.42, 0.08, True),
        "Profit": (0.84, 0.07, False),
    }
    for name, (x, y, is_stock) in nodes.items():
        if is_stock:
            ax.add_patch(FancyBboxPatch((x - 0.085, y - 0.045), 0.17, 0.09, **stock))
        ax.text(x, y, name, ha="center", va="center", fontsize=10,
                fontweight="bold" if is_stock else "normal", zorder=3)
    to_px, to_data = ax.transData.transform, ax.transData.inverted().transform

    def on_curve(a, b, rad, t):
        # a point of matplotlib's arc3 curve (a quadratic Bezier drawn in display space)
        p0, p2 = to_px(a), to_px(b)
        (x1, y1), (x2, y2) = p0, p2
        c = np.array([(x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)])
        return to_data((1 - t) ** 2 * p0 + 2 * t * (1 - t) * c + t**2 * p2)

    def arrow(a, b, sign, rad=0.0, note=None, delay=False, note_at=0.45, note_dy=-0.035, note_dx=0.0):
        pa, pb = np.array(nodes[a][:2]), np.array(nodes[b][:2])
        ax.add_patch(FancyArrowPatch(pa, pb, connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                     mutation_scale=14, color="0.3", linewidth=1.2, shrinkA=34, shrinkB=34))
        x, y = on_curve(pa, pb, rad, 0.62)
        ax.text(x, y, sign, ha="center", va="center", fontsize=13, fontweight="bold", zorder=4,
                color=_ROLES["primary"] if sign == "+" else _ROLES["secondary"],
                bbox={"boxstyle": "circle,pad=0.12", "facecolor": "white", "edgecolor": "none"})
        if note:
            x, y = on_curve(pa, pb, rad, note_at)
            ax.text(x + note_dx, y + note_dy, note, ha="center", va="top" if note_dy < 0 else "bottom", fontsize=8,
                    color="0.3", style="italic", zorder=4,
                    bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        if delay:
            x, y = on_curve(pa, pb, rad, 0.3)
            ax.text(x, y, "||", ha="center", va="center", fontsize=13, fontweight="bold", rotation=-30, zorder=4)

    arrow("Quality", "Problems", "-")
    arrow("Problems", "Feedback\nbacklog", "+", note="feedback_rate")
    arrow("Feedback\nbacklog", "Acting on\nfeedback", "+", note="capacity, delay", delay=True,
          note_at=0.55, note_dy=0.0, note_dx=0.08)
    arrow("Acting on\nfeedback", "Quality", "+", note="improvement", note_at=0.7, note_dy=0.02)
    arrow("Feedback\nbacklog", "Service\nrecovery", "+")
    arrow("Service\nrecovery", "Satisfaction", "+", note="recovery")
    arrow("Problems", "Satisfaction", "-")
    arrow("Satisfaction", "Churn", "-")
    arrow("Churn", "Customers", "-")
    arrow("Satisfaction", "Referrals", "+")
    arrow("Customers", "Referrals", "+", rad=-0.35)
    arrow("Referrals", "Customers", "+", rad=-0.15)
    arrow("Customers", "Profit", "+", note="price")
    arrow("Acting on\nfeedback", "Profit", "-", rad=0.1, note="cost per\naction", note_at=0.3, note_dy=0.0)
    arrow("Service\nrecovery", "Profit", "-", rad=-0.45, note="cost per\nrecovery", note_at=0.5, note_dy=0.0)
    for x, y, label, color in ((0.6, 0.76, "B", _ROLES["primary"]), (0.24, 0.15, "R", _ROLES["tertiary"])):
        ax.text(x, y, label, ha="center", va="center", fontsize=15, fontweight="bold", color=color,
                bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": color, "linewidth": 1.5})
    return ax


def trajectory_bands(
    frame: pd.DataFrame,
    ax: Axes | None = None,
    *,
    ylabel: str | None = None,
    by: str = "policy",
    colors: Mapping[str, str] | None = None,
) -> Axes:
    """Mean trajectories with Monte Carlo bands, one line per policy.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`cxlib.feedback.bands` (columns ``period, mean, low, high`` and
        ``by``).
    ax : matplotlib Axes, optional
    ylabel : str, optional
        Label of the value axis, with units.
    by : str, default "policy"
        The column that separates the lines.
    colors : mapping, optional
        Colour of each group by name; default :data:`COLORS` for the two policies of
        lesson 03, then the line palette in order.

    Returns
    -------
    matplotlib.axes.Axes
        One line and one shaded band per group.

    Examples
    --------
    >>> from cxlib import feedback, plots
    >>> runs = feedback.compare(feedback.Params(n_customers=500, n_periods=10), n_runs=5, rng=1)
    >>> ax = plots.trajectory_bands(feedback.bands(runs, "active"), ylabel="customers")
    >>> [line.get_label() for line in ax.lines]
    ['listening', 'not listening']
    """
    frame = params.frame("frame", frame, ("period", "mean", "low", "high"))
    ax = _axes(ax)
    palette = COLORS if colors is None else colors
    groups = frame.groupby(by, sort=False) if by in frame.columns else [("", frame)]
    for i, (name, g) in enumerate(groups):
        color = palette.get(str(name), LINE_COLORS[i % len(LINE_COLORS)])
        g = g.sort_values("period")
        ax.plot(g["period"], g["mean"], color=color, linestyle=("-", "--", ":", "-.")[i % 4], label=str(name) or None)
        ax.fill_between(g["period"], g["low"], g["high"], color=color, alpha=0.2, linewidth=0)
    ax.set(xlabel="period (week)", ylabel=ylabel or "value")
    if by in frame.columns:
        ax.legend(fontsize="small", frameon=False)
    return ax
