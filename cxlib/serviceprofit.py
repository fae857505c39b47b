"""The service-profit chain: mediation, sensitivity and multilevel models (lesson 09).

Do empowered, recognised employees make customers more satisfied, and through what path?
The functions, with a flat public API (the code lives in private modules
``_serviceprofit_mediation``, ``_serviceprofit_sensitivity``, ``_serviceprofit_multilevel``
and ``_serviceprofit_checks``):

* mediation: :func:`mediation` (statsmodels' ``Mediation`` as a tidy table of the ACME, ADE,
  total effect and proportion mediated, seeded from ``rng``; for linear models also the
  product of coefficients with delta-method and bootstrap intervals, and a vectorised
  bootstrap that resamples rows or whole stores), :class:`MediationResult`;
* sensitivity: :func:`sensitivity` (Imai, Keele & Yamamoto's rho: how strong an unmeasured
  mediator-outcome confounder would have to be to remove the indirect effect),
  :func:`acme_at_rho` (their closed form), :class:`SensitivityResult`;
* employees within stores: :func:`multilevel` (``MixedLM`` with a random intercept per store,
  the ICC, between and within effects of a predictor), :func:`icc`, :func:`design_effect`,
  :class:`MultilevelResult`;
* the explorer's plain function: :func:`chain_demo` (path strengths and a confounder against
  the estimated and the true indirect effect; ``_serviceprofit_demo``).

The known-truth data come from :func:`cxlib.data.service_chain`; the real data from
``cxlib.data.load("jobs")`` (the JOBS II job-search experiment) and
``cxlib.data.load("framing")`` (Brader, Valentino & Suhay's framing experiment).

Examples
--------
>>> from cxlib import serviceprofit
>>> serviceprofit.design_effect(0.1, 12)
2.1

References
----------
Heskett, J. L., Jones, T. O., Loveman, G. W., Sasser, W. E., & Schlesinger, L. A. (1994).
Putting the service-profit chain to work. Harvard Business Review, 72(2), 164-174.

Baron, R. M., & Kenny, D. A. (1986). The moderator-mediator variable distinction in social
psychological research. Journal of Personality and Social Psychology, 51(6), 1173-1182.

Imai, K., Keele, L., & Tingley, D. (2010). A general approach to causal mediation analysis.
Psychological Methods, 15(4), 309-334.

Imai, K., Keele, L., & Yamamoto, T. (2010). Identification, inference and sensitivity analysis
for causal mediation effects. Statistical Science, 25(1), 51-71.

Tingley, D., Yamamoto, T., Hirose, K., Keele, L., & Imai, K. (2014). mediation: R package for
causal mediation analysis. Journal of Statistical Software, 59(5), 1-38.
"""

from cxlib._serviceprofit_mediation import EFFECTS, ENGINES, METHODS, OUTCOME_MODELS, MediationResult, mediation
from cxlib._serviceprofit_demo import chain_demo
from cxlib._serviceprofit_multilevel import MultilevelResult, design_effect, icc, multilevel
from cxlib._serviceprofit_sensitivity import SensitivityResult, acme_at_rho, sensitivity

__all__ = [
    "mediation",
    "MediationResult",
    "METHODS",
    "OUTCOME_MODELS",
    "ENGINES",
    "EFFECTS",
    "sensitivity",
    "SensitivityResult",
    "acme_at_rho",
    "multilevel",
    "MultilevelResult",
    "icc",
    "design_effect",
    "chain_demo",
]
