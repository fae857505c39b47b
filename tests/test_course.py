"""`cx course`: runs every lesson, renders HTML, writes the course map; failures reported."""

from __future__ import annotations

from conftest import make_notebook
from cxlib import course


def test_course_build_reports_each_lesson_and_survives_a_failure(tmp_path, capsys):
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    make_notebook(nbdir / "01_good.ipynb", "seed: int = 3  # seed",
                  ["from cxlib import params, record\nparams.integer('seed', seed)",
                   "record('answer', seed * 14)"], smoke={"seed": 1})
    make_notebook(nbdir / "02_bad.ipynb", "seed: int = 3  # seed",
                  ["from cxlib import params\nparams.integer('seed', seed)", "1 / 0"], smoke={"seed": 1})
    (nbdir / "scratch.ipynb").write_text("not a lesson and not even JSON")

    results = course.build(nbdir, tmp_path / "build", timeout=60)
    out = capsys.readouterr().out

    assert [r.status for r in results] == ["ok", "failed"]
    assert results[0].records == {"answer": 42}
    assert "ZeroDivisionError: division by zero" in results[1].error
    html_dir = tmp_path / "build" / "html"
    assert (html_dir / "01_good.html").stat().st_size > 1000
    assert (html_dir / "02_bad.html").exists(), "a failed lesson is still rendered, error included"
    index = (html_dir / "index.html").read_text()
    assert 'href="01_good.html"' in index and 'href="02_bad.html"' in index
    assert "<dt>answer</dt><dd>42</dd>" in index and "ZeroDivisionError" in index
    assert "01_good  ok" in out and "02_bad   failed" in out and "Course map:" in out
    assert not list((tmp_path / "build").rglob(".*tmp*"))


def test_course_needs_lessons(tmp_path):
    import pytest

    with pytest.raises(FileNotFoundError, match="no lesson notebooks"):
        course.build(tmp_path, tmp_path / "build")
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        course.build(tmp_path / "missing", tmp_path / "build")
