"""The synthetic journey log of lesson 08: customers moving between touchpoints by a known Markov chain.

:func:`journey_log` simulates an event log (customer, time, touchpoint, outcome, value)
from the transition matrix written down in :data:`JOURNEY_DATASHEET`, with a planted pain
point (checkout loses many customers) and a planted touchpoint that last-touch attribution
over-credits (the reminder e-mail), so that conversion probabilities, removal effects and
the heuristics can be checked against the truth (``JourneyLog.truth``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["TOUCHPOINTS", "JOURNEY_DATASHEET", "JourneyLog", "journey_log", "journey_matrix"]

#: The touchpoints, in the order of the transition matrix.
TOUCHPOINTS: tuple[str, ...] = ("display", "search", "email", "product", "reviews", "checkout", "reminder")

_ROWS = {  # from-state: {to-state: probability}; checkout's drop-off is a parameter
    "(start)": {"display": 0.40, "search": 0.35, "email": 0.25},
    "display": {"display": 0.10, "search": 0.20, "product": 0.30, "(null)": 0.40},
    "search": {"product": 0.55, "reviews": 0.10, "(null)": 0.35},
    "email": {"product": 0.60, "(null)": 0.40},
    "product": {"search": 0.05, "reviews": 0.15, "checkout": 0.30, "reminder": 0.25, "(null)": 0.25},
    "reviews": {"product": 0.35, "checkout": 0.25, "(null)": 0.40},
    "checkout": {"product": 0.05},  # + (conversion) and (null) = checkout_drop
    "reminder": {"checkout": 0.20, "(conversion)": 0.50, "(null)": 0.30},
}

JOURNEY_DATASHEET = """\
# Datasheet: the synthetic journey log (`cxlib.data.journey_log`)

**What it is.** The touchpoints of customers of a fictional online shop, one row per visit,
from their first contact until they buy (convert) or give up.  Nothing in it is real; it
exists so that lesson 08 can show a Markov model recovering a known journey map, exact
removal effects against the true ones, and the heuristics misleading in a known way.

## Columns

| column | type | unit / values | meaning |
| --- | --- | --- | --- |
| `customer` | int64 | 1..n | the customer |
| `time` | float64 | days since the customer's first contact, two decimals | when the visit happened |
| `touchpoint` | str | display, search, email, product, reviews, checkout, reminder | where |
| `converted` | int64 | 0/1 | 1 on the customer's last row if they bought (the purchase follows that visit) |
| `value` | float64 | dollars, cents | the order's value on that row (0 elsewhere) |

## Generating equations

Each customer starts at `(start)` and moves by the order-1 Markov chain below until it reaches
`(conversion)` or `(null)` (gives up); every visit is a row.  Time between visits is
Exponential with mean 1.5 days; the order value is LogNormal with median 60 dollars and
sigma 0.5 (mean 68).

| from \\\\ to | display | search | email | product | reviews | checkout | reminder | (conversion) | (null) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| (start) | 0.40 | 0.35 | 0.25 | | | | | | |
| display | 0.10 | 0.20 | | 0.30 | | | | | 0.40 |
| search | | | | 0.55 | 0.10 | | | | 0.35 |
| email | | | | 0.60 | | | | | 0.40 |
| product | | 0.05 | | | 0.15 | 0.30 | 0.25 | | 0.25 |
| reviews | | | | 0.35 | | 0.25 | | | 0.40 |
| checkout | | | | 0.05 | | | | 0.95 - d | d |
| reminder | | | | | | 0.20 | | 0.50 | 0.30 |

`d = checkout_drop` (default 0.45): the **pain point**, a checkout that loses almost half of the
customers who reach it.  The **reminder** e-mail, sent to customers who left a product page,
is the last touch before about half of the purchases, so last-touch attribution credits it
with about half of them; but customers reach it only through a product page, which almost
every purchase passes through, so a Markov model, which credits every touchpoint a purchase
needs, gives it far less.

## Truth

`JourneyLog.truth` holds the transition matrix (`matrix`), the conversion probability of a
journey (`conversion_probability`), the removal effect of each touchpoint
(`removal_effects`), the expected visits per journey, the touchpoint that loses the most
(`pain_point`), and the conversion probability if it lost only as many customers as the other
touchpoints do on average, weighted by their visits (`average_exit`, `conversion_if_fixed`), all
computed exactly from the matrix (absorbing-chain algebra), not from the sample.

## Defaults and limits

`n_customers=5000` (10 to 2,000,000), `checkout_drop=0.45` (0 to 0.95).
"""


def journey_matrix(checkout_drop: float = 0.45) -> pd.DataFrame:
    """The true transition matrix of :func:`journey_log` (rows: from, columns: to).

    Examples
    --------
    >>> from cxlib.data import journey_matrix
    >>> m = journey_matrix()
    >>> float(m.loc["checkout", "(null)"]), bool((m.sum(axis=1) - 1).abs().max() < 1e-12)
    (0.45, True)
    """
    import pandas as pd

    d = params.real("checkout_drop", checkout_drop, min=0, max=0.95)
    states = ["(start)", *TOUCHPOINTS, "(conversion)", "(null)"]
    m = pd.DataFrame(0.0, index=states, columns=states)
    for a, row in _ROWS.items():
        for b, p in row.items():
            m.loc[a, b] = p
    m.loc["checkout", "(conversion)"] = 0.95 - d
    m.loc["checkout", "(null)"] = d
    m.loc["(conversion)", "(conversion)"] = 1.0
    m.loc["(null)", "(null)"] = 1.0
    return m


@dataclass(frozen=True, eq=False)
class JourneyLog:
    """A simulated journey log and the truth it was generated from.

    Examples
    --------
    >>> from cxlib.data import journey_log
    >>> log = journey_log(500, rng=1)
    >>> log.data.columns.tolist()
    ['customer', 'time', 'touchpoint', 'converted', 'value']
    >>> round(log.truth["conversion_probability"], 4)
    0.1976
    """

    data: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return int(self.data["customer"].nunique())

    def datasheet(self) -> str:
        """Return :data:`JOURNEY_DATASHEET` followed by the truth of this log (markdown)."""
        t = self.truth
        return "\n".join([JOURNEY_DATASHEET, "## This log", "",
                          f"- customers: {self.n_customers:,}; visits: {len(self.data):,}",
                          f"- checkout drop-off: {t['checkout_drop']:g}",
                          f"- true conversion probability: {t['conversion_probability']:.4f}"]) + "\n"

    def __repr__(self) -> str:
        conv = int(self.data.groupby("customer")["converted"].max().sum())
        return (f"JourneyLog({self.n_customers:,} customers, {len(self.data):,} visits, {conv:,} purchases; "
                f"truth conversion probability {self.truth['conversion_probability']:.4f})")


def journey_log(n_customers: int = 5000, *, checkout_drop: float = 0.45,
                rng: None | int | np.random.Generator = None) -> JourneyLog:
    """Simulate an event log of customer journeys from the documented Markov chain.

    Parameters
    ----------
    n_customers : int, default 5000
        Customers, 10 to 2,000,000.
    checkout_drop : float, default 0.45
        Chance of giving up at checkout (the pain point), 0 to 0.95.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    JourneyLog
        ``data`` (customer, time, touchpoint, converted, value) and ``truth`` (keys ``matrix``,
        ``checkout_drop``, ``conversion_probability``, ``removal_effects`` (dict),
        ``expected_visits`` (dict), ``conversion_if_fixed``, ``average_exit``, ``pain_point``).

    Examples
    --------
    >>> from cxlib.data import journey_log
    >>> log = journey_log(2000, rng=3)
    >>> log.truth["pain_point"], sorted(log.data["touchpoint"].unique())[:3]
    ('checkout', ['checkout', 'display', 'email'])
    """
    import pandas as pd

    from cxlib._journey_markov import MarkovModel, removal_effects

    n = params.integer("n_customers", n_customers, min=10, max=2_000_000)
    matrix = journey_matrix(checkout_drop)
    gen = check_rng(rng)
    states = list(matrix.columns)
    p = matrix.to_numpy()
    cum = np.cumsum(p, axis=1)
    cum[:, -1] = 1.0
    conv, null = states.index("(conversion)"), states.index("(null)")
    where = np.zeros(n, dtype=np.int64)
    clock = np.zeros(n)
    alive = np.arange(n)
    cust, times, touch = [], [], []
    ended = np.zeros(n, dtype=np.int64)
    for _ in range(10_000):
        if alive.size == 0:
            break
        u = gen.random(alive.size)
        nxt = np.minimum((u[:, None] > cum[where[alive]]).sum(axis=1), len(states) - 1)
        where[alive] = nxt
        gap = gen.exponential(1.5, alive.size)
        visit = (nxt != conv) & (nxt != null)
        clock[alive[visit]] += gap[visit]
        cust.append(alive[visit])
        times.append(clock[alive[visit]].copy())
        touch.append(nxt[visit])
        done = ~visit
        ended[alive[done]] = nxt[done]
        alive = alive[visit]
    c = np.concatenate(cust)
    order = np.lexsort((np.concatenate(times), c))
    c, t, k = c[order], np.concatenate(times)[order], np.concatenate(touch)[order]
    last = np.r_[c[1:] != c[:-1], True]
    bought = ended[c] == conv
    converted = (last & bought).astype(np.int64)
    value = np.where(converted == 1, np.round(gen.lognormal(np.log(60.0), 0.5, c.size), 2), 0.0)
    names = np.array(states, dtype=object)
    frame = pd.DataFrame({"customer": c + 1, "time": np.round(t, 2), "touchpoint": names[k].astype(str),
                          "converted": converted, "value": value})
    model = MarkovModel.from_matrix(matrix)
    re = removal_effects(model)
    visits = model.expected_visits().drop("(start)")
    exits = matrix.loc[list(TOUCHPOINTS), "(null)"]
    pain = str(exits.idxmax())
    others = [t for t in TOUCHPOINTS if t != pain]
    average_exit = float((exits[others] * visits[others]).sum() / visits[others].sum())
    fixed = model.with_exit(pain, min(average_exit, float(exits[pain]))).conversion_probability()
    truth = {
        "matrix": matrix,
        "checkout_drop": float(matrix.loc["checkout", "(null)"]),
        "conversion_probability": model.conversion_probability(),
        "removal_effects": re["removal_effect"].to_dict(),
        "expected_visits": visits.to_dict(),
        "average_exit": average_exit,
        "pain_point": pain,
        "conversion_if_fixed": fixed,
    }
    return JourneyLog(frame, truth)
