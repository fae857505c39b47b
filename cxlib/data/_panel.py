"""The synthetic customer panel of lesson 02: revenue from loyalty, tenure and segment, with known truth.

:func:`customer_panel` simulates customers whose revenue depends on loyalty, tenure and
segment through equations written down in :data:`DATASHEET`, so every estimate can be
checked against the true value (``Panel.truth``).
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

__all__ = [
    "SEGMENTS",
    "DEFAULT_SEGMENT_SHARES",
    "SEGMENT_BASE",
    "LOYALTY_SHIFT",
    "ORDER_VALUE",
    "LOG_TENURE_MEAN",
    "LOG_TENURE_SD",
    "CONFOUNDER_MEAN",
    "CONFOUNDER_SD",
    "DATASHEET",
    "Panel",
    "customer_panel",
]


#: The customer segments, in the order of the ``segment`` categories.
SEGMENTS: tuple[str, ...] = ("budget", "mainstream", "premium")
#: Default share of customers in each segment.
DEFAULT_SEGMENT_SHARES: dict[str, float] = {"budget": 0.5, "mainstream": 0.35, "premium": 0.15}
#: Segment part of expected annual revenue, dollars per year.
SEGMENT_BASE: dict[str, float] = {"budget": 150.0, "mainstream": 300.0, "premium": 600.0}
#: Segment shift of the latent loyalty (multiplied by ``confounding``).
LOYALTY_SHIFT: dict[str, float] = {"budget": -0.5, "mainstream": 0.0, "premium": 0.8}
#: Mean order value by segment, dollars per order.
ORDER_VALUE: dict[str, float] = {"budget": 25.0, "mainstream": 40.0, "premium": 80.0}
#: Population mean of log(tenure_months) for tenure = 1 + floor(Gamma(2, 12)) (exact: 2.946).
LOG_TENURE_MEAN: float = 2.95
#: Population standard deviation of log(tenure_months) (exact: 0.763).
LOG_TENURE_SD: float = 0.76
#: Population mean and standard deviation of the confounder index ``0.8 * z + shift[segment]``
#: at the default segment shares (exact: -0.134 and 0.922), used to standardise it.
CONFOUNDER_MEAN: float = -0.134
CONFOUNDER_SD: float = 0.922

_COLUMNS = (
    "customer_id",
    "segment",
    "tenure_months",
    "satisfaction",
    "loyalty",
    "nps",
    "orders",
    "revenue",
)

DATASHEET = """\
# Datasheet: the synthetic customer panel (`cxlib.data.customer_panel`)

**What it is.** One row per customer of a fictional retailer, simulated so that the true
effect of loyalty on revenue is known.  Nothing in it is real; it exists so that lesson 02
can show an estimate recovering (or missing) a known value before it turns to real data.

**Why.** Loyal customers have usually been customers for longer and tend to sit in the
richer segments, and both of those raise revenue on their own.  A regression of revenue on
loyalty alone therefore mixes the effect of loyalty with the effects of tenure and segment
(confounding); adding them as controls removes the bias.  The generator lets you turn the
confounding up and down and see this happen.

## Columns

| column | type | unit / range | meaning |
| --- | --- | --- | --- |
| `customer_id` | int64 | 1..n | row identifier |
| `segment` | categorical | budget, mainstream, premium | customer segment (categories in that order) |
| `tenure_months` | int64 | months, >= 1 | time since the first purchase |
| `satisfaction` | int64 | 0-10 | satisfaction score, a noisy report of loyalty |
| `loyalty` | float64 | 0-100, one decimal | a 0-100 loyalty index; in a real study it would be built from survey items such as satisfaction, likelihood to recommend and repurchase intent |
| `nps` | int64 | 0-10 | likelihood to recommend (the NPS question), a noisy report of loyalty |
| `orders` | int64 | orders per year, >= 0 | number of orders in the year |
| `revenue` | float64 | dollars per year, >= 0, cents | revenue from the customer in the year |

## Generating equations

For each customer, independently (all draws from one seeded generator):

1. `segment ~ Categorical(segment_shares)`; default shares budget 0.5, mainstream 0.35, premium 0.15.
2. `tenure_months = 1 + floor(G)`, `G ~ Gamma(shape=2, scale=12)` (mean tenure 24.5 months).
3. `z = (log(tenure_months) - 2.95) / 0.76`: standardised log tenure; 2.95 and 0.76 are
   the population mean and standard deviation of log tenure, fixed constants (exact values
   2.946 and 0.763), so `z` does not depend on the sample.
4. `w = (0.8 * z + shift[segment] + 0.134) / 0.922`, with shift budget -0.5, mainstream 0.0,
   premium +0.8: the confounder index, standardised with its population mean and standard
   deviation at the default shares (fixed constants).
   `L = confounding * w + sqrt(1 - confounding**2) * e`, `e ~ Normal(0, 1)`: the latent loyalty
   has variance 1 whatever the confounding, and `confounding` is its correlation with `w`.
5. `loyalty = clip(round(50 + 15 * L, 1), 0, 100)`.
6. `satisfaction = clip(round(loyalty / 10 + Normal(0, 1.2)), 0, 10)`;
   `nps = clip(round(loyalty / 10 + 0.5 + Normal(0, 1.5)), 0, 10)`.
   They do **not** enter revenue.
7. `mu = base[segment] + loyalty_effect * loyalty + tenure_effect * tenure_months`
   (expected annual revenue, dollars), base budget 150, mainstream 300, premium 600.
8. `lam = mu / v[segment]` with mean order value v budget 25, mainstream 40, premium 80 dollars;
   `orders ~ Poisson(lam * H)`, `H ~ Gamma(shape=1/dispersion, scale=dispersion)`, i.e. a
   negative binomial with mean `lam` and variance `lam + dispersion * lam**2` (NB2);
   `dispersion = 0` gives `orders ~ Poisson(lam)`.
9. Each order's value is `Gamma(shape=4, scale=v/4)` (mean v, coefficient of variation 0.5),
   so `revenue = Gamma(shape=4 * orders, scale=v/4)` (0 when `orders == 0`), rounded to cents.

## Truth

`E[revenue | loyalty, tenure_months, segment] = mu` exactly, so an OLS regression of
`revenue ~ loyalty + tenure_months + C(segment)` is correctly specified: its loyalty
coefficient estimates `loyalty_effect` (dollars per year per loyalty point, default 4.0) and
its tenure coefficient `tenure_effect` (dollars per year per month of tenure, default 5.0).
The variance of revenue grows with `mu` (heteroskedasticity), so use robust (HC3) standard
errors.  With `confounding > 0`, loyalty rises with tenure and segment, so the naive
regression `revenue ~ loyalty` over-states the effect (bias upward); with `confounding = 0`
loyalty is independent of tenure and segment and the naive slope is unbiased too.
`Panel.truth` holds all true values used.

## Defaults and limits

`n_customers=2000` (10 to 10,000,000), `loyalty_effect=4.0` (0-20), `tenure_effect=5.0`
(0-50), `confounding=0.6` (0-0.95), `dispersion=0.5` (0-10).  Non-negative effects keep
`mu > 0`.  Loyalty is clipped at 0 and 100, which touches under 0.1% of customers (the
latent loyalty has standard deviation 1, so the index has standard deviation 15 around 50).

The bias of the naive slope, `cov(base[segment] + tenure_effect * tenure, loyalty) /
var(loyalty)`, grows in proportion to `confounding`, because the variance of loyalty does
not change with it: confounding 0 gives no bias, and doubling it doubles the bias.
"""


@dataclass(frozen=True, eq=False)
class Panel:
    """A simulated customer panel and the truth it was generated from.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per customer; columns as in :data:`DATASHEET`.
    truth : dict
        The true parameter values (see :func:`customer_panel`).

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> panel = customer_panel(200, rng=1)
    >>> panel.n_customers, panel.truth["loyalty_effect"]
    (200, 4.0)
    >>> print(panel.datasheet().splitlines()[0])
    # Datasheet: the synthetic customer panel (`cxlib.data.customer_panel`)
    """

    data: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    @property
    def n_customers(self) -> int:
        """Number of customers (rows)."""
        return len(self.data)

    def datasheet(self) -> str:
        """Return :data:`DATASHEET` followed by the truth of this panel (markdown)."""
        t = self.truth
        lines = [
            DATASHEET,
            "## This panel",
            "",
            f"- customers: {self.n_customers:,}",
            f"- loyalty_effect: {t['loyalty_effect']:g} dollars per year per loyalty point",
            f"- tenure_effect: {t['tenure_effect']:g} dollars per year per month of tenure",
            f"- confounding: {t['confounding']:g}; dispersion: {t['dispersion']:g}",
            f"- segment shares: {t['segment_shares']}",
            f"- bias of the naive estimate: {t['bias_direction']}",
        ]
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        t = self.truth
        counts = self.data["segment"].value_counts(sort=False)
        segs = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        return (
            f"Panel({self.n_customers:,} customers: {segs}; "
            f"truth loyalty_effect={t['loyalty_effect']!r}, tenure_effect={t['tenure_effect']!r}, "
            f"confounding={t['confounding']!r}, dispersion={t['dispersion']!r})"
        )


def customer_panel(
    n_customers: int = 2000,
    *,
    loyalty_effect: float = 4.0,
    tenure_effect: float = 5.0,
    confounding: float = 0.6,
    dispersion: float = 0.5,
    segment_shares: Mapping[str, float] | None = None,
    rng: None | int | np.random.Generator = None,
) -> Panel:
    """Simulate customers whose revenue depends on loyalty, tenure and segment.

    The generating equations (see :data:`DATASHEET` for units) are::

        segment       ~ Categorical(segment_shares)
        tenure_months = 1 + floor(Gamma(shape=2, scale=12))
        z             = (log(tenure_months) - 2.95) / 0.76
        w             = (0.8 * z + shift[segment] + 0.134) / 0.922
        L             = confounding * w + sqrt(1 - confounding**2) * Normal(0, 1)
        loyalty       = clip(round(50 + 15 * L, 1), 0, 100)
        satisfaction  = clip(round(loyalty / 10 + Normal(0, 1.2)), 0, 10)
        nps           = clip(round(loyalty / 10 + 0.5 + Normal(0, 1.5)), 0, 10)
        mu            = base[segment] + loyalty_effect * loyalty + tenure_effect * tenure_months
        orders        ~ Poisson(mu / v[segment] * Gamma(1 / dispersion, dispersion))
        revenue       = Gamma(shape=4 * orders, scale=v[segment] / 4)   (0 if no orders)

    with shift = (-0.5, 0, 0.8), base = (150, 300, 600) dollars per year and mean order
    value v = (25, 40, 80) dollars for (budget, mainstream, premium).  Hence
    ``E[revenue | loyalty, tenure_months, segment] = mu`` exactly: an OLS regression of
    revenue on loyalty, tenure_months and C(segment) is correctly specified, while
    revenue on loyalty alone is biased upward whenever ``confounding > 0``.

    Parameters
    ----------
    n_customers : int, default 2000
        Number of customers, 10 to 10,000,000.
    loyalty_effect : float, default 4.0
        True effect of one loyalty point on expected annual revenue (dollars), 0 to 20.
    tenure_effect : float, default 5.0
        True effect of one month of tenure on expected annual revenue (dollars), 0 to 50.
    confounding : float, default 0.6
        How strongly tenure and segment drive loyalty: the correlation of the latent
        loyalty with the confounder index ``w``, 0 (loyalty is independent of both) to
        0.95.  The bias of the naive slope is proportional to it.
    dispersion : float, default 0.5
        NB2 over-dispersion of the order counts, 0 (Poisson) to 10.
    segment_shares : mapping, optional
        Share of each segment, e.g. ``{"budget": 0.6, "premium": 0.4}`` (missing
        segments get 0; the shares must sum to 1).  Default
        :data:`DEFAULT_SEGMENT_SHARES`.
    rng : None, int or numpy.random.Generator
        Seed or generator (see :func:`cxlib.check_rng`).  The same seed gives the
        same panel; the same seed with another ``confounding`` uses the same random
        draws (common random numbers), so only the confounding changes.

    Returns
    -------
    Panel
        ``data`` with columns customer_id, segment, tenure_months, satisfaction,
        loyalty, nps, orders, revenue; ``truth`` a dict with keys ``loyalty_effect``,
        ``tenure_effect``, ``segment_base``, ``order_value``, ``loyalty_shift``,
        ``segment_shares``, ``confounding``, ``dispersion`` and ``bias_direction``
        (``"upward"`` or ``"none"``: the direction of the bias of the naive slope).

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. ``n_customers=2.5`` or ``"100"``).
    ValueError
        If an argument is out of range, or ``segment_shares`` names an unknown
        segment or does not sum to 1.

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> panel = customer_panel(500, rng=1)
    >>> panel
    Panel(500 customers: budget 259, mainstream 175, premium 66; truth loyalty_effect=4.0, tenure_effect=5.0, confounding=0.6, dispersion=0.5)
    >>> panel.data.columns.tolist()
    ['customer_id', 'segment', 'tenure_months', 'satisfaction', 'loyalty', 'nps', 'orders', 'revenue']
    >>> panel.truth["loyalty_effect"], panel.truth["bias_direction"]
    (4.0, 'upward')
    >>> panel.data["loyalty"].between(0, 100).all()
    np.True_
    >>> customer_panel(5)
    Traceback (most recent call last):
    ...
    ValueError: n_customers must be an integer between 10 and 10000000; got 5
    """
    n = params.integer("n_customers", n_customers, min=10, max=10_000_000)
    b_loyal = params.real("loyalty_effect", loyalty_effect, min=0, max=20)
    b_tenure = params.real("tenure_effect", tenure_effect, min=0, max=50)
    conf = params.real("confounding", confounding, min=0, max=0.95)
    disp = params.real("dispersion", dispersion, min=0, max=10)
    shares = params.shares(
        "segment_shares",
        DEFAULT_SEGMENT_SHARES if segment_shares is None else segment_shares,
        SEGMENTS,
    )
    gen = check_rng(rng)

    import pandas as pd

    probs = np.array([shares[s] for s in SEGMENTS])
    probs = probs / probs.sum()
    seg = gen.choice(len(SEGMENTS), size=n, p=probs)
    shift = np.array([LOYALTY_SHIFT[s] for s in SEGMENTS])[seg]
    base = np.array([SEGMENT_BASE[s] for s in SEGMENTS])[seg]
    value = np.array([ORDER_VALUE[s] for s in SEGMENTS])[seg]

    tenure = 1 + np.floor(gen.gamma(shape=2.0, scale=12.0, size=n)).astype(np.int64)
    z = (np.log(tenure) - LOG_TENURE_MEAN) / LOG_TENURE_SD
    w = (0.8 * z + shift - CONFOUNDER_MEAN) / CONFOUNDER_SD
    latent = conf * w + np.sqrt(1.0 - conf**2) * gen.standard_normal(n)
    loyalty = np.clip(np.round(50.0 + 15.0 * latent, 1), 0.0, 100.0)
    satisfaction = np.clip(np.round(loyalty / 10 + gen.normal(0.0, 1.2, n)), 0, 10)
    nps = np.clip(np.round(loyalty / 10 + 0.5 + gen.normal(0.0, 1.5, n)), 0, 10)

    mu = base + b_loyal * loyalty + b_tenure * tenure
    lam = mu / value
    if disp > 0:
        lam = lam * gen.gamma(shape=1.0 / disp, scale=disp, size=n)
    orders = gen.poisson(lam).astype(np.int64)
    bought = orders > 0
    revenue = gen.gamma(shape=np.where(bought, 4.0 * orders, 1.0), scale=value / 4.0)
    revenue = np.where(bought, np.round(revenue, 2), 0.0)

    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype=np.int64),
            "segment": pd.Categorical.from_codes(seg, categories=list(SEGMENTS)),
            "tenure_months": tenure,
            "satisfaction": satisfaction.astype(np.int64),
            "loyalty": loyalty,
            "nps": nps.astype(np.int64),
            "orders": orders,
            "revenue": revenue,
        },
        columns=list(_COLUMNS),
    )
    # Bias of the naive slope = cov(base[segment] + tenure_effect * tenure, loyalty) / var(loyalty):
    # positive whenever loyalty depends on tenure or segment and those move revenue.
    several_segments = sum(s > 0 for s in shares.values()) > 1
    upward = conf > 0 and (b_tenure > 0 or several_segments)
    truth = {
        "loyalty_effect": b_loyal,
        "tenure_effect": b_tenure,
        "segment_base": dict(SEGMENT_BASE),
        "order_value": dict(ORDER_VALUE),
        "loyalty_shift": dict(LOYALTY_SHIFT),
        "segment_shares": shares,
        "confounding": conf,
        "dispersion": disp,
        "bias_direction": "upward" if upward else "none",
    }
    return Panel(data=frame, truth=truth)
