"""The explorer of lesson 05: what retention, margin and discount do to a customer's value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxlib import params as check
from cxlib.widgets._base import explorer, float_slider

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["clv_explorer"]


def clv_explorer(retention: float = 0.8, margin: float = 100.0, discount: float = 0.1) -> ipywidgets.VBox:
    """Sliders for retention, margin and discount rate; redraws a customer's value.

    The value is :func:`cxlib.clv.retention_value` with margins paid at the start of
    each period (the current period's margin counts, undiscounted): ``margin * (1 + d)
    / (1 + d - r)``.  The curve covers all retention rates; the point marks the
    slider's rate.

    Parameters
    ----------
    retention : float, default 0.8
        Starting retention rate per period, 0 to 0.98.
    margin : float, default 100
        Starting margin per period ($), 0 to 1,000.
    discount : float, default 0.1
        Starting discount rate per period, 0 to 0.5.

    Returns
    -------
    ipywidgets.VBox
        ``children``: an HBox of the three sliders, an HTML summary line and an
        Output holding the figure.

    Examples
    --------
    >>> from cxlib.widgets import clv_explorer
    >>> box = clv_explorer()
    >>> sliders, summary, output = box.children
    >>> r_slider, m_slider, d_slider = sliders.children
    >>> r_slider.value = 0.9
    >>> print(summary.value)
    retention 90%, discount 10%: margin multiple <b>5.50</b>, value of a customer <b>$550</b> (expected lifetime 10.0 periods, undiscounted)
    """
    import matplotlib.pyplot as plt

    from cxlib import clv, plots

    retention = check.real("retention", retention, min=0, max=0.98)
    margin = check.real("margin", margin, min=0, max=1000)
    discount = check.real("discount", discount, min=0, max=0.5)
    r_slider = float_slider("retention", retention, 0.0, 0.98, 0.01)
    m_slider = float_slider("margin ($/period)", margin, 0.0, 1000.0, 10.0, readout_format=".0f")
    d_slider = float_slider("discount rate", discount, 0.0, 0.5, 0.01)

    def draw() -> tuple[str, Any]:
        frame = clv.retention_value(m_slider.value, d_slider.value, paid="start")
        multiple = clv.margin_multiple(r_slider.value, d_slider.value, paid="start")
        html = (
            f"retention {r_slider.value:.0%}, discount {d_slider.value:.0%}: margin multiple "
            f"<b>{multiple:.2f}</b>, value of a customer <b>${m_slider.value * multiple:,.0f}</b> "
            f"(expected lifetime {1 / (1 - r_slider.value):.1f} periods, undiscounted)"
        )
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
        plots.clv_by_retention(frame, ax=ax, current=r_slider.value)
        ax.set_ylim(0, max(1.0, 1.05 * float(frame["value"].max())))
        fig.tight_layout()
        return html, fig

    return explorer([r_slider, m_slider, d_slider], draw)
