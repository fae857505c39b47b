"""The lesson-06 figures and explorer: each draws the numbers it is given, and refuses bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxlib import churn, data, plots, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_survival_curves_draw_each_group_and_the_truth():
    panel = data.churn_panel(1500, rng=3)
    d = panel.data
    km = churn.kaplan_meier(d["weeks"], d["churned"], d["plan"])
    grid = np.arange(0, 105, 4)
    truth = panel.survival(grid)
    ax = plots.survival_curves(km, truth={p: (grid, truth[p]) for p in truth.columns})
    labels = [line.get_label() for line in ax.lines]
    assert labels[:3] == ["monthly", "one_year", "two_year"] and "truth" in labels
    monthly = km[km["group"] == "monthly"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), monthly["survival"])
    assert ax.get_ylim()[0] == 0


def test_hazard_ratio_forest_draws_estimates_truth_on_a_log_axis():
    table = churn.outreach_comparison(1000, rng=2).table
    ax = plots.hazard_ratio_forest(table)
    assert ax.get_xscale() == "log"
    np.testing.assert_allclose(ax.containers[0].lines[0].get_xdata(), table["hazard_ratio"])
    truth = [line for line in ax.lines if line.get_label() == "truth"][0]
    np.testing.assert_allclose(truth.get_xdata(), table["truth"])
    assert [t.get_text() for t in ax.get_yticklabels()] == list(table.index)


def test_power_plot_draws_the_formula_and_the_simulations():
    curve = churn.power_curve(0.8, 0.3, [400, 1200, 2400], n_sims=50, rng=1)
    ax = plots.power_plot(curve, needed=churn.customers_needed(0.8, 0.3))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), curve["power_formula"])
    np.testing.assert_allclose(np.asarray(ax.containers[0].lines[0].get_ydata(), float), curve["power_simulated"])


def test_schoenfeld_trend_smooths_the_mean_of_the_residuals():
    rossi = data.load("rossi")
    res = churn.scaled_schoenfeld(churn.fit_cox(rossi, "week", "arrest", ["fin", "age", "prio"]))
    ax = plots.schoenfeld_trend(res, "age", xlabel="week")
    smooth = ax.lines[0].get_ydata()
    # a mean smooth (not a robust one): its average over events is near the residuals' mean
    assert abs(np.mean(smooth) - res["age"].mean()) < 0.5 * res["age"].std()
    assert len(ax.collections[0].get_offsets()) == len(res)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: plots.survival_curves(pd.DataFrame({"time": [1.0]})), ValueError, "table lacks the column"),
        (lambda: plots.hazard_ratio_forest([1, 2]), TypeError, "table must be a pandas DataFrame"),
        (lambda: plots.power_plot(pd.DataFrame({"customers": [1]})), ValueError, "curve lacks the column"),
        (lambda: plots.schoenfeld_trend(pd.DataFrame({"time": [1.0], "x": [1.0]}), "y"), ValueError,
         "term 'y' is not a column"),
    ],
)
def test_figures_refuse_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_outreach_explorer_reports_the_truth_and_redraws():
    box = widgets.outreach_explorer(n_customers=600)
    sliders, summary, output = box.children
    effect, hidden, customers = sliders.children
    first = summary.value
    assert "true hazard ratio <b>0.70</b>" in first and len(output.outputs) == 1
    effect.value = 1.0
    assert "true hazard ratio <b>1.00</b>" in summary.value and summary.value != first
    with pytest.raises(ValueError, match="hidden must be"):
        widgets.outreach_explorer(hidden=2)
