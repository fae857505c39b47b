"""Designing a churn experiment for :mod:`cxlib.churn` (lesson 06): Schoenfeld's events and
customers needed, and a vectorised simulation of the log-rank test that checks them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._results import SimulationResult
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["events_needed", "customers_needed", "logrank_power", "simulate_power", "PowerSimulation", "power_curve"]


def _design(hazard_ratio: Any, alpha: Any, power: Any, allocation: Any) -> tuple[float, float, float, float]:
    hr = params.real("hazard_ratio", hazard_ratio, min=0, min_inclusive=False)
    if hr == 1:
        raise ValueError("hazard_ratio must differ from 1 (1 means no effect: no sample is large enough to detect it); got 1")
    a = params.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)
    pw = params.real("power", power, min=0, max=1, min_inclusive=False, max_inclusive=False)
    alloc = params.real("allocation", allocation, min=0, max=1, min_inclusive=False, max_inclusive=False)
    return hr, a, pw, alloc


def events_needed(hazard_ratio: float, alpha: float = 0.05, power: float = 0.8, allocation: float = 0.5) -> int:
    """Events (churns) a randomised test needs to detect a hazard ratio: Schoenfeld's formula.

    ``d = (z_{1 - alpha/2} + z_{power})^2 / (p (1 - p) log(HR)^2)``, rounded up, for a
    two-sided log-rank (or Cox) test at level ``alpha`` with a share ``p`` of customers in
    the treated arm (Schoenfeld, 1983).  What matters is the number of churns, not of
    customers: a test with few churns has little power however many customers it has.

    Parameters
    ----------
    hazard_ratio : float
        The effect to detect (e.g. 0.8: outreach cuts the hazard of churn by 20%), > 0, not 1.
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
        Probability of detecting the effect if it is real.
    allocation : float, default 0.5
        Share of customers in the treated (outreach) arm; 0.5 needs the fewest events.

    Returns
    -------
    int

    Examples
    --------
    >>> from cxlib.churn import events_needed
    >>> events_needed(0.8)
    631
    >>> events_needed(0.8, allocation=0.2)
    986
    >>> events_needed(1.0)
    Traceback (most recent call last):
    ...
    ValueError: hazard_ratio must differ from 1 (1 means no effect: no sample is large enough to detect it); got 1
    """
    from scipy.stats import norm

    hr, a, pw, alloc = _design(hazard_ratio, alpha, power, allocation)
    d = (norm.ppf(1 - a / 2) + norm.ppf(pw)) ** 2 / (alloc * (1 - alloc) * math.log(hr) ** 2)
    return int(math.ceil(d - 1e-9))


def _event_share(hr: float, event_rate: float, alloc: float) -> float:
    """Share of all customers who churn during follow-up, under proportional hazards."""
    treated = 1.0 - (1.0 - event_rate) ** hr
    return (1 - alloc) * event_rate + alloc * treated


def customers_needed(
    hazard_ratio: float,
    event_rate: float,
    alpha: float = 0.05,
    power: float = 0.8,
    allocation: float = 0.5,
) -> int:
    """Customers a randomised test needs: the events needed over the share who will churn.

    With a share ``event_rate`` of untreated customers churning during the follow-up, the
    treated churn with probability ``1 - (1 - event_rate)^HR`` (proportional hazards, the
    same follow-up for everyone), so the whole sample churns at
    ``(1 - p) event_rate + p (1 - (1 - event_rate)^HR)``;
    ``customers = ceil(events_needed / that)``.

    Parameters
    ----------
    hazard_ratio, alpha, power, allocation
        As for :func:`events_needed`.
    event_rate : float
        Share of customers *without* outreach who churn during the follow-up, > 0 and < 1.

    Returns
    -------
    int

    Examples
    --------
    >>> from cxlib.churn import customers_needed
    >>> customers_needed(0.8, event_rate=0.3)
    2302
    """
    hr, _, _, alloc = _design(hazard_ratio, alpha, power, allocation)
    rate = params.real("event_rate", event_rate, min=0, max=1, min_inclusive=False, max_inclusive=False)
    d = events_needed(hazard_ratio, alpha, power, allocation)
    return int(math.ceil(d / _event_share(hr, rate, alloc) - 1e-9))


def logrank_power(events: float, hazard_ratio: float, alpha: float = 0.05, allocation: float = 0.5) -> float:
    """Power of a two-sided log-rank test with ``events`` churns (Schoenfeld's approximation).

    ``power = Phi(sqrt(d p (1 - p)) |log HR| - z_{1 - alpha/2})`` (the far tail, under 0.5%
    for any useful design, is left out, as in the formula for :func:`events_needed`).

    Examples
    --------
    >>> from cxlib.churn import logrank_power
    >>> round(logrank_power(631, 0.8), 3)
    0.8
    """
    from scipy.stats import norm

    hr, a, _, alloc = _design(hazard_ratio, alpha, 0.5, allocation)
    d = params.real("events", events, min=0)
    return float(norm.cdf(math.sqrt(d * alloc * (1 - alloc)) * abs(math.log(hr)) - norm.ppf(1 - a / 2)))


@dataclass(frozen=True)
class PowerSimulation(SimulationResult):
    """Simulated randomised tests: how often the log-rank test detected the effect.

    Attributes
    ----------
    inputs : dict
        hazard_ratio, n_customers, event_rate, alpha, allocation, n_sims.
    z : numpy.ndarray
        The log-rank z statistic of each simulated test (negative: fewer churns with outreach).
    events : numpy.ndarray
        Churns in each simulated test.

    Examples
    --------
    >>> from cxlib.churn import simulate_power
    >>> sim = simulate_power(0.7, 1000, 0.4, n_sims=200, rng=2)
    >>> sim.summary().columns.tolist(), 0 < sim.power < 1
    (['events', 'z', 'rejected'], True)
    """

    inputs: dict[str, Any]
    z: np.ndarray = field(repr=False)
    events: np.ndarray = field(repr=False)

    @property
    def power(self) -> float:
        """Share of simulated tests that rejected 'no effect' at ``alpha`` (two-sided)."""
        from scipy.stats import norm

        crit = norm.ppf(1 - self.inputs["alpha"] / 2)
        return float(np.mean(np.abs(self.z) > crit))

    @property
    def power_se(self) -> float:
        """Monte Carlo standard error of :attr:`power`."""
        p = self.power
        return math.sqrt(p * (1 - p) / len(self.z))

    @property
    def predicted(self) -> float:
        """Schoenfeld's power for the mean number of events simulated (:func:`logrank_power`)."""
        i = self.inputs
        return logrank_power(float(np.mean(self.events)), i["hazard_ratio"], i["alpha"], i["allocation"])

    def summary(self) -> pd.DataFrame:
        """One row per simulated test: its events, z statistic and whether it rejected."""
        import pandas as pd
        from scipy.stats import norm

        crit = norm.ppf(1 - self.inputs["alpha"] / 2)
        return pd.DataFrame({"events": self.events, "z": self.z, "rejected": np.abs(self.z) > crit})

    def __repr__(self) -> str:
        i = self.inputs
        return (f"PowerSimulation(HR={i['hazard_ratio']:g}, {i['n_customers']:,} customers, "
                f"{np.mean(self.events):.0f} events on average: power {self.power:.3f} "
                f"(+/- {self.power_se:.3f}), Schoenfeld {self.predicted:.3f})")


def _logrank_z(times: np.ndarray, events: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """The log-rank z of each row (continuous times, no ties): (O - E) / sqrt(V) for the treated."""
    order = np.argsort(times, axis=1)
    g = np.take_along_axis(treated, order, axis=1).astype(float)
    e = np.take_along_axis(events, order, axis=1).astype(float)
    n = times.shape[1]
    at_risk = n - np.arange(n, dtype=float)
    treated_at_risk = np.cumsum(g[:, ::-1], axis=1)[:, ::-1]
    frac = treated_at_risk / at_risk
    o_minus_e = np.sum(e * (g - frac), axis=1)
    var = np.sum(e * frac * (1 - frac), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > 0, o_minus_e / np.sqrt(var), 0.0)


def simulate_power(
    hazard_ratio: float,
    n_customers: int,
    event_rate: float,
    alpha: float = 0.05,
    allocation: float = 0.5,
    *,
    n_sims: int = 1000,
    rng: None | int | np.random.Generator = None,
) -> PowerSimulation:
    """Check Schoenfeld's formula by simulating the randomised test many times.

    Each simulated test randomises ``round(allocation * n_customers)`` customers to
    outreach, draws exponential lifetimes (the untreated churn within the follow-up with
    probability ``event_rate``, the treated with the hazard multiplied by
    ``hazard_ratio``), censors everyone at the end of the follow-up, and runs the two-sided
    log-rank test, vectorised over the simulations (numpy; statsmodels' ``survdiff`` gives
    the same statistic, see the tests).

    Parameters
    ----------
    hazard_ratio, event_rate, alpha, allocation
        As for :func:`customers_needed`.
    n_customers : int
        Customers in each test, 10 to 1,000,000.
    n_sims : int, default 1000
        Simulated tests, 1 to 100,000.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    PowerSimulation
        ``power`` (simulated), ``power_se``, ``predicted`` (Schoenfeld).

    Examples
    --------
    >>> from cxlib.churn import customers_needed, simulate_power
    >>> n = customers_needed(0.8, event_rate=0.3)
    >>> sim = simulate_power(0.8, n, event_rate=0.3, n_sims=400, rng=1)
    >>> abs(sim.power - 0.8) < 3 * sim.power_se
    True
    """
    hr, a, _, alloc = _design(hazard_ratio, alpha, 0.5, allocation)
    n = params.integer("n_customers", n_customers, min=10, max=1_000_000)
    rate = params.real("event_rate", event_rate, min=0, max=1, min_inclusive=False, max_inclusive=False)
    sims = params.integer("n_sims", n_sims, min=1, max=100_000)
    gen = check_rng(rng)
    n_treated = min(max(int(round(alloc * n)), 1), n - 1)
    treated_row = np.zeros(n, dtype=bool)
    treated_row[:n_treated] = True
    lam0 = -math.log(1 - rate)  # follow-up of length 1
    hazard = np.where(treated_row, lam0 * hr, lam0)
    zs, evs = [], []
    chunk = max(1, 4_000_000 // n)
    for start in range(0, sims, chunk):
        k = min(chunk, sims - start)
        t = gen.exponential(1.0, (k, n)) / hazard
        e = t <= 1.0
        t = np.minimum(t, 1.0) + gen.random((k, n)) * 1e-9  # break the ties of the censored
        zs.append(_logrank_z(t, e, np.broadcast_to(treated_row, (k, n))))
        evs.append(e.sum(axis=1))
    inputs = {"hazard_ratio": hr, "n_customers": n, "event_rate": rate, "alpha": a,
              "allocation": alloc, "n_sims": sims}
    return PowerSimulation(inputs, np.concatenate(zs), np.concatenate(evs))


def power_curve(
    hazard_ratio: float,
    event_rate: float,
    sizes: Any,
    alpha: float = 0.05,
    allocation: float = 0.5,
    *,
    n_sims: int = 500,
    rng: None | int | np.random.Generator = None,
) -> pd.DataFrame:
    """Power against sample size: Schoenfeld's formula beside the simulated log-rank test.

    Parameters
    ----------
    hazard_ratio, event_rate, alpha, allocation
        As for :func:`customers_needed`.
    sizes : sequence of int
        Customers per test.
    n_sims : int, default 500
        Simulated tests per size (0: the formula only).
    rng : None, int or numpy.random.Generator

    Returns
    -------
    pandas.DataFrame
        One row per size: ``customers``, ``expected_events``, ``power_formula``,
        ``power_simulated`` and its ``power_se`` (NaN without simulation).

    Examples
    --------
    >>> from cxlib.churn import power_curve
    >>> power_curve(0.8, 0.3, [500, 2000], n_sims=0)[["customers", "power_formula"]].round(2)
       customers  power_formula
    0        500           0.26
    1       2000           0.74
    """
    import pandas as pd

    hr, a, _, alloc = _design(hazard_ratio, alpha, 0.5, allocation)
    rate = params.real("event_rate", event_rate, min=0, max=1, min_inclusive=False, max_inclusive=False)
    ns = params.array("sizes", sizes, "a list of customer counts", ndim=1, finite=True)
    ns = np.atleast_1d(ns)
    sims = params.integer("n_sims", n_sims, min=0, max=100_000)
    gen = check_rng(rng)
    rows = []
    for size in ns:
        size = params.integer("sizes", float(size), min=10, max=1_000_000)
        expected = size * _event_share(hr, rate, alloc)
        row = {"customers": size, "expected_events": expected,
               "power_formula": logrank_power(expected, hr, a, alloc),
               "power_simulated": np.nan, "power_se": np.nan}
        if sims:
            sim = simulate_power(hr, size, rate, a, alloc, n_sims=sims, rng=gen)
            row["power_simulated"], row["power_se"] = sim.power, sim.power_se
        rows.append(row)
    return pd.DataFrame(rows)
