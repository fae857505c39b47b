"""Personalised experiences: A/B/n tests, effects by segment and bandits for offers (lesson 07).

When does personalising an offer beat one offer for all, how does a firm learn which offer
fits whom, and what does that learning cost?  The functions, with a flat public API (the
code lives in private modules ``_offers_tests`` and ``_offers_bandits``):

* testing offers: :func:`compare_arms` (rates with Wilson or exact intervals, every pair with
  Newcombe's interval and Holm-corrected p-values, the chi-square test), :func:`arm_counts`,
  :func:`sample_size` (statsmodels' power classes, and the cost of more arms);
* effects by segment: :func:`uplift_by_segment` (a logistic model with interactions, its
  likelihood-ratio test, per-segment differences with corrected p-values and the honest
  warning);
* the traps, simulated: :func:`peeking_simulation` (stopping an A/A test at the first
  "significant" look) and :func:`slicing_simulation` (testing many segments);
* learning while earning: :func:`simulate_bandit` (fixed split, epsilon-greedy, Thompson
  sampling, and Thompson sampling by segment, vectorised over runs), :func:`rate_table` and
  :func:`personalisation_value`.

The known-truth data come from :func:`cxlib.data.offer_panel`; the real data from
``cxlib.data.load("tip_joke")`` (a randomised tipping experiment).

Examples
--------
>>> from cxlib import offers
>>> offers.sample_size(0.10, 0.20)
SampleSize(3,835 per arm x 2 arms = 7,670 customers)

References
----------
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. Statistics in Medicine, 17(8), 873-890.

Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian
Journal of Statistics, 6(2), 65-70.

Thompson, W. R. (1933). On the likelihood that one unknown probability exceeds another in
view of the evidence of two samples. Biometrika, 25(3/4), 285-294.

Agrawal, S., & Goyal, N. (2012). Analysis of Thompson sampling for the multi-armed bandit
problem. Proceedings of the 25th Conference on Learning Theory, 39.1-39.26.

Gueguen, N. (2002). The effects of a joke on tipping when it is delivered at the same time
as the bill. Journal of Applied Social Psychology, 32(9), 1955-1963.
"""

from cxlib._offers_bandits import POLICIES, BanditResult, personalisation_value, rate_table, simulate_bandit
from cxlib._offers_tests import (
    CORRECTIONS,
    INTERVALS,
    ArmComparison,
    SampleSize,
    Uplift,
    arm_counts,
    compare_arms,
    peeking_simulation,
    sample_size,
    slicing_simulation,
    uplift_by_segment,
)

__all__ = [
    "compare_arms",
    "ArmComparison",
    "arm_counts",
    "CORRECTIONS",
    "INTERVALS",
    "sample_size",
    "SampleSize",
    "uplift_by_segment",
    "Uplift",
    "peeking_simulation",
    "slicing_simulation",
    "simulate_bandit",
    "BanditResult",
    "POLICIES",
    "rate_table",
    "personalisation_value",
]
