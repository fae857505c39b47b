"""Data for the lessons: known-truth generators and the real data sets.

Two kinds of data, in the order the course uses them (known truth first), as
scikit-learn separates its ``make_*`` generators from its ``load_*`` loaders:

* **Generators** simulate data from equations written down in a datasheet, so every
  estimate can be checked against the true value: :func:`survey_panel` (lesson 01;
  ``SurveyPanel.truth``, :data:`SURVEY_DATASHEET`), :func:`customer_panel` (lesson 02;
  ``Panel.truth``, :data:`DATASHEET`).  One private module per generator
  (``_survey.py``, ``_panel.py``, ...), each holding its datasheet.
* **Real data sets** listed in ``datasets/manifest.json`` with a sha256 checksum and a
  datasheet each: :func:`load`, :func:`list_datasets`, :func:`verify`,
  :func:`read_cdnow` (``_files.py``).  The files ship inside the wheel, so
  ``pip install`` is enough; ``$CXCOURSE_DATASETS`` points elsewhere.

Examples
--------
>>> from cxlib import data
>>> data.customer_panel(100, rng=1).truth["loyalty_effect"]
4.0
>>> data.list_datasets()["name"].tolist()
['cdnow_master', 'cdnow_sample', 'retention_series', 'bfi', 'customer_sat', 'telco_churn', 'rossi', 'tip_joke', 'channel_paths', 'yugo_sales', 'jobs', 'framing']
"""

from cxlib.data._churn import (
    CHURN_DATASHEET,
    CHURN_HAZARD_RATIOS,
    PLAN_HR,
    PLAN_SHARES,
    PLANS,
    WEIBULL_SCALE_WEEKS,
    WEIBULL_SHAPE,
    ChurnPanel,
    churn_panel,
)
from cxlib.data._journey import JOURNEY_DATASHEET, TOUCHPOINTS, JourneyLog, journey_log, journey_matrix
from cxlib.data._offers import (
    OFFER_DATASHEET,
    OFFER_RATES,
    OFFER_SEGMENT_SHARES,
    OFFER_SEGMENTS,
    OFFERS,
    OfferPanel,
    offer_panel,
)
from cxlib.data._files import DATASETS_DIR, datasets_dir, list_datasets, load, read_cdnow, verify
from cxlib.data._panel import (
    CONFOUNDER_MEAN,
    CONFOUNDER_SD,
    DATASHEET,
    DEFAULT_SEGMENT_SHARES,
    LOG_TENURE_MEAN,
    LOG_TENURE_SD,
    LOYALTY_SHIFT,
    ORDER_VALUE,
    SEGMENT_BASE,
    SEGMENTS,
    Panel,
    customer_panel,
)
from cxlib.data._referral import (
    NPS_DATASHEET,
    NPS_GROUPS,
    NPS_REFERRAL_RATES,
    NPS_RETENTION,
    NPS_SCORE_PARAMS,
    NPS_SEGMENT_SHARES,
    NPS_SEGMENTS,
    NPSSurvey,
    nps_survey,
    score_distribution,
)
from cxlib.data._service import SERVICE_CONSTANTS, SERVICE_DATASHEET, ServiceChain, service_chain
from cxlib.data._survey import (
    BEHAVIOURS,
    DEFAULT_FACTOR_CORRELATION,
    DEFAULT_OUTCOME_EFFECTS,
    FACTORS,
    MINDSETS,
    SURVEY_DATASHEET,
    SurveyPanel,
    default_thresholds,
    survey_panel,
)

__all__ = [
    # generators (known truth)
    "customer_panel",
    "Panel",
    "DATASHEET",
    "SEGMENTS",
    "DEFAULT_SEGMENT_SHARES",
    "SEGMENT_BASE",
    "LOYALTY_SHIFT",
    "ORDER_VALUE",
    "LOG_TENURE_MEAN",
    "LOG_TENURE_SD",
    "CONFOUNDER_MEAN",
    "CONFOUNDER_SD",
    "survey_panel",
    "SurveyPanel",
    "SURVEY_DATASHEET",
    "BEHAVIOURS",
    "MINDSETS",
    "FACTORS",
    "DEFAULT_FACTOR_CORRELATION",
    "DEFAULT_OUTCOME_EFFECTS",
    "default_thresholds",
    "churn_panel",
    "ChurnPanel",
    "CHURN_DATASHEET",
    "PLANS",
    "PLAN_SHARES",
    "PLAN_HR",
    "CHURN_HAZARD_RATIOS",
    "WEIBULL_SHAPE",
    "WEIBULL_SCALE_WEEKS",
    "offer_panel",
    "OfferPanel",
    "OFFER_DATASHEET",
    "OFFERS",
    "OFFER_SEGMENTS",
    "OFFER_SEGMENT_SHARES",
    "OFFER_RATES",
    "journey_log",
    "JourneyLog",
    "journey_matrix",
    "JOURNEY_DATASHEET",
    "TOUCHPOINTS",
    "nps_survey",
    "NPSSurvey",
    "NPS_DATASHEET",
    "NPS_SEGMENTS",
    "NPS_SEGMENT_SHARES",
    "NPS_SCORE_PARAMS",
    "NPS_GROUPS",
    "NPS_REFERRAL_RATES",
    "NPS_RETENTION",
    "score_distribution",
    "service_chain",
    "ServiceChain",
    "SERVICE_DATASHEET",
    "SERVICE_CONSTANTS",
    # real data sets
    "load",
    "list_datasets",
    "verify",
    "read_cdnow",
    "datasets_dir",
    "DATASETS_DIR",
]
