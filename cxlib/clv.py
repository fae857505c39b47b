"""Retention and customer-lifetime-value models (lesson 05), with a flat public API.

The code lives in private modules (QuantEcon's layout): ``_clv_data`` (transaction
summaries), ``_clv_retention`` (shifted-beta-geometric retention, the margin multiple),
``_clv_models`` (BG/NBD, Pareto/NBD, Gamma-Gamma, CLV) and ``_clv_base`` (the shared
maximum-likelihood machinery).  Import from here: ``from cxlib import clv``.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
way: An alternative to the Pareto/NBD model. Marketing Science, 24(2), 275-284.

Fader, P. S., & Hardie, B. G. S. (2007). How to project customer retention. Journal of
Interactive Marketing, 21(1), 76-90.
"""

from cxlib._clv_base import ConvergenceWarning, Fit, FitError
from cxlib._clv_checks import (
    ValueConcentration,
    cumulative_repeat_purchases,
    holdout_by_frequency,
    p_alive_matrix,
    sbg_tracking,
    value_concentration,
)
from cxlib._clv_data import calibration_and_holdout, rfm_summary
from cxlib._clv_models import (
    BGNBDFit,
    GammaGammaFit,
    ParetoNBDFit,
    customer_lifetime_value,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    simulate_bgnbd,
    simulate_gamma_gamma,
    simulate_pareto_nbd,
)
from cxlib._clv_retention import SBGFit, fit_sbg, margin_multiple, retention_value, simulate_sbg

__all__ = [
    "ConvergenceWarning",
    "FitError",
    "Fit",
    "rfm_summary",
    "calibration_and_holdout",
    "fit_sbg",
    "SBGFit",
    "simulate_sbg",
    "margin_multiple",
    "retention_value",
    "fit_bgnbd",
    "BGNBDFit",
    "simulate_bgnbd",
    "fit_pareto_nbd",
    "ParetoNBDFit",
    "simulate_pareto_nbd",
    "fit_gamma_gamma",
    "GammaGammaFit",
    "simulate_gamma_gamma",
    "customer_lifetime_value",
    "sbg_tracking",
    "cumulative_repeat_purchases",
    "holdout_by_frequency",
    "p_alive_matrix",
    "value_concentration",
    "ValueConcentration",
]
