"""Lesson 04's pieces around the engine: explore_policy (the explorer's callback), the
figures (each draws the numbers it is given) and the mindset explorer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from cxlib import feedback, plots  # noqa: E402
from cxlib.plots._feedback import COLORS  # noqa: E402

SMALL = feedback.Params(n_customers=400, n_periods=10, acquisition=5, share_revenue=0.2, share_technical=0.3,
                        action_capacity=5)
TWO = [feedback.Policy.fixed(), feedback.Policy.customer_centric()]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------------------
# explore_policy: the explorer's plain callback
# ---------------------------------------------------------------------------


def test_explore_policy_is_policy_summary_of_compare_with_the_levers():
    out = feedback.explore_policy(0.5, 0.6, 0.3, "technical", 2, params=SMALL, policies=TWO, n_runs=3, rng=5)
    mine = feedback.Policy("your policy", act_share=1.0, recovery=0.6, capacity_share=0.5, priority="technical",
                           extra_delay=2, generosity=0.3)
    runs = feedback.compare(SMALL, [mine, *TWO], 3, rng=5)
    expected = feedback.policy_summary(runs, baseline="your policy",
                                       metrics=("profit", "clv", "retention", "final_satisfaction"))
    pd.testing.assert_frame_equal(out, expected)
    assert out["policy"].iloc[0] == feedback.YOUR_POLICY
    assert (out.loc[out["policy"] == feedback.YOUR_POLICY, ["diff", "diff_se"]] == 0).all().all()


def test_explore_policy_with_the_levers_of_a_named_policy_reproduces_it():
    centric = feedback.Policy.customer_centric()
    out = feedback.explore_policy(centric.capacity_share, centric.recovery, centric.generosity, centric.priority,
                                  centric.extra_delay, params=SMALL, policies=TWO, n_runs=3, rng=2,
                                  metrics=("profit",))
    row = out.set_index("policy").loc["customer centric"]
    assert row["diff"] == 0 and row["diff_se"] == 0  # same levers, same random numbers: the same runs


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"recovery": 1.5}, ValueError, "recovery must be a probability between 0 and 1; got 1.5"),
        ({"generosity": -0.1}, ValueError, "generosity must be a probability between 0 and 1; got -0.1"),
        ({"priority": "money"}, ValueError, "priority 'money' is not"),
        ({"extra_delay": 2.5}, TypeError, "extra_delay must be an integer"),
        ({"n_runs": 1}, ValueError, "n_runs must be an integer between 2 and 1000; got 1"),
        ({"policies": [feedback.Policy.fixed().replace(name="your policy")]}, ValueError,
         "policies[0] is named 'your policy'"),
        ({"policies": ["fixed"]}, TypeError, "policies[0] must be a cxlib.feedback.Policy; got 'fixed' (str)"),
        ({"params": {"n_customers": 10}}, TypeError, "params must be a cxlib.feedback.Params"),
    ],
)
def test_explore_policy_bad_input(kwargs, exc, message):
    levers = {"params": SMALL, "n_runs": 2, "rng": 1, **kwargs}
    with pytest.raises(exc) as info:
        feedback.explore_policy(**levers)
    assert message in str(info.value)


# ---------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------


def _bands(runs, metrics=("active", "cum_profit")):
    return pd.concat([feedback.bands(runs, m).assign(metric=m) for m in metrics], ignore_index=True)


def test_policy_trajectories_draws_each_policy_mean_in_its_colour_on_each_panel():
    runs = feedback.compare(SMALL, TWO, n_runs=3, rng=1)
    frame = _bands(runs)
    fig = plots.policy_trajectories(frame, {"active": "customers", "cum_profit": "cumulative profit ($)"},
                                    order=["fixed", "customer centric"])
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_ylabel() for ax in axes] == ["customers", "cumulative profit ($)"]
    for ax, metric in zip(axes, ("active", "cum_profit")):
        assert [line.get_label() for line in ax.lines] == ["fixed", "customer centric"]
        for line in ax.lines:
            want = frame[(frame["metric"] == metric) & (frame["policy"] == line.get_label())].sort_values("period")
            np.testing.assert_allclose(line.get_ydata(), want["mean"])
            assert to_hex(line.get_color()) == COLORS[line.get_label()].lower()
        assert ax.get_legend() is None and len(ax.collections) == 2
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["fixed", "customer centric"]
    # large amounts read as amounts: thousands separators, no offset or exponent
    assert "," in axes[1].yaxis.get_major_formatter()(123456.0, 0)


def test_policy_trajectories_checks_its_input():
    frame = _bands(feedback.compare(SMALL, TWO, n_runs=2, rng=1))
    with pytest.raises(ValueError, match="lacks the column"):
        plots.policy_trajectories(frame.drop(columns="metric"))
    with pytest.raises(ValueError, match="metrics 'quality' is not"):
        plots.policy_trajectories(frame, ["quality"])
    with pytest.raises(ValueError, match="order must list every policy"):
        plots.policy_trajectories(frame, order=["fixed"])
    fig = plots.policy_trajectories(frame, ["active"])  # one panel
    assert sum(ax.get_visible() for ax in fig.axes) == 1


SUMMARY = pd.DataFrame({
    "policy": ["customer centric", "fixed", "technical"] * 2,
    "metric": ["profit"] * 3 + ["clv"] * 3,
    "mean": [100.0, 120.0, 110.0, 50.0, 40.0, 45.0],
    "se": [2.0, 3.0, 1.0, 0.5, 0.4, 0.2],
    "diff": [0.0, 20.0, 10.0, 0.0, -10.0, -5.0],
    "diff_se": [0.0, 1.0, 2.0, 0.0, 0.5, 0.1],
    "diff_se_independent": [0.0, 4.0, 3.0, 0.0, 0.7, 0.6],
})


def _bar(container):
    """(x, y, half-width) of an errorbar container with horizontal bars."""
    data, _, (bars,) = container.lines
    (x0, y), (x1, _) = bars.get_segments()[0]
    return float(data.get_xdata()[0]) if data is not None else (x0 + x1) / 2, float(y), (x1 - x0) / 2


def test_policy_intervals_draws_means_and_z_standard_errors():
    fig = plots.policy_intervals(SUMMARY, {"profit": "profit ($)", "clv": "CLV ($)"}, z=2.0)
    assert [ax.get_xlabel() for ax in fig.axes] == ["profit ($)", "CLV ($)"]
    for ax, metric in zip(fig.axes, ("profit", "clv")):
        rows = SUMMARY[SUMMARY["metric"] == metric]
        for i, (container, row) in enumerate(zip(ax.containers, rows.itertuples())):
            x, y, half = _bar(container)
            assert (x, y) == (row.mean, i) and half == pytest.approx(2.0 * row.se)
            assert to_hex(container.lines[0].get_color()) == COLORS[row.policy].lower()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["customer centric", "fixed", "technical"]


def test_policy_differences_draws_paired_and_independent_intervals():
    fig = plots.policy_differences(SUMMARY, ["profit", "clv"], z=1.0)
    for ax, metric in zip(fig.axes, ("profit", "clv")):
        assert ax.get_title() == "difference from customer centric"
        rows = SUMMARY[(SUMMARY["metric"] == metric) & (SUMMARY["policy"] != "customer centric")]
        pairs = [ax.containers[k:k + 2] for k in range(0, len(ax.containers), 2)]
        assert len(pairs) == len(rows) == 2
        for i, ((independent, paired), row) in enumerate(zip(pairs, rows.itertuples())):
            assert _bar(paired) == (row.diff, i, pytest.approx(row.diff_se))
            _, y, half = _bar(independent)
            assert y == i and half == pytest.approx(row.diff_se_independent)
        assert [float(x) for x in ax.lines[-1].get_xdata()] == [0.0, 0.0]  # the line of no difference
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["fixed", "technical"]
    with pytest.raises(ValueError, match="baseline cannot be told"):
        plots.policy_differences(SUMMARY.assign(diff=0.0, diff_se=0.0, diff_se_independent=0.0))
    with pytest.raises(ValueError, match="baseline 'listening' is not"):
        plots.policy_differences(SUMMARY, baseline="listening")


def test_sweep_map_colours_each_cell_by_its_category_and_writes_its_text():
    table = pd.DataFrame({"price": [10, 40, 10, 40], "referral_rate": [0.01, 0.01, 0.05, 0.05],
                          "best": ["fixed", "customer centric", None, "customer centric"],
                          "gap": ["-5", "+1", "", "+2"]})
    ax = plots.sweep_map(table, "price", "referral_rate", "best", "gap", xlabel="price")
    assert len(ax.patches) == 4 and [t.get_text() for t in ax.texts] == ["-5", "+1", "", "+2"]
    where = {(p.get_x() + 0.5, p.get_y() + 0.5): to_hex(p.get_facecolor()) for p in ax.patches}
    assert where[(0, 0)] == COLORS["fixed"].lower() and where[(1, 0)] == COLORS["customer centric"].lower()
    assert where[(0, 1)] == "#bbbbbb"  # a failed run: missing
    assert [t.get_text() for t in ax.get_xticklabels()] == ["10", "40"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.01", "0.05"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["fixed", "customer centric", "missing"]
    assert ax.get_xlabel() == "price" and ax.get_ylabel() == "referral_rate"
    custom = plots.sweep_map(table, "price", "referral_rate", "best", colors={"fixed": "#000000"})
    assert to_hex(custom.patches[0].get_facecolor()) == "#000000" and not custom.texts
    with pytest.raises(ValueError, match="more than one row"):
        plots.sweep_map(pd.concat([table, table]), "price", "referral_rate", "best")


def test_generosity_plot_draws_the_differences_breakeven_and_limit():
    curve = pd.DataFrame({"generosity": [0.0, 0.5, 1.0], "profit_diff": [0.0, -10.0, 5.0],
                          "profit_diff_se": [0.0, 1.0, 2.0], "clv_diff": [0.0, 1.0, 2.0],
                          "clv_diff_se": [0.0, 0.5, 0.5]})
    other = curve.assign(profit_diff=[0.0, -20.0, -30.0])
    fig = plots.generosity_plot({"with": curve, "without": other}, breakeven={"with": 0.8, "without": None},
                                limit={"profit": (-7.0, 1.5)}, z=2.0)
    profit, clv = fig.axes
    assert [line.get_label() for line in profit.lines[:2]] == ["with", "without"]
    np.testing.assert_allclose(profit.lines[0].get_ydata(), [0.0, -10.0, 5.0])
    np.testing.assert_allclose(profit.lines[1].get_ydata(), [0.0, -20.0, -30.0])
    band = profit.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() == pytest.approx(-12.0) and band[:, 1].max() == pytest.approx(9.0)  # +- 2 SE
    vertical = [line for line in profit.lines if list(line.get_xdata()) == [0.8, 0.8]]
    assert len(vertical) == 1  # one break-even, the other curve has none
    (container,) = profit.containers
    assert float(container.lines[0].get_xdata()[0]) == 1.0 and float(container.lines[0].get_ydata()[0]) == -7.0
    (_, y0), (_, y1) = container.lines[2][0].get_segments()[0]
    assert (y0, y1) == pytest.approx((-10.0, -4.0))
    assert not clv.containers  # the limit was given for profit only
    np.testing.assert_allclose(clv.lines[0].get_ydata(), [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="lacks the column"):
        plots.generosity_plot(curve.drop(columns="clv_diff_se"))


def test_generosity_plot_draws_each_breakeven_in_the_colour_of_its_curve():
    curve = pd.DataFrame({"generosity": [0.0, 0.5, 1.0], "profit_diff": [0.0, -10.0, 5.0],
                          "profit_diff_se": [0.0, 1.0, 2.0], "clv_diff": [0.0, 1.0, 2.0],
                          "clv_diff_se": [0.0, 0.5, 0.5]})
    other = curve.assign(profit_diff=[0.0, 5.0, -10.0])
    # only the second curve has a break-even: its line takes the second curve's colour, not the first's
    fig = plots.generosity_plot({"with": curve, "without": other}, breakeven={"without": 0.7})
    profit = fig.axes[0]
    (vertical,) = [line for line in profit.lines if list(line.get_xdata()) == [0.7, 0.7]]
    assert to_hex(vertical.get_color()) == to_hex(profit.lines[1].get_color())
    assert to_hex(vertical.get_color()) != to_hex(profit.lines[0].get_color())
    with pytest.raises(ValueError, match="breakeven"):
        plots.generosity_plot({"with": curve}, breakeven={"wiht": 0.5})


def test_generosity_plot_of_a_real_curve():
    curve = feedback.generosity_curve(SMALL, levels=[0, 0.5, 1], n_runs=2, rng=1)
    fig = plots.generosity_plot(curve, ["profit"])
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), curve["profit_diff"])


# ---------------------------------------------------------------------------
# the explorer
# ---------------------------------------------------------------------------


def test_mindset_explorer_redraws_through_its_callback():
    import ipywidgets as w

    from cxlib.widgets import mindset_explorer

    box = mindset_explorer(SMALL, n_runs=3, rng=4)
    controls, summary, output = box.children
    capacity, priority, recovery, generosity, delay = controls.children
    centric = feedback.Policy.customer_centric()
    assert isinstance(priority, w.Dropdown) and priority.value == centric.priority
    assert (capacity.value, recovery.value, generosity.value, delay.value) == (
        centric.capacity_share, centric.recovery, centric.generosity, centric.extra_delay)
    assert all(c.continuous_update is False for c in (capacity, recovery, generosity, delay))
    priority.value = "technical"
    generosity.value = 0.0
    expected = feedback.explore_policy(centric.capacity_share, centric.recovery, 0.0, "technical",
                                       centric.extra_delay, params=SMALL, n_runs=3, rng=4, metrics=("profit", "clv"))
    mine = expected[expected["policy"] == feedback.YOUR_POLICY].set_index("metric")["mean"]
    assert f"profit <b>${mine['profit']:,.0f}</b>" in summary.value
    assert f"CLV <b>${mine['clv']:,.0f}</b>" in summary.value
    assert len(output.outputs) == 1 and not plt.get_fignums()
    with pytest.raises(ValueError, match="n_runs must be an integer between 2 and 1000; got 1"):
        mindset_explorer(SMALL, n_runs=1)
    with pytest.raises(TypeError, match="params must be a cxlib.feedback.Params"):
        mindset_explorer({"n_customers": 10})
