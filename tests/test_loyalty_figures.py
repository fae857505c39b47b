"""Lesson 02's figures (cxlib.plots._loyalty) and explorer (cxlib.widgets._loyalty), on the Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cxlib import data, loyalty, plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def panel():
    return data.customer_panel(1500, rng=4)


def test_estimate_comparison(panel):
    table = loyalty.compare_estimates(panel)
    ax = plots.estimate_comparison(table)
    assert isinstance(ax, Axes)
    assert len(ax.containers) == 2  # one errorbar per estimate
    truth_lines = [line for line in ax.lines if list(line.get_xdata()) == [4.0, 4.0]]
    assert len(truth_lines) == 1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["naive", "adjusted"]
    assert "dollars" in ax.get_xlabel()
    # without a truth row there is no vertical line
    ax2 = plots.estimate_comparison(table.drop(index="truth"))
    assert not [line for line in ax2.lines if list(line.get_xdata()) == [4.0, 4.0]]
    with pytest.raises(ValueError, match="lacks the column\\(s\\) 'ci_low'"):
        plots.estimate_comparison(table.drop(columns="ci_low"))


def test_regression_diagnostics(panel):
    res = loyalty.fit("revenue ~ loyalty + tenure_months + C(segment)", panel.data)
    fig = plots.regression_diagnostics(res)
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["Residuals vs fitted", "Normal Q-Q", "Scale-location", "Residuals vs leverage"]
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    given = plt.figure()
    assert plots.regression_diagnostics(res, fig=given, max_points=200) is given
    with pytest.raises(TypeError, match="must be a fitted statsmodels OLS result"):
        plots.regression_diagnostics("not a result")


def test_count_fit(panel):
    cm = loyalty.count_models("orders ~ loyalty + tenure_months + C(segment)", panel.data)
    orders = panel.data["orders"]
    ax = plots.count_fit(orders, cm.poisson, cm.negbin, max_count=60)
    assert isinstance(ax, Axes)
    assert len(ax.patches) == 61 and len(ax.lines) == 2
    assert sum(p.get_height() for p in ax.patches) == (orders <= 60).sum()
    poisson_line, negbin_line = ax.lines
    # each model's expected counts add up to (almost) all customers over 0..60
    assert negbin_line.get_ydata().sum() == pytest.approx(len(orders), rel=0.05)
    assert poisson_line.get_ydata().sum() == pytest.approx(len(orders), rel=0.05)
    # with over-dispersion the Poisson model badly under-predicts zeros and ones
    assert poisson_line.get_ydata()[:2].sum() < 0.5 * negbin_line.get_ydata()[:2].sum()
    with pytest.raises(ValueError, match="counts has 10 values but the models were fitted on 1500"):
        plots.count_fit(orders[:10], cm.poisson, cm.negbin)


def test_binned_means_top_codes_and_matches_group_means():
    x = pd.Series([0, 0, 1, 1, 2, 5, 7, 3], name="early_repeats")
    y = pd.Series([1.0, 3.0, 2.0, 4.0, 10.0, 20.0, 40.0, 6.0], name="late_spend")
    ax = plots.binned_means(x, y, cap=3, ylabel="Mean later spend (dollars)")
    assert isinstance(ax, Axes)
    line = ax.lines[0]
    np.testing.assert_allclose(line.get_xdata(), [0, 1, 2, 3])
    np.testing.assert_allclose(line.get_ydata(), [2.0, 3.0, 10.0, 22.0])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["0", "1", "2", "3+"]
    assert [t.get_text() for t in ax.texts] == ["n=2", "n=2", "n=1", "n=3"]
    assert ax.get_xlabel() == "early_repeats" and ax.get_ylabel() == "Mean later spend (dollars)"
    with pytest.raises(ValueError, match="x must hold whole numbers"):
        plots.binned_means([0.5, 1.0], [1.0, 2.0])


def test_binned_means_on_cdnow():
    el = loyalty.early_and_late(data.load("cdnow_sample"))
    ax = plots.binned_means(el["early_repeats"], el["late_spend"], cap=5)
    assert len(ax.lines[0].get_xdata()) == 6


def test_confounding_curve_from_sweep_and_from_demo_rows():
    sweep = loyalty.confounding_sweep([0.0, 0.45, 0.9], n_customers=300, rng=1)
    ax = plots.confounding_curve(sweep)
    assert isinstance(ax, Axes)
    assert [line.get_label() for line in ax.lines] == ["naive", "adjusted", "truth"]
    assert len(ax.collections) == 2  # two CI bands
    rows = pd.concat([loyalty.confounding_demo(c, n_customers=300, rng=1).summary() for c in (0.0, 0.5)])
    ax2 = plots.confounding_curve(rows)
    assert len(ax2.lines) == 3 and len(ax2.collections) == 2
    np.testing.assert_allclose(ax2.lines[0].get_ydata(), rows["naive"])


# ---------------------------------------------------------------------------
# widgets
# ---------------------------------------------------------------------------


def test_confounding_explorer(capsys):
    import ipywidgets as w

    from cxlib.widgets import confounding_explorer

    box = confounding_explorer(n_customers=400, rng=2)
    assert isinstance(box, w.VBox)
    slider, summary, output = box.children
    assert isinstance(slider, w.FloatSlider) and isinstance(summary, w.HTML) and isinstance(output, w.Output)
    assert (slider.min, slider.max, slider.value) == (0.0, 0.95, 0.6)
    assert slider.continuous_update is False
    assert "confounding 0.60" in summary.value
    slider.value = 0.9  # the callback re-estimates
    expected = loyalty.confounding_demo(0.9, n_customers=400, rng=2)
    assert "confounding 0.90" in summary.value
    assert f"naive {expected.naive:.2f}" in summary.value
    assert f"adjusted {expected.adjusted:.2f}" in summary.value
    assert not plt.get_fignums()  # figures are closed after being displayed
    with pytest.raises(ValueError, match="value must be a finite number >= 0 and <= 0.95; got 5.0"):
        confounding_explorer(value=5)
    with pytest.raises(TypeError, match="rng must be None"):
        confounding_explorer(rng="abc")
