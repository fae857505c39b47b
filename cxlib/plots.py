"""Figures the lessons share (matplotlib and seaborn, imported only when a function runs).

Nothing here changes matplotlib settings unless you call :func:`set_style`.  Colours
come from the Okabe-Ito palette (:data:`COLORS`), which stays distinguishable with the
common forms of colour blindness; lines also differ in marker or dash style.
Every function takes an optional ``ax`` (or ``fig``) and returns what it drew on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "OKABE_ITO",
    "COLORS",
    "set_style",
    "estimate_comparison",
    "regression_diagnostics",
    "count_fit",
    "binned_means",
    "confounding_curve",
    "feedback_diagram",
    "trajectory_bands",
    "clv_by_retention",
]

#: The Okabe-Ito colour-blind-friendly palette.
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
#: Colours by role, used consistently across lessons.
COLORS = {
    "naive": "#D55E00",
    "adjusted": "#0072B2",
    "truth": "#000000",
    "poisson": "#E69F00",
    "negbin": "#009E73",
    "observed": "#999999",
    "highlight": "#D55E00",
    "points": "#56B4E9",
    "listening": "#0072B2",
    "not listening": "#D55E00",
}

_EFFECT_LABEL = "Effect of one loyalty point on annual revenue (dollars per point)"


def set_style(context: str = "notebook") -> None:
    """Apply the course's seaborn theme (white grid, Okabe-Ito colours).

    Call it explicitly at the top of a notebook; importing cxlib never changes
    matplotlib settings.

    Parameters
    ----------
    context : {"notebook", "paper", "talk", "poster"}, default "notebook"
        seaborn's scaling of fonts and lines.

    Examples
    --------
    >>> from cxlib.plots import set_style
    >>> set_style()  # doctest: +SKIP
    """
    import seaborn as sns

    context = params.choice("context", context, ("notebook", "paper", "talk", "poster"))
    sns.set_theme(context=context, style="whitegrid", palette=list(OKABE_ITO))


def _axes(ax: Any, figsize: tuple[float, float] = (6.4, 4.0)) -> Axes:
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None; got {type(ax).__name__}")
    return ax


def _need_columns(frame: Any, columns: tuple[str, ...], name: str) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} lacks the column(s) {', '.join(map(repr, missing))}; it has: "
            f"{', '.join(repr(str(c)) for c in frame.columns)}"
        )
    return frame


def estimate_comparison(table: pd.DataFrame, ax: Axes | None = None, *, xlabel: str = _EFFECT_LABEL) -> Axes:
    """Estimates with confidence intervals, one row each, and a vertical line at the truth.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`cxlib.loyalty.compare_estimates`: one row per estimate
        (index = label) with ``estimate``, ``ci_low``, ``ci_high``; a row labelled
        ``truth`` (if present) is drawn as a dashed vertical line.
    ax : matplotlib Axes, optional
    xlabel : str
        Label of the estimate axis, with units.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from cxlib import data, loyalty, plots
    >>> ax = plots.estimate_comparison(loyalty.compare_estimates(data.customer_panel(500, rng=1)))  # doctest: +SKIP
    """
    table = _need_columns(table, ("estimate", "ci_low", "ci_high"), "table")
    ax = _axes(ax, (6.4, 2.8))
    labels = [str(i) for i in table.index]
    rows = [i for i, label in enumerate(labels) if label != "truth"]
    for pos, i in enumerate(rows):
        label = labels[i]
        est, lo, hi = (float(table.iloc[i][c]) for c in ("estimate", "ci_low", "ci_high"))
        color = COLORS.get(label, OKABE_ITO[pos % len(OKABE_ITO)])
        ax.errorbar(
            [est],
            [pos],
            xerr=[[est - lo], [hi - est]] if np.isfinite(lo) and np.isfinite(hi) else None,
            fmt="o",
            color=color,
            capsize=4,
            markersize=7,
            label=f"{label} (95% CI)",
        )
    if "truth" in labels:
        truth = float(table.iloc[labels.index("truth")]["estimate"])
        ax.axvline(truth, color=COLORS["truth"], linestyle="--", linewidth=1.5, label=f"truth = {truth:g}")
    ax.set_yticks(range(len(rows)), [labels[i] for i in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.legend(loc="best", fontsize="small", frameon=False)
    return ax


def _thin(n: int, max_points: int, keep: np.ndarray) -> np.ndarray:
    """Evenly spaced row indices (deterministic), plus the rows in ``keep``."""
    if n <= max_points:
        return np.arange(n)
    idx = np.linspace(0, n - 1, max_points).astype(np.int64)
    return np.unique(np.concatenate([idx, keep]))


def regression_diagnostics(result: Any, fig: Figure | None = None, *, max_points: int = 5000) -> Figure:
    """Four diagnostic plots of a fitted OLS model, in a 2 x 2 figure.

    * residuals vs fitted values, with a lowess curve (curvature: a missing term);
    * normal Q-Q plot of the standardised residuals (tails: skewed or heavy errors);
    * scale-location: sqrt(|standardised residual|) vs fitted, with lowess (a rising
      curve: spread grows with the mean, heteroskedasticity);
    * standardised residuals vs leverage, with Cook's distance contours 0.5 and 1;
      points with Cook's distance > 4/n are highlighted and the three largest labelled.

    Parameters
    ----------
    result : statsmodels OLS results
        e.g. from :func:`cxlib.loyalty.fit`.
    fig : matplotlib Figure, optional
        An empty figure to draw in; a new 10 x 8 inch figure by default.
    max_points : int, default 5000
        Larger data are thinned to this many evenly spaced rows for drawing (all
        highlighted points are kept); the statistics use every row.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from cxlib import data, loyalty, plots
    >>> res = loyalty.fit("revenue ~ loyalty", data.customer_panel(500, rng=1).data)
    >>> fig = plots.regression_diagnostics(res)  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    from scipy import stats
    from statsmodels.nonparametric.smoothers_lowess import lowess

    if not hasattr(result, "get_influence") or not hasattr(result, "fittedvalues"):
        raise TypeError(
            f"result must be a fitted statsmodels OLS result (e.g. from cxlib.loyalty.fit); "
            f"got {type(result).__name__}"
        )
    max_points = params.integer("max_points", max_points, min=10)
    if fig is None:
        fig = plt.figure(figsize=(10, 8))
    elif not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure or None; got {type(fig).__name__}")
    axes = fig.subplots(2, 2)
    outcome = str(result.model.endog_names)
    fitted = np.asarray(result.fittedvalues, dtype=float)
    resid = np.asarray(result.resid, dtype=float)
    infl = result.get_influence()
    std_resid = np.asarray(infl.resid_studentized_internal, dtype=float)
    leverage = np.asarray(infl.hat_matrix_diag, dtype=float)
    cooks = np.asarray(infl.cooks_distance[0], dtype=float)
    n, k = len(fitted), int(result.df_model) + 1
    flagged = np.flatnonzero(cooks > 4.0 / n)
    top = np.argsort(cooks)[-3:][::-1]
    idx = _thin(n, max_points, np.concatenate([flagged, top]))
    pts = {"s": 8, "alpha": 0.4, "color": COLORS["points"], "edgecolor": "none"}
    smooth = {"color": COLORS["naive"], "linewidth": 2}

    def _lowess(ax, x, y):
        xs = x[idx]
        # it=0: a plain local mean, not the robust (median-like) smooth, so that skewed
        # but correctly modelled residuals give a flat line at zero.
        fitline = lowess(y[idx], xs, frac=0.3, it=0, delta=0.01 * float(np.ptp(xs) or 1.0))
        ax.plot(fitline[:, 0], fitline[:, 1], label="lowess", **smooth)

    ax = axes[0, 0]
    ax.scatter(fitted[idx], resid[idx], **pts)
    ax.axhline(0, color=COLORS["truth"], linewidth=1, linestyle="--")
    _lowess(ax, fitted, resid)
    ax.set(title="Residuals vs fitted", xlabel=f"Fitted {outcome}", ylabel=f"Residual ({outcome} units)")

    ax = axes[0, 1]
    order = np.sort(std_resid)
    theo = stats.norm.ppf((np.arange(1, n + 1) - 0.5) / n)
    qidx = _thin(n, max_points, np.array([0, n - 1]))
    ax.scatter(theo[qidx], order[qidx], **pts)
    lim = [float(min(theo[0], order[0])), float(max(theo[-1], order[-1]))]
    ax.plot(lim, lim, color=COLORS["truth"], linestyle="--", linewidth=1, label="normal")
    ax.set(title="Normal Q-Q", xlabel="Theoretical normal quantile", ylabel="Standardised residual")

    ax = axes[1, 0]
    root = np.sqrt(np.abs(std_resid))
    ax.scatter(fitted[idx], root[idx], **pts)
    _lowess(ax, fitted, root)
    ax.set(title="Scale-location", xlabel=f"Fitted {outcome}", ylabel="sqrt(|standardised residual|)")

    ax = axes[1, 1]
    ordinary = np.setdiff1d(idx, flagged)
    ax.scatter(leverage[ordinary], std_resid[ordinary], **pts)
    ax.scatter(
        leverage[flagged], std_resid[flagged], s=14, color=COLORS["highlight"], marker="^",
        label=f"Cook's D > 4/n ({len(flagged)})",
    )
    row_labels = getattr(result.model.data, "row_labels", None)
    for i in top:
        name = str(row_labels[i]) if row_labels is not None else str(i)
        ax.annotate(name, (leverage[i], std_resid[i]), fontsize="x-small", xytext=(3, 3), textcoords="offset points")
    hmax = float(leverage.max()) * 1.05
    h = np.linspace(max(float(leverage.min()), 1e-6), hmax, 100)
    for d, style in ((0.5, "--"), (1.0, ":")):
        bound = np.sqrt(d * k * (1 - h) / h)
        ax.plot(h, bound, color=COLORS["truth"], linestyle=style, linewidth=1, label=f"Cook's D = {d}")
        ax.plot(h, -bound, color=COLORS["truth"], linestyle=style, linewidth=1)
    span = float(np.max(np.abs(std_resid))) * 1.1
    ax.set_ylim(-span, span)
    ax.set_xlim(0, hmax)
    ax.set(title="Residuals vs leverage", xlabel="Leverage (hat value)", ylabel="Standardised residual")
    ax.legend(fontsize="x-small", loc="best", frameon=False)
    fig.tight_layout()
    return fig


def count_fit(
    counts: Any,
    poisson_result: Any,
    negbin_result: Any,
    max_count: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Observed frequency of each count next to the frequencies each model expects.

    The expected number of customers with count ``k`` is the sum over customers of
    the model's probability of ``k`` given that customer's predicted mean: Poisson
    ``P(k; mu_i)``, NB2 ``P(k; mu_i, alpha)``.  A Poisson model of over-dispersed
    counts expects too many middling counts and too few zeros and large counts.

    Parameters
    ----------
    counts : array-like of int
        The observed counts, the same rows as the fitted models (e.g.
        ``data["orders"]``).
    poisson_result, negbin_result : statsmodels results
        Fitted Poisson and NB2 models (e.g. ``CountModels.poisson``, ``.negbin``).
    max_count : int, optional
        Largest count shown; default the 99th percentile of ``counts``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Bars for the observed counts, one line per model.

    Examples
    --------
    >>> from cxlib import data, loyalty, plots
    >>> frame = data.customer_panel(500, rng=1).data
    >>> cm = loyalty.count_models("orders ~ loyalty + C(segment)", frame)
    >>> ax = plots.count_fit(frame["orders"], cm.poisson, cm.negbin)  # doctest: +SKIP
    """
    from scipy import stats

    y = np.asarray(counts, dtype=float)
    if y.ndim != 1 or not np.all(np.isfinite(y)) or np.any(y < 0) or np.any(y != np.round(y)):
        raise ValueError("counts must be a one-dimensional array of whole numbers >= 0")
    mu_p = np.asarray(poisson_result.predict(), dtype=float)
    mu_nb = np.asarray(negbin_result.predict(), dtype=float)
    if len(mu_p) != len(y) or len(mu_nb) != len(y):
        raise ValueError(
            f"counts has {len(y)} values but the models were fitted on {len(mu_p)} and "
            f"{len(mu_nb)} rows; pass the outcome of the same rows"
        )
    alpha = float(np.asarray(negbin_result.params, dtype=float)[-1])
    if max_count is None:
        max_count = max(int(np.quantile(y, 0.99)), 1)
    max_count = params.integer("max_count", max_count, min=1)
    ks = np.arange(max_count + 1)
    observed = np.bincount(y.astype(np.int64), minlength=max_count + 1)[: max_count + 1]
    size = 1.0 / alpha
    exp_p = np.array([stats.poisson.pmf(k, mu_p).sum() for k in ks])
    exp_nb = np.array([stats.nbinom.pmf(k, size, size / (size + mu_nb)).sum() for k in ks])
    ax = _axes(ax)
    ax.bar(ks, observed, width=0.8, color=COLORS["observed"], label="observed")
    ax.plot(ks, exp_p, color=COLORS["poisson"], marker="o", markersize=3, linewidth=1.5, label="Poisson expected")
    ax.plot(ks, exp_nb, color=COLORS["negbin"], marker="s", markersize=3, linewidth=1.5, linestyle="--",
            label=f"NB2 expected (alpha = {alpha:.2f})")
    shown = int((y <= max_count).sum())
    ax.set(xlabel=f"Count (0 to {max_count}; {shown:,} of {len(y):,} rows shown)", ylabel="Number of rows")
    ax.legend(fontsize="small", frameon=False)
    return ax


def binned_means(
    x: Any,
    y: Any,
    ax: Axes | None = None,
    *,
    cap: int | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    level: float = 0.95,
) -> Axes:
    """Mean of ``y`` with a confidence interval for each value of a small-integer ``x``.

    Values of ``x`` at or above ``cap`` are pooled into one group labelled ``cap+``
    (top-coding), so that a few extreme values do not each get their own noisy point.
    Intervals are ``mean +/- t * sd / sqrt(n)``; groups of one have none.  The size of
    each group is written above its interval.

    Parameters
    ----------
    x : array-like of int
        e.g. early repeat purchases.
    y : array-like of float
        e.g. later spend (dollars).
    ax : matplotlib Axes, optional
    cap : int, optional
        Top-code ``x`` at this value.
    xlabel, ylabel : str, optional
        Axis labels (with units); default the names of ``x`` and ``y`` if they are
        pandas Series.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from cxlib import data, loyalty, plots
    >>> el = loyalty.early_and_late(data.load("cdnow_sample"))
    >>> ax = plots.binned_means(el["early_repeats"], el["late_spend"], cap=5)  # doctest: +SKIP
    """
    from scipy import stats

    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.ndim != 1 or xs.shape != ys.shape:
        raise ValueError(f"x and y must be one-dimensional and of the same length; got {xs.shape} and {ys.shape}")
    if len(xs) == 0:
        raise ValueError("x and y are empty")
    if not np.all(np.isfinite(xs)) or np.any(xs != np.round(xs)):
        raise ValueError("x must hold whole numbers (e.g. counts of purchases) without missing values")
    level = params.real("level", level, min=0, max=1, min_inclusive=False, max_inclusive=False)
    if cap is not None:
        cap = params.integer("cap", cap)
        xs = np.minimum(xs, cap)
    keep = np.isfinite(ys)
    xs, ys = xs[keep], ys[keep]
    groups = np.unique(xs)
    means, lows, highs, sizes = [], [], [], []
    for g in groups:
        vals = ys[xs == g]
        m = float(vals.mean())
        if len(vals) > 1:
            half = float(stats.t.ppf(0.5 + level / 2, len(vals) - 1) * vals.std(ddof=1) / np.sqrt(len(vals)))
        else:
            half = np.nan
        means.append(m)
        lows.append(m - half)
        highs.append(m + half)
        sizes.append(len(vals))
    means, lows, highs = map(np.asarray, (means, lows, highs))
    ax = _axes(ax)
    err = np.vstack([means - lows, highs - means])
    ax.errorbar(groups, means, yerr=np.nan_to_num(err), fmt="o-", color=COLORS["adjusted"], capsize=4,
                label=f"mean with {level:.0%} CI")
    labels = [f"{int(g)}{'+' if cap is not None and g == cap else ''}" for g in groups]
    ax.set_xticks(groups, labels)
    for g, top, n in zip(groups, np.where(np.isfinite(highs), highs, means), sizes):
        ax.annotate(f"n={n:,}", (g, top), textcoords="offset points", xytext=(0, 5), ha="center",
                    fontsize="x-small", color="0.35")
    ax.set_xlabel(xlabel if xlabel is not None else str(getattr(x, "name", "x")))
    ax.set_ylabel(ylabel if ylabel is not None else f"Mean of {getattr(y, 'name', 'y')}")
    ax.legend(fontsize="small", frameon=False, loc="upper left")
    return ax


def confounding_curve(
    frame: pd.DataFrame, ax: Axes | None = None, *, ylabel: str = "Loyalty effect (dollars per year per point)"
) -> Axes:
    """Naive and adjusted estimates (with CI bands) against confounding, and the truth.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`cxlib.loyalty.confounding_sweep` (columns ``confounding``,
        ``naive``, ``naive_ci_low``, ``naive_ci_high``, ``adjusted``,
        ``adjusted_ci_low``, ``adjusted_ci_high``, ``truth``), or rows of
        :func:`cxlib.loyalty.confounding_demo` dicts (``naive_ci``/``adjusted_ci``
        as ``(low, high)`` pairs).
    ax : matplotlib Axes, optional
    ylabel : str
        Label of the estimate axis, with units.

    Returns
    -------
    matplotlib.axes.Axes
        Three lines: naive, adjusted, truth; two CI bands.

    Examples
    --------
    >>> from cxlib import loyalty, plots
    >>> ax = plots.confounding_curve(loyalty.confounding_sweep([0, 0.45, 0.9], rng=1))  # doctest: +SKIP
    """
    frame = _need_columns(frame, ("confounding", "naive", "adjusted", "truth"), "frame")
    frame = frame.sort_values("confounding")
    ax = _axes(ax)
    c = frame["confounding"].to_numpy(dtype=float)
    for label, marker in (("naive", "o"), ("adjusted", "s")):
        if f"{label}_ci_low" in frame.columns:
            lo = frame[f"{label}_ci_low"].to_numpy(dtype=float)
            hi = frame[f"{label}_ci_high"].to_numpy(dtype=float)
        elif f"{label}_ci" in frame.columns:
            pairs = np.array([tuple(v) for v in frame[f"{label}_ci"]], dtype=float)
            lo, hi = pairs[:, 0], pairs[:, 1]
        else:
            lo = hi = None
        ax.plot(c, frame[label].to_numpy(dtype=float), marker=marker, color=COLORS[label], label=label)
        if lo is not None:
            ax.fill_between(c, lo, hi, color=COLORS[label], alpha=0.2, linewidth=0)
    truth = frame["truth"].to_numpy(dtype=float)
    ax.plot(c, truth, color=COLORS["truth"], linestyle="--", label="truth")
    ax.set(xlabel="Confounding (how strongly tenure and segment drive loyalty)", ylabel=ylabel)
    ax.legend(fontsize="small", frameon=False)
    return ax


def feedback_diagram(ax: Axes | None = None) -> Axes:
    """The stock-and-flow diagram of :mod:`cxlib.feedback`, with its loops marked.

    Stocks (what accumulates) are boxes, influences are arrows marked ``+`` (more of
    one gives more of the other) or ``-`` (more gives less); ``B`` marks the balancing
    loop, ``R`` the reinforcing one, and ``||`` the delay.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from cxlib import plots
    >>> ax = plots.feedback_diagram()  # doctest: +SKIP
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    ax = _axes(ax, (10, 6.4))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    stock = {"boxstyle": "round,pad=0.02", "facecolor": "#dbe9f6", "edgecolor": COLORS["adjusted"], "linewidth": 1.5}
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

    def arrow(a, b, sign, rad=0.0, note=None, delay=False):
        pa, pb = np.array(nodes[a][:2]), np.array(nodes[b][:2])
        ax.add_patch(FancyArrowPatch(pa, pb, connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                     mutation_scale=14, color="0.3", linewidth=1.2, shrinkA=34, shrinkB=34))
        x, y = on_curve(pa, pb, rad, 0.62)
        ax.text(x, y, sign, ha="center", va="center", fontsize=13, fontweight="bold", zorder=4,
                color=COLORS["listening"] if sign == "+" else COLORS["not listening"],
                bbox={"boxstyle": "circle,pad=0.12", "facecolor": "white", "edgecolor": "none"})
        if note:
            x, y = on_curve(pa, pb, rad, 0.45)
            ax.text(x, y - 0.035, note, ha="center", va="top", fontsize=8, color="0.3", style="italic", zorder=4)
        if delay:
            x, y = on_curve(pa, pb, rad, 0.3)
            ax.text(x, y, "||", ha="center", va="center", fontsize=13, fontweight="bold", rotation=-30, zorder=4)

    arrow("Quality", "Problems", "-")
    arrow("Problems", "Feedback\nbacklog", "+", note="feedback_rate")
    arrow("Feedback\nbacklog", "Acting on\nfeedback", "+", note="capacity, delay", delay=True)
    arrow("Acting on\nfeedback", "Quality", "+", note="improvement")
    arrow("Feedback\nbacklog", "Service\nrecovery", "+")
    arrow("Service\nrecovery", "Satisfaction", "+", note="recovery")
    arrow("Problems", "Satisfaction", "-")
    arrow("Satisfaction", "Churn", "-")
    arrow("Churn", "Customers", "-")
    arrow("Satisfaction", "Referrals", "+")
    arrow("Customers", "Referrals", "+", rad=-0.35)
    arrow("Referrals", "Customers", "+", rad=-0.15)
    arrow("Customers", "Profit", "+")
    ax.text(0.84, 0.02, "minus the costs of acting\nand of recovery", ha="center", va="top", fontsize=8,
            color="0.3", style="italic")
    for x, y, label, color in ((0.6, 0.76, "B", COLORS["adjusted"]), (0.24, 0.15, "R", COLORS["negbin"])):
        ax.text(x, y, label, ha="center", va="center", fontsize=15, fontweight="bold", color=color,
                bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": color, "linewidth": 1.5})
    return ax


def trajectory_bands(
    frame: pd.DataFrame,
    ax: Axes | None = None,
    *,
    ylabel: str | None = None,
    by: str = "policy",
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

    Returns
    -------
    matplotlib.axes.Axes
        One line and one shaded band per group.

    Examples
    --------
    >>> from cxlib import feedback, plots
    >>> runs = feedback.compare(feedback.Params(n_customers=500, n_periods=10), n_runs=5, rng=1)
    >>> ax = plots.trajectory_bands(feedback.bands(runs, "active"), ylabel="customers")  # doctest: +SKIP
    """
    frame = _need_columns(frame, ("period", "mean", "low", "high"), "frame")
    ax = _axes(ax)
    groups = frame.groupby(by, sort=False) if by in frame.columns else [("", frame)]
    for i, (name, g) in enumerate(groups):
        lines = [c for c in OKABE_ITO if c != "#F0E442"]  # yellow is too pale for a line
        color = COLORS.get(str(name), lines[i % len(lines)])
        g = g.sort_values("period")
        ax.plot(g["period"], g["mean"], color=color, linestyle=("-", "--", ":", "-.")[i % 4], label=str(name) or None)
        ax.fill_between(g["period"], g["low"], g["high"], color=color, alpha=0.2, linewidth=0)
    ax.set(xlabel="period (week)", ylabel=ylabel or "value")
    if by in frame.columns:
        ax.legend(fontsize="small", frameon=False)
    return ax


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
    frame = _need_columns(frame, ("retention", "value"), "frame")
    ax = _axes(ax)
    frame = frame.sort_values("retention")
    ax.plot(frame["retention"], frame["value"], color=COLORS["adjusted"], label="value")
    if current is not None:
        r = params.real("current", current, min=0, max=1)
        row = frame.iloc[int(np.argmin(np.abs(frame["retention"].to_numpy() - r)))]
        ax.plot([row["retention"]], [row["value"]], "o", color=COLORS["highlight"], label="current")
        ax.annotate(f"${row['value']:,.0f} at {row['retention']:.0%}", (row["retention"], row["value"]),
                    textcoords="offset points", xytext=(-10, 8), ha="right", fontsize="small")
    ax.set(xlabel="retention rate per period", ylabel=ylabel)
    return ax
