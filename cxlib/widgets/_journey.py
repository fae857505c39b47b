"""The explorer of lesson 08: the drop-off at one touchpoint against overall conversion and the
removal effects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxlib import params as check
from cxlib.widgets._base import explorer, float_slider

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["journey_explorer"]


def journey_explorer(touchpoint: str = "checkout", exit_probability: float = 0.45, *,
                     checkout_drop: float = 0.45) -> ipywidgets.VBox:
    """A menu for a touchpoint and a slider for its drop-off; redraws the conversion probability and
    every touchpoint's removal effect in the true journey chain of :func:`cxlib.data.journey_log`.

    All numbers are exact (absorbing-chain algebra on the true matrix with the touchpoint's
    chance of giving up set to the slider: :meth:`cxlib.journey.MarkovModel.with_exit`).

    Parameters
    ----------
    touchpoint : str, default "checkout"
        Starting touchpoint (one of :data:`cxlib.data.TOUCHPOINTS`).
    exit_probability : float, default 0.45
        Starting drop-off, 0 to 0.95.
    checkout_drop : float, default 0.45
        The checkout drop-off of the chain the other touchpoints keep, 0 to 0.95.

    Returns
    -------
    ipywidgets.VBox
        ``children``: an HBox of the menu and the slider, an HTML summary line and an Output
        holding the figure.

    Examples
    --------
    >>> from cxlib.widgets import journey_explorer
    >>> box = journey_explorer()
    >>> controls, summary, output = box.children
    >>> menu, slider = controls.children
    >>> slider.value = 0.2
    >>> "drop-off 0.20" in summary.value
    True
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    import pandas as pd

    from cxlib import data, journey, plots

    start = check.choice("touchpoint", touchpoint, data.TOUCHPOINTS)
    x0 = check.real("exit_probability", exit_probability, min=0, max=0.95)
    base_model = journey.MarkovModel.from_matrix(data.journey_matrix(checkout_drop))
    base = base_model.conversion_probability()
    base_re = journey.removal_effects(base_model)["removal_effect"]
    menu = w.Dropdown(options=list(data.TOUCHPOINTS), value=start, description="touchpoint")
    slider = float_slider("drop-off", x0, 0.0, 0.95, 0.05)

    def draw() -> tuple[str, Any]:
        model = base_model.with_exit(menu.value, slider.value)
        p = model.conversion_probability()
        re = journey.removal_effects(model)["removal_effect"]
        html = (f"<b>{menu.value}</b> with drop-off {slider.value:.2f}: conversion probability <b>{p:.3f}</b> "
                f"(the journey as it is: {base:.3f}, {p / base - 1:+.0%})")
        fig, ax = plt.subplots(figsize=(8, 3.6))
        plots.credit_comparison(pd.DataFrame({"as it is": base_re, f"{menu.value} at {slider.value:.2f}": re}),
                                ax=ax, xlabel="removal effect (share of conversions lost without the touchpoint)")
        fig.tight_layout()
        return html, fig

    return explorer([menu, slider], draw)
