"""The explorer of lesson 02: how confounding biases the naive loyalty effect."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as check
from cxlib._rng import seed_from
from cxlib.widgets._base import explorer, float_slider

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["confounding_explorer"]


def confounding_explorer(
    *,
    n_customers: int = 2000,
    rng: None | int | np.random.Generator = 0,
    value: float = 0.6,
    **panel_kwargs: Any,
) -> ipywidgets.VBox:
    """A slider for confounding that re-estimates the loyalty effect and redraws.

    Moving the slider simulates a new panel with that confounding (the same random
    draws every time: one seed, common random numbers) and shows the naive and
    adjusted estimates, with 95% HC3 intervals, against the true effect.  The
    computation is :func:`cxlib.loyalty.confounding_demo`.

    Parameters
    ----------
    n_customers : int, default 2000
        Customers per simulated panel.
    rng : None, int or numpy.random.Generator, default 0
        Seed.  A Generator or ``None`` is used once to draw the seed.
    value : float, default 0.6
        Initial confounding, 0 to 0.95.
    **panel_kwargs
        Further arguments of :func:`cxlib.data.customer_panel` (``loyalty_effect``,
        ``tenure_effect``, ...), so the explorer matches the lesson's parameters.

    Returns
    -------
    ipywidgets.VBox
        ``children`` are the ``FloatSlider`` (0 to 0.95), an ``HTML`` line with the
        numbers, and an ``Output`` holding the figure.  The slider only recomputes
        when released (``continuous_update=False``).

    Raises
    ------
    TypeError, ValueError
        For bad arguments (as in :func:`cxlib.data.customer_panel`).

    Examples
    --------
    >>> from cxlib.widgets import confounding_explorer
    >>> box = confounding_explorer(n_customers=500)
    >>> slider, summary, output = box.children
    >>> slider.value = 0.9  # re-estimates and redraws
    >>> print(summary.value)
    <b>confounding 0.90</b>: naive 10.57 (95% CI 7.60 to 13.54), adjusted 2.74 (-2.26 to 7.74), truth 4.00 dollars per loyalty point
    """
    import matplotlib.pyplot as plt

    from cxlib import loyalty, plots

    n_customers = check.integer("n_customers", n_customers, min=10, max=10_000_000)
    value = check.real("value", value, min=0, max=0.95)
    seed = seed_from(rng)
    slider = float_slider("confounding", value, 0.0, 0.95, 0.05)

    def draw() -> tuple[str, Any]:
        res = loyalty.confounding_demo(slider.value, n_customers=n_customers, rng=seed, **panel_kwargs)
        (lo_n, hi_n), (lo_a, hi_a) = res.naive_ci, res.adjusted_ci
        html = (
            f"<b>confounding {res.confounding:.2f}</b>: "
            f"naive {res.naive:.2f} (95% CI {lo_n:.2f} to {hi_n:.2f}), "
            f"adjusted {res.adjusted:.2f} ({lo_a:.2f} to {hi_a:.2f}), "
            f"truth {res.truth:.2f} dollars per loyalty point"
        )
        fig, ax = plt.subplots(figsize=(6.4, 2.6))
        plots.estimate_comparison(res.estimates, ax=ax)
        # Fixed limits, so that moving the slider moves the points, not the axis.
        ax.set_xlim(min(0.0, lo_a - 0.5), max(3 * res.truth + 1, hi_n + 0.5))
        ax.set_title(f"confounding = {res.confounding:.2f}")
        fig.tight_layout()
        return html, fig

    return explorer([slider], draw)
