"""Figures of lesson 09 (the service-profit chain): the chain as a path diagram, the coverage of
intervals over simulated chains, the sensitivity of the indirect effect to an unmeasured
confounder, leading by example between and within stores, estimates with intervals against a
reference, and the simulation error of a bootstrap interval."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS, LINE_COLORS, _axes, _estimates, _figure

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["chain_diagram", "coverage_plot", "sensitivity_plot", "between_within", "effect_intervals",
           "simulation_error"]

#: Where the boxes of :func:`chain_diagram` sit (x, y).
_NODES = {
    "leader": (1.45, 1.3, "manager leads\nby example"),
    "programme": (0.0, 0.0, "empowerment and\nrecognition programme"),
    "engagement": (1.45, 0.0, "employee\nengagement"),
    "quality": (2.9, 0.0, "service\nquality"),
    "satisfaction": (4.35, 0.0, "customer\nsatisfaction"),
    "revenue": (5.8, 0.0, "store\nrevenue"),
    "disposition": (2.9, -1.6, "employee's disposition\n(never recorded)"),
}
#: The arrows of :func:`chain_diagram`: key in ``paths``, from, to, symbol.
_EDGES = (
    ("a", "programme", "engagement", "a"),
    ("theta", "engagement", "quality", "θ"),
    ("phi", "quality", "satisfaction", "φ"),
    ("direct", "programme", "satisfaction", "c"),
    ("revenue", "satisfaction", "revenue", ""),
    ("leader", "leader", "engagement", ""),
    ("choice", "leader", "programme", ""),
    ("confounder", "disposition", "engagement", "k"),
    ("confounder", "disposition", "satisfaction", "k"),
)
#: How deep the direct effect's arrow dips below the chain.
_DIP = 0.8


def _fmt(x: float) -> str:
    return f"{x:.2f}" if abs(x) < 10 else f"{x:.0f}"


def chain_diagram(paths: Mapping[str, float], estimates: Mapping[str, float] | None = None,
                  ax: Axes | None = None) -> Axes:
    """The service-profit chain as a path diagram, each arrow labelled with its coefficient.

    Boxes: the manager's leading by example, the empowerment programme, employee engagement,
    service quality, customer satisfaction, store revenue, and the employees' unrecorded
    disposition (a dashed box, drawn only when ``paths`` has a ``confounder``).  Each arrow
    named in ``paths`` is drawn with its true value, and the estimate beside it when
    ``estimates`` has one (``est.``); a path of 0 is drawn dotted and faint.

    Parameters
    ----------
    paths : mapping
        True coefficients, any of: ``a`` (programme -> engagement), ``theta`` (engagement ->
        service quality), ``phi`` (service quality -> satisfaction), ``direct`` (c, programme
        -> satisfaction), ``revenue`` (satisfaction -> revenue), ``leader`` (leading by example
        -> engagement), ``choice`` (leading by example -> whether the store runs the
        programme: managers choose it; 0 or absent when randomised) and ``confounder`` (k:
        disposition -> engagement and -> satisfaction).
    estimates : mapping, optional
        Estimates of any of those paths, and ``b`` (engagement -> satisfaction, the product
        theta * phi) and ``indirect`` (a * theta * phi), written under the chain.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.texts``: one per box, one per labelled arrow, and the line under the chain;
        ``ax.patches``: one arrow per drawn path.

    Examples
    --------
    >>> from cxlib import plots
    >>> ax = plots.chain_diagram({"a": 0.5, "theta": 0.6, "phi": 0.5, "direct": 0.1},
    ...                          estimates={"a": 0.47, "indirect": 0.13})
    >>> [t.get_text() for t in ax.texts if t.get_text().startswith("a =")]
    ['a = 0.50\\n(est. 0.47)']
    """
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    if not isinstance(paths, Mapping):
        raise TypeError(f"paths must be a mapping of path names to numbers; got {type(paths).__name__}")
    known = {e[0] for e in _EDGES}
    for key, value in paths.items():
        if key not in known:
            raise ValueError(f"paths names {key!r}, which is not a path of the chain; the paths are: "
                             f"{', '.join(sorted(known))}")
        params.real(f"paths[{key!r}]", value)
    est = dict(estimates or {})
    for key, value in est.items():
        params.real(f"estimates[{key!r}]", value)
    ax = _axes(ax, (11, 4.6))
    show = {"programme", "engagement", "quality", "satisfaction"}
    if "revenue" in paths:
        show.add("revenue")
    if "leader" in paths or "choice" in paths:
        show.add("leader")
    if "confounder" in paths:
        show.add("disposition")
    for name in show:
        x, y, label = _NODES[name]
        dashed = name == "disposition"
        ax.text(x, y, label, ha="center", va="center", fontsize="small", zorder=3,
                bbox={"boxstyle": "round,pad=0.45", "fc": "white" if dashed else "#DCEBF7",
                      "ec": COLORS["highlight"] if dashed else "none", "ls": "--" if dashed else "-"})
    for key, start, end, symbol in _EDGES:
        if key not in paths:
            continue
        value = float(paths[key])
        (x0, y0, _), (x1, y1, _) = _NODES[start], _NODES[end]
        color = {"confounder": COLORS["highlight"], "direct": COLORS["tertiary"]}.get(key, COLORS["primary"])
        zero = value == 0
        style = {"arrowstyle": "-|>", "mutation_scale": 16, "lw": 0.8 if zero else 1.2 + 2.5 * min(abs(value), 1.0),
                 "color": color, "alpha": 0.3 if zero else 0.8, "ls": ":" if zero else "-", "zorder": 2}
        if key == "direct":  # below the chain, from under one box to under the other
            top = y0 - 0.3
            curve = Path([(x0, top), (x0, top - 1.33 * (_DIP - 0.3)), (x1, top - 1.33 * (_DIP - 0.3)), (x1, top)],
                         [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
            ax.add_patch(FancyArrowPatch(path=curve, **style))
        else:
            ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), shrinkA=34, shrinkB=34, **style))
        if key == "revenue":
            label = f"{_fmt(value)} per point"
        elif key == "choice":
            label = "chooses the\nprogramme" if value else "randomised"
        elif key == "leader":
            label = _fmt(value)
        else:
            label = f"{symbol} = {_fmt(value)}"
        if key in est and key != "choice":
            label += f"\n(est. {_fmt(float(est[key]))})"
        ha = "center"
        if key == "direct":  # on the curve's left part, clear of the confounder's arrows
            mx, my = x0 + 0.2 * (x1 - x0), y0 - 0.9 * _DIP
        elif key == "confounder":
            mx, my = x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0)
        elif key == "leader":
            mx, my, ha = x0 + 0.1, (y0 + y1) / 2, "left"
        elif key == "choice":
            mx, my = (x0 + x1) / 2 - 0.3, (y0 + y1) / 2 + 0.15
        else:
            mx, my = (x0 + x1) / 2, 0.33
        ax.text(mx, my, label, ha=ha, va="center", fontsize="x-small", color=color, zorder=4,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    notes = []
    if {"theta", "phi"} <= set(paths):
        b = float(paths["theta"]) * float(paths["phi"])
        line = f"engagement → satisfaction: b = θφ = {_fmt(b)}"
        if "b" in est:
            line += f" (est. {_fmt(float(est['b']))})"
        notes.append(line)
        if "a" in paths:
            line = f"indirect effect a·θ·φ = {float(paths['a']) * b:.3f}"
            if "indirect" in est:
                line += f" (est. {float(est['indirect']):.3f})"
            notes.append(line)
    if notes:
        ax.text(4.35, 1.3, "\n".join(notes), ha="center", va="center", fontsize="small")
    ax.set_xlim(-0.9, 6.5 if "revenue" in show else 5.3)
    ax.set_ylim(-2.05 if "disposition" in show else -1.15, 1.75)
    ax.axis("off")
    return ax


def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def coverage_plot(intervals: pd.DataFrame, truth: float, fig: Figure | None = None, *, level: float = 0.95,
                  show: int = 60) -> Figure:
    """How often intervals cover the truth: each analysis's intervals over simulated data sets,
    and its coverage with a 95% Wilson interval against the nominal level.

    Parameters
    ----------
    intervals : pandas.DataFrame
        One row per analysis and simulated data set: ``analysis`` (its name), ``estimate``,
        ``ci_low``, ``ci_high``.
    truth : float
        The true value every interval should cover.
    fig : matplotlib Figure, optional
    level : float, default 0.95
        The intervals' nominal level (a dashed line on the right panel).
    show : int, default 60
        Intervals drawn per analysis on the left (the first ``show`` data sets, sorted by
        their estimate); the coverage uses all of them.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.axes[0]``: the intervals (one panel row per analysis, misses in vermillion);
        ``fig.axes[1]``: the coverage, one point per analysis (``lines[0]``: x = coverage).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> t = pd.DataFrame({"analysis": ["wide", "wide", "narrow", "narrow"], "estimate": [1.0, 1.2, 1.0, 1.3],
    ...                   "ci_low": [0.5, 0.9, 0.9, 1.2], "ci_high": [1.5, 1.6, 1.1, 1.4]})
    >>> fig = plots.coverage_plot(t, truth=1.0)
    >>> fig.axes[1].lines[0].get_xdata().tolist()
    [1.0, 0.5]
    """
    import pandas as pd  # noqa: F401

    table = _estimates("intervals", intervals, ("estimate", "ci_low", "ci_high"), "with one row per interval")
    params.column(table, "analysis", "column")
    truth = params.real("truth", truth)
    level = params.real("level", level, min=0, max=1, min_inclusive=False, max_inclusive=False)
    show = params.integer("show", show, min=1)
    names = list(dict.fromkeys(table["analysis"]))
    fig = _figure(fig, (11, 1.5 + 1.5 * len(names)))
    grid = fig.add_gridspec(1, 2, width_ratios=(2.2, 1), wspace=0.3)
    left, right = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    cover, bounds = [], []
    height = 1.0
    for i, name in enumerate(names):
        rows = table[table["analysis"] == name]
        hit = (rows["ci_low"] <= truth) & (truth <= rows["ci_high"])
        cover.append(float(hit.mean()))
        bounds.append(_wilson(int(hit.sum()), len(rows)))
        drawn = rows.head(show).sort_values("estimate")
        hit_d = (drawn["ci_low"] <= truth) & (truth <= drawn["ci_high"])
        xs = np.linspace(0.02, 0.98, len(drawn)) if len(drawn) > 1 else np.array([0.5])
        lo, hi = drawn["ci_low"].to_numpy(float), drawn["ci_high"].to_numpy(float)
        span = max(float(table["ci_high"].max() - table["ci_low"].min()), 1e-12)
        base = -i * (height + 0.35)
        scale = height / span
        ref = float(table["ci_low"].min())
        colors = np.where(hit_d.to_numpy(), COLORS["primary"], COLORS["highlight"])
        left.vlines(xs, base + (lo - ref) * scale, base + (hi - ref) * scale, colors=colors, lw=1.6)
        left.plot(xs, base + (drawn["estimate"].to_numpy(float) - ref) * scale, ".", color=COLORS["truth"], ms=3)
        left.hlines(base + (truth - ref) * scale, 0, 1, color=COLORS["truth"], lw=1.0, ls="--")
        left.text(0.0, base + height + 0.05, f"{name}: {int((~hit).sum())} of {len(rows)} miss the truth",
                  fontsize="small", va="bottom")
    left.set_xlim(-0.01, 1.01)
    left.set_ylim(-(len(names) - 1) * (height + 0.35) - 0.1, height + 0.35)
    left.set_xticks([])
    left.set_yticks([])
    left.set_xlabel(f"simulated data sets, sorted by their estimate (at most {show} each)\ndashed: the truth")
    y = np.arange(len(names))
    err = np.array([[c - b[0] for c, b in zip(cover, bounds)], [b[1] - c for c, b in zip(cover, bounds)]])
    right.errorbar(cover, y, xerr=err, fmt="o", color=COLORS["primary"], ecolor=COLORS["primary"], capsize=4)
    right.axvline(level, color=COLORS["truth"], ls="--", lw=1)
    right.set_yticks(y, names)
    right.yaxis.tick_right()
    right.set_ylim(len(names) - 0.5, -0.5)
    right.set_xlim(min(0.0, min(b[0] for b in bounds) - 0.05), 1.02)
    right.set_xlabel(f"coverage (dashed: the nominal {level:.0%})")
    for c, yy in zip(cover, y):
        right.annotate(f"{c:.0%}", (c, yy), textcoords="offset points", xytext=(0, 8), ha="center",
                       fontsize="small")
    return fig


def sensitivity_plot(sens: Any, ax: Axes | None = None, *, band: bool = True, rho_zero: float | None = None,
                     truth: tuple[float, float] | None = None, label: str = "estimated ACME") -> Axes:
    """The indirect effect (ACME) against rho, the correlation an unmeasured confounder would
    create between the errors of the mediator and the outcome models.

    Parameters
    ----------
    sens : SensitivityResult or pandas.DataFrame
        The result of :func:`cxlib.serviceprofit.sensitivity`, or a table with columns
        ``rho``, ``acme`` and (for the band) ``ci_low``, ``ci_high``.
    ax : matplotlib Axes, optional
    band : bool, default True
        Shade the confidence band.
    rho_zero : float, optional
        Where the ACME is 0 (a dotted vertical line); taken from ``sens.rho_zero`` when not
        given.
    truth : (float, float), optional
        ``(rho, acme)`` of the truth (for simulated data): a black star.
    label : str
        Legend label of the curve.

    Returns
    -------
    matplotlib.axes.Axes
        ``lines[0]``: the curve (x = rho, y = ACME); a vertical line at ``rho_zero``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> t = pd.DataFrame({"rho": [-0.5, 0.0, 0.5], "acme": [0.3, 0.1, -0.1],
    ...                   "ci_low": [0.2, 0.0, -0.2], "ci_high": [0.4, 0.2, 0.0]})
    >>> ax = plots.sensitivity_plot(t, rho_zero=0.25)
    >>> ax.lines[0].get_ydata().tolist()
    [0.3, 0.1, -0.1]
    """
    table = getattr(sens, "table", sens)
    cols = ("rho", "acme", "ci_low", "ci_high") if band else ("rho", "acme")
    table = _estimates("sens", table, cols, "with columns rho and acme")
    if rho_zero is None:
        rho_zero = getattr(sens, "rho_zero", None)
    band = params.boolean("band", band)
    ax = _axes(ax, (7, 4.2))
    rho = table["rho"].to_numpy(float)
    ax.plot(rho, table["acme"].to_numpy(float), color=COLORS["primary"], lw=2, label=label)
    if band:
        ax.fill_between(rho, table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float),
                        color=COLORS["primary"], alpha=0.18, lw=0, label="95% band")
    ax.axhline(0, color=COLORS["observed"], lw=1)
    ax.axvline(0, color=COLORS["observed"], lw=0.8, ls=":")
    if rho_zero is not None:
        rz = params.real("rho_zero", rho_zero, min=-1, max=1)
        ax.axvline(rz, color=COLORS["highlight"], lw=1.5, ls="--", label=f"ACME = 0 at rho = {rz:.2f}")
    if truth is not None:
        tr, ta = (params.real("truth[0]", truth[0], min=-1, max=1), params.real("truth[1]", truth[1]))
        ax.plot([tr], [ta], "*", color=COLORS["truth"], ms=13, label=f"the truth: rho {tr:.2f}, ACME {ta:.3f}")
    central = np.abs(rho) <= 0.8
    if central.any():  # the curve runs off to infinity as |rho| -> 1: frame its central part
        cols_y = ["acme", "ci_low", "ci_high"] if band else ["acme"]
        vals = table.loc[central, cols_y].to_numpy(float).ravel().tolist() + [0.0]
        if truth is not None:
            vals.append(float(truth[1]))
        lo, hi = min(vals), max(vals)
        pad = 0.08 * (hi - lo) if hi > lo else 1.0
        ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel("rho: correlation of the mediator's and the outcome's errors (0 = no unmeasured confounder)")
    ax.set_ylabel("ACME (indirect effect)")
    ax.set_xlim(-1, 1)
    ax.legend(fontsize="small", frameon=False)
    return ax


def between_within(data: pd.DataFrame, x: str, y: str, group: str, *, between: float, within: float,
                   truth: tuple[float, float] | None = None, fig: Figure | None = None) -> Figure:
    """A predictor's effect between groups and within them, side by side.

    Left: one point per group (the group means of ``x`` and ``y``) with a line of slope
    ``between``; right: every row's deviation from its group's means with a line of slope
    ``within``; dashed lines show the true slopes when given.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per member (employee).
    x, y, group : str
        The predictor (e.g. ``leader_rating``), the outcome (``engagement``) and the group
        (``store_id``).
    between, within : float
        The estimated slopes (e.g. :attr:`MultilevelResult.between_within`).
    truth : (float, float), optional
        The true between and within slopes.
    fig : matplotlib Figure, optional

    Returns
    -------
    matplotlib.figure.Figure
        Two axes; in each, ``lines[0]`` is the estimated slope's line.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> d = pd.DataFrame({"g": [1, 1, 2, 2], "x": [0.0, 1.0, 2.0, 3.0], "y": [0.0, 0.5, 2.0, 2.5]})
    >>> fig = plots.between_within(d, "x", "y", "g", between=1.0, within=0.5)
    >>> [round(float(ax.lines[0].get_ydata()[-1] - ax.lines[0].get_ydata()[0]) /
    ...        float(ax.lines[0].get_xdata()[-1] - ax.lines[0].get_xdata()[0]), 2) for ax in fig.axes]
    [1.0, 0.5]
    """
    frame = params.frame("data", data, (x, y, group), what="with one row per member", empty=False)
    params.column(frame, x, "x", numeric=True)
    params.column(frame, y, "y", numeric=True)
    between = params.real("between", between)
    within = params.real("within", within)
    fig = _figure(fig, (11, 4.2))
    axes = fig.subplots(1, 2)
    means = frame.groupby(group)[[x, y]].mean()
    dev = frame[[x, y]] - frame.groupby(group)[[x, y]].transform("mean")
    panels = ((axes[0], means, between, "between stores: store means", truth[0] if truth else None),
              (axes[1], dev, within, "within stores: deviations from the store's means", truth[1] if truth else None))
    for ax, pts, slope, title, true in panels:
        xs = np.array([pts[x].min(), pts[x].max()])
        cx, cy = float(pts[x].mean()), float(pts[y].mean())
        ax.plot(xs, cy + slope * (xs - cx), color=COLORS["secondary"], lw=2.5, label=f"estimated slope {slope:.2f}")
        ax.scatter(pts[x], pts[y], s=10 if len(pts) > 200 else 22, alpha=0.35 if len(pts) > 200 else 0.8,
                   color=COLORS["points"], edgecolor="none", zorder=1)
        if true is not None:
            ax.plot(xs, cy + float(true) * (xs - cx), color=COLORS["truth"], lw=1.5, ls="--",
                    label=f"true slope {float(true):.2f}")
        ax.set_title(title, fontsize="medium")
        ax.legend(fontsize="small", frameon=False, loc="upper left")
    axes[0].set_xlabel(f"{x} (store mean)")
    axes[0].set_ylabel(f"{y} (store mean)")
    axes[1].set_xlabel(f"{x} (minus the store mean)")
    axes[1].set_ylabel(f"{y} (minus the store mean)")
    return fig


def effect_intervals(table: pd.DataFrame, ax: Axes | None = None, *, reference: str | None = None,
                     reference_label: str | None = None, xlabel: str = "effect") -> Axes:
    """Estimates with their intervals, one row each, and a reference value (the truth, or a
    published number) as a black tick.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per estimate (the index labels the rows): ``estimate``, ``ci_low``, ``ci_high``.
    ax : matplotlib Axes, optional
    reference : str, optional
        A column of ``table`` with the reference value of each row (missing values: no tick).
    reference_label : str, optional
        Legend label of the ticks (default: the column's name).
    xlabel : str

    Returns
    -------
    matplotlib.axes.Axes
        ``lines[0]``: the vertical line at 0; ``lines[1]``: the estimates (x = estimate, top
        row first); with ``reference``, ``lines[-1]``: the reference ticks.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> t = pd.DataFrame({"estimate": [0.2, 0.1], "ci_low": [0.1, 0.0], "ci_high": [0.3, 0.2],
    ...                   "truth": [0.15, 0.15]}, index=["naive", "adjusted"])
    >>> ax = plots.effect_intervals(t, reference="truth")
    >>> ax.lines[1].get_xdata().tolist(), ax.lines[-1].get_xdata().tolist()
    ([0.2, 0.1], [0.15, 0.15])
    """
    table = _estimates("table", table, ("estimate", "ci_low", "ci_high"), "with one row per estimate")
    if reference is not None:
        params.column(table, reference, "reference", numeric=True)
    ax = _axes(ax, (7.5, 0.5 * len(table) + 1.4))
    ax.axvline(0, color=COLORS["observed"], lw=1)
    y = np.arange(len(table))
    est = table["estimate"].to_numpy(float)
    err = np.vstack([est - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - est])
    ax.errorbar(est, y, xerr=err, fmt="o", color=COLORS["primary"], ecolor=COLORS["primary"], capsize=4,
                label="estimate, 95% interval")
    if reference is not None:
        ref = table[reference].to_numpy(float)
        ax.plot(ref, y, "|", color=COLORS["truth"], ms=22, mew=2.5, label=reference_label or reference)
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    ax.legend(fontsize="small", frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def simulation_error(table: pd.DataFrame, ax: Axes | None = None, *, target: float | None = None,
                     observed: Mapping[int, float] | None = None) -> Axes:
    """The Monte Carlo standard deviation of a simulated interval's ends against the number of
    simulations (log scales), with a target precision.

    Parameters
    ----------
    table : pandas.DataFrame
        ``n_sims`` and one column per interval end (e.g. ``lower end``, ``upper end``): its
        standard deviation from run to run at that many simulations.
    ax : matplotlib Axes, optional
    target : float, optional
        The standard deviation wanted (a dashed horizontal line).
    observed : mapping, optional
        ``{n_sims: sd}`` measured from repeated runs: black diamonds.

    Returns
    -------
    matplotlib.axes.Axes
        ``lines``: one curve per end column, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> t = pd.DataFrame({"n_sims": [100, 400], "lower end": [0.01, 0.005]})
    >>> plots.simulation_error(t, target=0.0025).lines[0].get_ydata().tolist()
    [0.01, 0.005]
    """
    table = params.frame("table", table, ("n_sims",), what="with a column n_sims", empty=False)
    ends = [c for c in table.columns if c != "n_sims"]
    if not ends:
        raise ValueError("table needs at least one column besides n_sims (the standard deviation of an interval end)")
    ax = _axes(ax, (7, 4))
    n = table["n_sims"].to_numpy(float)
    for j, col in enumerate(ends):
        ax.plot(n, table[col].to_numpy(float), color=LINE_COLORS[(j + 4) % len(LINE_COLORS)], lw=2,
                marker="os"[j % 2], ms=4, label=str(col))
    if observed:
        ax.plot(list(observed), list(observed.values()), "D", color=COLORS["truth"], ms=7,
                label="measured over repeated runs")
    if target is not None:
        target = params.real("target", target, min=0, min_inclusive=False)
        ax.axhline(target, color=COLORS["truth"], ls="--", lw=1, label=f"target {target:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("simulations (bootstrap resamples)")
    ax.set_ylabel("run-to-run sd of the interval end")
    ax.legend(fontsize="small", frameon=False)
    return ax
