"""Root pytest configuration, loaded for every test path (tests/ and the cxlib/ doctests).

Kernels started by papermill resolve the kernelspec ``python3`` inside this environment
first, never a user-wide one (the Makefile exports the same setting).  Figures are drawn
with matplotlib's Agg backend, so the doctests of cxlib.plots and cxlib.widgets run
without a display.
"""

import os

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
# The suite runs one test process per core (pytest-xdist): keep the numeric libraries (and
# the kernels the tests start) to one thread each, as the batch runner's workers do.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

# The interrupt tests send Ctrl-C (SIGINT) to `cx batch` and `cx grade`. A shell starts a
# background job (`make test &`, nohup) with SIGINT ignored, and an ignored signal stays ignored
# in every program started from it, so those commands would never see the Ctrl-C. Take the
# signal back: the commands the tests start then get the default, as from a terminal.
import signal  # noqa: E402

if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

import matplotlib  # noqa: E402  (Agg here only: kernels the tests start keep their inline backend)

matplotlib.use("Agg")

# Property tests explore the same examples on every run (CI must not be flaky); set
# HYPOTHESIS_PROFILE=explore to search afresh.
try:
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    settings.register_profile("explore", deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    pass


def pytest_runtest_teardown(item):
    """Close the figures a test or a doctest drew (they would pile up in memory)."""
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
