"""Word of mouth: the Net Promoter Score, referral cascades and Bass diffusion (lesson 10).

Happy customers are said to be a firm's best advocates.  What is a promoter worth, how
certain is an NPS, and how does referral spread?  The functions, with a flat public API
(the code lives in private modules ``_referral_nps``, ``_referral_cascade`` and
``_referral_bass``):

* the NPS with honest uncertainty: :func:`nps` (standard error from the multinomial
  variance, a Wald interval and the adjusted Wald interval of Rocks 2016 beside it),
  :func:`compare_nps` (two samples: difference, standard error, z test) and
  :func:`nps_sample_size` (respondents for a given margin);
* referral cascades as a branching process: :class:`ReferralModel` (promoters refer,
  passives refer less, detractors discourage; the reproduction number, the expected
  cascade and the extinction probability in closed form) and :func:`simulate_referrals`
  (the same process simulated, vectorised over runs);
* the value of a promoter: :func:`promoter_value` (referred customers times the CLV of a
  referred customer from :func:`cxlib.clv.margin_multiple` or any model, with its
  uncertainty);
* Bass diffusion: :func:`bass_curve`, :func:`simulate_bass` and :func:`fit_bass`
  (nonlinear least squares on the discrete model, or Srinivasan & Mason's continuous
  form; ``peak_time()``, ``predict()``);
* the explorer's callback: :func:`word_of_mouth_demo` (a Bass curve and its peak beside the
  expected cascade by referral rate, in closed form; :func:`cxlib.widgets.word_of_mouth_explorer`
  draws it).

The known-truth data come from :func:`cxlib.data.nps_survey`; the real data from
``cxlib.data.load("yugo_sales")`` (US sales of the Yugo and two rivals, 1985-1992).

Examples
--------
>>> from cxlib import referral
>>> referral.nps([10, 9, 8, 6, 10]).nps
40.0
>>> round(referral.ReferralModel(1.0).reproduction_number, 2)
0.45

References
----------
Reichheld, F. F. (2003). The one number you need to grow. Harvard Business Review,
81(12), 46-54.

Rocks, B. (2016). Interval estimation for the "net promoter score". The American
Statistician, 70(4), 365-372.

Harris, T. E. (1963). The Theory of Branching Processes. Springer.

Bass, F. M. (1969). A new product growth for model consumer durables. Management Science,
15(5), 215-227.

Srinivasan, V., & Mason, C. H. (1986). Nonlinear least squares estimation of new product
diffusion models. Marketing Science, 5(2), 169-178.

Kumar, V., Petersen, J. A., & Leone, R. P. (2007). How valuable is word of mouth? Harvard
Business Review, 85(10), 139-146.
"""

from cxlib._referral_bass import BASS_MODELS, BassFit, bass_curve, fit_bass, simulate_bass
from cxlib._referral_cascade import (
    TYPES,
    PromoterValue,
    ReferralCascade,
    ReferralModel,
    promoter_value,
    simulate_referrals,
)
from cxlib._referral_demo import WordOfMouthDemo, word_of_mouth_demo
from cxlib._referral_nps import ADJUSTMENT, GROUPS, NPS, NPSComparison, compare_nps, nps, nps_sample_size

__all__ = [
    "nps",
    "NPS",
    "compare_nps",
    "NPSComparison",
    "nps_sample_size",
    "GROUPS",
    "ADJUSTMENT",
    "ReferralModel",
    "simulate_referrals",
    "ReferralCascade",
    "TYPES",
    "promoter_value",
    "PromoterValue",
    "bass_curve",
    "simulate_bass",
    "fit_bass",
    "BassFit",
    "BASS_MODELS",
    "word_of_mouth_demo",
    "WordOfMouthDemo",
]
