"""`import cxlib` is cheap and has no side effects, and neither has importing any of its modules."""

from __future__ import annotations

import json
import os
import pkgutil
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


def _all_modules() -> list[str]:
    """Every module of the package, private ones included (cxlib.plots._style, ...)."""
    return ["cxlib"] + [info.name for info in pkgutil.walk_packages(cxlib.__path__, "cxlib.")]


# Imports every module of cxlib in a fresh interpreter where matplotlib was imported
# first, then reports which rcParams, warning filters and heavy modules changed.  A
# module already imported in the test process would not run its top level again, so
# the check must happen in a new process to be able to fail at all.
IMPORT_ALL = r"""
import importlib, json, sys, warnings
import matplotlib
import numpy  # numpy installs its own warning filters on import
before_rc = dict(matplotlib.rcParams)
filters = list(warnings.filters)
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
changed = sorted(k for k, v in matplotlib.rcParams.items() if before_rc.get(k) != v)
heavy = sorted(m for m in ("pandas", "statsmodels", "seaborn", "ipywidgets", "papermill") if m in sys.modules)
print(json.dumps({"changed": changed, "filters_same": warnings.filters == filters, "heavy": heavy}))
"""


def _import_all(extra: list[str] = (), path: str | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": path} if path else None
    out = subprocess.run([sys.executable, "-c", IMPORT_ALL, json.dumps(_all_modules() + list(extra))],
                         capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout)


def test_importing_every_module_changes_no_setting_and_loads_nothing_heavy():
    report = _import_all()
    assert report["changed"] == [], f"importing cxlib changed matplotlib settings: {report['changed']}"
    assert report["filters_same"], "importing cxlib changed the warnings filters"
    assert report["heavy"] == [], f"importing cxlib's modules imported {report['heavy']}"


def test_the_settings_check_can_fail(tmp_path):
    """The same probe, given one more module that sets an rcParam and a filter at import
    (as ThinkStats' helper module does), reports both."""
    (tmp_path / "meddler.py").write_text("import warnings, matplotlib\n"
                                         "matplotlib.rcParams['lines.linewidth'] = 7.5\n"
                                         "warnings.simplefilter('ignore')\n")
    report = _import_all(["meddler"], path=str(tmp_path))
    assert report["changed"] == ["lines.linewidth"] and report["filters_same"] is False


def test_set_style_is_explicit():
    code = ("import matplotlib, matplotlib.colors\nfrom cxlib import plots\n"
            "plots.set_style()\n"
            "print(matplotlib.colors.to_hex(matplotlib.rcParams['axes.prop_cycle'].by_key()['color'][0]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().lower() == cxlib.plots.OKABE_ITO[0].lower()


def test_lazy_topic_modules_and_public_names():
    assert cxlib.loyalty.__name__ == "cxlib.loyalty"
    assert set(cxlib.__all__) >= {"record", "read_records", "check_rng", "params", "TOPICS"}
    assert set(dir(cxlib)) >= set(cxlib.MODULES)
    try:
        cxlib.nonexistent
    except AttributeError as exc:
        assert "has no attribute 'nonexistent'" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")
