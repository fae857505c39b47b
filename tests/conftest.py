"""Shared fixtures: paths and a tiny parameterised notebook for machinery tests."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


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
