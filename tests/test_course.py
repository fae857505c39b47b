"""`cx course`: runs every lesson, builds the course site from the runs; failures reported."""

from __future__ import annotations

from conftest import ROOT, make_notebook
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

    results = course.build(nbdir, tmp_path / "build", timeout=60, root=ROOT)
    out = capsys.readouterr().out

    assert [r.status for r in results] == ["ok", "failed"]
    assert results[0].records == {"answer": 42}
    assert "ZeroDivisionError: division by zero" in results[1].error
    site = tmp_path / "build" / "html"
    good = (site / "lessons" / "01_good.html").read_text()
    assert "A tiny lesson" in good and "About this lesson" in good
    bad = (site / "lessons" / "02_bad.html").read_text()
    assert "ZeroDivisionError" in bad and "failed" in bad, "a failed lesson is still rendered, error included"
    home = (site / "index.html").read_text()
    assert 'href="lessons/01_good.html"' in home and 'href="lessons/02_bad.html"' in home
    assert "Does the machinery work?" in home and "ZeroDivisionError" in home
    for page in ("exercises.html", "bibliography.html", "api/index.html", "search.html"):
        assert (site / page).exists(), page
    assert "01_good  ok" in out and "02_bad   failed" in out and "Course site:" in out
    assert not list((tmp_path / "build").rglob(".*tmp*"))
    assert not (tmp_path / "build" / "html.new").exists() and not (tmp_path / "build" / "html.old").exists()


def test_course_needs_lessons(tmp_path):
    import pytest

    with pytest.raises(FileNotFoundError, match="no lesson notebooks"):
        course.build(tmp_path, tmp_path / "build")
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        course.build(tmp_path / "missing", tmp_path / "build")


def test_figures_get_their_captions_as_alt_text(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    fig = new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})
    nb = new_notebook(cells=[
        new_code_cell("plot()", outputs=[fig]),
        new_markdown_cell("**Figure 1.** Revenue *rises* with loyalty.\n\nMore text."),
        new_code_cell("plot_again()", outputs=[fig]),
        new_code_cell("print(1)"),
    ])
    page = course.prepare_notebook(nb)
    assert page.cells[0].metadata["mystnb"]["image"]["alt"] == "Figure 1. Revenue rises with loyalty."
    assert page.cells[2].metadata["mystnb"]["image"]["alt"] == "Figure drawn by code cell 3"
    assert "mystnb" not in page.cells[3].metadata
