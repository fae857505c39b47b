"""The lesson-05 pieces around the models: retention_value (the widget callback), its plot, the explorer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cxlib import clv, plots  # noqa: E402


def test_retention_value_is_margin_times_the_margin_multiple():
    out = clv.retention_value(80, 0.12, [0.0, 0.5, 0.9], paid="start")
    assert out.columns.tolist() == ["retention", "margin_multiple", "value"]
    np.testing.assert_allclose(out["margin_multiple"],
                               clv.margin_multiple(np.array([0.0, 0.5, 0.9]), 0.12, paid="start"))
    np.testing.assert_allclose(out["value"], 80 * out["margin_multiple"])
    assert out["value"].iloc[0] == 80, "no retention: only the current margin"
    end = clv.retention_value(80, 0.12, [0.9])
    assert end["value"].iloc[0] == pytest.approx(out["value"].iloc[2] - 80), "paid at the end: one margin less"


def test_retention_value_default_grid_rises_and_discount_lowers_it():
    low, high = clv.retention_value(100, 0.05), clv.retention_value(100, 0.2)
    assert len(low) == 100 and low["retention"].iloc[0] == 0 and low["retention"].iloc[-1] == 0.99
    assert np.all(np.diff(low["value"]) > 0)
    assert np.all(high["value"].iloc[1:].to_numpy() < low["value"].iloc[1:].to_numpy())
    no_discount = clv.retention_value(1, 0.0, [0.8], paid="start")
    assert no_discount["value"].iloc[0] == pytest.approx(5.0), "expected lifetime 1 / (1 - r)"


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"margin": -1}, ValueError, "margin must be"),
        ({"discount": 1.5}, ValueError, "discount must be"),
        ({"retention": [0.5, 1.0]}, ValueError, "retention must be a retention rate >= 0 and < 1"),
        ({"retention": ["a"]}, TypeError, "retention must be"),
    ],
)
def test_retention_value_bad_arguments(kwargs, exc, message):
    args = {"margin": 100, "discount": 0.1, **kwargs}
    with pytest.raises(exc, match=message):
        clv.retention_value(**args)


def test_clv_by_retention_draws_the_curve_and_marks_the_rate():
    frame = clv.retention_value(100, 0.1, paid="start")
    ax = plots.clv_by_retention(frame, current=0.8)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), frame["value"])
    assert ax.lines[1].get_xdata()[0] == pytest.approx(0.8)
    assert ax.lines[1].get_ydata()[0] == pytest.approx(100 * clv.margin_multiple(0.8, 0.1, paid="start"))
    assert "$367 at 80%" in ax.texts[0].get_text()
    with pytest.raises(ValueError, match="lacks the column"):
        plots.clv_by_retention(frame.drop(columns="value"))
    plt.close("all")


def test_clv_explorer_redraws_through_its_callback():
    import ipywidgets as w

    from cxlib.widgets import clv_explorer

    box = clv_explorer(retention=0.7, margin=50, discount=0.08)
    sliders, summary, output = box.children
    retention, margin, discount = sliders.children
    assert all(isinstance(s, w.FloatSlider) and s.continuous_update is False for s in sliders.children)
    assert (retention.value, margin.value, discount.value) == (0.7, 50, 0.08)
    assert f"${50 * clv.margin_multiple(0.7, 0.08, paid='start'):,.0f}" in summary.value
    retention.value = 0.9
    assert f"<b>{clv.margin_multiple(0.9, 0.08, paid='start'):.2f}</b>" in summary.value
    margin.value = 200
    assert f"${200 * clv.margin_multiple(0.9, 0.08, paid='start'):,.0f}" in summary.value
    assert not plt.get_fignums()
    with pytest.raises(ValueError, match="retention must be"):
        clv_explorer(retention=0.99)
