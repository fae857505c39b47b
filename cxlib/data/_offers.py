"""The synthetic offer experiment of lesson 07: customers in segments answering offers, with known rates.

:func:`offer_panel` simulates a randomised test of three offers on customers of three
segments whose true response rates are written down in :data:`OFFER_DATASHEET`: one offer
is best on average, a different one is best for two of the segments, so personalising
pays, by a known amount (``OfferPanel.truth``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["OFFERS", "OFFER_SEGMENTS", "OFFER_SEGMENT_SHARES", "OFFER_RATES", "OFFER_DATASHEET", "OfferPanel",
           "offer_panel"]

#: The offers, in the order of the ``offer`` categories.
OFFERS: tuple[str, ...] = ("discount", "upgrade", "personal_note")
#: The customer segments, in the order of the ``segment`` categories.
OFFER_SEGMENTS: tuple[str, ...] = ("new", "regular", "loyal")
#: Default share of customers in each segment.
OFFER_SEGMENT_SHARES: dict[str, float] = {"new": 0.5, "regular": 0.3, "loyal": 0.2}
#: True response rate of each segment to each offer (share who accept).
OFFER_RATES: dict[str, dict[str, float]] = {
    "new": {"discount": 0.12, "upgrade": 0.08, "personal_note": 0.06},
    "regular": {"discount": 0.10, "upgrade": 0.13, "personal_note": 0.09},
    "loyal": {"discount": 0.08, "upgrade": 0.10, "personal_note": 0.16},
}

OFFER_DATASHEET = """\
# Datasheet: the synthetic offer experiment (`cxlib.data.offer_panel`)

**What it is.** One row per customer of a fictional subscription service who was sent one
of three offers, chosen at random: a `discount` on the next month, a free `upgrade` to a
better plan for a month, or a `personal_note` from their account manager thanking them.
Whether the customer accepted (renewed, used the upgrade, replied) is `responded`.
Nothing in it is real; it exists so that lesson 07 can show an A/B/n test, heterogeneous
effects and bandits recovering (or missing) known rates before it turns to real data.

## Columns

| column | type | values | meaning |
| --- | --- | --- | --- |
| `customer_id` | int64 | 1..n | row identifier |
| `segment` | categorical | new, regular, loyal | how long the customer has been with the firm |
| `offer` | categorical | discount, upgrade, personal_note | the offer sent, at random with equal probability |
| `responded` | int64 | 0/1 | whether the customer accepted |

## Generating equations

For each customer, independently: `segment ~ Categorical(segment_shares)` (default new 0.5,
regular 0.3, loyal 0.2); `offer ~ Categorical(1/3, 1/3, 1/3)`;
`responded ~ Bernoulli(rates[segment][offer])` with the default rates

| segment | discount | upgrade | personal_note | best |
| --- | --- | --- | --- | --- |
| new | 0.12 | 0.08 | 0.06 | discount |
| regular | 0.10 | 0.13 | 0.09 | upgrade |
| loyal | 0.08 | 0.10 | 0.16 | personal_note |

## Truth

At the default shares the average rate of each offer is discount 0.106, upgrade 0.099,
personal_note 0.089: the `discount` is the best single offer.  Sending each segment its own
best offer earns 0.131 per customer, 24% more than the best single offer (the value of
personalisation).  `OfferPanel.truth` holds the rates, the averages, the best offer overall
and by segment, both expected rewards and the lift, computed from the rates and shares
given (so they stay right when you change them).

## Defaults and limits

`n_customers=3000` (30 to 10,000,000); `rates` any segment-by-offer table of rates in
[0, 1] with the three segments and three offers (missing entries are refused);
`segment_shares` any shares of the three segments that sum to 1.
"""


def _rates(rates: Mapping[str, Mapping[str, float]] | None) -> dict[str, dict[str, float]]:
    if rates is None:
        return {s: dict(r) for s, r in OFFER_RATES.items()}
    if not isinstance(rates, Mapping):
        raise TypeError(f"rates must be a mapping of segment to {{offer: rate}}; got {type(rates).__name__}")
    out = {}
    for seg in OFFER_SEGMENTS:
        if seg not in rates:
            raise ValueError(f"rates lacks the segment {seg!r}; it needs {', '.join(map(repr, OFFER_SEGMENTS))}")
        row = rates[seg]
        out[seg] = {}
        for offer in OFFERS:
            if offer not in row:
                raise ValueError(f"rates[{seg!r}] lacks the offer {offer!r}; it needs {', '.join(map(repr, OFFERS))}")
            out[seg][offer] = params.probability(f"rates[{seg!r}][{offer!r}]", row[offer])
    extra = set(rates) - set(OFFER_SEGMENTS)
    if extra:
        raise ValueError(f"rates names unknown segment(s) {', '.join(map(repr, sorted(extra)))}; "
                         f"valid: {', '.join(map(repr, OFFER_SEGMENTS))}")
    return out


def offer_truth(rates: Mapping[str, Mapping[str, float]], shares: Mapping[str, float]) -> dict[str, Any]:
    """The true values that follow from a rate table and segment shares (see :data:`OFFER_DATASHEET`).

    Examples
    --------
    >>> from cxlib.data import OFFER_RATES, OFFER_SEGMENT_SHARES
    >>> from cxlib.data._offers import offer_truth
    >>> t = offer_truth(OFFER_RATES, OFFER_SEGMENT_SHARES)
    >>> t["best_offer_overall"], t["best_offer_by_segment"]
    ('discount', {'new': 'discount', 'regular': 'upgrade', 'loyal': 'personal_note'})
    >>> round(t["personalisation_lift"], 3)
    0.236
    """
    average = {o: sum(shares[s] * rates[s][o] for s in OFFER_SEGMENTS) for o in OFFERS}
    best_overall = max(OFFERS, key=lambda o: average[o])
    by_segment = {s: max(OFFERS, key=lambda o: rates[s][o]) for s in OFFER_SEGMENTS}
    single = average[best_overall]
    personal = sum(shares[s] * rates[s][by_segment[s]] for s in OFFER_SEGMENTS)
    return {
        "rates": {s: dict(rates[s]) for s in OFFER_SEGMENTS},
        "segment_shares": dict(shares),
        "average_rates": average,
        "best_offer_overall": best_overall,
        "best_offer_by_segment": by_segment,
        "reward_single": single,
        "reward_personalised": personal,
        "personalisation_lift": personal / single - 1 if single > 0 else float("nan"),
    }


@dataclass(frozen=True, eq=False)
class OfferPanel:
    """A simulated offer experiment and the truth it was generated from.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per customer; columns as in :data:`OFFER_DATASHEET`.
    truth : dict
        The true values (see :func:`offer_panel`).

    Examples
    --------
    >>> from cxlib.data import offer_panel
    >>> panel = offer_panel(900, rng=1)
    >>> panel.truth["best_offer_overall"], panel.rate_table().shape
    ('discount', (3, 3))
    """

    data: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    @property
    def n_customers(self) -> int:
        """Number of customers (rows)."""
        return len(self.data)

    def rate_table(self) -> pd.DataFrame:
        """The true rates as a table: segments in rows, offers in columns."""
        import pandas as pd

        return pd.DataFrame(self.truth["rates"]).T.loc[list(OFFER_SEGMENTS), list(OFFERS)]

    def datasheet(self) -> str:
        """Return :data:`OFFER_DATASHEET` followed by the truth of this panel (markdown)."""
        t = self.truth
        return "\n".join([
            OFFER_DATASHEET, "## This panel", "",
            f"- customers: {self.n_customers:,}",
            f"- best single offer: {t['best_offer_overall']} ({t['reward_single']:.3f} per customer)",
            f"- personalised: {t['reward_personalised']:.3f} per customer (lift {t['personalisation_lift']:.1%})",
        ]) + "\n"

    def __repr__(self) -> str:
        t = self.truth
        return (f"OfferPanel({self.n_customers:,} customers, {int(self.data['responded'].sum()):,} responded; "
                f"truth best single offer {t['best_offer_overall']!r}, personalisation lift "
                f"{t['personalisation_lift']:.1%})")


def offer_panel(
    n_customers: int = 3000,
    *,
    rates: Mapping[str, Mapping[str, float]] | None = None,
    segment_shares: Mapping[str, float] | None = None,
    rng: None | int | np.random.Generator = None,
) -> OfferPanel:
    """Simulate a randomised test of three offers on customers of three segments.

    ``segment ~ Categorical(segment_shares)``, ``offer`` uniform over :data:`OFFERS`,
    ``responded ~ Bernoulli(rates[segment][offer])`` (default :data:`OFFER_RATES`).

    Parameters
    ----------
    n_customers : int, default 3000
        Customers, 30 to 10,000,000.
    rates : mapping, optional
        ``{segment: {offer: rate}}`` for all three segments and offers; default
        :data:`OFFER_RATES`.
    segment_shares : mapping, optional
        Share of each segment (missing ones get 0; they must sum to 1); default
        :data:`OFFER_SEGMENT_SHARES`.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    OfferPanel
        ``data`` (customer_id, segment, offer, responded) and ``truth`` (keys ``rates``,
        ``segment_shares``, ``average_rates``, ``best_offer_overall``,
        ``best_offer_by_segment``, ``reward_single``, ``reward_personalised``,
        ``personalisation_lift``).

    Examples
    --------
    >>> from cxlib.data import offer_panel
    >>> panel = offer_panel(3000, rng=2)
    >>> panel.data.columns.tolist()
    ['customer_id', 'segment', 'offer', 'responded']
    >>> offer_panel(10)
    Traceback (most recent call last):
    ...
    ValueError: n_customers must be an integer between 30 and 10000000; got 10
    """
    n = params.integer("n_customers", n_customers, min=30, max=10_000_000)
    table = _rates(rates)
    shares = params.shares("segment_shares", OFFER_SEGMENT_SHARES if segment_shares is None else segment_shares,
                           OFFER_SEGMENTS)
    gen = check_rng(rng)

    import pandas as pd

    probs = np.array([shares[s] for s in OFFER_SEGMENTS])
    seg = gen.choice(len(OFFER_SEGMENTS), size=n, p=probs / probs.sum())
    offer = gen.integers(0, len(OFFERS), n)
    matrix = np.array([[table[s][o] for o in OFFERS] for s in OFFER_SEGMENTS])
    responded = (gen.random(n) < matrix[seg, offer]).astype(np.int64)
    frame = pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "segment": pd.Categorical.from_codes(seg, categories=list(OFFER_SEGMENTS)),
        "offer": pd.Categorical.from_codes(offer, categories=list(OFFERS)),
        "responded": responded,
    })
    return OfferPanel(frame, offer_truth(table, shares))
