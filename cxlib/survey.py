"""Measuring a customer-centric mindset: reliability and factor structure of Likert scales (lesson 01).

Can five behaviours -- care, compete, improve, respond, win -- and four distracting
mindsets -- fixed, organisational, compliance, technical -- be measured reliably with a
short questionnaire, do the items group as the readings say, and do team scores predict
customer satisfaction?  The functions, with a flat public API (the code lives in private
modules: ``_survey_checks`` (input checks), ``_survey_reliability`` and
``_survey_factors``, ``_survey_studies``):

* reliability: :func:`cronbach_alpha` (with Feldt's interval, as pingouin and psych),
  :func:`item_analysis` (corrected item-total correlations, alpha if deleted, flags),
  :func:`omega` (McDonald's omega from a one-factor model, beside alpha);
* structure: :func:`factor_analysis` (statsmodels' ``Factor`` with psych's rotation
  conventions), :func:`rotate`, :func:`parallel_analysis` (how many factors),
  :func:`congruence` (Tucker's phi between loading matrices);
* scores and teams: :func:`scale_scores`, :func:`icc` (ICC(1) from a random-intercept
  model), :func:`disattenuate` (Spearman's correction) and :func:`attenuation` (team
  scores against a team outcome: observed, corrected and true correlations);
* studies on known truth (``_survey_studies``): :func:`alpha_demo` (alpha against the truth
  for a number of items, a loading and a sample size: the callback of
  :func:`cxlib.widgets.alpha_explorer`), :func:`reliability_study` (alpha, omega, item
  flags and team correlations over many panels) and :func:`factor_recovery` (congruence
  with the true loadings by sample size).

The known-truth data of the lesson come from :func:`cxlib.data.survey_panel`; the real
data from ``cxlib.data.load("bfi")`` (25 personality items, keys in ``datasets/bfi.md``)
and ``cxlib.data.load("customer_sat")``.

Examples
--------
>>> from cxlib import data
>>> from cxlib.survey import cronbach_alpha, scale_scores
>>> bfi = data.load("bfi")
>>> keys = {"agree": ["A1", "A2", "A3", "A4", "A5"], "conscientious": ["C1", "C2", "C3", "C4", "C5"]}
>>> reverse = ["A1", "C4", "C5"]
>>> {s: round(cronbach_alpha(bfi[i], reverse=[r for r in reverse if r in i], scale=(1, 6)).alpha, 2)
...  for s, i in keys.items()}
{'agree': 0.7, 'conscientious': 0.73}
>>> scale_scores(bfi, keys, reverse, (1, 6)).mean().round(2).tolist()
[4.65, 4.27]

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
Psychometrika, 16(3), 297-334.

Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
coefficient alpha. Applied Psychological Measurement, 11(1), 93-103.

McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.

Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
Psychometrika, 30(2), 179-185.

Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software
for arbitrary rotation criteria in factor analysis. Educational and Psychological
Measurement, 65(5), 676-696.

Spearman, C. (1904). The proof and measurement of association between two things.
American Journal of Psychology, 15(1), 72-101.
"""

from cxlib._survey_factors import (
    ROTATIONS,
    Congruence,
    FactorSolution,
    ParallelAnalysis,
    Rotation,
    congruence,
    factor_analysis,
    parallel_analysis,
    rotate,
)
from cxlib._survey_studies import (
    AlphaDemo,
    ReliabilityStudy,
    alpha_demo,
    factor_recovery,
    reliability_study,
)
from cxlib._survey_reliability import (
    ICC,
    Alpha,
    Omega,
    attenuation,
    cronbach_alpha,
    disattenuate,
    icc,
    item_analysis,
    omega,
    scale_scores,
)

__all__ = [
    "cronbach_alpha",
    "Alpha",
    "item_analysis",
    "omega",
    "Omega",
    "factor_analysis",
    "FactorSolution",
    "ROTATIONS",
    "rotate",
    "Rotation",
    "parallel_analysis",
    "ParallelAnalysis",
    "congruence",
    "Congruence",
    "scale_scores",
    "disattenuate",
    "icc",
    "ICC",
    "attenuation",
    "alpha_demo",
    "AlphaDemo",
    "reliability_study",
    "ReliabilityStudy",
    "factor_recovery",
]
