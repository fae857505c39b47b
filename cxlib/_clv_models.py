"""Buy-till-you-die purchase models (BG/NBD, Pareto/NBD), the Gamma-Gamma spend model, CLV.

Every model is fitted by maximum likelihood on the logarithms of its positive parameters
with :func:`cxlib._clv_base.fit_mle`.  The data are the usual calibration summary of a
cohort: for each customer the number of *repeat* purchases ``frequency`` (x), the time of
the last one ``recency`` (t_x, measured from the first purchase) and the customer's age
``T`` at the end of calibration, all in the same time unit (weeks in the CDNOW examples).
Identical (x, t_x, T) rows are merged into weights before fitting, so the cost of a fit
grows with the number of *distinct* histories, not with the number of customers.

Numerical notes
---------------
* BG/NBD: log-likelihood in log space (``gammaln``, ``betaln`` and a soft-plus for the
  two-term sum) with analytic gradient and Hessian on the log-parameters; fitted by a
  Newton trust-region method.  Very large data (more than 300,000 distinct rows; 30,000
  for the Pareto/NBD) are first fitted on a fixed random subsample of rows, whose optimum
  starts the full fit.
* Pareto/NBD: the double integral over the gamma mixing distributions reduces to
  ``∫_{t_x}^{T} (alpha+τ)^-(r+x) (beta+τ)^-(s+1) dτ``, written as a difference of two
  Gauss hypergeometric tails ``2F1(a, p_s; a+1; z)`` in log space (the case split
  alpha >= beta vs alpha < beta of Fader & Hardie's note, so that 0 <= z < 1).  Values
  come from ``hyp2f1`` (Euler's transformation if it overflows) for z <= 0.85, and from
  a graded Gauss-Legendre quadrature of the Euler integral nearer z = 1, where ``hyp2f1``
  loses accuracy (~1e-7) or fails.  Gradient and Hessian are analytic given the
  derivatives of the tails with respect to their parameters, which have no closed form:
  they come from the power series of 2F1 (z <= 0.5), summed term by term with running
  sums on chunks of pairs that each stop when their own terms are negligible, or as
  moments of the same quadrature, so the Pareto/NBD is fitted by Newton steps too; it
  stops after the first start that ends at a clean optimum.  Per-pair Hessians are never
  stored: only their weighted sum is formed.  Tails are evaluated once per distinct
  (x, t_x) and (x, T) pair.  For the value, the factor ``beta^s`` is taken into each
  tail (``log1p``) rather than added to the sum over customers, so the likelihood stays
  accurate far along a ridge s, beta -> infinity.  Checked against brute-force
  integration over the mixing distributions in the tests.
* No finite maximum: some data sets have none (e.g. one common dropout rate fits at
  least as well as any gamma-distributed one: the likelihood keeps increasing as s and
  beta grow with s/beta fixed).  The fitters name such limits (:class:`Boundary`): when
  the optimiser stops with a small gradient near one and the log-likelihood does not
  fall along it, the fit warns, says which limiting model the data are consistent with,
  and has ``converged=False``, even if the Hessian there passed as positive definite by
  rounding.
* Gamma-Gamma: closed-form log-likelihood of the mean spend with analytic gradient and
  Hessian.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers" the easy
way: An alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.

Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using iso-value
curves for customer base analysis. Journal of Marketing Research, 42(4), 415-430.

Fader, P. S., & Hardie, B. G. S. (2005). A note on deriving the Pareto/NBD model and
related expressions. http://brucehardie.com/notes/009/

Fader, P. S., & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
http://brucehardie.com/notes/025/

Schmittlein, D. C., Morrison, D. G., & Colombo, R. (1987). Counting your customers: Who
are they and what will they do next? Management Science, 33(1), 1-24.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as _params
from cxlib._clv_base import Boundary, Fit, fit_mle
from cxlib._rng import check_rng


class _SciPySpecial:
    """``scipy.special``, imported at first use: importing cxlib.clv stays cheap (scipy
    takes a fifth of a second to import and installs a warnings filter of its own)."""

    def __getattr__(self, name: str) -> Any:
        from scipy import special

        return getattr(special, name)


sp = _SciPySpecial()

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "BGNBDFit",
    "GammaGammaFit",
    "ParetoNBDFit",
    "customer_lifetime_value",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
    "simulate_pareto_nbd",
]

ArrayLike = Any

#: Above this many distinct rows the BG/NBD is first fitted on a subsample of rows.
_SUBSAMPLE_ABOVE = 300_000
_SUBSAMPLE_SIZE = 100_000

# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _vector(name: str, value: ArrayLike, any_shape: bool = False) -> np.ndarray:
    """``value`` as a finite float array of dimension 0 or 1 (any dimension with ``any_shape``)."""
    return _params.array(name, value, ndim=None if any_shape else 1, finite=True)


def _nonnegative(name: str, arr: np.ndarray) -> None:
    _params.elements(name, arr, arr < 0, ">= 0")


def _counts(name: str, arr: np.ndarray) -> None:
    _nonnegative(name, arr)
    _params.elements(name, arr, arr != np.round(arr), "whole numbers (counts of repeat purchases)")


def _same_length(names: tuple[str, ...], arrays: tuple[np.ndarray, ...]) -> int:
    sizes = [a.size for a in arrays if a.ndim == 1]
    if len(set(sizes)) > 1:
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        got = ", ".join(str(a.size) if a.ndim else "scalar" for a in arrays[:-1])
        last = arrays[-1]
        got += " and " + (str(last.size) if last.ndim else "scalar")
        raise ValueError(f"{listed} must have the same length; got {got}")
    n = sizes[0] if sizes else 1
    if sizes and n == 0:
        raise ValueError(f"{names[0]} is empty; at least one customer is needed")
    return n


def _broadcast(names: tuple[str, ...], arrays: tuple[np.ndarray, ...]) -> None:
    if all(a.ndim <= 1 for a in arrays):
        _same_length(names, arrays)
        return
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{listed} must have the same length or broadcast together; got shapes {shapes}") from None


def _check_rfm(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike,
               any_shape: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate a calibration summary; scalars (and, for predictions, arrays) broadcast."""
    x = _vector("frequency", frequency, any_shape)
    tx = _vector("recency", recency, any_shape)
    age = _vector("T", T, any_shape)
    _broadcast(("frequency", "recency", "T"), (x, tx, age))
    _counts("frequency", x)
    _nonnegative("recency", tx)
    _nonnegative("T", age)
    x, tx, age = np.broadcast_arrays(x, tx, age)
    bad = tx > age * (1 + 1e-12) + 1e-12
    if bad.any():
        raise ValueError(
            f"recency must be <= T (the customer's age); got recency={_params.where(tx, bad)}, "
            f"where T={float(age[_params.first(bad)])!r}"
        )
    _params.elements("recency", tx, (x == 0) & (tx > 0), "0 when frequency is 0 (no repeat purchase)")
    return x, np.minimum(tx, age), age


def _check_weights(weights: ArrayLike | None, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = _vector("weights", weights)
    if w.ndim == 0 or w.size != n:
        got = "a scalar" if w.ndim == 0 else f"length {w.size}"
        raise ValueError(f"weights must be an array with one weight per customer ({n}); got {got}")
    _nonnegative("weights", w)
    if not w.sum() > 0:
        raise ValueError("weights must not all be 0")
    return w


def _check_t(name: str, t: ArrayLike) -> np.ndarray:
    arr = _vector(name, t, any_shape=True)
    _nonnegative(name, arr)
    return arr


def _positive(name: str, value: Any) -> float:
    return _params.real(name, value, min=0, min_inclusive=False)


def _wrap(result: np.ndarray, *inputs: Any) -> Any:
    """A float for scalar inputs, a pandas Series when an input was one, else the array."""
    for item in inputs:
        if hasattr(item, "index") and hasattr(item, "iloc") and np.ndim(item) == 1:
            import pandas as pd

            if len(item) == result.size:
                return pd.Series(result, index=item.index)
    if result.ndim == 0:
        return float(result)
    return result


# ---------------------------------------------------------------------------
# Compression of identical rows
# ---------------------------------------------------------------------------


def _compress(columns: list[np.ndarray], weights: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of ``columns`` with summed weights (rows of weight 0 dropped).

    The same result as ``np.unique(np.column_stack(columns), axis=0)`` with the weights
    summed per row, up to the order of the rows, but by hashing (``pandas.factorize``)
    rather than sorting: about ten times faster on millions of rows.
    """
    import pandas as pd

    keep = weights > 0
    if not keep.all():
        columns = [c[keep] for c in columns]
        weights = weights[keep]
    if weights.size == 0:
        return columns, weights
    n = weights.size
    code = np.zeros(n, dtype=np.int64)
    for number, col in enumerate(columns):
        col_code, uniques = pd.factorize(col)
        if number == 0 and len(uniques) == n:  # all rows distinct already: nothing to merge
            return columns, weights
        code = code * len(uniques) + col_code
        code, uniques = pd.factorize(code)
        code = np.asarray(code, dtype=np.int64)
    groups = len(uniques)
    if groups == n:
        return columns, weights
    first = np.empty(groups, dtype=np.int64)
    first[code[::-1]] = np.arange(n - 1, -1, -1)
    summed = np.bincount(code, weights=weights, minlength=groups)
    return [c[first] for c in columns], summed


def _compressed_rfm(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, weights: ArrayLike | None):
    x, tx, age = _check_rfm(frequency, recency, T)
    x, tx, age = (np.atleast_1d(a).astype(float) for a in (x, tx, age))
    w = _check_weights(weights, x.size)
    # Customers without repeat purchase differ only by T; the others are compared on
    # recency first (often all distinct in simulated data, which ends the work early).
    zero = x == 0
    (age0,), w0 = _compress([age[zero]], w[zero])
    (tx1, x1, age1), w1 = _compress([tx[~zero], x[~zero], age[~zero]], w[~zero])
    x = np.concatenate([np.zeros(age0.size), x1])
    return x, np.concatenate([np.zeros(age0.size), tx1]), np.concatenate([age0, age1]), np.concatenate([w0, w1])


def _log1mexp(z: np.ndarray) -> np.ndarray:
    """``log(1 - exp(z))`` for ``z <= 0``, accurate near 0 and for very negative ``z``."""
    z = np.minimum(z, 0.0)
    with np.errstate(divide="ignore"):
        return np.where(z > -0.693147, np.log(-np.expm1(z)), np.log1p(-np.exp(z)))


# ---------------------------------------------------------------------------
# BG/NBD
# ---------------------------------------------------------------------------


class _BGNBDLikelihood:
    """BG/NBD negative log-likelihood, gradient and Hessian in log-parameters.

    Rows with no repeat purchase contribute ``r log(alpha / (alpha + T))``; the others
    ``K(x) - (r + x) log(alpha + T) + softplus(d)`` with
    ``K(x) = lnΓ(r+x) - lnΓ(r) + r ln alpha + ln B(a, b+x) - ln B(a, b)`` and
    ``d = ln(a / (b+x-1)) + (r+x) ln((alpha+T) / (alpha+t_x))`` (FHL 2005a, eq. 6).
    Terms depending on x alone are evaluated once per distinct x.
    """

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        zero = x == 0
        self.T0 = T[zero]
        self.w0 = w[zero]
        self.W0 = float(self.w0.sum())
        pos = ~zero
        self.x = x[pos]
        self.tx = tx[pos]
        self.T = T[pos]
        self.w = w[pos]
        self.ux, self.xi = np.unique(self.x, return_inverse=True)
        self.Wx = np.bincount(self.xi, weights=self.w, minlength=self.ux.size)
        self._key: bytes | None = None
        self._level = -1
        self._cache: dict[str, Any] = {}

    def _evaluate(self, u: np.ndarray, level: int) -> None:
        key = np.asarray(u, dtype=float).tobytes()
        if key == self._key and self._level >= level:
            return
        if key != self._key:
            self._cache = {}
            self._level = -1
        c = self._cache
        r, al, a, b = np.exp(u)
        ux, xi, Wx, w = self.ux, self.xi, self.Wx, self.w
        if self._level < 0:
            L0 = np.log(al + self.T0)
            K = sp.gammaln(r + ux) - sp.gammaln(r) + r * np.log(al) + _log_beta_ratio(a, b, ux)
            LT = np.log(al + self.T)
            Ltx = np.log(al + self.tx)
            rx = r + self.x
            d = (np.log(a) - np.log(b + (ux - 1)))[xi] + rx * (LT - Ltx)
            ll = r * (self.W0 * np.log(al) - self.w0 @ L0) + Wx @ K + w @ (np.logaddexp(0.0, d) - rx * LT)
            c.update(L0=L0, LT=LT, Ltx=Ltx, rx=rx, d=d, value=-float(ll))
            self._key, self._level = key, 0
        if level >= 1 and self._level < 1:
            L0, LT, Ltx, rx, d = c["L0"], c["LT"], c["Ltx"], c["rx"], c["d"]
            p2 = sp.expit(d)
            iaT = 1.0 / (al + self.T)
            iatx = 1.0 / (al + self.tx)
            iaT0 = 1.0 / (al + self.T0)
            S2x = np.bincount(xi, weights=w * p2, minlength=ux.size)
            psi_ab = sp.digamma(a + b)
            psi_abx = sp.digamma(a + b + ux)
            g = np.empty(4)
            g[0] = (self.W0 * np.log(al) - self.w0 @ L0 + Wx @ (sp.digamma(r + ux) - sp.digamma(r) + np.log(al))
                    - w @ LT + (w * p2) @ (LT - Ltx))
            g[1] = (r * (self.W0 / al - self.w0 @ iaT0) + Wx.sum() * r / al
                    + w @ (rx * (p2 * (iaT - iatx) - iaT)))
            g[2] = Wx @ (psi_ab - psi_abx) + S2x.sum() / a
            g[3] = Wx @ (sp.digamma(b + ux) - sp.digamma(b) + psi_ab - psi_abx) - S2x @ (1.0 / (b + (ux - 1)))
            c.update(p2=p2, iaT=iaT, iatx=iatx, iaT0=iaT0, S2x=S2x, g=g)
            self._level = 1
        if level >= 2 and self._level < 2:
            LT, Ltx, rx = c["LT"], c["Ltx"], c["rx"]
            p2, iaT, iatx, iaT0, S2x, g = c["p2"], c["iaT"], c["iatx"], c["iaT0"], c["S2x"], c["g"]
            wq = w * p2 * (1.0 - p2)
            dr = LT - Ltx
            dal = rx * (iaT - iatx)
            db_x = -1.0 / (b + (ux - 1))
            Qx = np.bincount(xi, weights=wq, minlength=ux.size)
            Qr = np.bincount(xi, weights=wq * dr, minlength=ux.size)
            Qal = np.bincount(xi, weights=wq * dal, minlength=ux.size)
            tri_ab = sp.polygamma(1, a + b)
            tri_abx = sp.polygamma(1, a + b + ux)
            H = np.zeros((4, 4))
            H[0, 0] = Wx @ (sp.polygamma(1, r + ux) - sp.polygamma(1, r)) + wq @ (dr * dr)
            H[0, 1] = (self.W0 / al - self.w0 @ iaT0 + Wx.sum() / al - w @ iaT + (w * p2) @ (iaT - iatx)
                       + wq @ (dr * dal))
            H[1, 1] = (-r * (self.W0 / al**2 - self.w0 @ (iaT0 * iaT0)) - Wx.sum() * r / al**2
                       + w @ (rx * iaT * iaT) - (w * p2) @ (rx * (iaT * iaT - iatx * iatx)) + wq @ (dal * dal))
            H[0, 2] = Qr.sum() / a
            H[1, 2] = Qal.sum() / a
            H[0, 3] = Qr @ db_x
            H[1, 3] = Qal @ db_x
            H[2, 2] = Wx @ (tri_ab - tri_abx) - S2x.sum() / a**2 + Qx.sum() / a**2
            H[2, 3] = Wx @ (tri_ab - tri_abx) + (Qx @ db_x) / a
            H[3, 3] = (Wx @ (sp.polygamma(1, b + ux) - sp.polygamma(1, b) + tri_ab - tri_abx)
                       + S2x @ (db_x * db_x) + Qx @ (db_x * db_x))
            H = np.triu(H) + np.triu(H, 1).T
            c["H"] = H
            self._level = 2

    def value(self, u: np.ndarray) -> float:
        self._evaluate(u, 0)
        return self._cache["value"]

    def gradient(self, u: np.ndarray) -> np.ndarray:
        self._evaluate(u, 1)
        theta = np.exp(u)
        return -theta * self._cache["g"]

    def hessian(self, u: np.ndarray) -> np.ndarray:
        self._evaluate(u, 2)
        theta = np.exp(u)
        g = self._cache["g"]
        H = self._cache["H"]
        return -(np.outer(theta, theta) * H + np.diag(theta * g))


def _starts_rate(x: np.ndarray, T: np.ndarray, w: np.ndarray) -> float:
    """Repeat purchases per unit of time in the data (for starting values)."""
    total_t = float(w @ T)
    rate = float(w @ x) / total_t if total_t > 0 else 1.0
    return max(rate, 1e-3 / max(float(w @ T) / float(w.sum()), 1e-9), 1e-12)


class BGNBDFit(Fit):
    """A fitted BG/NBD model (Fader, Hardie & Lee 2005a): parameters ``r, alpha, a, b``.

    Purchases of an active customer follow a Poisson process with rate
    ``lambda ~ Gamma(r, alpha)`` (shape, rate); after each repeat purchase the customer
    becomes inactive with probability ``p ~ Beta(a, b)``.  Times are in the unit of the
    data the model was fitted to.  See :class:`cxlib.clv.Fit` for the attributes.

    Examples
    --------
    >>> from cxlib.clv import BGNBDFit
    >>> fit = BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)  # CDNOW, FHL 2005
    >>> round(float(fit.expected_purchases(39)), 3)  # repeat purchases of a new customer in 39 weeks
    1.197
    >>> round(float(fit.p_alive(frequency=2, recency=30.43, T=38.86)), 3)
    0.727
    """

    def _p(self) -> tuple[float, float, float, float]:
        return tuple(float(v) for v in self.params[["r", "alpha", "a", "b"]])  # type: ignore[return-value]

    def expected_purchases(self, t: ArrayLike) -> Any:
        """Expected number of repeat purchases ``E[X(t)]`` of a new customer in ``(0, t]``.

        FHL (2005a), eq. 9: ``(a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]``.

        Parameters
        ----------
        t : float or array_like
            Time since the first purchase (>= 0).

        Returns
        -------
        float, numpy.ndarray or pandas.Series

        Examples
        --------
        >>> fit = BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(fit.expected_purchases(52), 2)
        1.45
        """
        t = _check_t("t", t)
        return _wrap(_bgnbd_conditional(self._p(), t, np.zeros_like(t), np.zeros_like(t), np.zeros_like(t)), t)

    def conditional_expected_purchases(self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike,
                                       T: ArrayLike) -> Any:
        """Expected repeat purchases in ``(T, T + t]`` given a customer's history (FHL 2005a, eq. 10).

        Parameters
        ----------
        t : float or array_like
            Length of the forecast period (>= 0).
        frequency, recency, T : float or array_like
            The customer's calibration summary (x, t_x, T); arrays broadcast.

        Returns
        -------
        float, numpy.ndarray or pandas.Series

        Examples
        --------
        >>> fit = BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(fit.conditional_expected_purchases(39, frequency=2, recency=30, T=39), 2)
        1.21
        >>> fit.conditional_expected_purchases(0, 2, 30, 39)
        0.0
        """
        t = _check_t("t", t)
        x, tx, age = _check_rfm(frequency, recency, T, any_shape=True)
        _broadcast(("t", "frequency"), (t, x))
        return _wrap(_bgnbd_conditional(self._p(), t, x, tx, age), frequency, recency, T, t)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:
        """Probability that a customer with history (x, t_x, T) is still active at T.

        ``1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))`` (FHL 2005a and
        their 2008 note on P(alive)); 1 for customers without a repeat purchase.

        Examples
        --------
        >>> fit = BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(fit.p_alive(frequency=2, recency=10, T=39), 3)
        0.267
        >>> fit.p_alive(0, 0, 39)
        1.0
        """
        x, tx, age = _check_rfm(frequency, recency, T, any_shape=True)
        return _wrap(_bgnbd_p_alive(self._p(), x, tx, age), frequency, recency, T)

    def simulate(self, n_customers: int, T: ArrayLike, rng: None | int | np.random.Generator = None) -> pd.DataFrame:
        """Synthetic customers from the fitted parameters; see :func:`simulate_bgnbd`.

        Examples
        --------
        >>> fit = BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> fit.simulate(3, T=39, rng=1).columns.tolist()
        ['frequency', 'recency', 'T', 'lam', 'p', 'alive']
        """
        r, al, a, b = self._p()
        return simulate_bgnbd(r, al, a, b, n_customers, T, rng=rng)


def _log_beta_ratio(a: float, b: float, ux: np.ndarray) -> np.ndarray:
    """``log B(a, b + x) - log B(a, b)`` for whole ``x >= 0``, without cancellation.

    ``betaln(a, b + x) - betaln(a, b)`` loses every digit when ``a`` or ``b`` is huge
    (an optimiser exploring ``a = 1e36`` then sees a *positive* log-likelihood).  As a
    ratio of rising factorials, ``prod_{k<x} (b+k)/(a+b+k)``, it is
    ``-sum_{k<x} log1p(a/(b+k))``: a sum of terms of one sign, accurate for huge and for
    tiny a and b alike (the ridge a, b -> 0 of a dropout probability that is 0 or 1).
    """
    ux = np.asarray(ux)
    n_max = int(ux.max()) if ux.size else 0
    k = np.arange(n_max, dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(np.log1p(a / (b + k)))])
    return -cum[ux.astype(np.int64)]


def _bgnbd_p_alive(p: tuple[float, ...], x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    r, al, a, b = p
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = np.log(a) - np.log(np.maximum(b + (x - 1), 1e-300)) + (r + x) * (np.log(al + T) - np.log(al + tx))
    return np.where(x > 0, sp.expit(-log_odds), 1.0)


def _bgnbd_conditional(p: tuple[float, ...], t: np.ndarray, x: np.ndarray, tx: np.ndarray,
                       T: np.ndarray) -> np.ndarray:
    """FHL (2005a) eq. 10, with Euler's transformation of the 2F1 (no overflow for large x).

    ``(a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; t/(alpha+T+t))]``
    times P(alive); at ``a = 1`` (0/0) the limit is taken by symmetric interpolation.
    """
    r, al, a, b = p
    t, x, tx, T = np.broadcast_arrays(t, x, tx, T)

    def bracket(a_: float) -> np.ndarray:
        z = t / (al + T + t)
        with np.errstate(divide="ignore", invalid="ignore"):
            lead = np.exp((a_ - 1) * (np.log(al + T) - np.log(al + T + t)))
            h = sp.hyp2f1(a_ + b - 1 - r, a_ - 1, a_ + b + x - 1, z)
            return (a_ + b + x - 1) / (a_ - 1) * (1.0 - lead * h)

    eps = 1e-5
    if abs(a - 1) < eps:
        value = 0.5 * (bracket(1 - eps) + bracket(1 + eps))
    else:
        value = bracket(a)
    return np.where(t > 0, value * _bgnbd_p_alive(p, x, tx, T), 0.0)


def _warm_starts(likelihood: type, model: str, names: list[str], starts: list[np.ndarray], x: np.ndarray,
                 tx: np.ndarray, age: np.ndarray, w: np.ndarray, above: int, size: int) -> list[np.ndarray]:
    """For many distinct rows: the optimum on a fixed random subsample of rows, as the only start.

    Rows are kept with probability ``min(1, c w)`` and reweighted by its inverse
    (Horvitz-Thompson), so heavy rows (e.g. all customers of a cohort without repeat
    purchase) are always kept and the subsample log-likelihood is unbiased for the full
    one; the full data then need only a few Newton steps.  If the subsample fit is not
    clean, the usual starts are returned unchanged.
    """
    if x.size <= above:
        return starts
    n = float(w.sum())
    keep_p = np.minimum(1.0, w * (size / n))
    pick = check_rng(20050301).random(x.size) < keep_p
    sub = likelihood(x[pick], tx[pick], age[pick], w[pick] / keep_p[pick])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = fit_mle(model, names, sub.value, starts, gradient=sub.gradient, hessian=sub.hessian, n=n,
                        min_starts=1)
    return [np.log(first.params.to_numpy())] if first.converged else starts


def _rate_boundary(names: tuple[str, str]) -> Boundary:
    """Gamma-distributed purchase rates with shape and rate -> infinity: one rate for all."""
    return Boundary(
        f"{names[0]}, {names[1]} -> infinity with {names[0]}/{names[1]} fixed",
        (1.0, 1.0, 0.0, 0.0),
        lambda p: p[0] >= 10,
        lambda p: (f"the data are consistent with one purchase rate for all customers, lambda = r/alpha = "
                   f"{p[0] / p[1]:.4g} per unit of time (no heterogeneity in purchase rates)"),
    )


def _bgnbd_boundaries(x: np.ndarray, w: np.ndarray) -> list[Boundary]:
    """Limits where the BG/NBD likelihood can take its supremum (checked where a fit stops
    with a small gradient).

    None without repeat purchases: then nothing but ``r/alpha -> 0`` is identified."""
    repeats = float(w @ x)
    if repeats <= 0:
        return []
    return [
        Boundary(
            "a/(a+b) -> 0 (the probability of dropping out after a purchase)",
            (0.0, 0.0, 0.0, 1.0),
            lambda p: p[2] / (p[2] + p[3]) * repeats < 0.01,
            lambda p: (f"the data are consistent with no dropout at all (the estimates expect "
                       f"{p[2] / (p[2] + p[3]) * repeats:.2g} dropouts after the {repeats:,.0f} repeat purchases); "
                       f"fit the limiting model instead, the NBD (gamma-Poisson purchases, nobody drops out): "
                       f"r = {p[0]:.4g} and alpha = {p[1]:.4g} approximate its estimates"),
        ),
        Boundary(
            "a, b -> 0 with a/(a+b) fixed",
            (0.0, 0.0, -1.0, -1.0),
            lambda p: max(p[2], p[3]) <= 0.01,
            lambda p: (f"the data are consistent with a dropout probability that is 0 or 1: a share a/(a+b) = "
                       f"{p[2] / (p[2] + p[3]):.4g} of the customers drop out at their first repeat purchase, the "
                       "others never; fit that two-group model instead"),
        ),
        Boundary(
            "a, b -> infinity with a/(a+b) fixed",
            (0.0, 0.0, 1.0, 1.0),
            lambda p: min(p[2], p[3]) >= 10,
            lambda p: (f"the data are consistent with one dropout probability for all customers, p = a/(a+b) = "
                       f"{p[2] / (p[2] + p[3]):.4g} (no heterogeneity in dropout); fit the limiting model, "
                       "with a common p, instead"),
        ),
        _rate_boundary(("r", "alpha")),
    ]


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, weights: ArrayLike | None = None) -> BGNBDFit:
    """Fit the BG/NBD model (Fader, Hardie & Lee 2005a) by maximum likelihood.

    Parameters
    ----------
    frequency : array_like
        Number of repeat purchases in the calibration period, x (whole numbers >= 0).
    recency : array_like
        Time of the last repeat purchase since the first purchase, t_x (0 if x = 0).
    T : array_like
        Time from the first purchase to the end of calibration (the customer's age).
    weights : array_like, optional
        Number of customers with each row (default 1 each).  Identical rows are merged
        into weights automatically in any case.

    Returns
    -------
    BGNBDFit
        With ``params`` (r, alpha, a, b), ``se``, ``loglik``, ``converged``, ``summary()``
        and the model's predictions.

    Raises
    ------
    ValueError, TypeError
        On invalid data, with a one-line message naming the argument.

    Warns
    -----
    ConvergenceWarning
        If the optimum is doubtful (the result then has ``converged=False``), or if there
        is none because the likelihood keeps increasing towards a limit of the parameter
        space: no dropout (a/(a+b) -> 0), a dropout probability of 0 or 1 (a, b -> 0 with
        a/(a+b) fixed), one dropout probability for all (a, b -> infinity with a/(a+b)
        fixed) or one purchase rate for all (r, alpha -> infinity with r/alpha fixed).
        The warning names the limit and the limiting model the data are consistent with;
        ``extra["boundary"]`` records it.

    Examples
    --------
    >>> sim = simulate_bgnbd(0.25, 4.0, 0.8, 2.5, n_customers=5000, T=39, rng=1)
    >>> fit = fit_bgnbd(sim["frequency"], sim["recency"], sim["T"])
    >>> fit.params.round(2).to_dict()
    {'r': 0.24, 'alpha': 3.76, 'a': 0.8, 'b': 2.63}
    >>> fit.converged
    True
    """
    x, tx, age, w = _compressed_rfm(frequency, recency, T, weights)
    n = float(w.sum())
    rate = _starts_rate(x, age, w)
    starts = [
        np.log([1.0, 1.0 / rate, 1.0, 1.0]),
        np.log([0.3, 0.3 / rate, 0.5, 3.0]),
        np.log([3.0, 3.0 / rate, 2.0, 10.0]),
    ]
    names = ["r", "alpha", "a", "b"]
    starts = _warm_starts(_BGNBDLikelihood, "BG/NBD", names, starts, x, tx, age, w, _SUBSAMPLE_ABOVE, _SUBSAMPLE_SIZE)
    lik = _BGNBDLikelihood(x, tx, age, w)
    return fit_mle(  # type: ignore[return-value]
        "BG/NBD", names, lik.value, starts, gradient=lik.gradient, hessian=lik.hessian, n=n,
        min_starts=1, fit_class=BGNBDFit, extra={"n_rows": int(x.size)}, boundaries=_bgnbd_boundaries(x, w),
    )


# ---------------------------------------------------------------------------
# Pareto/NBD
# ---------------------------------------------------------------------------


def _group(columns: list[np.ndarray]) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of ``columns`` and, for each row, the index of its distinct row."""
    import pandas as pd

    n = columns[0].size
    code = np.zeros(n, dtype=np.int64)
    for col in columns:
        col_code, uniques = pd.factorize(col)
        code = code * len(uniques) + col_code
        code, uniques = pd.factorize(code)
        code = np.asarray(code, dtype=np.int64)
    groups = len(uniques)
    first = np.empty(groups, dtype=np.int64)
    first[code[::-1]] = np.arange(n - 1, -1, -1)
    return [c[first] for c in columns], code


_GL_X, _GL_W = np.polynomial.legendre.leggauss(10)


def _quadrature_parts(a: np.ndarray, ps: np.ndarray, z: np.ndarray, derivatives: bool = True,
                      one_minus_z: np.ndarray | None = None):
    """``ln F`` for ``F = ∫_0^∞ exp(-a v) (1 - z exp(-v))^(-p_s) dv = 2F1(p_s, a; a+1; z) / a``
    (0 <= z < 1), and (unless ``derivatives=False``) the derivatives of F with respect to
    (a, p_s, z) divided by F.

    A composite 10-point Gauss-Legendre rule on panels graded geometrically (ratio 2) from
    a scale ``delta`` below every feature of the integrand (the kink of width ``(1-z)/z``
    at 0, the decay scales ``1/a`` and ``1/p_s``) up to ``40/a``, beyond which the rest is
    below ``exp(-40)`` of the whole.  Derivatives are moments of the same rule.  Elements
    are processed in chunks sorted by the number of panels they need.  Agrees with the
    power series to ~1e-15 (value) and ~1e-11 (derivatives) where both apply; used where
    the series converges slowly (z near 1), where ``hyp2f1`` loses accuracy.  ``one_minus_z``,
    ``1 - z`` computed without cancellation (e.g. ``(c+y)/(d+y)``), keeps ``ln(1 - z e^-v)``
    accurate when z is within rounding of 1 and ``p_s`` is large (``p_s (1-z)`` need not be
    small: along the ridge s, beta -> infinity of the Pareto/NBD it is not).
    """
    omz = 1 - np.asarray(z, dtype=float) if one_minus_z is None else one_minus_z
    a, ps, z, omz = (np.asarray(v, dtype=float).ravel() for v in np.broadcast_arrays(a, ps, z, omz))
    n = a.size
    log_f = np.empty(n)
    Fv = np.empty((n, 3))
    Fvv = np.empty((n, 3, 3))
    if n == 0:
        return log_f, Fv, Fvv
    with np.errstate(divide="ignore"):
        log_z = np.where(z > 0.5, np.log1p(-omz), np.log(z))
    eps = omz / np.maximum(z, 1e-300)
    delta = np.minimum(np.minimum(eps, 1.0), 1.0 / a) / (16 * np.maximum(1.0, ps / 4))
    panels = np.clip(np.ceil(np.log2(40.0 / a / delta)), 1, 1100).astype(int)
    order = np.argsort(panels, kind="stable")
    for lo in range(0, n, 2048):
        idx = order[lo : lo + 2048]
        J = int(panels[idx].max())
        edges = np.concatenate([[0.0], 2.0 ** np.arange(J + 1)])  # in units of delta
        rel = ((edges[:-1, None] + edges[1:, None]) / 2 + (edges[1:, None] - edges[:-1, None]) / 2 * _GL_X).ravel()
        log_w = np.log(((edges[1:, None] - edges[:-1, None]) / 2 * _GL_W).ravel())
        ac, pc, lzc, dc = a[idx, None], ps[idx, None], log_z[idx, None], delta[idx, None]
        v = dc * rel
        one_minus = -np.expm1(lzc - v)  # 1 - z e^-v, accurate near v = 0 and z = 1
        log_one_minus = np.log(one_minus)
        log_g = -ac * v - pc * log_one_minus + log_w + np.log(dc)
        total = sp.logsumexp(log_g, axis=1)
        log_f[idx] = total
        if not derivatives:
            continue
        pi = np.exp(log_g - total[:, None])
        d_a = -v
        d_p = -log_one_minus
        q = np.exp(-v) / one_minus
        d_z = pc * q
        Fv[idx] = np.stack([(pi * d_a).sum(1), (pi * d_p).sum(1), (pi * d_z).sum(1)], axis=1)
        block = np.empty((idx.size, 3, 3))
        block[:, 0, 0] = (pi * d_a * d_a).sum(1)
        block[:, 0, 1] = block[:, 1, 0] = (pi * d_a * d_p).sum(1)
        block[:, 0, 2] = block[:, 2, 0] = (pi * d_a * d_z).sum(1)
        block[:, 1, 1] = (pi * d_p * d_p).sum(1)
        block[:, 1, 2] = block[:, 2, 1] = (pi * (d_p * d_z + q)).sum(1)
        block[:, 2, 2] = (pi * (d_z * d_z + pc * q * q)).sum(1)
        Fvv[idx] = block
    return log_f, Fv, Fvv


def _log_tail(m: np.ndarray, n: Any, al: Any, be: Any, y: np.ndarray, scaled: bool = False) -> np.ndarray:
    """``log G(y) = log ∫_y^∞ (alpha+τ)^-m (beta+τ)^-n dτ``, elementwise with broadcasting.

    With ``d = max(alpha, beta)``, ``c = min(alpha, beta)``, ``p_s`` the exponent of the
    smaller base and ``p_l`` the other, ``a = m + n - 1`` and ``z = (d-c)/(d+y)`` in [0, 1):
    ``G = (d+y)^-a 2F1(a, p_s; a+1; z) / a`` (the case split alpha >= beta vs alpha < beta
    of FHL's note, eqs. 19-20), computed in logs with ``hyp2f1`` where z <= 0.85 and
    p_s z <= 40 (by Euler's transformation,
    ``(d+y)^-a ((c+y)/(d+y))^(1-p_s) 2F1(1, p_l; a+1; z) / a``, should it overflow), and
    elsewhere, where ``hyp2f1`` overflows or loses accuracy, by the graded quadrature of
    ``F = ∫_0^∞ e^(-a v) (1 - z e^(-v))^(-p_s) dv`` (:func:`_quadrature_parts`).

    With ``scaled=True`` the result is ``log G + (n-1) ln beta``, with the leading factor
    written as ``-m ln(d+y) - (n-1) ln((d+y)/beta)`` (``log1p``): the Pareto/NBD
    likelihood has the factor ``beta^s`` (n = s+1), and adding ``s ln beta`` to the sum over
    customers instead would cancel all but a few digits when s and beta are large (where
    an optimiser walks on a ridge s, beta -> infinity).
    """
    m, n, al, be, y = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (m, n, al, be, y)))
    a = m + n - 1
    first = al >= be
    d = np.where(first, al, be)
    c = np.where(first, be, al)
    ps = np.where(first, n, m)
    z = (d - c) / (d + y)
    log_dy = np.log(d + y)
    if scaled:  # -a ln(d+y) + (n-1) ln beta, without cancellation
        lead = -m * log_dy - (n - 1) * np.log1p((d - be + y) / be)
    else:
        lead = -a * log_dy
    hard = (z > 0.85) | (ps * z > 40)
    out = np.empty(a.shape)
    with np.errstate(all="ignore"):
        easy = ~hard
        if easy.any():
            ae, pe, ze = a[easy], ps[easy], z[easy]
            h = sp.hyp2f1(ae, pe, ae + 1, ze)
            value = lead[easy] + np.log(h) - np.log(ae)
            bad = ~(np.isfinite(value) & (h >= 1))
            if bad.any():
                ab, zb, pb = ae[bad], ze[bad], pe[bad]
                pl = np.where(first, m, n)[easy][bad]
                ldb = log_dy[easy][bad]
                h2 = sp.hyp2f1(1.0, pl, ab + 1, zb)
                lb = lead[easy][bad]
                alt = lb + (1 - pb) * (np.log(c[easy][bad] + y[easy][bad]) - ldb) + np.log(h2) - np.log(ab)
                still = ~(np.isfinite(alt) & (h2 >= 1))
                if still.any():
                    omz = ((c + y) / (d + y))[easy][bad][still]
                    alt[still] = lb[still] + _quadrature_parts(ab[still], pb[still], zb[still], False,
                                                                             omz)[0]
                value[bad] = alt
            out[easy] = value
        if hard.any():
            omz = (c[hard] + y[hard]) / (d[hard] + y[hard])
            out[hard] = lead[hard] + _quadrature_parts(a[hard], ps[hard], z[hard], False, omz)[0]
    return out


def _pareto_terms(p: tuple[float, ...], x: np.ndarray, tx: np.ndarray, T: np.ndarray,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per customer: ``log E1 = -(r+x) ln(alpha+T) - s ln(beta+T)`` and ``log(s I)``, where
    ``I = ∫_{t_x}^T (alpha+τ)^-(r+x) (beta+τ)^-(s+1) dτ``; the likelihood is
    ``Γ(r+x) alpha^r beta^s / Γ(r) (E1 + s I)``."""
    r, al, s, be = p
    (gx1, gy1), i1 = _group([x, tx])
    (gx2, gy2), i2 = _group([x, T])
    lg1 = _log_tail(r + gx1, s + 1, al, be, gy1)[i1]
    lg2 = _log_tail(r + gx2, s + 1, al, be, gy2)[i2]
    log_e1 = (-(r + gx2) * np.log(al + gy2) - s * np.log(be + gy2))[i2]
    return log_e1, np.log(s) + lg1 + _log1mexp(lg2 - lg1)


def _series_derivatives(a: np.ndarray, ps: np.ndarray, z: np.ndarray, chunk: int = 8192,
                        tol: float = 1e-17) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``F = sum_k (p_s)_k z^k / (k! (a+k))`` and its first and second derivatives with
    respect to (a, p_s, z), divided by F (for z < 1; meant for z <= 0.5).

    Summed term by term over k with running sums (every term of every sum is >= 0), on
    chunks of elements sorted by the number of terms they need, so each chunk stops as
    soon as its own latest terms are below ``tol`` of its sums, past the largest term
    and where the terms shrink by a factor of at least 0.75 a step.  With
    ``t_k = (p_s)_k z^k / k!``, ``e_k = 1/(a+k)``, ``H_k = sum_{j<k} 1/(p_s+j)`` (and
    ``H2_k`` of squares), ``u_k = t_k k / z`` and ``v_k = t_k k (k-1) / z^2``:
    ``F_a = -sum t e^2``, ``F_p = sum t e H``, ``F_z = sum u e``, ``F_aa = 2 sum t e^3``,
    ``F_ap = -sum t e^2 H``, ``F_az = -sum u e^2``, ``F_pp = sum t e (H^2 - H2)``,
    ``F_pz = sum u e H``, ``F_zz = sum v e``.
    """
    a, ps, z = (np.asarray(v, dtype=float).ravel() for v in (a, ps, z))
    n = a.size
    F_all = np.empty(n)
    Fv = np.empty((n, 3))
    Fvv = np.empty((n, 3, 3))
    if n == 0:
        return F_all, Fv, Fvv
    with np.errstate(divide="ignore"):
        peak = np.maximum((ps * z - 1) / (1 - z), 0.0)  # index of the largest term
        order = np.argsort(peak + 40.0 / np.maximum(-np.log(z), 1e-3), kind="stable")
    for lo in range(0, n, chunk):
        idx = order[lo : lo + chunk]
        ac, pc, zc = a[idx], ps[idx], z[idx]
        k_peak = float(peak[idx].max())
        size = idx.size
        t, u, v, H, H2 = np.ones(size), np.zeros(size), np.zeros(size), np.zeros(size), np.zeros(size)
        S0, S1, S2, SH, SeH, SHH, Su, Sue, SuH, Sv = np.zeros((10, size))
        e, te, ue, tmp, pk = np.empty((5, size))
        k = 0
        while True:
            np.add(ac, k, out=e)
            np.reciprocal(e, out=e)
            np.multiply(t, e, out=te)
            S0 += te
            np.multiply(te, H, out=tmp)
            SH += tmp
            tmp *= e
            SeH += tmp
            np.multiply(H, H, out=tmp)
            tmp -= H2
            tmp *= te
            SHH += tmp
            if k > k_peak + 2 and k % 4 == 3:
                small = (np.all(te * (1 + H * H) <= tol * np.where(SHH > 0, np.minimum(S0, SHH), S0))
                         and np.all(u * e <= tol * Su) and np.all(v * e <= tol * Sv))
                if small and float(np.max((pc + k) * zc)) < 0.75 * (k + 1):
                    k = -1  # done after this term
            te *= e
            S1 += te
            te *= e
            S2 += te
            np.multiply(u, e, out=ue)
            Su += ue
            np.multiply(ue, H, out=tmp)
            SuH += tmp
            ue *= e
            Sue += ue
            np.multiply(v, e, out=tmp)
            Sv += tmp
            if k < 0 or k >= 20_000:
                break
            np.add(pc, k, out=pk)
            np.multiply(u, pk, out=v)  # v_{k+1} = u_k (p_s + k)
            np.multiply(t, pk, out=u)  # u_{k+1} = t_k (p_s + k)
            np.multiply(u, zc, out=t)
            t /= k + 1  # t_{k+1} = t_k (p_s + k) z / (k + 1)
            np.reciprocal(pk, out=pk)
            H += pk
            pk *= pk
            H2 += pk
            k += 1
        inv = 1.0 / S0
        F_all[idx] = S0
        Fv[idx] = np.stack([-S1 * inv, SH * inv, Su * inv], axis=1)
        block = np.empty((size, 3, 3))
        block[:, 0, 0] = 2 * S2 * inv
        block[:, 0, 1] = block[:, 1, 0] = -SeH * inv
        block[:, 0, 2] = block[:, 2, 0] = -Sue * inv
        block[:, 1, 1] = SHH * inv
        block[:, 1, 2] = block[:, 2, 1] = SuH * inv
        block[:, 2, 2] = Sv * inv
        Fvv[idx] = block
    return F_all, Fv, Fvv


class _TailDerivatives:
    """``log G`` at a set of (x, y) pairs with its gradient with respect to theta = (r, alpha,
    s, beta) per pair, and weighted sums of the per-pair Hessians (see :func:`_log_tail_derivatives`).

    The Hessians are never stored per pair: the likelihood needs only
    ``sum_i c_i (H_i + g_i g_i')``, which :meth:`hessian_sum` forms from a few weighted
    dot products and 4 x 4 matrix products (the Jacobian of (a, p_s, z) with respect to
    theta has at most two non-zero entries a row).
    """

    def __init__(self, lg, grad, gF, Fv, Fvv, a, dy, cy, i_d, i_c, i_ps):
        self.lg, self.grad, self.gF, self.Fv, self.Fvv = lg, grad, gF, Fv, Fvv
        self.a, self.dy, self.cy, self.i_d, self.i_c, self.i_ps = a, dy, cy, i_d, i_c, i_ps

    @property
    def finite(self) -> bool:
        return bool(np.all(np.isfinite(self.lg)) and np.all(np.isfinite(self.grad))
                    and np.all(np.isfinite(self.Fvv)))

    def hessian_sum(self, c: np.ndarray) -> np.ndarray:
        """``sum_i c_i (H_i + g_i g_i')`` with ``g_i``, ``H_i`` the gradient and Hessian of log G."""
        grad, gF, Fv, Fvv, dy = self.grad, self.gF, self.Fv, self.Fvv, self.dy
        i_d, i_c = self.i_d, self.i_c
        out = (grad * c[:, None]).T @ grad - (gF * c[:, None]).T @ gF
        ja = np.array([1.0, 0.0, 1.0, 0.0])  # d a / d theta
        jp = np.zeros(4)  # d p_s / d theta
        jp[self.i_ps] = 1.0
        zd = self.cy / dy**2  # d z / d d and d z / d c (z = (d - c) / (d + y))
        zc = -1.0 / dy
        out += (c @ Fvv[:, 0, 0]) * np.outer(ja, ja) + (c @ Fvv[:, 1, 1]) * np.outer(jp, jp)
        cross = (c @ Fvv[:, 0, 1]) * np.outer(ja, jp)
        for j, cw in ((ja, c * Fvv[:, 0, 2]), (jp, c * Fvv[:, 1, 2])):
            vz = np.zeros(4)
            vz[i_d], vz[i_c] = cw @ zd, cw @ zc
            cross += np.outer(j, vz)
        czz = c * Fvv[:, 2, 2]
        cross[i_d, i_d] += 0.5 * (czz @ (zd * zd))
        cross[i_c, i_c] += 0.5 * (czz @ (zc * zc))
        cross[i_d, i_c] += czz @ (zd * zc)
        # the terms of -a ln(d+y) and of z's second derivatives
        cross[:, i_d] -= (c @ (1.0 / dy)) * ja
        cz = c * Fv[:, 2]
        cross[i_d, i_d] += 0.5 * (c @ (self.a / dy**2) - 2 * (cz @ (self.cy / dy**3)))
        cross[i_d, i_c] += cz @ (1.0 / dy**2)
        return out + cross + cross.T


def _log_tail_derivatives(r: float, al: float, s: float, be: float, x: np.ndarray, y: np.ndarray,
                          ) -> _TailDerivatives:
    """``log G`` (see :func:`_log_tail`, with m = r + x, n = s + 1) and its derivatives with
    respect to theta = (r, alpha, s, beta): see :class:`_TailDerivatives`.

    ``log G = -a ln(d+y) + ln F`` with ``F = 2F1(a, p_s; a+1; z) / a``.  The derivatives of
    F with respect to (a, p_s, z) come from its power series
    ``sum_k (p_s)_k z^k / (k! (a+k))`` where that converges fast (z <= 0.5, p_s z <= 20),
    else from the graded quadrature of :func:`_quadrature_parts`; the chain rule does the rest.
    """
    m = r + x
    a = m + s
    if al >= be:
        d, c, ps, i_d, i_c, i_ps = al, be, np.full_like(m, s + 1), 1, 3, 2
    else:
        d, c, ps, i_d, i_c, i_ps = be, al, m, 3, 1, 0
    dy = d + y
    cy = c + y
    z = (d - c) / dy
    log_f = np.empty(m.size)
    Fv = np.empty((m.size, 3))
    Fvv = np.empty((m.size, 3, 3))
    hard = (z > 0.5) | (ps * z > 20)  # where the quadrature is cheaper than the series
    easy = ~hard
    if easy.any():
        F, Fv[easy], Fvv[easy] = _series_derivatives(a[easy], ps[easy], z[easy])
        log_f[easy] = np.log(F)
    if hard.any():
        log_f[hard], Fv[hard], Fvv[hard] = _quadrature_parts(a[hard], ps[hard], z[hard], True, cy[hard] / dy[hard])
    D = np.log(dy)
    # gradient of ln F through (a, p_s, z): a = r + x + s, p_s = s + 1 or r + x, z(d, c)
    gF = np.zeros((m.size, 4))
    gF[:, 0] = Fv[:, 0]
    gF[:, 2] = Fv[:, 0]
    gF[:, i_ps] += Fv[:, 1]
    gF[:, i_d] += Fv[:, 2] * cy / dy**2
    gF[:, i_c] -= Fv[:, 2] / dy
    grad = gF.copy()
    grad[:, 0] -= D
    grad[:, 2] -= D
    grad[:, i_d] -= a / dy
    return _TailDerivatives(-a * D + log_f, grad, gF, Fv, Fvv, a, dy, cy, i_d, i_c, i_ps)


class _ParetoNBDLikelihood:
    """Pareto/NBD negative log-likelihood in log-parameters, with gradient and Hessian.

    The value uses :func:`_log_tail` (``hyp2f1``); gradient and Hessian are analytic given
    the derivatives of the hypergeometric tails (:func:`_log_tail_derivatives`: power
    series, or graded quadrature near z = 1), with central differences only as a safety
    net should those be non-finite.  The tails are evaluated once per distinct (x, t_x)
    and (x, T) pair.
    """

    step = 1e-5

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.x, self.tx, self.T, self.w = x, tx, T, w
        self.W = float(w.sum())
        (self.gx1, self.gy1), self.i1 = _group([x, tx])
        (self.gx2, self.gy2), self.i2 = _group([x, T])
        self.ux, xi = np.unique(x, return_inverse=True)
        self.Wx = np.bincount(xi, weights=w, minlength=self.ux.size)
        self._key: bytes | None = None
        self._cache: dict[str, Any] = {}

    def _loglik(self, U: np.ndarray) -> np.ndarray:
        """Log-likelihoods at the rows of ``U`` (k x 4 log-parameters)."""
        theta = np.exp(np.atleast_2d(U))
        r, al, s, be = (theta[:, j : j + 1] for j in range(4))
        # Both terms carry the factor beta^s (scaled tails; log E1 + s ln beta with log1p).
        lg1 = _log_tail(r + self.gx1, s + 1, al, be, self.gy1, scaled=True)[:, self.i1]
        lg2 = _log_tail(r + self.gx2, s + 1, al, be, self.gy2, scaled=True)[:, self.i2]
        log_e1 = (-(r + self.gx2) * np.log(al + self.gy2) - s * np.log1p(self.gy2 / be))[:, self.i2]
        log_si = np.log(s) + lg1 + _log1mexp(lg2 - lg1)
        r, al, s, be = (v[:, 0] for v in (r, al, s, be))
        return (np.logaddexp(log_e1, log_si) @ self.w + sp.gammaln(r[:, None] + self.ux) @ self.Wx
                + self.W * (r * np.log(al) - sp.gammaln(r)))

    def value(self, u: np.ndarray) -> float:
        return -float(self._loglik(u)[0])

    def _exact(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Gradient and Hessian of the log-likelihood in natural parameters, or None."""
        key = np.asarray(u, dtype=float).tobytes()
        if key == self._key:
            return self._cache.get("exact")
        self._key, self._cache = key, {}
        r, al, s, be = (float(v) for v in np.exp(u))
        one = _log_tail_derivatives(r, al, s, be, self.gx1, self.gy1)
        two = _log_tail_derivatives(r, al, s, be, self.gx2, self.gy2)
        if not (one.finite and two.finite):
            self._cache["exact"] = None
            return None
        i1, i2 = self.i1, self.i2
        lg1, g1 = one.lg[i1], one.grad[i1]
        lg2, g2 = two.lg[i2], two.grad[i2]
        x, T, w = self.x, self.T, self.w
        rho = np.exp(np.minimum(lg2 - lg1, 0.0))
        has_i = rho < 1
        q = np.where(has_i, 1.0 / np.where(has_i, 1 - rho, 1.0), 0.0)
        g_i = (g1 - rho[:, None] * g2) * q[:, None]  # gradient of log I
        log_e1 = -(r + x) * np.log(al + T) - s * np.log(be + T)
        log_si = np.log(s) + lg1 + _log1mexp(lg2 - lg1)
        pi_b = sp.expit(log_si - log_e1)  # weight of the "died before T" term
        pi_a = 1 - pi_b
        g_a = np.stack([-np.log(al + T), -(r + x) / (al + T), -np.log(be + T), -s / (be + T)], axis=1)
        g_b = g_i.copy()
        g_b[:, 2] += 1.0 / s
        diff = g_a - g_b
        grad = w @ (pi_a[:, None] * g_a + pi_b[:, None] * g_b)
        # Hessian of log I = [(H1 + g1 g1') - rho (H2 + g2 g2')] / (1 - rho) - g_I g_I', summed with
        # weights w pi_b; the pair-level matrices are summed per pair first.
        c1 = np.bincount(i1, weights=w * pi_b * q, minlength=one.lg.size)
        c2 = np.bincount(i2, weights=w * pi_b * q * rho, minlength=two.lg.size)
        hess = one.hessian_sum(c1) - two.hessian_sum(c2)
        hess -= (g_i * (w * pi_b)[:, None]).T @ g_i
        hess[2, 2] -= float(w @ pi_b) / s**2
        hess += (diff * (w * pi_a * pi_b)[:, None]).T @ diff
        wa = w * pi_a
        hess[0, 1] += -(wa @ (1.0 / (al + T)))
        hess[1, 1] += wa @ ((r + x) / (al + T) ** 2)
        hess[2, 3] += -(wa @ (1.0 / (be + T)))
        hess[3, 3] += wa @ (s / (be + T) ** 2)
        hess[1, 0], hess[3, 2] = hess[0, 1], hess[2, 3]
        # Terms of Γ(r+x) alpha^r beta^s / Γ(r).
        ux, Wx, W = self.ux, self.Wx, self.W
        grad += np.array([Wx @ sp.digamma(r + ux) - W * sp.digamma(r) + W * np.log(al), W * r / al,
                          W * np.log(be), W * s / be])
        hess[0, 0] += Wx @ sp.polygamma(1, r + ux) - W * sp.polygamma(1, r)
        hess[0, 1] += W / al
        hess[1, 0] += W / al
        hess[1, 1] -= W * r / al**2
        hess[2, 3] += W / be
        hess[3, 2] += W / be
        hess[3, 3] -= W * s / be**2
        self._cache["exact"] = (grad, hess)
        return grad, hess

    def gradient(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        exact = self._exact(u)
        if exact is not None:
            return -np.exp(u) * exact[0]
        h = self.step * np.maximum(1.0, np.abs(u))
        E = np.diag(h)
        ll = self._loglik(np.vstack([u + E, u - E]))
        return -(ll[:4] - ll[4:]) / (2 * h)

    def hessian(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        exact = self._exact(u)
        if exact is not None:
            theta = np.exp(u)
            g, H = exact
            return -(np.outer(theta, theta) * H + np.diag(theta * g))
        h = 1e-4 * np.maximum(1.0, np.abs(u))
        cols = [(self.gradient(u + h_i * e) - self.gradient(u - h_i * e)) / (2 * h_i) for e, h_i in zip(np.eye(4), h)]
        hess = np.column_stack(cols)
        return (hess + hess.T) / 2


class ParetoNBDFit(Fit):
    """A fitted Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): ``r, alpha, s, beta``.

    While active, a customer buys at Poisson rate ``lambda ~ Gamma(r, alpha)``; the
    lifetime is exponential with rate ``mu ~ Gamma(s, beta)`` (shape, rate).  Times are in
    the unit of the data the model was fitted to.

    Examples
    --------
    >>> from cxlib.clv import ParetoNBDFit
    >>> fit = ParetoNBDFit.from_params(r=0.55, alpha=10.58, s=0.61, beta=11.67)  # CDNOW, FHL 2005
    >>> fit
    ParetoNBDFit(Pareto/NBD: r=0.55, alpha=10.58, s=0.61, beta=11.67; n=0)
    >>> round(float(fit.expected_purchases(39)), 3)
    1.202
    """

    def _p(self) -> tuple[float, float, float, float]:
        return tuple(float(v) for v in self.params[["r", "alpha", "s", "beta"]])  # type: ignore[return-value]

    def expected_purchases(self, t: ArrayLike) -> Any:
        """Expected repeat purchases ``E[X(t)]`` of a new customer in ``(0, t]``.

        ``r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]`` (limit ``r beta/alpha ln(1+t/beta)`` at s = 1).

        Examples
        --------
        >>> fit = ParetoNBDFit.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(fit.expected_purchases(52), 2)
        1.47
        """
        t = _check_t("t", t)
        r, al, s, be = self._p()
        return _wrap(r * be / al * _pnbd_survival_integral(s, be, t), t)

    def conditional_expected_purchases(self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike,
                                       T: ArrayLike) -> Any:
        """Expected repeat purchases in ``(T, T + t]`` given the history (FHL's note, eq. 41).

        ``P(alive) (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]``.

        Examples
        --------
        >>> fit = ParetoNBDFit.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(fit.conditional_expected_purchases(39, frequency=2, recency=30, T=39), 2)
        1.43
        """
        t = _check_t("t", t)
        x, tx, age = _check_rfm(frequency, recency, T, any_shape=True)
        _broadcast(("t", "frequency"), (t, x))
        t, x, tx, age = np.broadcast_arrays(t, x, tx, age)
        r, al, s, be = self._p()
        alive = self._p_alive(x, tx, age)
        value = alive * (r + x) / (al + age) * (be + age) * _pnbd_survival_integral(s, be + age, t)
        return _wrap(np.where(t > 0, value, 0.0), frequency, recency, T, t)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:
        """Probability that a customer with history (x, t_x, T) is still active at T (FHL's note, eq. 37).

        Examples
        --------
        >>> fit = ParetoNBDFit.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(fit.p_alive(frequency=2, recency=10, T=39), 3)
        0.267
        """
        x, tx, age = _check_rfm(frequency, recency, T, any_shape=True)
        return _wrap(self._p_alive(x, tx, age), frequency, recency, T)

    def _p_alive(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        x, tx, T = np.broadcast_arrays(x, tx, T)
        shape = x.shape
        log_e1, log_si = _pareto_terms(self._p(), x.ravel(), tx.ravel(), T.ravel())
        return sp.expit(log_e1 - log_si).reshape(shape)

    def simulate(self, n_customers: int, T: ArrayLike, rng: None | int | np.random.Generator = None) -> pd.DataFrame:
        """Synthetic customers from the fitted parameters; see :func:`simulate_pareto_nbd`.

        Examples
        --------
        >>> fit = ParetoNBDFit.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> fit.simulate(3, T=39, rng=1).columns.tolist()
        ['frequency', 'recency', 'T', 'lam', 'mu', 'alive']
        """
        r, al, s, be = self._p()
        return simulate_pareto_nbd(r, al, s, be, n_customers, T, rng=rng)


def _pnbd_survival_integral(s: float, base: Any, t: np.ndarray) -> np.ndarray:
    """``base/(s-1) [1 - (base/(base+t))^(s-1)] / base = ∫_0^t (base/(base+u))^s du / base``.

    Returned divided by ``base``: ``[1 - (base/(base+t))^(s-1)] / (s-1)``, -> ``ln(1+t/base)`` at s = 1.
    """
    q = np.log(base) - np.log(base + t)  # <= 0
    if abs(s - 1) < 1e-10:
        return -q
    return -np.expm1((s - 1) * q) / (s - 1)


def _pareto_boundaries(x: np.ndarray, T: np.ndarray, w: np.ndarray) -> list[Boundary]:
    """Limits where the Pareto/NBD likelihood can take its supremum (checked where a fit stops
    with a small gradient).

    None without repeat purchases: then nothing but ``r/alpha -> 0`` is identified."""
    if not float(w @ x) > 0:
        return []

    def dropouts(p: np.ndarray) -> float:  # expected number of customers gone by T
        return float(w @ -np.expm1(-p[2] * np.log1p(T / p[3])))

    return [
        Boundary(
            "s/beta -> 0 (the mean dropout rate)",
            (0.0, 0.0, 0.0, 1.0),
            lambda p: dropouts(p) < 0.01,
            lambda p: (f"the data are consistent with no dropout at all (the estimates expect {dropouts(p):.2g} "
                       f"of the {w.sum():,.0f} customers to have left); fit the limiting model instead, the NBD "
                       f"(gamma-Poisson purchases, nobody drops out): r = {p[0]:.4g} and alpha = {p[1]:.4g} "
                       f"approximate its estimates"),
        ),
        Boundary(
            "s, beta -> infinity with s/beta fixed",
            (0.0, 0.0, 1.0, 1.0),
            lambda p: p[2] >= 10,
            lambda p: (f"the data are consistent with one dropout rate for all customers, mu = s/beta = "
                       f"{p[2] / p[3]:.4g} per unit of time (no heterogeneity in dropout rates); fit the limiting "
                       f"model, with a common dropout rate, instead: r = {p[0]:.4g}, alpha = {p[1]:.4g} and "
                       f"mu approximate its estimates"),
        ),
        _rate_boundary(("r", "alpha")),
    ]


def fit_pareto_nbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike,
                   weights: ArrayLike | None = None) -> ParetoNBDFit:
    """Fit the Pareto/NBD model (Schmittlein, Morrison & Colombo 1987) by maximum likelihood.

    The likelihood is that of Fader & Hardie's 2005 note (eqs. 18-20), computed in log
    space, with analytic gradient and Hessian (see the module notes); fitted by Newton
    steps from a data-based start, the other starts being tried only if that one does
    not end at a clean optimum.

    Parameters
    ----------
    frequency, recency, T : array_like
        The calibration summary (x, t_x, T); see :func:`fit_bgnbd`.
    weights : array_like, optional
        Number of customers with each row (default 1 each); identical rows are merged
        automatically.

    Returns
    -------
    ParetoNBDFit
        With ``params`` (r, alpha, s, beta), ``se``, ``loglik``, ``converged``,
        ``summary()`` and the model's predictions.

    Warns
    -----
    ConvergenceWarning
        If the optimum is doubtful (``converged=False``), or if there is none because the
        likelihood keeps increasing towards a limit of the parameter space: one dropout
        rate for all (s, beta -> infinity with s/beta fixed), no dropout (s/beta -> 0) or
        one purchase rate for all (r, alpha -> infinity with r/alpha fixed).  The warning
        names the limit and the limiting model; ``extra["boundary"]`` records it.

    Examples
    --------
    >>> sim = simulate_pareto_nbd(0.55, 10.0, 0.6, 12.0, n_customers=5000, T=39, rng=1)
    >>> fit = fit_pareto_nbd(sim["frequency"], sim["recency"], sim["T"])
    >>> fit.params.round(2).to_dict()
    {'r': 0.6, 'alpha': 10.74, 's': 0.41, 'beta': 5.68}
    """
    x, tx, age, w = _compressed_rfm(frequency, recency, T, weights)
    n = float(w.sum())
    rate = _starts_rate(x, age, w)
    mean_t = float(w @ age) / n
    starts = [
        np.log([1.0, 1.0 / rate, 1.0, 1.0 / rate]),
        np.log([0.5, 0.5 / rate, 0.5, 0.5 * mean_t]),
        np.log([2.0, 2.0 / rate, 2.0, 2.0 * mean_t]),
    ]
    names = ["r", "alpha", "s", "beta"]
    starts = _warm_starts(_ParetoNBDLikelihood, "Pareto/NBD", names, starts, x, tx, age, w, 30_000, 20_000)
    lik = _ParetoNBDLikelihood(x, tx, age, w)
    return fit_mle(  # type: ignore[return-value]
        "Pareto/NBD", names, lik.value, starts, gradient=lik.gradient, hessian=lik.hessian, n=n,
        min_starts=1, fit_class=ParetoNBDFit, extra={"n_rows": int(x.size)}, boundaries=_pareto_boundaries(x, age, w),
    )


# ---------------------------------------------------------------------------
# Gamma-Gamma
# ---------------------------------------------------------------------------


def _check_spend(frequency: ArrayLike, monetary_value: ArrayLike, *, fitting: bool) -> tuple[np.ndarray, np.ndarray]:
    x = _vector("frequency", frequency)
    m = _vector("monetary_value", monetary_value)
    _same_length(("frequency", "monetary_value"), (x, m))
    _counts("frequency", x)
    x, m = np.broadcast_arrays(x, m)
    if fitting:
        zero = int(np.count_nonzero(x == 0))
        if zero:
            raise ValueError(
                f"frequency must be >= 1 for the Gamma-Gamma model (repeat buyers only); got {zero} customer"
                f"{'s' if zero > 1 else ''} with frequency 0: exclude them before fitting"
            )
    _params.elements("monetary_value", m, (m <= 0) & (x > 0),
                     "> 0 (mean spend per repeat purchase) for customers with frequency >= 1")
    return x, m


class _GammaGammaLikelihood:
    """Negative log-likelihood of the mean spend ``m`` of ``x`` transactions (Fader & Hardie 2013):
    ``lnΓ(px+q) - lnΓ(px) - lnΓ(q) + q ln v + (px-1) ln m + px ln x - (px+q) ln(v + x m)``."""

    def __init__(self, x: np.ndarray, m: np.ndarray, w: np.ndarray) -> None:
        self.x, self.m, self.w = x, m, w
        self.lxm = np.log(x * m)
        self.lm = np.log(m)
        self.xm = x * m

    def _parts(self, u: np.ndarray):
        p, q, v = np.exp(u)
        px = p * self.x
        lvxm = np.log(v + self.xm)
        return p, q, v, px, lvxm

    def value(self, u: np.ndarray) -> float:
        p, q, v, px, lvxm = self._parts(u)
        ll = (sp.gammaln(px + q) - sp.gammaln(px) - sp.gammaln(q) + q * np.log(v) + (px - 1) * self.lm
              + px * np.log(self.x) - (px + q) * lvxm)
        return -float(self.w @ ll)

    def gradient(self, u: np.ndarray) -> np.ndarray:
        p, q, v, px, lvxm = self._parts(u)
        psi = sp.digamma(px + q)
        g = np.array([
            self.w @ (self.x * (psi - sp.digamma(px) + self.lxm - lvxm)),
            self.w @ (psi - sp.digamma(q) + np.log(v) - lvxm),
            self.w @ (q / v - (px + q) / (v + self.xm)),
        ])
        self._g = g
        return -np.exp(u) * g

    def hessian(self, u: np.ndarray) -> np.ndarray:
        p, q, v, px, lvxm = self._parts(u)
        self.gradient(u)
        tri = sp.polygamma(1, px + q)
        ivxm = 1.0 / (v + self.xm)
        x, w = self.x, self.w
        H = np.empty((3, 3))
        H[0, 0] = w @ (x * x * (tri - sp.polygamma(1, px)))
        H[0, 1] = H[1, 0] = w @ (x * tri)
        H[0, 2] = H[2, 0] = -(w @ (x * ivxm))
        H[1, 1] = w @ (tri - sp.polygamma(1, q))
        H[1, 2] = H[2, 1] = w @ (1.0 / v - ivxm)
        H[2, 2] = w @ (-q / v**2 + (px + q) * ivxm * ivxm)
        theta = np.exp(u)
        return -(np.outer(theta, theta) * H + np.diag(theta * self._g))


class GammaGammaFit(Fit):
    """A fitted Gamma-Gamma spend model: parameters ``p, q, v``.

    A customer's transactions are ``Gamma(p, nu)`` (shape, rate) with
    ``nu ~ Gamma(q, v)`` across customers, independent of the purchase process; the mean
    transaction value of a customer is ``p / nu``, with population mean ``p v / (q - 1)``.

    Examples
    --------
    >>> from cxlib.clv import GammaGammaFit
    >>> fit = GammaGammaFit.from_params(p=6.25, q=3.74, v=15.44)  # CDNOW, Fader, Hardie & Lee 2005b
    >>> round(float(fit.conditional_expected_value(frequency=2, monetary_value=50.0)), 2)
    47.34
    """

    def conditional_expected_value(self, frequency: ArrayLike, monetary_value: ArrayLike) -> Any:
        """Expected mean transaction value given ``frequency`` repeat purchases of mean ``monetary_value``.

        ``p (v + x m) / (p x + q - 1)``: a weighted average of the population mean
        ``p v / (q - 1)`` and the customer's observed mean (Fader & Hardie 2013, eq. 5).
        Customers with frequency 0 get the population mean (their ``monetary_value`` is
        ignored); that needs ``q > 1``.

        Examples
        --------
        >>> fit = GammaGammaFit.from_params(p=6.25, q=3.74, v=15.44)
        >>> round(fit.conditional_expected_value(frequency=2, monetary_value=40.0), 2)
        39.14
        >>> round(fit.conditional_expected_value(0, 0.0), 2)  # the population mean
        35.22
        """
        x, m = _check_spend(frequency, monetary_value, fitting=False)
        p, q, v = (float(self.params[k]) for k in ("p", "q", "v"))
        m = np.where(x > 0, m, 0.0)
        denominator = p * x + q - 1
        if np.any(denominator <= 0):
            raise ValueError(
                f"the expected spend of customers with frequency 0 is infinite when q <= 1; got q={q!r}"
            )
        return _wrap(p * (v + x * m) / denominator, frequency, monetary_value)

    def simulate(self, frequency: ArrayLike, rng: None | int | np.random.Generator = None) -> pd.DataFrame:
        """Synthetic mean spends for customers with the given ``frequency``; see :func:`simulate_gamma_gamma`.

        Examples
        --------
        >>> fit = GammaGammaFit.from_params(p=6.25, q=3.74, v=15.44)
        >>> fit.simulate([1, 2, 5], rng=1).columns.tolist()
        ['frequency', 'monetary_value', 'mean_value']
        """
        p, q, v = (float(self.params[k]) for k in ("p", "q", "v"))
        return simulate_gamma_gamma(p, q, v, frequency, rng=rng)


def fit_gamma_gamma(frequency: ArrayLike, monetary_value: ArrayLike, weights: ArrayLike | None = None) -> GammaGammaFit:
    """Fit the Gamma-Gamma model of mean spend (Fader, Hardie & Lee 2005b; Fader & Hardie 2013).

    Parameters
    ----------
    frequency : array_like
        Number of repeat transactions of each customer (whole numbers >= 1: customers
        without repeat purchase carry no information on spend and must be excluded).
    monetary_value : array_like
        Each customer's mean value of those repeat transactions (> 0).
    weights : array_like, optional
        Number of customers with each row (default 1 each).

    Returns
    -------
    GammaGammaFit
        With ``params`` (p, q, v), ``se``, ``loglik``, ``converged``, ``summary()``,
        ``conditional_expected_value`` and ``simulate``.

    Raises
    ------
    ValueError
        If a frequency is 0 (the message says how many), a monetary value is not > 0, or
        the data are otherwise invalid.

    Examples
    --------
    >>> sim = simulate_gamma_gamma(6.25, 3.74, 15.44, frequency=[1, 2, 3, 5, 8] * 400, rng=1)
    >>> fit = fit_gamma_gamma(sim["frequency"], sim["monetary_value"])
    >>> fit.params.round(1).to_dict()
    {'p': 6.8, 'q': 3.7, 'v': 13.6}
    """
    x, m = _check_spend(frequency, monetary_value, fitting=True)
    x, m = np.atleast_1d(x).astype(float), np.atleast_1d(m).astype(float)
    w = _check_weights(weights, x.size)
    (x, m), w = _compress([x, m], w)
    n = float(w.sum())
    mean_m = float(w @ m) / n
    starts = [np.log([p, q, mean_m * (q - 1) / p]) for p, q in ((1.0, 3.0), (5.0, 4.0), (0.5, 1.5))]
    lik = _GammaGammaLikelihood(x, m, w)
    return fit_mle(  # type: ignore[return-value]
        "Gamma-Gamma", ["p", "q", "v"], lik.value, starts, gradient=lik.gradient, hessian=lik.hessian, n=n,
        fit_class=GammaGammaFit,
    )


# ---------------------------------------------------------------------------
# Fits from given parameters
# ---------------------------------------------------------------------------

_NAMES = {BGNBDFit: ("BG/NBD", ("r", "alpha", "a", "b")),
          ParetoNBDFit: ("Pareto/NBD", ("r", "alpha", "s", "beta")),
          GammaGammaFit: ("Gamma-Gamma", ("p", "q", "v"))}


def _from_params(cls: type, **values: float) -> Any:
    import pandas as pd

    model, names = _NAMES[cls]
    unknown = sorted(set(values) - set(names))
    missing = [k for k in names if k not in values]
    if unknown or missing:
        raise TypeError(
            f"{cls.__name__}.from_params needs exactly the parameters {', '.join(names)}; "
            f"got {', '.join(sorted(values)) or 'none'}"
        )
    est = [_positive(k, values[k]) for k in names]
    return cls(model=model, params=pd.Series(est, index=list(names), name="estimate"),
               se=pd.Series(np.nan, index=list(names), name="std_error"), loglik=float("nan"), n=0,
               converged=True, message="parameters given, not estimated")


_EXAMPLES = {"BGNBDFit": "r=0.243, alpha=4.414, a=0.793, b=2.426",
             "ParetoNBDFit": "r=0.553, alpha=10.578, s=0.606, beta=11.669",
             "GammaGammaFit": "p=6.25, q=3.74, v=15.44"}


def _attach_from_params(cls: type) -> None:
    model, names = _NAMES[cls]

    def from_params(klass: type, **values: float) -> Any:
        return _from_params(klass, **values)

    example = _EXAMPLES[cls.__name__]
    values = ", ".join(item.split("=")[1] for item in example.split(", "))
    from_params.__doc__ = (
        f"A {model} model with given parameters ({', '.join(names)}), e.g. published ones.\n\n"
        f"Standard errors and log-likelihood are NaN and ``n`` is 0; the predictions work as for a fit.\n\n"
        f"Examples\n--------\n>>> fit = {cls.__name__}.from_params({example})\n"
        f">>> fit.params.tolist()\n[{values}]\n"
    )
    cls.from_params = classmethod(from_params)  # type: ignore[attr-defined]


for _cls in _NAMES:
    _attach_from_params(_cls)


# ---------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------


def _sim_ages(n_customers: Any, T: ArrayLike) -> tuple[int, np.ndarray]:
    n = _params.integer("n_customers", n_customers, min=1)
    age = _vector("T", T)
    _nonnegative("T", age)
    if age.ndim == 1 and age.size != n:
        raise ValueError(f"T must be a number or an array of length n_customers ({n}); got length {age.size}")
    return n, np.broadcast_to(age, (n,)).astype(float)


def simulate_bgnbd(r: float, alpha: float, a: float, b: float, n_customers: int, T: ArrayLike,
                   rng: None | int | np.random.Generator = None) -> pd.DataFrame:
    """Draw synthetic customers from the BG/NBD model.

    Each customer gets ``lambda ~ Gamma(r, alpha)`` (shape, rate) and ``p ~ Beta(a, b)``;
    purchases follow a Poisson process of rate ``lambda`` from the first purchase at time
    0, and after each repeat purchase the customer drops out with probability ``p``.
    Vectorised: with ``N ~ Poisson(lambda T)`` purchases in ``(0, T]`` had the customer
    stayed and ``J ~ Geometric(p)`` the purchase after which they leave, ``x = min(N, J)``
    and the recency is the x-th of N uniform order statistics, ``T Beta(x, N - x + 1)``.

    Parameters
    ----------
    r, alpha, a, b : float
        Model parameters (> 0).
    n_customers : int
        Number of customers (>= 1).
    T : float or array_like
        Age of each customer at the end of the observation period (>= 0): one number
        for all, or one per customer.
    rng : None, int or numpy.random.Generator
        Randomness (see :func:`cxlib.check_rng`).

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T`` (the calibration summary) and the latent
        ``lam``, ``p`` and ``alive`` (still active at T).

    Examples
    --------
    >>> sim = simulate_bgnbd(0.243, 4.414, 0.793, 2.426, n_customers=4, T=39, rng=7)
    >>> sim.columns.tolist()
    ['frequency', 'recency', 'T', 'lam', 'p', 'alive']
    >>> bool((sim["recency"] <= sim["T"]).all())
    True
    """
    import pandas as pd

    r, alpha, a, b = (_positive(k, v) for k, v in (("r", r), ("alpha", alpha), ("a", a), ("b", b)))
    n, age = _sim_ages(n_customers, T)
    gen = check_rng(rng)
    lam = gen.gamma(r, 1.0 / alpha, size=n)
    p = gen.beta(a, b, size=n)
    N = gen.poisson(lam * age).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        J = np.maximum(np.ceil(np.log(gen.random(n)) / np.log1p(-p)), 1.0)  # Geometric(p) on 1, 2, ...
    J = np.where(np.isnan(J), np.inf, J)
    x = np.minimum(N, J)
    pos = x > 0
    recency = np.zeros(n)
    recency[pos] = age[pos] * gen.beta(x[pos], N[pos] - x[pos] + 1)
    return pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": age, "lam": lam, "p": p,
                         "alive": J > N})


def simulate_pareto_nbd(r: float, alpha: float, s: float, beta: float, n_customers: int, T: ArrayLike,
                        rng: None | int | np.random.Generator = None) -> pd.DataFrame:
    """Draw synthetic customers from the Pareto/NBD model.

    Each customer gets a purchase rate ``lambda ~ Gamma(r, alpha)`` and a dropout rate
    ``mu ~ Gamma(s, beta)`` (shape, rate); the lifetime is ``tau ~ Exponential(mu)``.
    Purchases in ``(0, min(tau, T)]`` are Poisson; the recency is the largest of x uniform
    times, ``min(tau, T) U^(1/x)``.

    Parameters
    ----------
    r, alpha, s, beta : float
        Model parameters (> 0).
    n_customers : int
        Number of customers (>= 1).
    T : float or array_like
        Age of each customer at the end of the observation period (>= 0).
    rng : None, int or numpy.random.Generator
        Randomness (see :func:`cxlib.check_rng`).

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T`` and the latent ``lam``, ``mu`` and
        ``alive`` (lifetime longer than T).

    Examples
    --------
    >>> sim = simulate_pareto_nbd(0.553, 10.578, 0.606, 11.669, n_customers=4, T=39, rng=7)
    >>> sim.columns.tolist()
    ['frequency', 'recency', 'T', 'lam', 'mu', 'alive']
    """
    import pandas as pd

    r, alpha, s, beta = (_positive(k, v) for k, v in (("r", r), ("alpha", alpha), ("s", s), ("beta", beta)))
    n, age = _sim_ages(n_customers, T)
    gen = check_rng(rng)
    lam = gen.gamma(r, 1.0 / alpha, size=n)
    mu = gen.gamma(s, 1.0 / beta, size=n)
    with np.errstate(divide="ignore", over="ignore"):
        tau = gen.standard_exponential(n) / mu
    end = np.minimum(tau, age)
    x = gen.poisson(lam * end)
    pos = x > 0
    recency = np.zeros(n)
    recency[pos] = end[pos] * gen.random(int(pos.sum())) ** (1.0 / x[pos])
    return pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": age, "lam": lam, "mu": mu,
                         "alive": tau > age})


def simulate_gamma_gamma(p: float, q: float, v: float, frequency: ArrayLike,
                         rng: None | int | np.random.Generator = None) -> pd.DataFrame:
    """Draw mean transaction values from the Gamma-Gamma model.

    Each customer gets ``nu ~ Gamma(q, v)`` (shape, rate); each of their ``frequency``
    transactions is ``Gamma(p, nu)``, so their mean is ``Gamma(p x, nu) / x``.

    Parameters
    ----------
    p, q, v : float
        Model parameters (> 0).
    frequency : int or array_like
        Number of (repeat) transactions of each customer, whole numbers >= 0; customers
        with 0 get ``monetary_value`` 0 (the usual summary convention).
    rng : None, int or numpy.random.Generator
        Randomness (see :func:`cxlib.check_rng`).

    Returns
    -------
    pandas.DataFrame
        Columns ``frequency``, ``monetary_value`` (the observed mean) and the latent
        ``mean_value`` (``p / nu``, the customer's true mean transaction value).

    Examples
    --------
    >>> sim = simulate_gamma_gamma(6.25, 3.74, 15.44, frequency=[1, 3, 0], rng=2)
    >>> sim["frequency"].tolist(), bool(sim["monetary_value"].iloc[2] == 0)
    ([1, 3, 0], True)
    """
    import pandas as pd

    p, q, v = (_positive(k, val) for k, val in (("p", p), ("q", q), ("v", v)))
    x = np.atleast_1d(_vector("frequency", frequency))
    if x.size == 0:
        raise ValueError("frequency is empty; at least one customer is needed")
    _counts("frequency", x)
    gen = check_rng(rng)
    nu = gen.gamma(q, 1.0 / v, size=x.size)
    pos = x > 0
    total = np.zeros(x.size)
    total[pos] = gen.gamma(p * x[pos], 1.0 / nu[pos])
    mean = np.where(pos, total / np.maximum(x, 1), 0.0)
    return pd.DataFrame({"frequency": x.astype(np.int64), "monetary_value": mean, "mean_value": p / nu})


# ---------------------------------------------------------------------------
# Customer lifetime value
# ---------------------------------------------------------------------------


def customer_lifetime_value(purchase_model: BGNBDFit | ParetoNBDFit, spend_model: GammaGammaFit,
                            frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, monetary_value: ArrayLike,
                            time: float = 52, discount_rate: float = 0.0, step: float = 1) -> Any:
    """Discounted expected revenue of each customer over the next ``time`` periods.

    ``CLV = sum_k [E(t_k) - E(t_{k-1})] * M / (1 + discount_rate)^k`` for
    ``k = 1..K``, ``t_k = min(k * step, time)``, ``K = ceil(time / step)``, where ``E(t)``
    is the purchase model's conditional expected number of purchases in ``(T, T + t]``
    and ``M`` the spend model's conditional expected transaction value.  Convention:
    time, step and the models share one time unit (weeks for CDNOW); ``discount_rate`` is
    the rate *per step* and purchases in step k are discounted as if made at its end.
    The result is revenue; multiply by a margin for profit.

    Parameters
    ----------
    purchase_model : BGNBDFit or ParetoNBDFit
        Fitted (or :meth:`~BGNBDFit.from_params`) purchase model.
    spend_model : GammaGammaFit
        Fitted spend model.
    frequency, recency, T, monetary_value : array_like
        The customers' calibration summaries (monetary value: mean of repeat
        transactions, ignored when frequency is 0).
    time : float, default 52
        Horizon (> 0).
    discount_rate : float, default 0
        Discount rate per step (>= 0).
    step : float, default 1
        Length of a discounting step (> 0, at most ``time``).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        One value per customer.

    Examples
    --------
    >>> bg = BGNBDFit.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> gg = GammaGammaFit.from_params(p=6.25, q=3.74, v=15.44)
    >>> clv = customer_lifetime_value(bg, gg, [0, 2, 10], [0, 30, 38], [39, 39, 39], [0, 40, 25])
    >>> clv.round(1).tolist()
    [8.9, 60.3, 213.0]
    >>> undiscounted = customer_lifetime_value(bg, gg, 2, 30, 39, 40.0, time=52)
    >>> discounted = customer_lifetime_value(bg, gg, 2, 30, 39, 40.0, time=52, discount_rate=0.01)
    >>> bool(discounted < undiscounted)
    True
    """
    if not isinstance(purchase_model, (BGNBDFit, ParetoNBDFit)):
        raise TypeError(
            f"purchase_model must be a BGNBDFit or ParetoNBDFit (from fit_bgnbd or fit_pareto_nbd); "
            f"got {type(purchase_model).__name__}"
        )
    if not isinstance(spend_model, GammaGammaFit):
        raise TypeError(f"spend_model must be a GammaGammaFit (from fit_gamma_gamma); got {type(spend_model).__name__}")
    time = _params.real("time", time, min=0, min_inclusive=False)
    discount_rate = _params.real("discount_rate", discount_rate, min=0)
    step = _params.real("step", step, min=0, min_inclusive=False)
    if step > time:
        raise ValueError(f"step must be <= time ({time!r}); got {step!r}")
    x, tx, age = _check_rfm(frequency, recency, T)
    m = _vector("monetary_value", monetary_value)
    _same_length(("frequency", "recency", "T", "monetary_value"), (x, tx, age, m))
    x, tx, age, m = np.broadcast_arrays(x, tx, age, m)
    value = np.asarray(spend_model.conditional_expected_value(x, m), dtype=float)
    K = int(math.ceil(time / step - 1e-9))
    total = np.zeros(x.shape)
    previous = np.zeros(x.shape)
    for k in range(1, K + 1):
        current = np.asarray(purchase_model.conditional_expected_purchases(min(k * step, time), x, tx, age), float)
        total = total + (current - previous) / (1.0 + discount_rate) ** k
        previous = current
    return _wrap(total * value, frequency, recency, T, monetary_value)
