"""A feedback-loop simulation of a customer base, vectorised over customers.

The readings claim that collecting and acting on customer feedback makes a business
better over time (``000_6dbbfaf15ab60b2f.txt``, technique 4; ``003_76b12731695d8fc6.txt``,
technique 7; ``004_0656c6b687fc57ea.txt``, *Customer Feedback Loops*).  This module
turns that claim into a model that can be run, varied and argued with.

The model, period by period
---------------------------
Each of ``n`` active customers, with satisfaction ``s_i`` (0-10), meets the product,
whose quality is ``Q_t`` (0-1), and, if something goes wrong, the service:

1. **Problems.**  Customer ``i`` has a problem with probability
   ``problem_rate * (1 - Q_t)``.
2. **Voice.**  A customer with a problem tells the firm with probability
   ``feedback_rate``; the others stay silent.
3. **Service recovery.**  A voiced problem is resolved with the probability the
   policy gives (``Policy.recovery_probability``, by default ``Policy.recovery``).
4. **Experience.**  The period's experience ``e_i`` is ``6 + 4 Q_t`` without a problem,
   ``satisfaction_silent`` for a silent problem, ``satisfaction_recovered`` for a
   resolved one and ``satisfaction_unresolved`` for one voiced but not resolved.
5. **Satisfaction** moves towards experience:
   ``s_i <- (1 - satisfaction_weight) s_i + satisfaction_weight e_i``.
6. **Churn.**  Customer ``i`` leaves with probability
   ``logistic(logit(churn_at_5) - churn_slope (s_i - 5))``: falling as satisfaction rises.
7. **Word of mouth.**  NPS is ``100 (promoters - detractors) / n`` with promoters
   ``s_i >= 9`` and detractors ``s_i <= 6`` (satisfaction stands in for likelihood to
   recommend).  Each promoter who stays brings a new customer with probability
   ``referral_rate``: the reinforcing loop.  On top, ``Poisson(acquisition)`` new
   customers arrive from marketing.  New customers start at ``initial_satisfaction``.
8. **Acting on feedback.**  Voiced problems join a backlog.  Items become *ready*
   ``action_delay`` periods after they arrive; the firm acts on
   ``A_t = Policy.to_act(ready, action_capacity)`` of them (at most
   ``action_capacity``, oldest first).  Each item acted on closes a share
   ``improvement`` of the remaining quality gap, so
   ``Q_{t+1} = 1 - (1 - Q_t) (1 - improvement) ** A_t``: diminishing returns, and
   quality changes only through action.  Fewer problems then mean more satisfied
   customers, less churn and more promoters: the balancing loop of a shrinking backlog
   and the reinforcing loop of word of mouth.
9. **Money.**  ``revenue_t = price * n``;
   ``cost_t = cost_per_action A_t + cost_per_recovery R_t + cost_per_feedback V_t`` with
   ``R_t`` resolved and ``V_t`` voiced problems; ``profit_t = revenue_t - cost_t``.

Randomness: common random numbers that are real
------------------------------------------------
Every random event is tied to *who* it happens to and *when*: customer ``i``'s draw
for "problem" in week ``t`` is a fixed function of the seed, the customer, the week and
the purpose (a counter-based generator: SplitMix64 indexed by customer and week; each
64-bit draw gives two 32-bit uniforms, see :func:`_draw`).  So two policies run with the same seed face the same
customers' luck: the same customer has the same problem in the same week under both,
if she is still there, and differences between the runs come from the policies.
Customers are identified by their position at the start (``0 .. n_customers - 1``) or
by how they arrived (the ``j``-th marketing or referral arrival of week ``t``), never
by a running count, so newcomers line up across policies too.  The number of
marketing arrivals of each week, ``Poisson(acquisition)``, is drawn once per seed from
its own stream, the same for every policy; each staying promoter refers with her own
draw.  The same seed gives identical results, and ``history=True`` draws nothing extra.

Memory grows with the number of customers, not with customers x periods: only the
active customers' satisfaction is kept (and their ids and cohort flag), unless
``history=True`` asks for every customer-period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as _check
from cxlib._results import SimulationResult, renamed
from cxlib._rng import check_rng, seed_from, substream

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Params",
    "Policy",
    "Result",
    "simulate",
    "monte_carlo",
    "compare",
    "bands",
    "breakeven_period",
    "explore",
    "PERIOD_COLUMNS",
]

#: Columns of :attr:`Result.periods`, in order.
PERIOD_COLUMNS = (
    "period", "active", "new", "churned", "quality", "mean_satisfaction", "nps",
    "feedback_received", "feedback_acted", "backlog", "revenue", "cost", "profit",
)


def _p(default, unit: str, lo, hi, meaning: str, kind: str = "real"):
    return field(default=default, metadata={"unit": unit, "range": (lo, hi), "help": meaning, "kind": kind})


@dataclass(frozen=True)
class Params:
    """The customer base and the business: every parameter of the feedback model.

    A frozen, validated dataclass: a bad value raises one ``TypeError``/``ValueError``
    naming the field, the value and the valid range.  Use :meth:`replace` for
    variants and :meth:`describe` for a table of units, defaults, ranges and
    meanings.  The parameters are listed (with unit, default, range and meaning) in
    the section below, which is generated from the fields themselves.

    Examples
    --------
    >>> from cxlib.feedback import Params
    >>> Params().action_capacity
    50
    >>> Params(action_capacity=-1)
    Traceback (most recent call last):
    ...
    ValueError: action_capacity must be an integer between 0 and 10000000; got -1
    >>> Params().replace(action_delay=8).action_delay
    8
    """

    n_customers: int = _p(5000, "customers", 1, 50_000_000, "customers active at the start", "int")
    n_periods: int = _p(52, "periods (weeks)", 1, 10_000, "how many periods to simulate", "int")
    initial_quality: float = _p(0.6, "share (0-1)", 0.0, 1.0, "product quality at the start; 1 means no problems", "prob")
    problem_rate: float = _p(0.25, "probability per period", 0.0, 1.0,
                             "chance that a customer has a problem in a period when quality is 0 "
                             "(the actual chance is problem_rate * (1 - quality))", "prob")
    feedback_rate: float = _p(0.3, "probability", 0.0, 1.0,
                              "share of customers with a problem who tell the firm (the rest stay silent)", "prob")
    action_capacity: int = _p(50, "items per period", 0, 10_000_000,
                              "feedback items the firm can act on (fix root causes of) per period", "int")
    action_delay: int = _p(4, "periods", 0, 520,
                           "periods between receiving a feedback item and being able to act on it", "int")
    improvement: float = _p(0.0005, "share of the quality gap per item", 0.0, 1.0,
                            "share of the remaining quality gap (1 - quality) closed by each item acted on", "prob")
    initial_satisfaction: float = _p(7.0, "points (0-10)", 0.0, 10.0, "satisfaction of a new customer")
    satisfaction_weight: float = _p(0.3, "weight (0-1)", 0.0, 1.0,
                                    "how far satisfaction moves towards the period's experience "
                                    "(0: never changes, 1: equals the last experience)", "prob")
    satisfaction_silent: float = _p(3.0, "points (0-10)", 0.0, 10.0, "experience of a problem the customer kept to themselves")
    satisfaction_recovered: float = _p(8.0, "points (0-10)", 0.0, 10.0, "experience of a voiced problem that was resolved")
    satisfaction_unresolved: float = _p(1.0, "points (0-10)", 0.0, 10.0, "experience of a voiced problem that was not resolved")
    churn_at_5: float = _p(0.04, "probability per period", 0.0, 1.0,
                           "chance that a customer with satisfaction 5 leaves in a period", "prob")
    churn_slope: float = _p(0.6, "log-odds per satisfaction point", 0.0, 10.0,
                            "how fast the chance of leaving falls as satisfaction rises")
    referral_rate: float = _p(0.01, "probability per period", 0.0, 1.0,
                              "chance that a promoter who stays brings one new customer in a period", "prob")
    acquisition: float = _p(60.0, "customers per period", 0.0, 1e7, "mean number of new customers from marketing (Poisson)")
    price: float = _p(10.0, "dollars per customer per period", 0.0, 1e6, "revenue from each active customer")
    cost_per_action: float = _p(40.0, "dollars per item", 0.0, 1e7, "cost of acting on one feedback item")
    cost_per_recovery: float = _p(15.0, "dollars per resolved problem", 0.0, 1e7, "cost of resolving one voiced problem")
    cost_per_feedback: float = _p(1.0, "dollars per voiced problem", 0.0, 1e7, "cost of receiving and logging one feedback item")

    def __post_init__(self) -> None:
        for f in fields(self):
            lo, hi = f.metadata["range"]
            value = getattr(self, f.name)
            kind = f.metadata["kind"]
            if kind == "int":
                checked = _check.integer(f.name, value, min=lo, max=hi)
            elif kind == "prob" and (lo, hi) == (0.0, 1.0):
                checked = _check.probability(f.name, value)
            else:
                checked = _check.real(f.name, value, min=lo, max=hi)
            object.__setattr__(self, f.name, checked)

    def replace(self, **changes: Any) -> Params:
        """A copy with some fields changed (validated like the original).

        Unknown names are refused with the list of fields and a suggestion.
        """
        names = [f.name for f in fields(self)]
        for key in changes:
            if key not in names:
                raise TypeError(
                    f"Params has no field {key!r}; fields are {', '.join(names)}"
                    f"{_check.did_you_mean(key, names)}"
                )
        return Params(**{**{n: getattr(self, n) for n in names}, **changes})

    @classmethod
    def describe(cls) -> pd.DataFrame:
        """A table of every parameter: unit, default, valid range and meaning.

        Whole numbers are shown as whole numbers (``10000000``, not ``1e7`` or
        ``10000000.0``); the columns ``default``, ``min`` and ``max`` hold Python numbers.

        Examples
        --------
        >>> from cxlib.feedback import Params
        >>> Params.describe().loc[["n_customers", "feedback_rate"], ["default", "min", "max"]]
                      default min       max
        parameter
        n_customers      5000   1  50000000
        feedback_rate     0.3   0         1
        """
        import pandas as pd

        def whole(x: float) -> int | float:
            return int(x) if float(x).is_integer() else x

        rows = [
            {"parameter": f.name, "unit": f.metadata["unit"], "default": whole(f.default),
             "min": whole(f.metadata["range"][0]), "max": whole(f.metadata["range"][1]), "meaning": f.metadata["help"]}
            for f in fields(cls)
        ]
        return pd.DataFrame(rows, dtype=object).set_index("parameter")


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() and abs(x) >= 1000 else f"{x:g}"


def _params_section() -> str:
    lines = ["", "    Parameters", "    ----------"]
    for f in fields(Params):
        lo, hi = f.metadata["range"]
        kind = "int" if f.metadata["kind"] == "int" else "float"
        lines.append(f"    {f.name} : {kind}, default {f.default!r}")
        lines.append(f"        {f.metadata['help'][0].upper()}{f.metadata['help'][1:]}; in {f.metadata['unit']}, "
                     f"from {_num(lo)} to {_num(hi)}.")
    return "\n".join(lines) + "\n"


Params.__doc__ = (Params.__doc__ or "").replace(
    "\n    Examples\n", _params_section() + "\n    Examples\n", 1
)


@dataclass(frozen=True)
class Policy:
    """What the firm does with feedback: the pluggable part of the model.

    The default is a listening, customer-centric firm: it acts on all ready feedback
    up to its capacity and resolves most voiced problems.  Subclass and override
    :meth:`to_act` (which feedback to act on) or :meth:`recovery_probability` (how
    generously to recover a bad experience) for other behaviours; lesson 04 builds
    its mindsets this way.

    Parameters
    ----------
    name : str
        A label for tables and plots.
    act_share : float, default 1.0
        Share (0-1) of the ready feedback items the firm is willing to act on; 0 means
        feedback never changes the product.
    recovery : float, default 0.7
        Probability (0-1) that a voiced problem is resolved.

    Examples
    --------
    >>> from cxlib.feedback import Policy
    >>> Policy().to_act(ready=120, capacity=50)
    50
    >>> Policy.not_listening().to_act(ready=120, capacity=50)
    0
    >>> Policy(recovery=1.5)
    Traceback (most recent call last):
    ...
    ValueError: recovery must be a probability between 0 and 1; got 1.5
    """

    name: str = "listening"
    act_share: float = 1.0
    recovery: float = 0.7

    def __post_init__(self) -> None:
        _check.text("name", self.name)
        object.__setattr__(self, "act_share", _check.probability("act_share", self.act_share))
        object.__setattr__(self, "recovery", _check.probability("recovery", self.recovery))

    @classmethod
    def listening(cls, recovery: float = 0.7) -> Policy:
        """Act on every ready feedback item (up to capacity) and resolve voiced problems."""
        return cls("listening", 1.0, recovery)

    @classmethod
    def not_listening(cls) -> Policy:
        """Ignore feedback: never act on it and never resolve a voiced problem."""
        return cls("not listening", 0.0, 0.0)

    def to_act(self, ready: int, capacity: int) -> int:
        """How many ready feedback items to act on this period (oldest first)."""
        # round first: 0.29 * 100 is 28.999999999999996 in floating point, and means 29
        return min(capacity, math.floor(round(self.act_share * ready, 9)))

    def recovery_probability(self, satisfaction: np.ndarray) -> float | np.ndarray:
        """Probability of resolving each voiced problem, given the customers' satisfaction."""
        return self.recovery


@dataclass(frozen=True)
class Result(SimulationResult):
    """One simulation run: its inputs, the policy, one row per period, optional history.

    Attributes
    ----------
    inputs : Params
        The parameters the run was simulated with.
    policy : Policy
    periods : pandas.DataFrame
        One row per period, columns :data:`PERIOD_COLUMNS`.
    cohort_retention : float
        Share of the customers active at the start who are still active at the end.
    history : pandas.DataFrame or None
        Every customer-period, when asked for.

    Examples
    --------
    >>> from cxlib.feedback import Params, simulate
    >>> res = simulate(Params(n_customers=500, n_periods=4), rng=1)
    >>> res
    Result('listening': 4 periods, customers 500 -> 701, retention 0.962, quality 0.600, profit 22,322)
    >>> res.inputs.n_customers
    500
    >>> res.summary()[["customers_end", "retention", "profit"]]
               customers_end  retention   profit
    policy
    listening            701      0.962  22322.0
    """

    inputs: Params
    policy: Policy
    periods: pd.DataFrame
    cohort_retention: float
    history: pd.DataFrame | None = None

    @property
    def params(self) -> Params:
        """Deprecated: the inputs are :attr:`inputs` (``params`` is for estimates)."""
        renamed("feedback.Result.params", "feedback.Result.inputs")
        return self.inputs

    def summary(self) -> pd.DataFrame:
        """Totals and end states of the run: one row, indexed by the policy's name.

        ``retention`` is the share of the customers active at the start who are still
        active at the end; ``mean_nps`` averages the per-period NPS.
        """
        import pandas as pd

        p = self.periods
        row = {
            "periods": len(p),
            "customers_start": self.inputs.n_customers,
            "customers_end": int(p["active"].iloc[-1]),
            "acquired": int(p["new"].sum()),
            "churned": int(p["churned"].sum()),
            "retention": self.cohort_retention,
            "final_quality": float(p["quality"].iloc[-1]),
            "mean_nps": float(p["nps"].mean()),
            "feedback_received": int(p["feedback_received"].sum()),
            "feedback_acted": int(p["feedback_acted"].sum()),
            "backlog_end": int(p["backlog"].iloc[-1]),
            "revenue": float(p["revenue"].sum()),
            "cost": float(p["cost"].sum()),
            "profit": float(p["profit"].sum()),
        }
        return pd.DataFrame([row], index=pd.Index([self.policy.name], name="policy"))

    def __repr__(self) -> str:
        s = self.summary().iloc[0]
        return (
            f"Result({self.policy.name!r}: {s['periods']:.0f} periods, customers "
            f"{s['customers_start']:,.0f} -> {s['customers_end']:,.0f}, retention {s['retention']:.3f}, "
            f"quality {s['final_quality']:.3f}, profit {s['profit']:,.0f})"
        )


def _check_inputs(params: Any, policy: Any) -> tuple[Params, Policy]:
    params = Params() if params is None else params
    policy = Policy() if policy is None else policy
    if not isinstance(params, Params):
        raise TypeError(f"params must be a cxlib.feedback.Params; got {params!r} ({type(params).__name__})")
    if not isinstance(policy, Policy):
        raise TypeError(f"policy must be a cxlib.feedback.Policy; got {policy!r} ({type(policy).__name__})")
    return params, policy


def simulate(
    params: Params | None = None,
    policy: Policy | None = None,
    *,
    rng: None | int | np.random.Generator = None,
    history: bool = False,
) -> Result:
    """Simulate the customer base period by period (see the module docstring).

    Parameters
    ----------
    params : Params, optional
        The customer base and business; default ``Params()``.
    policy : Policy, optional
        What the firm does with feedback; default ``Policy()`` (listening).
    rng : None, int or numpy.random.Generator
        Seed or generator (see :func:`cxlib.check_rng`); the same seed gives
        identical results.
    history : bool, default False
        Also return every customer-period (memory grows with customers x periods).

    Returns
    -------
    Result
        ``periods``: one row per period with columns :data:`PERIOD_COLUMNS`
        (``active`` and ``backlog`` at the end of the period, ``quality``,
        ``mean_satisfaction`` and ``nps`` as the period's customers experienced them,
        the rest flows during the period); ``summary()``: totals; ``history`` (if
        asked): ``period, customer_id, satisfaction, problem, voiced, recovered,
        churned``.

    Raises
    ------
    TypeError
        If ``params`` or ``policy`` is of the wrong type.
    RuntimeError
        If a custom policy returns an invalid number of items to act on.

    Examples
    --------
    >>> from cxlib.feedback import Params, Policy, simulate
    >>> res = simulate(Params(n_customers=1000, n_periods=10), rng=1)
    >>> res.periods.columns.tolist()[:6]
    ['period', 'active', 'new', 'churned', 'quality', 'mean_satisfaction']
    >>> int(res.periods["active"].iloc[0]) == 1000 + int(res.periods["new"].iloc[0]) - int(res.periods["churned"].iloc[0])
    True
    >>> simulate(Params(n_customers=1000, n_periods=10), Policy.not_listening(), rng=1).periods["quality"].nunique()
    1
    """
    import pandas as pd

    p, policy = _check_inputs(params, policy)
    history = _check.boolean("history", history)
    seed = seed_from(rng)
    run_key = _mix(np.array([seed], dtype=np.uint64))[0]  # the run's stream, from the seed

    n0 = p.n_customers
    sat = np.full(n0, p.initial_satisfaction, dtype=np.float64)
    keys = _customer_keys(np.arange(n0, dtype=np.uint64), run_key)
    cohort = np.ones(n0, dtype=bool)
    ids = np.arange(n0, dtype=np.int64) if history else None
    next_id = n0
    marketing = substream(seed, 1).poisson(p.acquisition, p.n_periods)  # the same for every policy
    quality = p.initial_quality
    received_cum = np.zeros(p.n_periods + 1, dtype=np.int64)  # feedback received up to each period
    acted_total = 0
    w = p.satisfaction_weight
    logit5 = math.log(p.churn_at_5 / (1 - p.churn_at_5)) if 0 < p.churn_at_5 < 1 else None

    cols = {c: np.zeros(p.n_periods, dtype=np.float64) for c in PERIOD_COLUMNS}
    chunks = []
    for t in range(p.n_periods):
        n = sat.size
        # 1-3: problems, voice, recovery (each customer's own draws for this week)
        draw = _draw(keys, t, _EVERYONE)  # problem (high half), churn (low half)
        problem_idx = np.flatnonzero(_high(draw) < _scale(p.problem_rate * (1.0 - quality)))
        draw_problem = _draw(keys[problem_idx], t, _PROBLEMS)  # voice (high), recovery (low)
        voiced_mask = _high(draw_problem) < _scale(p.feedback_rate)
        voiced_idx = problem_idx[voiced_mask]
        silent_idx = problem_idx[~voiced_mask]
        rec_p = policy.recovery_probability(sat[voiced_idx])
        recovered_mask = _low(draw_problem[voiced_mask]) < _scale(rec_p)
        recovered_idx = voiced_idx[recovered_mask]
        unresolved_idx = voiced_idx[~recovered_mask]
        # 4-5: experience moves satisfaction
        e_ok = 6.0 + 4.0 * quality
        sat *= 1.0 - w
        sat += w * e_ok
        sat[silent_idx] += w * (p.satisfaction_silent - e_ok)
        sat[recovered_idx] += w * (p.satisfaction_recovered - e_ok)
        sat[unresolved_idx] += w * (p.satisfaction_unresolved - e_ok)
        # 6: churn
        if logit5 is None:  # churn_at_5 is 0 or 1: nobody or everybody leaves
            churn = np.full(n, p.churn_at_5 >= 1.0)
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                churn = _low(draw) * (1.0 + np.exp(p.churn_slope * (sat - 5.0) - logit5)) < _scale(1.0)
        # 7: word of mouth: each staying promoter refers with her own draw
        promoter = sat >= 9.0
        n_promoters = int(np.count_nonzero(promoter))
        n_detractors = int(np.count_nonzero(sat <= 6.0))
        staying = np.flatnonzero(promoter & ~churn)
        n_referred = int(np.count_nonzero(_high(_draw(keys[staying], t, _PROMOTERS)) < _scale(p.referral_rate)))
        n_marketing = int(marketing[t])
        n_new = n_marketing + n_referred
        # 8: acting on feedback: items are ready action_delay periods after they arrive,
        # and the firm acts on the oldest first, so what is ready is what arrived up to
        # t - action_delay minus what was acted on already
        received = int(voiced_idx.size)
        received_cum[t + 1] = received_cum[t] + received
        arrived = received_cum[t + 1 - p.action_delay] if t + 1 - p.action_delay > 0 else 0
        ready = int(arrived - acted_total)
        act = policy.to_act(ready, p.action_capacity)
        if not (isinstance(act, (int, np.integer)) and not isinstance(act, bool)
                and 0 <= act <= min(ready, p.action_capacity)):
            raise RuntimeError(
                f"policy {policy.name!r} chose to act on {act!r} items; it must be an integer "
                f"between 0 and min(ready={ready}, action_capacity={p.action_capacity})"
            )
        act = int(act)
        acted_total += act
        # 9: money, and the period's row
        n_churned = int(np.count_nonzero(churn))
        revenue = p.price * n
        cost = p.cost_per_action * act + p.cost_per_recovery * recovered_idx.size + p.cost_per_feedback * received
        row = cols
        row["period"][t] = t + 1
        row["quality"][t] = quality
        row["mean_satisfaction"][t] = float(sat.mean()) if n else math.nan
        row["nps"][t] = 100.0 * (n_promoters - n_detractors) / n if n else math.nan
        row["feedback_received"][t] = received
        row["feedback_acted"][t] = act
        row["backlog"][t] = received_cum[t + 1] - acted_total
        row["new"][t] = n_new
        row["churned"][t] = n_churned
        row["active"][t] = n - n_churned + n_new
        row["revenue"][t] = revenue
        row["cost"][t] = cost
        row["profit"][t] = revenue - cost
        if history:
            flags = np.zeros((4, n), dtype=bool)
            flags[0, problem_idx] = True
            flags[1, voiced_idx] = True
            flags[2, recovered_idx] = True
            flags[3] = churn
            chunks.append(pd.DataFrame({
                "period": np.full(n, t + 1, dtype=np.int64), "customer_id": ids, "satisfaction": sat.copy(),
                "problem": flags[0], "voiced": flags[1], "recovered": flags[2], "churned": flags[3],
            }))
        # next period: quality improves, churned leave, new arrive
        if act and p.improvement > 0:
            # Q + (1 - Q)(1 - (1 - improvement)^A): the same closed form, written so that
            # quality can only go up, even by rounding
            closed = -math.expm1(act * math.log1p(-p.improvement)) if p.improvement < 1 else 1.0
            quality = min(1.0, quality + (1.0 - quality) * closed)
        keep = ~churn
        sat = np.concatenate([sat[keep], np.full(n_new, p.initial_satisfaction)])
        cohort = np.concatenate([cohort[keep], np.zeros(n_new, dtype=bool)])
        keys = np.concatenate([keys[keep], _arrival_keys(t, n_marketing, n_referred, run_key)])
        if history:
            ids = np.concatenate([ids[keep], np.arange(next_id, next_id + n_new, dtype=np.int64)])
            next_id += n_new

    periods = pd.DataFrame(cols, columns=list(PERIOD_COLUMNS))
    int_cols = ["period", "active", "new", "churned", "feedback_received", "feedback_acted", "backlog"]
    periods[int_cols] = periods[int_cols].astype(np.int64)
    return Result(
        inputs=p,
        policy=policy,
        periods=periods,
        cohort_retention=float(np.count_nonzero(cohort)) / p.n_customers,
        history=pd.concat(chunks, ignore_index=True) if history else None,
    )


# ---------------------------------------------------------------------------
# Counter-based random numbers: SplitMix64 indexed by customer, week and purpose
# ---------------------------------------------------------------------------

_GAMMA = 0x9E3779B97F4A7C15  # SplitMix64's increment (the golden ratio in 64 bits)
_MASK = (1 << 64) - 1
#: Draw streams of a week: everyone (problem, churn), customers with a problem (voice,
#: recovery), staying promoters (referral).  Room is left for more (lesson 04's policies).
_EVERYONE, _PROBLEMS, _PROMOTERS = range(3)
_STREAMS = 8
_REFERRED_BIT = 1 << 31
_TWO32 = 4294967296.0


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function (Steele, Lea & Flood 2014), in place on a uint64 array:
    a bijection of 64-bit integers whose outputs along a Weyl sequence pass BigCrush."""
    tmp = z >> np.uint64(30)
    z ^= tmp
    z *= np.uint64(0xBF58476D1CE4E5B9)
    np.right_shift(z, np.uint64(27), out=tmp)
    z ^= tmp
    z *= np.uint64(0x94D049BB133111EB)
    np.right_shift(z, np.uint64(31), out=tmp)
    z ^= tmp
    return z


def _customer_keys(labels: np.ndarray, run_key: np.uint64) -> np.ndarray:
    """Each customer's own stream: SplitMix64 seeded with a mix of the run and her label."""
    return _mix(labels * np.uint64(_GAMMA) + run_key)


def _arrival_keys(t: int, n_marketing: int, n_referred: int, run_key: np.uint64) -> np.ndarray:
    """Labels of week ``t``'s arrivals: ``(t + 1) << 32`` plus their index, the referred
    ones with bit 31 set.  Initial customers have labels ``0 .. n_customers - 1`` (under
    2**32), so every label is unique, and the j-th marketing arrival of a week is the same
    customer under every policy."""
    week = np.uint64((t + 1) << 32)
    labels = np.concatenate([np.arange(n_marketing, dtype=np.uint64),
                             np.arange(n_referred, dtype=np.uint64) + np.uint64(_REFERRED_BIT)]) + week
    return _customer_keys(labels, run_key)


def _draw(keys: np.ndarray, t: int, stream: int) -> np.ndarray:
    """One 64-bit draw per customer: position ``t * 8 + stream + 1`` of her stream.  Its
    two 32-bit halves (:func:`_high`, :func:`_low`) are two independent uniforms."""
    return _mix(keys + np.uint64(((t * _STREAMS + stream + 1) * _GAMMA) & _MASK))


def _high(draw: np.ndarray) -> np.ndarray:
    """The first uniform of each draw, as an integer in [0, 2**32); compare with :func:`_scale`."""
    return draw >> np.uint64(32)


def _low(draw: np.ndarray) -> np.ndarray:
    """The second uniform of each draw, as an integer in [0, 2**32)."""
    return draw & np.uint64(0xFFFFFFFF)


def _scale(probability: Any) -> Any:
    """A probability on the scale of :func:`_high`/:func:`_low`: ``u < p`` is ``high < _scale(p)``."""
    return np.multiply(probability, _TWO32)


def monte_carlo(
    params: Params | None = None,
    n_runs: int = 100,
    policy: Policy | None = None,
    *,
    rng: None | int | np.random.Generator = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run :func:`simulate` many times and return every run's periods, tidy.

    Each run gets its own independent random stream (``Generator.spawn``), so the
    runs do not depend on their order, and the same ``rng`` seed gives the same
    streams to any policy: comparisons across policies use common random numbers.

    Parameters
    ----------
    params : Params, optional
    n_runs : int, default 100
        Number of replications, 1 to 100,000.
    policy : Policy, optional
    rng : None, int or numpy.random.Generator
    progress : bool, default False
        Show a progress bar (tqdm) over the runs.

    Returns
    -------
    pandas.DataFrame
        Columns ``run`` and :data:`PERIOD_COLUMNS`, plus ``policy`` (the policy's name)
        and ``retention`` (the run's cohort retention, repeated on its rows).

    Examples
    --------
    >>> from cxlib.feedback import Params, monte_carlo
    >>> mc = monte_carlo(Params(n_customers=500, n_periods=8), n_runs=3, rng=2)
    >>> mc.shape, sorted(mc["run"].unique().tolist())
    ((24, 16), [0, 1, 2])
    """
    import pandas as pd
    from tqdm.auto import tqdm

    params, policy = _check_inputs(params, policy)
    n_runs = _check.integer("n_runs", n_runs, min=1, max=100_000)
    streams = check_rng(rng).spawn(n_runs)
    frames = []
    for run, stream in enumerate(tqdm(streams, desc=policy.name, unit="run", disable=not progress)):
        res = simulate(params, policy, rng=stream)
        frame = res.periods
        frame.insert(0, "run", run)
        frame["policy"] = policy.name
        frame["retention"] = res.cohort_retention
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def compare(
    params: Params | None = None,
    policies: list[Policy] | None = None,
    n_runs: int = 100,
    *,
    rng: None | int | np.random.Generator = None,
    progress: bool = False,
) -> pd.DataFrame:
    """:func:`monte_carlo` for several policies on the same random streams.

    Parameters
    ----------
    params : Params, optional
    policies : list of Policy, default listening and not listening
        Their names must differ (they label the rows).
    n_runs : int, default 100
    rng : None, int or numpy.random.Generator
        One seed is drawn (or taken) and reused for every policy: common random
        numbers, so differences come from the policies, not from luck.
    progress : bool, default False

    Returns
    -------
    pandas.DataFrame
        The runs of every policy stacked, with a ``policy`` column.

    Examples
    --------
    >>> from cxlib.feedback import Params, compare
    >>> runs = compare(Params(n_customers=300, n_periods=4), n_runs=3, rng=1)
    >>> runs.groupby("policy")["retention"].mean().round(3)
    policy
    listening        0.970
    not listening    0.969
    Name: retention, dtype: float64
    """
    import pandas as pd

    from cxlib._rng import seed_from

    policies = [Policy.listening(), Policy.not_listening()] if policies is None else list(policies)
    names = [getattr(pol, "name", None) for pol in policies]
    if not policies or len(set(names)) != len(names):
        raise ValueError(f"policies must be a non-empty list of Policy objects with different names; got names {names}")
    seed = seed_from(rng)
    return pd.concat(
        [monte_carlo(params, n_runs, pol, rng=seed, progress=progress) for pol in policies], ignore_index=True
    )


def bands(runs: pd.DataFrame, column: str, *, level: float = 0.9, by: str = "policy") -> pd.DataFrame:
    """Mean and central ``level`` band of ``column`` over runs, per period (and policy).

    Parameters
    ----------
    runs : pandas.DataFrame
        Output of :func:`monte_carlo` or :func:`compare`.
    column : str
        One of the period columns, e.g. ``"active"`` or ``"profit"``; ``"cum_profit"``
        (cumulative profit within each run) is also accepted.
    level : float, default 0.9
        Share of runs inside the band (between the quantiles (1 - level)/2 and
        (1 + level)/2).
    by : str, default "policy"
        Grouping column besides ``period`` (ignored if absent).

    Returns
    -------
    pandas.DataFrame
        Columns ``[by,] period, mean, low, high, sem`` (``sem``: the Monte Carlo
        standard error of the mean).

    Examples
    --------
    >>> from cxlib.feedback import Params, monte_carlo, bands
    >>> b = bands(monte_carlo(Params(n_customers=300, n_periods=5), n_runs=4, rng=1), "active")
    >>> b.columns.tolist()
    ['policy', 'period', 'mean', 'low', 'high', 'sem']
    """
    level = _check.real("level", level, min=0, max=1, min_inclusive=False, max_inclusive=False)
    frame = runs
    if column == "cum_profit":
        keys = [k for k in (by, "run") if k in frame.columns]
        frame = frame.sort_values(keys + ["period"])  # cumulate in time order whatever the row order
        frame = frame.assign(cum_profit=frame.groupby(keys)["profit"].cumsum())
    valid = [c for c in PERIOD_COLUMNS if c != "period"] + ["cum_profit"]
    _check.choice("column", column, valid)
    keys = [k for k in (by, "period") if k in frame.columns]
    grouped = frame.groupby(keys)[column]
    out = grouped.agg(mean="mean", sem="sem")
    out["low"] = grouped.quantile((1 - level) / 2)
    out["high"] = grouped.quantile((1 + level) / 2)
    return out.reset_index()[keys + ["mean", "low", "high", "sem"]]


def breakeven_period(runs: pd.DataFrame, policy: str, baseline: str) -> int | None:
    """First period at which mean cumulative profit of ``policy`` exceeds ``baseline``.

    Parameters
    ----------
    runs : pandas.DataFrame
        Output of :func:`compare` (or stacked :func:`monte_carlo` frames) holding both
        policies.
    policy, baseline : str
        Policy names in the ``policy`` column.

    Returns
    -------
    int or None
        The period, or ``None`` if ``policy`` never gets ahead.  If it is ahead from
        the first period, that is 1.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"policy": ["a"] * 3 + ["b"] * 3, "run": 0, "period": [1, 2, 3] * 2,
    ...                      "profit": [-5.0, 10.0, 10.0, 0.0, 1.0, 1.0]})
    >>> breakeven_period(runs, "a", "b")  # cumulative a: -5, 5, 15; b: 0, 1, 2
    2
    >>> breakeven_period(runs, "b", "a")  # b is ahead at once
    1
    >>> breakeven_period(runs.assign(profit=-1.0), "a", "b") is None  # never ahead
    True
    """
    present = sorted(runs["policy"].unique()) if "policy" in runs.columns else []
    _check.choice("policy", policy, present)
    _check.choice("baseline", baseline, present)
    mean = bands(runs, "cum_profit").pivot(index="period", columns="policy", values="mean")
    ahead = mean.index[(mean[policy] > mean[baseline]).to_numpy()]
    return int(ahead[0]) if len(ahead) else None


def explore(
    feedback_rate: float,
    action_capacity: int,
    action_delay: int,
    *,
    params: Params | None = None,
    n_runs: int = 20,
    rng: None | int | np.random.Generator = None,
    columns: tuple[str, ...] = ("active", "quality", "cum_profit"),
) -> pd.DataFrame:
    """Listening vs not listening at one setting of the three loop levers, as bands.

    The plain function behind :func:`cxlib.widgets.feedback_explorer`: it replaces
    ``feedback_rate``, ``action_capacity`` and ``action_delay`` in ``params``, runs
    :func:`compare` (listening and not listening, common random numbers) and returns
    the Monte Carlo bands of each column.

    Parameters
    ----------
    feedback_rate, action_capacity, action_delay
        As in :class:`Params` (validated there).
    params : Params, optional
        Everything else; default ``Params()``.
    n_runs : int, default 20
    rng : None, int or numpy.random.Generator
    columns : tuple of str
        Period columns (or ``"cum_profit"``) to summarise.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric, policy, period, mean, low, high, sem``.

    Examples
    --------
    >>> from cxlib.feedback import Params, explore
    >>> out = explore(0.3, 50, 4, params=Params(n_customers=300, n_periods=6), n_runs=3, rng=1)
    >>> sorted(out["metric"].unique()), sorted(out["policy"].unique())
    (['active', 'cum_profit', 'quality'], ['listening', 'not listening'])
    """
    import pandas as pd

    base = Params() if params is None else _check_inputs(params, None)[0]
    p = base.replace(feedback_rate=feedback_rate, action_capacity=action_capacity, action_delay=action_delay)
    runs = compare(p, n_runs=n_runs, rng=rng)
    return pd.concat([bands(runs, c).assign(metric=c) for c in columns], ignore_index=True)[
        ["metric", "policy", "period", "mean", "low", "high", "sem"]
    ]
