"""Referral cascades as a branching process, and the value of a promoter, for :mod:`cxlib.referral`.

**The model** (a Galton-Watson branching process with three types of customer).  Every
new customer is, independently, a promoter, a passive or a detractor with probabilities
``P``, ``A = 1 - P - D`` and ``D`` (the shares of the NPS question).  In the period after
joining, a customer recommends the firm to prospects who would join:

* a promoter to ``Poisson(lambda)`` of them (``lambda`` = ``referral_rate``), a passive to
  ``Poisson(phi lambda)`` (``phi`` = ``passive_factor``, default 0.25), a detractor to none;
* detractors discourage: their negative word of mouth reaches a share ``delta D`` of the
  prospects (``delta`` = ``discouragement``, default 0.5), who then do not join, so each
  recommendation succeeds with probability ``1 - delta D`` (a mean-field assumption: the
  detractors are the population's share ``D``, not those of one cascade).

A thinned Poisson count is Poisson, so a customer of type ``k`` brings
``Poisson(lambda_k (1 - delta D))`` new customers, and the offspring distribution of a
customer of unknown type is the mixture with probability generating function (pgf)
``G(s) = P exp(lambda_P (s - 1)) + A exp(lambda_A (s - 1)) + D`` (effective rates).  With
``dispersion = k`` the counts are negative binomial with size ``k`` instead (a few
enthusiasts refer many), ``G(s) = sum_type share (1 + lambda_type (1 - s) / k)^(-k)``.

**Closed forms** (Harris 1963; Athreya & Ney 1972):

* reproduction number ``R = G'(1) = (P lambda + A phi lambda)(1 - delta D)``;
* expected customers by period ``T`` from ``n0`` seed customers: ``n0 sum_{t=0..T} R^t``,
  and the expected cascade, seeds included, ``n0 / (1 - R)`` when ``R < 1`` (infinite
  otherwise); its variance ``n0 sigma^2 / (1 - R)^3``, ``sigma^2`` the offspring variance;
* extinction probability by period ``T``: ``G_T(0)^n0``, the ``T``-fold iterate of ``G``;
  in the long run ``q^n0`` with ``q`` the smallest root of ``G(s) = s`` in [0, 1], which
  is 1 when ``R <= 1`` and below 1 when ``R > 1`` (the cascade may spread for ever).

The value of a promoter (:func:`promoter_value`) is the customers its referrals bring,
directly or through the whole cascade, times the value of a referred customer, each
generation of referrals one period later and discounted at the firm's rate.

References
----------
Harris, T. E. (1963). *The Theory of Branching Processes*. Springer.

Athreya, K. B., & Ney, P. E. (1972). *Branching Processes*. Springer.

Kumar, V., Petersen, J. A., & Leone, R. P. (2007). How valuable is word of mouth?
*Harvard Business Review*, 85(10), 139-146 (customer referral value).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._referral_nps import shares as _shares
from cxlib._results import SimulationResult
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ReferralModel", "ReferralCascade", "simulate_referrals", "PromoterValue", "promoter_value", "TYPES"]

#: The types of customer, in the order of the shares and rates.
TYPES: tuple[str, ...] = ("promoter", "passive", "detractor")

#: Largest expected number of customers a simulation may reach (numpy's Poisson sampler
#: needs its mean below about 1e18; this leaves room for the spread).
_MAX_EXPECTED = 1e12


@dataclass(frozen=True)
class ReferralModel:
    """The branching process of referrals: its parameters and closed forms.

    Parameters
    ----------
    referral_rate : float
        Mean number of prospects a promoter recommends who would join (``lambda``, >= 0).
    promoters, detractors : float, default 0.4 and 0.2
        Shares of new customers who are promoters and detractors (the rest are passives).
    passive_factor : float, default 0.25
        A passive recommends ``passive_factor * referral_rate`` prospects (0 to 1).
    discouragement : float, default 0.5
        Each recommendation fails with probability ``discouragement * detractors``: the
        detractors' negative word of mouth (0 to 1).
    dispersion : float or None, default None
        None: Poisson offspring counts; a number ``k > 0``: negative binomial counts of
        size ``k`` (variance ``mean + mean^2 / k``), the same means.

    Examples
    --------
    >>> from cxlib.referral import ReferralModel
    >>> model = ReferralModel(1.0)
    >>> model
    ReferralModel(R=0.45: promoters refer 0.9, passives 0.225, detractors 0; Poisson)
    >>> round(model.expected_total(100), 2), model.extinction_probability()
    (181.82, 1.0)
    >>> round(ReferralModel(3.0).extinction_probability(), 4)
    0.7161
    """

    referral_rate: float
    promoters: float = 0.4
    detractors: float = 0.2
    passive_factor: float = 0.25
    discouragement: float = 0.5
    dispersion: float | None = None

    def __post_init__(self) -> None:
        fix = object.__setattr__
        fix(self, "referral_rate", params.real("referral_rate", self.referral_rate, min=0, max=1000))
        p, d = _shares(self.promoters, self.detractors)
        fix(self, "promoters", p)
        fix(self, "detractors", d)
        fix(self, "passive_factor", params.real("passive_factor", self.passive_factor, min=0, max=1))
        fix(self, "discouragement", params.probability("discouragement", self.discouragement))
        if self.dispersion is not None:
            fix(self, "dispersion", params.real("dispersion", self.dispersion, min=0, min_inclusive=False))

    @property
    def passives(self) -> float:
        """Share of passives, ``1 - promoters - detractors``."""
        return max(0.0, 1.0 - self.promoters - self.detractors)

    @property
    def success(self) -> float:
        """Probability that a recommendation is not undone by detractors, ``1 - discouragement * detractors``."""
        return 1.0 - self.discouragement * self.detractors

    def type_shares(self) -> np.ndarray:
        """Shares of promoters, passives and detractors."""
        return np.array([self.promoters, self.passives, self.detractors])

    def gross_rates(self) -> np.ndarray:
        """Recommendations made per customer of each type (before detractors' discouragement)."""
        return np.array([self.referral_rate, self.passive_factor * self.referral_rate, 0.0])

    def rates(self) -> np.ndarray:
        """New customers brought per customer of each type: promoter, passive, detractor."""
        return self.gross_rates() * self.success

    @property
    def reproduction_number(self) -> float:
        """``R``: the mean number of new customers a new customer brings."""
        return float(self.type_shares() @ self.rates())

    @property
    def offspring_variance(self) -> float:
        """Variance of the number of new customers a new customer brings (a mixture over types)."""
        lam = self.rates()
        extra = 0.0 if self.dispersion is None else 1.0 / self.dispersion
        second = self.type_shares() @ (lam + lam ** 2 * (1.0 + extra))
        return float(second - self.reproduction_number ** 2)

    def pgf(self, s: Any) -> Any:
        """The offspring probability generating function ``G(s) = E[s^X]``, for ``s`` in [0, 1]."""
        s = np.asarray(s, dtype=float)
        lam = self.rates()[:, None] * np.ones((1, s.size))
        flat = s.reshape(1, -1)
        if self.dispersion is None:
            terms = np.exp(lam * (flat - 1.0))
        else:
            terms = (1.0 + lam * (1.0 - flat) / self.dispersion) ** (-self.dispersion)
        out = self.type_shares() @ terms
        return float(out[0]) if s.ndim == 0 else out.reshape(s.shape)

    def extinction_probability(self, periods: int | None = None, n_seed_customers: int = 1) -> float:
        """Probability that the cascade of ``n_seed_customers`` has died out by period ``periods``.

        ``G_T(0) ** n0`` for ``periods = T`` (``G`` iterated ``T`` times from 0); with
        ``periods=None``, the long-run probability ``q ** n0``, ``q`` the smallest root
        of ``G(s) = s`` in [0, 1] (1 when ``R <= 1``).
        """
        from scipy.optimize import brentq

        n0 = params.integer("n_seed_customers", n_seed_customers, min=1)
        if periods is not None:
            q = 0.0
            for _ in range(params.integer("periods", periods, min=0)):
                q = self.pgf(q)
            return float(q ** n0)
        if self.reproduction_number <= 1.0:
            return 1.0
        # G(s) - s is > 0 at 0, < 0 on (q, 1) and 0 at 1: bracket q from above by 1 - eps
        eps = 0.5
        while self.pgf(1.0 - eps) - (1.0 - eps) >= 0:
            eps /= 2
            if eps < 1e-12:  # pragma: no cover - R within rounding of 1
                return 1.0
        q = brentq(lambda s: self.pgf(s) - s, 0.0, 1.0 - eps, xtol=1e-15, rtol=1e-14)
        return float(q ** n0)

    def expected_total(self, n_seed_customers: int = 1, periods: int | None = None) -> float:
        """Expected customers in the cascade, seeds included: ``n0 sum_{t<=T} R^t``; with
        ``periods=None``, ``n0 / (1 - R)`` (infinite when ``R >= 1``)."""
        n0 = params.integer("n_seed_customers", n_seed_customers, min=1)
        r = self.reproduction_number
        if periods is None:
            return n0 / (1.0 - r) if r < 1 else math.inf
        t = params.integer("periods", periods, min=0)
        return float(n0 * (t + 1 if r == 1 else (1.0 - r ** (t + 1)) / (1.0 - r)))

    def total_sd(self, n_seed_customers: int = 1) -> float:
        """Standard deviation of the whole cascade's size, ``sqrt(n0 sigma^2 / (1 - R)^3)`` (R < 1)."""
        n0 = params.integer("n_seed_customers", n_seed_customers, min=1)
        r = self.reproduction_number
        return math.sqrt(n0 * self.offspring_variance / (1.0 - r) ** 3) if r < 1 else math.inf

    def __repr__(self) -> str:
        lam = self.rates()
        kind = "Poisson" if self.dispersion is None else f"negative binomial, size {self.dispersion:g}"
        return (f"ReferralModel(R={self.reproduction_number:.4g}: promoters refer {lam[0]:.4g}, passives "
                f"{lam[1]:.4g}, detractors 0; {kind})")


@dataclass(frozen=True)
class ReferralCascade(SimulationResult):
    """Simulated referral cascades beside the branching process's closed forms.

    Attributes
    ----------
    inputs : dict
        What :func:`simulate_referrals` was run with.
    model : ReferralModel
        The process, with its closed forms (``reproduction_number``, ``expected_total``,
        ``extinction_probability``).
    new : numpy.ndarray
        ``(n_runs, periods + 1)`` integers: new customers in each period of each run,
        the seed customers in period 0.
    discouraged : numpy.ndarray
        ``(n_runs, periods)``: recommendations undone by detractors in periods 1, 2, ...

    Examples
    --------
    >>> from cxlib.referral import simulate_referrals
    >>> sim = simulate_referrals(100, 1.0, periods=30, n_runs=2000, rng=1)
    >>> sim.compare().round(2)
                                simulated  mc_se  closed_form  closed_form_limit
    mean cascade size              181.71   0.42       181.82             181.82
    extinct by the last period       1.00   0.00         1.00               1.00
    """

    inputs: dict[str, Any]
    model: ReferralModel
    new: np.ndarray = field(repr=False)
    discouraged: np.ndarray = field(repr=False)

    @property
    def reproduction_number(self) -> float:
        """``R`` of the model (closed form)."""
        return self.model.reproduction_number

    @property
    def total(self) -> np.ndarray:
        """Customers in each run's cascade by the last period, seeds included."""
        return self.new.sum(axis=1)

    @property
    def extinct(self) -> np.ndarray:
        """Whether each run's cascade had died out by the last period (no new customers in it)."""
        return self.new[:, -1] == 0

    def mean_by_period(self) -> pd.DataFrame:
        """Mean new customers per period, simulated and expected (``n0 R^t``)."""
        import pandas as pd

        n0, r = self.inputs["n_seed_customers"], self.reproduction_number
        t = np.arange(self.new.shape[1])
        return pd.DataFrame({"period": t, "simulated": self.new.mean(axis=0), "expected": n0 * r ** t})

    def compare(self) -> pd.DataFrame:
        """The simulation against the closed forms: mean cascade size (with its Monte Carlo
        standard error) and the share of runs extinct by the last period; ``closed_form`` at
        the simulated horizon, ``closed_form_limit`` in the long run."""
        import pandas as pd

        n0, periods = self.inputs["n_seed_customers"], self.inputs["periods"]
        total, extinct = self.total, self.extinct
        runs = len(total)
        share = float(extinct.mean())
        rows = {
            "mean cascade size": [float(total.mean()), float(total.std(ddof=1) / math.sqrt(runs)) if runs > 1 else math.nan,
                                  self.model.expected_total(n0, periods), self.model.expected_total(n0)],
            "extinct by the last period": [share, math.sqrt(share * (1 - share) / runs),
                                           self.model.extinction_probability(periods, n0),
                                           self.model.extinction_probability(None, n0)],
        }
        return pd.DataFrame(rows, index=["simulated", "mc_se", "closed_form", "closed_form_limit"]).T

    def summary(self) -> pd.DataFrame:
        """One row per run: ``total`` customers, ``referred`` (total less seeds), ``discouraged``
        recommendations, ``last_period`` new customers, ``extinct``."""
        import pandas as pd

        n0 = self.inputs["n_seed_customers"]
        return pd.DataFrame({"total": self.total, "referred": self.total - n0,
                             "discouraged": self.discouraged.sum(axis=1), "last_period": self.new[:, -1],
                             "extinct": self.extinct})

    def __repr__(self) -> str:
        i = self.inputs
        return (f"ReferralCascade({i['n_runs']:,} runs of {i['periods']} periods from {i['n_seed_customers']:,} "
                f"seeds; R={self.reproduction_number:.3g}: mean size {self.total.mean():,.1f} "
                f"(expected {self.model.expected_total(i['n_seed_customers'], i['periods']):,.1f}), "
                f"{self.extinct.mean():.1%} extinct)")


def simulate_referrals(
    n_seed_customers: int,
    referral_rate: float,
    *,
    promoters: float = 0.4,
    detractors: float = 0.2,
    passive_factor: float = 0.25,
    discouragement: float = 0.5,
    dispersion: float | None = None,
    periods: int = 20,
    n_runs: int = 1000,
    rng: None | int | np.random.Generator = None,
) -> ReferralCascade:
    """Simulate referral cascades: a branching process started by ``n_seed_customers``.

    In each period, every customer who joined in the period before makes
    recommendations (Poisson, or negative binomial with ``dispersion``): a promoter
    ``referral_rate`` on average, a passive ``passive_factor * referral_rate``, a
    detractor none; each recommendation fails with probability
    ``discouragement * detractors`` (detractors' negative word of mouth); the prospects
    who join become promoters, passives and detractors in the given shares.  The whole
    model and its closed forms are in :class:`ReferralModel` (``sim.model``).

    Vectorised over runs: the counts of one period are drawn for all runs at once (a sum
    of independent Poisson counts is Poisson, of negative binomial counts with the same
    odds negative binomial), so the cost does not grow with the cascades' sizes.

    Parameters
    ----------
    n_seed_customers : int
        Customers at the start (period 0), typed at random like the rest (1 to 1e9).
    referral_rate : float
        Mean recommendations a promoter makes that would succeed without detractors.
    promoters, detractors, passive_factor, discouragement, dispersion
        As in :class:`ReferralModel`.
    periods : int, default 20
        Periods simulated after the seeds' (1 to 1000).
    n_runs : int, default 1000
        Independent cascades (1 to 1,000,000).
    rng : None, int or numpy.random.Generator

    Returns
    -------
    ReferralCascade
        ``new`` customers per period and run, ``total``, ``extinct``, ``compare()`` (the
        simulation against the closed forms), ``summary()``, ``model``.

    Raises
    ------
    ValueError
        For arguments out of range, or a process so explosive that the expected number of
        customers would pass 1e12 (then use fewer periods).

    Examples
    --------
    >>> from cxlib.referral import simulate_referrals
    >>> sim = simulate_referrals(1, 3.0, periods=15, n_runs=4000, rng=2)
    >>> round(sim.reproduction_number, 2), round(float(sim.extinct.mean()), 3)
    (1.35, 0.718)
    >>> round(sim.model.extinction_probability(15), 3), round(sim.model.extinction_probability(), 3)
    (0.715, 0.716)
    >>> simulate_referrals(10, 5.0, periods=100)
    Traceback (most recent call last):
    ...
    ValueError: periods=100 is too many at R=2.25 (2.5 recommendations per new customer): the expected cascade would pass 1e12 customers; use at most 27 periods
    """
    n0 = params.integer("n_seed_customers", n_seed_customers, min=1, max=10**9)
    model = ReferralModel(referral_rate, promoters, detractors, passive_factor, discouragement, dispersion)
    t_max = params.integer("periods", periods, min=1, max=1000)
    runs = params.integer("n_runs", n_runs, min=1, max=1_000_000)
    gross = float(model.type_shares() @ model.gross_rates())
    if gross > 1 and n0 * gross ** t_max > _MAX_EXPECTED:
        allowed = max(0, int(math.floor(math.log(_MAX_EXPECTED / n0) / math.log(gross))))
        raise ValueError(
            f"periods={t_max} is too many at R={model.reproduction_number:.3g} ({gross:.3g} recommendations per "
            f"new customer): the expected cascade would pass 1e12 customers; use at most {allowed} periods")
    gen = check_rng(rng)
    share = model.type_shares()
    lam = model.gross_rates()
    success = model.success
    k = model.dispersion
    new = np.zeros((runs, t_max + 1), dtype=np.int64)
    discouraged = np.zeros((runs, t_max), dtype=np.int64)
    current = gen.multinomial(np.full(runs, n0), share)  # (runs, 3): seeds by type
    new[:, 0] = n0
    for t in range(1, t_max + 1):
        if k is None:
            made = gen.poisson(current[:, :2] @ lam[:2])
        else:  # a sum of negative binomials with one odds: size k * count, mean rate * count
            shape = k * current[:, :2].sum(axis=1)
            mean = current[:, :2] @ lam[:2]
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(shape > 0, mean / np.where(shape > 0, shape, 1), 0.0)
            made = gen.poisson(gen.gamma(np.where(shape > 0, shape, 1.0), scale) * (shape > 0))
        joined = gen.binomial(made, success)
        discouraged[:, t - 1] = made - joined
        new[:, t] = joined
        current = gen.multinomial(joined, share)
    inputs = {"n_seed_customers": n0, "referral_rate": model.referral_rate, "promoters": model.promoters,
              "detractors": model.detractors, "passive_factor": model.passive_factor,
              "discouragement": model.discouragement, "dispersion": model.dispersion, "periods": t_max,
              "n_runs": runs}
    return ReferralCascade(inputs, model, new, discouraged)


@dataclass(frozen=True)
class PromoterValue:
    """The value of a promoter through referrals, with its uncertainty.

    Attributes
    ----------
    value : float
        Expected discounted value of the customers a promoter's referrals bring (directly,
        or through the whole cascade), at the point estimates.
    referred : float
        Expected customers they bring, undiscounted (infinite for a cascade with R >= 1).
    customer_value : float
        Value of one referred customer (its CLV).
    reproduction_number : float
    std_error : float
        Standard deviation of ``value`` over the draws of the uncertain inputs (0 without
        uncertainty; infinite when some draws have ``R >= 1 + discount``).
    ci : tuple of float
        Percentile interval of the draws at ``level``.
    draws : numpy.ndarray
        The value at each draw.
    inputs : dict
    level : float

    Examples
    --------
    >>> from cxlib.referral import promoter_value
    >>> res = promoter_value(1.0, margin=100, retention=0.8, discount=0.1, rng=1)
    >>> res
    PromoterValue(369.2 per promoter: 1.64 customers referred x 266.7 each (R=0.45, cascade); 95% interval 369.2 to 369.2)
    """

    value: float
    referred: float
    customer_value: float
    reproduction_number: float
    std_error: float
    ci: tuple[float, float]
    draws: np.ndarray = field(repr=False)
    inputs: dict[str, Any] = field(default_factory=dict, repr=False)
    level: float = 0.95

    def __repr__(self) -> str:
        how = "cascade" if self.inputs.get("cascade", True) else "direct referrals only"
        return (f"PromoterValue({self.value:,.4g} per promoter: {self.referred:.3g} customers referred x "
                f"{self.customer_value:,.4g} each (R={self.reproduction_number:.3g}, {how}); "
                f"{100 * self.level:g}% interval {self.ci[0]:,.4g} to {self.ci[1]:,.4g})")


def _value(rate: np.ndarray, clv: np.ndarray, model: ReferralModel, discount: float, cascade: bool) -> np.ndarray:
    """Discounted value of a promoter's referrals at referral rates ``rate`` and CLVs ``clv``."""
    success = model.success
    direct = rate * success  # customers a promoter brings
    r = (model.type_shares() @ np.array([1.0, model.passive_factor, 0.0])) * rate * success
    if not cascade:
        return direct * clv / (1.0 + discount)
    with np.errstate(divide="ignore"):
        return np.where(r < 1.0 + discount, direct * clv / np.maximum(1.0 + discount - r, 0.0), np.inf)


def promoter_value(
    referral_rate: float,
    *,
    margin: float | None = None,
    retention: float | None = None,
    discount: float = 0.1,
    clv: float | None = None,
    promoters: float = 0.4,
    detractors: float = 0.2,
    passive_factor: float = 0.25,
    discouragement: float = 0.5,
    cascade: bool = True,
    referral_rate_se: float = 0.0,
    retention_se: float = 0.0,
    clv_se: float = 0.0,
    ci: float = 0.95,
    n_draws: int = 10_000,
    rng: None | int | np.random.Generator = None,
) -> PromoterValue:
    """The value of a promoter through the customers its referrals bring.

    A promoter brings ``referral_rate * (1 - discouragement * detractors)`` customers in
    the next period (see :class:`ReferralModel`), each worth the CLV of a referred
    customer, ``clv`` or ``margin * clv.margin_multiple(retention, discount)`` (Gupta &
    Lehmann's margin multiple: margins at the end of each period retained).  With
    ``cascade=True`` their referrals count too: generation ``g`` of the cascade arrives
    ``g + 1`` periods later and has ``R^g`` customers per direct referral, so

    ``value = direct * CLV * sum_g R^g / (1 + d)^(g + 1) = direct * CLV / (1 + d - R)``,

    finite while ``R < 1 + d``; with ``cascade=False``, ``direct * CLV / (1 + d)``.
    ``referred`` is the undiscounted number of customers, ``direct / (1 - R)`` (or
    ``direct``).

    Uncertainty: ``referral_rate``, ``retention`` (or ``clv``) are estimates; with their
    standard errors the function draws them ``n_draws`` times from normal distributions
    (truncated to valid values) and reports the spread and percentile interval of the value.

    Parameters
    ----------
    referral_rate : float
        Mean recommendations a promoter makes that would succeed without detractors.
    margin, retention : float, optional
        Margin per period and retention rate of a referred customer (needed unless ``clv``).
    discount : float, default 0.1
        Discount rate per period (for the margins and the referrals' delay).
    clv : float, optional
        The value of a referred customer, from any model (e.g. a fitted BG/NBD's CLV);
        replaces ``margin`` and ``retention``.
    promoters, detractors, passive_factor, discouragement
        As in :class:`ReferralModel` (they set ``R``).
    cascade : bool, default True
        Count the referred customers' own referrals, and theirs, ...
    referral_rate_se, retention_se, clv_se : float, default 0
        Standard errors of the inputs.
    ci : float, default 0.95
    n_draws : int, default 10000
    rng : None, int or numpy.random.Generator

    Returns
    -------
    PromoterValue

    References
    ----------
    Kumar, V., Petersen, J. A., & Leone, R. P. (2007). How valuable is word of mouth?
    *Harvard Business Review*, 85(10), 139-146.

    Examples
    --------
    >>> from cxlib.referral import promoter_value
    >>> res = promoter_value(1.0, margin=100, retention=0.8, referral_rate_se=0.1, retention_se=0.03, rng=3)
    >>> round(res.value, 1), round(res.customer_value, 1), round(res.referred, 3)
    (369.2, 266.7, 1.636)
    >>> [round(x) for x in res.ci]
    [241, 572]
    >>> round(promoter_value(1.0, clv=333.33, cascade=False, rng=0).value, 1)
    272.7
    >>> promoter_value(1.0, margin=100)
    Traceback (most recent call last):
    ...
    ValueError: promoter_value needs the value of a referred customer: clv, or margin and retention
    """
    from cxlib._clv_retention import margin_multiple

    model = ReferralModel(referral_rate, promoters, detractors, passive_factor, discouragement)
    d = params.real("discount", discount, min=0, max=10)
    cascade = params.boolean("cascade", cascade)
    level = params.real("ci", ci, min=0, max=1, min_inclusive=False, max_inclusive=False)
    draws_n = params.integer("n_draws", n_draws, min=100, max=10_000_000)
    rate_se = params.real("referral_rate_se", referral_rate_se, min=0)
    ret_se = params.real("retention_se", retention_se, min=0)
    value_se = params.real("clv_se", clv_se, min=0)
    if clv is not None:
        if margin is not None or retention is not None:
            raise ValueError("promoter_value takes either clv or margin and retention, not both")
        base = params.real("clv", clv, min=0)
        mult = None
    else:
        if margin is None or retention is None:
            raise ValueError("promoter_value needs the value of a referred customer: clv, or margin and retention")
        margin = params.real("margin", margin, min=0)
        retention = params.real("retention", retention, min=0, max=1, max_inclusive=False)
        mult = float(margin_multiple(retention, d))
        base = margin * mult
    gen = check_rng(rng)
    rates = np.array([model.referral_rate])
    values = np.array([base])
    if rate_se > 0:
        rates = np.abs(gen.normal(model.referral_rate, rate_se, draws_n))  # reflected at 0
    if clv is None and ret_se > 0:
        ret = np.clip(gen.normal(retention, ret_se, draws_n), 0.0, 0.999)
        values = margin * np.asarray(margin_multiple(ret, d))
    elif clv is not None and value_se > 0:
        values = np.abs(gen.normal(base, value_se, draws_n))
    draws = np.broadcast_to(_value(rates, values, model, d, cascade), (max(rates.size, values.size),)).copy()
    point = float(_value(np.array([model.referral_rate]), np.array([base]), model, d, cascade)[0])
    r = model.reproduction_number
    direct = model.rates()[0]
    referred = direct / (1 - r) if (cascade and r < 1) else (math.inf if cascade else direct)
    tail = (1 - level) / 2
    if draws.size == 1:
        spread, interval = 0.0, (point, point)
    else:
        spread = float(np.std(draws, ddof=1)) if np.all(np.isfinite(draws)) else math.inf
        # with infinite draws (R >= 1 + discount) no interpolation: between two infinite draws it gives NaN
        how = "linear" if np.all(np.isfinite(draws)) else "inverted_cdf"
        low, high = np.quantile(draws, [tail, 1 - tail], method=how)
        interval = (float(low), float(high))
    inputs = {"referral_rate": model.referral_rate, "margin": margin, "retention": retention, "discount": d,
              "clv": clv, "promoters": model.promoters, "detractors": model.detractors,
              "passive_factor": model.passive_factor, "discouragement": model.discouragement, "cascade": cascade,
              "referral_rate_se": rate_se, "retention_se": ret_se, "clv_se": value_se, "margin_multiple": mult}
    return PromoterValue(point, float(referred), float(base), r, spread, interval, draws, inputs, level)
