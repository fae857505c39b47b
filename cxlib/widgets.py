"""ipywidgets explorers for the lessons.

Each explorer is a thin layer over a plain, tested function (here
:func:`cxlib.loyalty.confounding_demo`); ipywidgets and matplotlib are imported only
when an explorer is built.  The explorers draw once when built, so an executed
notebook (papermill, nbconvert) shows a result without anyone touching a slider, and
nothing in them waits for input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._rng import seed_from

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["confounding_explorer"]


def _summary_html(res: dict[str, Any]) -> str:
    lo_n, hi_n = res["naive_ci"]
    lo_a, hi_a = res["adjusted_ci"]
    return (
        f"<b>confounding {res['confounding']:.2f}</b>: "
        f"naive {res['naive']:.2f} (95% CI {lo_n:.2f} to {hi_n:.2f}), "
        f"adjusted {res['adjusted']:.2f} ({lo_a:.2f} to {hi_a:.2f}), "
        f"truth {res['truth']:.2f} dollars per loyalty point"
    )


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
    >>> box = confounding_explorer(n_customers=500)  # doctest: +SKIP
    >>> slider, summary, output = box.children  # doctest: +SKIP
    >>> slider.value = 2.0  # re-estimates and redraws  # doctest: +SKIP
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    from cxlib import loyalty, plots

    n_customers = params.integer("n_customers", n_customers, min=10, max=10_000_000)
    value = params.real("value", value, min=0, max=0.95)
    seed = seed_from(rng)

    slider = w.FloatSlider(
        value=value,
        min=0.0,
        max=0.95,
        step=0.05,
        description="confounding",
        continuous_update=False,
        readout_format=".2f",
        style={"description_width": "initial"},
    )
    summary = w.HTML()
    output = w.Output()

    def update(change: Any = None) -> None:
        res = loyalty.confounding_demo(
            slider.value, n_customers=n_customers, rng=seed, **panel_kwargs
        )
        summary.value = _summary_html(res)
        import pandas as pd

        table = pd.DataFrame(
            {
                "estimate": [res["naive"], res["adjusted"], res["truth"]],
                "ci_low": [res["naive_ci"][0], res["adjusted_ci"][0], np.nan],
                "ci_high": [res["naive_ci"][1], res["adjusted_ci"][1], np.nan],
            },
            index=["naive", "adjusted", "truth"],
        )
        with output:
            output.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(6.4, 2.6))
            plots.estimate_comparison(table, ax=ax)
            # Fixed limits, so that moving the slider moves the points, not the axis.
            ax.set_xlim(min(0.0, res["adjusted_ci"][0] - 0.5), max(3 * res["truth"] + 1, res["naive_ci"][1] + 0.5))
            ax.set_title(f"confounding = {res['confounding']:.2f}")
            fig.tight_layout()
            display(fig)
            plt.close(fig)

    slider.observe(update, names="value")
    update()
    return w.VBox([slider, summary, output])
