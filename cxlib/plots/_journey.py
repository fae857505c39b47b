"""Figures of lesson 08 (customer journeys): the journey map, credit by method, drop-off, and
the recovery of the true chain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS, LINE_COLORS, _axes

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["journey_map", "credit_comparison", "drop_off_bars", "recovery_curve"]


def _layers(p: pd.DataFrame, threshold: float) -> dict[str, int]:
    """Depth of each state from (start) along transitions of at least ``threshold`` (BFS)."""
    depth = {"(start)": 0}
    frontier = ["(start)"]
    while frontier:
        nxt = []
        for a in frontier:
            for b, w in p.loc[a].items():
                if w >= threshold and b not in depth and b not in ("(conversion)", "(null)"):
                    depth[b] = depth[a] + 1
                    nxt.append(b)
        frontier = nxt
    last = max(depth.values()) + 1
    for s in p.index:
        if s not in depth and s not in ("(conversion)", "(null)"):
            depth[s] = last - 1 if last > 1 else 1
    depth["(conversion)"] = depth["(null)"] = last
    return depth


#: Padding of the state boxes, in fractions of their font size (matplotlib's ``boxstyle`` pad).
_PAD = 0.35


def _half_sizes(ax: Axes, boxes: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Half the width and height of each state's box, in points (its text's extent plus the pad)."""
    to_points = 72 / ax.figure.dpi
    half = {}
    for s, t in boxes.items():
        extent = t.get_window_extent()  # with the figure's own renderer, whatever its backend
        pad = _PAD * t.get_fontsize()
        half[s] = (extent.width / 2 * to_points + pad, extent.height / 2 * to_points + pad)
    return half


def _to_edge(half: tuple[float, float], ux: float, uy: float) -> float:
    """How far (points) from a box's centre its edge lies in the direction (ux, uy)."""
    norm = float(np.hypot(ux, uy)) or 1.0
    ux, uy = abs(ux) / norm, abs(uy) / norm
    return min(half[0] / ux if ux > 1e-9 else np.inf, half[1] / uy if uy > 1e-9 else np.inf)


def journey_map(model: Any, ax: Axes | None = None, *, threshold: float = 0.15) -> Axes:
    """The journey as a map: states in columns by how early customers reach them, arrows for the
    transitions of at least ``threshold`` (width and label: the probability), and in each
    touchpoint's box the chance of giving up there (the arrows to ``(null)`` are left out).

    Parameters
    ----------
    model : MarkovModel or pandas.DataFrame
        A fitted model (order 1) or a transition matrix.
    ax : matplotlib Axes, optional
    threshold : float, default 0.15
        Smallest transition probability drawn.

    Returns
    -------
    matplotlib.axes.Axes
        One text box per state (``ax.texts``), one arrow per transition drawn (``ax.patches``).

    Examples
    --------
    >>> from cxlib import data, plots
    >>> ax = plots.journey_map(data.journey_matrix(), threshold=0.3)
    >>> labels = [t.get_text() for t in ax.texts]
    >>> "(conversion)" in labels, any(t.startswith("checkout") and "45% give up" in t for t in labels)
    (True, True)
    """
    from matplotlib.patches import FancyArrowPatch

    p = model.transition_matrix if hasattr(model, "transition_matrix") else params.frame("model", model, what="")
    th = params.real("threshold", threshold, min=0, max=1)
    ax = _axes(ax, (11, 5.5))
    depth = _layers(p, th)
    cols: dict[int, list[str]] = {}
    for s, d in depth.items():
        cols.setdefault(d, []).append(s)
    pos = {}
    for d, members in cols.items():
        for i, s in enumerate(sorted(members, key=lambda x: (x == "(null)", x))):
            pos[s] = (d, (len(members) - 1) / 2 - i)
    colors = {"(start)": COLORS["observed"], "(conversion)": COLORS["tertiary"], "(null)": COLORS["highlight"]}
    pos.pop("(null)", None)
    boxes = {}
    for s, (x, y) in pos.items():
        label = s if s in colors else f"{s}\n{p.loc[s, '(null)']:.0%} give up"
        boxes[s] = ax.text(x, y, label, ha="center", va="center", fontsize="small", zorder=3,
                           bbox={"boxstyle": f"round,pad={_PAD}", "fc": colors.get(s, "#DCEBF7"), "ec": "none",
                                 "alpha": 0.9 if s in colors else 1.0})
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    half = _half_sizes(ax, boxes)
    for a in p.index:
        for b, w in p.loc[a].items():
            if w < th or a == b or a in ("(conversion)", "(null)") or b == "(null)":
                continue
            (x0, y0), (x1, y1) = pos[a], pos[b]
            # backwards or within a column the arc bends more; within a column past a box, enough to
            # go round it
            rad = 0.08 if x1 > x0 else 0.6 if x1 == x0 and abs(y1 - y0) > 1 else 0.25
            color = COLORS["tertiary"] if b == "(conversion)" else COLORS["highlight"] if b == "(null)" else COLORS["primary"]
            # the arrow starts and ends at the edges of its boxes (not under them): each end is cut
            # where the arc (matplotlib's arc3: a quadratic curve through control point c, in
            # display space), leaving along its tangent, crosses the box
            start, end = ax.transData.transform([(x0, y0), (x1, y1)])
            dx, dy = end - start
            c = (start + end) / 2 + rad * np.array([dy, -dx])
            out, into = _to_edge(half[a], *(c - start)), _to_edge(half[b], *(end - c))
            ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                         mutation_scale=14, lw=0.5 + 5 * w, color=color, alpha=0.6,
                                         shrinkA=out + 1, shrinkB=into + 2, zorder=2))
            t = 0.6  # the label sits on the arc, nearer the arrowhead
            lx, ly = ax.transData.inverted().transform((1 - t) ** 2 * start + 2 * t * (1 - t) * c + t ** 2 * end)
            ax.text(lx, ly, f"{w:.2f}", fontsize="x-small", color=color, ha="center", va="center", zorder=4,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
    ax.axis("off")
    return ax


def credit_comparison(table: pd.DataFrame, ax: Axes | None = None, *, truth: Any = None,
                      xlabel: str = "conversions credited") -> Axes:
    """Conversions credited to each touchpoint by several methods, side by side.

    Parameters
    ----------
    table : pandas.DataFrame
        Touchpoints in rows, one column per method (e.g. markov, first touch, last touch).
    ax : matplotlib Axes, optional
    truth : mapping or Series, optional
        The true credit per touchpoint (e.g. by the true removal effects): black bars.
    xlabel : str

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.containers``: one bar container per method, in column order.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> t = pd.DataFrame({"markov": [5.0, 3.0], "last touch": [8.0, 0.0]}, index=["a", "b"])
    >>> ax = plots.credit_comparison(t)
    >>> len(ax.containers)
    2
    """
    import pandas as pd

    table = params.frame("table", table, what="with touchpoints in rows and methods in columns", empty=False)
    ax = _axes(ax, (7.5, 0.55 * len(table) + 1.5))
    y = np.arange(len(table))
    k = table.shape[1]
    h = 0.8 / k
    for j, col in enumerate(table.columns):
        ax.barh(y - 0.4 + h * (j + 0.5), table[col].to_numpy(float), height=h, color=LINE_COLORS[j % len(LINE_COLORS)],
                label=str(col))
    if truth is not None:
        ax.plot(pd.Series(truth).reindex(table.index).to_numpy(float), y, "|", color=COLORS["truth"], markersize=20,
                markeredgewidth=2.5, label="truth")
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.set_ylim(len(table) - 0.5, -0.6)
    ax.set_xlabel(xlabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def drop_off_bars(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Each touchpoint's chance of losing the customer in one step, the worst highlighted, with its
    share of all lost journeys written beside it.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`cxlib.journey.drop_off`.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.patches``: one bar per touchpoint.

    Examples
    --------
    >>> from cxlib import data, journey, plots
    >>> m = journey.MarkovModel.from_matrix(data.journey_matrix())
    >>> ax = plots.drop_off_bars(journey.drop_off(m))
    >>> len(ax.patches)
    7
    """
    table = params.frame("table", table, ["exit_probability", "share_of_losses"], what="from cxlib.journey.drop_off",
                         empty=False)
    t = table.sort_values("exit_probability")
    ax = _axes(ax, (6.4, 0.45 * len(t) + 1.3))
    worst = t["exit_probability"].idxmax()
    colors = [COLORS["highlight"] if i == worst else COLORS["points"] for i in t.index]
    ax.barh(np.arange(len(t)), t["exit_probability"], color=colors)
    for i, (name, row) in enumerate(t.iterrows()):
        ax.text(row["exit_probability"] + 0.01, i, f"{row['share_of_losses']:.0%} of losses", va="center",
                fontsize="x-small")
    ax.set_yticks(np.arange(len(t)), [str(i) for i in t.index])
    ax.set_xlim(0, min(1.0, float(t["exit_probability"].max()) * 1.45 + 0.05))
    ax.set_xlabel("chance of giving up at the next step")
    return ax


def recovery_curve(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """The largest error of the fitted transition probabilities against the number of customers
    (log-log), with the 1/sqrt(n) slope of sampling error for reference.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``customers`` and ``max_error`` (and optionally ``conversion_error``).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: the errors; ``ax.lines[1]``: the reference slope.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> ax = plots.recovery_curve(pd.DataFrame({"customers": [100, 1000], "max_error": [0.2, 0.06]}))
    >>> ax.get_xscale()
    'log'
    """
    table = params.frame("table", table, ["customers", "max_error"], empty=False)
    ax = _axes(ax, (6.4, 3.8))
    n = table["customers"].to_numpy(float)
    e = table["max_error"].to_numpy(float)
    ax.plot(n, e, "o-", color=COLORS["primary"], lw=2, label="largest error of a transition probability")
    ref = e[0] * np.sqrt(n[0] / n)
    ax.plot(n, ref, "--", color=COLORS["observed"], label="1 / sqrt(customers)")
    if "conversion_error" in table:
        ax.plot(n, table["conversion_error"].to_numpy(float), "s-", color=COLORS["secondary"], lw=1.5,
                label="error of the conversion probability")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("customers")
    ax.set_ylabel("absolute error")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax
