"""Sensitivity of the mediation effect to an unmeasured mediator-outcome confounder (lesson 09).

Imai, Keele & Yamamoto (2010) measure the violation of sequential ignorability by rho, the
correlation between the errors of the mediator model and the outcome model (0 when nothing
unmeasured drives both).  For a linear mediator model and a linear outcome model without a
treatment-mediator interaction, their Theorem 2 gives the ACME in closed form,

    ACME(rho) = beta2 * sigma1 / sigma2 * (rho~ - rho * sqrt((1 - rho~^2) / (1 - rho^2)))

where beta2 is the treatment's coefficient in the mediator model, sigma1 and sigma2 the
error standard deviations of the outcome regressed on the treatment and covariates (without
the mediator) and of the mediator model, and rho~ the correlation of those two models'
residuals.  The ACME is 0 exactly at rho = rho~.  statsmodels has no sensitivity analysis;
this module writes that formula down, and computes the confidence band as R's ``medsens``
does (iterated feasible GLS of the two equations with their error correlation fixed at rho,
then the delta method; Tingley et al. 2014), whose point estimates converge to the closed
form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib import _serviceprofit_checks as checks

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SensitivityResult", "sensitivity", "acme_at_rho"]


def acme_at_rho(rho: Any, beta2: float, sigma1: float, sigma2: float, rho_tilde: float) -> np.ndarray:
    """The ACME at error correlation ``rho``: Imai, Keele & Yamamoto's (2010) closed form.

    ``beta2 * sigma1 / sigma2 * (rho_tilde - rho * sqrt((1 - rho_tilde**2) / (1 - rho**2)))``
    for a linear mediator model and a linear outcome model without interaction.

    Parameters
    ----------
    rho : float or array of float
        Correlation of the mediator model's and the outcome model's errors, in (-1, 1).
    beta2 : float
        The treatment's coefficient in the mediator model.
    sigma1, sigma2 : float
        Error standard deviations of the outcome on treatment and covariates (no mediator)
        and of the mediator model; only their ratio matters.
    rho_tilde : float
        Correlation of those two models' residuals (where the ACME crosses 0).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    At ``rho = 0`` it is ``beta2 * sigma1 / sigma2 * rho_tilde``, the product of coefficients;
    at ``rho = rho_tilde`` it is 0:

    >>> from cxlib.serviceprofit import acme_at_rho
    >>> acme_at_rho([0.0, 0.3], beta2=0.5, sigma1=2.0, sigma2=1.0, rho_tilde=0.3).round(6)
    array([0.3, 0. ])
    """
    r = np.atleast_1d(params.array("rho", rho, "a correlation between -1 and 1", ndim=1, finite=True))
    params.elements("rho", r, np.abs(r) >= 1, "between -1 and 1 (exclusive)")
    rt = params.real("rho_tilde", rho_tilde, min=-1, max=1, min_inclusive=False, max_inclusive=False)
    return beta2 * sigma1 / sigma2 * (rt - r * np.sqrt((1 - rt**2) / (1 - r**2)))


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """The ACME as a function of the mediator-outcome error correlation rho.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per value of ``rho``: ``acme`` (closed form), ``ci_low``, ``ci_high`` (the
        band, as R's ``medsens`` computes it), ``covers_zero``, ``r2_star`` (rho^2: the
        product of the shares of the mediator's and the outcome's *residual* variance an
        unmeasured confounder would explain) and ``r2_tilde`` (the same with the *total*
        variances).
    rho_zero : float
        The rho at which the ACME is 0 (exact: the correlation of the two models' residuals).
    r2_star_zero, r2_tilde_zero : float
        ``r2_star`` and ``r2_tilde`` at ``rho_zero``: how much of the variance a confounder
        must explain to remove the effect.
    estimates : dict
        ``beta2``, ``sigma1``, ``sigma2``, ``rho_tilde``, ``acme`` (at rho = 0),
        ``r2_mediator``, ``r2_outcome`` and ``n``.
    inputs : dict
        What the analysis was run with.

    Examples
    --------
    >>> from cxlib import data, serviceprofit
    >>> sens = serviceprofit.sensitivity(data.load("jobs"), "treat", "job_seek", "depress2",
    ...                                  ["econ_hard", "sex", "age"])
    >>> round(sens.rho_zero, 3), round(sens.estimates["acme"], 4)
    (-0.273, -0.0157)
    """

    table: pd.DataFrame
    rho_zero: float
    r2_star_zero: float
    r2_tilde_zero: float
    estimates: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict, repr=False)

    def covers_zero(self) -> pd.DataFrame:
        """The rows where the band contains 0 (R's "sensitivity region")."""
        return self.table[self.table["covers_zero"]]

    def summary(self) -> pd.DataFrame:
        """The table (:attr:`table`)."""
        return self.table

    def __repr__(self) -> str:
        return (f"SensitivityResult(ACME {self.estimates['acme']:.4g} at rho=0; ACME = 0 at rho = "
                f"{self.rho_zero:.3f} (R2*_M R2*_Y = {self.r2_star_zero:.3g}, "
                f"R2~_M R2~_Y = {self.r2_tilde_zero:.3g}); {len(self.table)} values of rho)")


def _ols(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    return coef, y - X @ coef


def _fgls(G: np.ndarray, p_m: int, p_y: int, n: int, rho: float, start: np.ndarray,
          tol: float = 1e-14, max_iter: int = 1000) -> tuple[np.ndarray, np.ndarray, int]:
    """Iterated feasible GLS of the mediator and outcome equations with error correlation
    ``rho`` (R's ``medsens``, continuous mediator and outcome), all from the Gram matrix
    ``G`` of ``[Xy, y]`` (the mediator is column ``p_m`` of ``Xy``; ``Xm`` its first ``p_m``
    columns, the outcome model's ``Xy`` the first ``p_y``).  Returns the stacked coefficients,
    their covariance and the number of iterations."""
    XmXm = G[:p_m, :p_m]
    XyXy = G[:p_y, :p_y]
    XmXy = G[:p_m, :p_y]
    Xm_m = G[:p_m, p_m]
    Xy_y = G[:p_y, p_y]
    Xm_y = G[:p_m, p_y]
    Xy_m = G[:p_y, p_m]
    mm, yy, my = G[p_m, p_m], G[p_y, p_y], G[p_m, p_y]
    b = start.copy()
    for it in range(1, max_iter + 1):
        bm, by = b[:p_m], b[p_m:]
        ss_m = mm - 2 * bm @ Xm_m + bm @ XmXm @ bm
        ss_y = yy - 2 * by @ Xy_y + by @ XyXy @ by
        s1, s2 = ss_m / (n - 1), ss_y / (n - 1)
        omega = np.array([[s1, rho * math.sqrt(s1 * s2)], [rho * math.sqrt(s1 * s2), s2]])
        w = np.linalg.inv(omega)
        A = np.block([[w[0, 0] * XmXm, w[0, 1] * XmXy], [w[1, 0] * XmXy.T, w[1, 1] * XyXy]])
        rhs = np.concatenate([w[0, 0] * Xm_m + w[0, 1] * Xm_y, w[1, 0] * Xy_m + w[1, 1] * Xy_y])
        new = np.linalg.solve(A, rhs)
        change = float(np.sum((new - b) ** 2))
        b = new
        if change < tol:
            break
    return b, np.linalg.inv(A), it


def sensitivity(
    data: Any,
    treatment: str | None = None,
    mediator: str | None = None,
    outcome: str | None = None,
    covariates: str | list[str] | tuple[str, ...] = (),
    *,
    rho_by: float = 0.05,
    alpha: float = 0.05,
) -> SensitivityResult:
    """How strong an unmeasured confounder of mediator and outcome must be to remove the ACME.

    Imai, Keele & Yamamoto's (2010) sensitivity analysis for a linear mediator model and a
    linear outcome model (no treatment-mediator interaction): the ACME as a function of rho,
    the correlation between the two models' errors that an unmeasured common cause of
    mediator and outcome would create (rho = 0 is the no-confounding assumption every
    mediation analysis makes), the rho at which the ACME would be 0, and a confidence band.
    The treatment is assumed randomised (or ignorable given the covariates).

    Parameters
    ----------
    data : pandas.DataFrame or MediationResult
        The table, or the result of :func:`mediation` with linear models (its columns and
        covariates are reused; then give no column names).
    treatment, mediator, outcome : str
        Column names, as for :func:`mediation` (binary treatment, numeric mediator and
        outcome).
    covariates : str or sequence of str, default ()
        Pre-treatment columns in both models.
    rho_by : float, default 0.05
        Step of the grid of rho from ``-1 + rho_by`` to ``1 - rho_by`` (R's ``rho.by``),
        0.001 to 0.5.
    alpha : float, default 0.05
        The band is at level ``1 - alpha``.

    Returns
    -------
    SensitivityResult
        ``table`` (rho, acme, ci_low, ci_high, covers_zero, r2_star, r2_tilde),
        ``rho_zero``, ``r2_star_zero``, ``r2_tilde_zero``, ``estimates``.

    Notes
    -----
    The point estimates use Theorem 2 of Imai, Keele & Yamamoto (2010) and the exact zero is
    ``rho_zero = rho~``; R's ``medsens`` reports the grid value nearest to it (-0.2 with
    ``rho.by = 0.05`` on the JOBS II example, where ``rho~ = -0.210``).  The band is
    ``medsens``'s: iterated feasible GLS of the two equations with their error correlation
    fixed at rho (error variances with divisor n - 1), and the delta method without the
    covariance term, ``var(a b) = a^2 var(b) + b^2 var(a)``; at rho = 0 it is Sobel's
    interval with maximum-likelihood variances, a little narrower than the OLS one in
    :attr:`MediationResult.product`.  Rows are treated as independent (a mediation result's
    ``groups`` are not used): with clustered data read the curve, not the band.

    References
    ----------
    Imai, K., Keele, L., & Yamamoto, T. (2010). Identification, inference and sensitivity
    analysis for causal mediation effects. Statistical Science, 25(1), 51-71.

    Imai, K., Keele, L., & Tingley, D. (2010). A general approach to causal mediation
    analysis. Psychological Methods, 15(4), 309-334.

    Tingley, D., Yamamoto, T., Hirose, K., Keele, L., & Imai, K. (2014). mediation: R package
    for causal mediation analysis. Journal of Statistical Software, 59(5), 1-38.

    Examples
    --------
    The JOBS II analysis of Imai, Keele, Tingley & Yamamoto's tutorial: the ACME of the
    job-search workshop on depression through job-search self-efficacy vanishes at rho = -0.21.

    >>> from cxlib import data, serviceprofit
    >>> covs = ["depress1", "econ_hard", "sex", "age", "occp", "marital", "nonwhite", "educ", "income"]
    >>> sens = serviceprofit.sensitivity(data.load("jobs"), "treat", "job_seek", "depress2", covs, rho_by=0.05)
    >>> round(sens.rho_zero, 4), round(sens.r2_star_zero, 4), round(sens.r2_tilde_zero, 4)
    (-0.21, 0.0441, 0.0288)
    >>> sens.table.set_index("rho").loc[[-0.3, -0.25, -0.2, -0.15], ["acme", "ci_low", "ci_high"]].round(4)
             acme  ci_low  ci_high
    rho
    -0.30  0.0064 -0.0025   0.0153
    -0.25  0.0028 -0.0026   0.0082
    -0.20 -0.0007 -0.0049   0.0036
    -0.15 -0.0040 -0.0105   0.0025
    """
    import pandas as pd
    from scipy.stats import norm

    from cxlib._serviceprofit_mediation import MediationResult

    if isinstance(data, MediationResult):
        if any(v is not None for v in (treatment, mediator, outcome)) or covariates:
            raise ValueError("sensitivity(fit) reuses the columns of the mediation result; give no "
                             "treatment, mediator, outcome or covariates with it")
        i = data.inputs
        if i["outcome_model"] != "linear":
            raise ValueError(f"sensitivity covers a linear mediator and a linear outcome model; this "
                             f"mediation used outcome_model={i['outcome_model']!r}")
        frame = data.inputs.get("data")
        if frame is None:
            raise ValueError("this mediation result does not keep its data; call "
                             "sensitivity(data, treatment, mediator, outcome, covariates)")
        treatment, mediator, outcome, covariates = i["treatment"], i["mediator"], i["outcome"], i["covariates"]
        data = frame
    for role, value in (("treatment", treatment), ("mediator", mediator), ("outcome", outcome)):
        params.text(role, value)
    covs = checks.covariate_list("covariates", covariates)
    frame = checks.columns(data, {"treatment": treatment, "mediator": mediator, "outcome": outcome}, covs,
                           distinct=["treatment", "mediator", "outcome"])
    rho_by = params.real("rho_by", rho_by, min=0.001, max=0.5)
    alpha = params.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)
    checks.no_missing(frame, [treatment, mediator, outcome, *covs])
    treat = checks.binary(frame, treatment, "treatment", "the sensitivity analysis compares treatment 1 with 0")
    m = checks.numeric(frame, mediator, "mediator")
    y = checks.numeric(frame, outcome, "outcome")
    frame = frame.assign(**{treatment: treat})

    Xm_df = checks.design(frame, [treatment, *covs], what="mediator model")
    Xm = Xm_df.to_numpy()
    n, p_m = Xm.shape
    t_col = Xm_df.columns.get_loc(treatment)
    Xy = np.column_stack([Xm, m])  # the outcome model: the mediator model's columns and the mediator
    p_y = p_m + 1

    # the closed form (Imai, Keele & Yamamoto 2010, Theorem 2)
    coef_m, e2 = _ols(Xm, m)
    _, e1 = _ols(Xm, y)  # outcome on treatment and covariates, without the mediator
    coef_y, e3 = _ols(Xy, y)
    beta2 = float(coef_m[t_col])
    sigma1, sigma2 = float(np.std(e1, ddof=p_m)), float(np.std(e2, ddof=p_m))
    rho_tilde = float(np.corrcoef(e1, e2)[0, 1])
    r2_m = 1 - float(e2 @ e2) / float(((m - m.mean()) ** 2).sum())
    r2_y = 1 - float(e3 @ e3) / float(((y - y.mean()) ** 2).sum())

    steps = int(round((2 - 2 * rho_by) / rho_by)) + 1
    grid = np.round(-1 + rho_by + rho_by * np.arange(steps), 10)
    grid = grid[np.abs(grid) < 1]
    acme = acme_at_rho(grid, beta2, sigma1, sigma2, rho_tilde)

    # the band: medsens's iterated FGLS with the error correlation fixed at rho
    Z = np.column_stack([Xy, y])
    G = Z.T @ Z
    start = np.concatenate([coef_m, coef_y])
    z = float(norm.ppf(1 - alpha / 2))
    low, high = np.empty(grid.size), np.empty(grid.size)
    for i, r in enumerate(grid):
        b, V, _ = _fgls(G, p_m, p_y, n, float(r), start)
        start = b  # warm start: the next rho's solution is near
        a_, b_ = b[t_col], b[p_m + p_m]
        se = math.sqrt(a_**2 * V[p_m + p_m, p_m + p_m] + b_**2 * V[t_col, t_col])
        low[i], high[i] = a_ * b_ - z * se, a_ * b_ + z * se
    table = pd.DataFrame({"rho": grid, "acme": acme, "ci_low": low, "ci_high": high,
                          "covers_zero": (low < 0) & (high > 0), "r2_star": grid**2,
                          "r2_tilde": grid**2 * (1 - r2_m) * (1 - r2_y)})
    estimates = {"beta2": beta2, "sigma1": sigma1, "sigma2": sigma2, "rho_tilde": rho_tilde,
                 "acme": float(coef_m[t_col] * coef_y[p_m]), "r2_mediator": r2_m, "r2_outcome": r2_y, "n": n}
    inputs = {"treatment": treatment, "mediator": mediator, "outcome": outcome, "covariates": covs,
              "rho_by": rho_by, "alpha": alpha}
    return SensitivityResult(table=table, rho_zero=rho_tilde, r2_star_zero=rho_tilde**2,
                             r2_tilde_zero=rho_tilde**2 * (1 - r2_m) * (1 - r2_y),
                             estimates=estimates, inputs=inputs)
