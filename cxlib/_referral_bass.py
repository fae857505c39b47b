"""The Bass diffusion model: its curve, a simulator and a least-squares fit, for :mod:`cxlib.referral`.

Bass (1969): of ``m`` eventual adopters, those who have not adopted yet do so at a rate
that grows with the share who have, ``p + q N(t) / m``: ``p`` (innovation) is adoption
from outside influence, ``q`` (imitation) from word of mouth.  In continuous time the
cumulative share is

``F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))``,

adoptions per unit time ``m f(t)`` with ``f(t) = F'(t)``, and they peak at
``t* = ln(q / p) / (p + q)`` when ``q > p`` (at 0 otherwise).  In discrete periods, the
adoptions of period ``t`` given the cumulative ``N_{t-1}`` before it are

``S_t = (p + q N_{t-1} / m) (m - N_{t-1}) = p m + (q - p) N_{t-1} - (q / m) N_{t-1}^2``,

a quadratic in ``N_{t-1}``: Bass's own estimator is the ordinary least-squares
regression ``S_t = a + b N_{t-1} + c N_{t-1}^2`` with ``m`` the positive root of
``a + b N + c N^2 = 0``, ``p = a / m`` and ``q = -c m``.

:func:`fit_bass` fits ``p``, ``q``, ``m`` by nonlinear least squares (scipy's
``least_squares`` on the log parameters, ``m`` within bounds), either on this
discrete model (``model="discrete"``, the default) or on Srinivasan & Mason's (1986)
continuous-time form, ``S_t = m (F(t) - F(t - 1))`` (``model="continuous"``).  It starts
from the OLS regression when that gives valid roots and from the best points of a grid
otherwise (and always tries a few grid points too), so that short series converge; standard
errors come from the Jacobian (``s^2 (J'J)^-1``), intervals on the log scale.

References
----------
Bass, F. M. (1969). A new product growth for model consumer durables. *Management
Science*, 15(5), 215-227.

Srinivasan, V., & Mason, C. H. (1986). Nonlinear least squares estimation of new product
diffusion models. *Marketing Science*, 5(2), 169-178.

Mahajan, V., Mason, C. H., & Srinivasan, V. (1986). An evaluation of estimation procedures
for new product diffusion models.  In V. Mahajan & Y. Wind (Eds.), *Innovation Diffusion
Models of New Product Acceptance* (pp. 203-232). Ballinger.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from cxlib import params
from cxlib._clv_base import ConvergenceWarning
from cxlib._results import ModelResult
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["BassFit", "fit_bass", "bass_curve", "simulate_bass", "BASS_MODELS"]

#: The two forms of the Bass model :func:`fit_bass` and :func:`simulate_bass` know.
BASS_MODELS: tuple[str, ...] = ("discrete", "continuous")

#: Largest ``m`` a fit may reach, as a multiple of the adopters seen (beyond it, the data say
#: nothing of ``m``: the fit reports that it did not converge).
_M_CEILING = 1000.0
_P_BOUNDS = (1e-7, 1.0)
_Q_BOUNDS = (1e-7, 10.0)


def _abc(p: Any, q: Any, m: Any) -> tuple[float, float, float]:
    p = params.real("p", p, min=0, max=1, min_inclusive=False)
    q = params.real("q", q, min=0, max=_Q_BOUNDS[1])
    m = params.real("m", m, min=0, min_inclusive=False)
    return p, q, m


def _cdf(p: float, q: float, t: np.ndarray) -> np.ndarray:
    e = np.exp(-(p + q) * np.maximum(t, 0.0))
    return (1.0 - e) / (1.0 + (q / p) * e)


def bass_curve(p: float, q: float, m: float, t: Any, *, cumulative: bool = False) -> Any:
    """The continuous-time Bass curve: adoptions per unit time ``m f(t)``, or ``m F(t)``.

    ``F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))`` and
    ``f(t) = (p + q)^2 / p * exp(-(p + q) t) / (1 + (q / p) exp(-(p + q) t))^2``, for
    ``t >= 0`` (0 before).  The rate peaks at ``t* = ln(q / p) / (p + q)`` when ``q > p``.

    Parameters
    ----------
    p : float
        Coefficient of innovation, in (0, 1].
    q : float
        Coefficient of imitation, in [0, 10].
    m : float
        Eventual number of adopters, > 0.
    t : float or array
        Times since launch.
    cumulative : bool, default False
        Return the adopters so far, ``m F(t)``, instead of the rate.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> from cxlib.referral import bass_curve
    >>> round(bass_curve(0.03, 0.38, 1000, 0.0), 6)
    30.0
    >>> bass_curve(0.03, 0.38, 1000, [5, 10, 20], cumulative=True).round(1)
    array([331.2, 812.8, 996.3])
    """
    p, q, m = _abc(p, q, m)
    cumulative = params.boolean("cumulative", cumulative)
    arr = params.array("t", t, "a time or an array of times", finite=True)
    if cumulative:
        out = m * _cdf(p, q, arr)
    else:
        e = np.exp(-(p + q) * np.maximum(arr, 0.0))
        out = np.where(arr >= 0, m * (p + q) ** 2 / p * e / (1.0 + (q / p) * e) ** 2, 0.0)
    return float(out) if np.ndim(out) == 0 else out


def _peak(p: float, q: float) -> float:
    return math.log(q / p) / (p + q) if q > p else 0.0


def simulate_bass(
    p: float,
    q: float,
    m: int,
    periods: int,
    *,
    model: str = "discrete",
    rng: None | int | np.random.Generator = None,
) -> np.ndarray:
    """Adoptions per period of ``m`` potential adopters who follow the Bass model.

    ``model="discrete"``: in period ``t`` each of the ``m - N_{t-1}`` who have not adopted
    does so with probability ``min(1, p + q N_{t-1} / m)``, so
    ``S_t ~ Binomial(m - N_{t-1}, p + q N_{t-1} / m)``: the discrete Bass model with
    binomial noise (its conditional mean is the model :func:`fit_bass` fits by default).
    ``model="continuous"``: each adopter's adoption time is drawn from the Bass
    distribution ``F``, and ``S_t`` counts those in ``(t - 1, t]``
    (multinomial, mean ``m (F(t) - F(t - 1))``: Srinivasan & Mason's form).

    Parameters
    ----------
    p, q : float
        Coefficients of innovation (0, 1] and imitation [0, 10].
    m : int
        Potential adopters (1 to 1e12).
    periods : int
        Periods simulated (1 to 10,000).
    model : {"discrete", "continuous"}, default "discrete"
    rng : None, int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray
        ``periods`` integers: adoptions in periods 1, 2, ...

    Examples
    --------
    >>> from cxlib.referral import simulate_bass
    >>> s = simulate_bass(0.03, 0.38, 10_000, 15, rng=1)
    >>> s[:5].tolist(), int(s.argmax()) + 1
    ([294, 371, 517, 698, 805], 8)
    """
    p, q, _ = _abc(p, q, m)
    m_int = params.integer("m", m, min=1, max=10**12)
    t_max = params.integer("periods", periods, min=1, max=10_000)
    how = params.choice("model", model, BASS_MODELS)
    gen = check_rng(rng)
    if how == "continuous":
        edges = _cdf(p, q, np.arange(t_max + 1, dtype=float))
        probs = np.diff(edges)
        counts = gen.multinomial(m_int, np.append(probs, max(0.0, 1.0 - probs.sum())))
        return counts[:-1].astype(np.int64)
    out = np.zeros(t_max, dtype=np.int64)
    n = 0
    for t in range(t_max):
        hazard = min(1.0, p + q * n / m_int)
        out[t] = gen.binomial(m_int - n, hazard)
        n += int(out[t])
    return out


def _ols_start(s: np.ndarray, prev: np.ndarray) -> tuple[float, float, float] | None:
    """Bass's (1969) regression ``S_t = a + b N_{t-1} + c N_{t-1}^2``; (p, q, m) when its roots are valid."""
    x = np.column_stack([np.ones_like(prev), prev, prev ** 2])
    scale = max(float(prev.max()), 1.0)
    xs = x / np.array([1.0, scale, scale ** 2])
    coef, *_ = np.linalg.lstsq(xs, s, rcond=None)
    a, b, c = coef[0], coef[1] / scale, coef[2] / scale ** 2
    if not (a > 0 and c < 0):
        return None
    disc = b * b - 4 * a * c
    m = (-b - math.sqrt(disc)) / (2 * c)  # disc > 0 since a > 0 > c; the positive root
    if not (m > 0 and math.isfinite(m)):
        return None
    return a / m, -c * m, m


class _Problem:
    """Residuals of one Bass form on one series, in log parameters."""

    def __init__(self, s: np.ndarray, how: str) -> None:
        self.s = s
        self.how = how
        self.prev = np.concatenate([[0.0], np.cumsum(s)[:-1]])
        self.tau = np.arange(1, s.size + 1, dtype=float)

    def expected(self, p: Any, q: Any, m: Any) -> np.ndarray:
        """Expected adoptions of each period; broadcasts over leading axes of p, q, m."""
        p, q, m = (np.asarray(v, dtype=float)[..., None] for v in (p, q, m))
        if self.how == "discrete":
            return (p + q * self.prev / m) * (m - self.prev)
        e1 = np.exp(-(p + q) * self.tau)
        e0 = np.exp(-(p + q) * (self.tau - 1))
        return m * ((1 - e1) / (1 + (q / p) * e1) - (1 - e0) / (1 + (q / p) * e0))

    def residuals(self, x: np.ndarray) -> np.ndarray:
        p, q, m = np.exp(x)
        return self.expected(p, q, m).ravel() - self.s


def _bounds(problem: _Problem) -> tuple[np.ndarray, np.ndarray]:
    """Log-parameter bounds: ``m`` from its floor (discrete: the adopters before the last
    period, so that no period's remaining market is negative; continuous: 1% of the adopters
    seen) to 1000 times the adopters seen."""
    total = max(float(problem.s.sum()), 1.0)
    floor = max(float(problem.prev[-1]), 1.0) if problem.how == "discrete" else 0.01 * total
    lo = np.log([_P_BOUNDS[0], _Q_BOUNDS[0], floor])
    hi = np.log([_P_BOUNDS[1], _Q_BOUNDS[1], _M_CEILING * total])
    return lo, hi


def _starts(problem: _Problem, total: float, n_best: int = 3) -> list[tuple[str, np.ndarray]]:
    lo, hi = _bounds(problem)
    starts: list[tuple[str, np.ndarray]] = []
    ols = _ols_start(problem.s, problem.prev)
    if ols is not None:
        starts.append(("OLS regression (Bass 1969)", np.clip(np.log(ols), lo + 1e-9, hi - 1e-9)))
    grid_p = np.geomspace(1e-4, 0.3, 9)
    grid_q = np.geomspace(0.01, 3.0, 11)
    grid_m = total * np.array([0.95, 1.05, 1.3, 2.0, 4.0, 10.0, 50.0])
    p, q, m = np.meshgrid(grid_p, grid_q, grid_m, indexing="ij")
    with np.errstate(over="ignore", invalid="ignore"):
        rss = np.nansum((problem.expected(p, q, m) - problem.s) ** 2, axis=-1)
    order = np.argsort(rss, axis=None)[:n_best]
    for flat in order:
        i = np.unravel_index(flat, rss.shape)
        starts.append(("grid", np.clip(np.log([p[i], q[i], m[i]]), lo + 1e-9, hi - 1e-9)))
    return starts


@dataclass(frozen=True, repr=False)
class BassFit(ModelResult):
    """A fitted Bass model: ``p``, ``q``, ``m`` with standard errors, predictions and the peak.

    A :class:`cxlib._results.ModelResult`: ``params`` and ``se`` (delta method from the
    least-squares Jacobian on the log scale), ``loglik`` under normal errors of constant
    variance, intervals on the log scale (the parameters are positive).

    Attributes
    ----------
    model_form : str
        ``"discrete"`` or ``"continuous"``.
    rss : float
        Residual sum of squares.
    times, adoptions, fitted : numpy.ndarray
        The periods (in the units given), the adoptions and the fitted values.
    origin : float
        Start of the first period: ``times[0] - 1``.  Model time ``t`` is ``times - origin``.

    Examples
    --------
    >>> from cxlib.referral import fit_bass, simulate_bass
    >>> fit = fit_bass(simulate_bass(0.03, 0.38, 10_000, 15, rng=1))
    >>> fit
    BassFit(Bass (discrete): p=0.03002, q=0.3748, m=1e+04; loglik=-67.63, n=15)
    >>> round(fit.peak_time(), 2), fit.predict([1, 2]).round(1).tolist()
    (6.24, [300.3, 400.4])
    """

    model_form: str = "discrete"
    rss: float = math.nan
    times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    adoptions: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fitted: np.ndarray = field(default_factory=lambda: np.zeros(0))
    origin: float = 0.0

    interval_scale: ClassVar[str] = "log"

    def _pqm(self) -> tuple[float, float, float]:
        return float(self.params["p"]), float(self.params["q"]), float(self.params["m"])

    def predict(self, t: Any, *, cumulative: bool = False) -> np.ndarray:
        """Expected adoptions in the periods ending at ``t`` (units of ``times``), or the
        cumulative adopters by then.

        The continuous form gives ``m (F(tau) - F(tau - 1))`` with ``tau = t - origin``; the
        discrete form runs the deterministic recursion
        ``N_tau = N_{tau-1} + min(1, p + q N_{tau-1} / m)(m - N_{tau-1})`` from ``N_0 = 0``
        (the share adopting in a period is at most 1), so ``t`` must fall on whole periods.
        """
        p, q, m = self._pqm()
        cumulative = params.boolean("cumulative", cumulative)
        arr = np.atleast_1d(params.array("t", t, "a period or an array of periods", finite=True))
        tau = arr - self.origin
        params.elements("t", arr, tau < 0, f"at or after the start of the first period ({self.origin:g})")
        if self.model_form == "continuous":
            now = m * _cdf(p, q, tau)
            return now if cumulative else now - m * _cdf(p, q, tau - 1)
        params.elements("t", arr, tau != np.round(tau), "whole periods for the discrete model")
        steps = int(tau.max()) if tau.size else 0
        path = np.zeros(steps + 1)
        for i in range(1, steps + 1):
            n = path[i - 1]
            path[i] = n + min(1.0, p + q * n / m) * (m - n)
        idx = tau.astype(int)
        return path[idx] if cumulative else path[idx] - path[np.maximum(idx - 1, 0)]

    def peak_time(self) -> float:
        """When adoptions peak, ``origin + ln(q / p) / (p + q)`` (``origin`` when ``q <= p``)."""
        p, q, _ = self._pqm()
        return self.origin + _peak(p, q)

    @property
    def peak_time_se(self) -> float:
        """Standard error of :meth:`peak_time` (delta method; NaN when ``q <= p``)."""
        p, q, _ = self._pqm()
        cov = self.extra.get("cov_log")
        if q <= p or cov is None:
            return math.nan
        t = _peak(p, q)
        grad = np.array([-(1 + p * t) / (p + q), (1 - q * t) / (p + q), 0.0])
        return float(math.sqrt(max(grad @ cov @ grad, 0.0)))

    def residuals(self) -> np.ndarray:
        """Adoptions less fitted values."""
        return self.adoptions - self.fitted

    def table(self) -> pd.DataFrame:
        """One row per period: ``time``, ``adoptions``, ``fitted``, ``cumulative``."""
        import pandas as pd

        return pd.DataFrame({"time": self.times, "adoptions": self.adoptions, "fitted": self.fitted,
                             "cumulative": np.cumsum(self.adoptions)})


def fit_bass(
    adoptions: Any,
    times: Any = None,
    *,
    model: str = "discrete",
) -> BassFit:
    """Fit the Bass diffusion model to adoptions per period by nonlinear least squares.

    ``model="discrete"`` (default) fits ``S_t = (p + q N_{t-1} / m)(m - N_{t-1})`` with
    ``N_{t-1}`` the adoptions before period ``t`` (0 before the first: the series must
    start at launch); ``model="continuous"`` fits Srinivasan & Mason's (1986)
    ``S_t = m (F(t) - F(t - 1))``.  Least squares in ``log p``, ``log q``, ``log m``
    (scipy's ``least_squares``, trust region reflective) with ``m`` at most 1000 times the
    adopters seen and at least, in the discrete form, the adopters before the last period
    (no period's remaining market may be negative; in the continuous form, 1% of the adopters
    seen: its least-squares ``m`` may fall below the adopters seen when a series has run
    out).  It starts from Bass's OLS regression when its roots are valid and from the
    best points of a grid, keeping the best optimum.  A fit that ends on a bound (``m``
    at its ceiling: the series stops before adoptions slow down and does not pin ``m``
    down; at its floor: the series has run out faster than the model allows), or whose
    Jacobian is singular, warns (:class:`cxlib.clv.ConvergenceWarning`) and has
    ``converged`` False; its standard errors are then not to be trusted.

    Parameters
    ----------
    adoptions : sequence of float
        Adoptions (sales to first-time buyers) in consecutive periods, from launch; at
        least 3, all >= 0, not all 0.
    times : sequence of int, optional
        The periods' labels (e.g. years), consecutive whole numbers; default 1, 2, ...
        ``peak_time()`` and ``predict()`` use the same units.
    model : {"discrete", "continuous"}, default "discrete"

    Returns
    -------
    BassFit

    Raises
    ------
    ValueError
        Fewer than 3 periods, negative, missing or all-zero adoptions, ``times`` of
        another length or not consecutive.

    Examples
    --------
    >>> from cxlib.referral import fit_bass
    >>> yugo = [3895, 35910, 48617, 31583, 10391, 5659, 2509, 1311]  # US sales, 1985-1992
    >>> fit = fit_bass(yugo, times=range(1985, 1993), model="continuous")
    >>> fit.summary().round(4)
          estimate  std_error       ci_low      ci_high
    p       0.0347     0.0100       0.0196       0.0612
    q       1.4709     0.1540       1.1980       1.8059
    m  136784.2196  9242.7342  119817.1297  156153.9888
    >>> round(fit.peak_time(), 2)  # during 1986 (1985 is the first period, ending at 1985)
    1986.49
    >>> fit_bass([10, -2, 30])
    Traceback (most recent call last):
    ...
    ValueError: adoptions must be >= 0; got -2.0 at position 1
    """
    import pandas as pd
    from scipy.optimize import least_squares

    s = np.atleast_1d(params.array("adoptions", adoptions, "adoptions per period (numbers >= 0)", ndim=1))
    if s.size < 3:
        raise ValueError(f"fit_bass needs at least 3 periods of adoptions (3 parameters); got {s.size}")
    params.elements("adoptions", s, np.isnan(s), "numbers >= 0, without missing periods")
    params.elements("adoptions", s, ~np.isfinite(s), "finite")
    params.elements("adoptions", s, s < 0, ">= 0")
    if not np.any(s > 0):
        raise ValueError("adoptions are all 0; the Bass model needs some adoptions to fit")
    how = params.choice("model", model, BASS_MODELS)
    if times is None:
        t = np.arange(1, s.size + 1, dtype=float)
    else:
        t = np.atleast_1d(params.array("times", times, "consecutive whole periods (e.g. years)", ndim=1,
                                       finite=True))
        if t.size != s.size:
            raise ValueError(f"times must have one period per adoption count; got {t.size} times and {s.size} counts")
        params.elements("times", t[1:], np.diff(t) != 1, "consecutive whole periods (each 1 after the last)")
    origin = float(t[0] - 1)

    problem = _Problem(s, how)
    total = float(s.sum())
    lo, hi = _bounds(problem)
    best = None
    tried = []
    for label, x0 in _starts(problem, total):
        with np.errstate(over="ignore", invalid="ignore"):
            res = least_squares(problem.residuals, x0, bounds=(lo, hi), method="trf", x_scale=1.0,
                                xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
        tried.append(label)
        if np.isfinite(res.cost) and (best is None or res.cost < best[1].cost * (1 - 1e-12)):
            best = (label, res)
    assert best is not None
    label, res = best
    x = res.x
    p, q, m = np.exp(x)
    resid = res.fun
    rss = float(resid @ resid)
    n = s.size
    jac = res.jac
    dof = n - 3
    low_edge, high_edge = np.abs(x - lo) < 1e-6, np.abs(x - hi) < 1e-6
    at_bound = bool(np.any(low_edge | high_edge))
    cov = None
    singular = False
    try:
        info = jac.T @ jac
        if np.linalg.cond(info) > 1e14:
            singular = True
        else:
            cov = np.linalg.inv(info) * (rss / dof if dof > 0 else math.nan)
    except np.linalg.LinAlgError:  # pragma: no cover
        singular = True
    if cov is not None and np.all(np.isfinite(cov)):
        se_log = np.sqrt(np.clip(np.diag(cov), 0, None))
        se = np.array([p, q, m]) * se_log
    else:
        se = np.full(3, math.nan)
    message = f"least_squares: {res.message} (best start: {label}; tried {len(tried)})"
    converged = bool(res.status > 0) and not at_bound and not singular
    if high_edge[2]:
        message += (f"; m ran into its ceiling ({_M_CEILING:g} times the adopters seen): the series does not "
                    "identify m (it stops before adoptions slow down)")
    if low_edge[2]:
        message += ("; m is at its floor, the adopters before the last period: the series looks exhausted and the "
                    "least-squares m would be lower (try model='continuous')")
    edges = [f"{nm} at its {'floor' if lo_ else 'ceiling'}" for nm, lo_, hi_ in zip("pq", low_edge, high_edge)
             if lo_ or hi_]
    if edges:
        message += f"; {', '.join(edges)}: the series does not identify it"
    if singular:
        message += "; the Jacobian is singular: the parameters are not identified"
    if not converged:
        warnings.warn(f"Bass fit did not converge cleanly: {message}", ConvergenceWarning, stacklevel=2)
    loglik = -0.5 * n * (math.log(2 * math.pi * rss / n) + 1) if rss > 0 else math.inf
    fitted = problem.expected(p, q, m).ravel()
    return BassFit(
        f"Bass ({how})",
        pd.Series({"p": p, "q": q, "m": m}, dtype=float),
        pd.Series(dict(zip("pqm", se)), dtype=float),
        loglik=loglik,
        n=n,
        converged=converged,
        message=message,
        extra={"cov_log": cov, "starts": tried},
        model_form=how,
        rss=rss,
        times=t,
        adoptions=s,
        fitted=fitted,
        origin=origin,
    )
