"""Figures of lesson 02 (loyalty and revenue): estimates against the truth, regression
diagnostics, count models, binned means and the confounding curve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib.plots._style import COLORS as _ROLES
from cxlib.plots._style import OKABE_ITO, _axes, _figure

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["estimate_comparison", "regression_diagnostics", "count_fit", "binned_means", "confounding_curve"]

#: Lesson 02's colours: the naive and the adjusted estimate, the two count models.
COLORS = {"naive": "#D55E00", "adjusted": "#0072B2", "poisson": "#E69F00", "negbin": "#009E73"}
_C = {**_ROLES, **COLORS}

_EFFECT_LABEL = "Effect of one loyalty point on annual revenue (dollars per point)"


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
    >>> ax = plots.estimate_comparison(loyalty.compare_estimates(data.customer_panel(500, rng=1)))
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_legend_handles_labels()[1]
    (['naive', 'adjusted'], ['truth = 4', 'naive (95% CI)', 'adjusted (95% CI)'])
    """
    table = params.frame("table", table, ("estimate", "ci_low", "ci_high"))
    ax = _axes(ax, (6.4, 2.8))
    labels = [str(i) for i in table.index]
    rows = [i for i, label in enumerate(labels) if label != "truth"]
    for pos, i in enumerate(rows):
        label = labels[i]
        est, lo, hi = (float(table.iloc[i][c]) for c in ("estimate", "ci_low", "ci_high"))
        color = _C.get(label, OKABE_ITO[pos % len(OKABE_ITO)])
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
        ax.axvline(truth, color=_C["truth"], linestyle="--", linewidth=1.5, label=f"truth = {truth:g}")
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
    * scale-location: ``sqrt(|standardised residual|)`` vs fitted, with lowess (a rising
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
    >>> fig = plots.regression_diagnostics(res)
    >>> [ax.get_title() for ax in fig.axes]
    ['Residuals vs fitted', 'Normal Q-Q', 'Scale-location', 'Residuals vs leverage']
    """
    from scipy import stats
    from statsmodels.nonparametric.smoothers_lowess import lowess

    if not hasattr(result, "get_influence") or not hasattr(result, "fittedvalues"):
        raise TypeError(
            f"result must be a fitted statsmodels OLS result (e.g. from cxlib.loyalty.fit); "
            f"got {type(result).__name__}"
        )
    max_points = params.integer("max_points", max_points, min=10)
    fig = _figure(fig, (10, 8))
    axes = fig.subplots(2, 2)
    outcome = str(result.model.endog_names)
    fitted = np.asarray(result.fittedvalues, dtype=float)
    resid = np.asarray(result.resid, dtype=float)
    infl = result.get_influence()
    std_resid = np.asarray(infl.resid_studentized_internal, dtype=float)
    leverage = np.asarray(infl.hat_matrix_diag, dtype=float)
    cooks = np.asarray(infl.cooks_distance[0], dtype=float)
    n, k = len(fitted), int(result.df_model) + 1
    # A row with leverage 1 (e.g. the only customer of a segment) is fitted exactly: its
    # standardised residual and Cook's distance are 0/0.  It is left out of the three
    # standardised panels and counted in the leverage panel's legend.
    ok = np.isfinite(std_resid) & np.isfinite(cooks)
    exact = int(n - ok.sum())
    flagged = np.flatnonzero(ok & (cooks > 4.0 / n))
    top = np.argsort(np.where(ok, cooks, -np.inf))[-3:][::-1]
    top = top[ok[top]]
    idx = _thin(n, max_points, np.concatenate([flagged, top]))
    fin = idx[ok[idx]]
    pts = {"s": 8, "alpha": 0.4, "color": _C["points"], "edgecolor": "none"}
    smooth = {"color": _C["naive"], "linewidth": 2}

    def _lowess(ax, x, y, rows=idx):
        xs = x[rows]
        # it=0: a plain local mean, not the robust (median-like) smooth, so that skewed
        # but correctly modelled residuals give a flat line at zero.
        fitline = lowess(y[rows], xs, frac=0.3, it=0, delta=0.01 * float(np.ptp(xs) or 1.0))
        ax.plot(fitline[:, 0], fitline[:, 1], label="lowess", **smooth)

    ax = axes[0, 0]
    ax.scatter(fitted[idx], resid[idx], **pts)
    ax.axhline(0, color=_C["truth"], linewidth=1, linestyle="--")
    _lowess(ax, fitted, resid)
    ax.set(title="Residuals vs fitted", xlabel=f"Fitted {outcome}", ylabel=f"Residual ({outcome} units)")

    ax = axes[0, 1]
    order = np.sort(std_resid[ok])
    m = len(order)
    theo = stats.norm.ppf((np.arange(1, m + 1) - 0.5) / m)
    qidx = _thin(m, max_points, np.array([0, m - 1]))
    ax.scatter(theo[qidx], order[qidx], **pts)
    lim = [float(min(theo[0], order[0])), float(max(theo[-1], order[-1]))]
    ax.plot(lim, lim, color=_C["truth"], linestyle="--", linewidth=1, label="normal")
    ax.set(title="Normal Q-Q", xlabel="Theoretical normal quantile", ylabel="Standardised residual")

    ax = axes[1, 0]
    root = np.sqrt(np.abs(std_resid))
    ax.scatter(fitted[fin], root[fin], **pts)
    _lowess(ax, fitted, root, fin)
    ax.set(title="Scale-location", xlabel=f"Fitted {outcome}", ylabel="sqrt(|standardised residual|)")

    ax = axes[1, 1]
    ordinary = np.setdiff1d(fin, flagged)
    ax.scatter(leverage[ordinary], std_resid[ordinary], **pts,
               label=f"{exact} row(s) with leverage 1 not shown" if exact else None)
    ax.scatter(
        leverage[flagged], std_resid[flagged], s=14, color=_C["highlight"], marker="^",
        label=f"Cook's D > 4/n ({len(flagged)})",
    )
    row_labels = getattr(result.model.data, "row_labels", None)
    for i in top:
        name = str(row_labels[i]) if row_labels is not None else str(i)
        ax.annotate(name, (leverage[i], std_resid[i]), fontsize="x-small", xytext=(3, 3), textcoords="offset points")
    hmax = min(float(leverage[ok].max()) * 1.05, 1.0)
    h = np.linspace(max(float(leverage[ok].min()), 1e-6), hmax, 100)
    for d, style in ((0.5, "--"), (1.0, ":")):
        bound = np.sqrt(d * k * (1 - h) / h)
        ax.plot(h, bound, color=_C["truth"], linestyle=style, linewidth=1, label=f"Cook's D = {d}")
        ax.plot(h, -bound, color=_C["truth"], linestyle=style, linewidth=1)
    span = float(np.max(np.abs(std_resid[ok]))) * 1.1
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
    *,
    xlabel: str = "count",
    ylabel: str = "number of rows",
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
    xlabel, ylabel : str
        What is counted and what the rows are, e.g. ``"orders in the year"`` and
        ``"customers"``.

    Returns
    -------
    matplotlib.axes.Axes
        Bars for the observed counts, one line per model.

    Examples
    --------
    >>> from cxlib import data, loyalty, plots
    >>> frame = data.customer_panel(500, rng=1).data
    >>> cm = loyalty.count_models("orders ~ loyalty + C(segment)", frame)
    >>> ax = plots.count_fit(frame["orders"], cm.poisson, cm.negbin, xlabel="orders in the year",
    ...                      ylabel="customers")
    >>> ax.get_xlabel(), [line.get_label() for line in ax.lines]
    ('orders in the year (0 to 71; 495 of 500 shown)', ['Poisson expected', 'NB2 expected (alpha = 0.52)'])
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
    ax.bar(ks, observed, width=0.8, color=_C["observed"], label="observed")
    ax.plot(ks, exp_p, color=_C["poisson"], marker="o", markersize=3, linewidth=1.5, label="Poisson expected")
    ax.plot(ks, exp_nb, color=_C["negbin"], marker="s", markersize=3, linewidth=1.5, linestyle="--",
            label=f"NB2 expected (alpha = {alpha:.2f})")
    shown = int((y <= max_count).sum())
    ax.set(xlabel=f"{xlabel} (0 to {max_count}; {shown:,} of {len(y):,} shown)", ylabel=ylabel)
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
    >>> ax = plots.binned_means(el["early_repeats"], el["late_spend"], cap=5)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['0', '1', '2', '3', '4', '5+']
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
    ax.errorbar(groups, means, yerr=np.nan_to_num(err), fmt="o-", color=_C["adjusted"], capsize=4,
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
    >>> ax = plots.confounding_curve(loyalty.confounding_sweep([0, 0.45, 0.9], n_customers=500, rng=1))
    >>> [line.get_label() for line in ax.lines]
    ['naive', 'adjusted', 'truth']
    """
    frame = params.frame("frame", frame, ("confounding", "naive", "adjusted", "truth"))
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
        ax.plot(c, frame[label].to_numpy(dtype=float), marker=marker, color=_C[label], label=label)
        if lo is not None:
            ax.fill_between(c, lo, hi, color=_C[label], alpha=0.2, linewidth=0)
    truth = frame["truth"].to_numpy(dtype=float)
    ax.plot(c, truth, color=_C["truth"], linestyle="--", label="truth")
    ax.set(xlabel="Confounding (how strongly tenure and segment drive loyalty)", ylabel=ylabel)
    ax.legend(fontsize="small", frameon=False)
    return ax
