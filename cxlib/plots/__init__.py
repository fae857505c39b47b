"""Figures for the lessons (matplotlib and seaborn, imported only when a function runs).

One private module per topic (``_survey.py``, ``_loyalty.py``, ``_feedback.py``, ``_clv.py``...) and
the shared look in ``_style.py``, re-exported here as one flat namespace, the way
statsmodels groups its figures in ``statsmodels.graphics``.  Nothing here changes
matplotlib settings unless you call :func:`set_style`.  Every function takes an
optional ``ax`` (or ``fig``) and returns what it drew on, so figures compose.

Examples
--------
>>> from cxlib import plots
>>> plots.OKABE_ITO[0]
'#E69F00'
"""

from cxlib.plots import _churn, _clv, _feedback, _journey, _loyalty, _offers, _referral, _style, _survey
from cxlib.plots._journey import credit_comparison, drop_off_bars, journey_map, recovery_curve
from cxlib.plots._serviceprofit import (
    between_within,
    chain_diagram,
    coverage_plot,
    effect_intervals,
    sensitivity_plot,
    simulation_error,
)
from cxlib.plots._churn import hazard_ratio_forest, power_plot, schoenfeld_trend, survival_curves
from cxlib.plots._clv import (
    clv_by_retention,
    clv_distribution,
    holdout_vs_calibration,
    p_alive_heatmap,
    purchase_tracking,
    sbg_projection,
)
from cxlib.plots._feedback import (
    feedback_diagram,
    generosity_plot,
    policy_differences,
    policy_intervals,
    policy_trajectories,
    sweep_map,
    trajectory_bands,
)
from cxlib.plots._offers import POLICY_COLORS, arm_rates, false_positives, regret_curves, segment_rates
from cxlib.plots._loyalty import binned_means, confounding_curve, count_fit, estimate_comparison, regression_diagnostics
from cxlib.plots._referral import (
    adoption_curve,
    bass_fit,
    bass_short_series,
    cascade_by_rate,
    cascade_growth,
    cascade_sizes,
    extinction_probabilities,
    nps_sampling,
    nps_scores,
)
from cxlib.plots._style import LINE_COLORS, OKABE_ITO, set_style
from cxlib.plots._survey import (
    alpha_intervals,
    alpha_sampling,
    answer_shares,
    congruence_by_size,
    item_total,
    loading_heatmap,
    reliability_recovery,
    scree,
    team_correlations,
)

#: Colours by role (``truth``, ``observed``, ``highlight``, ``points``, ``primary``...),
#: and each topic's own (lesson 02's ``naive``/``adjusted``, lesson 03's policies).
COLORS = {**_style.COLORS, **_loyalty.COLORS, **_feedback.COLORS}

__all__ = [
    "OKABE_ITO",
    "COLORS",
    "LINE_COLORS",
    "set_style",
    # lesson 01
    "answer_shares",
    "alpha_intervals",
    "reliability_recovery",
    "item_total",
    "scree",
    "loading_heatmap",
    "congruence_by_size",
    "team_correlations",
    "alpha_sampling",
    # lesson 02
    "estimate_comparison",
    "regression_diagnostics",
    "count_fit",
    "binned_means",
    "confounding_curve",
    # lessons 03-04
    "feedback_diagram",
    "trajectory_bands",
    "policy_trajectories",
    "policy_intervals",
    "policy_differences",
    "sweep_map",
    "generosity_plot",
    # lesson 05
    "clv_by_retention",
    "sbg_projection",
    "purchase_tracking",
    "holdout_vs_calibration",
    "p_alive_heatmap",
    "clv_distribution",
    # lesson 06
    "survival_curves",
    "hazard_ratio_forest",
    "power_plot",
    "schoenfeld_trend",
    # lesson 07
    "arm_rates",
    "segment_rates",
    "false_positives",
    "regret_curves",
    "POLICY_COLORS",
    # lesson 08
    "journey_map",
    "credit_comparison",
    "drop_off_bars",
    "recovery_curve",
    # lesson 09
    "chain_diagram",
    "coverage_plot",
    "sensitivity_plot",
    "between_within",
    "effect_intervals",
    "simulation_error",
    # lesson 10
    "nps_scores",
    "nps_sampling",
    "cascade_growth",
    "cascade_sizes",
    "extinction_probabilities",
    "bass_fit",
    "bass_short_series",
    "adoption_curve",
    "cascade_by_rate",
]
