"""Contractual retention: the shifted-beta-geometric (sBG) model and the margin multiple.

In a contractual setting (subscriptions, memberships, insurance) we see when customers
leave.  The sBG model of Fader & Hardie (2007) says: at the end of each period a
customer renews with a probability ``1 - theta`` that is her own and stays the same
over time, and ``theta`` varies across customers as Beta(alpha, beta).  The cohort's
retention rate then *rises* over time although no customer's does: the customers most
likely to leave leave first.  With ``T`` the period in which a customer churns,

* ``P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)``, t = 1, 2, ...
* ``S(t) = P(T > t) = B(alpha, beta + t) / B(alpha, beta)``, with S(0) = 1;
* ``r_t = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)``.

:func:`fit_sbg` fits alpha and beta by maximum likelihood to a cohort's counts of
customers still alive after each period, :func:`simulate_sbg` simulates such counts,
and :func:`margin_multiple` gives the textbook value of a customer under a *constant*
retention rate, the benchmark the sBG corrects.

References
----------
Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention. *Journal of
Interactive Marketing*, 21(1), 76-90. https://doi.org/10.1002/dir.20074

Fader, P. S., & Hardie, B. G. S. (2010). Customer-base valuation in a contractual
setting: The perils of ignoring heterogeneity. *Marketing Science*, 29(1), 85-93.
https://doi.org/10.1287/mksc.1080.0482

Gupta, S., & Lehmann, D. R. (2005). *Managing Customers as Investments*. Wharton School
Publishing (the margin multiple).
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from cxlib import params
from cxlib._clv_base import ConvergenceWarning, Fit, fit_mle
from cxlib._rng import check_rng

__all__ = ["SBGFit", "fit_sbg", "simulate_sbg", "margin_multiple", "retention_value"]

ArrayLike = Any


# ---------------------------------------------------------------------------
# Argument checks for arrays (params handles scalars)
# ---------------------------------------------------------------------------


def _times(name: str, t: ArrayLike, minimum: int) -> np.ndarray:
    """Whole numbers ``>= minimum`` (periods), as a float array."""
    want = f"a whole number of periods >= {minimum} (or an array of them)"
    arr = params.array(name, t, want)
    params.elements(name, arr, ~np.isfinite(arr) | (arr != np.round(arr)), want)
    params.elements(name, arr, arr < minimum, want)
    return arr


def _out(arr: np.ndarray, like: np.ndarray) -> float | np.ndarray:
    return float(arr) if np.ndim(like) == 0 else np.asarray(arr, dtype=float)


# ---------------------------------------------------------------------------
# The model's formulas
# ---------------------------------------------------------------------------


def _log_survival(alpha: float, beta: float, t: np.ndarray) -> np.ndarray:
    from scipy.special import betaln

    return betaln(alpha, beta + t) - betaln(alpha, beta)


def _derl_closed_form(alpha: float, beta: float, discount: float, n: int) -> float:
    """Fader & Hardie (2010)'s closed form, with SciPy's ``hyp2f1`` (inaccurate in places; see ``_derl``)."""
    from scipy.special import hyp2f1

    b = beta + n
    return float(b / (alpha + b) * hyp2f1(1.0, b + 1.0, alpha + b + 1.0, 1.0 / (1.0 + discount)))


#: Below this discount rate DERL is taken from ``hyp2f1`` (the series would need > 4e7 terms).
_SERIES_MIN_DISCOUNT = 1e-6


def _derl(alpha: float, beta: float, discount: float, n: int) -> float:
    """DERL by summing its series to a rigorous relative tail bound of 1e-16.

    ``DERL = sum_{k>=0} t_k`` with ``t_0 = (b + n) / (a + b + n)`` and
    ``t_k = t_{k-1} z (b + n + k) / (a + b + n + k)``, ``z = 1 / (1 + d)``.  Each ratio is
    below ``z``, so the tail after ``t_K`` is below ``t_K z / (1 - z) = t_K / d``.  The
    series is used rather than the closed form because SciPy's ``hyp2f1`` at these
    arguments (c - a - b = alpha - 1, z near 1) returns inf or nan, or silently loses
    digits, once ``beta + n`` reaches the hundreds (e.g. alpha=10, beta=100, n=50,
    d=0.1: relative error 4e-4; alpha=50, beta=100, d=0.01: inf).
    """
    if discount < _SERIES_MIN_DISCOUNT:
        value = _derl_closed_form(alpha, beta, discount, n)
        if not np.isfinite(value) or value <= 0:
            raise ValueError(
                f"DERL cannot be computed accurately for discount {discount!r} (alpha={alpha:.4g}, "
                f"beta={beta:.4g}, n_renewals={n}); use a discount >= {_SERIES_MIN_DISCOUNT:g}"
            )
        return value
    b = beta + n
    log_z = -np.log1p(discount)
    log_t = np.log(b) - np.log(alpha + b)  # log t_0
    total = np.exp(log_t)
    k0, size = 1, 1024
    while True:
        k = np.arange(k0, k0 + size, dtype=float)
        log_terms = log_t + np.cumsum(log_z + np.log1p(-alpha / (alpha + b + k)))
        terms = np.exp(log_terms)
        total += terms.sum()
        log_t = log_terms[-1]
        if np.exp(log_t) / discount <= 1e-16 * total:
            return float(total)
        k0 += size
        size = min(size * 2, 1 << 20)


@dataclass(frozen=True, repr=False)
class SBGFit(Fit):
    """A fitted shifted-beta-geometric model (see :func:`fit_sbg`).

    ``params`` holds ``alpha`` and ``beta`` (the Beta distribution of the per-period
    churn probability across customers); ``extra["alive"]`` the counts fitted to.
    Time is counted in the periods of the data: period ``t`` runs from ``t - 1`` to
    ``t``, and customers churn (fail to renew) at the end of a period.

    Examples
    --------
    >>> from cxlib.clv import fit_sbg
    >>> fit = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])  # "regular" cohort, Fader & Hardie 2007
    >>> fit
    SBGFit(sBG: alpha=0.7041, beta=1.182; loglik=-1680.27, n=1,000)
    >>> fit.summary().round(3)
           estimate  std_error  ci_low  ci_high
    alpha     0.704      0.066   0.587    0.845
    beta      1.182      0.152   0.918    1.522
    """

    @property
    def alpha(self) -> float:
        """The first Beta parameter (weight on churning)."""
        return float(self.params["alpha"])

    @property
    def beta(self) -> float:
        """The second Beta parameter (weight on renewing)."""
        return float(self.params["beta"])

    def survival(self, t: ArrayLike) -> float | np.ndarray:
        """Probability that a customer is still alive after ``t`` periods, ``S(t)``.

        ``S(t) = B(alpha, beta + t) / B(alpha, beta)``; ``S(0) = 1``.

        Parameters
        ----------
        t : int or array of int, >= 0
            Periods since acquisition.

        Returns
        -------
        float or numpy.ndarray
            Of the shape of ``t``.

        Examples
        --------
        >>> from cxlib._clv_retention import fit_sbg
        >>> fit = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> fit.survival([0, 1, 7]).round(3)
        array([1.   , 0.627, 0.239])
        """
        tt = _times("t", t, 0)
        return _out(np.exp(_log_survival(self.alpha, self.beta, tt)), tt)

    def retention(self, t: ArrayLike) -> float | np.ndarray:
        """Retention rate of period ``t``: ``r_t = S(t) / S(t - 1)``, for ``t >= 1``.

        ``r_t = (beta + t - 1) / (alpha + beta + t - 1)``: the share of the customers
        alive at the start of period ``t`` who renew at its end.  It rises with ``t``
        (the cohort's composition changes; no customer's own rate does).

        Examples
        --------
        >>> from cxlib._clv_retention import fit_sbg
        >>> fit = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> fit.retention([1, 2, 12]).round(3)
        array([0.627, 0.756, 0.945])
        """
        tt = _times("t", t, 1)
        a, b = self.alpha, self.beta
        return _out((b + tt - 1) / (a + b + tt - 1), tt)

    def churn_probability(self, t: ArrayLike) -> float | np.ndarray:
        """Probability that a new customer churns in period ``t``, ``P(T = t)``, ``t >= 1``.

        ``P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta) = S(t - 1) - S(t)``:
        unconditional, seen from acquisition.  The probability of churning in period
        ``t`` *given* being alive at its start is ``1 - retention(t)``.

        Examples
        --------
        >>> from cxlib._clv_retention import fit_sbg
        >>> fit = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> fit.churn_probability([1, 2]).round(3)
        array([0.373, 0.153])
        """
        from scipy.special import betaln

        tt = _times("t", t, 1)
        a, b = self.alpha, self.beta
        return _out(np.exp(betaln(a + 1, b + tt - 1) - betaln(a, b)), tt)

    def expected_alive(self, t: ArrayLike, cohort_size: int) -> float | np.ndarray:
        """Expected number of a cohort's customers still alive after ``t`` periods.

        ``cohort_size * S(t)``.

        Examples
        --------
        >>> from cxlib._clv_retention import fit_sbg
        >>> fit = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> fit.expected_alive([8, 12], cohort_size=1000).round(1)
        array([220.1, 170. ])
        """
        size = params.integer("cohort_size", cohort_size, min=1)
        return size * self.survival(t)

    def derl(self, discount: float | ArrayLike, n_renewals: int = 0) -> float | np.ndarray:
        """Discounted expected residual lifetime (DERL) of a customer with ``n_renewals`` renewals.

        The closed form of Fader & Hardie (2010) is
        ``DERL = (beta + n) / (alpha + beta + n) * 2F1(1, beta + n + 1; alpha + beta + n + 1; 1 / (1 + d))``,
        which is the sum

        ``DERL = sum_{k >= 0} S(n + 1 + k) / S(n) / (1 + d)^k``:

        the expected number of *future* payments of a customer who has renewed ``n``
        times (is alive after ``n`` periods), valued at the moment of her next renewal
        decision: payment ``n + 1`` (if she renews) counts fully, the one after it is
        discounted one period, and so on.  Multiply by the margin per period to get the
        expected residual lifetime value.  A customer's "discounted expected lifetime"
        at acquisition, counting the payment made then, is ``1 + derl(d, 0) / (1 + d)``.

        The value is computed by summing the series to a relative tail bound of 1e-16
        (it agrees with the closed form wherever SciPy's ``hyp2f1`` is accurate; that
        function returns inf, nan or a few wrong digits once ``beta + n`` is in the
        hundreds and ``d`` is small).  Only for ``d < 1e-6``, where the series would
        need tens of millions of terms, is ``hyp2f1`` used.

        Parameters
        ----------
        discount : float or array of float, > 0
            Discount rate per period ``d`` (e.g. 0.1 for 10% a year with yearly periods).
        n_renewals : int, default 0
            Renewals made so far.

        Returns
        -------
        float or numpy.ndarray
            Of the shape of ``discount``.

        Examples
        --------
        >>> from cxlib._clv_retention import fit_sbg
        >>> fit = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
        >>> round(fit.derl(0.1), 2), round(fit.derl(0.1, n_renewals=4), 2)
        (2.96, 5.89)
        """
        d = params.array("discount", discount, "a discount rate > 0 (or an array of them)")
        params.elements("discount", d, ~np.isfinite(d) | (d <= 0), "a discount rate > 0 (or an array of them)")
        n = params.integer("n_renewals", n_renewals, min=0)
        values = np.array([_derl(self.alpha, self.beta, float(x), n) for x in d.ravel()])
        return _out(values.reshape(d.shape), d)


# ---------------------------------------------------------------------------
# Fitting and simulating
# ---------------------------------------------------------------------------


def _check_alive(alive: Any, *, fitting: bool = True) -> np.ndarray:
    """A cohort's survivor counts: whole, >= 0, not increasing, cohort size > 0; for
    ``fitting``, at least 3 counts and some churn and some renewal (else no finite MLE)."""
    want = "a sequence of customer counts (cohort size first, then the customers alive after each period)"
    arr = params.array("alive", alive, want)
    if arr.ndim != 1:
        raise ValueError(f"alive must be one-dimensional, {want}; got an array of shape {arr.shape}")
    if fitting and arr.size < 3:
        raise ValueError(
            f"alive must cover at least 2 periods (3 counts: the cohort size, then the survivors "
            f"after periods 1 and 2; one period cannot separate alpha from beta); got {params.short(alive)}"
        )
    if arr.size < 2:
        raise ValueError(f"alive must be {want}, at least 2 of them; got {params.short(alive)}")
    params.elements("alive", arr, ~np.isfinite(arr) | (arr != np.round(arr)), "whole numbers of customers")
    params.elements("alive", arr, arr < 0, "counts >= 0")
    if arr[0] == 0:
        raise ValueError(f"alive[0], the cohort size, must be > 0; got {params.short(alive)}")
    up = np.diff(arr) > 0
    if up.any():
        i = int(np.flatnonzero(up)[0]) + 1
        raise ValueError(
            f"alive must not increase (customers who left do not come back); got "
            f"alive[{i}] = {arr[i]:g} > alive[{i - 1}] = {arr[i - 1]:g}"
        )
    if not fitting:
        return arr
    if arr[-1] == arr[0]:
        raise ValueError(
            f"alive shows no churn at all ({params.short(alive)}): retention is 100% and the sBG "
            "has no finite estimates; it needs some customers who leave"
        )
    if arr[1] == 0:
        raise ValueError(
            f"alive shows every customer leaving in period 1 ({params.short(alive)}): retention is 0 "
            "and the sBG has no finite estimates; it needs some customers who renew"
        )
    return arr


def _sbg_loglik_parts(alive: np.ndarray):
    """Negative log-likelihood and its gradient in (log alpha, log beta)."""
    lost = alive[:-1] - alive[1:]  # churned in periods 1..T
    survivors = alive[-1]
    periods = np.arange(1, alive.size)  # t = 1..T
    T = periods[-1]

    def parts(x: np.ndarray):
        a, b = np.exp(x)
        # log r_i = log(b + i - 1) - log(a + b + i - 1), i = 1..T
        den = a + b + periods - 1
        num = b + periods - 1
        log_r = np.log(num) - np.log(den)
        log_s = np.concatenate(([0.0], np.cumsum(log_r)))  # log S(0..T)
        log_p = log_s[:-1] + np.log(a) - np.log(den)  # log P(T = t), t = 1..T
        ll = float(np.dot(lost, log_p) + survivors * log_s[T])
        # derivatives w.r.t. log a and log b
        dlogr_a = -a / den
        dlogr_b = b / num - b / den
        dlogs_a = np.concatenate(([0.0], np.cumsum(dlogr_a)))
        dlogs_b = np.concatenate(([0.0], np.cumsum(dlogr_b)))
        dlogp_a = dlogs_a[:-1] + 1.0 - a / den
        dlogp_b = dlogs_b[:-1] - b / den
        g_a = np.dot(lost, dlogp_a) + survivors * dlogs_a[T]
        g_b = np.dot(lost, dlogp_b) + survivors * dlogs_b[T]
        return -ll, -np.array([g_a, g_b])

    return parts


def fit_sbg(alive: ArrayLike) -> SBGFit:
    """Fit the shifted-beta-geometric retention model to a cohort's survivor counts.

    Parameters
    ----------
    alive : sequence of int
        ``alive[0]`` is the cohort size (customers acquired at time 0), ``alive[t]``
        the number still customers after ``t`` periods (renewed ``t`` times):
        non-negative whole numbers, non-increasing, at least three of them (two
        periods; one period identifies only ``alpha / (alpha + beta)``).

    Returns
    -------
    SBGFit
        ``params`` ``alpha`` and ``beta`` with standard errors, ``loglik`` and the
        projections (``survival``, ``retention``, ``expected_alive``, ``derl``, ...).

    Raises
    ------
    TypeError
        If ``alive`` is not a sequence of numbers.
    ValueError
        If it has fewer than 3 counts, a count is negative or not whole, the cohort size
        is 0, a count is larger than the one before it, nobody churns, or everybody churns
        in the first period (no finite estimates in the last two cases).
    cxlib._clv_base.FitError
        If no parameters could be estimated.

    Warns
    -----
    cxlib._clv_base.ConvergenceWarning
        When the likelihood has no clear interior maximum (then ``converged`` is False):
        e.g. a constant retention rate, for which alpha and beta run off to infinity
        (no heterogeneity), or estimates below 1e-4 or above 1e4.

    Notes
    -----
    The log-likelihood (Fader & Hardie 2007) is
    ``sum_t (alive[t-1] - alive[t]) log P(T = t) + alive[-1] log S(len(alive) - 1)``,
    computed in log space from the recursions ``S(t) = S(t-1) r_t`` and
    ``P(T = t) = S(t-1) (1 - r_t)``, and maximised over ``(log alpha, log beta)`` with
    its analytic gradient from several starting points.  On the paper's data (years 0-7
    of its two segments, ``cxlib.data.load("retention_series")``) it gives the published
    estimates: alpha = 0.704, beta = 1.182 (regular; log-likelihood -1680.3) and
    alpha = 0.668, beta = 3.806 (high end; -1611.2).

    Examples
    --------
    >>> fit = fit_sbg([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> fit.params.round(3).to_dict()
    {'alpha': 0.704, 'beta': 1.182}
    >>> round(fit.loglik, 1)
    -1680.3
    >>> fit_sbg([1000, 900, 950])
    Traceback (most recent call last):
    ...
    ValueError: alive must not increase (customers who left do not come back); got alive[2] = 950 > alive[1] = 900
    """
    counts = _check_alive(alive)
    parts = _sbg_loglik_parts(counts)
    starts = [np.log(s) for s in ((1.0, 1.0), (0.5, 2.0), (2.0, 0.5), (0.2, 5.0), (5.0, 20.0))]
    fit = fit_mle(
        "sBG",
        ["alpha", "beta"],
        lambda x: parts(x)[0],
        starts,
        gradient=lambda x: parts(x)[1],
        n=int(counts[0]),
        fit_class=SBGFit,
        extra={"alive": counts.astype(np.int64)},
    )
    return _check_boundary(fit)


#: Estimates outside [1/_BOUNDARY, _BOUNDARY] mean the likelihood peaks at the boundary.
_BOUNDARY = 1e4


def _check_boundary(fit: SBGFit) -> SBGFit:
    """Flag estimates that ran off to 0 or infinity (no interior maximum)."""
    import dataclasses

    a, b = fit.alpha, fit.beta
    if max(a, b) < _BOUNDARY and min(a, b) > 1 / _BOUNDARY:
        return fit
    if min(a, b) > 1 / _BOUNDARY:
        why = (
            f"alpha and beta grow without bound: the retention rate does not rise over time, so "
            f"the counts show no heterogeneity and a geometric model with constant retention "
            f"{b / (a + b):.4g} fits as well; alpha and beta and their standard errors are "
            "meaningless, their ratio is not"
        )
    else:
        why = (
            "alpha or beta shrinks to 0: the counts look like a mix of customers who leave at "
            "once and customers who never leave; the estimates are meaningless"
        )
    message = f"{fit.message}; boundary: {why}"
    if fit.converged:
        warnings.warn(f"sBG fit did not converge cleanly: {why}", ConvergenceWarning, stacklevel=3)
    return dataclasses.replace(fit, converged=False, message=message)


def simulate_sbg(
    alpha: float,
    beta: float,
    cohort_size: int,
    n_periods: int,
    rng: None | int | np.random.Generator = None,
) -> np.ndarray:
    """Simulate a cohort's survivor counts under the shifted-beta-geometric model.

    Each customer draws a churn probability ``theta ~ Beta(alpha, beta)`` and then
    churns at the end of each period with probability ``theta``: her lifetime is
    Geometric(theta) on 1, 2, ... periods.

    Parameters
    ----------
    alpha, beta : float, > 0
        Parameters of the Beta distribution of churn probabilities.
    cohort_size : int, >= 1
        Customers acquired at time 0.
    n_periods : int, >= 1
        Periods to simulate.
    rng : None, int or numpy.random.Generator
        Randomness (see :func:`cxlib.check_rng`).

    Returns
    -------
    numpy.ndarray
        ``n_periods + 1`` integer counts: ``cohort_size``, then the customers alive after
        each period (the input :func:`fit_sbg` expects).

    Examples
    --------
    >>> counts = simulate_sbg(0.7, 1.2, 1000, 7, rng=1)
    >>> len(counts), int(counts[0]), bool((counts[1:] <= counts[:-1]).all())
    (8, 1000, True)
    """
    a = params.real("alpha", alpha, min=0, min_inclusive=False)
    b = params.real("beta", beta, min=0, min_inclusive=False)
    size = params.integer("cohort_size", cohort_size, min=1)
    periods = params.integer("n_periods", n_periods, min=1)
    gen = check_rng(rng)
    theta = gen.beta(a, b, size=size)
    u = gen.random(size)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # inverse CDF of the geometric on 1, 2, ...: theta = 0 never churns, theta = 1 at once
        lifetime = np.floor(np.log1p(-u) / np.log1p(-theta)) + 1
    lifetime = np.where(np.isnan(lifetime), np.inf, lifetime)
    churned = np.bincount(np.minimum(lifetime, periods + 1).astype(np.int64), minlength=periods + 2)
    alive = size - np.cumsum(churned[: periods + 1])
    return alive.astype(np.int64)


# ---------------------------------------------------------------------------
# The margin multiple
# ---------------------------------------------------------------------------


def margin_multiple(
    retention: float | ArrayLike,
    discount: float | ArrayLike,
    paid: Literal["start", "end"] = "end",
) -> float | np.ndarray:
    """Gupta & Lehmann's margin multiple: a customer's value in margins, at constant retention.

    With a constant retention rate ``r`` per period and discount rate ``d``, a
    customer's expected discounted number of margins is a geometric sum.  Two timing
    conventions:

    * ``paid="end"`` (default, Gupta & Lehmann 2003, 2005): margins arrive at the end
      of each period the customer is retained through, the first one period from now:
      ``sum_{t >= 1} r^t / (1 + d)^t = r / (1 + d - r)``.  This is the "margin
      multiple" of their papers and of *Managing Customers as Investments*: at 80%
      retention and a 12% discount rate it is 2.5.
    * ``paid="start"``: the current period's margin is paid now, undiscounted, and each
      later margin only if the customer has renewed (the value of a customer just
      acquired, margin included):
      ``sum_{t >= 0} r^t / (1 + d)^t = (1 + d) / (1 + d - r)``.

    The two differ by exactly one margin.  Multiply by the margin per period for the
    customer's lifetime value.

    Parameters
    ----------
    retention : float or array, in [0, 1)
        Probability that a customer renews at the end of a period.
    discount : float or array, > -1
        Discount rate per period; must be > ``retention - 1`` for the sum to converge
        (always true for ``discount >= 0``).  Broadcast against ``retention``.
    paid : {"end", "start"}, default "end"
        When the margins are paid (see above).

    Returns
    -------
    float or numpy.ndarray
        A float for scalar arguments, else an array of their broadcast shape.

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If a retention rate is outside [0, 1), a discount rate is <= -1 or so low that
        the sum diverges, the shapes do not broadcast, or ``paid`` is unknown.

    References
    ----------
    Gupta, S., & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive
    Marketing, 17(1), 9-24.  Gupta, S., & Lehmann, D. R. (2005). *Managing Customers as
    Investments*. Wharton School Publishing.

    Examples
    --------
    >>> margin_multiple(0.8, 0.12)
    2.5
    >>> margin_multiple(0.8, 0.12, paid="start")
    3.5
    >>> margin_multiple([0.6, 0.8, 0.9], 0.12).round(3)
    array([1.154, 2.5  , 4.091])
    >>> margin_multiple(1.0, 0.1)
    Traceback (most recent call last):
    ...
    ValueError: retention must be a retention rate >= 0 and < 1; got 1.0
    """
    timing = params.choice("paid", paid, ("start", "end"))
    r = params.array("retention", retention, "a retention rate >= 0 and < 1 (or an array of them)")
    d = params.array("discount", discount, "a discount rate > -1 (or an array of them)")
    params.elements("retention", r, ~np.isfinite(r) | (r < 0) | (r >= 1), "a retention rate >= 0 and < 1")
    params.elements("discount", d, ~np.isfinite(d) | (d <= -1), "a discount rate > -1")
    try:
        r, d = np.broadcast_arrays(r, d)
    except ValueError:
        raise ValueError(
            f"retention and discount must have broadcastable shapes; got {np.shape(retention)} and {np.shape(discount)}"
        ) from None
    diverge = 1 + d - r <= 0
    if diverge.any():
        pos = tuple(int(i) for i in np.argwhere(diverge)[0])
        raise ValueError(
            f"discount must be > retention - 1 for the discounted sum to converge; got discount "
            f"{float(d[pos])!r} with retention {float(r[pos])!r}"
        )
    value = (1 + d) / (1 + d - r) if timing == "start" else r / (1 + d - r)
    return float(value) if value.ndim == 0 else value


def retention_value(
    margin: float,
    discount: float,
    retention: ArrayLike | None = None,
    paid: Literal["start", "end"] = "end",
) -> Any:
    """A customer's value over a range of constant retention rates (the CLV explorer's callback).

    ``value = margin * margin_multiple(retention, discount, paid)``: the expected
    discounted margin from one customer who renews each period with probability
    ``retention``.

    Parameters
    ----------
    margin : float, >= 0
        Margin per period (money).
    discount : float, >= 0 and < 1
        Discount rate per period.
    retention : array_like, optional
        Retention rates in [0, 1); default 0, 0.01, ..., 0.99.
    paid : {"end", "start"}, default "end"
        Timing of the margins (see :func:`margin_multiple`); the CLV explorer of
        lesson 05 uses ``"start"``, the value of a customer just acquired.

    Returns
    -------
    pandas.DataFrame
        Columns ``retention``, ``margin_multiple`` and ``value``, one row per rate.

    Examples
    --------
    >>> retention_value(100, 0.1, [0.5, 0.8, 0.9]).round(1)
       retention  margin_multiple  value
    0        0.5              0.8   83.3
    1        0.8              2.7  266.7
    2        0.9              4.5  450.0
    >>> retention_value(100, 0.1, [0.8], paid="start").round(1)
       retention  margin_multiple  value
    0        0.8              3.7  366.7
    """
    import pandas as pd

    m = params.real("margin", margin, min=0)
    d = params.real("discount", discount, min=0, max=0.99)
    r = np.round(np.arange(100) / 100, 2) if retention is None else np.atleast_1d(
        params.array("retention", retention, "a sequence of retention rates >= 0 and < 1"))
    multiple = np.atleast_1d(margin_multiple(r, d, paid=paid))
    return pd.DataFrame({"retention": r, "margin_multiple": multiple, "value": m * multiple})
