"""Proactive service: survival curves, Cox models and outreach experiments for churn (lesson 06).

Does reaching out before problems escalate keep customers, how would a firm find out,
and why does the obvious observational comparison mislead?  The functions, with a flat
public API (the code lives in private modules ``_churn_survival``, ``_churn_cox``,
``_churn_power`` and ``_churn_studies``):

* survival curves: :func:`kaplan_meier` (statsmodels' ``SurvfuncRight`` as a tidy table
  with a log(-log) band), :func:`median_lifetime`, :func:`logrank` (``survdiff``);
* Cox models: :func:`fit_cox` (statsmodels' ``PHReg`` with Efron ties by default: statsmodels'
  own default is Breslow), :func:`hazard_ratios`, :func:`design_matrix`, the
  proportional-hazards check :func:`ph_test` and :func:`scaled_schoenfeld`;
* designing the experiment: :func:`events_needed` (Schoenfeld's formula),
  :func:`customers_needed`, :func:`logrank_power`, :func:`simulate_power` and
  :func:`power_curve` (the formula checked by simulation);
* studies on known truth: :func:`outreach_comparison` (randomised against targeted
  outreach, the callback of :func:`cxlib.widgets.outreach_explorer`) and
  :func:`cox_coverage` (interval coverage over many panels).

The known-truth data come from :func:`cxlib.data.churn_panel`; the real data from
``cxlib.data.load("telco_churn")`` (IBM's telco customers) and
``cxlib.data.load("rossi")`` (the textbook Cox example).

Examples
--------
>>> from cxlib import churn
>>> churn.events_needed(0.8)
631

References
----------
Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete observations.
Journal of the American Statistical Association, 53(282), 457-481.

Cox, D. R. (1972). Regression models and life-tables. Journal of the Royal Statistical
Society B, 34(2), 187-220.

Efron, B. (1977). The efficiency of Cox's likelihood function for censored data. Journal
of the American Statistical Association, 72(359), 557-565.

Schoenfeld, D. A. (1983). Sample-size formula for the proportional-hazards regression
model. Biometrics, 39(2), 499-503.

Grambsch, P. M., & Therneau, T. M. (1994). Proportional hazards tests and diagnostics
based on weighted residuals. Biometrika, 81(3), 515-526.

Fox, J. (2002). Cox proportional-hazards regression for survival data. Appendix to An R
and S-PLUS Companion to Applied Regression. Sage.
"""

from cxlib._churn_cox import TIES, design_matrix, fit_cox, hazard_ratios, ph_test, scaled_schoenfeld
from cxlib._churn_power import (
    PowerSimulation,
    customers_needed,
    events_needed,
    logrank_power,
    power_curve,
    simulate_power,
)
from cxlib._churn_studies import RECORDED, CoxCoverage, OutreachComparison, cox_coverage, outreach_comparison
from cxlib._churn_survival import LogRank, kaplan_meier, logrank, median_lifetime

__all__ = [
    "kaplan_meier",
    "median_lifetime",
    "logrank",
    "LogRank",
    "fit_cox",
    "TIES",
    "design_matrix",
    "hazard_ratios",
    "ph_test",
    "scaled_schoenfeld",
    "events_needed",
    "customers_needed",
    "logrank_power",
    "simulate_power",
    "PowerSimulation",
    "power_curve",
    "outreach_comparison",
    "OutreachComparison",
    "cox_coverage",
    "CoxCoverage",
    "RECORDED",
]
