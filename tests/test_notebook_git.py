"""Notebooks and git: the nbstripout filter `make setup` configures, and the save hook of `make lab`.

A lesson a student ran must clean back to exactly the committed bytes (or every notebook shows
modified), and a contributor must not be able to commit outputs by accident.  The tests build a
throw-away git repository with the project's Makefile and .gitattributes, let the Makefile's
`setup` recipe configure the filter there (its .venv a link to the project's), and execute a
real lesson at its smoke parameters.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from cxlib import _lab

ROOT = Path(__file__).resolve().parents[1]
NBSTRIPOUT = ROOT / ".venv" / "bin" / "nbstripout"
LESSON = ROOT / "notebooks" / "02_loyalty_and_revenue.ipynb"

pytestmark = pytest.mark.skipif(not NBSTRIPOUT.exists() or shutil.which("git") is None
                                or shutil.which("make") is None,
                                reason="needs git, make and .venv/bin/nbstripout (`make setup`)")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          cwd=repo, check=True, capture_output=True, text=True).stdout


def committed_notebooks() -> list[Path]:
    """Every notebook git tracks (lessons, exercise sources and student versions)."""
    try:
        names = git(ROOT, "ls-files", "*.ipynb").split()
    except (subprocess.CalledProcessError, FileNotFoundError):  # not a clone: the folders
        names = [str(p.relative_to(ROOT)) for p in sorted(ROOT.glob("notebooks/*.ipynb"))
                 + sorted(ROOT.glob("exercises/*/*.ipynb"))]
    return [ROOT / n for n in names]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A git repository whose filter the project's `make setup` recipe configured."""
    repo = tmp_path_factory.mktemp("clone")
    for name in ("Makefile", ".gitattributes"):
        shutil.copy(ROOT / name, repo / name)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    git(repo, "init", "-q")
    # -o: take .venv as set up (the stamp is not remade), so only the recipe of `setup` runs
    subprocess.run(["make", "-s", "-o", ".venv/.cxcourse-installed", "setup"], cwd=repo, check=True)
    return repo


def test_make_setup_configures_the_filter_in_the_clone(repo):
    clean = git(repo, "config", "filter.nbstripout.clean").strip()
    words = shlex.split(clean)
    assert words[0] == str(repo / ".venv" / "bin" / "nbstripout")
    # the save hook of `make lab` strips the same keys as the filter
    assert words[words.index("--extra-keys") + 1].split() == list(_lab.STRIP_KEYS)
    assert "--keep-id" in words
    assert git(repo, "config", "filter.nbstripout.smudge").strip() == "cat"
    assert git(repo, "check-attr", "filter", "x.ipynb").strip().endswith("nbstripout")


def test_committed_notebooks_are_what_the_filter_and_the_save_hook_write(repo):
    """Otherwise every notebook would show modified as soon as the filter is configured."""
    files = committed_notebooks()
    assert len(files) >= 30
    clean = shlex.split(git(repo, "config", "filter.nbstripout.clean"))
    changed = subprocess.run([*clean, "--verify", *map(str, files)], cwd=ROOT, capture_output=True, text=True)
    assert changed.returncode == 0, f"the git filter would change: {changed.stdout}{changed.stderr}"
    for path in files:
        nb = _lab.strip(nbformat.read(path, as_version=4))
        assert nbformat.writes(nb) + "\n" == path.read_text(encoding="utf-8"), path


def test_a_run_lesson_cleans_back_to_the_committed_bytes(repo):
    lesson = repo / "notebooks" / LESSON.name
    lesson.parent.mkdir()
    _lab.smoke_copy(LESSON, lesson)
    committed = lesson.read_bytes()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "lesson")

    # run it as JupyterLab does: a kernel executes every cell and the whole notebook is saved
    from nbclient import NotebookClient

    nb = nbformat.read(lesson, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(lesson.parent)}},
                   record_timing=True, store_widget_state=True).execute()
    nbformat.write(nb, lesson)
    ran = lesson.read_bytes()
    assert b'"outputs": []' in committed and b'"execution_count": 1' in ran and b'"pygments_lexer"' in ran

    # the filter cleans it back to exactly the committed bytes: `git diff` shows nothing
    assert subprocess.run(shlex.split(git(repo, "config", "filter.nbstripout.clean")), input=ran,
                          capture_output=True, check=True).stdout == committed
    git(repo, "diff", "--exit-code")

    # but git compares sizes before contents, so the run file alone would still be listed as
    # modified: `make lab` saves through the same strip (its pre_save_hook), the bytes on disk
    # are the committed ones and `git status` has nothing to say
    model = {"type": "notebook", "content": nbformat.reads(ran.decode(), as_version=4)}
    _lab.strip_on_save(model, path=f"notebooks/{lesson.name}")
    lesson.write_text(nbformat.writes(nbformat.from_dict(model["content"])) + "\n", encoding="utf-8")
    assert lesson.read_bytes() == committed
    assert git(repo, "status", "--porcelain") == ""

    # a contributor who stages a run notebook stages nothing: outputs cannot be committed
    lesson.write_bytes(ran)
    git(repo, "add", "-A")
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "diff", "--cached", "HEAD", "--stat") == ""


def test_the_save_hook_leaves_other_files_alone():
    model = {"type": "file", "content": "print(1)", "format": "text"}
    _lab.strip_on_save(model, path="x.py")
    assert model == {"type": "file", "content": "print(1)", "format": "text"}
