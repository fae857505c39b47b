"""Shared fixtures: paths, each lesson executed once per mode, and a tiny parameterised
notebook for machinery tests."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

import cxlib

ROOT = Path(__file__).resolve().parents[1]
#: The lessons, from the one registry (tests/test_api.py checks it against notebooks/).
NOTEBOOKS = sorted(ROOT / "notebooks" / f"{stem}.ipynb" for stems in cxlib.TOPICS.values() for stem in stems)


#: The environment variable naming this pytest run's shared folder: set by the controlling
#: process, inherited by the pytest-xdist workers it starts.
RUN_ID = "CX_TEST_RUN_ID"


def _shared_path() -> Path:
    return Path(tempfile.gettempdir()) / f"cx-test-runs-{os.environ[RUN_ID]}"


def shared_folder() -> Path:
    """A folder that every worker of this pytest run shares; removed when the run ends."""
    folder = _shared_path()
    folder.mkdir(exist_ok=True)
    return folder


@contextlib.contextmanager
def shared_lock(name: str) -> Iterator[Path]:
    """Hold the run-wide lock ``name`` (one holder across all workers); yield the shared folder.
    What is made under it is made once per run: the first holder makes it, the others read it."""
    import fcntl

    folder = shared_folder()
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder


def pytest_configure(config):
    """In the controlling process: name the run's shared folder."""
    if not hasattr(config, "workerinput"):
        import uuid

        os.environ[RUN_ID] = uuid.uuid4().hex


def pytest_unconfigure(config):
    """In the controlling process: remove the run's shared folder (the lessons' runs, the site)."""
    if not hasattr(config, "workerinput"):
        shutil.rmtree(_shared_path(), ignore_errors=True)


@functools.cache
def lesson_run(stem: str, mode: str):
    """Execute a lesson once per test run at its ``smoke`` parameters or its ``defaults``;
    every test that needs the executed lesson shares this run.

    Tests that call it carry ``pytest.mark.xdist_group(stem)``, so that with pytest-xdist
    they land on one worker; a test on another worker (the course site's browser test
    reads every lesson's smoke run) waits on a file lock and reuses the run from disk
    instead of executing the lesson again."""
    import dataclasses
    import json

    from cxlib import notebooks

    with shared_lock(f"{stem}-{mode}") as folder:
        saved = folder / f"{stem}-{mode}.json"
        if saved.exists():
            return notebooks.RunResult(**json.loads(saved.read_text()))
        out = folder / f"{stem}-{mode}" / f"{stem}.ipynb"
        result = notebooks.execute(ROOT / "notebooks" / f"{stem}.ipynb", out, smoke=(mode == "smoke"), timeout=300)
        saved.write_text(json.dumps(dataclasses.asdict(result), default=str))
        return result


def pytest_terminal_summary(terminalreporter):
    """Say why grading tests were skipped, and how to run them."""
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if isinstance(r.longrepr, tuple) and "bubblewrap" in str(r.longrepr[-1])]
    browser = [r for r in terminalreporter.stats.get("skipped", [])
               if isinstance(r.longrepr, tuple) and "Chromium" in str(r.longrepr[-1])]
    if browser:
        terminalreporter.write_line(
            f"{len(browser)} browser tests were skipped: {browser[0].longrepr[-1].removeprefix('Skipped: ')}",
            yellow=True, bold=True)
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} grading tests were skipped: bubblewrap (the cx grade sandbox) is not installed. "
            "Install it with `apt-get install bubblewrap` (Debian/Ubuntu) or `dnf install bubblewrap` (Fedora) "
            "and run `make test` again.", yellow=True, bold=True)


def make_notebook(path: Path, params_src: str, body: list[str], smoke: dict | None = None,
                  validation: str | None = None) -> Path:
    """Write a small notebook: a tagged parameters cell, an optional tagged validation
    cell, then ``body`` cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.cxcourse = {"smoke": smoke or {}, "question": "Does the machinery work?"}
    nb.cells.append(nbformat.v4.new_markdown_cell("# A tiny lesson\n\nFor tests."))
    cell = nbformat.v4.new_code_cell(params_src)
    cell.metadata.tags = ["parameters"]
    nb.cells.append(cell)
    if validation is not None:
        check = nbformat.v4.new_code_cell(validation)
        check.metadata.tags = ["validation"]
        nb.cells.append(check)
    nb.cells.extend(nbformat.v4.new_code_cell(src) for src in body)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def tiny_notebook(tmp_path: Path) -> Path:
    """A notebook with int/float/str/bool/list parameters that records what it got."""
    return make_notebook(
        tmp_path / "01_tiny.ipynb",
        "seed: int = 1  # random seed\n"
        "n_customers: int = 100  # number of customers\n"
        "rate: float = 0.5  # a rate\n"
        "label: str = \"a\"  # a label\n"
        "flag: bool = False  # a flag\n"
        "sizes: list = [1, 2]  # some sizes",
        [
            "import sys\nfrom cxlib import params, record\n"
            "params.integer('n_customers', n_customers, min=10)",
            "record('n_customers', n_customers)\nrecord('rate', rate)\nrecord('label', label)\n"
            "record('flag', flag)\nrecord('sizes', sizes)\nrecord('prefix', sys.prefix)\n"
            "record('n_customers', n_customers * 2)",
        ],
        smoke={"n_customers": 20},
    )


def make_exercise_source(path: Path) -> Path:
    """A tiny exercise source (numpy only, fast): three questions, a solution markdown
    cell and a hidden cell, in the format of exercises/README.md."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata.language_info = {"name": "python"}
    nb.metadata.cxcourse = {"question": "Can you summarise your own sample?", "lesson": "none"}

    def code(src: str, *tags: str):
        cell = nbformat.v4.new_code_cell(src)
        if tags:
            cell.metadata.tags = list(tags)
        return cell

    def md(src: str, *tags: str):
        cell = nbformat.v4.new_markdown_cell(src)
        if tags:
            cell.metadata.tags = list(tags)
        return cell

    nb.cells = [
        md("# A tiny exercise\n\nSummarise your own sample."),
        code("seed: int = 0  # your personal seed: your instructor's copy sets it", "parameters"),
        code('from cxlib import params\n\nseed = params.integer("seed", seed, min=0)', "validation"),
        code("import numpy as np\nfrom cxlib import exercises\n\nx = np.random.default_rng(seed).normal(10, 2, size=200)"),
        md("## Question 1 (2 points)\n\nThe mean of `x`."),
        code('exercises.question("q1", points=2, kind="number", rtol=1e-9, sign="positive", low=0, high=100,\n'
             '                   hint="Use x.mean().")\n'
             "# BEGIN SOLUTION\nm = float(x.mean())\n# END SOLUTION\n"
             'exercises.answer("q1", m)'),
        md("## Question 2 (1 point)\n\nThe smallest and largest value of `x`."),
        code('exercises.question("q2", points=1, kind="vector", length=2, rtol=1e-9, hint="x.min() and x.max().")\n'
             "# BEGIN SOLUTION\nmm = [float(x.min()), float(x.max())]\n# END SOLUTION\n"
             'exercises.answer("q2", mm)'),
        md("## Question 3 (1 point)\n\nIs the mean of `x` above 10 (**a**) or not (**b**)?"),
        code('exercises.question("q3", points=1, kind="choice", choices=["a", "b"], hint="Compare x.mean() with 10.")\n'
             '# BEGIN SOLUTION\nc = "a" if x.mean() > 10 else "b"\n# END SOLUTION\n'
             'exercises.answer("q3", c)'),
        md("The sample mean estimates 10 with an error of about 2 / sqrt(200).", "solution"),
        code('print("instructor only: the population mean is 10")', "hidden"),
    ]
    nbformat.write(nb, path)
    return path


SOLUTIONS = {
    "q1": "m = float(x.mean())",
    "q2": "mm = [float(x.min()), float(x.max())]",
    "q3": 'c = "a" if x.mean() > 10 else "b"',
}


def answer_student_copy(text: str, solutions: dict[str, str] | None = None) -> str:
    """Fill a student copy's stubs with ``solutions`` (question id -> code)."""
    import re

    solutions = SOLUTIONS if solutions is None else solutions
    nb = nbformat.reads(text, as_version=4)
    for cell in nb.cells:
        match = re.search(r'exercises\.question\("(\w+)"', cell.source) if cell.cell_type == "code" else None
        if match and match.group(1) in solutions:
            lines = [ln for ln in cell.source.splitlines()
                     if "NotImplementedError" not in ln and "write your answer here" not in ln]
            at = next(i for i, ln in enumerate(lines) if ln.startswith("exercises.answer"))
            lines.insert(at, solutions[match.group(1)])
            cell.source = "\n".join(lines)
    return nbformat.writes(nb)


@pytest.fixture
def exercise_source(tmp_path: Path) -> Path:
    return make_exercise_source(tmp_path / "09_tiny.ipynb")


# --- Browser tests (tests/browser/): Debian's chromium driven by Playwright for Python. ---
# Playwright's own browser download is not needed (nor possible offline): the tests launch the
# system's Chromium through ``executable_path``.  Without a browser they are skipped with the
# reason, unless ``CX_REQUIRE_BROWSER`` is set (``.ci/run`` sets it), when they fail instead:
# CI never skips them.

#: Where screenshots and other artifacts of the browser tests are kept.
ARTIFACTS = ROOT / "build" / "test-artifacts"

#: Debian's headless shell first: the same Chromium without the desktop browser around it, it
#: spends a quarter less CPU per page (the site's pages: 73 s against 98 s of CPU).
_CANDIDATES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str | None:
    """The browser to drive: ``$CX_CHROMIUM`` when set, else the first Chromium on PATH."""
    if os.environ.get("CX_CHROMIUM"):
        return os.environ["CX_CHROMIUM"]
    return next((p for p in map(shutil.which, _CANDIDATES) if p), None)


def need_browser() -> str:
    """The browser's path, or skip (fail, under ``CX_REQUIRE_BROWSER``) saying why."""
    path = chromium_path()
    reason = None
    if path is None:
        reason = ("no Chromium found (looked for $CX_CHROMIUM and " + ", ".join(_CANDIDATES)
                  + "): install it with `apt-get install chromium` to run the browser tests")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed: run `make setup` (it is in the dev extra)"
    if reason:
        if os.environ.get("CX_REQUIRE_BROWSER"):
            pytest.fail(f"CX_REQUIRE_BROWSER is set but {reason}", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test process."""
    path = need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, headless=True,
                               args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``build/test-artifacts/``: screenshots kept after the run (git ignores build/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
