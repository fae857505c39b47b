"""The scaffolding every explorer shares: sliders that recompute on release, a one-line
HTML summary, and an output area that holds exactly one figure.

An explorer is a list of controls and one plain function of their values that returns
the summary (HTML) and a matplotlib figure; :func:`explorer` wires them together and
draws once at once, so an executed notebook (papermill, nbconvert) shows a result
without anyone touching a slider, and nothing waits for input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["explorer", "float_slider", "int_slider", "show"]

_COMMON = {"continuous_update": False, "style": {"description_width": "initial"}}


def show(output: Any, fig: Any) -> None:
    """Put ``fig`` into ``output`` as its only content, then close it.

    The figure goes in by setting the widget's ``outputs`` (a plain state update)
    rather than through ``with output: display(...)``, whose output capture can leave
    a headless executor (papermill, nbclient) waiting forever (nbclient issue 312).
    """
    import matplotlib.pyplot as plt

    output.outputs = ()
    output.append_display_data(fig)
    plt.close(fig)


def float_slider(description: str, value: float, min: float, max: float, step: float,
                 readout_format: str = ".2f") -> ipywidgets.FloatSlider:
    """A float slider that recomputes only when released (``continuous_update=False``)."""
    import ipywidgets as w

    return w.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                         readout_format=readout_format, **_COMMON)


def int_slider(description: str, value: int, min: int, max: int, step: int = 1) -> ipywidgets.IntSlider:
    """An integer slider that recomputes only when released."""
    import ipywidgets as w

    return w.IntSlider(value=value, min=min, max=max, step=step, description=description, **_COMMON)


def explorer(controls: Sequence[Any], draw: Callable[[], tuple[str, Any]]) -> ipywidgets.VBox:
    """Wire ``controls`` to ``draw`` and draw once.

    Parameters
    ----------
    controls : sequence of ipywidgets
        The sliders; each change of value calls ``draw`` again.
    draw : callable
        ``draw() -> (summary_html, figure)``, reading the controls' current values.

    Returns
    -------
    ipywidgets.VBox
        ``children``: the control (or an HBox of the controls, when there are several),
        an ``HTML`` summary line and an ``Output`` holding the figure.
    """
    import ipywidgets as w

    summary = w.HTML()
    output = w.Output()

    def update(change: Any = None) -> None:
        summary.value, fig = draw()
        show(output, fig)

    for control in controls:
        control.observe(update, names="value")
    update()
    head = controls[0] if len(controls) == 1 else w.HBox(list(controls))
    return w.VBox([head, summary, output])
