"""cxlib: the library behind the cxcourse notebooks.

Topic modules (``cxlib.data``, ``cxlib.loyalty``, ``cxlib.plots``, ``cxlib.widgets``)
hold what the lessons teach; machinery modules (``cxlib.records``, ``cxlib.params``,
``cxlib.batch``, ``cxlib.exercises``, ``cxlib.grading``, ``cxlib.sandbox``,
``cxlib.cli``) make notebooks reproducible, batchable and gradable.

``import cxlib`` is cheap and has no side effects: the topic modules (and pandas,
statsmodels, matplotlib) are imported only when first used, as attributes
(``cxlib.loyalty``) or with ``from cxlib import loyalty``.
"""

from __future__ import annotations

import importlib

from cxlib import params
from cxlib._rng import check_rng
from cxlib.records import read_records, record

__version__ = "0.1.0"

__all__ = ["check_rng", "params", "read_records", "record", "__version__"]

_LAZY = {
    "data", "loyalty", "feedback", "clv", "plots", "widgets", "records", "cli", "course", "notebooks", "batch",
    "exercises", "grading", "sandbox",
}


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f"cxlib.{name}")
    raise AttributeError(f"module 'cxlib' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY)
