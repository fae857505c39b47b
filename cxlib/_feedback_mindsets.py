"""Lesson 04's questions to the feedback engine: which mindset earns what, with what
certainty, and can a firm afford to be generous?

* :func:`mindsets`: the named policies, their levers and the sentences they encode;
* :func:`run_totals`, :func:`policy_clv`, :func:`policy_summary`: one row per run, a
  customer lifetime value per run through :func:`cxlib.clv.margin_multiple`, and
  per-policy means with Monte Carlo standard errors and paired differences;
* :func:`generosity_curve`, :func:`breakeven_generosity`: profit and CLV against the
  compensation paid per resolved problem, and where generosity stops paying.

Every comparison runs its policies on the same keyed draws (common random numbers, see
:mod:`cxlib.feedback`), so differences between policies are measured run by run.
Re-exported by :mod:`cxlib.feedback`; import from there.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from cxlib import params as _check
from cxlib._feedback_model import READINGS, Params, Policy, _check_inputs
from cxlib._feedback_runs import monte_carlo
from cxlib._rng import seed_from

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Default discount rate per period for CLV: 0.2% a week, about 11% a year.
DISCOUNT = 0.002
#: The per-run metrics :func:`run_totals` computes, the ones :func:`policy_summary` can report.
RUN_METRICS = (
    "profit", "revenue", "cost", "compensation", "recovered", "retention", "retention_per_period", "margin",
    "clv", "final_satisfaction", "mean_satisfaction", "final_quality", "final_customers", "mean_nps",
)
_LEVERS = ("act_share", "capacity_share", "priority", "act_on", "extra_delay", "recovery", "generosity")


def mindsets() -> pd.DataFrame:
    """The named policies of lesson 04: their levers and the sentence of the reading each encodes.

    One row per policy (:meth:`Policy.fixed`, :meth:`Policy.organisational`,
    :meth:`Policy.compliance`, :meth:`Policy.technical`,
    :meth:`Policy.customer_centric` and the limit case :meth:`Policy.lose_every_fight`),
    read from the classmethods themselves, so the table cannot drift from the code.  Each
    mapping is one reading of a sentence, not the only one; the classmethods' docstrings
    say why each lever was chosen.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``policy``; columns ``act_share, capacity_share, priority, act_on,
        extra_delay, recovery, generosity, reading`` (``act_on`` as one string).

    Examples
    --------
    >>> from cxlib.feedback import mindsets
    >>> table = mindsets()
    >>> table[["capacity_share", "priority", "extra_delay", "recovery", "generosity"]]
                      capacity_share   priority  extra_delay  recovery  generosity
    policy
    fixed                        0.2     oldest            0       0.3        0.00
    organisational               1.0    revenue            0       0.5        0.00
    compliance                   1.0     oldest            4       0.8        0.00
    technical                    1.0  technical            0       0.5        0.00
    customer centric             1.0       pain            0       0.9        0.25
    lose every fight             1.0       pain            0       1.0        1.00
    >>> table.loc["fixed", "reading"][:28]
    "They talk, they don't listen"
    """
    import pandas as pd

    policies = [Policy.fixed(), Policy.organisational(), Policy.compliance(), Policy.technical(),
                Policy.customer_centric(), Policy.lose_every_fight()]
    rows = []
    for pol in policies:
        row = {"policy": pol.name, **{lever: getattr(pol, lever) for lever in _LEVERS}}
        row["act_on"] = ", ".join(pol.act_on)
        rows.append({**row, "reading": READINGS[pol.name]})
    return pd.DataFrame(rows).set_index("policy")


def _clv_options(discount: Any, margin: Any, paid: Any) -> dict[str, Any]:
    """The checked CLV options of :func:`policy_clv`."""
    return {"discount": _check.real("discount", discount, min=0, max=1, min_inclusive=False),
            "margin": None if margin is None else _check.real("margin", margin),
            "paid": _check.choice("paid", paid, ("end", "start"))}


def _runs_frame(runs: Any) -> pd.DataFrame:
    needed = ["run", "period", "active", "new", "churned", "quality", "mean_satisfaction", "nps", "revenue",
              "cost", "profit", "recovered", "compensation", "retention"]
    runs = _check.frame("runs", runs, needed, what="from monte_carlo or compare", empty=False)
    return runs if "policy" in runs.columns else runs.assign(policy="policy")


def policy_clv(
    runs: pd.DataFrame,
    *,
    discount: float = DISCOUNT,
    margin: float | None = None,
    paid: Literal["end", "start"] = "end",
) -> pd.DataFrame:
    """A customer's lifetime value in each run, from the retention the run produced.

    For each run: the retention per period the simulation produced,
    ``r = 1 - sum_t churned_t / sum_t customers at the start of t`` (pooled over the
    run's periods), the margin per customer per period, by default the run's
    ``profit / sum_t customers at the start of t`` (every cost of the policy, its
    fixes, recovery and compensation, spread over its customers), and
    ``clv = margin * margin_multiple(r, discount, paid)`` (Gupta & Lehmann's constant
    retention margin multiple, :func:`cxlib.clv.margin_multiple`).  The constant
    retention is a simplification: a policy whose retention still changes at the end
    of the run is valued at its average.  A run in which nobody left is valued at the
    limit ``r -> 1`` (``1 / discount`` margins, with ``paid="end"``).

    Parameters
    ----------
    runs : pandas.DataFrame
        Output of :func:`monte_carlo` or :func:`compare`.
    discount : float, default 0.002
        Discount rate per period, > 0 (0.002 a week is about 11% a year).
    margin : float, optional
        Margin per customer per period (dollars); default: each run's own profit per
        customer-period.  A fixed margin (e.g. ``Params.price``) values retention alone.
    paid : {"end", "start"}, default "end"
        Timing of the margins (see :func:`cxlib.clv.margin_multiple`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``policy, run``; columns ``retention_per_period, margin,
        margin_multiple, clv``.

    References
    ----------
    Gupta, S., & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive
    Marketing, 17(1), 9-24.

    Examples
    --------
    >>> from cxlib.feedback import Params, compare, policy_clv
    >>> runs = compare(Params(n_customers=500, n_periods=10), n_runs=2, rng=1)
    >>> policy_clv(runs).round(3)
                       retention_per_period  margin  margin_multiple      clv
    policy        run
    listening     0                   0.991   9.073           87.130  790.526
                  1                   0.992   9.090           97.998  890.762
    not listening 0                   0.990   9.972           80.229  800.045
                  1                   0.991   9.969           92.937  926.488
    """
    import pandas as pd

    from cxlib.clv import margin_multiple

    runs = _runs_frame(runs)
    options = _clv_options(discount, margin, paid)
    margin = options["margin"]
    start = runs["active"] - runs["new"] + runs["churned"]  # customers at the start of each period
    g = runs.assign(start=start).groupby(["policy", "run"], sort=False)
    sums = g[["start", "churned", "profit"]].sum()
    # on the columns' arrays: the same elementwise arithmetic as on the Series, without their overhead
    start, churned, profit = (sums[c].to_numpy() for c in ("start", "churned", "profit"))
    with np.errstate(divide="ignore", invalid="ignore"):
        retention = np.minimum(1.0 - churned / start, np.nextafter(1.0, 0.0))  # NaN stays NaN, as with clip
        margins = profit / start if margin is None else np.full(len(start), float(margin))
    multiple = margin_multiple(retention, options["discount"], paid=options["paid"])
    return pd.DataFrame({"retention_per_period": retention, "margin": margins, "margin_multiple": multiple,
                         "clv": margins * multiple}, index=sums.index)


def run_totals(
    runs: pd.DataFrame,
    *,
    discount: float = DISCOUNT,
    margin: float | None = None,
    paid: Literal["end", "start"] = "end",
) -> pd.DataFrame:
    """One row per policy and run: totals, end states and the run's CLV.

    Parameters
    ----------
    runs : pandas.DataFrame
        Output of :func:`monte_carlo` or :func:`compare`.
    discount, margin, paid
        For the CLV, as in :func:`policy_clv`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``policy, run``; columns :data:`RUN_METRICS`: sums over the periods
        (``profit, revenue, cost, compensation, recovered``), the cohort ``retention``,
        :func:`policy_clv`'s ``retention_per_period, margin, clv``, the last period's
        ``final_satisfaction, final_quality, final_customers``, and the means over
        periods ``mean_satisfaction, mean_nps``.

    Examples
    --------
    >>> from cxlib.feedback import Params, compare, run_totals
    >>> runs = compare(Params(n_customers=500, n_periods=10), n_runs=2, rng=1)
    >>> run_totals(runs)[["profit", "retention", "clv"]].round(1)
                         profit  retention    clv
    policy        run
    listening     0     67784.0        0.9  790.5
                  1     68272.0        0.9  890.8
    not listening 0     74292.0        0.9  800.0
                  1     74767.0        0.9  926.5
    """
    runs = _runs_frame(runs)
    ordered = runs.sort_values(["policy", "run", "period"], kind="stable")
    g = ordered.groupby(["policy", "run"], sort=False)
    out = g[["profit", "revenue", "cost", "compensation", "recovered"]].sum()
    out["retention"] = g["retention"].first()
    clv = policy_clv(runs, discount=discount, margin=margin, paid=paid)
    out = out.join(clv[["retention_per_period", "margin", "clv"]])
    last = g[["mean_satisfaction", "quality", "active"]].last()
    means = g[["mean_satisfaction", "nps"]].mean()
    out["final_satisfaction"] = last["mean_satisfaction"]
    out["mean_satisfaction"] = means["mean_satisfaction"]
    out["final_quality"] = last["quality"]
    out["final_customers"] = last["active"]
    out["mean_nps"] = means["nps"]
    order = list(dict.fromkeys(runs["policy"]))  # policies in the order they were run
    return out[list(RUN_METRICS)].reindex(order, level="policy")


def policy_summary(
    runs: pd.DataFrame,
    *,
    baseline: str | None = None,
    metrics: tuple[str, ...] = ("profit", "clv", "retention", "final_satisfaction"),
    discount: float = DISCOUNT,
    margin: float | None = None,
    paid: Literal["end", "start"] = "end",
) -> pd.DataFrame:
    """Per-policy means with Monte Carlo standard errors, and paired differences from a baseline.

    The runs of :func:`compare` share their random numbers run by run (run ``k`` of
    every policy meets the same customers' luck), so a difference between two policies
    is measured on each run and its standard error is that of the paired differences:
    ``diff_se = sd(x_policy,k - x_baseline,k) / sqrt(n_runs)``.  Beside it,
    ``diff_se_independent = sqrt(se_policy**2 + se_baseline**2)`` is what the standard
    error would be had the policies been run on independent random numbers; their ratio
    shows what common random numbers buy.

    Parameters
    ----------
    runs : pandas.DataFrame
        Output of :func:`compare` (every policy with the same runs).
    baseline : str, optional
        The policy the differences are taken from; default the first policy in ``runs``.
    metrics : tuple of str
        Columns of :func:`run_totals` (:data:`RUN_METRICS`).
    discount, margin, paid
        For the CLV, as in :func:`policy_clv`.

    Returns
    -------
    pandas.DataFrame
        One row per policy and metric: ``policy, metric, mean, se, diff, diff_se,
        diff_se_independent, n_runs`` (the baseline's differences are 0).

    Raises
    ------
    ValueError
        If a metric or the baseline is unknown, or the policies do not share their runs.

    Examples
    --------
    >>> from cxlib.feedback import Params, Policy, compare, policy_summary
    >>> p = Params(n_customers=1000, n_periods=20, share_revenue=0.2, share_technical=0.3)
    >>> runs = compare(p, [Policy.organisational(), Policy.customer_centric()], n_runs=5, rng=3)
    >>> table = policy_summary(runs, metrics=("profit",))
    >>> table[["policy", "mean", "se", "diff", "diff_se", "diff_se_independent"]].round(0)
                 policy      mean     se    diff  diff_se  diff_se_independent
    0    organisational  254875.0  908.0     0.0      0.0                  0.0
    1  customer centric  246877.0  957.0 -7998.0    119.0               1319.0
    """
    import pandas as pd

    if isinstance(metrics, str):
        metrics = (metrics,)
    for m in metrics:
        _check.choice("metrics", m, RUN_METRICS)
    totals = run_totals(runs, discount=discount, margin=margin, paid=paid)
    order = list(dict.fromkeys(totals.index.get_level_values("policy")))
    baseline = order[0] if baseline is None else _check.choice("baseline", baseline, order)
    base = totals.loc[baseline]
    rows = []
    for pol in order:
        own = totals.loc[pol]
        if sorted(own.index) != sorted(base.index):
            raise ValueError(f"policy {pol!r} and baseline {baseline!r} have different runs; paired differences "
                             "need the same runs for every policy (use compare)")
        n = len(own)
        for m in metrics:
            d = own[m] - base[m].reindex(own.index)
            se, se_base = own[m].sem(), base[m].sem()
            rows.append({"policy": pol, "metric": m, "mean": own[m].mean(), "se": se, "diff": d.mean(),
                         "diff_se": d.sem() if pol != baseline else 0.0,
                         "diff_se_independent": math.hypot(se, se_base) if pol != baseline else 0.0,
                         "n_runs": n})
    return pd.DataFrame(rows)


def _levels(name: str, levels: Any) -> np.ndarray:
    arr = _check.array(name, levels, "generosity levels between 0 and 1 (a list of numbers)")
    _check.elements(name, arr, ~np.isfinite(arr) | (arr < 0) | (arr > 1), "a generosity between 0 and 1")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty list of generosity levels; got shape {arr.shape}")
    return arr


class _Generosity:
    """Totals of ``policy`` at any generosity, and of the baseline, on the same runs (cached)."""

    def __init__(self, params, policy, baseline, n_runs, seed, totals_kw) -> None:
        self.params, self.policy, self.baseline = params, policy, baseline
        self.n_runs, self.seed, self.kw = n_runs, seed, totals_kw
        self.cache: dict[float, pd.DataFrame] = {}
        self._base: pd.DataFrame | None = None

    @property
    def base(self) -> pd.DataFrame:
        if self._base is None:
            self._base = self._totals(self.baseline)
        return self._base

    def _totals(self, policy: Policy) -> pd.DataFrame:
        runs = monte_carlo(self.params, self.n_runs, policy, rng=self.seed)
        return run_totals(runs, **self.kw).droplevel("policy")

    def at(self, level: float) -> pd.DataFrame:
        level = float(level)
        if level not in self.cache:
            policy = self.policy.replace(generosity=level)
            self.cache[level] = self.base if policy == self.baseline else self._totals(policy)
        return self.cache[level]

    def prefetch(self, levels: Any) -> None:
        """Fill the cache for ``levels`` (and the baseline) at once: the runs of every level
        missing from it, stacked under labels of their own, go through one :func:`run_totals`
        (a group's totals do not depend on the other groups, so each level's are the same
        as :meth:`at` computes alone; only the overhead is paid once)."""
        import pandas as pd

        todo = [level for level in dict.fromkeys(map(float, levels)) if level not in self.cache
                and self.policy.replace(generosity=level) != self.baseline]
        jobs = ([] if self._base is not None else [("baseline", self.baseline)]) + [
            (f"level {i}", self.policy.replace(generosity=level)) for i, level in enumerate(todo)]
        if len(jobs) > 1:  # else there is nothing to share: at() computes what is missing
            runs = pd.concat([monte_carlo(self.params, self.n_runs, policy, rng=self.seed).assign(policy=label)
                              for label, policy in jobs], ignore_index=True)
            totals = run_totals(runs, **self.kw)
            if self._base is None:
                self._base = totals.xs("baseline", level="policy")
            for i, level in enumerate(todo):
                self.cache[level] = totals.xs(f"level {i}", level="policy")
        for level in levels:
            self.at(level)

    def gap(self, level: float, metric: str) -> float:
        """Mean paired difference of ``metric`` from the baseline at ``level``."""
        return float((self.at(level)[metric] - self.base[metric]).mean())


def _generosity_inputs(params, policy, baseline, n_runs, rng, discount, margin, paid) -> _Generosity:
    params, policy = _check_inputs(params, Policy.customer_centric() if policy is None else policy)
    baseline = policy.replace(generosity=0.0) if baseline is None else _check_inputs(params, baseline)[1]
    n_runs = _check.integer("n_runs", n_runs, min=2, max=100_000)
    return _Generosity(params, policy, baseline, n_runs, seed_from(rng), _clv_options(discount, margin, paid))


def generosity_curve(
    params: Params | None = None,
    policy: Policy | None = None,
    levels: Any = None,
    *,
    baseline: Policy | None = None,
    n_runs: int = 20,
    rng: None | int | np.random.Generator = None,
    discount: float = DISCOUNT,
    margin: float | None = None,
    paid: Literal["end", "start"] = "end",
) -> pd.DataFrame:
    """Profit, CLV and satisfaction against generosity in service recovery, on common random numbers.

    ``policy`` is run at each generosity level (the share of the customer's claim,
    ``Params.claim``, paid on each resolved problem), every level on the same
    ``n_runs`` keyed random streams as the ``baseline``, so the differences are paired
    run by run.  What generosity buys is the model's: each resolved problem's experience
    moves ``generosity`` of the way from ``Params.satisfaction_recovered`` to
    ``Params.satisfaction_compensated`` (capped at the problem-free experience without
    the service recovery paradox, ``Params.recovery_paradox=False``); satisfaction
    lowers churn and makes promoters, who refer.  What it costs is
    ``generosity * claim`` per resolved problem.

    Parameters
    ----------
    params : Params, optional
    policy : Policy, optional
        Default :meth:`Policy.customer_centric`; its own generosity is replaced by each level.
    levels : list of float, optional
        Generosity levels in [0, 1]; default 0, 0.1, ..., 1 (1 is "lose every fight"
        when ``policy.recovery`` is 1).
    baseline : Policy, optional
        Default ``policy`` with generosity 0.
    n_runs : int, default 20
        Runs per level (2 or more).
    rng : None, int or numpy.random.Generator
        One seed, reused for every level and the baseline.
    discount, margin, paid
        For the CLV, as in :func:`policy_clv`.

    Returns
    -------
    pandas.DataFrame
        One row per level: ``generosity``, ``compensation_per_problem`` (dollars per
        resolved problem), ``compensation_paid`` (mean dollars paid over a run), and for
        ``profit``, ``clv`` and ``final_satisfaction`` the mean, its standard error
        (``_se``), the paired difference from the baseline (``_diff``) and its standard
        error (``_diff_se``).

    Examples
    --------
    >>> from cxlib.feedback import Params, generosity_curve
    >>> curve = generosity_curve(Params(n_customers=500, n_periods=20), levels=[0, 0.5, 1], n_runs=3, rng=1)
    >>> curve[["generosity", "compensation_per_problem", "profit_diff", "profit_diff_se"]].round(1)
       generosity  compensation_per_problem  profit_diff  profit_diff_se
    0         0.0                       0.0          0.0             0.0
    1         0.5                      10.0      -4859.7           154.3
    2         1.0                      20.0      -9927.0           292.2
    """
    import pandas as pd

    levels = _levels("levels", np.linspace(0.0, 1.0, 11) if levels is None else levels)
    gen = _generosity_inputs(params, policy, baseline, n_runs, rng, discount, margin, paid)
    gen.prefetch(levels)
    rows = []
    for level in levels:
        totals = gen.at(level)
        row = {"generosity": float(level), "compensation_per_problem": float(level) * gen.params.claim,
               "compensation_paid": totals["compensation"].mean()}
        for m in ("profit", "clv", "final_satisfaction"):
            d = totals[m] - gen.base[m]
            row.update({m: totals[m].mean(), f"{m}_se": totals[m].sem(), f"{m}_diff": d.mean(),
                        f"{m}_diff_se": d.sem()})
        rows.append(row)
    return pd.DataFrame(rows)


def breakeven_generosity(
    params: Params | None = None,
    policy: Policy | None = None,
    *,
    baseline: Policy | None = None,
    metric: Literal["profit", "clv"] = "profit",
    n_runs: int = 20,
    rng: None | int | np.random.Generator = None,
    n_grid: int = 11,
    tol: float = 0.005,
    discount: float = DISCOUNT,
    margin: float | None = None,
    paid: Literal["end", "start"] = "end",
) -> float | None:
    """The generosity at which a generous policy's profit (or CLV) meets the baseline's.

    The gap ``D(g)`` is the mean over runs of ``metric`` under ``policy`` at generosity
    ``g`` minus the baseline's, every ``g`` on the same keyed random streams (common
    random numbers), so ``D`` moves with ``g`` rather than with luck.  The search
    evaluates ``D`` on ``n_grid`` levels from 0 to 1 (and at ``tol`` when ``D(0) = 0``,
    as against the default baseline), takes the first interval between two of them
    where ``D`` changes sign (levels where ``D`` is exactly 0 are skipped) and halves it
    until it is narrower than ``tol``.  With the default baseline (``policy`` without generosity)
    the answer is where generosity stops paying (``D`` positive below it) or starts
    paying (``D`` negative below it: a little generosity moves too few customers, more
    makes promoters); :func:`generosity_curve` shows which.

    Parameters
    ----------
    params : Params, optional
    policy : Policy, optional
        Default :meth:`Policy.customer_centric`.
    baseline : Policy, optional
        Default ``policy`` with generosity 0.
    metric : {"profit", "clv"}, default "profit"
        Total profit over the run, or :func:`policy_clv`'s CLV.
    n_runs : int, default 20
    rng : None, int or numpy.random.Generator
    n_grid : int, default 11
        Levels of the first, coarse search (3 or more).
    tol : float, default 0.005
        Width of the final interval (the answer is its middle), above 0 and at most 0.5.
    discount, margin, paid
        For the CLV, as in :func:`policy_clv`.

    Returns
    -------
    float or None
        The break-even generosity (a share of ``Params.claim``; multiply by it for
        dollars per resolved problem), or ``None`` when ``D`` keeps its sign on the
        whole grid: generosity never pays, or always pays up to "lose every fight"
        (the sign of :func:`generosity_curve`'s ``profit_diff`` says which).  A
        crossing and a crossing back between two grid points are not seen.

    Examples
    --------
    >>> from cxlib.feedback import Params, Policy, breakeven_generosity
    >>> p = Params(n_customers=500, n_periods=20)
    >>> print(breakeven_generosity(p, n_runs=3, rng=1))  # over 20 weeks generosity never pays back
    None

    Against another baseline: resolving fewer complaints (0.7 instead of 0.9) saves
    recovery costs, which pay for compensation up to:

    >>> g = breakeven_generosity(p, Policy.customer_centric(recovery=0.7),
    ...                          baseline=Policy.customer_centric(generosity=0.0, recovery=0.9), n_runs=3, rng=1)
    >>> round(g, 2), round(g * p.claim, 2)  # share of the claim, dollars per resolved problem
    (0.19, 3.84)
    """
    metric = _check.choice("metric", metric, ("profit", "clv"))
    n_grid = _check.integer("n_grid", n_grid, min=3, max=1001)
    tol = _check.real("tol", tol, min=0, max=0.5, min_inclusive=False)
    gen = _generosity_inputs(params, policy, baseline, n_runs, rng, discount, margin, paid)
    grid = np.linspace(0.0, 1.0, n_grid)
    # the coarse search's levels at once (and tol, which it uses when D(0) = 0, as against the default baseline)
    gen.prefetch([*grid, tol] if gen.policy.replace(generosity=0.0) == gen.baseline else grid)
    if gen.gap(0.0, metric) == 0:  # the default baseline: start from what a little generosity does
        grid = np.insert(grid, 1, tol)
    signed = [(g, np.sign(gen.gap(g, metric))) for g in grid]
    signed = [(g, s) for g, s in signed if s != 0]
    bracket = next(((a, b, sa) for (a, sa), (b, sb) in zip(signed[:-1], signed[1:]) if sa != sb), None)
    if bracket is None:
        return None
    lo, hi, side = bracket
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if np.sign(gen.gap(mid, metric)) == side:
            lo = mid
        else:
            hi = mid
    return float((lo + hi) / 2)


#: The name :func:`explore_policy` gives the policy made from its levers.
YOUR_POLICY = "your policy"


def explore_policy(
    capacity_share: float = 1.0,
    recovery: float = 0.9,
    generosity: float = 0.25,
    priority: str = "pain",
    extra_delay: int = 0,
    *,
    params: Params | None = None,
    policies: list[Policy] | None = None,
    n_runs: int = 8,
    rng: None | int | np.random.Generator = None,
    metrics: tuple[str, ...] = ("profit", "clv", "retention", "final_satisfaction"),
) -> pd.DataFrame:
    """A policy made from five levers, against the named mindsets, on common random numbers.

    The plain function behind :func:`cxlib.widgets.mindset_explorer`: it builds
    ``Policy("your policy", capacity_share=..., recovery=..., generosity=...,
    priority=..., extra_delay=...)`` (acting on every kind of feedback), runs it and
    ``policies`` with :func:`compare` (the same keyed random numbers for all) and returns
    :func:`policy_summary` with the new policy as the baseline: each named policy's mean
    and standard error, and its paired difference from yours.

    Parameters
    ----------
    capacity_share, recovery, generosity, priority, extra_delay
        The levers of :class:`Policy` (validated there).
    params : Params, optional
        The business; default ``Params()``.
    policies : list of Policy, optional
        What to compare with; default the five mindsets of lesson 04
        (:meth:`Policy.fixed` ... :meth:`Policy.customer_centric`).
    n_runs : int, default 8
        Runs per policy (2 to 1,000).
    rng : None, int or numpy.random.Generator
        One seed for every policy.
    metrics : tuple of str
        Columns of :func:`run_totals` (:data:`RUN_METRICS`).

    Returns
    -------
    pandas.DataFrame
        As :func:`policy_summary`: ``policy, metric, mean, se, diff, diff_se,
        diff_se_independent, n_runs``, "your policy" first (its differences are 0).

    Examples
    --------
    >>> from cxlib.feedback import Params, Policy, explore_policy
    >>> p = Params(n_customers=500, n_periods=10)
    >>> out = explore_policy(0.5, 0.9, 0.0, "oldest", params=p, policies=[Policy.fixed()], n_runs=3, rng=1,
    ...                      metrics=("profit",))
    >>> out[["policy", "mean", "diff"]].round(0)
            policy     mean    diff
    0  your policy  67252.0     0.0
    1        fixed  70930.0  3678.0
    >>> explore_policy(recovery=1.5)
    Traceback (most recent call last):
    ...
    ValueError: recovery must be a probability between 0 and 1; got 1.5
    """
    from cxlib._feedback_runs import compare

    mine = Policy(YOUR_POLICY, act_share=1.0, recovery=recovery, capacity_share=capacity_share,
                  priority=priority, extra_delay=extra_delay, generosity=generosity)
    params = _check_inputs(params, mine)[0]
    if policies is None:
        policies = [Policy.fixed(), Policy.organisational(), Policy.compliance(), Policy.technical(),
                    Policy.customer_centric()]
    policies = list(policies)
    for i, pol in enumerate(policies):
        if not isinstance(pol, Policy):
            raise TypeError(f"policies[{i}] must be a cxlib.feedback.Policy; got {pol!r} ({type(pol).__name__})")
        if pol.name == YOUR_POLICY:
            raise ValueError(f"policies[{i}] is named {YOUR_POLICY!r}, the name of the policy made from the levers; "
                             "rename it (Policy.replace(name=...))")
    n_runs = _check.integer("n_runs", n_runs, min=2, max=1000)
    runs = compare(params, [mine, *policies], n_runs, rng=rng)
    return policy_summary(runs, baseline=YOUR_POLICY, metrics=metrics)
