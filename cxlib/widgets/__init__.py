"""ipywidgets explorers for the lessons, one private module per topic.

Each explorer is a thin layer over a plain, tested function of its topic module
(:func:`cxlib.survey.alpha_demo`, :func:`cxlib.loyalty.confounding_demo`, :func:`cxlib.feedback.explore`, :func:`cxlib.feedback.explore_policy`,
:func:`cxlib.clv.retention_value`, :func:`cxlib.churn.outreach_comparison`, :func:`cxlib.offers.simulate_bandit`, :func:`cxlib.serviceprofit.chain_demo`,
:func:`cxlib.referral.word_of_mouth_demo`); the shared scaffolding (sliders that recompute on
release, a summary line, one figure) is in ``_base.py``.  ipywidgets and matplotlib
are imported only when an explorer is built.  The explorers draw once when built, so
an executed notebook (papermill, nbconvert) shows a result without anyone touching a
slider, and nothing in them waits for input.
"""

from cxlib.widgets._churn import outreach_explorer
from cxlib.widgets._clv import clv_explorer
from cxlib.widgets._feedback import feedback_explorer, mindset_explorer
from cxlib.widgets._journey import journey_explorer
from cxlib.widgets._loyalty import confounding_explorer
from cxlib.widgets._offers import bandit_explorer
from cxlib.widgets._serviceprofit import chain_explorer
from cxlib.widgets._referral import word_of_mouth_explorer
from cxlib.widgets._survey import alpha_explorer

__all__ = ["alpha_explorer", "confounding_explorer", "feedback_explorer", "mindset_explorer", "clv_explorer", "outreach_explorer", "bandit_explorer", "journey_explorer",
           "chain_explorer", "word_of_mouth_explorer"]
