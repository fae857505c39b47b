# cxcourse: every target creates .venv itself when it is missing.
#   make course   set up, run every lesson, build the course site in build/html/ (open index.html)
#   make test     set up, run the whole test suite
#   make lab      set up, open JupyterLab on the course (lessons in notebooks/, exercises/student/)
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

# Notebooks enter git clean (.gitattributes: filter=nbstripout): .venv's nbstripout strips outputs,
# execution counts and what a kernel adds to the metadata (language_info beyond its name), so a
# lesson a student ran cleans back to the committed bytes and `git status` stays quiet. Set in this
# clone only (never a global git config), and only when this folder is a git work tree's top.
STRIP_KEYS := metadata.language_info.codemirror_mode metadata.language_info.file_extension \
  metadata.language_info.mimetype metadata.language_info.nbconvert_exporter \
  metadata.language_info.pygments_lexer metadata.language_info.version
STRIP := '$(CURDIR)/$(BIN)/nbstripout' --keep-id --extra-keys '$(STRIP_KEYS)'
define GIT_FILTER
if command -v git >/dev/null && [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
  git config filter.nbstripout.clean "$(STRIP)" && git config filter.nbstripout.smudge cat && \
  git config diff.ipynb.textconv "$(STRIP) --textconv"; fi
endef

setup: $(STAMP)
	@$(GIT_FILTER)

# JupyterLab saves notebooks stripped the same way (the filter alone would leave git status
# saying "modified" for a lesson that was only run: git compares file sizes before contents).
LAB_FLAGS := --ContentsManager.pre_save_hook=cxlib._lab.strip_on_save

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "cxcourse needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create $(VENV): install the venv module (Debian/Ubuntu: apt-get install python3-venv)." >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@# an editable install compiles nothing: without this, where PYTHONDONTWRITEBYTECODE is set every
	@# kernel and worker compiles the cxlib modules it imports again (up to 0.5 s of CPU each)
	$(BIN)/python -m compileall -q cxlib
	@$(GIT_FILTER)
	@touch $(STAMP)

course: $(STAMP)
	$(BIN)/cx course

smoke: $(STAMP)
	$(BIN)/cx course --smoke

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(LAB_FLAGS) $$([ "$$(id -u)" = 0 ] && echo --allow-root)

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
