"""Causal mediation analysis on statsmodels' ``Mediation`` (lesson 09).

:func:`mediation` fits the mediator model (OLS) and the outcome model (OLS, probit or logit)
from a table and column names, runs statsmodels' :class:`~statsmodels.stats.mediation.Mediation`
(Imai, Keele & Tingley 2010: algorithm 1, "parametric", or 2, "bootstrap") seeded from
``rng``, and adds, for linear models, the product-of-coefficients estimates (Baron & Kenny's
``a * b``) with a delta-method (Sobel) interval and a bootstrap interval, and a check that the
two approaches agree within simulation error.

Seeding: statsmodels 0.15's ``Mediation.fit`` takes ``rng`` (a ``numpy.random.Generator`` is
used as it is) and draws every simulated parameter, mediator and resample from it, so
passing the generator from :func:`cxlib.check_rng` makes a run reproducible without touching
numpy's global state.  (Before 0.15, ``fit`` drew from ``np.random``'s global state and had no
seed argument.)

What statsmodels does that a user should know (each kept, and stated in the docstrings):

* The point estimates in its table are the **means of the simulated draws** (the median for
  the proportion mediated), not the estimates on the data; R's ``mediate`` does the same for
  the quasi-Bayesian method but reports the data's estimates for the bootstrap.
* Its parametric method draws the two potential mediators ``M(0)`` and ``M(1)`` of each row
  with **independent** errors; R's ``mediate`` gives them the same error (common random
  numbers).  The estimates agree, but statsmodels' draws of the ACME carry extra noise of
  variance about ``2 b^2 sigma_M^2 / n``, so its intervals are wider than R's: on JOBS II
  about -0.035 to 0.009 where R prints -0.032 to 0.003.  ``engine="fast"`` draws the linear models'
  coefficients as R does and reproduces R's intervals.
* Its bootstrap draws **separate** resamples for the mediator and the outcome model (R's
  resamples rows once for both) and predicts on the original rows.  For the linear models here
  the two give the same answer within simulation error; the vectorised bootstrap of this
  module (``engine="fast"``) resamples rows (or whole groups) once for both models, as R does.
* It resamples rows, never groups; its parametric method accepts a cluster-robust covariance
  (``groups=``), which is what this module passes for clustered data.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib import _serviceprofit_checks as checks
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["MediationResult", "mediation", "METHODS", "OUTCOME_MODELS", "ENGINES", "EFFECTS"]

#: Ways to compute the intervals: Imai, Keele & Tingley's algorithm 1 (simulate the
#: parameters from their sampling distribution) or 2 (nonparametric bootstrap).
METHODS: tuple[str, ...] = ("parametric", "bootstrap")
#: Models of the outcome: OLS, or a binomial GLM with a probit or logit link (0/1 outcome).
OUTCOME_MODELS: tuple[str, ...] = ("linear", "probit", "logit")
#: Who draws the simulations: statsmodels' ``Mediation``, or the vectorised simulation and
#: bootstrap of linear models in this module (R's algorithm; much faster).
ENGINES: tuple[str, ...] = ("statsmodels", "fast")
#: The rows of :attr:`MediationResult.table`, in statsmodels' order and wording.
EFFECTS: tuple[str, ...] = (
    "ACME (control)", "ACME (treated)", "ADE (control)", "ADE (treated)", "Total effect",
    "Prop. mediated (control)", "Prop. mediated (treated)", "ACME (average)", "ADE (average)",
    "Prop. mediated (average)",
)
_PATHS = ("a", "b", "direct", "indirect", "total")


@dataclass(frozen=True, eq=False)
class MediationResult:
    """A causal mediation analysis: the effects with intervals, and for linear models the
    product of coefficients beside them.

    Attributes
    ----------
    table : pandas.DataFrame
        statsmodels' summary with tidy column names: one row per effect (:data:`EFFECTS`:
        ACME, ADE, total effect and proportion mediated, for the control and the treated
        condition and averaged), columns ``estimate`` (mean of the simulated draws; median for
        the proportions), ``ci_low``, ``ci_high`` (percentile interval) and ``p_value``
        (twice the smaller share of draws on either side of 0).
    product : pandas.DataFrame or None
        Linear models only: the paths ``a`` (treatment -> mediator), ``b`` (mediator ->
        outcome), ``direct`` (c'), ``indirect`` (a * b) and ``total`` (a * b + c') estimated on
        the data, with ``std_error`` (OLS; cluster-robust with ``groups``; delta method for the
        products, Sobel's formula without groups), the normal interval ``ci_low``, ``ci_high``,
        ``p_value``, and the percentile interval of a bootstrap with ``n_sims`` resamples
        (``boot_low``, ``boot_high``; whole groups resampled with ``groups``).
    agreement : pandas.Series or None
        Linear models only: ``acme_simulated`` (the table's ACME, average), ``acme_product``
        (a * b), their ``difference``, the Monte Carlo standard error ``mc_se`` of the simulated
        mean and ``z = difference / mc_se``; ``agrees`` is ``|z| < 4``.
    statsmodels : statsmodels.stats.mediation.MediationResults
        statsmodels' result as it returned it (its ``indirect_effects`` and
        ``direct_effects`` hold the draws); built from the fast engine's draws with
        ``engine="fast"``.
    mediator_fit, outcome_fit : statsmodels results
        The two models fitted on the data (cluster-robust covariance with ``groups``).
    inputs : dict
        What the analysis was run with.

    Examples
    --------
    >>> from cxlib import data, serviceprofit
    >>> jobs = data.load("jobs")
    >>> fit = serviceprofit.mediation(jobs, "treat", "job_seek", "depress2",
    ...                               ["econ_hard", "sex", "age"], n_sims=200, rng=1)
    >>> round(float(fit.product.loc["indirect", "estimate"]), 5)
    -0.01574
    >>> fit.agreement["agrees"]
    True
    """

    table: pd.DataFrame
    product: pd.DataFrame | None
    agreement: pd.Series | None
    statsmodels: Any = field(repr=False)
    mediator_fit: Any = field(repr=False)
    outcome_fit: Any = field(repr=False)
    inputs: dict[str, Any] = field(default_factory=dict, repr=False)

    def _row(self, name: str) -> tuple[float, float, float]:
        row = self.table.loc[name]
        return float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"])

    @property
    def acme(self) -> float:
        """The average causal mediation effect (averaged over the two conditions)."""
        return self._row("ACME (average)")[0]

    @property
    def acme_ci(self) -> tuple[float, float]:
        """The interval of the ACME (average), ``(low, high)``."""
        return self._row("ACME (average)")[1:]

    @property
    def ade(self) -> float:
        """The average direct effect (averaged over the two conditions)."""
        return self._row("ADE (average)")[0]

    @property
    def ade_ci(self) -> tuple[float, float]:
        """The interval of the ADE (average), ``(low, high)``."""
        return self._row("ADE (average)")[1:]

    @property
    def total(self) -> float:
        """The total effect of the treatment on the outcome."""
        return self._row("Total effect")[0]

    @property
    def prop_mediated(self) -> float:
        """The proportion mediated (average; the median of the draws)."""
        return self._row("Prop. mediated (average)")[0]

    def summary(self) -> pd.DataFrame:
        """The effects table (:attr:`table`)."""
        return self.table

    def __repr__(self) -> str:
        i = self.inputs
        lo, hi = self.acme_ci
        dlo, dhi = self.ade_ci
        what = "resamples" if i["method"] == "bootstrap" else "simulations"
        return (f"MediationResult({i['method']}, {i['n_sims']:,} {what}, n={i['n']:,}: "
                f"ACME {self.acme:.4g} [{lo:.4g}, {hi:.4g}], ADE {self.ade:.4g} [{dlo:.4g}, {dhi:.4g}], "
                f"total {self.total:.4g})")


def _summary(result, alpha: float) -> pd.DataFrame:
    """statsmodels' ``MediationResults.summary(alpha)``, the same numbers computed the same way
    (the draws' mean, or median for the proportions; ``np.percentile`` at ``100 * alpha / 2`` and
    ``100 * (1 - alpha / 2)``; twice the smaller count of draws on either side of 0 over the
    draws), with the table built once instead of cell by cell (which is most of its cost)."""
    import pandas as pd

    r = result
    props = (r.prop_med_ctrl, r.prop_med_tx, r.prop_med_avg)
    rows = []
    for vec in (r.ACME_ctrl, r.ACME_tx, r.ADE_ctrl, r.ADE_tx, r.total_effect, r.prop_med_ctrl, r.prop_med_tx,
                r.ACME_avg, r.ADE_avg, r.prop_med_avg):
        estimate = np.median(vec) if any(vec is v for v in props) else vec.mean()
        low, high = np.percentile(vec, [100 * alpha / 2, 100 * (1 - alpha / 2)])
        p_value = 2 * min(np.count_nonzero(vec > 0), np.count_nonzero(vec < 0)) / float(len(vec))
        rows.append((estimate, low, high, p_value))
    return pd.DataFrame(np.array(rows, dtype=float), index=list(EFFECTS),
                        columns=["Estimate", "Lower CI bound", "Upper CI bound", "P-value"])


def _tidy(summary: pd.DataFrame) -> pd.DataFrame:
    out = summary.rename(columns={"Estimate": "estimate", "Lower CI bound": "ci_low",
                                  "Upper CI bound": "ci_high", "P-value": "p_value"})
    out.index.name = "effect"
    return out.astype(float)


_STD_NORMAL = None


def _std_normal():
    """scipy's ``norm``, with the standard normal's ``pdf``, ``cdf`` and ``ppf`` computed
    directly: the same expressions scipy evaluates (``exp(-x**2/2) / sqrt(2 pi)``, ``ndtr``,
    ``ndtri``), so the same numbers, without scipy's generic argument handling, which is most of
    the cost of a probit GLM's IRLS iterations (and so of statsmodels' bootstrap of a probit
    outcome model).  Any call with a location, scale or keyword goes to scipy's own method."""
    global _STD_NORMAL
    if _STD_NORMAL is None:
        from scipy import special, stats

        const = math.sqrt(2 * math.pi)

        class _StdNormal(type(stats.norm)):
            def pdf(self, x, *args, **kwds):
                if args or kwds:
                    return super().pdf(x, *args, **kwds)
                x = np.asarray(x, dtype=float)
                out = np.exp(-x**2 / 2.0) / const
                return out[()] if out.ndim == 0 else out

            def cdf(self, x, *args, **kwds):
                if args or kwds:
                    return super().cdf(x, *args, **kwds)
                out = special.ndtr(np.asarray(x, dtype=float))
                return out[()] if out.ndim == 0 else out

            def ppf(self, q, *args, **kwds):
                if args or kwds:
                    return super().ppf(q, *args, **kwds)
                out = special.ndtri(np.asarray(q, dtype=float)) + 0.0
                return out[()] if out.ndim == 0 else out

        _STD_NORMAL = _StdNormal(name="norm")
    return _STD_NORMAL


class _NormalDraws:
    """What statsmodels' ``OLS.get_distribution`` returns (scipy's ``norm(loc, scale)``) for the
    one use ``Mediation.fit`` makes of it, ``rvs(n, rng=...)``: the same draws
    (``standard_normal(n) * scale + loc``, as scipy computes them) without building a frozen
    scipy distribution for every simulated mediator."""

    def __init__(self, loc: np.ndarray, scale: float) -> None:
        self.loc, self.scale = loc, scale

    def rvs(self, size=None, random_state=None, rng=None):
        gen = rng if rng is not None else random_state
        if self.scale < 0:
            raise ValueError("the scale of the simulated mediator must be positive")
        if self.scale == 0:
            return self.loc * np.ones(size, "d")
        return gen.standard_normal(size) * self.scale + self.loc


def _models(frame: pd.DataFrame, treatment: str, mediator: str, outcome: str,
            covariates: list[str], outcome_model: str, groups: np.ndarray | None):
    """statsmodels models built from arrays (no formulas: several times faster inside
    ``Mediation``), the positions ``Mediation`` needs and the fit keywords."""
    import statsmodels.api as sm

    Xm = checks.design(frame, [treatment, *covariates], what="mediator model")
    Xy = checks.design(frame, [mediator, treatment, *covariates], what="outcome model")
    m = frame[mediator].to_numpy(dtype=float)
    y = frame[outcome].to_numpy(dtype=float)
    med_model = sm.OLS(m, Xm)
    if outcome_model == "linear":
        out_model = sm.OLS(y, Xy)
        out_kwargs: dict[str, Any] = {}
    else:
        link = sm.families.links.Probit(_std_normal()) if outcome_model == "probit" else sm.families.links.Logit()
        out_model = sm.GLM(y, Xy, family=sm.families.Binomial(link=link))
        out_kwargs = {"atol": 1e-11}
    med_kwargs: dict[str, Any] = {}
    if groups is not None:
        robust = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
        med_kwargs.update(robust)
        out_kwargs.update(robust)
    cols_m, cols_y = Xm.columns.tolist(), Xy.columns.tolist()
    positions = (cols_y.index(treatment), cols_m.index(treatment)), cols_y.index(mediator)
    return med_model, out_model, med_kwargs, out_kwargs, positions, Xm, Xy


def _statsmodels_mediation(med_model, out_model, med_kwargs, out_kwargs, positions,
                           method: str, n_sims: int, random_state):
    """Run statsmodels' Mediation; ``random_state`` is passed to ``fit(rng=...)`` as it is."""
    from statsmodels.stats.mediation import Mediation

    exposure, med_pos = positions
    med = Mediation(out_model, med_model, exposure, med_pos,
                    outcome_fit_kwargs=out_kwargs, mediator_fit_kwargs=med_kwargs)

    def get_distribution(params, scale, exog=None, dist_class=None):
        if dist_class is not None:  # pragma: no cover - Mediation passes none
            return type(med_model).get_distribution(med_model, params, scale, exog, dist_class)
        return _NormalDraws(med_model.predict(params, exog), np.sqrt(scale))

    med_model.get_distribution = get_distribution  # for this run only (removed below)
    try:
        with warnings.catch_warnings():
            # statsmodels warns that cluster-robust covariances of resampled fits are not used
            warnings.simplefilter("ignore", category=UserWarning)
            return med.fit(method="parametric" if method == "parametric" else "bootstrap",
                           n_rep=n_sims, rng=random_state)
    finally:
        del med_model.get_distribution


def _fast_bootstrap(Xy: np.ndarray, y: np.ndarray, treat_col: int, med_col: int,
                    n_sims: int, gen: np.random.Generator,
                    groups: np.ndarray | None) -> dict[str, np.ndarray]:
    """Vectorised pairs (or cluster) bootstrap of the two linear models.

    Every resample reweights the rows by how often they were drawn (whole groups with
    ``groups``); the mediator model's and the outcome model's normal equations are both read
    from one weighted Gram matrix of ``[Xy, y]`` (the mediator is a column of ``Xy``), so a
    resample costs one weighted sum over rows and two small solves, with no refitting.
    Returns the draws of ``a``, ``b`` and ``direct`` (c').
    """
    n, p = Xy.shape
    Z = np.column_stack([Xy, y])
    q = p + 1
    outer = (Z[:, :, None] * Z[:, None, :]).reshape(n, q * q)
    if groups is not None:
        n_units = int(groups.max()) + 1
        outer = np.add.reduceat(outer[np.argsort(groups, kind="stable")],
                                np.r_[0, np.cumsum(np.bincount(groups, minlength=n_units))[:-1]])
    else:
        n_units = n
    keep = [j for j in range(p) if j != med_col]  # the mediator model's columns
    t_in_m = keep.index(treat_col)
    chunk = max(1, min(n_sims, 4_000_000 // max(n_units, 1)))
    a, b, c = (np.empty(n_sims) for _ in range(3))
    done = 0
    while done < n_sims:
        k = min(chunk, n_sims - done)
        draws = gen.integers(0, n_units, size=(k, n_units))
        counts = np.bincount((draws + n_units * np.arange(k)[:, None]).ravel(),
                             minlength=k * n_units).reshape(k, n_units).astype(float)
        G = (counts @ outer).reshape(k, q, q)
        A, v = G[:, :p, :p], G[:, :p, p]
        with np.errstate(all="ignore"):
            try:
                coef_y = np.linalg.solve(A, v[:, :, None])[:, :, 0]
                coef_m = np.linalg.solve(A[:, keep][:, :, keep], A[:, keep, med_col][:, :, None])[:, :, 0]
            except np.linalg.LinAlgError:
                coef_y = np.stack([np.linalg.lstsq(A[i], v[i], rcond=None)[0] for i in range(k)])
                coef_m = np.stack([np.linalg.lstsq(A[i][np.ix_(keep, keep)], A[i][keep, med_col], rcond=None)[0]
                                   for i in range(k)])
        a[done:done + k] = coef_m[:, t_in_m]
        b[done:done + k] = coef_y[:, med_col]
        c[done:done + k] = coef_y[:, treat_col]
        done += k
    return {"a": a, "b": b, "direct": c}


def _fast_parametric(med_fit, out_fit, t_m: int, m_y: int, t_y: int, n_sims: int,
                     gen: np.random.Generator) -> dict[str, np.ndarray]:
    """Imai, Keele & Tingley's algorithm 1 for linear models, vectorised: draw both models'
    coefficients from their estimated sampling distributions (independently, as statsmodels
    and R do) and take ``a * b`` and ``c'`` of each draw.  For a linear mediator and outcome
    this is exactly what R's ``mediate`` computes, because it gives the two potential mediators
    ``M(1)`` and ``M(0)`` the same simulated error, which then cancels."""
    draw_m = gen.multivariate_normal(np.asarray(med_fit.params), np.asarray(med_fit.cov_params()), size=n_sims)
    draw_y = gen.multivariate_normal(np.asarray(out_fit.params), np.asarray(out_fit.cov_params()), size=n_sims)
    return {"a": draw_m[:, t_m], "b": draw_y[:, m_y], "direct": draw_y[:, t_y]}


def _as_statsmodels_results(acme: np.ndarray, ade: np.ndarray, method: str):
    """statsmodels' MediationResults built from draws of a constant ACME and ADE (linear
    models without interaction: the same in both conditions), so that its summary computes
    the table exactly as for its own draws."""
    from statsmodels.stats.mediation import MediationResults

    ind, dire = acme[None, :], ade[None, :]
    out = MediationResults([ind, ind], [dire, dire])
    out.method = method
    return out


def _joint_cov(med_fit, out_fit, Xm: np.ndarray, Xy: np.ndarray, groups: np.ndarray | None,
               t_m: int, t_y: int, m_y: int) -> np.ndarray:
    """Covariance of (a, b, c'): each model's own covariance, and with groups the
    cross-model covariance from the cluster sums of the two models' influence functions
    (zero without groups: the two OLS fits are independent under the model)."""
    cov = np.zeros((3, 3))
    cm = np.asarray(med_fit.cov_params())
    cy = np.asarray(out_fit.cov_params())
    cov[0, 0] = cm[t_m, t_m]
    cov[np.ix_([1, 2], [1, 2])] = cy[np.ix_([m_y, t_y], [m_y, t_y])]
    if groups is not None:
        inf_m = (Xm * np.asarray(med_fit.resid)[:, None]) @ np.linalg.inv(Xm.T @ Xm)
        inf_y = (Xy * np.asarray(out_fit.resid)[:, None]) @ np.linalg.inv(Xy.T @ Xy)
        n_g = int(groups.max()) + 1
        sm_ = np.stack([np.bincount(groups, weights=inf_m[:, t_m], minlength=n_g)])
        sy = np.stack([np.bincount(groups, weights=inf_y[:, j], minlength=n_g) for j in (m_y, t_y)])
        cross = (sm_ @ sy.T)[0] * n_g / (n_g - 1)
        cov[0, 1:] = cov[1:, 0] = cross
    return cov


def _product_table(est: np.ndarray, cov: np.ndarray, boot: dict[str, np.ndarray], alpha: float) -> pd.DataFrame:
    import pandas as pd
    from scipy.stats import norm

    a, b, c = est
    grads = {"a": [1, 0, 0], "b": [0, 1, 0], "direct": [0, 0, 1], "indirect": [b, a, 0], "total": [b, a, 1]}
    values = {"a": a, "b": b, "direct": c, "indirect": a * b, "total": a * b + c}
    draws = {**boot, "indirect": boot["a"] * boot["b"], "total": boot["a"] * boot["b"] + boot["direct"]}
    z = float(norm.ppf(1 - alpha / 2))
    rows = []
    for name in _PATHS:
        g = np.asarray(grads[name], dtype=float)
        se = math.sqrt(max(float(g @ cov @ g), 0.0))
        est_ = float(values[name])
        p = float(2 * norm.sf(abs(est_) / se)) if se > 0 else math.nan
        lo, hi = np.percentile(draws[name], [100 * alpha / 2, 100 * (1 - alpha / 2)])
        rows.append({"estimate": est_, "std_error": se, "ci_low": est_ - z * se, "ci_high": est_ + z * se,
                     "p_value": p, "boot_low": float(lo), "boot_high": float(hi)})
    return pd.DataFrame(rows, index=pd.Index(_PATHS, name="path"))


def _agreement(sm_result, acme_product: float, table: pd.DataFrame) -> pd.Series:
    import pandas as pd

    per_draw = (np.asarray(sm_result.ACME_ctrl) + np.asarray(sm_result.ACME_tx)) / 2
    mc_se = float(np.std(per_draw, ddof=1) / math.sqrt(per_draw.size)) if per_draw.size > 1 else math.nan
    simulated = float(table.loc["ACME (average)", "estimate"])
    diff = simulated - acme_product
    z = diff / mc_se if mc_se > 0 else math.nan
    return pd.Series({"acme_simulated": simulated, "acme_product": acme_product, "difference": diff,
                      "mc_se": mc_se, "z": z, "agrees": bool(abs(z) < 4)}, dtype=object)


def mediation(
    data: pd.DataFrame,
    treatment: str,
    mediator: str,
    outcome: str,
    covariates: str | list[str] | tuple[str, ...] = (),
    *,
    method: str = "parametric",
    n_sims: int = 1000,
    outcome_model: str = "linear",
    groups: str | None = None,
    engine: str = "statsmodels",
    alpha: float = 0.05,
    rng: None | int | np.random.Generator = None,
) -> MediationResult:
    """Causal mediation analysis: how much of a treatment's effect runs through a mediator.

    Fits the mediator model ``mediator ~ treatment + covariates`` (OLS) and the outcome
    model ``outcome ~ mediator + treatment + covariates`` (OLS, or a probit or logit GLM for
    a 0/1 outcome), then estimates the average causal mediation effect (ACME: the change in
    the outcome when the mediator moves as the treatment would move it, the treatment held
    fixed), the average direct effect (ADE), the total effect and the proportion mediated
    with statsmodels' :class:`~statsmodels.stats.mediation.Mediation` (Imai, Keele & Tingley
    2010).  The treatment must be binary; the analysis assumes it is as good as random given
    the covariates, and that nothing unmeasured drives both the mediator and the outcome
    (sequential ignorability: see :func:`sensitivity` for how much that matters).

    For a linear outcome model it also reports the product of coefficients ``a * b``
    (Baron & Kenny) with a delta-method (Sobel) and a bootstrap interval, and checks that
    statsmodels' simulated ACME agrees with ``a * b`` within simulation error.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit, without missing values in the columns used.
    treatment : str
        Binary column (0/1 or True/False): the treatment or programme.
    mediator : str
        Numeric column measured after the treatment and before the outcome.
    outcome : str
        Numeric column (0/1 for ``outcome_model="probit"`` or ``"logit"``).
    covariates : str or sequence of str, default ()
        Pre-treatment columns in both models; text and categorical columns become
        treatment-coded dummies (the first level, sorted, is the reference).
    method : {"parametric", "bootstrap"}, default "parametric"
        Imai, Keele & Tingley's algorithm 1 (draw the two models' parameters from their
        estimated sampling distribution) or algorithm 2 (nonparametric bootstrap).
    n_sims : int, default 1000
        Simulations or bootstrap resamples, 2 to 100,000.  Intervals move a little from run
        to run (simulation error); more simulations make them stable.
    outcome_model : {"linear", "probit", "logit"}, default "linear"
    groups : str, optional
        Column of clusters (stores, teams): rows of one group are not independent.  The
        parametric method then uses cluster-robust covariances (as R's ``mediate(...,
        cluster=)``); the bootstrap resamples whole groups, which statsmodels cannot do, so
        it needs ``engine="fast"``.
    engine : {"statsmodels", "fast"}, default "statsmodels"
        ``"fast"`` (``outcome_model="linear"`` only): this module's vectorised version of the
        same algorithms, as R's ``mediate`` runs them: the parametric method draws the two
        models' coefficients and takes ``a * b`` (R's common random numbers for the two
        potential mediators, where statsmodels draws them independently and so gets wider
        intervals); the bootstrap resamples rows, or whole groups, once for both models.  The
        table is built by statsmodels' own summary code from the draws.
    alpha : float, default 0.05
        Intervals at level ``1 - alpha``.
    rng : None, int or numpy.random.Generator
        Seed or generator (see :func:`cxlib.check_rng`), passed to statsmodels'
        ``Mediation.fit(rng=...)``; numpy's global random state is never used.

    Returns
    -------
    MediationResult
        ``table`` (the effects with intervals and p-values), ``product``, ``agreement``,
        ``statsmodels`` (statsmodels' own result), ``mediator_fit``, ``outcome_fit``,
        ``inputs``; properties ``acme``, ``acme_ci``, ``ade``, ``ade_ci``, ``total``,
        ``prop_mediated``.

    Raises
    ------
    TypeError, ValueError
        One line naming the argument: an unknown column (with a suggestion), the mediator
        or outcome identical to the treatment, a treatment that is not binary, missing values,
        collinear covariates, an unknown option, or a combination statsmodels cannot run.

    References
    ----------
    Baron, R. M., & Kenny, D. A. (1986). The moderator-mediator variable distinction in social
    psychological research. Journal of Personality and Social Psychology, 51(6), 1173-1182.

    Sobel, M. E. (1982). Asymptotic confidence intervals for indirect effects in structural
    equation models. Sociological Methodology, 13, 290-312.

    Imai, K., Keele, L., & Tingley, D. (2010). A general approach to causal mediation
    analysis. Psychological Methods, 15(4), 309-334.

    Tingley, D., Yamamoto, T., Hirose, K., Keele, L., & Imai, K. (2014). mediation: R package
    for causal mediation analysis. Journal of Statistical Software, 59(5), 1-38.

    Examples
    --------
    The JOBS II experiment: did the job-search workshop lower depression by raising
    job-search self-efficacy?

    >>> from cxlib import data, serviceprofit
    >>> jobs = data.load("jobs")
    >>> fit = serviceprofit.mediation(jobs, "treat", "job_seek", "depress2",
    ...                               ["econ_hard", "sex", "age"], n_sims=500, rng=2014)
    >>> fit.table.loc[["ACME (average)", "ADE (average)", "Total effect"]].round(3)
                    estimate  ci_low  ci_high  p_value
    effect
    ACME (average)    -0.016  -0.045    0.015    0.236
    ADE (average)     -0.040  -0.122    0.038    0.332
    Total effect      -0.056  -0.143    0.028    0.200
    >>> fit.product.loc[["indirect", "direct"], ["estimate", "ci_low", "ci_high"]].round(4)
              estimate  ci_low  ci_high
    path
    indirect   -0.0157 -0.0402   0.0087
    direct     -0.0403 -0.1255   0.0450

    Known truth: customers of 80 stores, the programme given to whole stores; the bootstrap
    resamples stores (``groups``), which only the fast engine can do:

    >>> chain = data.service_chain(rng=1)
    >>> fit = serviceprofit.mediation(chain.customers, "programme", "engagement", "satisfaction",
    ...                               groups="store_id", method="bootstrap", engine="fast",
    ...                               n_sims=500, rng=1)
    >>> round(fit.acme, 3), [round(x, 3) for x in fit.acme_ci], chain.truth["acme"]
    (0.126, [0.05, 0.201], 0.15)
    >>> serviceprofit.mediation(jobs, "treat", "treat", "depress2")
    Traceback (most recent call last):
    ...
    ValueError: mediator 'treat' is also the treatment; the mediator must be a different column, measured after the treatment and before the outcome
    """
    covs = checks.covariate_list("covariates", covariates)
    frame = checks.columns(data, {"treatment": treatment, "mediator": mediator, "outcome": outcome,
                                  "groups": groups}, covs,
                           distinct=["treatment", "mediator", "outcome", "groups"])
    method = params.choice("method", method, METHODS)
    n_sims = params.integer("n_sims", n_sims, min=2, max=100_000)
    outcome_model = params.choice("outcome_model", outcome_model, OUTCOME_MODELS)
    engine = params.choice("engine", engine, ENGINES)
    alpha = params.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)
    if engine == "fast" and outcome_model != "linear":
        raise ValueError(f"engine 'fast' computes linear models only; it needs outcome_model='linear' "
                         f"(got {outcome_model!r}); use engine='statsmodels'")
    if groups is not None and method == "bootstrap" and engine == "statsmodels":
        raise ValueError("statsmodels' bootstrap resamples rows, not groups; with groups use "
                         "engine='fast' (linear models) or method='parametric' (cluster-robust)")
    checks.no_missing(frame, [treatment, mediator, outcome, *covs, *([groups] if groups else [])])
    treat = checks.binary(frame, treatment, "treatment", "mediation compares treatment 1 with 0")
    checks.numeric(frame, mediator, "mediator")
    if outcome_model == "linear":
        checks.numeric(frame, outcome, "outcome")
    else:
        checks.binary(frame, outcome, "outcome", f"a {outcome_model} model is for a 0/1 outcome")
    gen = check_rng(rng)
    frame = frame.assign(**{treatment: treat})
    codes = checks.groups_of(frame, groups) if groups is not None else None

    med_model, out_model, med_kwargs, out_kwargs, positions, Xm, Xy = _models(
        frame, treatment, mediator, outcome, covs, outcome_model, codes)
    (t_y, t_m), m_y = positions
    med_fit = med_model.fit(**med_kwargs)
    out_fit = out_model.fit(**out_kwargs)

    linear = outcome_model == "linear"
    boot = None
    if engine == "fast":
        if method == "bootstrap":
            draws = boot = _fast_bootstrap(Xy.to_numpy(), frame[outcome].to_numpy(dtype=float), t_y, m_y,
                                           n_sims, gen, codes)
        else:
            draws = _fast_parametric(med_fit, out_fit, t_m, m_y, t_y, n_sims, gen)
        sm_result = _as_statsmodels_results(draws["a"] * draws["b"], draws["direct"], method)
    else:
        sm_result = _statsmodels_mediation(med_model, out_model, med_kwargs, out_kwargs, positions,
                                           method, n_sims, gen)
    table = _tidy(_summary(sm_result, alpha))

    product = agreement = None
    if linear:
        if boot is None:
            boot = _fast_bootstrap(Xy.to_numpy(), frame[outcome].to_numpy(dtype=float), t_y, m_y, n_sims, gen, codes)
        est = np.array([med_fit.params.iloc[t_m], out_fit.params.iloc[m_y], out_fit.params.iloc[t_y]])
        cov = _joint_cov(med_fit, out_fit, Xm.to_numpy(), Xy.to_numpy(), codes, t_m, t_y, m_y)
        product = _product_table(est, cov, boot, alpha)
        agreement = _agreement(sm_result, float(est[0] * est[1]), table)

    inputs = {"treatment": treatment, "mediator": mediator, "outcome": outcome, "covariates": covs,
              "method": method, "n_sims": n_sims, "outcome_model": outcome_model, "groups": groups,
              "engine": engine, "alpha": alpha, "n": len(frame),
              "n_groups": None if codes is None else int(codes.max()) + 1, "data": data}
    return MediationResult(table=table, product=product, agreement=agreement, statsmodels=sm_result,
                           mediator_fit=med_fit, outcome_fit=out_fit, inputs=inputs)
