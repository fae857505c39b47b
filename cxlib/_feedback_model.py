"""The feedback engine itself: its parameters, the firm's policy, one simulated run.

The model, its randomness and its readings are described in :mod:`cxlib.feedback`,
which re-exports everything public here; import from there.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as _check
from cxlib._feedback_draws import (
    _EVERYONE,
    _KIND,
    _PROBLEMS,
    _PROMOTERS,
    _arrival_keys,
    _customer_keys,
    _draw,
    _high,
    _low,
    _mix,
    _scale,
)
from cxlib._results import SimulationResult, renamed
from cxlib._rng import seed_from, substream

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Columns of :attr:`Result.periods`, in order.
PERIOD_COLUMNS = (
    "period", "active", "new", "churned", "quality", "mean_satisfaction", "nps",
    "feedback_received", "feedback_acted", "backlog", "revenue", "cost", "profit",
    "recovered", "compensation",
)
#: What a problem (and the feedback item it becomes) is about: customer pain (time,
#: emotions, money, risk, convenience), revenue, technical detail (lesson 04).
KINDS = ("pain", "revenue", "technical")
#: The order in which a policy takes ready feedback items: oldest first, or one kind first.
PRIORITIES = ("oldest", *KINDS)


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
    # lesson 04: what problems are about, and what service recovery can buy
    share_revenue: float = _p(0.0, "share of problems", 0.0, 1.0,
                              "share of problems about revenue (a failed payment, a broken checkout): a customer "
                              "with one pays nothing that period", "prob")
    share_technical: float = _p(0.0, "share of problems", 0.0, 1.0,
                                "share of problems about technical detail; the rest, 1 - share_revenue - "
                                "share_technical, are about customer pain: time, emotions, money, risk, "
                                "convenience", "prob")
    severity_revenue: float = _p(0.5, "share of a problem's effect", 0.0, 1.0,
                                 "how much a revenue problem moves the experience, as a share of what a pain "
                                 "problem does (the loss is mostly the firm's)", "prob")
    severity_technical: float = _p(0.25, "share of a problem's effect", 0.0, 1.0,
                                   "how much a technical problem moves the experience, as a share of what a pain "
                                   "problem does (0: customers do not notice it)", "prob")
    claim: float = _p(20.0, "dollars per problem", 0.0, 1e6,
                      "compensation a customer with a problem asks for; a policy's generosity is the share of "
                      "it paid on each resolved problem")
    satisfaction_compensated: float = _p(10.0, "points (0-10)", 0.0, 10.0,
                                         "experience of a resolved problem whose claim is paid in full; paying a "
                                         "share g of the claim moves the experience that share of the way from "
                                         "satisfaction_recovered to this")
    recovery_paradox: bool = _p(True, "True or False", False, True,
                                "whether a resolved problem can leave a better experience than no problem at all "
                                "(the service recovery paradox; evidence is mixed); False caps the experience of "
                                "a resolved problem at that of a problem-free period", "bool")

    def __post_init__(self) -> None:
        for f in fields(self):
            lo, hi = f.metadata["range"]
            value = getattr(self, f.name)
            kind = f.metadata["kind"]
            if kind == "int":
                checked = _check.integer(f.name, value, min=lo, max=hi)
            elif kind == "bool":
                checked = _check.boolean(f.name, value)
            elif kind == "prob" and (lo, hi) == (0.0, 1.0):
                checked = _check.probability(f.name, value)
            else:
                checked = _check.real(f.name, value, min=lo, max=hi)
            object.__setattr__(self, f.name, checked)
        if self.share_revenue + self.share_technical > 1.0 + 1e-9:
            raise ValueError(
                f"share_revenue + share_technical must be at most 1 (the rest of the problems are about customer "
                f"pain); got {self.share_revenue!r} + {self.share_technical!r} = "
                f"{self.share_revenue + self.share_technical:g}"
            )

    @property
    def kind_shares(self) -> np.ndarray:
        """Shares of problems about pain, revenue and technical detail (in :data:`KINDS` order)."""
        return np.array([max(0.0, 1.0 - self.share_revenue - self.share_technical), self.share_revenue,
                         self.share_technical])

    @property
    def kind_severity(self) -> np.ndarray:
        """How much a problem of each kind moves the experience (pain: 1), in :data:`KINDS` order."""
        return np.array([1.0, self.severity_revenue, self.severity_technical])

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

        def whole(x: float) -> int | float | bool:
            return x if isinstance(x, bool) else int(x) if float(x).is_integer() else x

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
        kind = f.metadata["kind"] if f.metadata["kind"] in ("int", "bool") else "float"
        lines.append(f"    {f.name} : {kind}, default {f.default!r}")
        where = "" if kind == "bool" else f"; in {f.metadata['unit']}, from {_num(lo)} to {_num(hi)}"
        lines.append(f"        {f.metadata['help'][0].upper()}{f.metadata['help'][1:]}{where}.")
    return "\n".join(lines) + "\n"


Params.__doc__ = (Params.__doc__ or "").replace(
    "\n    Examples\n", _params_section() + "\n    Examples\n", 1
)


#: The sentences of seed 001 (``001_54a63cd485e4840b.txt``, *Nurturing a customer-centric
#: mindset*) that the named policies of lesson 04 encode, by policy name.
READINGS = {
    "fixed": "They talk, they don't listen. The fixed mindset follows its own path, rather than responding "
             "to the customer.",
    "organisational": "The organisational mindset asks 'how can we make money from our customers' rather than "
                      "'what value do our clients need to see before they are willing to pay?'.",
    "compliance": "They might respond better than most to specific customer-facing demands and KPIs but will not "
                  "take personal risks for the customer and lack the initiative to go above and beyond.",
    "technical": "They focus on how their expertise can deliver superior technical solutions but are often "
                 "oblivious to real client value in terms of time, the emotions, money, risk and convenience.",
    "customer centric": "You can afford to be generous. [...] It's about taking risks for the customer and "
                        "clearly prioritising the customer over both your role and the company.",
    "lose every fight": "Lose every fight.",
}


def _kinds(name: str, value: Any) -> tuple[str, ...]:
    """A set of feedback kinds, as a tuple in :data:`KINDS` order (a single name is one kind)."""
    items = (value,) if isinstance(value, str) else value
    try:
        items = list(items)
    except TypeError:
        raise TypeError(
            f"{name} must be a tuple of kinds from {KINDS}; got {value!r} ({type(value).__name__})"
        ) from None
    for item in items:
        _check.choice(name, item, KINDS)
    return tuple(k for k in KINDS if k in items)


@dataclass(frozen=True)
class Policy:
    """What the firm does with feedback and with customers who complain: the pluggable part.

    The default is a listening firm: it acts on all ready feedback up to its capacity,
    oldest first, resolves most voiced problems and pays no compensation.  The levers
    are what is acted on (``act_share``, ``capacity_share``, ``act_on``, ``priority``), how fast
    (``extra_delay``), service recovery (``recovery``) and its generosity
    (``generosity``).  Lesson 04's mindsets are combinations of them, each a
    classmethod documented with the sentence of the reading it encodes:
    :meth:`fixed`, :meth:`organisational`, :meth:`compliance`, :meth:`technical`,
    :meth:`customer_centric` (and the limit case :meth:`lose_every_fight`);
    :func:`cxlib.feedback.mindsets` tabulates them.  Subclass and override
    :meth:`to_act` (how many ready items to act on) or :meth:`recovery_probability`
    for other behaviours.

    Parameters
    ----------
    name : str
        A label for tables and plots.
    act_share : float, default 1.0
        Share (0-1) of the ready feedback items the firm is willing to act on; 0 means
        feedback never changes the product.  With a backlog, a share above 0 acts on
        everything in the end, later: it is a lever of speed as much as of scope.
    recovery : float, default 0.7
        Probability (0-1) that a voiced problem is resolved.
    capacity_share : float, default 1.0
        Share (0-1) of ``Params.action_capacity`` the firm gives to feedback; the rest
        goes its own way (in the model: no effect on quality, no cost).  Unlike
        ``act_share`` it limits how much feedback is ever acted on.
    priority : {"oldest", "pain", "revenue", "technical"}, default "oldest"
        Which ready items are acted on first: the oldest, or those about one kind
        (:data:`KINDS`; oldest first within it, then the rest oldest first).  It matters
        only when problems come in several kinds (``Params.share_revenue``,
        ``Params.share_technical``) and capacity is short.
    act_on : tuple of str, default all of :data:`KINDS`
        The kinds of feedback item the firm acts on at all (what its KPIs name); items of
        other kinds wait in the backlog for ever.  Must include ``priority``'s kind.
    extra_delay : int, default 0
        Periods (0-520) the firm waits beyond ``Params.action_delay`` before an item
        can be acted on.
    generosity : float, default 0.0
        Share (0-1) of the customer's claim (``Params.claim`` dollars) paid as
        compensation on each resolved problem; 1 pays every claim in full.  It costs
        ``generosity * claim`` per resolved problem and moves that problem's experience
        the same share of the way from ``Params.satisfaction_recovered`` to
        ``Params.satisfaction_compensated`` (capped at the problem-free experience when
        ``Params.recovery_paradox`` is False); referrals follow satisfaction.

    Examples
    --------
    >>> from cxlib.feedback import Policy
    >>> Policy().to_act(ready=120, capacity=50)
    50
    >>> Policy.not_listening().to_act(ready=120, capacity=50)
    0
    >>> Policy.compliance()
    Policy(name='compliance', act_share=1.0, recovery=0.8, capacity_share=1.0, priority='oldest',
           act_on=('revenue', 'technical'), extra_delay=4, generosity=0.0)
    >>> Policy.customer_centric().replace(generosity=0.5).generosity
    0.5
    >>> Policy(recovery=1.5)
    Traceback (most recent call last):
    ...
    ValueError: recovery must be a probability between 0 and 1; got 1.5
    >>> Policy(priority="pain", act_on=("revenue",))
    Traceback (most recent call last):
    ...
    ValueError: priority 'pain' is not among the kinds the policy acts on; act_on is ('revenue',)
    """

    name: str = "listening"
    act_share: float = 1.0
    recovery: float = 0.7
    capacity_share: float = 1.0
    priority: str = "oldest"
    act_on: tuple[str, ...] = KINDS
    extra_delay: int = 0
    generosity: float = 0.0

    def __post_init__(self) -> None:
        _check.text("name", self.name)
        object.__setattr__(self, "act_share", _check.probability("act_share", self.act_share))
        object.__setattr__(self, "recovery", _check.probability("recovery", self.recovery))
        object.__setattr__(self, "capacity_share", _check.probability("capacity_share", self.capacity_share))
        object.__setattr__(self, "priority", _check.choice("priority", self.priority, PRIORITIES))
        object.__setattr__(self, "act_on", _kinds("act_on", self.act_on))
        object.__setattr__(self, "extra_delay", _check.integer("extra_delay", self.extra_delay, min=0, max=520))
        object.__setattr__(self, "generosity", _check.probability("generosity", self.generosity))
        if self.priority != "oldest" and self.priority not in self.act_on:
            raise ValueError(f"priority {self.priority!r} is not among the kinds the policy acts on; "
                             f"act_on is {self.act_on!r}")

    def replace(self, **changes: Any) -> Policy:
        """A copy with some levers changed (validated like the original; the name is kept
        unless changed).  Unknown names are refused with the list of levers."""
        names = [f.name for f in fields(self)]
        for key in changes:
            if key not in names:
                raise TypeError(f"Policy has no lever {key!r}; levers are {', '.join(names)}"
                                f"{_check.did_you_mean(key, names)}")
        return dataclasses.replace(self, **changes)

    @classmethod
    def listening(cls, recovery: float = 0.7) -> Policy:
        """Act on every ready feedback item (up to capacity) and resolve voiced problems."""
        return cls("listening", 1.0, recovery)

    @classmethod
    def not_listening(cls) -> Policy:
        """Ignore feedback: never act on it and never resolve a voiced problem."""
        return cls("not listening", 0.0, 0.0)

    @classmethod
    def fixed(cls) -> Policy:
        """The fixed mindset: acts on little feedback and rarely resolves a complaint.

        Reading (seed 001): "They talk, they don't listen. The fixed mindset follows its
        own path, rather than responding to the customer."

        Levers: ``capacity_share=0.2`` (a fifth of its capacity goes to feedback, the
        rest follows its own path), ``recovery=0.3`` (it thinks it knows what customers
        want, so most complaints are not resolved), ``act_share=1``, oldest first, no
        extra delay, ``generosity=0``.  One reading: "its own path" could also cost
        money (projects no customer asked for); here it costs only the feedback not
        acted on.
        """
        return cls("fixed", act_share=1.0, recovery=0.3, capacity_share=0.2)

    @classmethod
    def organisational(cls) -> Policy:
        """The organisational mindset: fixes first what stands between the firm and money.

        Reading (seed 001): "The organisational mindset asks 'how can we make money from
        our customers' rather than 'what value do our clients need to see before they
        are willing to pay?'."

        Levers: ``priority="revenue"`` (revenue items first: a customer with a revenue
        problem pays nothing that period, so fixing them raises short-term revenue),
        ``recovery=0.5`` (resolving complaints is a cost to the organisation),
        ``act_share=1``, no extra delay, ``generosity=0`` (compensation is money given
        away).
        """
        return cls("organisational", act_share=1.0, recovery=0.5, priority="revenue")

    @classmethod
    def compliance(cls, kpi: tuple[str, ...] = ("revenue", "technical")) -> Policy:
        """The compliance mindset: does what the KPIs name, by the script, after the report.

        Reading (seed 001): "They might respond better than most to specific
        customer-facing demands and KPIs but will not take personal risks for the
        customer and lack the initiative to go above and beyond."  And: "Your team has
        to feel free to put customer needs before that monthly report."

        Levers: ``act_on=("revenue", "technical")`` (it acts only on the kinds its KPIs
        name, ``kpi``; by default the internal ones, sales and defects, since the pain
        customers feel rarely makes a KPI), ``recovery=0.8`` (a complaint is a
        customer-facing demand with a KPI, so it is handled by the script),
        ``generosity=0`` (no personal risk, nothing beyond the script),
        ``extra_delay=4`` (items wait for the monthly report), oldest first,
        ``act_share=1`` (dutiful: every item in scope is done).
        """
        return cls("compliance", act_share=1.0, recovery=0.8, act_on=kpi, extra_delay=4)

    @classmethod
    def technical(cls) -> Policy:
        """The technical mindset: fixes what is technically interesting first.

        Reading (seed 001): "They focus on how their expertise can deliver superior
        technical solutions but are often oblivious to real client value in terms of
        time, the emotions, money, risk and convenience."

        Levers: ``priority="technical"`` (technical items first; customers feel a
        technical problem only ``Params.severity_technical`` as much as a pain problem),
        ``recovery=0.5`` (repairing the relationship is not its expertise),
        ``act_share=1`` (it does fix things, diligently), no extra delay,
        ``generosity=0``.
        """
        return cls("technical", act_share=1.0, recovery=0.5, priority="technical")

    @classmethod
    def customer_centric(cls, generosity: float = 0.25, recovery: float = 0.9) -> Policy:
        """The customer-centric mindset: the customer's pain first, resolved, generously.

        Reading (seed 001): "You can afford to be generous. [...] It's about taking
        risks for the customer and clearly prioritising the customer over both your
        role and the company."  Seed 000, techniques 5 and 6: staff empowered to
        "resolve customer issues effectively and make decisions in the best interest of
        the customer", and recognised for it.

        Levers: ``priority="pain"`` (items about customer pain first),
        ``recovery=0.9`` (empowered staff resolve almost every complaint),
        ``generosity=0.25`` (a quarter of each claim paid), ``act_share=1``, no extra
        delay.  Both numbers are one reading; :func:`breakeven_generosity` asks how
        far generosity can go.
        """
        return cls("customer centric", act_share=1.0, recovery=recovery, priority="pain", generosity=generosity)

    @classmethod
    def lose_every_fight(cls) -> Policy:
        """The limit case of generosity: every complaint resolved, every claim paid in full.

        Reading (seed 001, a customer-centric mantra): "Lose every fight."

        Levers: :meth:`customer_centric` taken to its limit: ``priority="pain"``,
        ``recovery=1`` (every complaint resolved), ``generosity=1`` (every claim paid in
        full), ``act_share=1``, no extra delay.
        """
        return cls.customer_centric(generosity=1.0, recovery=1.0).replace(name="lose every fight")

    def to_act(self, ready: int, capacity: int) -> int:
        """How many ready feedback items to act on this period.

        ``ready`` counts the ready items of the kinds in :attr:`act_on`; which of them
        are taken is :attr:`priority`'s rule.
        """
        # round first: 0.29 * 100 is 28.999999999999996 in floating point, and means 29
        if self.capacity_share < 1.0:
            capacity = math.floor(round(self.capacity_share * capacity, 9))
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
    by_kind : pandas.DataFrame
        One row per period and kind of problem (:data:`KINDS`): ``period, kind,
        problems, received, acted, backlog, quality`` (the kind's own quality, as the
        period's customers met it; ``backlog`` at the end of the period).

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
    by_kind: pd.DataFrame | None = None

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
            "recovered": int(p["recovered"].sum()),
            "compensation": float(p["compensation"].sum()),
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


class _Backlog:
    """Feedback items in order of receipt, counted by kind.

    Whatever the policy's priority, items of one kind are always taken oldest first, so
    what is left of kind ``k`` is its items from the ``acted[k]``-th on.  When problems
    come in several kinds, the receipt position of every item is kept too (in a buffer
    that doubles), to find the oldest items across kinds.
    """

    def __init__(self, n_periods: int, positions: bool) -> None:
        self.received = np.zeros((n_periods + 1, len(KINDS)), dtype=np.int64)  # cumulative, by kind
        self.acted = np.zeros(len(KINDS), dtype=np.int64)
        self.total = 0
        self.positions = [np.empty(64, dtype=np.int64) for _ in KINDS] if positions else None

    def receive(self, t: int, kinds: np.ndarray | None, count: int) -> np.ndarray:
        """Add period ``t``'s ``count`` items (of these ``kinds``, all pain if None); return them by kind."""
        if kinds is None:
            by_kind = np.array([count, 0, 0], dtype=np.int64)
        else:
            by_kind = np.bincount(kinds, minlength=len(KINDS)).astype(np.int64)
        if self.positions is not None and count:
            for k in np.flatnonzero(by_kind):
                new = self.total + np.flatnonzero(kinds == k)
                size = int(self.received[t, k])
                buf = self.positions[k]
                if size + new.size > buf.size:
                    grown = np.empty(max(2 * buf.size, size + new.size), dtype=np.int64)
                    grown[:size] = buf[:size]
                    self.positions[k] = buf = grown
                buf[size:size + new.size] = new
        self.received[t + 1] = self.received[t] + by_kind
        self.total += count
        return by_kind

    def ready(self, t: int, delay: int) -> np.ndarray:
        """Items of each kind ready in period ``t``: received ``delay`` or more periods ago, not acted on."""
        arrived = self.received[t + 1 - delay] if t + 1 - delay > 0 else 0
        return arrived - self.acted

    def take(self, n: int, ready: np.ndarray, first: int | None, allowed: list[int]) -> np.ndarray:
        """Act on ``n`` ready items of the ``allowed`` kinds: kind ``first`` first (if any),
        then the oldest; return how many of each kind."""
        take = np.zeros(len(KINDS), dtype=np.int64)
        rest = n
        if first is not None and rest:
            take[first] = min(rest, ready[first])
            rest -= int(take[first])
        if rest:
            others = [k for k in allowed if k != first and ready[k] > 0]
            if len(others) == 1:
                take[others[0]] = rest
            else:  # the rest oldest first across kinds: the `rest` smallest receipt positions
                heads = [self.positions[k][self.acted[k]:self.acted[k] + min(rest, ready[k])] for k in others]
                cut = np.partition(np.concatenate(heads), rest - 1)[rest - 1]
                for k, head in zip(others, heads):
                    take[k] = np.count_nonzero(head <= cut)
        self.acted += take
        return take


def simulate(
    params: Params | None = None,
    policy: Policy | None = None,
    *,
    rng: None | int | np.random.Generator = None,
    history: bool = False,
) -> Result:
    """Simulate the customer base period by period (see :mod:`cxlib.feedback`).

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
        the rest flows during the period); ``by_kind``: the same by kind of problem;
        ``summary()``: totals; ``history`` (if asked): ``period, customer_id,
        satisfaction, problem, voiced, recovered, churned, kind`` (``kind`` is missing
        for a customer without a problem).

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

    Problems of three kinds, and too little capacity for all the feedback: the
    listening firm acts on the oldest items, the technical one on technical items first.

    >>> mixed = Params(n_customers=1000, n_periods=20, share_revenue=0.3, share_technical=0.3, action_capacity=10)
    >>> for policy in (Policy(), Policy.technical()):
    ...     res = simulate(mixed, policy, rng=1)
    ...     print(res.by_kind.groupby("kind", observed=True)["acted"].sum().to_dict())
    {'pain': 56, 'revenue': 54, 'technical': 50}
    {'pain': 2, 'revenue': 1, 'technical': 157}
    """
    import pandas as pd

    p, policy = _check_inputs(params, policy)
    history = _check.boolean("history", history)
    cols, by_kind, cohort_retention, chunks = _run(p, policy, seed_from(rng), history)
    periods = _periods_frame(cols)
    kinds = pd.DataFrame({
        "period": np.repeat(np.arange(1, p.n_periods + 1, dtype=np.int64), len(KINDS)),
        "kind": pd.Categorical.from_codes(np.tile(np.arange(len(KINDS), dtype=np.int8), p.n_periods), KINDS),
        **{c: v.ravel().astype(np.int64) for c, v in by_kind.items() if c != "quality"},
        "quality": by_kind["quality"].ravel(),
    })
    return Result(
        inputs=p,
        policy=policy,
        periods=periods,
        cohort_retention=cohort_retention,
        history=pd.concat(chunks, ignore_index=True) if history else None,
        by_kind=kinds,
    )


#: The columns of :data:`PERIOD_COLUMNS` that count (integers).
_INT_COLUMNS = frozenset(("period", "active", "new", "churned", "feedback_received", "feedback_acted", "backlog",
                          "recovered"))


def _periods_frame(cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """:attr:`Result.periods` from the period columns of :func:`_run` (or several runs' stacked)."""
    import pandas as pd

    return pd.DataFrame({c: cols[c].astype(np.int64) if c in _INT_COLUMNS else cols[c] for c in PERIOD_COLUMNS},
                        columns=list(PERIOD_COLUMNS))


def _run(
    p: Params, policy: Policy, seed: int, history: bool
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], float, list[pd.DataFrame]]:
    """One run of :func:`simulate` (checked inputs, an integer seed), as arrays: the period
    columns, the by-kind columns, the cohort retention and the history chunks (if asked)."""
    if history:
        import pandas as pd

    run_key = _mix(np.array([seed], dtype=np.uint64))[0]  # the run's stream, from the seed

    n0 = p.n_customers
    sat = np.full(n0, p.initial_satisfaction, dtype=np.float64)
    keys = _customer_keys(np.arange(n0, dtype=np.uint64), run_key)
    cohort = np.ones(n0, dtype=bool)
    ids = np.arange(n0, dtype=np.int64) if history else None
    next_id = n0
    marketing = substream(seed, 1).poisson(p.acquisition, p.n_periods)  # the same for every policy
    shares = p.kind_shares
    mixed = bool(shares[1] > 0 or shares[2] > 0)  # else every problem is about pain (lesson 03)
    quality = p.initial_quality  # overall: 1 - sum_k share_k (1 - quality_k)
    kind_quality = np.full(len(KINDS), p.initial_quality)
    backlog = _Backlog(p.n_periods, positions=mixed)
    delay = p.action_delay + policy.extra_delay
    allowed = [KINDS.index(k) for k in policy.act_on]
    first = None if policy.priority == "oldest" else KINDS.index(policy.priority)
    w = p.satisfaction_weight
    e_recovered = p.satisfaction_recovered + policy.generosity * (p.satisfaction_compensated - p.satisfaction_recovered)
    compensation_each = policy.generosity * p.claim
    logit5 = math.log(p.churn_at_5 / (1 - p.churn_at_5)) if 0 < p.churn_at_5 < 1 else None

    cols = {c: np.zeros(p.n_periods, dtype=np.float64) for c in PERIOD_COLUMNS}
    by_kind = {c: np.zeros((p.n_periods, len(KINDS))) for c in ("problems", "received", "acted", "backlog", "quality")}
    chunks = []
    for t in range(p.n_periods):
        n = sat.size
        # 1-3: problems (and what they are about), voice, recovery (each customer's own draws for this week)
        draw = _draw(keys, t, _EVERYONE)  # problem (high half), churn (low half)
        problem_idx = np.flatnonzero(_high(draw) < _scale(p.problem_rate * (1.0 - quality)))
        kind = None
        if mixed:  # kind k in proportion to share_k (1 - quality_k)
            cum = np.cumsum(shares * (1.0 - kind_quality))
            cut = _scale(cum[:2] / cum[-1]) if cum[-1] > 0 else np.zeros(2)
            u = _high(_draw(keys[problem_idx], t, _KIND))
            kind = (u >= cut[0]).astype(np.intp) + (u >= cut[1])
        draw_problem = _draw(keys[problem_idx], t, _PROBLEMS)  # voice (high), recovery (low)
        voiced_mask = _high(draw_problem) < _scale(p.feedback_rate)
        voiced_idx = problem_idx[voiced_mask]
        rec_p = policy.recovery_probability(sat[voiced_idx])
        recovered_mask = _low(draw_problem[voiced_mask]) < _scale(rec_p)
        recovered_idx = voiced_idx[recovered_mask]
        # 4-5: experience moves satisfaction; a problem moves the experience away from e_ok
        e_ok = 6.0 + 4.0 * quality
        e_rec = e_recovered if p.recovery_paradox else min(e_recovered, e_ok)
        sat *= 1.0 - w
        sat += w * e_ok
        shift = np.full(problem_idx.size, p.satisfaction_silent - e_ok)
        shift[voiced_mask] = np.where(recovered_mask, e_rec - e_ok, p.satisfaction_unresolved - e_ok)
        if mixed:
            shift *= p.kind_severity[kind]
        sat[problem_idx] += w * shift
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
        # 8: acting on feedback: items are ready `delay` periods after they arrive; the
        # firm acts on those of the kinds it acts on, its priority's kind first, else the
        # oldest first
        received = int(voiced_idx.size)
        received_k = backlog.receive(t, kind[voiced_mask] if mixed else None, received)
        ready_k = backlog.ready(t, delay)
        ready = int(ready_k[allowed].sum())
        act = policy.to_act(ready, p.action_capacity)
        if not (isinstance(act, (int, np.integer)) and not isinstance(act, bool)
                and 0 <= act <= min(ready, p.action_capacity)):
            raise RuntimeError(
                f"policy {policy.name!r} chose to act on {act!r} items; it must be an integer "
                f"between 0 and min(ready={ready}, action_capacity={p.action_capacity})"
            )
        act = int(act)
        acted_k = backlog.take(act, ready_k, first, allowed)
        # 9: money, and the period's row
        n_churned = int(np.count_nonzero(churn))
        n_recovered = int(recovered_idx.size)
        n_not_paying = int(np.count_nonzero(kind == 1)) if mixed else 0  # revenue problems
        revenue = p.price * (n - n_not_paying)
        compensation = compensation_each * n_recovered
        cost = (p.cost_per_action * act + p.cost_per_recovery * n_recovered + p.cost_per_feedback * received
                + compensation)
        row = cols
        row["period"][t] = t + 1
        row["quality"][t] = quality
        row["mean_satisfaction"][t] = float(sat.mean()) if n else math.nan
        row["nps"][t] = 100.0 * (n_promoters - n_detractors) / n if n else math.nan
        row["feedback_received"][t] = received
        row["feedback_acted"][t] = act
        row["backlog"][t] = backlog.total - int(backlog.acted.sum())
        row["new"][t] = n_new
        row["churned"][t] = n_churned
        row["active"][t] = n - n_churned + n_new
        row["revenue"][t] = revenue
        row["cost"][t] = cost
        row["profit"][t] = revenue - cost
        row["recovered"][t] = n_recovered
        row["compensation"][t] = compensation
        by_kind["problems"][t] = np.bincount(kind, minlength=len(KINDS)) if mixed else (problem_idx.size, 0, 0)
        by_kind["received"][t] = received_k
        by_kind["acted"][t] = acted_k
        by_kind["backlog"][t] = backlog.received[t + 1] - backlog.acted
        by_kind["quality"][t] = kind_quality
        if history:
            flags = np.zeros((4, n), dtype=bool)
            flags[0, problem_idx] = True
            flags[1, voiced_idx] = True
            flags[2, recovered_idx] = True
            flags[3] = churn
            codes = np.full(n, -1, dtype=np.int8)
            codes[problem_idx] = kind if mixed else 0
            chunks.append(pd.DataFrame({
                "period": np.full(n, t + 1, dtype=np.int64), "customer_id": ids, "satisfaction": sat.copy(),
                "problem": flags[0], "voiced": flags[1], "recovered": flags[2], "churned": flags[3],
                "kind": pd.Categorical.from_codes(codes, KINDS),
            }))
        # next period: quality improves where the firm acted, churned leave, new arrive
        if act and p.improvement > 0:
            for k in np.flatnonzero(acted_k):
                # Q + (1 - Q)(1 - (1 - improvement)^A): the same closed form, written so that
                # quality can only go up, even by rounding
                closed = -math.expm1(acted_k[k] * math.log1p(-p.improvement)) if p.improvement < 1 else 1.0
                kind_quality[k] = min(1.0, kind_quality[k] + (1.0 - kind_quality[k]) * closed)
            if mixed:  # never below the last value, even by rounding
                quality = max(quality, min(1.0, 1.0 - float(shares @ (1.0 - kind_quality))))
            else:
                quality = float(kind_quality[0])
        keep = ~churn
        sat = np.concatenate([sat[keep], np.full(n_new, p.initial_satisfaction)])
        cohort = np.concatenate([cohort[keep], np.zeros(n_new, dtype=bool)])
        keys = np.concatenate([keys[keep], _arrival_keys(t, n_marketing, n_referred, run_key)])
        if history:
            ids = np.concatenate([ids[keep], np.arange(next_id, next_id + n_new, dtype=np.int64)])
            next_id += n_new

    return cols, by_kind, float(np.count_nonzero(cohort)) / p.n_customers, chunks
