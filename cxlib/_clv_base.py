"""Shared machinery of the CLV models: maximum likelihood on log-parameters.

Every model in :mod:`cxlib.clv` is fitted the same way: the negative log-likelihood
(and, where practical, its analytic gradient) is written in terms of the logarithms of
the positive parameters, minimised with SciPy from several starting points when needed,
and the result is checked before it is returned.  :class:`Fit` is the common result:
``params``, standard errors (delta method from the observed information on the log
scale), ``loglik``, ``converged`` and ``summary()``.  A fit that fails, or that stops at
a point that is not a proper optimum, is never returned silently: :func:`fit_mle`
warns with :class:`ConvergenceWarning` and sets ``converged=False``, or raises
:class:`FitError` when no start gave a finite likelihood.  When the likelihood has no
finite maximiser because it keeps increasing towards a limit of the parameter space (a
:class:`Boundary`, e.g. a gamma mixing distribution whose shape and rate grow together:
no heterogeneity), the warning names that limit and ``extra["boundary"]`` records it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from cxlib._results import ModelResult

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Boundary", "ConvergenceWarning", "FitError", "Fit", "fit_mle", "numeric_hessian"]


class ConvergenceWarning(UserWarning):
    """A fit stopped without a clear optimum; its ``converged`` is False.

    Examples
    --------
    >>> import warnings
    >>> from cxlib.clv import ConvergenceWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", ConvergenceWarning)  # make a doubtful fit an error
    ...     pass
    >>> issubclass(ConvergenceWarning, UserWarning)
    True
    """


class FitError(RuntimeError):
    """No parameters could be estimated (e.g. the likelihood is not finite anywhere tried).

    Examples
    --------
    >>> from cxlib.clv import FitError
    >>> issubclass(FitError, RuntimeError)
    True
    """


@dataclass(frozen=True, repr=False)
class Fit(ModelResult):
    """A fitted CLV model (the common base of :class:`cxlib._results.ModelResult`).

    Standard errors come from the delta method on the inverse observed information on
    the log scale, and intervals are Wald intervals on the log scale (the parameters are
    positive).  ``converged`` says whether the optimiser reported success and the
    gradient is small; ``message`` holds the optimiser's message and any diagnosis.

    Examples
    --------
    >>> from cxlib import clv
    >>> fit = clv.fit_bgnbd(frequency=[0, 1, 2, 5], recency=[0, 10, 20, 30], T=[39, 39, 39, 39])
    >>> isinstance(fit, clv.Fit), fit.converged, fit.n
    (True, True, 4)
    >>> list(fit.summary().columns)
    ['estimate', 'std_error', 'ci_low', 'ci_high']
    """

    interval_scale: ClassVar[str] = "log"


@dataclass(frozen=True)
class Boundary:
    """A limit of the parameter space towards which a model's likelihood may keep increasing.

    Attributes
    ----------
    name : str
        The limit, e.g. ``"s, beta -> infinity with s/beta fixed"``.
    direction : tuple of float
        A step in log-parameters towards the limit, e.g. ``(0, 0, 1, 1)``: the last two
        parameters grow together with their ratio fixed.
    applies : callable
        ``applies(params) -> bool``: whether estimates are already near the limit.
    describe : callable
        ``describe(params) -> str``: what the limit means and which limiting model the
        data are consistent with, for the warning.
    """

    name: str
    direction: tuple[float, ...]
    applies: Callable[[np.ndarray], bool]
    describe: Callable[[np.ndarray], str]


def _find_boundary(loglik: Callable[[np.ndarray], float], x: np.ndarray,
                   boundaries: Sequence[Boundary]) -> Boundary | None:
    """The first boundary that applies at ``x`` (log-parameters) and towards which the
    log-likelihood does not decrease: two steps of a factor 10 along its direction, each
    at least as high as the point before (up to rounding)."""
    params = np.exp(x)
    here = tol = None
    for boundary in boundaries:
        if not boundary.applies(params):
            continue
        if here is None:
            here = loglik(x)
            tol = 1e-9 + 1e-11 * abs(here)
        step = np.log(10.0) * np.asarray(boundary.direction, dtype=float)
        one, two = loglik(x + step), loglik(x + 2 * step)
        if np.isfinite(one) and np.isfinite(two) and one >= here - tol and two >= one - tol:
            return boundary
    return None


def numeric_hessian(f: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of a scalar function (for standard errors)."""
    x = np.asarray(x, dtype=float)
    k = x.size
    h = step * np.maximum(1.0, np.abs(x))
    hess = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei = np.zeros(k)
            ej = np.zeros(k)
            ei[i] = h[i]
            ej[j] = h[j]
            value = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h[i] * h[j])
            hess[i, j] = hess[j, i] = value
    return hess


def fit_mle(
    model: str,
    names: Sequence[str],
    negloglik: Callable[[np.ndarray], float],
    starts: Sequence[Sequence[float]],
    *,
    gradient: Callable[[np.ndarray], np.ndarray] | None = None,
    n: int,
    fit_class: type[Fit] = Fit,
    gtol: float = 1e-4,
    extra: dict[str, Any] | None = None,
    hessian: Callable[[np.ndarray], np.ndarray] | None = None,
    min_starts: int | None = None,
    boundaries: Sequence[Boundary] = (),
) -> Fit:
    """Minimise ``negloglik`` over log-parameters from several starts; check the result.

    The objective is divided by ``n`` inside the optimiser (so that its tolerances mean
    the same for 100 and 10 million customers); the reported ``loglik`` is not scaled.
    With an analytic ``hessian`` a Newton trust-region method (``trust-exact``) is tried
    first, then BFGS, then Nelder-Mead; without, BFGS then Nelder-Mead.  A method's run
    that stops with a small gradient is accepted even when SciPy reports a loss of
    precision (common at an optimum reached to machine accuracy).

    Parameters
    ----------
    model : str
        Name for messages and the result.
    names : sequence of str
        Parameter names, in the order of the log-parameter vector.
    negloglik : callable
        ``f(log_params) -> float``: the negative log-likelihood (finite where defined,
        ``inf`` or ``nan`` elsewhere).
    starts : sequence of sequences
        Starting log-parameter vectors, tried in order; the best optimum wins.
    gradient : callable, optional
        Analytic gradient of ``negloglik`` with respect to the log-parameters.
    n : int
        Number of observations, for the result.
    fit_class : type, default Fit
        The result class (a subclass of :class:`Fit` carrying the model's predictions).
    gtol : float
        Largest acceptable gradient norm (per observation) at the optimum.
    extra : dict, optional
        Stored on the result (e.g. the data the predictions need).
    hessian : callable, optional
        Analytic Hessian of ``negloglik`` with respect to the log-parameters (requires
        ``gradient``); used by the Newton method and for the standard errors.
    min_starts : int, optional
        Try only the first ``min_starts`` starts unless none of them ends at a clean
        optimum (small gradient, positive definite Hessian); the remaining starts are then
        tried too.  Default: try every start.
    boundaries : sequence of Boundary, optional
        Limits of the parameter space where the likelihood may take its supremum.  When
        the best optimum has a small gradient, each that applies there is checked in turn
        (:class:`Boundary`; also if the Hessian is positive definite: on a flat ridge its
        smallest eigenvalue is rounding noise); the first towards which the
        log-likelihood keeps increasing is named in the warning and the message, and
        recorded as ``extra["boundary"]``.  ``converged`` is then False: there is no
        finite maximiser, and the estimates are a point on the way to the limit.

    Returns
    -------
    Fit
        Of type ``fit_class``.

    Raises
    ------
    FitError
        If no start gives a finite likelihood or every optimisation fails outright.

    Warns
    -----
    ConvergenceWarning
        If the best optimum is doubtful, or there is none (a boundary); the result then
        has ``converged=False``.
    """
    import pandas as pd
    from scipy.optimize import minimize

    scale = 1.0 / max(float(n), 1.0)

    def safe(x: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            value = float(negloglik(np.asarray(x, dtype=float)))
        return value if np.isfinite(value) else 1e300

    def scaled(x: np.ndarray) -> float:
        value = safe(x)
        return value * scale if value < 1e300 else 1e300

    def scaled_grad(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            g = np.asarray(gradient(np.asarray(x, dtype=float)), dtype=float) * scale  # type: ignore[misc]
        return np.where(np.isfinite(g), g, 0.0)

    def scaled_hess(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            h = np.asarray(hessian(np.asarray(x, dtype=float)), dtype=float) * scale  # type: ignore[misc]
        return h if np.all(np.isfinite(h)) else np.eye(h.shape[0])

    def small_gradient(x: np.ndarray) -> bool:
        if gradient is None:
            return False
        g = scaled_grad(x)
        return bool(np.all(np.isfinite(g)) and np.max(np.abs(g)) < gtol / 10)

    methods = (("trust-exact",) if (hessian is not None and gradient is not None) else ()) + ("BFGS", "Nelder-Mead")

    def clean(res: Any) -> bool:
        x = np.asarray(res.x, dtype=float)
        if not small_gradient(x):
            return False
        h = hessian(x) if hessian is not None else _gradient_hessian(gradient, x)  # type: ignore[arg-type]
        return bool(np.all(np.isfinite(h)) and np.all(np.linalg.eigvalsh((h + h.T) / 2) > 0))

    best = None
    messages = []
    for number, start in enumerate(starts):
        if min_starts is not None and number >= min_starts and best is not None and clean(best):
            break
        x0 = np.asarray(start, dtype=float)
        if scaled(x0) >= 1e300:
            messages.append(f"start {np.round(np.exp(x0), 4).tolist()}: likelihood not finite")
            continue
        for method in methods:
            kwargs: dict[str, Any] = {}
            if method == "trust-exact":
                kwargs = {"jac": scaled_grad, "hess": scaled_hess, "options": {"maxiter": 200, "gtol": gtol / 100}}
            elif method == "BFGS":
                kwargs = {"jac": scaled_grad if gradient is not None else None,
                          "options": {"maxiter": 5000, "gtol": gtol / 100}}
            else:
                kwargs = {"options": {"maxiter": 20000, "xatol": 1e-10, "fatol": 1e-14}}
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)
                warnings.simplefilter("ignore", UserWarning)
                res = minimize(scaled, x0, method=method, **kwargs)
            ok = np.isfinite(res.fun) and res.fun < 1e300
            if ok and (best is None or res.fun < best.fun - 1e-12):
                best = res
            if ok and (res.success or small_gradient(res.x)):
                break
            messages.append(f"{method} from {np.round(np.exp(x0), 4).tolist()}: {res.message}")
            if ok:
                x0 = np.asarray(res.x, dtype=float)  # the next method continues from here
    if best is None:
        raise FitError(f"{model}: no parameters could be estimated; " + "; ".join(messages))

    x = np.asarray(best.x, dtype=float)
    grad = gradient(x) if gradient is not None else _numeric_gradient(safe, x)
    grad_norm = float(np.max(np.abs(grad))) / max(n, 1)
    if hessian is not None:
        hess = np.asarray(hessian(x), dtype=float)
    elif gradient is not None:
        hess = _gradient_hessian(gradient, x)
    else:
        hess = numeric_hessian(safe, x)
    try:
        if not np.all(np.isfinite(hess)):
            raise np.linalg.LinAlgError("non-finite Hessian")
        cov_log = np.linalg.inv(hess)
        diag = np.diag(cov_log)
        se_log = np.where(diag > 0, np.sqrt(np.abs(diag)), np.nan)
        positive_definite = bool(np.all(np.linalg.eigvalsh((hess + hess.T) / 2) > 0))
    except np.linalg.LinAlgError:
        se_log = np.full(x.size, np.nan)
        positive_definite = False
    params = np.exp(x)
    converged = grad_norm < gtol and positive_definite
    message = str(best.message)
    extra = dict(extra or {})
    boundary = None
    if boundaries and grad_norm < gtol:  # also when "converged": on a flat ridge the Hessian's
        boundary = _find_boundary(lambda u: -safe(u), x, boundaries)  # sign is a matter of rounding
    if boundary is not None:
        converged = False
        why = (f"no finite maximum: the log-likelihood keeps increasing as {boundary.name}; "
               f"{boundary.describe(params)}")
        message = f"{message}; {why}"
        extra["boundary"] = boundary.name
        warnings.warn(f"{model} fit has no finite maximum-likelihood estimate (converged=False): the "
                      f"log-likelihood keeps increasing as {boundary.name}; {boundary.describe(params)}; "
                      "the estimates returned are a point on the way to that limit, not an optimum",
                      ConvergenceWarning, stacklevel=3)
    elif not converged:
        why = []
        if grad_norm >= gtol:
            why.append(f"gradient per observation {grad_norm:.2g} >= {gtol:g}")
        if not positive_definite:
            why.append("the Hessian is not positive definite (a flat or saddle point)")
        message = f"{message}; doubtful optimum: {', '.join(why) or 'optimiser reported failure'}"
        warnings.warn(f"{model} fit did not converge cleanly: {message}", ConvergenceWarning, stacklevel=3)
    return fit_class(
        model=model,
        params=pd.Series(params, index=list(names), name="estimate"),
        se=pd.Series(params * se_log, index=list(names), name="std_error"),
        loglik=-float(safe(x)),
        n=int(n),
        converged=converged,
        message=message,
        extra=extra,
    )


def _gradient_hessian(gradient: Callable[[np.ndarray], np.ndarray], x: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Central differences of an analytic gradient, symmetrised."""
    h = step * np.maximum(1.0, np.abs(x))
    cols = [(np.asarray(gradient(x + h_i * e)) - np.asarray(gradient(x - h_i * e))) / (2 * h_i)
            for e, h_i in zip(np.eye(x.size), h)]
    hess = np.column_stack(cols)
    return (hess + hess.T) / 2


def _numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-6) -> np.ndarray:
    h = step * np.maximum(1.0, np.abs(x))
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h_i) for e, h_i in zip(np.eye(x.size), h)])
