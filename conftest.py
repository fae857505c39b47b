"""Root pytest configuration, loaded for every test path (tests/, cxlib/ doctests, notebooks/).

Kernels started by nbval or papermill resolve the kernelspec ``python3`` inside this
environment first, never a user-wide one (the Makefile exports the same setting).
"""

import os

os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
