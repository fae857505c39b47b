"""The synthetic recommendation survey of lesson 10: 0-10 scores with known NPS, then referrals.

:func:`nps_survey` simulates customers of three segments answering the Net Promoter
question ("How likely is it that you would recommend us to a friend or colleague?", 0-10)
from a beta-binomial distribution per segment written down in :data:`NPS_DATASHEET`, and
then, over the following year, the friends each brought (more for promoters, fewer for
passives, none for detractors) and whether they stayed, so that an NPS and its interval,
referral rates and a promoter's value can be checked against the true values
(``NPSSurvey.truth``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["NPS_SEGMENTS", "NPS_SEGMENT_SHARES", "NPS_SCORE_PARAMS", "NPS_GROUPS", "NPS_REFERRAL_RATES",
           "NPS_RETENTION", "NPS_DATASHEET", "NPSSurvey", "nps_survey", "score_distribution"]

#: The customer segments, in the order of the ``segment`` categories.
NPS_SEGMENTS: tuple[str, ...] = ("new", "regular", "loyal")
#: Default share of customers in each segment.
NPS_SEGMENT_SHARES: dict[str, float] = {"new": 0.3, "regular": 0.5, "loyal": 0.2}
#: Beta(a, b) of each segment's propensity to recommend; score ~ Binomial(10, propensity).
NPS_SCORE_PARAMS: dict[str, tuple[float, float]] = {"new": (3.0, 1.5), "regular": (5.0, 1.2), "loyal": (8.0, 1.0)}
#: The NPS groups, in the order of the ``group`` categories.
NPS_GROUPS: tuple[str, ...] = ("promoter", "passive", "detractor")
#: Mean friends brought in the year after the survey (Poisson), by group.
NPS_REFERRAL_RATES: dict[str, float] = {"promoter": 0.8, "passive": 0.2, "detractor": 0.0}
#: Probability of still being a customer a year after the survey, by group.
NPS_RETENTION: dict[str, float] = {"promoter": 0.90, "passive": 0.80, "detractor": 0.65}

NPS_DATASHEET = """\
# Datasheet: the synthetic recommendation survey (`cxlib.data.nps_survey`)

**What it is.** One row per customer of a fictional subscription service who answered the
Net Promoter question, "How likely is it that you would recommend us to a friend or
colleague?" (0 = not at all likely, 10 = extremely likely), and whom the firm then followed
for a year: how many friends joined on the customer's recommendation, and whether the
customer was still a customer at the end of it.  Nothing in it is real; it exists so that
lesson 10 can check an NPS, its interval, referral rates and the value of a promoter
against known values before it turns to real data (no public 0-10 recommendation data
were found).

## Columns

| column | type | values | meaning |
| --- | --- | --- | --- |
| `customer_id` | int64 | 1..n | row identifier |
| `segment` | categorical | new, regular, loyal | how long the customer has been with the firm |
| `score` | int64 | 0-10 | the answer to the recommendation question |
| `group` | categorical | promoter, passive, detractor | 9-10, 7-8 and 0-6 (from `score`) |
| `referrals` | int64 | >= 0 | friends who joined on the customer's recommendation in the year after the survey |
| `retained` | int64 | 0/1 | still a customer a year after the survey |

## Generating equations

For each customer, independently (all draws from one seeded generator):

1. `segment ~ Categorical(segment_shares)`, default new 0.3, regular 0.5, loyal 0.2.
2. A propensity to recommend `pi ~ Beta(a, b)` of the segment and `score ~ Binomial(10, pi)`
   (a beta-binomial score), with (a, b) = new (3, 1.5), regular (5, 1.2), loyal (8, 1).
   The score's distribution in a segment is
   `P(score = k) = C(10, k) B(k + a, 10 - k + b) / B(a, b)`, k = 0..10.
3. `group` from the score: promoter 9-10, passive 7-8, detractor 0-6.
4. `referrals ~ Poisson(referral_rates[group])`, default promoter 0.8, passive 0.2,
   detractor 0: the friends who joined, net of anything detractors said (the referral
   behaviour is tied to the score through the group only).
5. `retained ~ Bernoulli(retention[group])`, default promoter 0.90, passive 0.80,
   detractor 0.65.

## Truth

`NPSSurvey.truth` holds every true value, computed from the distributions (not from the
sample): the share of promoters, passives and detractors and the NPS of each segment and
of the population (at the defaults, by segment: new 27.1% / 29.8% / 43.1%, NPS -15.9;
regular 50.4% / 30.3% / 19.2%, NPS +31.2; loyal 70.6% / 22.5% / 6.9%, NPS +63.7; overall
47.5% promoters, 28.6% passives, 23.9% detractors, NPS +23.6), the mean score, the
referral rates and retention by group, the mean referrals per customer, which is the
reproduction number `R` of the referral cascade of `cxlib.referral.ReferralModel` with
`referral_rate` = the promoters' rate, `passive_factor` = passives' rate / promoters' rate
and `discouragement` = 0 (0.437 at the defaults), and the mean retention (0.812; mean score 7.81).

## Defaults and limits

`n=500` (10 to 10,000,000); `segment_shares` any shares of the three segments that sum to
1; `score_params` (a, b) > 0 for each segment; `referral_rates` >= 0 for each group, the
detractors' 0 unless changed; `retention` probabilities for each group.
"""


def score_distribution(a: float, b: float) -> np.ndarray:
    """The beta-binomial probabilities of the scores 0..10 for a Beta(a, b) propensity.

    Examples
    --------
    >>> from cxlib.data import score_distribution
    >>> pmf = score_distribution(8.0, 1.0)
    >>> round(float(pmf.sum()), 12), round(float(pmf[9:].sum()), 3)
    (1.0, 0.706)
    """
    a = params.real("a", a, min=0, min_inclusive=False)
    b = params.real("b", b, min=0, min_inclusive=False)

    def log_beta(x: float, y: float) -> float:
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)

    return np.array([math.comb(10, k) * math.exp(log_beta(k + a, 10 - k + b) - log_beta(a, b)) for k in range(11)])


def _per_key(name: str, value: Mapping[str, Any] | None, default: Mapping[str, Any], keys: tuple[str, ...]) -> dict:
    if value is None:
        return dict(default)
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping with the keys {', '.join(map(repr, keys))}; "
                        f"got {type(value).__name__}")
    for key in value:
        params.choice(f"{name} key", key, keys)
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(f"{name} lacks {', '.join(map(repr, missing))}; it needs {', '.join(map(repr, keys))}")
    return {k: value[k] for k in keys}


def nps_truth(segment_shares: Mapping[str, float], score_params: Mapping[str, tuple[float, float]],
              referral_rates: Mapping[str, float], retention: Mapping[str, float]) -> dict[str, Any]:
    """The true values that follow from the survey's distributions (see :data:`NPS_DATASHEET`).

    Examples
    --------
    >>> from cxlib.data import NPS_SEGMENT_SHARES, NPS_SCORE_PARAMS, NPS_REFERRAL_RATES, NPS_RETENTION
    >>> from cxlib.data._referral import nps_truth
    >>> t = nps_truth(NPS_SEGMENT_SHARES, NPS_SCORE_PARAMS, NPS_REFERRAL_RATES, NPS_RETENTION)
    >>> round(t["nps"], 1), {s: round(v, 1) for s, v in t["nps_by_segment"].items()}
    (23.6, {'new': -15.9, 'regular': 31.2, 'loyal': 63.7})
    >>> round(t["reproduction_number"], 3)
    0.437
    """
    pmf = {s: score_distribution(*score_params[s]) for s in NPS_SEGMENTS}
    overall = sum(segment_shares[s] * pmf[s] for s in NPS_SEGMENTS)

    def groups(p: np.ndarray) -> dict[str, float]:
        return {"promoter": float(p[9:].sum()), "passive": float(p[7:9].sum()), "detractor": float(p[:7].sum())}

    by_segment = {s: groups(pmf[s]) for s in NPS_SEGMENTS}
    shares = groups(overall)
    rates = dict(referral_rates)
    promoter_rate = rates["promoter"]
    return {
        "segment_shares": dict(segment_shares),
        "score_params": {s: tuple(score_params[s]) for s in NPS_SEGMENTS},
        "score_pmf": {s: pmf[s].tolist() for s in NPS_SEGMENTS},
        "mean_score": float(np.arange(11) @ overall),
        "group_shares": shares,
        "group_shares_by_segment": by_segment,
        "nps": 100 * (shares["promoter"] - shares["detractor"]),
        "nps_by_segment": {s: 100 * (g["promoter"] - g["detractor"]) for s, g in by_segment.items()},
        "referral_rates": rates,
        "mean_referrals": sum(shares[g] * rates[g] for g in NPS_GROUPS),
        "reproduction_number": sum(shares[g] * rates[g] for g in NPS_GROUPS),
        "passive_factor": rates["passive"] / promoter_rate if promoter_rate > 0 else math.nan,
        "retention": dict(retention),
        "mean_retention": sum(shares[g] * retention[g] for g in NPS_GROUPS),
    }


@dataclass(frozen=True, eq=False)
class NPSSurvey:
    """A simulated recommendation survey and the truth it was generated from.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per customer; columns as in :data:`NPS_DATASHEET`.
    truth : dict
        The true values (see :func:`nps_survey`).

    Examples
    --------
    >>> from cxlib.data import nps_survey
    >>> survey = nps_survey(200, rng=1)
    >>> survey
    NPSSurvey(200 customers, observed NPS +18.5; truth NPS +23.6, R 0.437)
    >>> print(survey.datasheet().splitlines()[0])
    # Datasheet: the synthetic recommendation survey (`cxlib.data.nps_survey`)
    """

    data: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    @property
    def n_customers(self) -> int:
        """Number of customers (rows)."""
        return len(self.data)

    def datasheet(self) -> str:
        """Return :data:`NPS_DATASHEET` followed by the truth of this survey (markdown)."""
        t = self.truth
        g = t["group_shares"]
        return "\n".join([
            NPS_DATASHEET, "## This survey", "",
            f"- customers: {self.n_customers:,}",
            f"- true NPS {t['nps']:+.1f} (promoters {g['promoter']:.1%}, passives {g['passive']:.1%}, "
            f"detractors {g['detractor']:.1%})",
            "- true referral rates: " + ", ".join(f"{k} {v:g}" for k, v in t["referral_rates"].items()),
            f"- true reproduction number {t['reproduction_number']:.3f}",
        ]) + "\n"

    def __repr__(self) -> str:
        scores = self.data["score"].to_numpy()
        observed = 100 * (np.mean(scores >= 9) - np.mean(scores <= 6))
        return (f"NPSSurvey({self.n_customers:,} customers, observed NPS {observed:+.1f}; truth NPS "
                f"{self.truth['nps']:+.1f}, R {self.truth['reproduction_number']:.3g})")


def nps_survey(
    n: int = 500,
    *,
    segment_shares: Mapping[str, float] | None = None,
    score_params: Mapping[str, tuple[float, float]] | None = None,
    referral_rates: Mapping[str, float] | None = None,
    retention: Mapping[str, float] | None = None,
    rng: None | int | np.random.Generator = None,
) -> NPSSurvey:
    """Simulate a recommendation survey (0-10 scores) and the referrals that followed it.

    ``segment ~ Categorical(segment_shares)``; ``score ~ Binomial(10, pi)`` with
    ``pi ~ Beta(a, b)`` of the segment; ``group`` promoter (9-10), passive (7-8) or
    detractor (0-6); ``referrals ~ Poisson(referral_rates[group])``;
    ``retained ~ Bernoulli(retention[group])``.  See :data:`NPS_DATASHEET`.

    Parameters
    ----------
    n : int, default 500
        Customers, 10 to 10,000,000.
    segment_shares : mapping, optional
        Share of each segment (default :data:`NPS_SEGMENT_SHARES`).
    score_params : mapping, optional
        ``{segment: (a, b)}`` for every segment (default :data:`NPS_SCORE_PARAMS`).
    referral_rates : mapping, optional
        ``{group: rate}`` for every group (default :data:`NPS_REFERRAL_RATES`).
    retention : mapping, optional
        ``{group: probability}`` for every group (default :data:`NPS_RETENTION`).
    rng : None, int or numpy.random.Generator

    Returns
    -------
    NPSSurvey
        ``data`` (customer_id, segment, score, group, referrals, retained) and ``truth``
        (keys ``nps``, ``nps_by_segment``, ``group_shares``, ``group_shares_by_segment``,
        ``score_pmf``, ``mean_score``, ``referral_rates``, ``mean_referrals``,
        ``reproduction_number``, ``passive_factor``, ``retention``, ``mean_retention``,
        ``segment_shares``, ``score_params``).

    Examples
    --------
    >>> from cxlib.data import nps_survey
    >>> survey = nps_survey(1000, rng=2)
    >>> survey.data.columns.tolist()
    ['customer_id', 'segment', 'score', 'group', 'referrals', 'retained']
    >>> round(survey.truth["nps"], 1), survey.truth["referral_rates"]["promoter"]
    (23.6, 0.8)
    >>> survey.data.groupby("group", observed=True)["referrals"].mean().round(2).tolist()
    [0.84, 0.17, 0.0]
    >>> nps_survey(5)
    Traceback (most recent call last):
    ...
    ValueError: n must be an integer between 10 and 10000000; got 5
    """
    size = params.integer("n", n, min=10, max=10_000_000)
    shares = params.shares("segment_shares", NPS_SEGMENT_SHARES if segment_shares is None else segment_shares,
                           NPS_SEGMENTS)
    sp = _per_key("score_params", score_params, NPS_SCORE_PARAMS, NPS_SEGMENTS)
    for seg, ab in sp.items():
        if not (isinstance(ab, (tuple, list)) and len(ab) == 2):
            raise TypeError(f"score_params[{seg!r}] must be a pair (a, b); got {ab!r}")
        sp[seg] = (params.real(f"score_params[{seg!r}] a", ab[0], min=0, min_inclusive=False),
                   params.real(f"score_params[{seg!r}] b", ab[1], min=0, min_inclusive=False))
    rates = _per_key("referral_rates", referral_rates, NPS_REFERRAL_RATES, NPS_GROUPS)
    rates = {g: params.real(f"referral_rates[{g!r}]", r, min=0, max=100) for g, r in rates.items()}
    keep = _per_key("retention", retention, NPS_RETENTION, NPS_GROUPS)
    keep = {g: params.probability(f"retention[{g!r}]", r) for g, r in keep.items()}
    gen = check_rng(rng)

    import pandas as pd

    probs = np.array([shares[s] for s in NPS_SEGMENTS])
    seg = gen.choice(len(NPS_SEGMENTS), size=size, p=probs / probs.sum())
    a = np.array([sp[s][0] for s in NPS_SEGMENTS])[seg]
    b = np.array([sp[s][1] for s in NPS_SEGMENTS])[seg]
    score = gen.binomial(10, gen.beta(a, b)).astype(np.int64)
    group = np.where(score >= 9, 0, np.where(score >= 7, 1, 2))
    referrals = gen.poisson(np.array([rates[g] for g in NPS_GROUPS])[group]).astype(np.int64)
    retained = (gen.random(size) < np.array([keep[g] for g in NPS_GROUPS])[group]).astype(np.int64)
    frame = pd.DataFrame({
        "customer_id": np.arange(1, size + 1, dtype=np.int64),
        "segment": pd.Categorical.from_codes(seg, categories=list(NPS_SEGMENTS)),
        "score": score,
        "group": pd.Categorical.from_codes(group, categories=list(NPS_GROUPS)),
        "referrals": referrals,
        "retained": retained,
    })
    return NPSSurvey(frame, nps_truth(shares, sp, rates, keep))
