"""The lesson-08 figures and explorer: each draws what it is given, and refuses bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cxlib import data, journey, plots, widgets  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_journey_map_draws_the_strong_transitions_only():
    matrix = data.journey_matrix()
    ax = plots.journey_map(matrix, threshold=0.5)
    strong = int(((matrix >= 0.5) & (matrix.index.to_numpy()[:, None] != matrix.columns.to_numpy())).to_numpy()
                 [:-2, :-1].sum())  # not from the absorbing states, not to (null)
    assert len(ax.patches) == strong


def test_journey_map_arrows_end_at_the_edges_of_their_boxes():
    """No arrow runs under a box (its head would be hidden), and each reaches its target box: the
    arrow's outline stays outside every state's box, its head within a few pixels of one."""
    ax = plots.journey_map(data.journey_matrix())
    ax.figure.canvas.draw()
    boxes = [t.get_bbox_patch().get_window_extent() for t in ax.texts if t.get_zorder() == 3]
    assert len(boxes) == 9  # seven touchpoints, (start) and (conversion)
    for arrow in ax.patches:
        points = ax.transData.transform(arrow.get_path().vertices)
        for box in boxes:
            inside = ((points[:, 0] > box.x0 + 2) & (points[:, 0] < box.x1 - 2)
                      & (points[:, 1] > box.y0 + 2) & (points[:, 1] < box.y1 - 2))
            assert not inside.any(), f"an arrow runs under the box at {box}"
        gap = min(np.hypot(np.maximum(0, np.maximum(box.x0 - points[:, 0], points[:, 0] - box.x1)),
                           np.maximum(0, np.maximum(box.y0 - points[:, 1], points[:, 1] - box.y1))).min()
                  for box in boxes)
        assert gap < 6, f"an arrow ends {gap:.0f} px from any box"


def test_journey_map_on_a_figure_of_another_backend():
    """The boxes are measured with the figure's own renderer, not Agg's (an SVG canvas has none)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    fig = plt.figure()
    FigureCanvasSVG(fig)
    ax = plots.journey_map(data.journey_matrix(), ax=fig.add_subplot())
    assert len(ax.patches) > 0


def test_credit_and_drop_off_figures_draw_their_numbers():
    m = journey.MarkovModel.from_matrix(data.journey_matrix())
    drops = journey.drop_off(m)
    ax = plots.drop_off_bars(drops)
    widths = sorted(p.get_width() for p in ax.patches)
    np.testing.assert_allclose(widths, sorted(drops["exit_probability"]))
    t = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 0.0]}, index=["x", "y"])
    ax = plots.credit_comparison(t, truth={"x": 2.0, "y": 1.0})
    assert [p.get_width() for p in ax.containers[1]] == [3.0, 0.0]


def test_recovery_curve_and_bad_input():
    ax = plots.recovery_curve(pd.DataFrame({"customers": [100, 400], "max_error": [0.2, 0.1]}))
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="table lacks the column"):
        plots.recovery_curve(pd.DataFrame({"customers": [1]}))
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        plots.drop_off_bars([1])


def test_journey_explorer_recomputes_exactly():
    box = widgets.journey_explorer("checkout", 0.45)
    controls, summary, output = box.children
    menu, slider = controls.children
    slider.value = 0.1
    m = journey.MarkovModel.from_matrix(data.journey_matrix()).with_exit("checkout", 0.1)
    assert f"<b>{m.conversion_probability():.3f}</b>" in summary.value
    with pytest.raises(ValueError, match="touchpoint 'cart' is not known"):
        widgets.journey_explorer("cart")
