"""`cx run` and cxlib.notebooks: strict parameters, the kernel, failures, records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import make_notebook
from cxlib import notebooks
from cxlib.cli import main

CX = [sys.executable, "-m", "cxlib.cli"]


def test_parameters_are_read_from_the_tagged_cell(tiny_notebook):
    specs = notebooks.parameters(tiny_notebook)
    assert list(specs) == ["seed", "n_customers", "rate", "label", "flag", "sizes"]
    assert specs["n_customers"] == notebooks.Parameter("n_customers", "int", 100, "number of customers")
    assert specs["label"].default == "a" and specs["sizes"].default == [1, 2]


@pytest.mark.parametrize(
    "given, raw, expected",
    [
        ({"n_customers": 5e3}, {}, {"n_customers": 5000}),
        ({"rate": 1}, {}, {"rate": 1.0}),
        ({"label": 123}, {"label": "123"}, {"label": "123"}),
        ({"label": "cdnow_sample"}, {}, {"label": "cdnow_sample"}),
        ({"sizes": [3]}, {}, {"sizes": [3]}),
    ],
)
def test_values_are_coerced_only_when_lossless(tiny_notebook, given, raw, expected):
    assert notebooks.check_parameters(tiny_notebook, given, raw=raw) == expected


@pytest.mark.parametrize(
    "given, exc, message",
    [
        ({"n_custmers": 10}, ValueError,
         "unknown parameter 'n_custmers' for 01_tiny.ipynb; valid parameters are seed, "
         "n_customers, rate, label, flag, sizes; did you mean 'n_customers'?"),
        ({"zzz": 1}, ValueError,
         "unknown parameter 'zzz' for 01_tiny.ipynb; valid parameters are seed, n_customers, "
         "rate, label, flag, sizes"),
        ({"n_customers": 2.5}, TypeError,
         "parameter n_customers is declared int (default 100); got 2.5 (float)"),
        ({"n_customers": True}, TypeError,
         "parameter n_customers is declared int (default 100); got True (bool)"),
        ({"flag": 1}, TypeError, "parameter flag is declared bool (default False); got 1 (int)"),
        ({"flag": "false"}, TypeError, "parameter flag is declared bool (default False); got 'false' (str); "
                                       "write it as Python writes it: False"),
        ({"flag": "yes"}, TypeError, "parameter flag is declared bool (default False); got 'yes' (str); "
                                     "write it as Python writes it: True"),
        ({"sizes": "big"}, TypeError, "parameter sizes is declared list (default [1, 2]); got 'big' (str)"),
        ({"rate": "fast"}, TypeError, "parameter rate is declared float (default 0.5); got 'fast' (str)"),
    ],
)
def test_bad_parameters_fail_before_a_kernel(tiny_notebook, given, exc, message):
    with pytest.raises(exc) as info:
        notebooks.check_parameters(tiny_notebook, given)
    assert str(info.value) == message


def test_notebook_without_parameters_cell_is_refused(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    path = tmp_path / "plain.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="has no cell tagged 'parameters'"):
        notebooks.parameters(path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        notebooks.parameters(tmp_path / "nope.ipynb")


def test_unreadable_parameter_line_is_an_error_not_a_silent_drop(tmp_path):
    path = make_notebook(tmp_path / "01_x.ipynb", "seed: int = 1  # seed\nrate: float = 0.5  # 0 = off", [])
    with pytest.raises(ValueError, match=r"parameters cell line 2 cannot be read .*'rate: float = 0.5  # 0 = off'"):
        notebooks.parameters(path)


def test_cli_unknown_parameter_fails_at_once_without_output(tiny_notebook, tmp_path, capsys):
    out = tmp_path / "out.ipynb"
    code = main(["run", str(tiny_notebook), "-p", "n_custmers", "10", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("cx run: unknown parameter 'n_custmers'")
    assert "did you mean 'n_customers'?" in err and err.count("\n") == 1
    assert not out.exists()


def test_cli_runs_with_literals_records_and_own_kernel(tiny_notebook, tmp_path, monkeypatch, capsys):
    # A bogus user-wide "python3" kernelspec must not be used: the environment's wins.
    fake = tmp_path / "jupyter-data" / "kernels" / "python3"
    fake.mkdir(parents=True)
    (fake / "kernel.json").write_text(json.dumps({
        "argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "not ours", "language": "python"}))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(fake.parents[1]))
    monkeypatch.delenv("JUPYTER_PREFER_ENV_PATH", raising=False)
    out = tmp_path / "run" / "out.ipynb"
    code = main(["run", str(tiny_notebook), "-p", "n_customers", "250", "-p", "rate", "2",
                 "-p", "label", "cdnow_sample", "-p", "flag", "True", "-p", "sizes", "[3, 4]",
                 "-o", str(out), "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    records = nbformat.read(out, as_version=4) and __import__("cxlib").read_records(out)
    assert records == {"n_customers": 500, "rate": 2.0, "label": "cdnow_sample", "flag": True,
                       "sizes": [3, 4], "prefix": sys.prefix}
    assert "Recorded results:" in printed and "n_customers  500" in printed
    executed = nbformat.read(out, as_version=4)
    assert executed.metadata.papermill.parameters["n_customers"] == 250
    assert not list(out.parent.glob(".*.tmp.ipynb"))


def test_cli_output_may_be_a_folder(tiny_notebook, tmp_path, capsys):
    folder = tmp_path / "executed"
    folder.mkdir()
    assert main(["run", str(tiny_notebook), "--smoke", "-o", str(folder), "--no-progress"]) == 0
    assert (folder / tiny_notebook.name).is_file()
    assert f"-> {folder / tiny_notebook.name}" in capsys.readouterr().out


def test_smoke_parameters_and_overrides(tiny_notebook, tmp_path):
    result = notebooks.execute(tiny_notebook, tmp_path / "s.ipynb", smoke=True)
    assert result.ok and result.records["n_customers"] == 40
    result = notebooks.execute(tiny_notebook, tmp_path / "s2.ipynb", {"n_customers": 30}, smoke=True)
    assert result.records["n_customers"] == 60
    with pytest.raises(ValueError, match="declares no smoke parameters"):
        notebooks.execute(make_notebook(tmp_path / "n.ipynb", "seed: int = 1  # s", []),
                          tmp_path / "x.ipynb", smoke=True)


def test_failing_cell_gives_one_readable_block_and_exit_status(tiny_notebook, tmp_path):
    out = tmp_path / "failed.ipynb"
    proc = subprocess.run(
        [*CX, "run", str(tiny_notebook), "-p", "n_customers", "5", "-o", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "01_tiny.ipynb failed at In [3]:",
        "    params.integer('n_customers', n_customers, min=10)",
        "ValueError: n_customers must be an integer >= 10; got 5",
        f"The executed notebook (with the full traceback) is {out}",
    ]
    assert out.exists(), "the failed run is kept for inspection"


VALIDATION = ("from cxlib import params\n"
              "n_customers = params.integer('n_customers', n_customers, min=10, max=1000)\n"
              "rate = params.probability('rate', rate)")


def test_validation_cell_runs_before_any_kernel(tmp_path, capsys):
    path = make_notebook(tmp_path / "01_v.ipynb", "n_customers: int = 100  # customers\nrate: float = 0.5  # a rate",
                         ["from cxlib import record\nrecord('n', n_customers)"], validation=VALIDATION)
    out = tmp_path / "out.ipynb"
    assert main(["run", str(path), "-p", "n_customers", "-1", "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        "cx run: n_customers must be an integer between 10 and 1000; got -1\n")
    assert not out.exists(), "no kernel ran, nothing was written"
    with pytest.raises(ValueError, match="rate must be a probability between 0 and 1; got 1.5"):
        notebooks.check_parameters(path, {"rate": 1.5})
    assert notebooks.run_validation_cell(path, {"n_customers": 100, "rate": 0.5}) is True
    assert notebooks.execute(path, out, {"n_customers": 20}).records == {"n": 20}


def test_impure_validation_cell_is_left_to_the_kernel(tmp_path):
    path = make_notebook(tmp_path / "01_w.ipynb", "n_customers: int = 100  # customers", [],
                         validation="import os\nos.remove('precious')")
    assert notebooks.run_validation_cell(path, {"n_customers": 1}) is False


def test_cli_missing_notebook_is_a_clear_error(capsys, tmp_path):
    assert main(["run", str(tmp_path / "nope.ipynb")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("each_cell", [False, True])
def test_the_output_is_written_sparsely_and_kept_when_a_run_times_out(tmp_path, each_cell):
    """By default the executed copy is written when the run starts and ends, not around every cell
    (papermill's default, with save_each_cell=True); a run stopped by its timeout is still kept,
    with the outputs of the cells that ran."""
    out = tmp_path / "out.ipynb"
    path = make_notebook(tmp_path / "01_s.ipynb", "out: str = ''  # where the run is written", [
        "print('first cell ran')",
        "import json, pathlib\n"
        "seen = [''.join(o.get('text', '')) for c in json.loads(pathlib.Path(out).read_text())['cells'] for o in c.get('outputs', [])]\n"
        "print('the copy on disk shows the first cell:', any('first cell ran' in t for t in seen))",
        "import time\ntime.sleep(60)",
    ])
    status, reason, _ = notebooks.run_papermill(path, out, {"out": str(out)}, timeout=20, save_each_cell=each_cell)
    assert (status, reason) == ("timeout", "the run exceeded its timeout of 20 s")
    cells = nbformat.read(out, 4).cells
    texts = ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in cells if c.cell_type == "code"]
    assert "first cell ran\n" in texts and f"the copy on disk shows the first cell: {each_cell}\n" in texts, texts
