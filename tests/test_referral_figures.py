"""The lesson-10 figures and explorer: each draws the numbers it is given, refuses bad input, and the
explorer's callback (referral.word_of_mouth_demo) agrees with the closed forms."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import integrate  # noqa: E402

from cxlib import plots, referral, widgets  # noqa: E402
from cxlib.plots._style import COLORS  # noqa: E402

YUGO = [3895, 35910, 48617, 31583, 10391, 5659, 2509, 1311]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_nps_scores_draws_each_answer_in_its_group_colour():
    scores = [0, 3, 6, 6, 7, 8, 9, 10, 10, 10]
    ax = plots.nps_scores(scores)
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, np.bincount(scores, minlength=11) / len(scores))
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert set(colours[:7]) == {COLORS["highlight"].lower()} and set(colours[9:]) == {COLORS["tertiary"].lower()}
    assert set(colours[7:9]) == {COLORS["observed"].lower()}
    # moved cut points, counts
    ax = plots.nps_scores(scores, share=False, promoter_from=8, passive_from=6)
    assert matplotlib.colors.to_hex(ax.patches[8].get_facecolor()) == COLORS["tertiary"].lower()
    assert ax.patches[10].get_height() == 3
    with pytest.raises(ValueError, match="scores must be whole numbers from 0 to 10"):
        plots.nps_scores([3, 11])
    with pytest.raises(ValueError, match="scores must be whole numbers from 0 to 10"):
        plots.nps_scores([3.5])


def test_nps_sampling_draws_the_estimates_truth_and_interval():
    est = np.array([10.0, 20.0, 20.0, 30.0, 40.0])
    ax = plots.nps_sampling(est, 22.0, se=8.0, interval=(20.0, 5.0, 35.0))
    assert ax.lines[0].get_xdata()[0] == 22.0
    heights = np.array([p.get_height() for p in ax.patches])
    widths = np.array([p.get_width() for p in ax.patches])
    assert (heights * widths).sum() == pytest.approx(1.0)  # a density over one bar per possible value
    assert heights.max() * widths[0] == pytest.approx(2 / 5)
    normal = ax.lines[1]
    x, y = normal.get_xdata(), normal.get_ydata()
    assert y[np.argmin(np.abs(x - 22.0))] == pytest.approx(1 / (8 * math.sqrt(2 * math.pi)), rel=1e-3)
    bar = ax.containers[-1]
    segment = bar.lines[2][0].get_segments()[0]
    assert segment[0][0] == 5.0 and segment[1][0] == 35.0
    # surveys of 10 customers: multiples of 10 whose floating-point values differ in the last bit
    ax = plots.nps_sampling(100 * (np.array([3, 3, 5]) / 10 - np.array([1, 1, 2]) / 10), 10.0)
    assert len(ax.patches) == 2
    with pytest.raises(ValueError, match="truth must be"):
        plots.nps_sampling(est, 120.0)


def test_cascade_figures_draw_simulation_and_closed_form():
    sim = referral.simulate_referrals(1, 2.0, periods=8, n_runs=500, rng=1)
    growth = sim.mean_by_period().assign(scenario="R")
    ax = plots.cascade_growth(growth)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), sim.model.reproduction_number ** np.arange(9))
    simulated = ax.lines[1].get_ydata()
    np.testing.assert_allclose(simulated[~np.isnan(simulated)], growth["simulated"][growth["simulated"] > 0])
    rows = []
    for rate in (1.0, 3.0):
        comp = referral.simulate_referrals(1, rate, periods=10, n_runs=400, rng=2).compare()
        rows.append(comp.loc["mean cascade size"].rename(None))
    table = pd.DataFrame(rows).assign(reproduction_number=[referral.ReferralModel(r).reproduction_number
                                                           for r in (1.0, 3.0)])
    ax = plots.cascade_sizes(table, current=0.45)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), table["closed_form"])
    assert ax.lines[1].get_xdata().tolist() == [0.45]  # only R < 1 has a finite long-run size
    np.testing.assert_allclose(ax.containers[0].lines[0].get_ydata(), table["simulated"])
    ext = pd.DataFrame({"reproduction_number": [0.5, 1.5], "simulated": [1.0, 0.4], "mc_se": [0.0, 0.02],
                        "closed_form": [1.0, 0.41], "closed_form_limit": [1.0, 0.39]})
    ax = plots.extinction_probabilities(ext)
    assert ax.lines[1].get_ydata().tolist() == [1.0, 0.39]
    with pytest.raises(ValueError, match="table lacks the column"):
        plots.cascade_sizes(table.drop(columns="mc_se"))


def test_bass_fit_draws_the_fit_the_truth_and_the_peak():
    fit = referral.fit_bass(YUGO, range(1985, 1993), model="continuous")
    disc = referral.fit_bass(referral.simulate_bass(0.03, 0.38, 10_000, 12, rng=1))
    ax = plots.bass_fit(fit, extend=2)
    assert [p.get_height() for p in ax.containers[0]] == YUGO
    assert [p.get_x() + p.get_width() / 2 for p in ax.containers[0]] == pytest.approx(np.arange(1985, 1993) - 0.5)
    np.testing.assert_allclose(ax.lines[0].get_ydata()[:8], fit.fitted)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), fit.predict(np.arange(1985, 1995)))
    peak = [ln for ln in ax.lines if ln.get_label().startswith("fitted peak")][0]
    assert peak.get_xdata()[0] == pytest.approx(fit.peak_time()) and "in period 1987" in peak.get_label()
    truth = {"p": 0.03, "q": 0.38, "m": 10_000}
    ax = plots.bass_fit(disc, truth=truth, others={"again": disc})
    expected = 10_000 * np.diff(referral.bass_curve(0.03, 0.38, 1.0, np.arange(13.0), cumulative=True))
    np.testing.assert_allclose(ax.lines[2].get_ydata(), expected)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), ax.lines[0].get_ydata())
    falling = referral.fit_bass(referral.simulate_bass(0.1, 0.05, 1_000, 12, model="continuous", rng=2),
                                model="continuous")
    assert falling.params["q"] <= falling.params["p"]  # adoptions fall from launch: the peak is at the origin
    ax = plots.bass_fit(falling)
    peak = [ln for ln in ax.lines if ln.get_label().startswith("fitted peak")][0]
    assert peak.get_label() == "fitted peak (at launch)"  # not "in period 0": the first period is 1
    with pytest.raises(TypeError, match="fit must be a BassFit"):
        plots.bass_fit({"p": 0.1})
    with pytest.raises(TypeError, match="truth must be a mapping"):
        plots.bass_fit(fit, truth=[0.1, 0.2, 3])


def test_bass_short_series_separates_fits_that_did_not_converge():
    t = pd.DataFrame({"points": [3, 4, 5, 6], "estimate": [5e6, 3e4, 9e3, 1e4], "ci_low": [np.nan, 500, 7e3, 9e3],
                      "ci_high": [np.nan, 2e6, 1.1e4, 1.1e4], "converged": [False, True, True, True]})
    ax = plots.bass_short_series(t, truth=1e4, peak=5.5)
    bars = ax.containers[0]
    assert bars.lines[0].get_ydata().tolist() == [3e4, 9e3, 1e4]
    lows = [seg[0][1] for seg in bars.lines[2][0].get_segments()]
    assert lows == [500, 7e3, 9e3]
    hollow = [ln for ln in ax.lines if ln.get_label().startswith("fit did not converge")][0]
    assert hollow.get_xdata().tolist() == [3] and hollow.get_ydata().tolist() == [5e6]
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="converged"):
        plots.bass_short_series(t.drop(columns="converged"))


def test_word_of_mouth_demo_agrees_with_the_closed_forms():
    p, q, m = 0.02, 0.5, 50_000.0
    demo = referral.word_of_mouth_demo(p, q, m, 1.2, cascade_periods=10)
    # the peak: ln(q / p) / (p + q), with m (p + q)^2 / (4 q) adoptions per period there
    assert demo.peak_time == pytest.approx(math.log(q / p) / (p + q))
    assert demo.peak_adoptions == pytest.approx(m * (p + q) ** 2 / (4 * q))
    assert demo.curve["adoptions"].max() <= demo.peak_adoptions * (1 + 1e-12)
    # half adopted at half_time, 99% at the horizon; the curve integrates to the cumulative
    assert referral.bass_curve(p, q, m, demo.half_time, cumulative=True) == pytest.approx(m / 2)
    assert referral.bass_curve(p, q, m, demo.horizon, cumulative=True) == pytest.approx(0.99 * m)
    area = integrate.trapezoid(demo.curve["adoptions"], demo.curve["t"])
    assert area == pytest.approx(demo.curve["cumulative"].iloc[-1], rel=1e-3)
    # the cascade: R and sum_{t<=T} R^t at every rate of the grid
    model = referral.ReferralModel(1.2)
    assert demo.reproduction_number == pytest.approx(model.reproduction_number)
    assert demo.expected_total == pytest.approx(sum(model.reproduction_number ** t for t in range(11)))
    row = demo.cascade.iloc[37]
    r = referral.ReferralModel(row["referral_rate"]).reproduction_number
    assert row["reproduction_number"] == pytest.approx(r)
    assert row["expected_limit"] == (1 / (1 - r) if r < 1 else math.inf)
    assert demo.cascade["referral_rate"].max() > 1 / referral.ReferralModel(1.0).reproduction_number  # spans R = 1
    # no peak after launch when q <= p
    flat = referral.word_of_mouth_demo(0.1, 0.05, 100, 0.0)
    assert flat.peak_time == 0 and flat.peak_adoptions == pytest.approx(100 * 0.1)
    assert flat.expected_total == 1.0 and "long run 1" in repr(flat)
    with pytest.raises(ValueError, match="cascade_periods must be an integer between 1 and 1000"):
        referral.word_of_mouth_demo(p, q, m, 1.0, cascade_periods=0)


def test_explorer_figures_and_summary():
    demo = referral.word_of_mouth_demo(0.03, 0.38, 10_000, 3.0)
    ax = plots.adoption_curve(demo)
    assert ax.lines[1].get_ydata()[0] == pytest.approx(demo.peak_adoptions)
    ax = plots.cascade_by_rate(demo)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), demo.cascade["expected_total"])
    assert ax.lines[2].get_ydata()[0] == pytest.approx(demo.expected_total)
    with pytest.raises(TypeError, match="demo must be a WordOfMouthDemo"):
        plots.adoption_curve({"p": 0.1})

    box = widgets.word_of_mouth_explorer(0.03, 0.38, 10_000, 0.8)
    sliders, summary, output = box.children
    p_slider, q_slider, m_slider, rate_slider = sliders.children
    assert len(output.outputs) == 1  # drawn once, at once
    q_slider.value = 0.02  # below p: no peak after launch
    assert "no peak after launch" in summary.value
    rate_slider.value = 3.0
    expect = referral.word_of_mouth_demo(0.03, 0.02, 10_000, 3.0)
    assert f"R = <b>{expect.reproduction_number:.2f}</b>" in summary.value
    assert "unbounded in the long run" in summary.value
    assert len(output.outputs) == 1
    with pytest.raises(ValueError, match="q must be"):
        widgets.word_of_mouth_explorer(q=2.0)
