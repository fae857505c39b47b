"""Exploratory factor analysis for :mod:`cxlib.survey`: extraction, rotation, how many factors.

Extraction is statsmodels' :class:`statsmodels.multivariate.factor.Factor` (maximum
likelihood or principal axes); rotation uses statsmodels'
:func:`statsmodels.multivariate.factor_rotation.rotate_factors` (gradient projection,
Bernaards & Jennrich 2005) with the conventions of R's psych ``fa()`` -- the de facto
standard -- where statsmodels' defaults differ (see :func:`rotate`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._results import ModelResult, SimulationResult
from cxlib._rng import check_rng, seed_from
from cxlib._survey_checks import check_items, check_missing, complete_rows

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ROTATIONS",
    "FactorSolution",
    "factor_analysis",
    "Rotation",
    "rotate",
    "ParallelAnalysis",
    "parallel_analysis",
    "Congruence",
    "congruence",
]

#: The rotations :func:`factor_analysis` and :func:`rotate` offer (``None``: unrotated).
ROTATIONS = ("oblimin", "varimax", "promax", None)
#: Gradient-projection convergence: GPArotation's default criterion on the projected gradient.
_GPA_CONVERGED = 1e-5


# ---------------------------------------------------------------------------
# Correlation matrix and maximum-likelihood extraction
# ---------------------------------------------------------------------------


def _correlation(frame: pd.DataFrame, missing: str) -> tuple[np.ndarray, int]:
    """The items' correlation matrix and the number of respondents it rests on."""
    if missing == "listwise":
        complete = complete_rows(frame, need=3)
        return np.corrcoef(complete.to_numpy(), rowvar=False), len(complete)
    corr = frame.corr().to_numpy()  # pairwise complete observations
    if np.isnan(corr).any():
        i, j = params.first(np.isnan(corr))
        raise ValueError(f"items {frame.columns[i]!r} and {frame.columns[j]!r} are never answered together, "
                         "so their pairwise correlation is undefined; use missing='listwise' or drop one")
    n = int((~frame.isna()).any(axis=1).sum())
    return corr, n


def _check_full_rank(corr: np.ndarray, n: int, names: list[str]) -> None:
    p = len(names)
    if n <= p:
        raise ValueError(f"a factor analysis of {p} items needs more respondents than items (a correlation "
                         f"matrix of full rank); got {n} respondents")
    smallest = float(np.linalg.eigvalsh(corr).min())
    if smallest <= 1e-10:
        raise ValueError(f"the items' correlation matrix is singular or not positive definite (smallest "
                         f"eigenvalue {smallest:.2g}): an item is a linear combination of others, or pairwise "
                         "deletion made the matrix inconsistent; drop the redundant item or use missing='listwise'")


def _ml_discrepancy(corr: np.ndarray, load: np.ndarray, uniq: np.ndarray) -> tuple[float, float]:
    """log|Sigma| + tr(Sigma^-1 R) of the fitted model, and log|R|."""
    sigma = load @ load.T + np.diag(uniq)
    _, logdet = np.linalg.slogdet(sigma)
    _, logdet_r = np.linalg.slogdet(corr)
    return float(logdet + np.trace(np.linalg.solve(sigma, corr))), float(logdet_r)


def _fit(corr: np.ndarray, n: int, n_factors: int, method: str) -> dict[str, Any]:
    """Unrotated loadings by statsmodels' Factor: ML (from a principal-axis start) or PA."""
    from statsmodels.multivariate.factor import Factor

    p = corr.shape[0]
    messages: list[str] = []
    # ML starts from one principal-axis step (squared multiple correlations as communalities):
    # deterministic, unlike statsmodels' default random EM start, and one eigendecomposition
    pa_iter = 200 if method == "pa" else 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pa = Factor(corr=corr, n_factor=n_factors, method="pa", smc=True, nobs=n).fit(maxiter=pa_iter, tol=1e-8)
        kept = pa.loadings.shape[1]
        if kept < n_factors and method == "pa":
            # statsmodels keeps only the factors whose reduced-correlation eigenvalue is positive
            raise ValueError(f"only {kept} of the n_factors={n_factors} principal-axis factors have a positive "
                             f"eigenvalue (the items' common variance supports at most {kept}); ask for fewer "
                             "factors or use method='ml'")
        if method == "pa":
            load, uniq, converged = pa.loadings, pa.uniqueness, True
        else:
            start_load = pa.loadings
            if kept < n_factors:  # pad the start with small, deterministic columns: the next eigenvectors
                _, vectors = np.linalg.eigh(corr)
                extra = vectors[:, ::-1][:, kept:n_factors] * 0.1
                start_load = np.column_stack([start_load, extra])
            start = (start_load, np.clip(pa.uniqueness, 0.05, 0.95))
            model = Factor(corr=corr, n_factor=n_factors, method="ml", nobs=n)
            res = model.fit(start=start, opt_method="L-BFGS-B",
                            opt={"gtol": 1e-9, "ftol": 1e-15, "maxiter": 10_000})
            load, uniq, converged = res.loadings, res.uniqueness, bool(res.mle_retvals.success)
            if not converged:
                messages.append(f"the likelihood maximisation did not converge ({res.mle_retvals.message})")
    for w in caught:
        text = str(w.message)
        if "uniquenesses are nearly zero" in text or "did not converge" in text:
            continue  # reported below in our own words
        warnings.warn(text, type(w.message) if isinstance(w.message, Warning) else UserWarning, stacklevel=3)
    heywood = np.flatnonzero(uniq < 0.005)
    if heywood.size:
        messages.append(f"Heywood case: {heywood.size} uniqueness(es) at the boundary (communality ~1)")
    discrepancy, logdet_r = _ml_discrepancy(corr, load, uniq)
    out = {"loadings": np.asarray(load, dtype=float), "uniquenesses": np.asarray(uniq, dtype=float),
           "converged": converged, "messages": messages, "heywood": heywood}
    if method == "ml":
        out["loglik"] = -0.5 * n * (p * math.log(2 * math.pi) + discrepancy)
        dof = ((p - n_factors) ** 2 - (p + n_factors)) / 2
        stat = (n - 1 - (2 * p + 5) / 6 - 2 * n_factors / 3) * (discrepancy - logdet_r - p)
        out["chi2"], out["dof"] = float(max(stat, 0.0)), float(dof)
    return out


# ---------------------------------------------------------------------------
# Rotation
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rotation:
    """A rotated loading matrix: ``loadings = unrotated @ rotation_matrix``.

    Attributes
    ----------
    loadings : pandas.DataFrame
        The rotated loadings (the pattern matrix of an oblique rotation), items x factors.
    factor_correlation : pandas.DataFrame
        Correlations of the rotated factors (the identity for an orthogonal rotation).
    rotation_matrix : numpy.ndarray
        ``R`` with ``loadings = unrotated @ R``; the factor correlations are ``inv(R'R)``.
    method : str or None
        ``"oblimin"``, ``"varimax"``, ``"promax"`` or None.
    normalize : bool
        Whether Kaiser normalisation was used.
    converged : bool
        Whether the gradient-projection iterations met the criterion (always True for
        promax's final step and for None).

    Examples
    --------
    >>> import numpy as np
    >>> from cxlib.survey import rotate
    >>> rot = rotate(np.array([[0.7, 0.3], [0.6, 0.4], [0.3, -0.6], [0.4, -0.5]]), "varimax")
    >>> rot
    Rotation(varimax, Kaiser-normalised: 4 items x 2 factors, orthogonal)
    >>> rot.loadings.round(2)
             F1    F2
    item1  0.76  0.10
    item2  0.72 -0.04
    item3 -0.05  0.67
    item4  0.09  0.63
    """

    loadings: pd.DataFrame
    factor_correlation: pd.DataFrame
    rotation_matrix: np.ndarray = field(repr=False)
    method: str | None = None
    normalize: bool = False
    converged: bool = True

    def __repr__(self) -> str:
        p, m = self.loadings.shape
        kind = "oblique" if self.method in ("oblimin", "promax") else "orthogonal"
        norm = ", Kaiser-normalised" if self.normalize else ""
        flag = "" if self.converged else ", NOT CONVERGED"
        return f"Rotation({self.method or 'none'}{norm}: {p} items x {m} factors, {kind}{flag})"


def _projected_gradient(A: np.ndarray, T: np.ndarray, method: str) -> float:
    """Norm of the projected gradient of the GPA criterion at ``T`` (statsmodels' conventions)."""
    if method == "varimax":  # orthomax, gamma = 1: f = -1/4 <L^2, (I - C) L^2>
        L = A @ T
        L2 = L**2
        Gq = -L * (L2 - L2.mean(axis=0))
        G = A.T @ Gq
        M = T.T @ G
        Gp = G - T @ ((M + M.T) / 2)
    else:  # quartimin (oblimin, gamma = 0, oblique): f = 1/4 <L^2, L^2 N>
        Ti = np.linalg.inv(T)
        L = A @ Ti.T
        L2 = L**2
        Gq = L * (L2.sum(axis=1, keepdims=True) - L2)
        G = -(L.T @ Gq @ Ti).T
        Gp = G - T @ np.diag(np.sum(T * G, axis=0))
    return float(np.linalg.norm(Gp))


def _gpa(A: np.ndarray, method: str, tol: float, max_iter: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Rotation matrix R (L = A R) and factor correlations by statsmodels' GPA."""
    from statsmodels.multivariate.factor_rotation import rotate_factors

    if method == "varimax":
        _, T = rotate_factors(A, "varimax", tol=tol, max_tries=max_iter)
        R, phi = T, np.eye(A.shape[1])
    else:
        _, T = rotate_factors(A, "oblimin", 0, "oblique", tol=tol, max_tries=max_iter)
        R, phi = np.linalg.inv(T.T), T.T @ T
    return R, phi, _projected_gradient(A, T, method) < _GPA_CONVERGED


def _rotate_array(A: np.ndarray, method: str | None, normalize: bool, power: float, tol: float,
                  max_iter: int) -> tuple[np.ndarray, np.ndarray, bool]:
    m = A.shape[1]
    if method is None or m == 1:
        return np.eye(m), np.eye(m), True
    h = np.sqrt((A**2).sum(axis=1)) if normalize else np.ones(A.shape[0])
    if np.any(h == 0):
        h = np.where(h == 0, 1.0, h)  # a row of zeros stays zero
    An = A / h[:, None]
    if method in ("varimax", "oblimin"):
        R, phi, ok = _gpa(An, method, tol, max_iter)
        return R, phi, ok
    # promax (Hendrickson & White 1964) as R's psych: varimax, target V*|V|^(power-1),
    # least-squares fit to the target, columns rescaled so the factors have variance 1
    Rv, _, ok = _gpa(An, "varimax", tol, max_iter)
    V = An @ Rv
    Q = V * np.abs(V) ** (power - 1)
    U = np.linalg.lstsq(V, Q, rcond=None)[0]
    d = np.diag(np.linalg.inv(U.T @ U))
    U = U * np.sqrt(d)[None, :]
    return Rv @ U, np.linalg.inv(U.T @ U), ok


def _orient(L: np.ndarray, R: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """psych's conventions: each factor's loadings sum to a positive number; factors in
    decreasing order of the variance they account for, diag(Phi L'L)."""
    signs = np.where(L.sum(axis=0) < 0, -1.0, 1.0)
    L, R, phi = L * signs, R * signs, phi * np.outer(signs, signs)
    order = np.argsort(-np.diag(phi @ L.T @ L), kind="stable")
    return L[:, order], R[:, order], phi[np.ix_(order, order)]


def rotate(
    loadings: Any,
    method: str | None = "oblimin",
    *,
    normalize: bool | None = None,
    power: float = 4,
    tol: float = 1e-7,
    max_iter: int = 1000,
) -> Rotation:
    """Rotate a loading matrix: varimax, oblimin or promax, as R's psych ``fa()`` does.

    Parameters
    ----------
    loadings : pandas.DataFrame or 2-D array
        Unrotated loadings, items x factors (e.g. ``FactorSolution.unrotated``).
    method : {"oblimin", "varimax", "promax", None}, default "oblimin"
        The rotation (None: leave as is, only the sign and order conventions applied).
    normalize : bool, optional
        Kaiser normalisation (rows scaled to length 1 before rotating, back after).
        Default: True for varimax and promax, False for oblimin -- the defaults of R's
        ``stats::varimax``, psych's ``fa(rotate="promax")`` and GPArotation's ``oblimin``.
    power : float, default 4
        Promax's power (R's ``m``), > 1.
    tol, max_iter : float, int
        Stopping rule of the gradient-projection iterations (norm of the projected gradient).

    Returns
    -------
    Rotation
        ``loadings``, ``factor_correlation``, ``rotation_matrix``, ``converged``.

    Notes
    -----
    **What is standard, and what statsmodels 0.15 does differently.**  The rotations here
    follow R's psych ``fa()`` (and the Python package factor_analyzer, which copies it):

    * ``"varimax"``: orthomax with gamma = 1 **with Kaiser normalisation**, as R's
      ``stats::varimax`` (``normalize=TRUE``), psych ``fa(rotate="varimax")``, SPSS and
      factor_analyzer.  statsmodels' ``rotate("varimax")`` does not normalise (it equals
      GPArotation's ``Varimax`` and psych's ``rotate="Varimax"``); items with small
      communalities then weigh less and the loadings differ (by up to 0.11 on the five
      bfi factors).
    * ``"oblimin"``: direct oblimin with gamma = 0 (quartimin), **without** normalisation,
      as GPArotation's ``oblimin`` (the default of psych ``fa()``) and factor_analyzer;
      statsmodels' ``rotate("oblimin")`` is the same criterion and agrees.  SPSS normalises
      by default: pass ``normalize=True`` to match it.
    * ``"promax"``: Kaiser-normalised varimax, target ``V * |V|^(power - 1)`` with power 4,
      least-squares fit to the target, columns rescaled to unit factor variance -- psych's
      ``fa(rotate="promax")`` (``kaiser(..., "Promax")``) and factor_analyzer.  statsmodels'
      ``promax`` differs (statsmodels issue #4172, open): its target is ``|V|^k / V`` with
      k = 2, i.e. ``V`` itself (one power lower than R's ``V * |V|^(m-1)``), on an
      un-normalised varimax, so with its default it returns the varimax loadings
      unchanged (to 1e-15 on bfi) and no factor correlation.  Implemented here on top of
      statsmodels' varimax.

    Varimax and oblimin are computed with statsmodels' gradient projection algorithm
    (Bernaards & Jennrich 2005, the algorithm of GPArotation) to a projected gradient below
    ``tol``; ``converged`` is False (and a warning is given) if it stays above 1e-5,
    GPArotation's default criterion.  Factors are then reflected so that each column of
    loadings sums to a positive number and ordered by the variance they account for,
    ``diag(Phi L'L)`` (psych's conventions).

    Examples
    --------
    >>> import numpy as np
    >>> from cxlib.survey import rotate
    >>> A = np.array([[0.7, 0.3], [0.6, 0.4], [0.3, -0.6], [0.4, -0.5]])
    >>> rot = rotate(A, "oblimin")
    >>> rot.loadings.round(2)
             F1    F2
    item1  0.75  0.06
    item2  0.72 -0.07
    item3 -0.06  0.67
    item4  0.08  0.63
    >>> round(float(rot.factor_correlation.iloc[0, 1]), 2)
    0.07
    >>> rotate(A, "quartimax")
    Traceback (most recent call last):
    ...
    ValueError: method 'quartimax' is not known; valid choices are 'oblimin', 'varimax', 'promax', None; did you mean 'varimax'?
    """
    import pandas as pd

    method = params.choice("method", method, ROTATIONS)
    if isinstance(loadings, pd.DataFrame):
        index, columns = list(loadings.index), [str(c) for c in loadings.columns]
        A = params.array("loadings", loadings.to_numpy(), ndim=2, finite=True)
    else:
        A = params.array("loadings", loadings, ndim=2, finite=True)
        if A.ndim != 2:
            raise ValueError(f"loadings must be two-dimensional (items x factors); got an array of shape {A.shape}")
        index = [f"item{j + 1}" for j in range(A.shape[0])]
        columns = [f"F{j + 1}" for j in range(A.shape[1])]
    if A.shape[0] < 2 or A.shape[1] < 1:
        raise ValueError(f"loadings must have at least 2 items (rows) and 1 factor (column); got shape {A.shape}")
    if normalize is None:
        normalize = method in ("varimax", "promax")
    normalize = params.boolean("normalize", normalize)
    power = params.real("power", power, min=1, max=20, min_inclusive=False)
    tol = params.real("tol", tol, min=0, max=1e-3, min_inclusive=False)
    max_iter = params.integer("max_iter", max_iter, min=1)
    R, phi, ok = _rotate_array(A, method, normalize, power, tol, max_iter)
    L, R, phi = _orient(A @ R, R, phi)
    if not ok:
        warnings.warn(f"{method} rotation did not converge in {max_iter} iterations (projected gradient above "
                      f"{_GPA_CONVERGED:g}); raise max_iter", RuntimeWarning, stacklevel=2)
    frame = pd.DataFrame(L, index=index, columns=columns)
    phi_frame = pd.DataFrame(phi, index=columns, columns=columns)
    return Rotation(frame, phi_frame, R, method, normalize and method is not None, ok)


# ---------------------------------------------------------------------------
# Factor analysis
# ---------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class FactorSolution(ModelResult):
    """An exploratory factor analysis: loadings, communalities, factor correlations.

    ``params`` holds the rotated loadings in long form (index ``(item, factor)``), ``se``
    is NaN (standard errors of rotated loadings are not computed), ``loglik`` is the
    maximised log-likelihood for ML (NaN for PA).  :meth:`summary` returns the loadings
    table, one row per item.

    Attributes
    ----------
    loadings : pandas.DataFrame
        Rotated loadings (pattern matrix), items x factors ``F1..Fm``.
    unrotated : pandas.DataFrame
        The loadings before rotation.
    communalities, uniquenesses : pandas.Series
        Per item: the share of its variance the factors account for, and the rest.
    eigenvalues : pandas.Series
        Eigenvalues of the items' correlation matrix, largest first (for a scree plot).
    factor_correlation : pandas.DataFrame
        Correlations of the factors (the identity unless the rotation is oblique).
    rotation_matrix : numpy.ndarray
        ``R`` with ``loadings = unrotated @ R``.
    rotation, method : str
        The rotation (``"none"`` if unrotated) and the extraction, ``"ml"`` or ``"pa"``.
    chi2, dof, p_value : float
        ML only: Bartlett-corrected likelihood-ratio test of the model against a saturated
        one (as R's ``factanal``); NaN for PA.

    Examples
    --------
    >>> from cxlib import data
    >>> from cxlib.survey import factor_analysis
    >>> bfi = data.load("bfi")
    >>> fit = factor_analysis(bfi[["A2", "A3", "A5", "E3", "E4", "E5"]], 2, "oblimin")
    >>> fit
    FactorSolution(ML, 2 factors, oblimin: 6 items, n=2,691; loglik=-21,040.60, chi2(4)=118.0, p=1.4e-24)
    >>> fit.primary().tolist()
    ['F2', 'F2', 'F2', 'F1', 'F1', 'F1']
    """

    loadings: pd.DataFrame = field(default=None)
    unrotated: pd.DataFrame = field(default=None)
    communalities: pd.Series = field(default=None)
    uniquenesses: pd.Series = field(default=None)
    eigenvalues: pd.Series = field(default=None)
    factor_correlation: pd.DataFrame = field(default=None)
    rotation_matrix: np.ndarray = field(default=None)
    rotation: str = "none"
    method: str = "ml"
    chi2: float = math.nan
    dof: float = math.nan
    p_value: float = math.nan

    @property
    def n_factors(self) -> int:
        """Number of factors."""
        return self.loadings.shape[1]

    @property
    def structure(self) -> pd.DataFrame:
        """Structure matrix: correlations of items with factors, ``loadings @ factor_correlation``."""
        return self.loadings @ self.factor_correlation

    def primary(self) -> pd.Series:
        """The factor on which each item loads most strongly (largest absolute loading)."""
        return self.loadings.abs().idxmax(axis=1).rename("factor")

    def summary(self, alpha: float | None = None) -> pd.DataFrame:  # noqa: ARG002 - the base's signature
        """One row per item: the loadings, then ``communality`` and ``uniqueness``."""
        return self.loadings.assign(communality=self.communalities, uniqueness=self.uniquenesses)

    def __repr__(self) -> str:
        p, m = self.loadings.shape
        like = ""
        if math.isfinite(self.loglik):
            like = f"; loglik={self.loglik:,.2f}"
            if self.dof > 0:
                like += f", chi2({self.dof:g})={self.chi2:.1f}, p={self.p_value:.2g}"
        flag = "" if self.converged else ", NOT CONVERGED"
        return (f"FactorSolution({self.method.upper()}, {m} factor{'s' if m > 1 else ''}, {self.rotation}: "
                f"{p} items, n={self.n:,}{like}{flag})")


def factor_analysis(
    items: Any,
    n_factors: int,
    rotation: str | None = "oblimin",
    method: str = "ml",
    *,
    reverse: Any = None,
    scale: Any = None,
    missing: str = "listwise",
    normalize: bool | None = None,
    power: float = 4,
) -> FactorSolution:
    """Exploratory factor analysis of Likert items: extraction and rotation.

    Parameters
    ----------
    items : pandas.DataFrame or 2-D array
        One row per respondent, one column per item (numeric; NaN for a missing answer).
    n_factors : int
        Number of factors, 1 to the number of items - 1 (ML: at most as many as leave the
        model identified, ``(p - m)**2 >= p + m``).
    rotation : {"oblimin", "varimax", "promax", None}, default "oblimin"
        See :func:`rotate` for the definitions and how they compare with statsmodels'.
        Oblique rotations (oblimin, promax) let the factors correlate.
    method : {"ml", "pa"}, default "ml"
        Maximum likelihood (statsmodels ``Factor(method="ml")``, L-BFGS-B from a
        principal-axis start, so the result does not depend on a random start) or
        iterated principal axes (``method="pa"``, squared multiple correlations as start).
    reverse, scale
        Reverse-keyed items and the answer bounds, as in :func:`cronbach_alpha`.
        Reversing changes only the signs of those items' loadings.
    missing : {"listwise", "pairwise"}, default "listwise"
        Correlations from the respondents who answered every item, or from every pair's
        respondents (``n`` is then the number of respondents with any answer).
    normalize, power
        Passed to :func:`rotate`.

    Returns
    -------
    FactorSolution
        ``loadings``, ``communalities``, ``uniquenesses``, ``eigenvalues`` (of the
        correlation matrix), ``factor_correlation``, ``unrotated``, ``loglik``, ``chi2``,
        ``dof``, ``p_value``, ``converged``, ``message``.

    Raises
    ------
    ValueError
        Too few items or respondents, too many factors, a singular correlation matrix, or
        any bad item input (see :func:`cronbach_alpha`).

    Warns
    -----
    RuntimeWarning
        If the fit did not converge or hit a Heywood case (a uniqueness at 0): then
        ``converged`` is False or ``message`` says so.

    Examples
    --------
    >>> from cxlib import data
    >>> from cxlib.survey import factor_analysis
    >>> bfi = data.load("bfi")
    >>> items = bfi[["A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4", "C5"]]
    >>> fit = factor_analysis(items, 2, "promax", reverse=["A1", "C4", "C5"], scale=(1, 6))
    >>> fit.loadings.round(2).T
          A1    A2    A3    A4    A5    C1    C2    C3    C4    C5
    F1 -0.07  0.01 -0.04  0.14  0.02  0.57  0.64  0.55  0.67  0.58
    F2  0.40  0.66  0.77  0.44  0.62 -0.05 -0.02  0.02 -0.02  0.04
    >>> fit.factor_correlation.round(2)
          F1    F2
    F1  1.00  0.34
    F2  0.34  1.00
    >>> factor_analysis(items, 8)
    Traceback (most recent call last):
    ...
    ValueError: n_factors=8 is too many for 10 items: a maximum-likelihood factor model needs (p - m)**2 >= p + m, i.e. at most 6 factors
    """
    import pandas as pd
    from scipy.stats import chi2 as chi2_dist

    frame = check_items(items, reverse=reverse, scale=scale, min_items=3)
    names = list(frame.columns)
    p = len(names)
    n_factors = params.integer("n_factors", n_factors, min=1, max=p - 1)
    method = params.choice("method", method, ("ml", "pa"))
    rotation = params.choice("rotation", rotation, ROTATIONS)
    missing = check_missing(missing)
    if method == "ml" and (p - n_factors) ** 2 < p + n_factors:
        most = max(m for m in range(1, p) if (p - m) ** 2 >= p + m)
        raise ValueError(f"n_factors={n_factors} is too many for {p} items: a maximum-likelihood factor model "
                         f"needs (p - m)**2 >= p + m, i.e. at most {most} factor{'s' if most > 1 else ''}")
    corr, n = _correlation(frame, missing)
    _check_full_rank(corr, n, names)
    fit = _fit(corr, n, n_factors, method)
    A = fit["loadings"]
    cols = [f"F{j + 1}" for j in range(n_factors)]
    unrotated = rotate(pd.DataFrame(A, index=names, columns=cols), None).loadings  # signs and order only
    rot = rotate(unrotated, rotation if n_factors > 1 else None, normalize=normalize, power=power)
    L = rot.loadings
    messages = list(fit["messages"])
    if not rot.converged:
        messages.append("the rotation did not converge")
    converged = fit["converged"] and rot.converged
    if messages:
        warnings.warn(f"factor_analysis ({method.upper()}, {n_factors} factors): " + "; ".join(messages),
                      RuntimeWarning, stacklevel=2)
    uniq = pd.Series(fit["uniquenesses"], index=names, name="uniqueness")
    eig = np.sort(np.linalg.eigvalsh(corr))[::-1]
    stacked = L.stack()
    stacked.index.names = ["item", "factor"]
    dof = fit.get("dof", math.nan)
    chi2 = fit.get("chi2", math.nan)
    p_value = float(chi2_dist.sf(chi2, dof)) if dof and dof > 0 else math.nan
    return FactorSolution(
        model=f"factor analysis ({method.upper()})",
        params=stacked,
        se=pd.Series(np.nan, index=stacked.index),
        loglik=fit.get("loglik", math.nan),
        n=n,
        converged=converged,
        message="; ".join(messages) or "converged",
        extra={"missing": missing},
        loadings=L,
        unrotated=unrotated,
        communalities=(1 - uniq).rename("communality"),
        uniquenesses=uniq,
        eigenvalues=pd.Series(eig, index=pd.RangeIndex(1, p + 1, name="component"), name="eigenvalue"),
        factor_correlation=rot.factor_correlation,
        rotation_matrix=rot.rotation_matrix,
        rotation=rotation if (rotation is not None and n_factors > 1) else "none",
        method=method,
        chi2=chi2,
        dof=dof,
        p_value=p_value,
    )


# ---------------------------------------------------------------------------
# How many factors: parallel analysis
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParallelAnalysis(SimulationResult):
    """Horn's parallel analysis: observed eigenvalues against those of random data.

    Attributes
    ----------
    inputs : dict
        ``n`` (respondents), ``p`` (items), ``n_iter``, ``quantile``, ``seed``.
    eigenvalues : pandas.DataFrame
        One row per component: ``observed``, ``random_mean``, ``random_quantile``.
    n_factors : int
        The suggested number of factors: how many leading observed eigenvalues exceed the
        random ones (the ``quantile`` of them, or their mean when ``quantile`` is None).

    Examples
    --------
    >>> from cxlib import data
    >>> from cxlib.survey import parallel_analysis
    >>> pa = parallel_analysis(data.load("bfi").iloc[:, :25], n_iter=20, rng=1)
    >>> pa
    ParallelAnalysis(suggests 5 factors: 5 observed eigenvalues exceed the 95th percentile of 20 random data sets of 2,436 x 25)
    >>> pa.summary().head(3).round(2)
               observed  random_mean  random_quantile  retain
    component
    1              5.13         1.19             1.21    True
    2              2.75         1.16             1.17    True
    3              2.14         1.14             1.15    True
    """

    inputs: dict[str, Any]
    eigenvalues: pd.DataFrame = field(repr=False)
    n_factors: int = 0

    def summary(self) -> pd.DataFrame:
        """The eigenvalue table with a ``retain`` column (True for the suggested factors)."""
        table = self.eigenvalues.copy()
        table["retain"] = np.arange(len(table)) < self.n_factors
        return table

    def __repr__(self) -> str:
        i = self.inputs
        against = "mean" if i["quantile"] is None else f"{100 * i['quantile']:g}th percentile"
        return (f"ParallelAnalysis(suggests {self.n_factors} factor{'s' if self.n_factors != 1 else ''}: "
                f"{self.n_factors} observed eigenvalue{'s' if self.n_factors != 1 else ''} exceed the {against} of "
                f"{i['n_iter']} random data sets of {i['n']:,} x {i['p']})")


def parallel_analysis(
    items: Any,
    n_iter: int = 100,
    quantile: float | None = 0.95,
    *,
    missing: str = "listwise",
    rng: None | int | np.random.Generator = None,
) -> ParallelAnalysis:
    """Horn's parallel analysis: how many factors stand out from random noise.

    Eigenvalues of the items' correlation matrix (principal components, as Horn 1965) are
    compared with those of ``n_iter`` data sets of independent standard normal variables
    of the same shape (n respondents x p items).  A component is retained while its
    observed eigenvalue exceeds the random ones at the same rank; the count stops at the
    first that does not.

    Parameters
    ----------
    items : pandas.DataFrame or 2-D array
        One row per respondent, one column per item.
    n_iter : int, default 100
        Random data sets, 1 to 10,000.
    quantile : float or None, default 0.95
        Compare with this quantile of the random eigenvalues (Glorfeld's 95th percentile,
        a little stricter), or with their mean when None (Horn's original rule).
    missing : {"listwise", "pairwise"}, default "listwise"
        As in :func:`factor_analysis`; the random data have as many rows as the
        correlations rest on.
    rng : None, int or numpy.random.Generator
        Seed or generator for the random data.

    Returns
    -------
    ParallelAnalysis
        ``eigenvalues`` (observed, random mean, random quantile), ``n_factors``,
        ``inputs`` and ``summary()``.

    Examples
    --------
    >>> from cxlib.data._survey import survey_panel
    >>> from cxlib.survey import parallel_analysis
    >>> panel = survey_panel(150, 10, rng=3)
    >>> parallel_analysis(panel.data[panel.items], n_iter=20, rng=1).n_factors
    9
    """
    import pandas as pd

    frame = check_items(items, min_items=2)
    n_iter = params.integer("n_iter", n_iter, min=1, max=10_000)
    if quantile is not None:
        quantile = params.real("quantile", quantile, min=0, max=1, min_inclusive=False, max_inclusive=False)
    missing = check_missing(missing)
    corr, n = _correlation(frame, missing)
    p = corr.shape[0]
    seed = seed_from(rng)
    gen = check_rng(seed)
    observed = np.sort(np.linalg.eigvalsh(corr))[::-1]
    random = np.empty((n_iter, p))
    for i in range(n_iter):
        z = gen.standard_normal((n, p))
        random[i] = np.sort(np.linalg.eigvalsh(np.corrcoef(z, rowvar=False)))[::-1]
    mean = random.mean(axis=0)
    q = np.quantile(random, quantile, axis=0) if quantile is not None else np.full(p, np.nan)
    threshold = mean if quantile is None else q
    above = observed > threshold
    n_factors = int(np.argmin(above)) if not above.all() else p
    table = pd.DataFrame({"observed": observed, "random_mean": mean, "random_quantile": q},
                         index=pd.RangeIndex(1, p + 1, name="component"))
    inputs = {"n": n, "p": p, "n_iter": n_iter, "quantile": quantile, "seed": seed, "missing": missing}
    return ParallelAnalysis(inputs=inputs, eigenvalues=table, n_factors=n_factors)


# ---------------------------------------------------------------------------
# Comparing loading matrices: Tucker's congruence
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Congruence:
    """Tucker's congruence coefficients between the factors of two loading matrices.

    Attributes
    ----------
    matrix : pandas.DataFrame
        phi for every pair (rows: factors of ``a``; columns: factors of ``b``).
    matched : pandas.DataFrame
        The best one-to-one matching (largest total ``|phi|``): one row per factor of ``a``
        with ``match`` (the factor of ``b``), ``sign`` (-1 when ``b``'s factor is reflected)
        and ``phi`` (after reflecting, so >= 0 for a good match).

    Examples
    --------
    >>> import numpy as np
    >>> from cxlib.survey import congruence
    >>> a = np.array([[0.8, 0.0], [0.7, 0.1], [0.0, 0.6], [0.1, 0.7]])
    >>> c = congruence(a, -a[:, ::-1])
    >>> c
    Congruence(min phi 1.000, mean 1.000 over 2 matched factors)
    >>> c.matched
       match  sign  phi
    F1    F2    -1  1.0
    F2    F1    -1  1.0
    """

    matrix: pd.DataFrame
    matched: pd.DataFrame

    @property
    def min(self) -> float:
        """The smallest phi among the matched factors (the weakest replication)."""
        return float(self.matched["phi"].min())

    @property
    def mean(self) -> float:
        """The mean phi of the matched factors."""
        return float(self.matched["phi"].mean())

    def summary(self) -> pd.DataFrame:
        """The matched pairs (``matched``)."""
        return self.matched

    def __repr__(self) -> str:
        return (f"Congruence(min phi {self.min:.3f}, mean {self.mean:.3f} over "
                f"{len(self.matched)} matched factor{'s' if len(self.matched) != 1 else ''})")


def _loading_frame(name: str, value: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(value, (FactorSolution, Rotation)):
        value = value.loadings
    if isinstance(value, pd.DataFrame):
        arr = params.array(name, value.to_numpy(), ndim=2, finite=True)
        return pd.DataFrame(arr, index=value.index, columns=[str(c) for c in value.columns])
    arr = params.array(name, value, ndim=2, finite=True)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be two-dimensional (items x factors); got an array of shape {arr.shape}")
    return pd.DataFrame(arr, columns=[f"F{j + 1}" for j in range(arr.shape[1])])


def congruence(a: Any, b: Any) -> Congruence:
    """Tucker's congruence coefficient between the factors of two loading matrices.

    ``phi(x, y) = sum(x * y) / sqrt(sum(x**2) * sum(y**2))`` for two columns of loadings
    on the same items: 1 for proportional columns, about 0.95 or more for factors
    considered equal (Lorenzo-Seva & ten Berge 2006), 0.85-0.94 for fair similarity.
    Factors come in no particular order and with arbitrary signs, so the columns are
    matched one to one to maximise the total ``|phi|`` (Hungarian algorithm), reflecting a
    column of ``b`` when its phi is negative.

    Parameters
    ----------
    a, b : pandas.DataFrame, 2-D array, FactorSolution or Rotation
        Loadings, items x factors.  Two DataFrames are aligned on their index (the same
        items, in any order); arrays must have the same number of rows.  The numbers of
        factors may differ (the smaller is matched).

    Returns
    -------
    Congruence
        ``matrix`` (all pairs), ``matched`` (the matching), ``min`` and ``mean``.

    Examples
    --------
    >>> from cxlib.data._survey import survey_panel
    >>> from cxlib.survey import congruence, factor_analysis
    >>> panel = survey_panel(150, 10, rng=3)
    >>> fit = factor_analysis(panel.data[panel.items], 9)
    >>> congruence(panel.truth["loadings"], fit)
    Congruence(min phi 0.989, mean 0.993 over 9 matched factors)
    """
    import pandas as pd
    from scipy.optimize import linear_sum_assignment

    fa, fb = _loading_frame("a", a), _loading_frame("b", b)
    if isinstance(fa.index, pd.RangeIndex) or isinstance(fb.index, pd.RangeIndex):
        if len(fa) != len(fb):
            raise ValueError(f"a and b must have the same items (rows); got {len(fa)} and {len(fb)} rows")
        fb = fb.set_axis(fa.index, axis=0)
    else:
        missing = [i for i in fa.index if i not in fb.index]
        extra = [i for i in fb.index if i not in fa.index]
        if missing or extra:
            raise ValueError(f"a and b must have the same items (rows): b lacks {params.short(missing, 60)}, "
                             f"a lacks {params.short(extra, 60)}")
        fb = fb.loc[fa.index]
    A, B = fa.to_numpy(), fb.to_numpy()
    for name, M, cols in (("a", A, fa.columns), ("b", B, fb.columns)):
        zero = ~np.any(M != 0, axis=0)
        if zero.any():
            column = cols[int(np.argmax(zero))]
            raise ValueError(f"{name} factor {column!r} has all loadings 0; congruence is undefined")
    phi = (A.T @ B) / np.sqrt(np.outer((A**2).sum(axis=0), (B**2).sum(axis=0)))
    rows, cols = linear_sum_assignment(-np.abs(phi))
    signs = np.where(phi[rows, cols] < 0, -1, 1)
    matched = pd.DataFrame({"match": fb.columns[cols], "sign": signs, "phi": np.abs(phi[rows, cols])},
                           index=fa.columns[rows])
    return Congruence(pd.DataFrame(phi, index=fa.columns, columns=fb.columns), matched)
