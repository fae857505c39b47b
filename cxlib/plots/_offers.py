"""Figures of lesson 07 (personalised experiences): arm rates with intervals, rates by segment,
false positives of peeking and slicing, and regret curves of bandit policies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS, LINE_COLORS, _axes, _estimates

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["arm_rates", "segment_rates", "false_positives", "regret_curves", "POLICY_COLORS"]

#: A colour per bandit policy.
POLICY_COLORS = {"fixed_split": LINE_COLORS[0], "epsilon_greedy": LINE_COLORS[1], "thompson": LINE_COLORS[4],
                 "thompson_by_segment": LINE_COLORS[2]}


def arm_rates(table: pd.DataFrame, ax: Axes | None = None, *, truth: Any = None, xlabel: str = "response rate") -> Axes:
    """Each arm's observed rate with its interval (one row per arm), the true rate beside it.

    Parameters
    ----------
    table : pandas.DataFrame
        Index: arms; columns ``rate``, ``ci_low``, ``ci_high`` (``ArmComparison.arms``).
    ax : matplotlib Axes, optional
    truth : mapping or Series, optional
        True rate per arm: black bars.
    xlabel : str

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.containers[0]``: the rates with their intervals, arms from the top.

    Examples
    --------
    >>> from cxlib import offers, plots
    >>> res = offers.compare_arms([30, 14, 16], [72, 74, 65], arms=["Joke", "Ad", "None"])
    >>> ax = plots.arm_rates(res.arms)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Joke', 'Ad', 'None']
    """
    import pandas as pd

    table = _estimates("table", table, ("rate", "ci_low", "ci_high"), "with one row per arm")
    ax = _axes(ax, (6.4, 0.45 * len(table) + 1.4))
    y = np.arange(len(table))
    est = table["rate"].to_numpy(float)
    ax.errorbar(est, y, xerr=[est - table["ci_low"].to_numpy(float), table["ci_high"].to_numpy(float) - est],
                fmt="o", color=COLORS["primary"], capsize=3, label="observed (95% CI)")
    if truth is not None:
        ax.plot(pd.Series(truth).reindex(table.index).to_numpy(float), y, "|", color=COLORS["truth"], markersize=18,
                markeredgewidth=2.5, label="truth")
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.set_ylim(len(table) - 0.5, -0.6)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def segment_rates(observed: pd.DataFrame, ax: Axes | None = None, *, truth: pd.DataFrame | None = None) -> Axes:
    """Response rate of each offer in each segment: dots per offer, grouped by segment.

    Parameters
    ----------
    observed : pandas.DataFrame
        Segments in rows, offers in columns (:func:`cxlib.offers.rate_table`).
    ax : matplotlib Axes, optional
    truth : pandas.DataFrame, optional
        The true rates, same shape: drawn as short black bars.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines``: one marker line per offer, then one truth line per offer.

    Examples
    --------
    >>> from cxlib import data, offers, plots
    >>> panel = data.offer_panel(3000, rng=1)
    >>> ax = plots.segment_rates(offers.rate_table(panel.data, "offer", "responded", "segment"), truth=panel.rate_table())
    >>> [line.get_label() for line in ax.lines][:3]
    ['discount', 'upgrade', 'personal_note']
    """
    observed = params.frame("observed", observed, what="with segments in rows and offers in columns", empty=False)
    ax = _axes(ax, (6.4, 3.8))
    x = np.arange(len(observed))
    k = observed.shape[1]
    width = 0.7 / max(k, 1)
    markers = ("o", "s", "D", "^", "v", "P")
    positions = {offer: x - 0.35 + width * (j + 0.5) for j, offer in enumerate(observed.columns)}
    for j, offer in enumerate(observed.columns):
        ax.plot(positions[offer], observed[offer].to_numpy(float), markers[j % len(markers)],
                color=LINE_COLORS[j % len(LINE_COLORS)], markersize=8, label=str(offer), linestyle="none")
    if truth is not None:
        for j, offer in enumerate(observed.columns):
            ax.plot(positions[offer], truth.loc[observed.index, offer].to_numpy(float), "_", color=COLORS["truth"],
                    markersize=16, markeredgewidth=2, label="truth" if j == 0 else None, linestyle="none")
    ax.set_xticks(x, [str(i) for i in observed.index])
    ax.set_ylim(bottom=0)
    ax.set_ylabel("response rate")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def false_positives(table: pd.DataFrame, x: str, ys: dict[str, str], ax: Axes | None = None, *,
                    alpha: float = 0.05, xlabel: str | None = None) -> Axes:
    """Share of tests with a false "winner" against how often (or how finely) the data were looked at.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`cxlib.offers.peeking_simulation` or :func:`cxlib.offers.slicing_simulation`.
    x : str
        The column on the x axis (``"looks"`` or ``"segments"``).
    ys : dict
        ``{column: label}`` of the rates to draw.
    ax : matplotlib Axes, optional
    alpha : float, default 0.05
        The promised false-positive rate: a dotted line.
    xlabel : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        One line per column of ``ys``, in order.

    Examples
    --------
    >>> from cxlib import offers, plots
    >>> sim = offers.slicing_simulation(5, n_sims=200, rng=1)
    >>> ax = plots.false_positives(sim, "segments", {"any_raw": "no correction", "any_holm": "Holm"})
    >>> [line.get_label() for line in ax.lines][:2]
    ['no correction', 'Holm']
    """
    table = params.frame("table", table, [x, *ys], empty=False)
    a = params.real("alpha", alpha, min=0, max=1)
    ax = _axes(ax, (6.4, 3.6))
    for j, (col, label) in enumerate(ys.items()):
        ax.plot(table[x], table[col], marker="os^"[j % 3], color=LINE_COLORS[j % len(LINE_COLORS)], lw=2, label=label)
    ax.axhline(a, color=COLORS["truth"], ls=":", lw=1.2, label=f"promised: {a:.0%}")
    ax.set_ylim(0, max(0.1, float(table[list(ys)].to_numpy().max()) * 1.15))
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel("share of tests with a false winner")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def regret_curves(results: dict[str, Any], ax: Axes | None = None, *, band: bool = True) -> Axes:
    """Mean cumulative regret by round, one line per policy, with the 10-90% band of the runs.

    Parameters
    ----------
    results : dict
        ``{label: BanditResult}`` (from :func:`cxlib.offers.simulate_bandit`).
    ax : matplotlib Axes, optional
    band : bool, default True

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines``: one mean curve per policy, in order.

    Examples
    --------
    >>> from cxlib import offers, plots
    >>> res = {p: offers.simulate_bandit(p, [0.1, 0.15], 500, n_runs=20, rng=1) for p in ("fixed_split", "thompson")}
    >>> ax = plots.regret_curves(res)
    >>> [line.get_label() for line in ax.lines]
    ['fixed_split', 'thompson']
    """
    if not isinstance(results, dict) or not results:
        raise TypeError(f"results must be a non-empty dict of label -> BanditResult; got {type(results).__name__}")
    ax = _axes(ax, (6.4, 4.0))
    for j, (label, res) in enumerate(results.items()):
        curve = res.regret_curve(points=300)
        color = POLICY_COLORS.get(res.inputs["policy"], LINE_COLORS[j % len(LINE_COLORS)])
        ax.plot(curve["round"], curve["mean"], color=color, lw=2, label=str(label))
        if band:
            ax.fill_between(curve["round"], curve["low"], curve["high"], color=color, alpha=0.15, lw=0)
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("customers (rounds)")
    ax.set_ylabel("cumulative regret (responses lost)")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax
