"""The lesson-09 figures and explorer: each draws the numbers it is given, and refuses bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxlib import data, plots, serviceprofit, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_chain_diagram_labels_every_path_with_its_numbers():
    paths = {"a": 0.5, "theta": 0.6, "phi": 0.5, "direct": 0.1, "revenue": 20.0, "leader": 0.4, "choice": 1.0,
             "confounder": 0.0}
    ax = plots.chain_diagram(paths, estimates={"a": 0.47, "direct": 0.12, "b": 0.31, "indirect": 0.146})
    texts = [t.get_text() for t in ax.texts]
    assert "a = 0.50\n(est. 0.47)" in texts and "c = 0.10\n(est. 0.12)" in texts
    assert "θ = 0.60" in texts and "φ = 0.50" in texts and "20 per point" in texts
    assert any("b = θφ = 0.30 (est. 0.31)" in t and "a·θ·φ = 0.150 (est. 0.146)" in t for t in texts)
    assert texts.count("k = 0.00") == 2 and any("never recorded" in t for t in texts)
    assert len(ax.patches) == 9  # one arrow per path, the confounder's two
    # the confounder at 0 is drawn faint and dotted
    faint = [p for p in ax.patches if p.get_alpha() == 0.3]
    assert len(faint) == 2
    small = plots.chain_diagram({"a": 0.5})
    assert len(small.patches) == 1 and not any("never recorded" in t.get_text() for t in small.texts)
    with pytest.raises(ValueError, match="paths names 'gamma', which is not a path of the chain"):
        plots.chain_diagram({"gamma": 1.0})
    with pytest.raises(TypeError, match="paths must be a mapping"):
        plots.chain_diagram([0.5])


def test_coverage_plot_draws_each_analysis_coverage():
    rng = np.random.default_rng(1)
    est = rng.normal(1.0, 0.1, 40)
    rows = []
    for name, half in (("wide", 0.3), ("narrow", 0.05)):
        rows.append(pd.DataFrame({"analysis": name, "estimate": est, "ci_low": est - half, "ci_high": est + half}))
    table = pd.concat(rows)
    fig = plots.coverage_plot(table, truth=1.0, show=30)
    left, right = fig.axes
    expected = [float(((g["ci_low"] <= 1.0) & (g["ci_high"] >= 1.0)).mean()) for _, g in table.groupby("analysis",
                                                                                                      sort=False)]
    assert right.lines[0].get_xdata().tolist() == pytest.approx(expected)
    assert [t.get_text() for t in right.get_yticklabels()] == ["wide", "narrow"]
    # per analysis: its intervals (the first `show`) and the truth's line
    assert len(left.collections) == 4 and len(left.collections[0].get_segments()) == 30
    with pytest.raises(ValueError, match="lacks the column"):
        plots.coverage_plot(table.drop(columns="ci_low"), truth=1.0)


def test_sensitivity_plot_draws_the_curve_and_marks_the_zero():
    jobs = data.load("jobs")
    sens = serviceprofit.sensitivity(jobs, "treat", "job_seek", "depress2", ["econ_hard", "sex", "age"], rho_by=0.1)
    ax = plots.sensitivity_plot(sens, truth=(0.1, -0.01))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), sens.table["acme"])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), sens.table["rho"])
    marked = [ln for ln in ax.lines if ln.get_label().startswith("ACME = 0 at rho")]
    assert marked and marked[0].get_xdata()[0] == pytest.approx(sens.rho_zero)
    assert len(ax.collections) == 1  # the band
    assert len(plots.sensitivity_plot(sens.table[["rho", "acme"]], band=False).collections) == 0
    with pytest.raises(ValueError, match="lacks the column"):
        plots.sensitivity_plot(sens.table[["rho", "acme"]])


def test_between_within_draws_the_given_slopes():
    chain = data.service_chain(n_stores=20, rng=3)
    fig = plots.between_within(chain.employees, "leader_rating", "engagement", "store_id", between=0.37,
                               within=0.21, truth=(0.4, 0.2))
    for ax, slope, true in zip(fig.axes, (0.37, 0.21), (0.4, 0.2)):
        est, tru = ax.lines[0], ax.lines[1]
        for line, value in ((est, slope), (tru, true)):
            x, y = line.get_xdata(), line.get_ydata()
            assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(value)
    assert len(fig.axes[0].collections[0].get_offsets()) == 20
    assert len(fig.axes[1].collections[0].get_offsets()) == len(chain.employees)
    with pytest.raises(ValueError, match=r"data lacks the column\(s\) 'store_id2'"):
        plots.between_within(chain.employees, "store_id2", "engagement", "store_id", between=0, within=0)


def test_effect_intervals_and_simulation_error_draw_their_numbers():
    t = pd.DataFrame({"estimate": [0.2, -0.1], "ci_low": [0.1, -0.3], "ci_high": [0.35, 0.0],
                      "published": [0.15, None]},
                     index=["ACME", "ADE"])
    ax = plots.effect_intervals(t, reference="published")
    assert ax.lines[1].get_xdata().tolist() == [0.2, -0.1]
    ref = ax.lines[-1].get_xdata()
    assert ref[0] == 0.15 and np.isnan(ref[1])
    lows = [seg[0][0] for seg in ax.collections[0].get_segments()]
    assert lows == pytest.approx([0.1, -0.3])
    e = pd.DataFrame({"n_sims": [100, 1000], "lower end": [0.01, 0.00316], "upper end": [0.012, 0.0038]})
    ax = plots.simulation_error(e, target=0.0025, observed={100: 0.011})
    assert ax.lines[1].get_ydata().tolist() == [0.012, 0.0038] and ax.get_xscale() == "log"
    with pytest.raises(ValueError, match="at least one column besides n_sims"):
        plots.simulation_error(e[["n_sims"]])


def test_chain_demo_is_the_mediation_of_the_generated_chain():
    out = serviceprofit.chain_demo(0.8, 0.5, 0.5, 0.0, 0.0, n_stores=30, customers_per_store=20, n_sims=100, rng=4)
    chain = data.service_chain(30, 12, 20, programme_effect=0.8, engagement_quality=0.5, quality_satisfaction=0.5,
                               direct_effect=0.0, rng=4)
    fit = serviceprofit.mediation(chain.customers, "programme", "engagement", "satisfaction", method="bootstrap",
                                  engine="fast", groups="store_id", n_sims=100, rng=4)
    assert out.loc["indirect", "estimate"] == pytest.approx(fit.acme)
    assert (out.loc["indirect", "ci_low"], out.loc["indirect", "ci_high"]) == pytest.approx(fit.acme_ci)
    assert out.loc["indirect", "truth"] == pytest.approx(0.2) and out.loc["direct", "truth"] == 0.0
    assert out.loc["indirect", "limit"] == pytest.approx(0.2)  # randomised, no confounder: the limit is the truth
    confounded = serviceprofit.chain_demo(0.8, 0.5, 0.5, 0.0, 0.8, n_stores=30, customers_per_store=20, n_sims=100,
                                          rng=4)
    assert confounded.loc["indirect", "limit"] > 0.2 > confounded.loc["direct", "limit"]
    with pytest.raises(ValueError, match="confounder must be a finite number >= 0 and <= 1"):
        serviceprofit.chain_demo(confounder=2.0, rng=1)


def test_chain_explorer_recomputes_with_common_random_numbers():
    box = widgets.chain_explorer(n_stores=20, customers_per_store=20, n_sims=100, rng=5)
    rows, summary, output = box.children
    a, theta, phi = rows.children[0].children
    c, k = rows.children[1].children
    k.value = 0.6
    expected = serviceprofit.chain_demo(0.5, 0.6, 0.5, 0.1, 0.6, n_stores=20, customers_per_store=20, n_sims=100, rng=5)
    ind = expected.loc["indirect"]
    assert f"estimated <b>{ind['estimate']:.3f}</b>" in summary.value
    assert f"would give {ind['limit']:.3f}" in summary.value and len(output.outputs) == 1
    with pytest.raises(ValueError, match="confounder must be a finite number >= 0 and <= 1"):
        widgets.chain_explorer(confounder=1.5)
