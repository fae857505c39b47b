"""The lesson-07 figures and explorer: each draws the numbers it is given, and refuses bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxlib import data, offers, plots, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_arm_rates_draws_rates_intervals_and_truth():
    res = offers.compare_arms([30, 14, 16], [72, 74, 65], arms=["Joke", "Ad", "None"])
    ax = plots.arm_rates(res.arms, truth={"Joke": 0.4, "Ad": 0.2, "None": 0.25})
    np.testing.assert_allclose(ax.containers[0].lines[0].get_xdata(), res.arms["rate"])
    truth = [line for line in ax.lines if line.get_label() == "truth"][0]
    np.testing.assert_allclose(truth.get_xdata(), [0.4, 0.2, 0.25])


def test_segment_rates_draws_each_offer_in_each_segment():
    panel = data.offer_panel(3000, rng=2)
    table = offers.rate_table(panel.data, "offer", "responded", "segment")
    ax = plots.segment_rates(table, truth=panel.rate_table())
    np.testing.assert_allclose(ax.lines[0].get_ydata(), table["discount"])
    assert [t.get_text() for t in ax.get_xticklabels()] == list(data.OFFER_SEGMENTS)


def test_false_positives_and_regret_curves():
    sim = offers.peeking_simulation(500, looks=5, n_sims=200, rng=1)
    ax = plots.false_positives(sim, "looks", {"false_positive_rate": "peeking"})
    np.testing.assert_allclose(ax.lines[0].get_ydata(), sim["false_positive_rate"])
    res = {p: offers.simulate_bandit(p, [0.1, 0.2], 300, n_runs=10, rng=2) for p in ("fixed_split", "thompson")}
    ax = plots.regret_curves(res)
    curve = res["thompson"].regret_curve(points=300)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), curve["mean"])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: plots.arm_rates(pd.DataFrame({"rate": [0.1]})), ValueError, "table lacks the column"),
        (lambda: plots.segment_rates([1]), TypeError, "observed must be a pandas DataFrame"),
        (lambda: plots.regret_curves({}), TypeError, "results must be a non-empty dict"),
        (lambda: plots.false_positives(pd.DataFrame({"looks": [1]}), "looks", {"x": "y"}), ValueError,
         "table lacks the column"),
    ],
)
def test_figures_refuse_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_bandit_explorer_redraws_for_the_chosen_policy():
    box = widgets.bandit_explorer(horizon=300, n_runs=10)
    controls, summary, output = box.children
    a, b, c, horizon, policy = controls.children
    assert "<b>thompson</b>" in summary.value and len(output.outputs) == 1
    policy.value = "fixed_split"
    assert "<b>fixed_split</b>" in summary.value
    with pytest.raises(ValueError, match="policy 'greedy' is not known"):
        widgets.bandit_explorer(policy="greedy")
