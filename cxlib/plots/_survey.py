"""Figures of lesson 01 (measuring a customer-centric mindset).

Each figure draws a table computed in :mod:`cxlib.survey` (data flow one way: the topic
function computes, the figure draws):

* :func:`answer_shares` draws the answers of Likert items (shares of each answer);
* :func:`alpha_intervals` draws :func:`cxlib.survey.cronbach_alpha` results per scale,
  with the true reliability and omega when given;
* :func:`reliability_recovery` draws :func:`cxlib.survey.reliability_study`;
* :func:`item_total` draws :func:`cxlib.survey.item_analysis`;
* :func:`scree` draws :func:`cxlib.survey.parallel_analysis`;
* :func:`loading_heatmap` draws a loading matrix (:func:`cxlib.survey.factor_analysis`,
  or a true one);
* :func:`congruence_by_size` draws :func:`cxlib.survey.factor_recovery`;
* :func:`team_correlations` draws :func:`cxlib.survey.attenuation`;
* :func:`alpha_sampling` draws :func:`cxlib.survey.alpha_demo` (the explorer's figure).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS, _axes, _estimates, _figure

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

    from cxlib._survey_factors import ParallelAnalysis
    from cxlib._survey_studies import AlphaDemo, ReliabilityStudy

__all__ = [
    "answer_shares",
    "alpha_intervals",
    "reliability_recovery",
    "item_total",
    "scree",
    "loading_heatmap",
    "congruence_by_size",
    "team_correlations",
    "alpha_sampling",
]

_ALPHA_LABEL = "Cronbach's alpha (95% interval)"


def _diverging(middle: str = "#f7f7f7") -> Colormap:
    """Negative (secondary, vermillion) through ``middle`` to positive (primary, blue)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("cx_diverging", [COLORS["secondary"], middle, COLORS["primary"]])


def answer_shares(
    items: pd.DataFrame,
    ax: Axes | None = None,
    *,
    scale: tuple[int, int] | None = None,
    labels: Any = None,
) -> Axes:
    """How each Likert item was answered: one bar per item, split into the shares of each answer.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per respondent, one column per item, whole-number answers (NaN for missing,
        left out of the shares).
    ax : matplotlib Axes, optional
    scale : (low, high), optional
        The possible answers; by default the smallest and largest in ``items``.
    labels : sequence of str, optional
        A label per answer (``high - low + 1`` of them) for the legend; default the numbers.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.containers[c]`` holds the bars of answer ``low + c``, one per item from the top;
        a bar's width is the share of that answer.

    Raises
    ------
    TypeError
        If ``items`` is not a DataFrame of numbers or ``labels`` not strings.
    ValueError
        If an answer is not a whole number within ``scale``, or ``labels`` has the wrong length.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> answers = pd.DataFrame({"care_1": [1, 2, 2, 5], "care_2": [4, 4, 5, 5]})
    >>> ax = plots.answer_shares(answers, scale=(1, 5))
    >>> [round(float(bar.get_width()), 2) for bar in ax.containers[1]]  # answer 2: care_1, care_2
    [0.5, 0.0]
    >>> ax.get_legend().get_title().get_text()
    'answer'
    """
    items = params.frame("items", items, what="of answers, one column per item", empty=False)
    values = params.array("items", items.to_numpy(dtype=float) if all(
        np.issubdtype(t, np.number) for t in items.dtypes) else items.to_numpy(), ndim=2)
    answered = values[~np.isnan(values)]
    if answered.size == 0:
        raise ValueError("items has no answers (every value is missing)")
    params.elements("items", values, ~np.isnan(values) & (values != np.round(values)), "whole-number answers")
    if scale is None:
        low, high = int(answered.min()), int(answered.max())
    else:
        if not isinstance(scale, (tuple, list)) or len(scale) != 2:
            raise TypeError(f"scale must be (low, high), e.g. (1, 5); got {scale!r}")
        low = params.integer("scale low", scale[0])
        high = params.integer("scale high", scale[1], min=low + 1)
        params.elements("items", values, ~np.isnan(values) & ((values < low) | (values > high)),
                        f"answers between {low} and {high}")
    points = np.arange(low, high + 1)
    if labels is None:
        labels = [str(p) for p in points]
    else:
        labels = [params.text("labels", lab) for lab in labels]
        if len(labels) != len(points):
            raise ValueError(f"labels must hold one label per answer {low}..{high} ({len(points)}); got {len(labels)}")
    ax = _axes(ax, (7, 0.35 * items.shape[1] + 1.2))
    counts = np.stack([(values == p).sum(axis=0) for p in points])  # (K, items)
    shares = counts / np.maximum(counts.sum(axis=0), 1)
    y = np.arange(items.shape[1])
    cmap = _diverging("#dddddd")
    left = np.zeros(items.shape[1])
    for c, point in enumerate(points):
        color = cmap(c / max(len(points) - 1, 1))
        ax.barh(y, shares[c], left=left, color=color, edgecolor="white", linewidth=0.5, label=labels[c])
        left += shares[c]
    ax.set_yticks(y, [str(c) for c in items.columns])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of answers")
    ax.xaxis.set_major_formatter(_percent())
    ax.legend(title="answer", ncol=len(points), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False,
              fontsize="small", title_fontsize="small")
    ax.grid(False)
    return ax


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def alpha_intervals(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    xlabel: str = _ALPHA_LABEL,
) -> Axes:
    """Alpha of each scale with its interval; the true reliability and omega where given.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per scale (index: the scale's name) with ``alpha``, ``ci_low``,
        ``ci_high`` (e.g. from :meth:`cxlib.survey.Alpha.summary` rows or
        :func:`cxlib.survey.cronbach_alpha` per scale); optional ``reliability`` (the true
        reliability, drawn as a black bar) and ``omega`` (drawn as a green diamond).
    ax : matplotlib Axes, optional
    xlabel : str
        Label of the alpha axis.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.containers[0]``: the alphas with their intervals (rows from the top); then
        the truth and omega markers (``ax.lines``), when given.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame or ``ax`` not an Axes.
    ValueError
        If ``table`` is empty or lacks a column.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> table = pd.DataFrame({"alpha": [0.76, 0.53], "ci_low": [0.73, 0.47], "ci_high": [0.79, 0.59],
    ...                       "reliability": [0.77, 0.60]}, index=["care", "compete"])
    >>> ax = plots.alpha_intervals(table)
    >>> ax.containers[0].lines[0].get_xdata().tolist(), [t.get_text() for t in ax.get_yticklabels()]
    ([0.76, 0.53], ['care', 'compete'])
    >>> sorted(ax.get_legend_handles_labels()[1])
    ['alpha (95% CI)', 'true reliability']
    """
    table = _estimates("table", table, ("alpha", "ci_low", "ci_high"), "with one row per scale")
    xlabel = params.text("xlabel", xlabel)
    ax = _axes(ax, (6.4, 0.42 * len(table) + 1.3))
    y = np.arange(len(table))
    est = table["alpha"].to_numpy(dtype=float)
    lo, hi = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color=COLORS["primary"], capsize=3,
                label="alpha (95% CI)")
    if "reliability" in table:
        ax.plot(table["reliability"].to_numpy(dtype=float), y, "|", color=COLORS["truth"], markersize=16,
                markeredgewidth=2.5, label="true reliability")
    if "omega" in table:
        ax.plot(table["omega"].to_numpy(dtype=float), y + 0.22, "D", color=COLORS["tertiary"], markersize=5,
                label="omega")
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.set_ylim(len(table) - 0.5, -0.6)
    ax.set_xlabel(xlabel)
    ax.legend(loc="best", fontsize="small", frameon=False)
    return ax


def reliability_recovery(study: ReliabilityStudy, ax: Axes | None = None) -> Axes:
    """Alpha (and omega) over many panels against each scale's true reliability.

    For every scale: the mean estimate (a dot) and the middle 95% of the estimates over
    the panels (a line); omega's, where computed, just below in green; the true
    reliability as a black bar.  Where the dot sits left of the bar, the estimator
    falls short of the truth on average.

    Parameters
    ----------
    study : ReliabilityStudy
        From :func:`cxlib.survey.reliability_study`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: the mean alphas (rows from the top, in the order of
        ``study.summary()``); ``ax.lines[1]``: the true reliabilities; then the omegas.

    Raises
    ------
    TypeError
        If ``study`` is not a ReliabilityStudy or ``ax`` not an Axes.

    Examples
    --------
    >>> from cxlib import plots, survey
    >>> study = survey.reliability_study(3, omega_scales=["improve"], n_teams=20, rng=1)
    >>> ax = plots.reliability_recovery(study)
    >>> ax.lines[1].get_xdata().round(3).tolist()[:3]  # true reliability of care, compete, improve
    [0.765, 0.603, 0.654]
    """
    from cxlib._survey_studies import ReliabilityStudy

    if not isinstance(study, ReliabilityStudy):
        raise TypeError(f"study must be a ReliabilityStudy from cxlib.survey.reliability_study; "
                        f"got {type(study).__name__}")
    summary = study.summary()
    scales = list(summary.index)
    ax = _axes(ax, (7, 0.5 * len(scales) + 1.4))
    y = np.arange(len(scales), dtype=float)
    by_scale = study.scales.groupby("scale", sort=False)
    for col, color, offset, label in (("alpha", COLORS["primary"], 0.0, "alpha"),
                                      ("omega", COLORS["tertiary"], 0.25, "omega")):
        lo = by_scale[col].quantile(0.025).reindex(scales).to_numpy(dtype=float)
        hi = by_scale[col].quantile(0.975).reindex(scales).to_numpy(dtype=float)
        mean = summary[f"{col}_mean"].to_numpy(dtype=float)
        shown = ~np.isnan(mean)
        if not shown.any():
            continue
        ax.hlines(y[shown] + offset, lo[shown], hi[shown], color=color, linewidth=2)
        ax.plot(mean[shown], y[shown] + offset, "o" if col == "alpha" else "D", color=color,
                label=f"{label}: mean and middle 95% of {study.inputs['n_replications']:,} panels")
        if col == "alpha":
            ax.plot(summary["reliability"].to_numpy(dtype=float), y, "|", color=COLORS["truth"], markersize=18,
                    markeredgewidth=2.5, label="true reliability")
    ax.set_yticks(y, scales)
    ax.set_ylim(len(scales) - 0.4, -0.6)
    ax.set_xlabel("reliability of the scale score")
    ax.legend(loc="lower left", fontsize="small", frameon=True)
    return ax


def item_total(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    threshold: float = 0.2,
    label_threshold: bool = True,
) -> Axes:
    """Corrected item-total correlations, one bar per item; flagged items in vermillion.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`cxlib.survey.item_analysis` (index: items; ``corrected_item_total``
        and ``flag``), or several of them concatenated.
    ax : matplotlib Axes, optional
    threshold : float, default 0.2
        The flagging line (dashed), as :func:`cxlib.survey.item_analysis` uses.
    label_threshold : bool, default True
        Write what the dashed line is above it (leave it out in small panels with a title).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.containers[0]``: one bar per item from the top, of width its correlation.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame or ``ax`` not an Axes.
    ValueError
        If ``table`` is empty or lacks a column.

    Examples
    --------
    >>> from cxlib import data, plots, survey
    >>> panel = data.survey_panel(rng=1)
    >>> table = survey.item_analysis(panel.data[panel.scales["respond"]])
    >>> ax = plots.item_total(table)
    >>> [round(float(bar.get_width()), 2) for bar in ax.containers[0]]
    [0.23, -0.59, 0.32, 0.3]
    """
    table = _estimates("table", table, ("corrected_item_total",), "from cxlib.survey.item_analysis")
    params.frame("table", table, ("flag",), what="from cxlib.survey.item_analysis")
    threshold = params.real("threshold", threshold, min=-1, max=1)
    label_threshold = params.boolean("label_threshold", label_threshold)
    ax = _axes(ax, (6.4, 0.28 * len(table) + 1.2))
    r = table["corrected_item_total"].to_numpy(dtype=float)
    flag = table["flag"].to_numpy(dtype=bool)
    y = np.arange(len(table))
    colors = [COLORS["highlight"] if f else COLORS["primary"] for f in flag]
    ax.barh(y, r, color=colors, height=0.7)
    ax.axvline(0, color=COLORS["truth"], linewidth=0.8)
    ax.axvline(threshold, color=COLORS["observed"], linestyle="--", linewidth=1.2)
    if label_threshold:
        ax.text(threshold, 1.0, f" flag below {threshold:g}", transform=ax.get_xaxis_transform(), ha="left",
                va="bottom", fontsize="small", color="dimgrey")
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(min(-0.1, float(np.nanmin(r)) - 0.05), max(1.0, float(np.nanmax(r)) + 0.05))
    ax.set_xlabel("corrected item-total correlation (with the rest of its scale)")
    return ax


def scree(parallel: ParallelAnalysis, ax: Axes | None = None, *, max_components: int | None = None) -> Axes:
    """Scree plot with parallel analysis: observed eigenvalues against those of random data.

    Parameters
    ----------
    parallel : ParallelAnalysis
        From :func:`cxlib.survey.parallel_analysis`.
    ax : matplotlib Axes, optional
    max_components : int, optional
        Show only the first components (default: all).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: the observed eigenvalues; ``ax.lines[1]``: the random ones (the
        quantile compared, or the mean); then the line after the last retained component.

    Raises
    ------
    TypeError
        If ``parallel`` is not a ParallelAnalysis or ``ax`` not an Axes.

    Examples
    --------
    >>> from cxlib import data, plots, survey
    >>> bfi = data.load("bfi")
    >>> pa = survey.parallel_analysis(bfi.iloc[:, :25], n_iter=5, rng=1)
    >>> ax = plots.scree(pa, max_components=10)
    >>> ax.lines[0].get_ydata()[:2].round(2).tolist(), pa.n_factors
    ([5.13, 2.75], 5)
    """
    from cxlib._survey_factors import ParallelAnalysis

    if not isinstance(parallel, ParallelAnalysis):
        raise TypeError(f"parallel must be a ParallelAnalysis from cxlib.survey.parallel_analysis; "
                        f"got {type(parallel).__name__}")
    table = parallel.eigenvalues
    if max_components is not None:
        max_components = params.integer("max_components", max_components, min=1)
        table = table.iloc[:max_components]
    ax = _axes(ax, (6.4, 3.8))
    x = table.index.to_numpy(dtype=float)
    quantile = parallel.inputs["quantile"]
    random = table["random_mean"] if quantile is None else table["random_quantile"]
    against = "mean" if quantile is None else f"{100 * quantile:g}th percentile"
    ax.plot(x, table["observed"].to_numpy(dtype=float), "o-", color=COLORS["primary"], label="observed")
    ax.plot(x, random.to_numpy(dtype=float), "--", color=COLORS["observed"], linewidth=2,
            label=f"random data ({against} of {parallel.inputs['n_iter']:,})")
    k = parallel.n_factors
    if 0 < k < len(parallel.eigenvalues):
        ax.axvline(k + 0.5, color=COLORS["highlight"], linestyle=":", linewidth=1.5,
                   label=f"{k} factor{'s' if k != 1 else ''} above random")
    ax.set(xlabel="component", ylabel="eigenvalue of the correlation matrix")
    step = max(1, int(np.ceil(len(x) / 15)))
    ax.set_xticks(x[::step])
    ax.legend(frameon=False)
    return ax


def loading_heatmap(
    loadings: pd.DataFrame,
    ax: Axes | None = None,
    *,
    annotate: bool = True,
    hide_below: float = 0.0,
    colorbar: bool = True,
) -> Axes:
    """A loading matrix as a heatmap: items down, factors across, blue positive, vermillion negative.

    Parameters
    ----------
    loadings : pandas.DataFrame
        Items x factors (e.g. ``FactorSolution.loadings`` or a true loading matrix).
    ax : matplotlib Axes, optional
    annotate : bool, default True
        Write each loading in its cell (two decimals).
    hide_below : float, default 0.0
        Leave cells with ``|loading| < hide_below`` unwritten (still coloured).
    colorbar : bool, default True
        Draw a colour bar.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.images[0]`` holds the matrix (colour scale -1 to 1); ``ax.texts`` the numbers.

    Raises
    ------
    TypeError
        If ``loadings`` is not a DataFrame of numbers or ``ax`` not an Axes.
    ValueError
        If ``loadings`` is empty or not finite.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> L = pd.DataFrame({"F1": [0.8, 0.7, 0.05], "F2": [0.1, -0.2, 0.6]}, index=["a", "b", "c"])
    >>> ax = plots.loading_heatmap(L, hide_below=0.3)
    >>> [t.get_text() for t in ax.texts]
    ['0.80', '0.70', '0.60']
    """
    loadings = params.frame("loadings", loadings, what="of loadings, items x factors", empty=False)
    values = params.array("loadings", loadings.to_numpy(dtype=float) if all(
        np.issubdtype(t, np.number) for t in loadings.dtypes) else loadings.to_numpy(), ndim=2, finite=True)
    annotate = params.boolean("annotate", annotate)
    colorbar = params.boolean("colorbar", colorbar)
    hide_below = params.real("hide_below", hide_below, min=0, max=1)
    p, m = values.shape
    ax = _axes(ax, (0.7 * m + 2.6, 0.26 * p + 1.2))
    image = ax.imshow(values, cmap=_diverging(), vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    if annotate:
        size = "x-small" if p > 20 or m > 6 else "small"
        for i in range(p):
            for j in range(m):
                v = values[i, j]
                if abs(v) >= hide_below:
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=size,
                            color="white" if abs(v) > 0.6 else "black")
    names = [str(c) for c in loadings.columns]
    tilt = m > 6 or max(len(c) for c in names) * m > 40  # long names would overlap
    ax.set_xticks(range(m), names, rotation=45 if tilt else 0, ha="right" if tilt else "center")
    ax.set_yticks(range(p), [str(i) for i in loadings.index])
    ax.grid(False)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="loading", shrink=min(1.0, 8 / max(p, 1) + 0.4))
    return ax


def congruence_by_size(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    good: float = 0.95,
    fair: float = 0.85,
) -> Axes:
    """Recovery of the true factors against the number of respondents (Tucker's phi).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`cxlib.survey.factor_recovery` (``n_respondents``, ``congruence_min``,
        ``congruence_mean``, ``converged``).
    ax : matplotlib Axes, optional
    good, fair : float, default 0.95 and 0.85
        Reference lines: factors "equal" (phi >= 0.95) and "fairly similar" (0.85-0.94),
        after Lorenzo-Seva & ten Berge (2006).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: the mean of the worst factor's phi per size; ``ax.lines[1]``: the
        mean phi over all factors; then each run's worst phi as points (``o`` converged,
        ``x`` not converged or a Heywood case).

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame or ``ax`` not an Axes.
    ValueError
        If ``table`` is empty or lacks a column.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> table = pd.DataFrame({"n_respondents": [50, 50, 400, 400], "congruence_min": [0.2, 0.5, 0.95, 0.97],
    ...                       "congruence_mean": [0.7, 0.8, 0.97, 0.98], "converged": [False, True, True, True]})
    >>> ax = plots.congruence_by_size(table)
    >>> ax.lines[0].get_ydata().round(3).tolist()
    [0.35, 0.96]
    """
    table = _estimates("table", table, ("n_respondents", "congruence_min", "congruence_mean"),
                       "from cxlib.survey.factor_recovery")
    params.frame("table", table, ("converged",), what="from cxlib.survey.factor_recovery")
    good = params.real("good", good, min=0, max=1)
    fair = params.real("fair", fair, min=0, max=1)
    ax = _axes(ax, (6.4, 4.0))
    by_size = table.groupby("n_respondents")[["congruence_min", "congruence_mean"]].mean()
    x = by_size.index.to_numpy(dtype=float)
    ax.plot(x, by_size["congruence_min"].to_numpy(), "-", color=COLORS["primary"], linewidth=2,
            label="worst-recovered factor (mean over runs)")
    ax.plot(x, by_size["congruence_mean"].to_numpy(), "--", color=COLORS["tertiary"], linewidth=2,
            label="all nine factors (mean)")
    ok = table["converged"].to_numpy(dtype=bool)
    for mask, marker, label in ((ok, "o", "worst factor, one run"),
                                (~ok, "x", "one run: not converged or Heywood case")):
        if mask.any():
            ax.plot(table["n_respondents"].to_numpy(dtype=float)[mask], table["congruence_min"].to_numpy()[mask],
                    marker, linestyle="none", color=COLORS["primary"], alpha=0.5, label=label)
    for level, text in ((good, f"{good:g}: equal"), (fair, f"{fair:g}: fair")):
        ax.axhline(level, color=COLORS["observed"], linestyle=":", linewidth=1)
        ax.text(1.0, level, f" {text}", transform=ax.get_yaxis_transform(), va="center", fontsize="small",
                color="dimgrey")
    ax.set_xscale("log")
    ax.set_xticks(x, [f"{v:,.0f}" for v in x])
    ax.minorticks_off()
    ax.set(xlabel="respondents", ylabel="Tucker's congruence with the true loadings")
    ax.set_ylim(min(0.0, float(np.nanmin(table["congruence_min"])) - 0.05) if table["congruence_min"].notna().any()
                else 0.0, 1.02)
    ax.legend(loc="lower right", fontsize="small", frameon=True)
    return ax


def team_correlations(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Team scores against the outcome: observed, corrected for attenuation, and true correlations.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`cxlib.survey.attenuation` (one row per scale: ``r_observed``,
        ``r_corrected``, and for a known-truth panel ``r_true``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]``: observed correlations (rows from the top); ``ax.lines[1]``: the
        corrected ones; ``ax.lines[2]`` the true ones, when given.

    Raises
    ------
    TypeError
        If ``table`` is not a DataFrame or ``ax`` not an Axes.
    ValueError
        If ``table`` is empty or lacks a column.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib import plots
    >>> table = pd.DataFrame({"r_observed": [0.5, -0.45], "r_corrected": [0.63, -0.55], "r_true": [0.68, -0.56]},
    ...                      index=["care", "fixed"])
    >>> ax = plots.team_correlations(table)
    >>> ax.lines[1].get_xdata().tolist()
    [0.63, -0.55]
    """
    table = _estimates("table", table, ("r_observed", "r_corrected"), "from cxlib.survey.attenuation")
    ax = _axes(ax, (6.4, 0.45 * len(table) + 1.4))
    y = np.arange(len(table), dtype=float)
    obs = table["r_observed"].to_numpy(dtype=float)
    cor = table["r_corrected"].to_numpy(dtype=float)
    ax.hlines(y, np.fmin(obs, cor), np.fmax(obs, cor), color=COLORS["observed"], linewidth=1)
    ax.plot(obs, y, "o", color=COLORS["primary"], label="observed: team mean score")
    ax.plot(cor, y, "s", color=COLORS["tertiary"], label="corrected for attenuation")
    if "r_true" in table:
        ax.plot(table["r_true"].to_numpy(dtype=float), y, "|", color=COLORS["truth"], markersize=16,
                markeredgewidth=2.5, label="true: teams' true means")
    ax.axvline(0, color=COLORS["truth"], linewidth=0.8)
    ax.set_yticks(y, [str(i) for i in table.index])
    ax.set_ylim(len(table) - 0.5, -0.6)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("correlation with customer satisfaction, across teams")
    ax.legend(loc="best", fontsize="small", frameon=True)
    return ax


def alpha_sampling(demo: AlphaDemo, fig: Figure | None = None) -> Figure:
    """The explorer's figure: true reliability by number of items, and alpha over many samples.

    Left: the true reliability of a scale of 2 to 12 such items (the Spearman-Brown curve,
    answers as categories; dashed: continuous answers), the chosen design marked, with the
    first sample's alpha and its interval.  Right: the alphas of all the samples, the true
    reliability as a black line.

    Parameters
    ----------
    demo : AlphaDemo
        From :func:`cxlib.survey.alpha_demo`.
    fig : matplotlib Figure, optional
        An empty figure to draw in; a new 11 x 3.6 inch figure by default.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the curve (``lines[0]`` categorical, ``lines[1]`` continuous) and the
        histogram (``patches``, the truth line).

    Raises
    ------
    TypeError
        If ``demo`` is not an AlphaDemo or ``fig`` not a Figure.

    Examples
    --------
    >>> from cxlib import plots, survey
    >>> fig = plots.alpha_sampling(survey.alpha_demo(4, 0.7, 100, n_samples=50, rng=1))
    >>> left, right = fig.axes
    >>> left.lines[0].get_xdata().tolist()[:3], round(right.lines[0].get_xdata()[0], 3)
    ([2, 3, 4], 0.765)
    """
    from cxlib._survey_studies import AlphaDemo

    if not isinstance(demo, AlphaDemo):
        raise TypeError(f"demo must be an AlphaDemo from cxlib.survey.alpha_demo; got {type(demo).__name__}")
    fig = _figure(fig, (11, 3.6))
    left, right = fig.subplots(1, 2)
    i = demo.inputs
    curve = demo.curve
    left.plot(curve["n_items"], curve["reliability"], "-", color=COLORS["primary"],
              label=f"true, answers 1-{i['n_points']}")
    left.plot(curve["n_items"], curve["reliability_continuous"], "--", color=COLORS["observed"],
              label="true, continuous answers")
    lo, hi = demo.ci
    left.errorbar([i["n_items"]], [demo.alpha], yerr=[[demo.alpha - lo], [hi - demo.alpha]], fmt="o",
                  color=COLORS["highlight"], capsize=4, label="alpha of sample 1 (95% CI)")
    left.plot([i["n_items"]], [demo.reliability], "_", color=COLORS["truth"], markersize=18, markeredgewidth=2.5)
    left.set(xlabel="items in the scale", ylabel="reliability", ylim=(0, 1),
             title=f"loading {i['loading']:.2f}")
    left.set_xticks(curve["n_items"])
    left.legend(loc="lower right", fontsize="small", frameon=False)
    alphas = demo.samples["alpha"].dropna().to_numpy()
    right.axvline(demo.reliability, color=COLORS["truth"], linewidth=2, label=f"true {demo.reliability:.3f}")
    right.hist(alphas, bins=min(30, max(5, len(alphas) // 5)), color=COLORS["points"], edgecolor="white")
    right.set(xlabel="alpha", ylabel="samples",
              title=f"{i['n_samples']:,} samples of {i['n_respondents']:,}: {demo.coverage:.0%} of intervals cover")
    right.legend(loc="upper left", fontsize="small", frameon=False)
    fig.tight_layout()
    return fig
