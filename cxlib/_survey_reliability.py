"""Reliability of Likert scales for :mod:`cxlib.survey`: alpha, omega, items, scores, teams.

Cronbach's alpha with Feldt's interval (as pingouin and R's psych report it), item
analysis, McDonald's omega from a one-factor model, scale scores, Spearman's correction
for attenuation and the ICC(1) of team scores from a statsmodels random-intercept model.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._results import ModelResult
from cxlib._survey_checks import check_items, check_missing, check_reverse, check_scale, complete_mask

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from cxlib.data._survey import SurveyPanel

__all__ = [
    "Alpha",
    "cronbach_alpha",
    "item_analysis",
    "Omega",
    "omega",
    "scale_scores",
    "disattenuate",
    "ICC",
    "icc",
    "attenuation",
]

#: item_analysis flags items whose corrected item-total correlation is below this.
LOW_ITEM_TOTAL = 0.2


def _alpha_of(cov: np.ndarray) -> float:
    """Cronbach's alpha from a covariance matrix: k/(k-1) (1 - trace / total)."""
    k = cov.shape[0]
    total = float(cov.sum())
    if not total > 0:
        raise ValueError("the total score has no variance (the items' covariances cancel out); alpha is undefined")
    return k / (k - 1) * (1.0 - float(np.trace(cov)) / total)


def _covariance(frame: pd.DataFrame, missing: str) -> tuple[np.ndarray, np.ndarray]:
    """The items' covariance matrix under ``missing``, and the answers it rests on (NaN kept
    for pairwise)."""
    values = frame.to_numpy()
    nan = np.isnan(values)
    if not nan.any():
        return np.cov(values, rowvar=False), values
    if missing == "listwise":
        used = values[complete_mask(values)]
        return np.cov(used, rowvar=False), used
    cov = frame.cov().to_numpy()  # pairwise complete observations, as pingouin's nan_policy="pairwise"
    if np.isnan(cov).any():
        i, j = params.first(np.isnan(cov))
        raise ValueError(f"items {frame.columns[i]!r} and {frame.columns[j]!r} are never answered together "
                         "(by 2 or more respondents), so their covariance is undefined; use missing='listwise'")
    return cov, values


def _feldt(alpha: float, n: int, k: int, level: float) -> tuple[float, float]:
    """Feldt's (1987) F interval for alpha at confidence ``level``."""
    from scipy.special import fdtri  # the F quantile function: fdtri(d1, d2, p) = F.ppf(p)

    tail = 1.0 - level
    df1 = n - 1
    df2 = df1 * (k - 1)
    return (1.0 - (1.0 - alpha) * float(fdtri(df1, df2, 1.0 - tail / 2)),
            1.0 - (1.0 - alpha) * float(fdtri(df1, df2, tail / 2)))


@dataclass(frozen=True, repr=False)
class Alpha(ModelResult):
    """Cronbach's alpha of a scale, with Feldt's confidence interval.

    A :class:`cxlib._results.ModelResult` with one parameter, ``alpha``; its
    :meth:`conf_int` is Feldt's F interval (not a Wald interval) and ``se`` is NaN.

    Attributes
    ----------
    alpha : float
        Cronbach's alpha.
    ci : tuple of float
        ``(low, high)``, Feldt's interval at confidence ``level``.
    n : int
        Respondents (rows) given: the ``n`` of Feldt's interval, as in pingouin and psych.
    n_items : int
        Items (k).
    n_complete : int
        Respondents who answered every item (those listwise deletion keeps).
    missing : str
        ``"listwise"`` or ``"pairwise"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.survey import cronbach_alpha
    >>> scores = pd.DataFrame({"q1": [1, 2, 2, 3, 2, 2, 3, 3, 2, 3],
    ...                        "q2": [1, 1, 1, 2, 3, 3, 2, 3, 3, 3],
    ...                        "q3": [1, 1, 2, 1, 2, 3, 3, 3, 2, 3]})
    >>> res = cronbach_alpha(scores)
    >>> res
    Alpha(0.773, 95% CI 0.336 to 0.939; n=10, 3 items)
    >>> res.summary().round(3)
           estimate  std_error  ci_low  ci_high
    alpha     0.773        NaN   0.336    0.939
    >>> float(res) == res.alpha
    True
    """

    ci: tuple[float, float] = (math.nan, math.nan)
    level: float = 0.95
    n_items: int = 0
    n_complete: int = 0
    missing: str = "listwise"

    @property
    def alpha(self) -> float:
        """Cronbach's alpha."""
        return float(self.params["alpha"])

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Feldt's interval at level ``1 - alpha``: columns ``ci_low``, ``ci_high``."""
        import pandas as pd

        tail = params.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)
        low, high = _feldt(self.alpha, self.n, self.n_items, 1.0 - tail)
        return pd.DataFrame({"ci_low": [low], "ci_high": [high]}, index=["alpha"])

    def summary(self, alpha: float | None = None) -> pd.DataFrame:
        """``estimate``, ``std_error`` (NaN), ``ci_low``, ``ci_high``; the interval at ``level``
        unless ``alpha`` (1 - confidence) is given."""
        return super().summary(1.0 - self.level if alpha is None else alpha)

    def __float__(self) -> float:
        return self.alpha

    def __repr__(self) -> str:
        pct = f"{100 * self.level:g}%"
        deleted = ""
        if self.n_complete < self.n:
            deleted = f", listwise: {self.n_complete:,} complete" if self.missing == "listwise" else ", pairwise"
        return (f"Alpha({self.alpha:.3f}, {pct} CI {self.ci[0]:.3f} to {self.ci[1]:.3f}; "
                f"n={self.n:,}, {self.n_items} items{deleted})")


def cronbach_alpha(
    items: Any,
    ci: float = 0.95,
    missing: str = "listwise",
    reverse: Any = None,
    scale: Any = None,
) -> Alpha:
    """Cronbach's alpha of a scale, with Feldt's confidence interval.

    ``alpha = k / (k - 1) * (1 - sum(var_i) / var_total)`` for k items with variances
    ``var_i`` and a total score of variance ``var_total`` (the sum of the items' covariance
    matrix).  Alpha is the reliability of the total (or mean) score when the items are
    tau-equivalent (they measure one thing with equal loadings) and their errors are
    uncorrelated, and a lower bound of it otherwise (see :func:`omega`).

    Parameters
    ----------
    items : pandas.DataFrame or 2-D array
        One row per respondent, one column per item (numeric; NaN for a missing answer).
    ci : float, default 0.95
        Confidence level of the interval, between 0 and 1.
    missing : {"listwise", "pairwise"}, default "listwise"
        pingouin's ``nan_policy``: ``"listwise"`` uses the respondents who answered every
        item; ``"pairwise"`` each covariance from the respondents who answered both items
        (pandas ``DataFrame.cov``), psych's default.
    reverse : list of str, optional
        Reverse-keyed items (worded against the scale), reversed as ``low + high - x``
        before anything else.  Needs ``scale``.
    scale : (low, high), optional
        The lowest and highest possible answers, e.g. ``(1, 5)``; every answer must lie
        within it.

    Returns
    -------
    Alpha
        ``alpha``, ``ci`` (low, high), ``n``, ``n_items``, ``n_complete``, ``summary()``.

    Raises
    ------
    TypeError
        A non-numeric item, or items that are not a table.
    ValueError
        Fewer than 2 items or respondents, a constant item, an item without answers, an
        answer outside ``scale``, ``reverse`` naming an unknown column (with a
        suggestion) or given without ``scale``.

    Notes
    -----
    The interval is Feldt's (Feldt, Woodruff & Salih 1987):
    ``1 - (1 - alpha) * F(1 - a/2)`` to ``1 - (1 - alpha) * F(a/2)``, with F the quantiles
    of an F distribution on ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom; it assumes
    normal, essentially tau-equivalent items.  The numbers equal pingouin's
    ``cronbach_alpha(data, nan_policy=missing, ci=ci)`` (which rounds the interval to 3
    decimals) and R's psych ``alpha()``: as both do, ``n`` counts every row given, also
    under listwise deletion, so with incomplete rows that interval is a little narrower
    than one for the ``n_complete`` rows used; drop the incomplete rows first
    (``items.dropna()``) for the latter.

    Examples
    --------
    >>> from cxlib import data
    >>> from cxlib.survey import cronbach_alpha
    >>> bfi = data.load("bfi")
    >>> agree = bfi[["A1", "A2", "A3", "A4", "A5"]]
    >>> cronbach_alpha(agree, reverse=["A1"], scale=(1, 6))
    Alpha(0.704, 95% CI 0.686 to 0.721; n=2,800, 5 items, listwise: 2,709 complete)
    >>> cronbach_alpha(agree)  # forgetting that A1 is reverse-keyed lowers alpha
    Alpha(0.431, 95% CI 0.397 to 0.463; n=2,800, 5 items, listwise: 2,709 complete)
    >>> cronbach_alpha(agree, reverse=["A11"], scale=(1, 6))
    Traceback (most recent call last):
    ...
    ValueError: reverse item 'A11' is not a column of the data; the data has: 'A1', 'A2', 'A3', 'A4', 'A5'; did you mean 'A1'?
    """
    import pandas as pd

    level = params.real("ci", ci, min=0, max=1, min_inclusive=False, max_inclusive=False)
    missing = check_missing(missing)
    frame = check_items(items, reverse=reverse, scale=scale)
    cov, _ = _covariance(frame, missing)
    value = _alpha_of(cov)
    n, k = frame.shape
    n_complete = int((~np.isnan(frame.to_numpy())).all(axis=1).sum())
    return Alpha(
        model="Cronbach's alpha",
        params=pd.Series({"alpha": value}),
        se=pd.Series({"alpha": math.nan}),
        n=n,
        ci=_feldt(value, n, k, level),
        level=level,
        n_items=k,
        n_complete=n_complete,
        missing=missing,
    )


def item_analysis(items: Any, reverse: Any = None, scale: Any = None, missing: str = "listwise") -> pd.DataFrame:
    """Item statistics of a scale: mean, spread, corrected item-total correlation, alpha if deleted.

    Parameters
    ----------
    items, reverse, scale, missing
        As in :func:`cronbach_alpha` (reverse-keyed items are reversed first, so their
        statistics are those of the reversed answers).

    Returns
    -------
    pandas.DataFrame
        One row per item (index ``item``):

        * ``mean``, ``sd``: of the answers used;
        * ``corrected_item_total``: correlation of the item with the total of the *other*
          items (psych's ``r.drop``): how well it goes with the rest of the scale;
        * ``alpha_if_deleted``: alpha of the scale without the item (NaN with 2 items);
        * ``flag``: True when ``corrected_item_total`` is negative or below 0.2;
        * ``reason``: ``"negative: reverse-keyed or miskeyed?"``, ``"below 0.2: weakly
          related to the scale"`` or ``""``.

        A negative correlation usually means a reverse-keyed item that was not reversed; a
        low one an item that measures something else.  When ``alpha_if_deleted`` exceeds
        the scale's alpha, the scale is more consistent without the item.

    Examples
    --------
    >>> from cxlib.data._survey import survey_panel
    >>> from cxlib.survey import item_analysis
    >>> panel = survey_panel(rng=1)
    >>> table = item_analysis(panel.data[panel.scales["respond"]])
    >>> table[["mean", "corrected_item_total", "alpha_if_deleted", "flag"]].round(2)
               mean  corrected_item_total  alpha_if_deleted   flag
    item
    respond_1  3.40                  0.23             -0.61  False
    respond_2  3.18                 -0.59              0.69   True
    respond_3  3.43                  0.32             -0.79  False
    respond_4  3.35                  0.30             -0.78  False
    >>> table.at["respond_2", "reason"]
    'negative: reverse-keyed or miskeyed?'
    >>> item_analysis(panel.data[panel.scales["respond"]], reverse=["respond_2"], scale=(1, 5))["flag"].any()
    np.False_
    """
    import pandas as pd

    missing = check_missing(missing)
    frame = check_items(items, reverse=reverse, scale=scale)
    C, used = _covariance(frame, missing)
    k = C.shape[0]
    row_sums = C.sum(axis=1)
    total = C.sum()
    rest_var = total - 2 * row_sums + np.diag(C)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_drop = (row_sums - np.diag(C)) / np.sqrt(np.diag(C) * rest_var)
    alpha_del = np.full(k, np.nan)
    if k > 2:
        for j in range(k):
            keep = np.arange(k) != j
            sub = C[np.ix_(keep, keep)]
            alpha_del[j] = (k - 1) / (k - 2) * (1 - np.trace(sub) / sub.sum())
    reason = np.where(r_drop < 0, "negative: reverse-keyed or miskeyed?",
                      np.where(r_drop < LOW_ITEM_TOTAL, f"below {LOW_ITEM_TOTAL:g}: weakly related to the scale", ""))
    table = pd.DataFrame({
        "mean": np.nanmean(used, axis=0),
        "sd": np.nanstd(used, axis=0, ddof=1),
        "corrected_item_total": r_drop,
        "alpha_if_deleted": alpha_del,
        "flag": r_drop < LOW_ITEM_TOTAL,
        "reason": reason,
    }, index=pd.Index(frame.columns, name="item"))  # fmt: skip
    return table


@dataclass(frozen=True, repr=False)
class Omega(ModelResult):
    """McDonald's omega (total) of a scale from a one-factor model, beside Cronbach's alpha.

    ``params`` holds ``omega`` and ``alpha`` (computed on the same respondents and
    metric); ``se`` is NaN; ``loglik`` and ``converged`` are those of the one-factor ML fit.

    Attributes
    ----------
    loadings, uniquenesses : pandas.Series
        Standardised one-factor loadings and uniquenesses of the items.
    standardized : bool
        Whether omega and alpha refer to the sum of standardised items (True) or of the
        raw answers (False, the default).
    n_items : int
        Items.

    Examples
    --------
    >>> from cxlib.data._survey import survey_panel
    >>> from cxlib.survey import omega
    >>> panel = survey_panel(200, 10, rng=2)
    >>> res = omega(panel.data[panel.scales["improve"]])
    >>> res
    Omega(omega=0.675, alpha=0.636; one-factor ML, n=2,000, 4 items)
    >>> res.loadings.round(2).tolist()
    [0.88, 0.67, 0.45, 0.28]
    """

    loadings: pd.Series = field(default=None)
    uniquenesses: pd.Series = field(default=None)
    standardized: bool = False
    n_items: int = 0

    @property
    def omega(self) -> float:
        """McDonald's omega total."""
        return float(self.params["omega"])

    @property
    def alpha(self) -> float:
        """Cronbach's alpha of the same items, respondents and metric."""
        return float(self.params["alpha"])

    def __float__(self) -> float:
        return self.omega

    def __repr__(self) -> str:
        std = ", standardized" if self.standardized else ""
        flag = "" if self.converged else ", NOT CONVERGED"
        return (f"Omega(omega={self.omega:.3f}, alpha={self.alpha:.3f}; one-factor ML{std}, "
                f"n={self.n:,}, {self.n_items} items{flag})")


def omega(
    items: Any,
    reverse: Any = None,
    scale: Any = None,
    missing: str = "listwise",
    *,
    standardized: bool = False,
) -> Omega:
    """McDonald's omega total of a scale, from a one-factor maximum-likelihood factor analysis.

    A one-factor model ``x_i = mu_i + l_i * F + e_i`` (F and the errors uncorrelated, the
    errors of different items uncorrelated) is fitted by maximum likelihood to the items'
    correlation matrix (statsmodels ``Factor``, see :func:`factor_analysis`).  On the
    metric of the raw answers (loadings ``l_i = lambda_i * sd_i``, error variances
    ``psi_i * var_i`` from the standardised ``lambda``, ``psi``)::

        omega = (sum l_i)**2 / ((sum l_i)**2 + sum psi_i * var_i)

    the share of the total score's model-implied variance that is common-factor variance:
    the reliability of the total (or mean) score when the model holds.

    Parameters
    ----------
    items, reverse, scale, missing
        As in :func:`cronbach_alpha`; at least 3 items (a one-factor model of two items is
        not identified).
    standardized : bool, default False
        Omega (and alpha) of the sum of standardised items, from the correlation matrix.

    Returns
    -------
    Omega
        ``omega`` and ``alpha`` (on the same respondents and metric), ``loadings``,
        ``uniquenesses``, ``loglik``, ``converged``.

    Notes
    -----
    **Why omega >= alpha, and when they coincide.**  Under the one-factor model the item
    variances are ``l_i**2 + u_i`` and the total variance is ``V = (sum l)**2 + sum u``, so
    ``omega = (sum l)**2 / V`` and ``alpha = k/(k-1) * ((sum l)**2 - sum l**2) / V``.  Their
    difference is::

        omega - alpha = (k * sum l**2 - (sum l)**2) / ((k - 1) V) = k**2 var(l) / ((k - 1) V) >= 0

    with ``var(l)`` the (population) variance of the k loadings.  So alpha never exceeds
    omega, and they are equal exactly when all loadings are equal: tau-equivalent items.
    With unequal loadings alpha underestimates the reliability, the more so the more the
    loadings differ (the bad item with loading 0 in ``survey_panel``'s ``compete`` scale,
    the unequal loadings of ``improve``).  These are population statements; in a sample
    the two estimates differ by sampling error too.  Omega is only as good as the model:
    correlated errors (items sharing wording) or a second factor break it.

    Examples
    --------
    >>> from cxlib.data._survey import survey_panel
    >>> from cxlib.survey import omega
    >>> panel = survey_panel(200, 10, rng=2)
    >>> truth = panel.truth["reliability"]
    >>> res = omega(panel.data[panel.scales["improve"]])
    >>> round(res.omega, 3), round(res.alpha, 3)
    (0.675, 0.636)
    >>> round(float(truth.at["improve", "categorical"]), 3), round(float(truth.at["improve", "alpha_categorical"]), 3)
    (0.654, 0.613)
    >>> omega(panel.data[["care_1", "care_2"]])
    Traceback (most recent call last):
    ...
    ValueError: items must hold at least 3 items (columns); got 2: 'care_1', 'care_2'
    """
    import pandas as pd

    from cxlib._survey_factors import _check_full_rank, _fit

    standardized = params.boolean("standardized", standardized)
    missing = check_missing(missing)
    frame = check_items(items, reverse=reverse, scale=scale, min_items=3)
    C, used = _covariance(frame, missing)
    sd = np.sqrt(np.diag(C))
    corr = C / np.outer(sd, sd)
    n = len(used) if missing == "listwise" else int(frame.notna().any(axis=1).sum())
    names = list(frame.columns)
    _check_full_rank(corr, n, names)
    fit = _fit(corr, n, 1, "ml")
    lam = fit["loadings"][:, 0]
    if lam.sum() < 0:
        lam = -lam
    psi = fit["uniquenesses"]
    if standardized:
        common, unique, alpha = lam.sum() ** 2, psi.sum(), _alpha_of(corr)
    else:
        common, unique, alpha = (lam * sd).sum() ** 2, (psi * sd**2).sum(), _alpha_of(C)
    value = common / (common + unique)
    if fit["messages"]:
        warnings.warn("omega: one-factor fit: " + "; ".join(fit["messages"]), RuntimeWarning, stacklevel=2)
    return Omega(
        model="McDonald's omega (one-factor ML)",
        params=pd.Series({"omega": value, "alpha": alpha}),
        se=pd.Series({"omega": math.nan, "alpha": math.nan}),
        loglik=fit["loglik"],
        n=n,
        converged=fit["converged"],
        message="; ".join(fit["messages"]) or "converged",
        loadings=pd.Series(lam, index=names, name="loading"),
        uniquenesses=pd.Series(psi, index=names, name="uniqueness"),
        standardized=standardized,
        n_items=len(names),
    )


def scale_scores(
    items: pd.DataFrame,
    scales: Mapping[str, Any],
    reverse: Any = None,
    scale: Any = None,
    *,
    min_share: float = 0.5,
) -> pd.DataFrame:
    """Mean score of each respondent on each scale, reverse-keyed items reversed.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per respondent; must hold every item named in ``scales`` (other columns
        are ignored).
    scales : mapping of str to list of str
        Scale name -> its items, e.g. ``{"care": ["care_1", "care_2", "care_3"]}``.
    reverse : list of str, optional
        Reverse-keyed items, reversed as ``low + high - x``; needs ``scale``.
    scale : (low, high), optional
        The lowest and highest possible answers; answers outside it are an error.
    min_share : float, default 0.5
        Missing answers: a respondent's score is the mean of the scale items they answered
        (prorating, psych's ``scoreItems(impute="none")``) when they answered at least this
        share of the scale's items (at least one), and NaN otherwise.  ``min_share=1``
        scores only respondents who answered every item of the scale.

    Returns
    -------
    pandas.DataFrame
        One column per scale, on the answers' scale (a mean, not a sum), same index as
        ``items``.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from cxlib.survey import scale_scores
    >>> answers = pd.DataFrame({"care_1": [5, 4, np.nan], "care_2": [4, 4, np.nan], "care_3": [1, 2, 5]})
    >>> scale_scores(answers, {"care": ["care_1", "care_2", "care_3"]}, reverse=["care_3"], scale=(1, 5))
           care
    0  4.666667
    1  4.000000
    2       NaN
    >>> scale_scores(answers, {"care": ["care_1", "care_4"]})
    Traceback (most recent call last):
    ...
    ValueError: scales['care'] item 'care_4' is not a column of the data; the data has: 'care_1', 'care_2', 'care_3'; did you mean 'care_3'?
    """
    import pandas as pd

    data = params.frame("items", items)
    if not isinstance(scales, Mapping) or not scales:
        raise TypeError(f"scales must be a non-empty mapping from scale name to a list of items; "
                        f"got {params.short(scales)} ({type(scales).__name__})")
    min_share = params.real("min_share", min_share, min=0, max=1, min_inclusive=False)
    keys: dict[str, list[str]] = {}
    for name, members in scales.items():
        params.text("scales key", name)
        members = [members] if isinstance(members, str) else list(members) if members is not None else []
        if not members:
            raise ValueError(f"scales[{name!r}] must list at least one item; got {scales[name]!r}")
        for item in members:
            params.column(data, item, f"scales[{name!r}] item", numeric=True)
        keys[name] = members
    bounds = check_scale(scale)
    keyed = check_reverse(reverse, data, bounds)
    used = list(dict.fromkeys([i for m in keys.values() for i in m] + keyed))
    frame = check_items(data[used], reverse=keyed, scale=bounds, min_items=1, allow_constant=True)
    out = {}
    for name, members in keys.items():
        block = frame[members]
        answered = block.notna().sum(axis=1)
        need = max(1, math.ceil(min_share * len(members) - 1e-9))
        out[name] = block.mean(axis=1).where(answered >= need)
    return pd.DataFrame(out, index=data.index)


def disattenuate(r: float, reliability_x: float, reliability_y: float = 1.0) -> float:
    """Spearman's correction for attenuation: the correlation of the true scores.

    Measurement error pulls correlations towards zero: if ``x`` and ``y`` are measured
    with reliabilities ``rel_x`` and ``rel_y`` (independent errors), their observed
    correlation is ``r = rho * sqrt(rel_x * rel_y)``, with ``rho`` the correlation of what
    they measure.  So ``rho = r / sqrt(rel_x * rel_y)``.  (A regression slope of ``y`` on
    ``x`` is attenuated by ``rel_x`` itself, ``b = beta * rel_x``, and errors in ``y`` do
    not bias it.)

    Parameters
    ----------
    r : float
        The observed correlation, -1 to 1.
    reliability_x : float
        Reliability of x, in (0, 1] (e.g. alpha or omega of a scale; for team means, their
        ICC(2): :meth:`ICC.icc2`).
    reliability_y : float, default 1.0
        Reliability of y (1: measured without error).

    Returns
    -------
    float
        The corrected correlation.  It can exceed 1 in magnitude when the reliabilities
        are underestimated (alpha is a lower bound) or ``r`` is noisy: read it as an
        estimate, not a correlation you could observe.

    Examples
    --------
    >>> from cxlib.survey import disattenuate
    >>> disattenuate(0.30, 0.64)
    0.375
    >>> round(disattenuate(0.30, 0.64, 0.81), 3)
    0.417
    >>> disattenuate(0.30, 0)
    Traceback (most recent call last):
    ...
    ValueError: reliability_x must be a finite number > 0 and <= 1; got 0.0
    """
    r = params.real("r", r, min=-1, max=1)
    rx = params.real("reliability_x", reliability_x, min=0, max=1, min_inclusive=False)
    ry = params.real("reliability_y", reliability_y, min=0, max=1, min_inclusive=False)
    return r / math.sqrt(rx * ry)


@dataclass(frozen=True, repr=False)
class ICC(ModelResult):
    """ICC(1) of a score within groups, from a random-intercept model (statsmodels MixedLM).

    ``params``: ``icc`` = between / (between + within), ``between`` (variance of the group
    means, the random intercept) and ``within`` (residual variance); ``se`` NaN;
    ``loglik`` the REML log-likelihood.

    Attributes
    ----------
    n_groups : int
        Groups with at least one observation.
    group_size : float
        Mean observations per group.
    fit : statsmodels MixedLMResults
        The statsmodels fit, as statsmodels returns it.

    Examples
    --------
    >>> from cxlib.data._survey import survey_panel
    >>> from cxlib.survey import icc, scale_scores
    >>> panel = survey_panel(rng=1)
    >>> scores = scale_scores(panel.data, panel.scales).assign(team=panel.data["team"])
    >>> res = icc(scores, "team", "care")
    >>> res
    ICC(icc=0.203, between=0.184, within=0.726; 60 groups of 8, n=480)
    >>> round(res.icc2(), 3)
    0.67
    """

    n_groups: int = 0
    group_size: float = math.nan
    fit: Any = field(default=None)

    @property
    def icc(self) -> float:
        """ICC(1): the share of the variance that lies between groups."""
        return float(self.params["icc"])

    @property
    def between(self) -> float:
        """Variance between groups (of the random intercept)."""
        return float(self.params["between"])

    @property
    def within(self) -> float:
        """Variance within groups (residual)."""
        return float(self.params["within"])

    def icc2(self, size: float | None = None) -> float:
        """ICC(2): the reliability of a group mean of ``size`` members (default: the mean
        group size), the Spearman-Brown step-up ``size * icc / (1 + (size - 1) * icc)``."""
        m = self.group_size if size is None else params.real("size", size, min=1)
        return m * self.icc / (1 + (m - 1) * self.icc)

    def __float__(self) -> float:
        return self.icc

    def __repr__(self) -> str:
        flag = "" if self.converged else ", NOT CONVERGED"
        return (f"ICC(icc={self.icc:.3f}, between={self.between:.3g}, within={self.within:.3g}; "
                f"{self.n_groups:,} groups of {self.group_size:.3g}, n={self.n:,}{flag})")


def icc(data: pd.DataFrame, group: str, value: str) -> ICC:
    """ICC(1) of a score within groups (e.g. teams), from a random-intercept model.

    Fits ``value[i] = mu + a[group(i)] + e[i]`` with ``a ~ N(0, between)`` and
    ``e ~ N(0, within)`` by REML (statsmodels ``MixedLM``) and returns
    ``ICC(1) = between / (between + within)``: the share of the score's variance that lies
    between groups, i.e. the correlation of two members of the same group.  For balanced
    groups it equals the one-way ANOVA estimate ``(MSB - MSW) / (MSB + (m - 1) MSW)`` when
    that is positive; REML keeps ``between >= 0``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per member.
    group : str
        Column of the group (team) identifier.
    value : str
        Column of the numeric score.  Rows where it is missing are dropped.

    Returns
    -------
    ICC
        ``icc``, ``between``, ``within``, ``n_groups``, ``group_size``, ``icc2()``, and the
        statsmodels ``fit``.

    Examples
    --------
    >>> from cxlib.data._survey import survey_panel
    >>> from cxlib.survey import icc, scale_scores
    >>> panel = survey_panel(100, 10, rng=4)
    >>> scores = scale_scores(panel.data, panel.scales).assign(team=panel.data["team"])
    >>> round(icc(scores, "team", "win").icc, 2)
    0.23
    >>> icc(scores, "teams", "win")
    Traceback (most recent call last):
    ...
    ValueError: group 'teams' is not a column of the data; the data has: 'care', 'compete', 'improve', 'respond', 'win', 'fixed', 'organisational', 'compliance', 'technical', 'team'; did you mean 'team'?
    """
    import pandas as pd
    from statsmodels.regression.mixed_linear_model import MixedLM, MixedLMParams
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    data = params.frame("data", data)
    params.column(data, group, "group")
    params.column(data, value, "value", numeric=True)
    if group == value:
        raise ValueError(f"group and value must be different columns; got {group!r} for both")
    used = data[[group, value]].dropna()
    y = used[value].to_numpy(dtype=float)
    sizes = used.groupby(group, sort=False).size()
    if len(sizes) < 2:
        raise ValueError(f"icc needs at least 2 groups with a {value!r}; got {len(sizes)}")
    if sizes.max() < 2:
        raise ValueError(f"icc needs a group with at least 2 members; every group in {group!r} has one")
    if np.all(y == y[0]):
        raise ValueError(f"value column {value!r} is constant ({y[0]:g}); its ICC is undefined")
    groups = used[group].to_numpy()
    # start from the one-way ANOVA estimates (REML's solution itself for balanced groups)
    n_tot, n_grp = len(y), len(sizes)
    by_group = used.groupby(group, sort=False)[value]
    msw = float(((y - by_group.transform("mean").to_numpy()) ** 2).sum() / max(n_tot - n_grp, 1))
    msb = float((sizes * (by_group.mean() - y.mean()) ** 2).sum() / (n_grp - 1))
    n0 = (n_tot - float((sizes**2).sum()) / n_tot) / (n_grp - 1)
    start_between = max((msb - msw) / n0, 0.01 * msw)
    model = MixedLM(y, np.ones((n_tot, 1)), groups=groups)
    start = MixedLMParams.from_components(fe_params=np.array([y.mean()]),
                                          cov_re=np.array([[start_between / max(msw, 1e-12)]]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.fit(reml=True, start_params=start, method=["bfgs", "lbfgs", "cg"])
    between = max(float(np.asarray(fit.cov_re)[0, 0]), 0.0)
    within = float(fit.scale)
    boundary = between < 1e-10 * within
    messages = []
    converged = bool(fit.converged)
    for w in caught:
        if issubclass(w.category, ConvergenceWarning) and (boundary or converged):
            continue  # a zero between-group variance is a legitimate estimate; a retry that converged is fine
        messages.append(str(w.message).splitlines()[0])
    if messages or not converged:
        warnings.warn(f"icc of {value!r} within {group!r}: " + ("; ".join(messages) or "MixedLM did not converge"),
                      RuntimeWarning, stacklevel=2)
    value_icc = between / (between + within)
    return ICC(
        model="random-intercept model (MixedLM, REML)",
        params=pd.Series({"icc": value_icc, "between": between, "within": within}),
        se=pd.Series({"icc": math.nan, "between": math.nan, "within": math.nan}),
        loglik=float(fit.llf),
        n=len(y),
        converged=converged,
        message="between-group variance at 0 (boundary)" if boundary else ("; ".join(messages) or "converged"),
        n_groups=len(sizes),
        group_size=float(sizes.mean()),
        fit=fit,
    )


def attenuation(
    panel_or_data: SurveyPanel | pd.DataFrame,
    teams: pd.DataFrame | None = None,
    *,
    scales: Mapping[str, Any] | None = None,
    outcome: str = "csat",
    group: str = "team",
    reverse: Any = None,
    scale: Any = None,
) -> pd.DataFrame:
    """Do team scores predict the outcome?  Observed, corrected and true correlations per scale.

    For each scale: the respondents' scale scores (:func:`scale_scores`) are averaged per
    team and correlated with the team outcome.  Team means are noisy measures of the
    teams' true factor means (items measure with error, and a team has few respondents),
    so the correlation is attenuated by the square root of their reliability, ICC(2)
    (:func:`icc`, :meth:`ICC.icc2`); Spearman's correction (:func:`disattenuate`) divides
    it out.

    Parameters
    ----------
    panel_or_data : SurveyPanel or pandas.DataFrame
        A :func:`cxlib.data.survey_panel` result (its teams, scales, reverse-keyed items,
        answer bounds and truth are used unless given), or one row per respondent with the
        items and ``group``.
    teams : pandas.DataFrame, optional
        One row per team with ``group`` and ``outcome`` (required with a DataFrame).
    scales : mapping of str to list of str, optional
        Scale -> items (default: the panel's).
    outcome : str, default "csat"
        Column of ``teams`` with the outcome.
    group : str, default "team"
        Column identifying the team in both tables.
    reverse, scale
        Reverse-keyed items and answer bounds (default: the panel's).

    Returns
    -------
    pandas.DataFrame
        One row per scale: ``n_teams``, ``r_observed`` (team mean score vs outcome),
        ``icc1``, ``reliability`` (ICC(2) at the mean team size), ``r_corrected``
        (``r_observed / sqrt(reliability)``) and, for a panel, ``r_expected`` (the
        attenuated correlation the model implies) and ``r_true`` (outcome vs the teams'
        true factor means).

    Examples
    --------
    >>> from cxlib.data._survey import survey_panel
    >>> from cxlib.survey import attenuation
    >>> table = attenuation(survey_panel(200, 8, rng=5))
    >>> table.loc[["care", "fixed"], ["r_observed", "reliability", "r_corrected", "r_true"]].round(2)
           r_observed  reliability  r_corrected  r_true
    scale
    care         0.51         0.63         0.63    0.68
    fixed       -0.45         0.66        -0.55   -0.56
    """
    import pandas as pd

    from cxlib.data._survey import SurveyPanel

    truth = None
    if isinstance(panel_or_data, SurveyPanel):
        panel = panel_or_data
        data, teams = panel.data, panel.teams if teams is None else teams
        scales = panel.scales if scales is None else scales
        reverse = panel.reverse_keyed if reverse is None else reverse
        scale = panel.scale_bounds if scale is None else scale
        truth = panel.truth["reliability"]
    else:
        data = params.frame("panel_or_data", panel_or_data)
        if teams is None:
            raise ValueError("teams is required with a DataFrame: one row per team with the group and the outcome")
        if scales is None:
            raise ValueError("scales is required with a DataFrame: a mapping from scale name to its items")
    teams = params.frame("teams", teams)
    params.column(data, group, "group")
    params.column(teams, group, "group")
    params.column(teams, outcome, "outcome", numeric=True)
    scores = scale_scores(data, scales, reverse, scale)
    scores[group] = data[group].to_numpy()
    means = scores.groupby(group).mean()
    joined = means.join(teams.set_index(group)[outcome], how="inner")
    rows = {}
    for name in scales:
        pair = joined[[name, outcome]].dropna()
        r = float(np.corrcoef(pair[name], pair[outcome])[0, 1]) if len(pair) > 2 else math.nan
        fit = icc(scores, group, name)
        rel = fit.icc2()
        row = {"n_teams": len(pair), "r_observed": r, "icc1": fit.icc, "reliability": rel,
               "r_corrected": r / math.sqrt(rel) if rel > 0 else math.nan}
        if truth is not None and name in truth.index:
            row["r_expected"] = float(truth.at[name, "expected_correlation"])
            row["r_true"] = float(truth.at[name, "outcome_correlation"])
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "scale"
    return table
