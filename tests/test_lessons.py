"""Every lesson notebook: committed clean, parameterised by convention, runs, records."""

from __future__ import annotations

import math

import nbformat
import pytest

from conftest import NOTEBOOKS
from cxlib import notebooks

# What each lesson promises to record (its issue's list); the notebook's own
# metadata (cxcourse.records) may promise more, and is checked too.
PROMISED = {
    "02_loyalty_and_revenue": {
        "loyalty_effect_naive", "loyalty_effect_adjusted", "loyalty_effect_true",
        "loyalty_effect_ci", "elasticity", "cdnow_slope",
    },
    "03_feedback_loops": {
        "retention_listening", "retention_not_listening", "profit_listening",
        "profit_not_listening", "breakeven_period",
    },
    "05_retention_and_clv": {"sbg_regular", "sbg_high_end", "bgnbd_params", "holdout_cumulative_error", "clv_top_decile_share"},
}

ids = [p.stem for p in NOTEBOOKS]


def test_there_are_lessons():
    assert {"02_loyalty_and_revenue", "03_feedback_loops"} <= set(ids)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} has outputs"
            assert cell.execution_count is None, f"cell {i} has an execution count"
    assert "papermill" not in nb.metadata, "an executed copy was committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_parameters_follow_the_convention(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first_code.metadata.get("tags", []), "first code cell must be tagged parameters"
    specs = notebooks.parameters(path)
    assert "seed" in specs and specs["seed"].type == "int"
    undocumented = [n for n, s in specs.items() if not s.help.strip() or s.type in ("None", "")]
    assert not undocumented, f"parameters without a type or '# help': {undocumented}"
    info = notebooks.lesson_info(path)
    assert info["question"], "metadata cxcourse.question is missing"
    # smoke parameters exist and pass the same checks as `cx run -p`
    assert notebooks.check_parameters(path, notebooks.smoke_parameters(path)) is not None
    # the next code cell, tagged validation, checks them with cxlib.params only, so
    # `cx run` can run it before a kernel starts
    second_code = [c for c in nb.cells if c.cell_type == "code"][1]
    assert "validation" in second_code.metadata.get("tags", [])
    assert notebooks.run_validation_cell(path, {n: s.default for n, s in specs.items()}) is True
    checked = {name for name in specs
               if f'"{name}", {name}' in second_code.source}
    assert checked == set(specs), f"parameters not validated: {set(specs) - checked}"


def _promised(path):
    meta = nbformat.read(path, as_version=4).metadata.get("cxcourse", {})
    return PROMISED.get(path.stem, set()) | set(meta.get("records", []))


@pytest.mark.parametrize("mode", ["smoke", "defaults"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_lesson_runs_and_records(path, mode, tmp_path):
    result = notebooks.execute(path, tmp_path / path.name, smoke=(mode == "smoke"), timeout=300)
    assert result.ok, result.error
    missing = _promised(path) - set(result.records)
    assert not missing, f"not recorded: {missing}"
    for name, value in result.records.items():
        if isinstance(value, float):
            assert math.isfinite(value), f"{name} = {value}"


def test_lesson_02_records_tell_the_known_truth_story(tmp_path):
    path = next(p for p in NOTEBOOKS if p.stem == "02_loyalty_and_revenue")
    rec = notebooks.execute(path, tmp_path / "02.ipynb", smoke=True).records
    truth = rec["loyalty_effect_true"]
    lo, hi = rec["loyalty_effect_ci"]
    assert lo < rec["loyalty_effect_adjusted"] < hi
    assert rec["loyalty_effect_naive"] > truth, "tenure confounding biases the naive slope upward"
    # the adjusted slope is far closer to the truth than the naive one
    assert abs(rec["loyalty_effect_adjusted"] - truth) < abs(rec["loyalty_effect_naive"] - truth)
    assert rec["cdnow_slope"] > 0 and 0 < rec["elasticity"] < 2


def test_lesson_03_records_agree_with_the_engine(tmp_path):
    """The lesson's records are what cxlib.feedback gives for the same parameters."""
    from cxlib import feedback

    path = next(p for p in NOTEBOOKS if p.stem == "03_feedback_loops")
    result = notebooks.execute(path, tmp_path / "03.ipynb", smoke=True)
    rec, par = result.records, result.parameters
    specs = notebooks.parameters(path)
    values = {n: par.get(n, s.default) for n, s in specs.items()}
    base = feedback.Params(
        n_customers=values["n_customers"], n_periods=values["n_periods"],
        feedback_rate=values["feedback_rate"], action_capacity=values["action_capacity"],
        action_delay=values["action_delay"], acquisition=0.012 * values["n_customers"],
    )
    runs = feedback.compare(base, [feedback.Policy.listening(values["recovery"]), feedback.Policy.not_listening()],
                            values["n_runs"], rng=12345)
    # same model, different random numbers: agree within Monte Carlo error
    per_run = runs.groupby(["policy", "run"])["retention"].first().groupby("policy")
    for policy, key in (("listening", "retention_listening"), ("not listening", "retention_not_listening")):
        mean, sem = per_run.mean()[policy], per_run.sem()[policy]
        assert abs(rec[key] - mean) < 5 * sem * (2 ** 0.5) + 1e-9, (key, rec[key], mean, sem)
    assert rec["breakeven_period"] is None or 1 <= rec["breakeven_period"] <= values["n_periods"]
