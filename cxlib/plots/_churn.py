"""Figures of lesson 06 (proactive service): survival curves, hazard ratios against the truth,
power against sample size, and the proportional-hazards check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS, LINE_COLORS, _axes, _estimates

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["survival_curves", "hazard_ratio_forest", "power_plot", "schoenfeld_trend"]

_DASHES = ("-", "--", "-.", ":")


def survival_curves(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    truth: dict[Any, Any] | None = None,
    xlabel: str = "weeks",
    band: bool = True,
) -> Axes:
    """Kaplan-Meier curves as steps with their pointwise bands, one colour per group.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`cxlib.churn.kaplan_meier` (with or without ``group``).
    ax : matplotlib Axes, optional
    truth : dict, optional
        ``{group: (times, true survival)}``: drawn as thin black lines, for known-truth data.
    xlabel : str, default "weeks"
        The unit of time.
    band : bool, default True
        Shade the confidence band.

    Returns
    -------
    matplotlib.axes.Axes
        One step line per group (``ax.lines``, first), then the truth lines and the 0.5 line.

    Examples
    --------
    >>> from cxlib import churn, plots
    >>> km = churn.kaplan_meier([2, 3, 3, 5, 8, 4], [1, 1, 0, 1, 0, 1], ["a", "a", "a", "b", "b", "b"])
    >>> ax = plots.survival_curves(km)
    >>> [line.get_label() for line in ax.lines][:2]
    ['a', 'b']
    """
    table = _estimates("table", table, ("time", "survival", "ci_low", "ci_high"), "from cxlib.churn.kaplan_meier")
    xlabel = params.text("xlabel", xlabel)
    ax = _axes(ax, (6.4, 4.0))
    groups = list(table["group"].cat.categories if hasattr(table.get("group"), "cat") else
                  dict.fromkeys(table["group"])) if "group" in table else [None]
    for i, g in enumerate(groups):
        part = table if g is None else table[table["group"] == g]
        if part.empty:
            continue
        color = LINE_COLORS[i % len(LINE_COLORS)] if g is not None else COLORS["primary"]
        label = "Kaplan-Meier" if g is None else str(g)
        ax.step(part["time"], part["survival"], where="post", color=color, lw=2,
                ls=_DASHES[i % len(_DASHES)], label=label)
        if band:
            ax.fill_between(part["time"], part["ci_low"].fillna(part["survival"]),
                            part["ci_high"].fillna(part["survival"]), step="post", color=color, alpha=0.15, lw=0)
    if truth:
        for j, (g, (times, surv)) in enumerate(truth.items()):
            ax.plot(times, surv, color=COLORS["truth"], lw=1, label="truth" if j == 0 else None)
    ax.axhline(0.5, color=COLORS["observed"], lw=0.8, ls=":")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share still a customer")
    ax.legend(loc="lower left", fontsize="small", frameon=False)
    return ax


def hazard_ratio_forest(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    truth: Any = None,
    label: str = "estimate (95% CI)",
) -> Axes:
    """Hazard ratios with their intervals on a log scale, one row per term, the truth beside them.

    Parameters
    ----------
    table : pandas.DataFrame
        Index: the terms (or analyses); columns ``hazard_ratio``, ``ci_low``, ``ci_high``
        (as :func:`cxlib.churn.hazard_ratios`), optionally ``truth``.
    ax : matplotlib Axes, optional
    truth : dict or Series, optional
        True hazard ratio per index label (overrides a ``truth`` column); drawn as black bars.
    label : str
        Legend label of the estimates.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.containers[0]``: the estimates with their intervals, rows from the top.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> t = pd.DataFrame({"hazard_ratio": [0.7, 1.4], "ci_low": [0.6, 1.2], "ci_high": [0.8, 1.6]},
    ...                  index=["randomised", "targeted, naive"])
    >>> ax = plots.hazard_ratio_forest(t, truth={"randomised": 0.7, "targeted, naive": 0.7})
    >>> [x.get_text() for x in ax.get_yticklabels()]
    ['randomised', 'targeted, naive']
    """
    import pandas as pd

    table = _estimates("table", table, ("hazard_ratio", "ci_low", "ci_high"), "with one row per term")
    ax = _axes(ax, (6.4, 0.45 * len(table) + 1.4))
    y = np.arange(len(table))
    est = table["hazard_ratio"].to_numpy(float)
    lo, hi = table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float)
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color=COLORS["primary"], capsize=3, label=label)
    true = None
    if truth is not None:
        true = pd.Series(truth).reindex(table.index).to_numpy(float)
    elif "truth" in table:
        true = table["truth"].to_numpy(float)
    if true is not None:
        ax.plot(true, y, "|", color=COLORS["truth"], markersize=18, markeredgewidth=2.5, label="truth")
    ax.axvline(1.0, color=COLORS["observed"], lw=1, ls="--")
    ax.set_xscale("log")
    values = np.concatenate([lo, hi, true if true is not None else []])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size:
        low, high = values.min(), values.max()
        ticks = [t for t in (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10) if low / 1.3 <= t <= high * 1.3]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.set_ylim(len(table) - 0.5, -0.6)
    ax.set_xlabel("hazard ratio (log scale; below 1: fewer churns)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def power_plot(curve: pd.DataFrame, ax: Axes | None = None, *, target: float = 0.8,
               needed: float | None = None) -> Axes:
    """Power against customers per test: Schoenfeld's formula as a line, simulations as points.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`cxlib.churn.power_curve`.
    ax : matplotlib Axes, optional
    target : float, default 0.8
        The power aimed at (a dotted line).
    needed : float, optional
        Customers needed (:func:`cxlib.churn.customers_needed`): a vertical line.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: the formula; ``ax.containers[0]``: the simulations (when run).

    Examples
    --------
    >>> from cxlib import churn, plots
    >>> ax = plots.power_plot(churn.power_curve(0.8, 0.3, [500, 1000, 2000], n_sims=0))
    >>> ax.lines[0].get_ydata().round(2).tolist()
    [0.26, 0.46, 0.74]
    """
    curve = _estimates("curve", curve, ("customers", "power_formula"), "from cxlib.churn.power_curve")
    target = params.real("target", target, min=0, max=1)
    ax = _axes(ax, (6.4, 4.0))
    ax.plot(curve["customers"], curve["power_formula"], color=COLORS["primary"], lw=2, label="Schoenfeld's formula")
    if "power_simulated" in curve and curve["power_simulated"].notna().any():
        sim = curve.dropna(subset=["power_simulated"])
        ax.errorbar(sim["customers"], sim["power_simulated"], yerr=1.96 * sim["power_se"], fmt="s",
                    color=COLORS["secondary"], capsize=3, label="simulated log-rank tests (95% MC error)")
    ax.axhline(target, color=COLORS["observed"], ls=":", lw=1)
    if needed is not None:
        ax.axvline(float(needed), color=COLORS["truth"], ls="--", lw=1, label=f"needed for {target:.0%} power")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("customers in the test (half reached out to)")
    ax.set_ylabel("power: chance of detecting the effect")
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    return ax


def schoenfeld_trend(residuals: pd.DataFrame, term: str, ax: Axes | None = None, *,
                     xlabel: str = "time", frac: float = 0.3) -> Axes:
    """A term's scaled Schoenfeld residuals against time, with a LOWESS smooth (of the mean).

    A flat smooth means the term's hazard ratio is constant in time (proportional
    hazards); a trend means its effect grows or fades.  The y axis is the log hazard ratio.

    Parameters
    ----------
    residuals : pandas.DataFrame
        From :func:`cxlib.churn.scaled_schoenfeld`.
    term : str
        The term (a column of ``residuals``).
    ax : matplotlib Axes, optional
    xlabel : str
    frac : float, default 0.3
        Share of points in each LOWESS window (statsmodels' ``lowess``, without its
        robustness iterations).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: the smooth; ``ax.collections[0]``: the residuals.

    Examples
    --------
    >>> from cxlib import churn, data, plots
    >>> fit = churn.fit_cox(data.load("rossi"), "week", "arrest", ["fin", "age"])
    >>> ax = plots.schoenfeld_trend(churn.scaled_schoenfeld(fit), "age", xlabel="week")
    >>> ax.get_title(), ax.get_ylabel()
    ('age', 'log hazard ratio at each event')
    """
    from statsmodels.nonparametric.smoothers_lowess import lowess

    residuals = params.frame("residuals", residuals, ["time"], what="from cxlib.churn.scaled_schoenfeld")
    term = params.column(residuals, term, "term", numeric=True)
    frac = params.real("frac", frac, min=0, max=1, min_inclusive=False)
    ax = _axes(ax, (6.4, 3.6))
    t = residuals["time"].to_numpy(float)
    r = residuals[term].to_numpy(float)
    # no robustness iterations (it=0): the smooth follows the mean, as the test does; the
    # robust default treats the large residuals of a rare level as outliers and hides a trend
    smooth = lowess(r, t, frac=frac, it=0, return_sorted=True)
    ax.plot(smooth[:, 0], smooth[:, 1], color=COLORS["highlight"], lw=2.5, label="LOWESS smooth")
    ax.scatter(t, r, s=8, color=COLORS["points"], alpha=0.5, lw=0, label="residual")
    ax.axhline(float(np.mean(r)), color=COLORS["truth"], lw=1, ls="--", label="Cox estimate")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("log hazard ratio at each event")
    ax.set_title(term, fontsize="medium")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize="x-small", frameon=False)
    return ax
