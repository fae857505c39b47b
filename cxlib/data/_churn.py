"""The synthetic churn panel of lesson 06: customers' lifetimes with known hazard ratios and outreach.

:func:`churn_panel` simulates subscription customers whose time to churn follows a
Weibull proportional-hazards model written down in :data:`CHURN_DATASHEET`, with an
outreach programme assigned either at random or to the customers the firm is worried
about, so every estimate (a Kaplan-Meier median, a Cox hazard ratio, the effect of
outreach) can be checked against the true value (``ChurnPanel.truth``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "PLANS",
    "PLAN_SHARES",
    "PLAN_HR",
    "CHURN_HAZARD_RATIOS",
    "WEIBULL_SHAPE",
    "WEIBULL_SCALE_WEEKS",
    "CHURN_DATASHEET",
    "ChurnPanel",
    "churn_panel",
]

#: The plans (contract lengths), in the order of the ``plan`` categories.
PLANS: tuple[str, ...] = ("monthly", "one_year", "two_year")
#: Share of customers on each plan.
PLAN_SHARES: dict[str, float] = {"monthly": 0.55, "one_year": 0.25, "two_year": 0.20}
#: True hazard ratio of each plan against ``monthly``.
PLAN_HR: dict[str, float] = {"monthly": 1.0, "one_year": 0.5, "two_year": 0.25}
#: True hazard ratios of the other covariates, per unit named in the key.
CHURN_HAZARD_RATIOS: dict[str, float] = {
    "tenure_years": 0.85,  # per year as a customer before the study
    "support_contacts": 1.15,  # per support contact in the quarter before
    "response_hours": 1.25 ** (1 / 12),  # per hour of average reply time (1.25 per 12 hours)
    "latent_risk": math.exp(0.5),  # per standard deviation of the risk nobody records
}
#: Shape of the Weibull baseline hazard (> 1: the hazard rises with time in the study).
WEIBULL_SHAPE: float = 1.2
#: Scale of the Weibull baseline, weeks: the reference customer (monthly plan, new, no
#: contacts, replies in no time, average latent risk, no outreach) survives ``t`` weeks with
#: probability ``exp(-(t / 86) ** 1.2)``.
WEIBULL_SCALE_WEEKS: float = 86.0

_COLUMNS = (
    "customer_id",
    "plan",
    "tenure_years",
    "support_contacts",
    "response_hours",
    "risk_score",
    "outreach",
    "weeks",
    "churned",
    "latent_risk",
)

CHURN_DATASHEET = """\
# Datasheet: the synthetic churn panel (`cxlib.data.churn_panel`)

**What it is.** One row per customer of a fictional subscription business, followed from
the week they join a two-year study until they leave (churn), the study ends, or they drop
out of the data.  Nothing in it is real; it exists so that lesson 06 can show survival
estimates and Cox hazard ratios recovering (or missing) known values before it turns to
real data.

**Why.** The firm runs a proactive-outreach programme (a call before problems escalate).
Given at random, outreach can be evaluated by a plain comparison.  Given to the customers
the firm is worried about (`outreach="targeted"`), the customers called are the risky
ones, so a naive comparison makes outreach look useless or harmful (confounding by
indication), and adjusting for the firm's recorded risk score removes only the part of
that worry the data record.

## Columns

| column | type | unit / range | meaning |
| --- | --- | --- | --- |
| `customer_id` | int64 | 1..n | row identifier |
| `plan` | categorical | monthly, one_year, two_year | contract length (categories in that order) |
| `tenure_years` | float64 | years, >= 0, two decimals | time as a customer before the study started |
| `support_contacts` | int64 | >= 0 | support contacts in the quarter before the study |
| `response_hours` | float64 | hours, > 0, one decimal | average time the firm took to reply to the customer (before the study) |
| `risk_score` | float64 | 0-100, one decimal | the firm's churn-risk score, built from the recorded columns only |
| `outreach` | int64 | 0/1 | whether the firm reached out proactively at the start of the study |
| `weeks` | int64 | weeks, >= 1 | time under observation: to churn, or to censoring (the week it happened in) |
| `churned` | int64 | 0/1 | 1: the customer churned in week `weeks`; 0: censored (still a customer at the study's end, or dropped out) |
| `latent_risk` | float64 | standard normal | risk nobody records (how the customer's needs are changing); an analyst never has it: it is here only so the lesson can show what adjusting for it would do |

## Generating equations

For each customer, independently (all draws from one seeded generator):

1. `plan ~ Categorical(monthly 0.55, one_year 0.25, two_year 0.20)`;
   `tenure_years = round(Gamma(shape=2, scale=1.5), 2)`;
   `support_contacts ~ Poisson(1)`; `response_hours = round(Gamma(shape=2, scale=6), 1)`
   (mean 12 hours); `latent_risk = u ~ Normal(0, 1)`.  All independent.
2. The recorded part of the log hazard,
   `eta_obs = log PLAN_HR[plan] + log(0.85) tenure_years + log(1.15) support_contacts
   + log(1.25) response_hours / 12`; `risk_score = round(100 * logistic(z_obs), 1)` with
   `z_obs` = `eta_obs` standardised in the sample (the firm's model, which sees the
   recorded columns only and ranks customers by them).
3. Outreach.  `outreach="random"`: `outreach ~ Bernoulli(outreach_share)`.
   `outreach="targeted"`: the firm's concern is
   `c = sqrt(1 - hidden**2) * z_obs + hidden * u + 0.5 * Normal(0, 1)`, and the
   `outreach_share` of customers with the highest `c` are called.  `hidden` (0 to 1) is how
   much of the firm's choice rests on what its staff hear and the data do not record.
4. The log hazard, `eta = eta_obs + 0.5 u + log(hr_outreach) * outreach`, and the time to
   churn from a Weibull proportional-hazards model:
   `T = 86 * (E / exp(eta)) ** (1 / 1.2)` weeks, `E ~ Exponential(1)`, so
   `S(t | x) = exp(-exp(eta) * (t / 86) ** 1.2)` and the hazard ratio of every covariate
   is constant in time.
5. Censoring.  Customers join over the study's first `accrual_weeks` (uniform entry) and
   are followed until week `study_weeks` of the study, so each is followed for
   `study_weeks - entry` weeks; independently, each may drop out of the data after an
   `Exponential(dropout_per_year)` time.  `weeks = ceil(min(T, follow-up, dropout))` (whole
   weeks: churn recorded by week has many ties, which is why the ties method matters);
   `churned = 1` when `T` came first.

## Truth

`ChurnPanel.truth` holds every true value: `hazard_ratios` (one per model term:
`plan[one_year]` 0.5, `plan[two_year]` 0.25, `tenure_years` 0.85 per year,
`support_contacts` 1.15 per contact, `response_hours` 1.25 per 12 hours,
`latent_risk` 1.65 per standard deviation, `outreach` = `hr_outreach`), the Weibull
baseline, and `median_weeks`, the true median lifetime by plan of a customer with the
population's covariates and the design's share reached out to (computed by numerical
integration over 200,000 draws, not from the sample).

A Cox model with **all** the columns above, `latent_risk` included, is correctly
specified and its estimates recover `hazard_ratios`.  Without `latent_risk` (what an
analyst can fit) two things change.  With random outreach, the outreach estimate is still
unbiased for the effect on the population's hazard, but the hazard ratio of a
proportional-hazards model is *non-collapsible*: leaving out a risk factor pulls every
hazard ratio slightly towards 1, even one that was randomised (at the defaults, a Cox
model of 400,000 customers with every recorded column gives about 0.72 for a true 0.7).
With targeted outreach, the outreach estimate is biased
upward (towards "harmful") by confounding by indication; adjusting for `risk_score`
removes the part of the bias that runs through the recorded columns, and none of the part
that runs through `hidden`.

## Defaults and limits

`n_customers=2000` (20 to 10,000,000), `hr_outreach=0.7` (0.2 to 2), `outreach="random"`
or `"targeted"`, `outreach_share=0.3` (0.05 to 0.95), `hidden=0.6` (0 to 1),
`study_weeks=104` (13 to 520), `accrual_weeks=52` (0 to `study_weeks - 4`),
`dropout_per_year=0.05` (0 to 2).  At the defaults about 40% of customers churn during
the study and about 4% drop out.
"""


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True, eq=False)
class ChurnPanel:
    """A simulated churn panel and the truth it was generated from.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per customer; columns as in :data:`CHURN_DATASHEET`.
    truth : dict
        The true values (see :func:`churn_panel`).

    Examples
    --------
    >>> from cxlib.data import churn_panel
    >>> panel = churn_panel(500, rng=1)
    >>> panel.truth["hr_outreach"], panel.truth["hazard_ratios"]["plan[two_year]"]
    (0.7, 0.25)
    >>> print(panel.datasheet().splitlines()[0])
    # Datasheet: the synthetic churn panel (`cxlib.data.churn_panel`)
    """

    data: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    @property
    def n_customers(self) -> int:
        """Number of customers (rows)."""
        return len(self.data)

    @property
    def observed(self) -> list[str]:
        """The covariates an analyst has: every column but ``latent_risk``, ``weeks``, ``churned`` and ``risk_score``."""
        return ["plan", "tenure_years", "support_contacts", "response_hours", "outreach"]

    def survival(self, weeks: Any) -> pd.DataFrame:
        """The true survival curve of each plan's customers at ``weeks``: the share still a
        customer, averaged over the population's other covariates and the design's outreach
        (exact for random outreach; with targeted outreach the customers called are the risky
        ones, and the curves are those the same business would have with random outreach).

        Examples
        --------
        >>> from cxlib.data import churn_panel
        >>> churn_panel(100, rng=1).survival([0, 52]).round(3)
        plan   monthly  one_year  two_year
        weeks
        0.0      1.000     1.000     1.000
        52.0     0.619     0.777     0.878
        """
        import pandas as pd

        t = np.atleast_1d(params.array("weeks", weeks, "weeks >= 0", ndim=1, finite=True))
        params.elements("weeks", t, t < 0, ">= 0")
        share, hr_out = self.truth["outreach_share"], self.truth["hr_outreach"]
        out = {p: [_true_survival(float(w), PLAN_HR[p], share, hr_out) for w in t] for p in PLANS}
        return pd.DataFrame(out, index=pd.Index(t, name="weeks")).rename_axis(columns="plan")

    def datasheet(self) -> str:
        """Return :data:`CHURN_DATASHEET` followed by the truth of this panel (markdown)."""
        t = self.truth
        d = self.data
        lines = [
            CHURN_DATASHEET,
            "## This panel",
            "",
            f"- customers: {self.n_customers:,}; churned during the study: {int(d['churned'].sum()):,}",
            f"- outreach: {t['outreach']} to {t['outreach_share']:.0%} of customers, true hazard ratio {t['hr_outreach']:g}",
            f"- hidden share of the firm's targeting: {t['hidden']:g}",
            f"- study {t['study_weeks']} weeks, accrual {t['accrual_weeks']} weeks, dropout {t['dropout_per_year']:g} per year",
        ]
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        t = self.truth
        d = self.data
        return (
            f"ChurnPanel({self.n_customers:,} customers, {int(d['churned'].sum()):,} churned, "
            f"{int(d['outreach'].sum()):,} reached out to ({t['outreach']}); "
            f"truth hr_outreach={t['hr_outreach']!r})"
        )


@functools.lru_cache(maxsize=1)
def _population_risk() -> np.ndarray:
    """exp(eta) without plan and outreach for 200,000 customers drawn like the panel's
    (a fixed seed, independent of the user's): the population :func:`_median_weeks` averages over."""
    gen = check_rng(12345)
    m = 200_000
    hr = CHURN_HAZARD_RATIOS
    eta = (
        math.log(hr["tenure_years"]) * np.round(gen.gamma(2.0, 1.5, m), 2)
        + math.log(hr["support_contacts"]) * gen.poisson(1.0, m)
        + math.log(hr["response_hours"]) * np.maximum(np.round(gen.gamma(2.0, 6.0, m), 1), 0.1)
        + math.log(hr["latent_risk"]) * gen.standard_normal(m)
    )
    return np.exp(eta)


@functools.lru_cache(maxsize=256)
def _median_weeks(hr_plan: float, share: float, hr_outreach: float) -> float:
    """The true median lifetime, weeks, of a plan's customers with the population's covariates.

    ``S(t) = E[exp(-exp(eta) (t/86)^1.2)]`` over the other covariates (Monte Carlo on
    :func:`_population_risk`), with a share ``share`` reached out to, solved for 0.5.
    """
    from scipy.optimize import brentq

    return brentq(lambda t: _true_survival(t, hr_plan, share, hr_outreach) - 0.5, 1e-6, 1e6, xtol=1e-6)


def _true_survival(t: float, hr_plan: float, share: float, hr_outreach: float) -> float:
    """``S(t)`` of a plan's customers: ``E[exp(-exp(eta) (t/86)^1.2)]`` over the population."""
    risk = hr_plan * _population_risk()
    base = (t / WEIBULL_SCALE_WEEKS) ** WEIBULL_SHAPE
    return float((1 - share) * np.mean(np.exp(-risk * base)) + share * np.mean(np.exp(-risk * hr_outreach * base)))


def churn_panel(
    n_customers: int = 2000,
    *,
    hr_outreach: float = 0.7,
    outreach: str = "random",
    outreach_share: float = 0.3,
    hidden: float = 0.6,
    study_weeks: int = 104,
    accrual_weeks: int = 52,
    dropout_per_year: float = 0.05,
    rng: None | int | np.random.Generator = None,
) -> ChurnPanel:
    """Simulate subscription customers' time to churn, with outreach at random or targeted.

    The generating equations (see :data:`CHURN_DATASHEET` for units) are::

        plan ~ Categorical(monthly .55, one_year .25, two_year .20)
        tenure_years ~ Gamma(2, 1.5); support_contacts ~ Poisson(1)
        response_hours ~ Gamma(2, 6); latent_risk u ~ Normal(0, 1)
        eta_obs = log PLAN_HR[plan] + log(.85) tenure_years + log(1.15) support_contacts
                  + log(1.25) response_hours / 12
        risk_score = 100 logistic(standardised eta_obs)
        outreach: random, or to the outreach_share highest on
                  sqrt(1 - hidden^2) z_obs + hidden u + 0.5 Normal(0, 1)
        eta = eta_obs + 0.5 u + log(hr_outreach) outreach
        T = 86 (Exponential(1) / exp(eta))^(1 / 1.2)  weeks   (Weibull PH)
        weeks = ceil(min(T, study_weeks - entry, dropout)); churned = T came first

    Parameters
    ----------
    n_customers : int, default 2000
        Number of customers, 20 to 10,000,000.
    hr_outreach : float, default 0.7
        True hazard ratio of outreach (below 1: outreach keeps customers), 0.2 to 2.
    outreach : {"random", "targeted"}, default "random"
        How the firm chooses whom to call: at random, or the customers it is most worried
        about.
    outreach_share : float, default 0.3
        Share of customers reached out to, 0.05 to 0.95.
    hidden : float, default 0.6
        With ``outreach="targeted"``: how much of the firm's choice rests on risk the data
        do not record (``latent_risk``), 0 (only the recorded columns) to 1 (only the
        unrecorded risk).  Ignored with random outreach.
    study_weeks : int, default 104
        Length of the study, weeks, 13 to 520.
    accrual_weeks : int, default 52
        Customers join uniformly over the first ``accrual_weeks``, 0 to ``study_weeks - 4``.
    dropout_per_year : float, default 0.05
        Rate at which customers drop out of the data for reasons unrelated to churn (random
        censoring), per year, 0 to 2.
    rng : None, int or numpy.random.Generator
        Seed or generator (see :func:`cxlib.check_rng`).  The same seed with other
        outreach settings uses the same draws (common random numbers): only the outreach
        and its consequences change.

    Returns
    -------
    ChurnPanel
        ``data`` with the columns of :data:`CHURN_DATASHEET`; ``truth`` a dict with keys
        ``hazard_ratios`` (per model term), ``hr_outreach``,
        ``outreach``, ``outreach_share``, ``hidden``, ``weibull_shape``,
        ``weibull_scale_weeks``, ``median_weeks`` (true median lifetime by plan, weeks),
        ``study_weeks``, ``accrual_weeks``, ``dropout_per_year`` and ``naive_bias``
        (``"upward"`` for targeted outreach, ``"none"`` for random).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range (the message names it).

    Examples
    --------
    >>> from cxlib.data import churn_panel
    >>> panel = churn_panel(1000, rng=3)
    >>> panel.data.columns.tolist()
    ['customer_id', 'plan', 'tenure_years', 'support_contacts', 'response_hours', 'risk_score', 'outreach', 'weeks', 'churned', 'latent_risk']
    >>> panel.truth["hazard_ratios"]["outreach"], panel.truth["naive_bias"]
    (0.7, 'none')
    >>> churn_panel(1000, outreach="targetted")
    Traceback (most recent call last):
    ...
    ValueError: outreach 'targetted' is not known; valid choices are 'random', 'targeted'; did you mean 'targeted'?
    """
    n = params.integer("n_customers", n_customers, min=20, max=10_000_000)
    hr_out = params.real("hr_outreach", hr_outreach, min=0.2, max=2)
    how = params.choice("outreach", outreach, ("random", "targeted"))
    share = params.real("outreach_share", outreach_share, min=0.05, max=0.95)
    hid = params.real("hidden", hidden, min=0, max=1)
    study = params.integer("study_weeks", study_weeks, min=13, max=520)
    accrual = params.integer("accrual_weeks", accrual_weeks, min=0, max=study - 4)
    dropout = params.real("dropout_per_year", dropout_per_year, min=0, max=2)
    gen = check_rng(rng)

    import pandas as pd

    hr = CHURN_HAZARD_RATIOS
    probs = np.array([PLAN_SHARES[p] for p in PLANS])
    plan = gen.choice(len(PLANS), size=n, p=probs / probs.sum())
    tenure = np.round(gen.gamma(2.0, 1.5, n), 2)
    contacts = gen.poisson(1.0, n).astype(np.int64)
    response = np.maximum(np.round(gen.gamma(2.0, 6.0, n), 1), 0.1)
    u = gen.standard_normal(n)
    noise = gen.standard_normal(n)
    coin = gen.random(n)
    exp1 = gen.exponential(1.0, n)
    entry = gen.uniform(0.0, accrual, n) if accrual > 0 else np.zeros(n)
    drop = gen.exponential(365.25 / 7 / dropout, n) if dropout > 0 else np.full(n, np.inf)

    eta_obs = (
        np.log(np.array([PLAN_HR[p] for p in PLANS]))[plan]
        + math.log(hr["tenure_years"]) * tenure
        + math.log(hr["support_contacts"]) * contacts
        + math.log(hr["response_hours"]) * response
    )
    z_obs = (eta_obs - eta_obs.mean()) / eta_obs.std()
    risk_score = np.round(100 * _logistic(z_obs), 1)
    n_called = max(1, int(round(share * n)))
    if how == "random":
        called = coin < share
    else:
        concern = math.sqrt(1 - hid**2) * z_obs + hid * u + 0.5 * noise
        called = np.zeros(n, dtype=bool)
        called[np.argsort(-concern, kind="stable")[:n_called]] = True
    eta = eta_obs + math.log(hr["latent_risk"]) * u + math.log(hr_out) * called
    t_churn = WEIBULL_SCALE_WEEKS * (exp1 / np.exp(eta)) ** (1 / WEIBULL_SHAPE)
    follow = study - entry
    censor = np.minimum(follow, drop)
    churned = t_churn <= censor
    weeks = np.maximum(np.ceil(np.where(churned, t_churn, censor)), 1).astype(np.int64)

    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype=np.int64),
            "plan": pd.Categorical.from_codes(plan, categories=list(PLANS)),
            "tenure_years": tenure,
            "support_contacts": contacts,
            "response_hours": response,
            "risk_score": risk_score,
            "outreach": called.astype(np.int64),
            "weeks": weeks,
            "churned": churned.astype(np.int64),
            "latent_risk": u,
        },
        columns=list(_COLUMNS),
    )
    hazard_ratios = {
        "plan[one_year]": PLAN_HR["one_year"],
        "plan[two_year]": PLAN_HR["two_year"],
        "tenure_years": hr["tenure_years"],
        "support_contacts": hr["support_contacts"],
        "response_hours": hr["response_hours"],
        "latent_risk": hr["latent_risk"],
        "outreach": hr_out,
    }
    truth = {
        "hazard_ratios": hazard_ratios,
        "hr_outreach": hr_out,
        "outreach": how,
        "outreach_share": share,
        "hidden": hid,
        "weibull_shape": WEIBULL_SHAPE,
        "weibull_scale_weeks": WEIBULL_SCALE_WEEKS,
        "median_weeks": {
            p: _median_weeks(PLAN_HR[p], share, hr_out) for p in PLANS
        },
        "study_weeks": study,
        "accrual_weeks": accrual,
        "dropout_per_year": dropout,
        "naive_bias": "upward" if how == "targeted" else "none",
    }
    return ChurnPanel(data=frame, truth=truth)


