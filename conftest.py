"""Root pytest configuration, loaded for every test path (tests/, cxlib/ doctests, notebooks/).

Kernels started by nbval or papermill resolve the kernelspec ``python3`` inside this
environment first, never a user-wide one (the Makefile exports the same setting).
"""

import os

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

# Property tests explore the same examples on every run (CI must not be flaky); set
# HYPOTHESIS_PROFILE=explore to search afresh.
try:
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    settings.register_profile("explore", deadline=None)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    pass
