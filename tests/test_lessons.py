"""Every lesson notebook: committed clean, parameterised by convention, runs, records."""

from __future__ import annotations

import math

import nbformat
import pytest

from conftest import NOTEBOOKS, lesson_run
from cxlib import notebooks

ids = [p.stem for p in NOTEBOOKS]


def test_there_are_lessons():
    assert {"02_loyalty_and_revenue", "03_feedback_loops", "05_retention_and_clv"} <= set(ids)


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_highlights_label_recorded_results(path):
    """The course map shows each lesson's key results by the labels in ``cxcourse.highlights``."""
    from cxlib.course import format_highlight

    highlights = nbformat.read(path, as_version=4).metadata.get("cxcourse", {}).get("highlights", [])
    assert highlights, "metadata cxcourse.highlights lists no key results for the course map"
    promised = _promised(path)
    for h in highlights:
        assert set(h) <= {"record", "label", "format", "none"}, h
        assert h["record"] in promised, f"highlight {h['record']!r} is not among the promised records"
        assert h["label"].strip() and h["label"] == " ".join(h["label"].split()), h
        sample = 1 if h.get("format", "").endswith("d") else 0.5
        assert format_highlight(sample, h.get("format", ""))  # a valid format spec


def _promised(path):
    """What the lesson promises to record: the notebook's metadata ``cxcourse.records``."""
    return set(nbformat.read(path, as_version=4).metadata.get("cxcourse", {}).get("records", []))


@pytest.mark.parametrize("mode", ["smoke", "defaults"])
@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xdist_group(p.stem)) for p in NOTEBOOKS], ids=ids)
def test_lesson_runs_and_records(path, mode):
    result = lesson_run(path.stem, mode)
    assert result.ok, result.error
    promised = _promised(path)
    assert promised, "metadata cxcourse.records lists no records"
    missing = promised - set(result.records)
    assert not missing, f"not recorded: {missing}"
    for name, value in result.records.items():
        if isinstance(value, float):
            assert math.isfinite(value), f"{name} = {value}"


@pytest.mark.xdist_group("02_loyalty_and_revenue")
def test_lesson_02_records_tell_the_known_truth_story():
    rec = lesson_run("02_loyalty_and_revenue", "smoke").records
    truth = rec["loyalty_effect_true"]
    lo, hi = rec["loyalty_effect_ci"]
    assert lo < rec["loyalty_effect_adjusted"] < hi
    assert rec["loyalty_effect_naive"] > truth, "tenure confounding biases the naive slope upward"
    # the adjusted slope is far closer to the truth than the naive one
    assert abs(rec["loyalty_effect_adjusted"] - truth) < abs(rec["loyalty_effect_naive"] - truth)
    assert rec["cdnow_slope"] > 0 and 0 < rec["elasticity"] < 2


@pytest.mark.xdist_group("03_feedback_loops")
def test_lesson_03_records_agree_with_the_engine():
    """The lesson's records are what cxlib.feedback gives for the same parameters."""
    from cxlib import feedback

    path = next(p for p in NOTEBOOKS if p.stem == "03_feedback_loops")
    result = lesson_run(path.stem, "smoke")
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


# ---------------------------------------------------------------------------
# Every lesson at the edges of its declared parameters
# ---------------------------------------------------------------------------


def _ranges(path) -> dict[str, tuple]:
    """What the validation cell accepts, read from its ``params.<check>(name, name, ...)`` calls:
    ``(low, high)`` for numbers, the choices for ``choice``, ``(False, True)`` for booleans."""
    import ast

    tree = ast.parse(notebooks._validation_cell(path).source)
    out = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "params"):
            continue
        name = ast.literal_eval(node.args[0])
        kw = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
        check = node.func.attr
        if check in ("integer", "real"):
            out[name] = (kw.get("min"), kw.get("max"))
        elif check == "probability":
            out[name] = (0.0, 1.0)
        elif check == "choice":
            out[name] = tuple(ast.literal_eval(node.args[2]))
        elif check == "boolean":
            out[name] = (False, True)
    return out


def _edge(path, side: str) -> dict:
    """All parameters at the low (or high) end of their range at once; the notebook's metadata
    ``cxcourse.edge_caps`` caps the high end where the full range would not fit the test budget
    (each cap names the parameter and the value used)."""
    specs = notebooks.parameters(path)
    caps = nbformat.read(path, as_version=4).metadata.get("cxcourse", {}).get("edge_caps", {})
    values = {}
    for name, rng in _ranges(path).items():
        if name == "seed":
            continue
        value = rng[0] if side == "low" else rng[-1]
        if value is None:  # open-ended: the default
            value = specs[name].default
        if side == "high" and name in caps:
            value = caps[name]
        if specs[name].type == "int":
            value = int(value)
        values[name] = value
    return values


def test_edge_caps_stay_inside_the_ranges():
    for path in NOTEBOOKS:
        caps = nbformat.read(path, as_version=4).metadata.get("cxcourse", {}).get("edge_caps", {})
        ranges = _ranges(path)
        for name, value in caps.items():
            assert name in ranges, f"{path.stem}: edge cap for unknown parameter {name!r}"
            low, high = ranges[name][0], ranges[name][-1]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                assert (low is None or value >= low) and (high is None or value <= high), (path.stem, name)


@pytest.mark.parametrize("side", ["low", "high"])
@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xdist_group(f"{p.stem}-edges")) for p in NOTEBOOKS],
                         ids=ids)
def test_lesson_runs_at_the_edges_of_its_parameters(path, side, tmp_path):
    values = _edge(path, side)
    result = notebooks.execute(path, tmp_path / path.name, parameters=values, timeout=600)
    assert result.ok, f"{side} edge {values}: {result.error}"
    assert not (_promised(path) - set(result.records)), "records missing at the edge"
    nb = nbformat.read(result.output, as_version=4)
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"cell {i} raised at the {side} edge"
            text = out.get("data", {}).get("text/markdown", "")
            words = text.replace("**", " ").split()
            bad = [w for w in words if w.strip(".,;:()").lower() in ("nan", "nan%", "inf", "inf%", "-inf")]
            assert not bad, f"cell {i} prints {bad} at the {side} edge {values}: {text[:300]}"


@pytest.mark.xdist_group("06_proactive_service")
def test_lesson_06_records_tell_the_known_truth_story():
    from cxlib import churn

    rec = lesson_run("06_proactive_service", "smoke").records
    # Fox (2002): coxph on the Rossi data, Efron ties
    fox = {"fin": -0.3794, "age": -0.0574, "race": 0.3139, "wexp": -0.1498, "mar": -0.4337, "paro": -0.0849,
           "prio": 0.0915}
    assert {k: round(v, 4) for k, v in rec["rossi_coefficients"].items()} == fox
    assert rec["events_needed"] == churn.events_needed(0.8) == 631
    assert rec["telco_median_lifetime"] == {"Month-to-month": 35.0, "One year": None, "Two year": None}
    lo, hi = rec["hr_outreach_randomised_ci"]
    assert lo < rec["hr_outreach_randomised"] < hi
    assert rec["hr_outreach_true"] == 0.7
    # confounding by indication: the naive estimate is the most biased, adjustment removes only part
    assert rec["hr_outreach_targeted_naive"] > rec["hr_outreach_targeted_adjusted"] > rec["hr_outreach_true"]


@pytest.mark.xdist_group("07_personalised_experiences")
def test_lesson_07_records_tell_the_known_truth_story():
    from cxlib import data

    rec = lesson_run("07_personalised_experiences", "smoke").records
    # the tipping experiment: Pearson's chi-square of the 3 x 2 table (R's chisq.test: 9.9533, p 0.006897)
    assert rec["tipjoke_chi2"] == pytest.approx(9.9533, abs=1e-4) and rec["tipjoke_p"] == pytest.approx(0.006897, abs=1e-6)
    assert rec["best_offer_overall"] in data.OFFERS
    assert set(rec["best_offer_by_segment"]) == set(data.OFFER_SEGMENTS)
    # learning by segment beats pooling, which beats a fixed split, in regret
    assert rec["regret_thompson_by_segment"] < rec["regret_thompson"] < rec["regret_fixed_split"]
    assert rec["peeking_false_positive_rate"] > 0.05


@pytest.mark.xdist_group("08_customer_journeys")
def test_lesson_08_records_tell_the_known_truth_story():
    rec = lesson_run("08_customer_journeys", "smoke").records
    assert abs(rec["conversion_probability_estimate"] - rec["conversion_probability_true"]) < 0.05
    assert set(rec["removal_effects"]) == set(rec["removal_effects_true"]) == {
        "display", "search", "email", "product", "reviews", "checkout", "reminder"}
    assert max(rec["removal_effects_true"], key=rec["removal_effects_true"].get) == "product"
    assert rec["pain_point"] == "checkout"
    # channel_paths: the exact chain (ChannelAttribution 2.2.5's simulated markov_model credits alpha most too)
    assert 0.22 < rec["channel_paths_conversion_probability"] < 0.23
    assert max(rec["channel_paths_removal_effects"], key=rec["channel_paths_removal_effects"].get) == "alpha"


@pytest.mark.xdist_group("09_service_profit_chain")
def test_lesson_09_records_tell_the_known_truth_story():
    rec = lesson_run("09_service_profit_chain", "smoke").records
    assert rec["acme_true"] == pytest.approx(0.15) and rec["ade_true"] == pytest.approx(0.1)
    lo, hi = rec["acme_ci"]
    assert lo < rec["acme_estimate"] < hi
    # the store structure: a design effect above 1, and intervals that ignore it cover the truth less often
    assert 0 < rec["icc_engagement"] < 1 and rec["design_effect"] > 1
    assert rec["coverage_stores"] > rec["coverage_rows"]
    # JOBS II: Imai, Keele, Tingley & Yamamoto's tutorial (ACME -0.01375; medsens: ACME = 0 at rho = -0.21,
    # the correlation of the two models' residuals); the ACME is a mean of simulations around a * b = -0.0137335
    assert round(rec["jobs_rho_zero"], 4) == -0.21
    assert rec["jobs_acme"] == pytest.approx(-0.0137335, abs=0.003)
    lo, hi = rec["jobs_acme_ci"]
    assert lo < 0 < hi
    # framing: the anxiety-mediated effect is positive (Tingley et al. 2014; statsmodels' test: 0.0854)
    assert 0 < rec["framing_acme_ci"][0] < rec["framing_acme"] < rec["framing_acme_ci"][1]
    assert rec["framing_sims_needed"] >= 100
