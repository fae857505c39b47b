"""`import cxlib` is cheap and has no side effects."""

from __future__ import annotations

import subprocess
import sys

import cxlib

PROBE = r"""
import sys, time, warnings
import matplotlib
before_rc = dict(matplotlib.rcParams)
before_filters = list(warnings.filters)
t = time.perf_counter()
import cxlib
elapsed = time.perf_counter() - t
heavy = sorted(m for m in ("pandas", "statsmodels", "seaborn", "scipy", "papermill", "ipywidgets")
               if m in sys.modules)
changed = [k for k, v in matplotlib.rcParams.items() if before_rc.get(k) != v]
print(elapsed, heavy, changed, warnings.filters == before_filters)
"""


def test_import_is_fast_light_and_side_effect_free():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    elapsed, rest = out.stdout.split(" ", 1)
    assert float(elapsed) < 0.5, f"import cxlib took {elapsed} s"
    assert rest.strip() == "[] [] True", rest


def test_lazy_topic_modules_and_public_names():
    assert cxlib.loyalty.__name__ == "cxlib.loyalty"
    assert set(cxlib.__all__) >= {"record", "read_records", "check_rng", "params"}
    try:
        cxlib.nonexistent
    except AttributeError as exc:
        assert "has no attribute 'nonexistent'" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")
