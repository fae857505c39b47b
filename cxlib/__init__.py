"""cxlib: the library behind the cxcourse notebooks.

The notebooks teach; the library computes.  How it is laid out::

    cxlib/
      loyalty.py feedback.py clv.py ...   one public module per topic (TOPICS below):
                                          models, simulators, explorer callbacks;
                                          past ~800 lines, private _<topic>_*.py helpers
      data/      known-truth generators (one private module each, with its datasheet)
                 and the real data sets (load, verify; shipped inside the wheel)
      plots/     figures: _style.py (palette, set_style) + one private module per topic
      widgets/   explorers: _base.py (scaffolding) + one private module per topic
      params.py  every input check (scalars, arrays, tables), for notebooks and functions
      records.py record()/read_records(): named results in a notebook's outputs
      _results.py  the result convention: ModelResult (params, se, loglik, summary())
                   and SimulationResult (inputs, summary())
      _rng.py    check_rng, the one randomness helper;  _io.py  atomic writes
      notebooks.py batch.py course.py exercises.py sandbox.py grading.py cli.py
                 machinery: cx run, cx batch, cx course, cx assign, cx grade

Data flow one way: parameters -> :mod:`cxlib.params` -> a topic function -> figures and
:func:`record` -> (batch or grader) :func:`read_records` -> tables.

``import cxlib`` is cheap and has no side effects: every module listed in
:data:`MODULES` (and pandas, statsmodels, matplotlib behind them) is imported only when
first used, as an attribute (``cxlib.loyalty``) or with ``from cxlib import loyalty``.
:data:`TOPICS` is the one registry of topics: the lazy imports read it, and so do the
tests that walk the public API (``rng`` on every stochastic function, runnable
Examples everywhere) and run the lessons.  A new topic is one line here
(``CONTRIBUTING.md`` has the whole checklist).

Examples
--------
>>> import cxlib
>>> cxlib.TOPICS["clv"]
('05_retention_and_clv',)
>>> cxlib.clv.margin_multiple(0.8, 0.12)
2.5
"""

from __future__ import annotations

import importlib

from cxlib import params
from cxlib._rng import check_rng
from cxlib.records import read_records, record

__version__ = "0.2.0"

#: The topic modules and the lesson notebooks (``notebooks/<stem>.ipynb``) each serves.
TOPICS: dict[str, tuple[str, ...]] = {
    "survey": ("01_measuring_mindset",),
    "loyalty": ("02_loyalty_and_revenue",),
    "feedback": ("03_feedback_loops", "04_mindsets_at_work"),
    "clv": ("05_retention_and_clv",),
    "churn": ("06_proactive_service",),
    "offers": ("07_personalised_experiences",),
    "journey": ("08_customer_journeys",),
    "serviceprofit": ("09_service_profit_chain",),
    "referral": ("10_word_of_mouth",),
}
#: Subpackages that group the topics' pieces by kind (one private module per topic inside).
KINDS: tuple[str, ...] = ("data", "plots", "widgets")
#: Machinery: reproducible, batchable, gradable notebooks.
MACHINERY: tuple[str, ...] = (
    "params", "records", "notebooks", "batch", "course", "exercises", "sandbox", "grading", "cli",
)
#: Every public module of cxlib, lazily importable as ``cxlib.<name>``.
MODULES: tuple[str, ...] = (*TOPICS, *KINDS, *MACHINERY)

__all__ = ["check_rng", "params", "read_records", "record", "TOPICS", "KINDS", "MACHINERY", "MODULES",
           "__version__"]


def __getattr__(name: str):
    if name in MODULES:
        return importlib.import_module(f"cxlib.{name}")
    raise AttributeError(f"module 'cxlib' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(MODULES))
