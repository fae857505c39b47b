"""Figures of lesson 10 (word of mouth): the answers behind an NPS, its sampling distribution
against the truth, referral cascades against their closed forms, Bass fits with their peak, and
how little a short series says about the market ``m``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS, LINE_COLORS, _axes, _estimates

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["nps_scores", "nps_sampling", "cascade_growth", "cascade_sizes", "extinction_probabilities",
           "bass_fit", "bass_short_series", "adoption_curve", "cascade_by_rate"]

#: Colours of the three NPS groups.
GROUP_COLORS = {"detractor": COLORS["highlight"], "passive": COLORS["observed"], "promoter": COLORS["tertiary"]}


def _group_of(score: int, promoter_from: int, passive_from: int) -> str:
    return "promoter" if score >= promoter_from else "passive" if score >= passive_from else "detractor"


def nps_scores(scores: Any, ax: Axes | None = None, *, share: bool = True, promoter_from: int = 9,
               passive_from: int = 7, xlabel: str = "answer (0 = not at all likely, 10 = extremely likely)") -> Axes:
    """The answers to a 0-10 question as bars, coloured by NPS group (detractors, passives, promoters).

    Parameters
    ----------
    scores : sequence of int
        The answers, whole numbers from 0 to 10 (a 1-10 scale works too: 0 has no bar height).
    ax : matplotlib Axes, optional
    share : bool, default True
        Bar heights as shares of the answers; False: counts.
    promoter_from, passive_from : int, default 9 and 7
        The lowest answer of a promoter and of a passive (the NPS cut points).
    xlabel : str

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.patches``: 11 bars, for the answers 0 to 10.

    Examples
    --------
    >>> from cxlib import plots
    >>> ax = plots.nps_scores([10, 9, 8, 3, 10], share=False)
    >>> [float(p.get_height()) for p in ax.patches][8:]
    [1.0, 1.0, 2.0]
    """
    arr = np.atleast_1d(params.array("scores", scores, "whole numbers from 0 to 10", ndim=1, finite=True))
    params.elements("scores", arr, (arr < 0) | (arr > 10) | (arr != np.round(arr)), "whole numbers from 0 to 10")
    if arr.size == 0:
        raise ValueError("scores must hold at least one answer; got an empty sequence")
    share = params.boolean("share", share)
    top = params.integer("promoter_from", promoter_from, min=1, max=10)
    mid = params.integer("passive_from", passive_from, min=1, max=top)
    xlabel = params.text("xlabel", xlabel)
    ax = _axes(ax, (6.4, 3.4))
    counts = np.bincount(arr.astype(int), minlength=11).astype(float)
    heights = counts / arr.size if share else counts
    seen = set()
    for k in range(11):
        g = _group_of(k, top, mid)
        ax.bar(k, heights[k], width=0.8, color=GROUP_COLORS[g], label=None if g in seen else f"{g}s")
        seen.add(g)
    ax.set_xticks(range(11))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of answers" if share else "answers")
    if share:
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def nps_sampling(estimates: Any, truth: float, ax: Axes | None = None, *, se: float | None = None,
                 interval: tuple[float, float, float] | None = None, bins: int | None = None) -> Axes:
    """The sampling distribution of an NPS: many surveys' estimates against the true score.

    Parameters
    ----------
    estimates : sequence of float
        The NPS of each simulated survey (points).
    truth : float
        The true NPS: a black line.
    ax : matplotlib Axes, optional
    se : float, optional
        The closed-form standard error at this survey size: the normal curve
        ``N(truth, se^2)`` is drawn over the histogram (as a density).
    interval : (estimate, low, high), optional
        One survey's estimate and interval, drawn as a point with a bar above the histogram.
    bins : int, optional
        Histogram bins; default one per distinct value when there are few, else 40.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.patches``: the histogram's bars (density); ``ax.lines[0]``: the truth.

    Examples
    --------
    >>> from cxlib import plots
    >>> ax = plots.nps_sampling([10, 20, 20, 30], 20.0, se=7.0)
    >>> ax.lines[0].get_xdata()[0]
    20.0
    """
    est = np.atleast_1d(params.array("estimates", estimates, "NPS estimates (points)", ndim=1, finite=True))
    if est.size == 0:
        raise ValueError("estimates must hold at least one estimate; got an empty sequence")
    truth = params.real("truth", truth, min=-100, max=100)
    ax = _axes(ax, (6.4, 3.6))
    distinct = np.unique(np.round(est, 6))  # rounded: 100 * (P - D) of equal counts can differ in the last bit
    if bins is None:
        if distinct.size <= 60:  # one bar per possible value: small surveys' NPS take few values
            step = float(np.min(np.diff(distinct))) if distinct.size > 1 else 1.0
            edges = np.arange(distinct[0] - step / 2, distinct[-1] + step, step)
        else:
            edges = 40
    else:
        edges = params.integer("bins", bins, min=1, max=1000)
    ax.hist(est, bins=edges, density=True, color=COLORS["points"], alpha=0.8, label=f"{est.size:,} surveys' NPS")
    ax.axvline(truth, color=COLORS["truth"], lw=2, label=f"true NPS {truth:+.1f}")
    if se is not None:
        se = params.real("se", se, min=0, min_inclusive=False)
        x = np.linspace(min(est.min(), truth - 4 * se), max(est.max(), truth + 4 * se), 300)
        ax.plot(x, np.exp(-0.5 * ((x - truth) / se) ** 2) / (se * math.sqrt(2 * math.pi)), color=COLORS["primary"],
                lw=2, ls="--", label=f"normal, closed-form SE {se:.1f}")
    if interval is not None:
        centre, low, high = (params.real(f"interval[{i}]", v) for i, v in enumerate(interval))
        top = ax.get_ylim()[1]
        y = top * 1.05
        ax.errorbar([centre], [y], xerr=[[centre - low], [high - centre]], fmt="o", color=COLORS["secondary"],
                    capsize=4, lw=2, label="one survey: estimate and 95% interval")
        ax.set_ylim(0, top * 1.15)
    ax.set_xlabel("NPS (points)")
    ax.set_ylabel("density")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def cascade_growth(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Mean new customers per period of referral cascades, simulated (markers) against the
    closed form ``n0 R^t`` (lines), one colour per scenario, on a log scale.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``scenario``, ``period``, ``simulated`` and ``expected`` (one block of
        :meth:`cxlib.referral.ReferralCascade.mean_by_period` per scenario).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Per scenario, in order: the closed-form line, then the simulated markers (``ax.lines``).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> t = pd.DataFrame({"scenario": ["R=0.5"] * 3, "period": [0, 1, 2], "simulated": [1.0, 0.52, 0.24],
    ...                   "expected": [1.0, 0.5, 0.25]})
    >>> ax = plots.cascade_growth(t)
    >>> ax.lines[1].get_ydata().tolist()
    [1.0, 0.52, 0.24]
    """
    table = _estimates("table", table, ("period", "simulated", "expected"), "with one row per scenario and period")
    params.column(table, "scenario", "scenario column")
    ax = _axes(ax, (6.4, 3.8))
    for i, (name, part) in enumerate(table.groupby("scenario", sort=False)):
        color = LINE_COLORS[i % len(LINE_COLORS)]
        ax.plot(part["period"], part["expected"], color=color, lw=1.8, label=f"{name}: closed form")
        sim = part["simulated"].to_numpy(float)
        ax.plot(part["period"], np.where(sim > 0, sim, np.nan), "o", color=color, ms=5, mfc="white", mew=1.5,
                label=f"{name}: simulated mean")
    ax.set_yscale("log")
    ax.set_xlabel("period (0: the first customer)")
    ax.set_ylabel("mean new customers in the period")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def cascade_sizes(table: pd.DataFrame, ax: Axes | None = None, *, current: float | None = None) -> Axes:
    """Mean cascade size against the reproduction number R: simulated (with 2 Monte Carlo
    standard errors) against the closed form by the horizon and, for R < 1, in the long run.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``reproduction_number``, ``simulated``, ``mc_se``, ``closed_form`` (by the
        horizon) and ``closed_form_limit`` (``n0 / (1 - R)``; infinite when R >= 1).
    ax : matplotlib Axes, optional
    current : float, optional
        An R to mark (the lesson's).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: the closed form by the horizon; ``ax.lines[1]``: the long-run limit
        (R < 1); ``ax.containers[0]``: the simulated means with their error bars.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> t = pd.DataFrame({"reproduction_number": [0.5, 1.2], "simulated": [2.0, 30.0], "mc_se": [0.02, 2.0],
    ...                   "closed_form": [2.0, 31.0], "closed_form_limit": [2.0, float("inf")]})
    >>> ax = plots.cascade_sizes(t)
    >>> ax.lines[0].get_ydata().tolist()
    [2.0, 31.0]
    """
    cols = ("reproduction_number", "simulated", "mc_se", "closed_form", "closed_form_limit")
    table = _estimates("table", table, cols, "with one row per reproduction number").sort_values(
        "reproduction_number")
    ax = _axes(ax, (6.4, 3.8))
    r = table["reproduction_number"].to_numpy(float)
    ax.plot(r, table["closed_form"].to_numpy(float), color=COLORS["truth"], lw=1.5, label="closed form by the horizon")
    limit = table["closed_form_limit"].to_numpy(float)
    below = np.isfinite(limit)
    ax.plot(r[below], limit[below], color=COLORS["truth"], lw=1.2, ls="--",
            label="closed form in the long run, 1/(1-R)")
    ax.errorbar(r, table["simulated"].to_numpy(float), yerr=2 * table["mc_se"].to_numpy(float), fmt="o",
                color=COLORS["primary"], capsize=3, label="simulated mean (±2 Monte Carlo SE)")
    ax.axvline(1.0, color=COLORS["observed"], lw=1, ls=":")
    if current is not None:
        cur = params.real("current", current, min=0)
        ax.axvline(cur, color=COLORS["highlight"], lw=1.5, alpha=0.7, label=f"this lesson's R = {cur:.2f}")
    ax.set_yscale("log")
    ax.set_xlabel("reproduction number R (new customers each customer brings)")
    ax.set_ylabel("mean customers in a cascade")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def extinction_probabilities(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Share of cascades that have died out by the horizon against R: simulated against the
    closed form ``G_T(0)``, and the long-run extinction probability (1 up to R = 1).

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``reproduction_number``, ``simulated``, ``mc_se``, ``closed_form`` and
        ``closed_form_limit`` (shares of runs extinct).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: by the horizon; ``ax.lines[1]``: in the long run; ``ax.containers[0]``:
        the simulated shares.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> t = pd.DataFrame({"reproduction_number": [0.5, 1.5], "simulated": [1.0, 0.42], "mc_se": [0.0, 0.01],
    ...                   "closed_form": [1.0, 0.41], "closed_form_limit": [1.0, 0.40]})
    >>> ax = plots.extinction_probabilities(t)
    >>> ax.containers[0].lines[0].get_ydata().tolist()
    [1.0, 0.42]
    """
    cols = ("reproduction_number", "simulated", "mc_se", "closed_form", "closed_form_limit")
    table = _estimates("table", table, cols, "with one row per reproduction number").sort_values(
        "reproduction_number")
    ax = _axes(ax, (6.4, 3.8))
    r = table["reproduction_number"].to_numpy(float)
    ax.plot(r, table["closed_form"].to_numpy(float), color=COLORS["truth"], lw=1.5, label="closed form by the horizon")
    ax.plot(r, table["closed_form_limit"].to_numpy(float), color=COLORS["truth"], lw=1.2, ls="--",
            label="closed form in the long run")
    ax.errorbar(r, table["simulated"].to_numpy(float), yerr=2 * table["mc_se"].to_numpy(float), fmt="o",
                color=COLORS["primary"], capsize=3, label="simulated share (±2 Monte Carlo SE)")
    ax.axvline(1.0, color=COLORS["observed"], lw=1, ls=":")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("reproduction number R")
    ax.set_ylabel("share of cascades died out")
    ax.legend(loc="lower left", fontsize="small", frameon=False)
    return ax


def _bass_params(name: str, value: Any) -> tuple[float, float, float]:
    if not isinstance(value, Mapping) or not {"p", "q", "m"} <= set(value):
        raise TypeError(f"{name} must be a mapping with the keys 'p', 'q' and 'm'; got {params.short(value)}")
    return (params.real(f"{name}['p']", value["p"], min=0, min_inclusive=False),
            params.real(f"{name}['q']", value["q"], min=0), params.real(f"{name}['m']", value["m"], min=0,
                                                                          min_inclusive=False))


def bass_fit(fit: Any, ax: Axes | None = None, *, truth: Mapping[str, float] | None = None,
             others: Mapping[str, Any] | None = None, extend: int = 0, peak_band: bool = True,
             xlabel: str = "period") -> Axes:
    """Adoptions per period (bars) with a fitted Bass model's expected adoptions and its peak.

    Each period ``t`` covers ``(t - 1, t]`` of the model's clock, so its bar is drawn centred at
    ``t - 0.5`` and labelled ``t``; the fitted peak ``fit.peak_time()`` is a vertical line on
    the same clock, shaded by +/- 1.96 standard errors (when it has one); its legend names the
    period it falls in, or "at launch" when the fit's ``q <= p`` puts it at the start of the first.

    Parameters
    ----------
    fit : BassFit
        From :func:`cxlib.referral.fit_bass`.
    ax : matplotlib Axes, optional
    truth : mapping, optional
        The true ``p``, ``q``, ``m`` (continuous form): the true expected adoptions, in black.
    others : mapping, optional
        ``{label: BassFit}``: more fits of the same series, drawn as dashed lines.
    extend : int, default 0
        Periods beyond the data to draw the fit's (and the truth's) forecast.
    peak_band : bool, default True
    xlabel : str

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.containers[0]``: one bar per period of data; ``ax.lines[0]``: the fit's expected
        adoptions, at the bar centres (data periods, then ``extend`` more).

    Examples
    --------
    >>> from cxlib import plots, referral
    >>> fit = referral.fit_bass([3895, 35910, 48617, 31583, 10391, 5659, 2509, 1311], range(1985, 1993),
    ...                         model="continuous")
    >>> ax = plots.bass_fit(fit)
    >>> len(ax.containers[0]), round(float(ax.lines[0].get_ydata()[2]))
    (8, 50339)
    """
    from cxlib._referral_bass import BassFit, _cdf

    if not isinstance(fit, BassFit):
        raise TypeError(f"fit must be a BassFit from cxlib.referral.fit_bass; got {type(fit).__name__}")
    extend = params.integer("extend", extend, min=0, max=10_000)
    peak_band = params.boolean("peak_band", peak_band)
    xlabel = params.text("xlabel", xlabel)
    ax = _axes(ax, (7.5, 3.8))
    times = np.asarray(fit.times, dtype=float)
    ahead = np.concatenate([times, times[-1] + np.arange(1, extend + 1)])
    ax.bar(times - 0.5, fit.adoptions, width=0.85, color=COLORS["points"], alpha=0.8, label="adoptions")
    ax.plot(ahead - 0.5, fit.predict(ahead), "o-", color=COLORS["primary"], lw=2, ms=4,
            label=f"fitted ({fit.model_form})")
    for i, (label, other) in enumerate((others or {}).items()):
        if not isinstance(other, BassFit):
            raise TypeError(f"others[{label!r}] must be a BassFit; got {type(other).__name__}")
        ax.plot(ahead - 0.5, other.predict(ahead), "s--", color=LINE_COLORS[(i + 2) % len(LINE_COLORS)], lw=1.5,
                ms=3, label=str(label))
    if truth is not None:
        p, q, m = _bass_params("truth", truth)
        tau = ahead - fit.origin
        expected = m * (_cdf(p, q, tau) - _cdf(p, q, tau - 1))
        ax.plot(ahead - 0.5, expected, "--", color=COLORS["truth"], lw=1.5, label="truth (expected)")
    peak = fit.peak_time()
    se = fit.peak_time_se
    # with q <= p the peak is at the origin, the start of the first period: there is no "period 0"
    where = "at launch" if peak <= fit.origin + 1e-9 else f"in period {math.ceil(peak - 1e-9):g}"
    ax.axvline(peak, color=COLORS["highlight"], lw=1.8, label=f"fitted peak ({where})")
    if peak_band and math.isfinite(se) and se > 0:
        ax.axvspan(peak - 1.96 * se, peak + 1.96 * se, color=COLORS["highlight"], alpha=0.15, lw=0,
                   label="peak ±1.96 SE")
    if extend:
        ax.axvline(times[-1], color=COLORS["observed"], lw=1, ls=":")
    step = max(1, int(math.ceil(len(ahead) / 16)))
    ax.set_xticks(ahead[::step] - 0.5, [f"{t:g}" for t in ahead[::step]])
    ax.set_xlim(ahead[0] - 1.1, ahead[-1] + 0.1)  # the periods drawn, even when the peak's band is far wider
    ax.set_xlabel(xlabel)
    ax.set_ylabel("adoptions per period")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def bass_short_series(table: pd.DataFrame, ax: Axes | None = None, *, truth: float | None = None,
                      peak: float | None = None, parameter: str = "m") -> Axes:
    """A Bass parameter's estimate and 95% interval against the number of periods fitted: how a
    series that stops before (or at) its peak leaves the market ``m`` unpinned.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``points`` (periods used), ``estimate``, ``ci_low``, ``ci_high`` and
        ``converged`` (bool; fits that did not converge get hollow markers and no bar).
    ax : matplotlib Axes, optional
    truth : float, optional
        The true value: a black line.
    peak : float, optional
        When adoptions peak (in periods since launch): a vertical line.
    parameter : str, default "m"
        The y-axis label.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.containers[0]``: the converged estimates with their intervals; ``ax.lines``:
        the not-converged markers (if any), the truth and the peak lines. Log scale.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> t = pd.DataFrame({"points": [4, 6, 8], "estimate": [3e4, 9e3, 1e4], "ci_low": [500, 7e3, 9e3],
    ...                   "ci_high": [2e6, 1.1e4, 1.1e4], "converged": [True, True, True]})
    >>> ax = plots.bass_short_series(t, truth=1e4, peak=6.2)
    >>> ax.containers[0].lines[0].get_ydata().tolist()
    [30000.0, 9000.0, 10000.0]
    """
    table = _estimates("table", table, ("points", "estimate", "ci_low", "ci_high"),
                       "with one row per number of periods fitted")
    params.column(table, "converged", "converged column")
    parameter = params.text("parameter", parameter)
    ax = _axes(ax, (6.4, 3.8))
    ok = table["converged"].to_numpy(bool)
    good = table[ok]
    est = good["estimate"].to_numpy(float)
    low = np.where(np.isfinite(good["ci_low"].to_numpy(float)), good["ci_low"].to_numpy(float), est)
    high = np.where(np.isfinite(good["ci_high"].to_numpy(float)), good["ci_high"].to_numpy(float), est)
    ax.errorbar(good["points"], est, yerr=[est - low, high - est], fmt="o", color=COLORS["primary"], capsize=3,
                label="estimate, 95% interval (converged)")
    if (~ok).any():
        bad = table[~ok]
        ax.plot(bad["points"], bad["estimate"], "o", mfc="white", color=COLORS["highlight"], mew=1.5,
                label="fit did not converge (at a bound)")
    if truth is not None:
        ax.axhline(params.real("truth", truth, min=0, min_inclusive=False), color=COLORS["truth"], lw=1.5,
                   label="truth")
    if peak is not None:
        ax.axvline(params.real("peak", peak, min=0), color=COLORS["observed"], lw=1.5, ls="--",
                   label=f"peak of adoptions ({peak:.1f})")
    ax.set_yscale("log")
    ax.set_xlabel("periods fitted (from launch)")
    ax.set_ylabel(f"{parameter} (log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def _check_demo(demo: Any) -> None:
    """The explorer's figures draw a :class:`WordOfMouthDemo`; anything else gets a one-line error."""
    from cxlib._referral_demo import WordOfMouthDemo

    if not isinstance(demo, WordOfMouthDemo):
        raise TypeError(f"demo must be a WordOfMouthDemo from cxlib.referral.word_of_mouth_demo; got "
                        f"{type(demo).__name__}")


def adoption_curve(demo: Any, ax: Axes | None = None) -> Axes:
    """The Bass adoption curve of :func:`cxlib.referral.word_of_mouth_demo`, adoptions per unit
    time from launch, with its peak marked.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: the curve; ``ax.lines[1]``: the peak marker.

    Examples
    --------
    >>> from cxlib import plots, referral
    >>> ax = plots.adoption_curve(referral.word_of_mouth_demo(0.03, 0.38, 10_000, 1.0))
    >>> round(float(ax.lines[1].get_xdata()[0]), 2)
    6.19
    """
    _check_demo(demo)
    ax = _axes(ax, (5.0, 3.4))
    c = demo.curve
    ax.plot(c["t"], c["adoptions"], color=COLORS["primary"], lw=2, label="adoptions per period")
    ax.plot([demo.peak_time], [demo.peak_adoptions], "o", color=COLORS["highlight"], ms=8,
            label=f"peak: t = {demo.peak_time:.1f}")
    ax.axvline(demo.half_time, color=COLORS["observed"], lw=1, ls=":", label=f"half adopted: t = {demo.half_time:.1f}")
    ax.set_xlim(0, demo.horizon)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("periods since launch")
    ax.set_ylabel("adoptions per period")
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    return ax


def cascade_by_rate(demo: Any, ax: Axes | None = None) -> Axes:
    """Expected referral cascade from one new customer against the referral rate (log scale),
    by the horizon and in the long run, with the demo's rate marked.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: by the horizon; ``ax.lines[1]``: the long run (R < 1); ``ax.lines[2]``:
        the demo's rate.

    Examples
    --------
    >>> from cxlib import plots, referral
    >>> ax = plots.cascade_by_rate(referral.word_of_mouth_demo(0.03, 0.38, 10_000, 1.0))
    >>> round(float(ax.lines[2].get_ydata()[0]), 3)
    1.818
    """
    _check_demo(demo)
    ax = _axes(ax, (5.0, 3.4))
    c = demo.cascade
    periods = demo.inputs["cascade_periods"]
    ax.plot(c["referral_rate"], c["expected_total"], color=COLORS["primary"], lw=2, label=f"by period {periods}")
    finite = np.isfinite(c["expected_limit"].to_numpy(float))
    ax.plot(c["referral_rate"][finite], c["expected_limit"][finite], color=COLORS["truth"], lw=1.2, ls="--",
            label="long run, 1/(1-R)")
    ax.plot([demo.inputs["referral_rate"]], [demo.expected_total], "o", color=COLORS["highlight"], ms=8,
            label=f"R = {demo.reproduction_number:.2f}")
    r1 = c.loc[c["reproduction_number"] >= 1, "referral_rate"]
    if len(r1):
        ax.axvline(float(r1.iloc[0]), color=COLORS["observed"], lw=1, ls=":", label="R = 1")
    ax.set_yscale("log")
    ax.set_xlabel("referral rate of a promoter")
    ax.set_ylabel("customers per cascade")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax
