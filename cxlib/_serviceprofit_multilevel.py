"""Employees within stores: random-intercept models, the ICC and the design effect (lesson 09).

:func:`multilevel` fits statsmodels' :class:`~statsmodels.regression.mixed_linear_model.MixedLM`
with a random intercept per group (store, team), the null model beside it for the intraclass
correlation (ICC: the share of the outcome's variance that lies between groups), and splits
any predictor into its group mean ("between": do stores whose managers lead by example have
more engaged teams?) and the deviation from it ("within": are the employees who see their
manager leading by example more engaged than their colleagues?).  :func:`design_effect` says
how much clustering inflates a variance: ``1 + (m - 1) * ICC`` for groups of ``m``.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib import _serviceprofit_checks as checks

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["MultilevelResult", "multilevel", "icc", "design_effect"]


def design_effect(icc: float, cluster_size: float) -> float:
    """How much clustering inflates the variance of a mean: ``1 + (m - 1) * icc``.

    With ``m`` rows per group and intraclass correlation ``icc``, ``n`` clustered rows carry
    as much information as ``n / design_effect`` independent ones (Kish 1965); standard errors
    that treat them as independent are too small by ``sqrt(design_effect)``.

    Parameters
    ----------
    icc : float
        Intraclass correlation, 0 to 1.
    cluster_size : float
        Rows per group (the average, for groups of unequal size), >= 1.

    Returns
    -------
    float

    References
    ----------
    Kish, L. (1965). Survey Sampling. New York: Wiley.

    Examples
    --------
    >>> from cxlib.serviceprofit import design_effect
    >>> design_effect(0.2, 12)
    3.2
    >>> design_effect(1.2, 12)
    Traceback (most recent call last):
    ...
    ValueError: icc must be a finite number >= 0 and <= 1; got 1.2
    """
    icc = params.real("icc", icc, min=0, max=1)
    m = params.real("cluster_size", cluster_size, min=1)
    return 1 + (m - 1) * icc


@dataclass(frozen=True, eq=False)
class MultilevelResult:
    """A random-intercept model, its null model, the ICC and the between/within effects.

    Attributes
    ----------
    fit : statsmodels MixedLMResults
        The model with the predictors, as statsmodels returns it.
    null_fit : statsmodels MixedLMResults
        The model with an intercept only, for the ICC.
    params : pandas.DataFrame
        The fixed effects: ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``p_value``.
    icc : float
        Intraclass correlation of the outcome, from the null model:
        ``between / (between + within)``.
    variances : dict
        ``between`` and ``within`` variance of the null model, and ``between_adjusted`` and
        ``within_adjusted`` of the model with predictors.
    between_within : pandas.DataFrame
        One row per decomposed predictor: the ``between`` and ``within`` effects and the
        ``contextual`` effect (between minus within), each with its standard error (columns
        ``between_se``, ``within_se``, ``contextual_se``).
    design_effect : float
        ``1 + (mean group size - 1) * icc``.
    converged : bool
        Whether both fits converged without a warning.
    inputs : dict
        What the model was fitted with, and ``n``, ``n_groups``, ``mean_group_size``.

    Examples
    --------
    >>> from cxlib import data, serviceprofit
    >>> chain = data.service_chain(rng=1)
    >>> ml = serviceprofit.multilevel(chain.employees, "engagement", ["programme", "leader_rating"],
    ...                               "store_id", decompose=["leader_rating"])
    >>> round(ml.icc, 2), round(chain.truth["icc_engagement"], 2)
    (0.2, 0.27)
    """

    fit: Any = field(repr=False)
    null_fit: Any = field(repr=False)
    params: pd.DataFrame
    icc: float
    variances: dict[str, float]
    between_within: pd.DataFrame
    design_effect: float
    converged: bool = True
    inputs: dict[str, Any] = field(default_factory=dict, repr=False)

    def summary(self) -> pd.DataFrame:
        """The fixed effects (:attr:`params`)."""
        return self.params

    def __repr__(self) -> str:
        i = self.inputs
        flag = "" if self.converged else ", NOT CONVERGED"
        return (f"MultilevelResult({i['outcome']} in {i['n_groups']:,} groups of {i['group']!r}, "
                f"n={i['n']:,}: ICC {self.icc:.3f}, design effect {self.design_effect:.2f}{flag})")


def _fit_mixed(y: np.ndarray, X: pd.DataFrame, groups: np.ndarray, reml: bool):
    from statsmodels.regression.mixed_linear_model import MixedLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    def attempt(**kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            fit = MixedLM(y, X, groups=groups).fit(reml=reml, **kwargs)
        ok = bool(getattr(fit, "converged", True)) and not any(
            issubclass(w.category, ConvergenceWarning) for w in caught)
        return fit, ok

    fit, ok = attempt()
    if not ok:
        # statsmodels' gradient optimisers (bfgs, then lbfgs and cg) sometimes stop short with a
        # group-level predictor (a store mean) and few groups, leaving the variances off their
        # optimum; Powell's derivative-free search usually finds it.  Keep it only if it converged
        # and its likelihood is at least as high.
        try:
            retry, retry_ok = attempt(method=["powell", "lbfgs"])
        except (np.linalg.LinAlgError, ValueError):  # pragma: no cover - keep the first fit
            retry, retry_ok = None, False
        if retry_ok and retry.llf >= fit.llf - 1e-8:
            fit, ok = retry, True
    return fit, ok


def _prepare(data: Any, outcome: str, predictors: list[str], group: str, decompose: list[str]):
    frame = checks.columns(data, {"outcome": outcome, "group": group}, predictors,
                           distinct=["outcome", "group"])
    for col in decompose:
        if col not in predictors:
            raise ValueError(f"decompose names {col!r}, which is not among the predictors "
                             f"{predictors!r}; add it to predictors")
    checks.no_missing(frame, [outcome, group, *predictors])
    y = checks.numeric(frame, outcome, "outcome")
    codes = checks.groups_of(frame, group, "group")
    for col in decompose:
        checks.numeric(frame, col, "decompose")
    return frame, y, codes


def icc(data: pd.DataFrame, outcome: str, group: str, *, reml: bool = True) -> float:
    """Intraclass correlation of ``outcome`` within ``group``, from a random-intercept null model.

    ``tau^2 / (tau^2 + sigma^2)``: the between-group variance of statsmodels' ``MixedLM``
    with an intercept only, over the total.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
        Numeric column.
    group : str
        Column of groups (at least 2).
    reml : bool, default True
        Restricted maximum likelihood (less biased variances with few groups).

    Returns
    -------
    float

    Examples
    --------
    >>> from cxlib import data, serviceprofit
    >>> chain = data.service_chain(rng=1)
    >>> round(serviceprofit.icc(chain.employees, "engagement", "store_id"), 2)
    0.2
    """
    reml = params.boolean("reml", reml)
    frame, y, codes = _prepare(data, outcome, [], group, [])
    import pandas as pd

    fit, _ = _fit_mixed(y, pd.DataFrame({"Intercept": np.ones(len(y))}), codes, reml)
    tau2, sigma2 = float(fit.cov_re.iloc[0, 0]), float(fit.scale)
    return tau2 / (tau2 + sigma2)


def multilevel(
    data: pd.DataFrame,
    outcome: str,
    predictors: str | list[str] | tuple[str, ...],
    group: str,
    *,
    decompose: str | list[str] | tuple[str, ...] = (),
    reml: bool = True,
    alpha: float = 0.05,
) -> MultilevelResult:
    """A random-intercept model of rows within groups, its ICC, and between/within effects.

    Fits statsmodels' ``MixedLM``, ``outcome ~ predictors + (1 | group)``, and the null
    model ``outcome ~ 1 + (1 | group)`` for the intraclass correlation.  Each predictor named
    in ``decompose`` is replaced by its group mean (``<name>_between``) and the deviation from
    it (``<name>_within``): the between effect compares groups, the within effect compares
    rows of one group, and their difference (the contextual effect) is what the group adds.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per member (employee, customer), without missing values in the columns used.
    outcome : str
        Numeric column.
    predictors : str or sequence of str
        Fixed effects; text and categorical columns become dummies.  May be empty.
    group : str
        Column of groups; at least 2 (better 20 or more).
    decompose : str or sequence of str, default ()
        Numeric predictors to split into between and within parts.
    reml : bool, default True
        Restricted maximum likelihood.
    alpha : float, default 0.05
        Intervals at level ``1 - alpha``.

    Returns
    -------
    MultilevelResult
        ``fit``, ``null_fit`` (statsmodels' results), ``params``, ``icc``, ``variances``,
        ``between_within``, ``design_effect``, ``converged``, ``inputs``.

    Raises
    ------
    TypeError, ValueError
        One line naming the argument: an unknown column, one group only, missing values, the
        outcome used as the group, a decomposed column that is not a numeric predictor.

    References
    ----------
    Raudenbush, S. W., & Bryk, A. S. (2002). Hierarchical Linear Models (2nd ed.). Sage.

    Enders, C. K., & Tofighi, D. (2007). Centering predictor variables in cross-sectional
    multilevel models: a new look at an old issue. Psychological Methods, 12(2), 121-138.

    Examples
    --------
    Leading by example, between and within stores:

    >>> from cxlib import data, serviceprofit
    >>> chain = data.service_chain(rng=1)
    >>> ml = serviceprofit.multilevel(chain.employees, "engagement", ["programme", "leader_rating"],
    ...                               "store_id", decompose="leader_rating")
    >>> ml.params.index.tolist()
    ['Intercept', 'programme', 'leader_rating_between', 'leader_rating_within']
    >>> serviceprofit.multilevel(chain.employees.head(5), "engagement", [], "store_id")
    Traceback (most recent call last):
    ...
    ValueError: group 'store_id' has only one group (1); a model of groups needs at least 2 (better 20 or more)
    """
    import pandas as pd
    from scipy.stats import norm

    preds = checks.covariate_list("predictors", predictors)
    split = checks.covariate_list("decompose", decompose)
    reml = params.boolean("reml", reml)
    alpha = params.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)
    frame, y, codes = _prepare(data, outcome, preds, group, split)

    terms = []
    extra = {}
    for col in preds:
        if col in split:
            mean = frame.groupby(codes)[col].transform("mean").to_numpy(dtype=float)
            extra[f"{col}_between"] = mean
            extra[f"{col}_within"] = frame[col].to_numpy(dtype=float) - mean
            terms += [f"{col}_between", f"{col}_within"]
        else:
            terms.append(col)
    work = frame.assign(**extra)
    X = checks.design(work, terms, what="multilevel model")
    # keep the order of the predictors (design puts dummies first, as patsy does)
    fit, ok = _fit_mixed(y, X, codes, reml)
    null_fit, ok0 = _fit_mixed(y, pd.DataFrame({"Intercept": np.ones(len(y))}, index=frame.index), codes, reml)

    names = X.columns.tolist()
    est = pd.Series(np.asarray(fit.fe_params), index=names)
    cov = pd.DataFrame(np.asarray(fit.cov_params())[: len(names), : len(names)], index=names, columns=names)
    se = pd.Series(np.sqrt(np.diag(cov)), index=names)
    z = float(norm.ppf(1 - alpha / 2))
    table = pd.DataFrame({"estimate": est, "std_error": se, "ci_low": est - z * se, "ci_high": est + z * se,
                          "p_value": 2 * norm.sf(np.abs(est / se))})
    table.index.name = "term"

    rows = []
    for col in split:
        b, w = f"{col}_between", f"{col}_within"
        var_c = cov.loc[b, b] + cov.loc[w, w] - 2 * cov.loc[b, w]
        rows.append({"predictor": col, "between": est[b], "between_se": se[b], "within": est[w],
                     "within_se": se[w], "contextual": est[b] - est[w], "contextual_se": math.sqrt(max(var_c, 0))})
    bw = pd.DataFrame(rows, columns=["predictor", "between", "between_se", "within", "within_se", "contextual",
                                     "contextual_se"]).set_index("predictor")

    tau2, sigma2 = float(null_fit.cov_re.iloc[0, 0]), float(null_fit.scale)
    icc_ = tau2 / (tau2 + sigma2)
    sizes = np.bincount(codes)
    mean_size = float(sizes.mean())
    variances = {"between": tau2, "within": sigma2, "between_adjusted": float(fit.cov_re.iloc[0, 0]),
                 "within_adjusted": float(fit.scale)}
    inputs = {"outcome": outcome, "predictors": preds, "group": group, "decompose": split, "reml": reml,
              "alpha": alpha, "n": len(y), "n_groups": int(sizes.size), "mean_group_size": mean_size}
    return MultilevelResult(fit=fit, null_fit=null_fit, params=table, icc=icc_, variances=variances,
                            between_within=bw, design_effect=design_effect(icc_, mean_size),
                            converged=ok and ok0, inputs=inputs)
