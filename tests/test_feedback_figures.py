"""The lesson-03 pieces around the engine: explore (the widget callback), plots, widget."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxlib import feedback, plots  # noqa: E402

SMALL = feedback.Params(n_customers=400, n_periods=12, acquisition=5)


def test_explore_is_compare_with_the_three_levers_replaced():
    out = feedback.explore(0.5, 20, 2, params=SMALL, n_runs=4, rng=7)
    runs = feedback.compare(SMALL.replace(feedback_rate=0.5, action_capacity=20, action_delay=2), n_runs=4, rng=7)
    expected = feedback.bands(runs, "quality")
    got = out[out["metric"] == "quality"].drop(columns="metric").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    assert set(out["metric"]) == {"active", "quality", "cum_profit"}
    assert len(out) == 3 * 2 * SMALL.n_periods


def test_explore_levers_move_the_outcome_the_right_way():
    def final_quality(rate, cap, delay):
        out = feedback.explore(rate, cap, delay, params=SMALL.replace(n_periods=20), n_runs=3, rng=1)
        q = out[(out["metric"] == "quality") & (out["policy"] == "listening")]
        return q["mean"].iloc[-1]

    q0 = SMALL.initial_quality
    assert final_quality(0.0, 50, 0) == q0, "nothing voiced: nothing to act on"
    assert final_quality(0.5, 0, 0) == q0, "no capacity: nothing acted on"
    assert final_quality(0.5, 100, 15) < final_quality(0.5, 100, 0), "a longer delay leaves less time to improve"
    assert final_quality(0.5, 100, 0) > final_quality(0.5, 10, 0) > q0


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"feedback_rate": 1.5}, ValueError, "feedback_rate must be a probability between 0 and 1; got 1.5"),
        ({"action_capacity": -1}, ValueError, "action_capacity must be an integer between 0 and 10000000; got -1"),
        ({"action_delay": 2.5}, TypeError, "action_delay must be an integer between 0 and 520; got 2.5 (float)"),
    ],
)
def test_explore_bad_levers(kwargs, exc, message):
    levers = {"feedback_rate": 0.3, "action_capacity": 50, "action_delay": 4, **kwargs}
    with pytest.raises(exc) as info:
        feedback.explore(**levers, params=SMALL, n_runs=2, rng=1)
    assert str(info.value) == message


def test_feedback_diagram_marks_loops_and_signs():
    ax = plots.feedback_diagram()
    texts = [t.get_text() for t in ax.texts]
    for node in ("Quality", "Problems", "Feedback\nbacklog", "Satisfaction", "Customers", "Churn", "Referrals"):
        assert node in texts
    assert texts.count("B") == 1 and texts.count("R") == 1 and "||" in texts
    assert texts.count("+") >= 8 and texts.count("-") >= 4
    assert len(ax.patches) >= 4 + 13  # stocks and arrows
    plt.close("all")


def test_trajectory_bands_draws_one_line_and_band_per_policy():
    runs = feedback.compare(SMALL, n_runs=3, rng=2)
    frame = feedback.bands(runs, "active")
    ax = plots.trajectory_bands(frame, ylabel="customers")
    assert [line.get_label() for line in ax.lines] == ["listening", "not listening"]
    listening = frame[frame["policy"] == "listening"].sort_values("period")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), listening["mean"])
    assert len(ax.collections) == 2 and ax.get_ylabel() == "customers"
    with pytest.raises(ValueError, match="lacks the column"):
        plots.trajectory_bands(frame.drop(columns="low"))
    plt.close("all")


def test_feedback_explorer_redraws_through_its_callback():
    import ipywidgets as w

    from cxlib.widgets import feedback_explorer

    box = feedback_explorer(SMALL, n_runs=3, rng=4)
    sliders, summary, output = box.children
    rate, capacity, delay = sliders.children
    assert isinstance(capacity, w.IntSlider) and capacity.value == SMALL.action_capacity
    assert (rate.value, delay.value) == (SMALL.feedback_rate, SMALL.action_delay)
    assert all(s.continuous_update is False for s in (rate, capacity, delay))
    capacity.value = 0
    expected = feedback.explore(rate.value, 0, delay.value, params=SMALL, n_runs=3, rng=4)
    end = expected[(expected["metric"] == "active") & (expected["period"] == SMALL.n_periods)]
    listening = end.set_index("policy").loc["listening", "mean"]
    assert f"customers {listening:,.0f} listening" in summary.value
    assert not plt.get_fignums()
    with pytest.raises(ValueError, match="n_runs must be an integer between 1 and 1000; got 0"):
        feedback_explorer(SMALL, n_runs=0)
    with pytest.raises(TypeError, match="params must be a cxlib.feedback.Params"):
        feedback_explorer({"n_customers": 10})
