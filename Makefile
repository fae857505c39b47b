# cxcourse: every target creates .venv itself when it is missing.
#   make course   set up, run every lesson, build the HTML course in build/
#   make test     set up, run the whole test suite
#   make lab      set up, open JupyterLab on the lessons
#   make bench    set up (with the benchmark-only peers), run benchmarks/
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.cxcourse-installed

# Kernels are resolved inside .venv first, never a user-wide "python3" kernelspec.
export JUPYTER_PREFER_ENV_PATH := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup course smoke test lab bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "cxcourse needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create $(VENV): install the venv module (Debian/Ubuntu: apt-get install python3-venv)." >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

course: $(STAMP)
	$(BIN)/cx course

smoke: $(STAMP)
	$(BIN)/cx course --smoke

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	$(BIN)/python benchmarks/feedback.py
	$(BIN)/python benchmarks/clv.py
	$(BIN)/python benchmarks/survey.py
	$(BIN)/python benchmarks/batch.py
	$(BIN)/python benchmarks/churn.py
	$(BIN)/python benchmarks/offers.py
	$(BIN)/python benchmarks/journey.py
	$(BIN)/python benchmarks/referral.py

clean:
	rm -rf build
