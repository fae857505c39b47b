"""Figures of lessons 03 and 04 (feedback loops, mindsets at work): the stock-and-flow
diagram, Monte Carlo bands of the simulated trajectories, and lesson 04's comparisons of
policies (means and paired differences with their uncertainty), maps of a parameter sweep
and profit and CLV against generosity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS as _ROLES
from cxlib.plots._style import LINE_COLORS, _axes

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["feedback_diagram", "trajectory_bands", "policy_trajectories", "policy_intervals", "policy_differences",
           "sweep_map", "generosity_plot"]

#: Colours of the feedback engine's policies, by name (others take the line palette in order):
#: lesson 03's two, then lesson 04's mindsets, the limit case and the explorer's own policy.
COLORS = {
    "listening": "#0072B2", "not listening": "#D55E00",
    "fixed": "#D55E00", "organisational": "#E69F00", "compliance": "#CC79A7", "technical": "#56B4E9",
    "customer centric": "#0072B2", "lose every fight": "#009E73", "your policy": "#000000",
}


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


def _color(name: str, i: int) -> str:
    return COLORS.get(str(name), LINE_COLORS[i % len(LINE_COLORS)])


def _thousands(ax: Axes, axis: str) -> None:
    """Tick labels with thousands separators and no offset or exponent when the axis
    reaches 10,000 or more (dollar totals), so that they read as amounts."""
    from matplotlib.ticker import ScalarFormatter, StrMethodFormatter

    if isinstance((ax.xaxis if axis == "x" else ax.yaxis).get_major_formatter(), ScalarFormatter):
        ax.ticklabel_format(axis=axis, style="plain", useOffset=False)
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
    if max(abs(lo), abs(hi)) >= 10_000:
        (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _labels(metrics: Any, available: list[str], name: str) -> dict[str, str]:
    """``metrics`` as {metric: axis label}: a mapping, a sequence of names (labelled by
    themselves) or None (every metric ``available``, in order)."""
    if metrics is None:
        metrics = available
    if isinstance(metrics, str):
        metrics = [metrics]
    labels = dict(metrics) if isinstance(metrics, Mapping) else {m: m.replace("_", " ") for m in metrics}
    for m in labels:
        params.choice(name, m, available)
    if not labels:
        raise ValueError(f"{name} must name at least one metric; got {metrics!r}")
    return labels


def policy_trajectories(
    frame: pd.DataFrame,
    metrics: Mapping[str, str] | list[str] | None = None,
    fig: Figure | None = None,
    *,
    order: list[str] | None = None,
    ncols: int = 2,
) -> Figure:
    """Mean trajectories with Monte Carlo bands of several policies, one panel per metric.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`cxlib.feedback.bands` frames of several metrics stacked, with a
        ``metric`` column (columns ``metric, policy, period, mean, low, high``).
    metrics : mapping or list, optional
        The metrics to draw, in order, as ``{metric: axis label}`` or a list of names;
        default every metric in ``frame``.
    fig : matplotlib Figure, optional
    order : list of str, optional
        The policies in the order of the legend (and of the line styles); default their
        order in ``frame``.
    ncols : int, default 2
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per metric (:func:`trajectory_bands`: a line and a band per policy, in
        the policy's colour of :data:`COLORS`) and one legend for all, above them.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import feedback, plots
    >>> runs = feedback.compare(feedback.Params(n_customers=300, n_periods=6),
    ...                         [feedback.Policy.fixed(), feedback.Policy.customer_centric()], n_runs=3, rng=1)
    >>> frame = pd.concat([feedback.bands(runs, m).assign(metric=m) for m in ("active", "cum_profit")])
    >>> fig = plots.policy_trajectories(frame, {"active": "customers", "cum_profit": "cumulative profit ($)"},
    ...                                 order=["fixed", "customer centric"])
    >>> [ax.get_ylabel() for ax in fig.axes], [t.get_text() for t in fig.legends[0].get_texts()]
    (['customers', 'cumulative profit ($)'], ['fixed', 'customer centric'])
    """
    from cxlib.plots._style import _figure

    frame = params.frame("frame", frame, ("metric", "policy", "period", "mean", "low", "high"),
                         what="from cxlib.feedback.bands, stacked with a metric column", empty=False)
    labels = _labels(metrics, list(dict.fromkeys(frame["metric"])), "metrics")
    ncols = params.integer("ncols", ncols, min=1, max=6)
    ncols = min(ncols, len(labels))
    nrows = -(-len(labels) // ncols)
    fig = _figure(fig, (6.2 * ncols, 3.4 * nrows + 0.5))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    present = list(dict.fromkeys(frame["policy"]))
    if order is not None:
        for name in order:
            params.choice("order", name, present)
        missing = [n for n in present if n not in order]
        if missing:
            raise ValueError(f"order must list every policy in frame; it lacks {missing}")
        rank = {name: i for i, name in enumerate(order)}
        frame = frame.sort_values("policy", key=lambda col: col.map(rank), kind="stable")
    names = list(dict.fromkeys(frame["policy"]))
    palette = {name: _color(name, i) for i, name in enumerate(names)}
    for ax, (metric, label) in zip(axes, labels.items()):
        trajectory_bands(frame[frame["metric"] == metric], ax=ax, ylabel=label, colors=palette)
        ax.get_legend().remove()
        _thousands(ax, "y")
    for ax in axes[len(labels):]:
        ax.set_visible(False)
    handles, texts = axes[0].get_legend_handles_labels()
    fig.legend(handles, texts, loc="upper center", ncol=len(texts), frameon=False, bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()))
    return fig


def _summary(summary: Any, columns: tuple[str, ...]) -> pd.DataFrame:
    return params.frame("summary", summary, ("policy", "metric", *columns), what="from cxlib.feedback.policy_summary",
                        empty=False)


def policy_intervals(
    summary: pd.DataFrame,
    metrics: Mapping[str, str] | list[str] | None = None,
    fig: Figure | None = None,
    *,
    z: float = 1.96,
) -> Figure:
    """Each policy's mean of each metric with its interval (mean +- ``z`` Monte Carlo standard errors).

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`cxlib.feedback.policy_summary` (columns ``policy, metric, mean, se``).
    metrics : mapping or list, optional
        ``{metric: axis label}`` or names; default every metric in ``summary``.
    fig : matplotlib Figure, optional
    z : float, default 1.96
        Half-width of the interval in standard errors (1.96: a 95% interval).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per metric: a point and an interval per policy (policies top to bottom
        in the order of ``summary``), in the policy's colour.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> summary = pd.DataFrame({"policy": ["fixed", "customer centric"], "metric": "profit",
    ...                         "mean": [100.0, 90.0], "se": [2.0, 3.0]})
    >>> fig = plots.policy_intervals(summary, {"profit": "total profit ($)"})
    >>> [float(x) for x in fig.axes[0].containers[0].lines[0].get_xdata()]  # the first policy's mean
    [100.0]
    """
    summary = _summary(summary, ("mean", "se"))
    labels = _labels(metrics, list(dict.fromkeys(summary["metric"])), "metrics")
    z = params.real("z", z, min=0)
    names = list(dict.fromkeys(summary["policy"]))

    def draw(ax: Axes, rows: pd.DataFrame) -> None:
        for i, name in enumerate(names):
            if name in rows.index:
                ax.errorbar([rows.loc[name, "mean"]], [i], xerr=[z * rows.loc[name, "se"]], fmt="o",
                            color=_color(name, i), capsize=4, markersize=6)

    return _policy_panels(fig, summary, labels, names, 1.4, draw)


def policy_differences(
    summary: pd.DataFrame,
    metrics: Mapping[str, str] | list[str] | None = None,
    fig: Figure | None = None,
    *,
    baseline: str | None = None,
    z: float = 1.96,
) -> Figure:
    """Each policy's paired difference from the baseline, with the interval common random
    numbers give and the one independent runs would give.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`cxlib.feedback.policy_summary` (columns ``policy, metric, diff,
        diff_se, diff_se_independent``).
    metrics : mapping or list, optional
        ``{metric: axis label}`` or names; default every metric in ``summary``.
    fig : matplotlib Figure, optional
    baseline : str, optional
        The baseline's name (its row is left out); default the one policy whose
        differences and their standard errors are all 0.
    z : float, default 1.96
        Half-width of the intervals in standard errors.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per metric: per policy a point at the mean difference, a thick
        interval of +- ``z`` paired standard errors (``diff_se``) and a thin, paler one of
        +- ``z`` standard errors of independent runs (``diff_se_independent``); a line at
        0 (no difference).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> summary = pd.DataFrame({"policy": ["customer centric", "fixed"], "metric": "profit",
    ...                         "diff": [0.0, 50.0], "diff_se": [0.0, 5.0], "diff_se_independent": [0.0, 40.0]})
    >>> fig = plots.policy_differences(summary)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()], fig.axes[0].get_title()
    (['fixed'], 'difference from customer centric')
    """
    summary = _summary(summary, ("diff", "diff_se", "diff_se_independent"))
    names = list(dict.fromkeys(summary["policy"]))
    if baseline is None:
        zero = summary[["diff", "diff_se", "diff_se_independent"]].eq(0).all(axis=1).groupby(summary["policy"]).all()
        candidates = [n for n in names if zero[n]]
        if len(candidates) != 1:
            raise ValueError(f"baseline cannot be told from the summary (policies with all differences 0: "
                             f"{candidates}); pass baseline=")
        baseline = candidates[0]
    baseline = params.choice("baseline", baseline, names)
    labels = _labels(metrics, list(dict.fromkeys(summary["metric"])), "metrics")
    z = params.real("z", z, min=0)
    others = [n for n in names if n != baseline]

    def draw(ax: Axes, rows: pd.DataFrame) -> None:
        for i, name in enumerate(others):
            if name not in rows.index:
                continue
            color = _color(name, names.index(name))
            d = rows.loc[name]
            ax.errorbar([d["diff"]], [i], xerr=[z * d["diff_se_independent"]], fmt="none", color=color, alpha=0.35,
                        capsize=3, linewidth=1)
            ax.errorbar([d["diff"]], [i], xerr=[z * d["diff_se"]], fmt="o", color=color, capsize=0, linewidth=3.5,
                        markersize=6)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(f"difference from {baseline}", fontsize="small")

    return _policy_panels(fig, summary, labels, others, 1.6, draw)


def _policy_panels(fig: Figure | None, summary: pd.DataFrame, labels: Mapping[str, str], names: list[str],
                   margin: float, draw: Any) -> Figure:
    """One panel per metric, side by side, sharing a policy axis (``names`` top to bottom):
    ``draw(ax, rows)`` fills a panel from its metric's rows of ``summary`` (indexed by policy);
    ``margin`` inches of the figure's height are for the axis labels and titles."""
    from cxlib.plots._style import _figure

    fig = _figure(fig, (3.3 * len(labels), 0.42 * max(len(names), 1) + margin))
    axes = fig.subplots(1, len(labels), sharey=True, squeeze=False).ravel()
    for ax, (metric, label) in zip(axes, labels.items()):
        draw(ax, summary[summary["metric"] == metric].set_index("policy"))
        ax.set_xlabel(label)
        ax.locator_params(axis="x", nbins=3)
        _thousands(ax, "x")
    axes[0].set_yticks(range(len(names)), names)
    axes[0].set_ylim(len(names) - 0.5, -0.5)
    fig.tight_layout()
    return fig


def sweep_map(
    table: pd.DataFrame,
    x: str,
    y: str,
    category: str,
    text: str | None = None,
    ax: Axes | None = None,
    *,
    colors: Mapping[str, str] | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """A map of a two-parameter sweep: each cell coloured by a category, with its text.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per cell of the grid (e.g. from :func:`cxlib.batch.load_results`), with
        the columns ``x``, ``y``, ``category`` and ``text``; each ``(x, y)`` once.
    x, y : str
        The swept parameters (columns of the map, rows of the map, the lowest at the bottom).
    category : str
        What colours a cell (e.g. the policy with the highest profit); missing values
        are drawn grey and labelled "missing" (a failed run).
    text : str, optional
        A column written in each cell (strings, or numbers shown as they are).
    ax : matplotlib Axes, optional
    colors : mapping, optional
        Colour of each category; default :data:`COLORS` for policy names, then the line palette.
    xlabel, ylabel : str, optional
        Axis labels; default the column names.

    Returns
    -------
    matplotlib.axes.Axes
        One coloured square per cell (``ax.patches``, row by row from the bottom left),
        its text in ``ax.texts`` and a legend of the categories present.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> table = pd.DataFrame({"price": [10, 40, 10, 40], "referral_rate": [0.01, 0.01, 0.05, 0.05],
    ...                       "best": ["fixed", "customer centric", "fixed", "customer centric"],
    ...                       "gap": ["-$5k", "+$1k", "-$4k", "+$2k"]})
    >>> ax = plots.sweep_map(table, "price", "referral_rate", "best", "gap")
    >>> [t.get_text() for t in ax.texts]
    ['-$5k', '+$1k', '-$4k', '+$2k']
    """
    from matplotlib.patches import Patch, Rectangle

    table = params.frame("table", table, tuple(c for c in (x, y, category, text) if c is not None), empty=False)
    if table.duplicated([x, y]).any():
        raise ValueError(f"table has more than one row for some ({x}, {y}) cells; a map needs one row per cell")
    ax = _axes(ax, (6.4, 4.2))
    xs, ys = sorted(table[x].unique()), sorted(table[y].unique())
    cats = table[category].where(table[category].notna(), "missing").astype(str)
    order = list(dict.fromkeys(cats))
    palette = {**{c: _color(c, i) for i, c in enumerate(order)}, **(colors or {}), "missing": "#BBBBBB"}
    for row, cat in zip(table.itertuples(index=False), cats):
        i, j = xs.index(getattr(row, x)), ys.index(getattr(row, y))
        ax.add_patch(Rectangle((i - 0.5, j - 0.5), 1, 1, facecolor=palette[cat], edgecolor="white", linewidth=2,
                               alpha=0.85))
        if text is not None:
            value = getattr(row, text)
            ax.text(i, j, "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value),
                    ha="center", va="center", fontsize=9, color="black",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.75})
    ax.set_xlim(-0.5, len(xs) - 0.5)
    ax.set_ylim(-0.5, len(ys) - 0.5)
    ax.set_xticks(range(len(xs)), [f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in ys])
    ax.grid(False)
    ax.set(xlabel=xlabel or x, ylabel=ylabel or y)
    ax.legend([Patch(facecolor=palette[c], alpha=0.85) for c in order], order, fontsize="small", frameon=False,
              loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def generosity_plot(
    curves: pd.DataFrame | Mapping[str, pd.DataFrame],
    metrics: Mapping[str, str] | list[str] | None = None,
    fig: Figure | None = None,
    *,
    breakeven: float | None | Mapping[str, float | None] = None,
    limit: Mapping[str, tuple[float, float]] | None = None,
    limit_label: str = "lose every fight",
    z: float = 1.96,
) -> Figure:
    """What generosity does to profit and CLV: paired differences from no compensation, by level.

    Parameters
    ----------
    curves : pandas.DataFrame or mapping of label to DataFrame
        From :func:`cxlib.feedback.generosity_curve` (columns ``generosity`` and, per
        metric, ``<metric>_diff`` and ``<metric>_diff_se``); several, labelled, to compare
        (e.g. with and without the service recovery paradox).
    metrics : mapping or list, optional
        ``{metric: axis label}`` or names among ``profit``, ``clv``,
        ``final_satisfaction``; default profit and CLV.
    fig : matplotlib Figure, optional
    breakeven : float, None or mapping of label to float or None
        Break-even generosity (from :func:`cxlib.feedback.breakeven_generosity`) to mark
        with a dashed vertical line in the profit panel, in the colour of its curve (a
        mapping names the curves it marks); None marks nothing.
    limit : mapping of metric to (difference, standard error), optional
        A limit case drawn at generosity 1 as a diamond with its interval (e.g. "lose
        every fight", which also resolves every complaint).
    limit_label : str, default "lose every fight"
    z : float, default 1.96
        Half-width of the bands in standard errors.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per metric: per curve a line of mean differences with a band of +- ``z``
        paired standard errors, a line at 0 (the same as paying nothing).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> curve = pd.DataFrame({"generosity": [0.0, 0.5, 1.0], "profit_diff": [0.0, -10.0, 5.0],
    ...                       "profit_diff_se": [0.0, 1.0, 2.0], "clv_diff": [0.0, 1.0, 2.0],
    ...                       "clv_diff_se": [0.0, 0.5, 0.5]})
    >>> fig = plots.generosity_plot(curve, breakeven=0.8)
    >>> [float(y) for y in fig.axes[0].lines[0].get_ydata()], [float(x) for x in fig.axes[0].lines[-1].get_xdata()]
    ([0.0, -10.0, 5.0], [0.8, 0.8])
    """
    from cxlib.plots._style import _figure

    if not isinstance(curves, Mapping):
        curves = {"": curves}
    metrics = _labels(["profit", "clv"] if metrics is None else metrics, ["profit", "clv", "final_satisfaction"],
                      "metrics")
    need = ("generosity", *[f"{m}{s}" for m in metrics for s in ("_diff", "_diff_se")])
    curves = {str(k): params.frame(f"curves[{k!r}]" if k else "curves", v, need,
                                   what="from cxlib.feedback.generosity_curve", empty=False)
              for k, v in curves.items()}
    if not isinstance(breakeven, Mapping):
        breakeven = {label: breakeven for label in curves}
    breakeven = {str(k): g for k, g in breakeven.items()}
    for label in breakeven:
        params.choice("breakeven", label, list(curves))
    # each curve's colour, which its break-even line shares
    colors = {name: LINE_COLORS[(4 + i) % len(LINE_COLORS)] if i else COLORS["customer centric"]
              for i, name in enumerate(curves)}
    z = params.real("z", z, min=0)
    fig = _figure(fig, (6.0 * len(metrics), 3.8))
    axes = fig.subplots(1, len(metrics), squeeze=False).ravel()
    for ax, (metric, label) in zip(axes, metrics.items()):
        for i, (name, curve) in enumerate(curves.items()):
            color = colors[name]
            c = curve.sort_values("generosity")
            ax.plot(c["generosity"], c[f"{metric}_diff"], marker="o", color=color, markersize=4, label=name or None,
                    linestyle=("-", "--", ":")[i % 3])
            ax.fill_between(c["generosity"], c[f"{metric}_diff"] - z * c[f"{metric}_diff_se"],
                            c[f"{metric}_diff"] + z * c[f"{metric}_diff_se"], color=color, alpha=0.2, linewidth=0)
        if limit and metric in limit:
            d, se = limit[metric]
            ax.errorbar([1.0], [d], yerr=[z * se], fmt="D", color=COLORS["lose every fight"], capsize=4,
                        markersize=7, label=limit_label)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set(xlabel="generosity (share of the claim paid)", ylabel=label)
        _thousands(ax, "y")
        if metric == "profit":
            for name, g in breakeven.items():
                if g is not None and np.isfinite(g):
                    ax.axvline(float(g), color=colors[name], linestyle="--", linewidth=1.2)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small", frameon=False)
    fig.tight_layout()
    return fig
