"""The explorer of lesson 06: how the effect of outreach, the firm's targeting and the sample
size shape the naive, adjusted and randomised estimates of outreach."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as check
from cxlib._rng import seed_from
from cxlib.widgets._base import explorer, float_slider, int_slider

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["outreach_explorer"]


def outreach_explorer(
    hr_outreach: float = 0.7,
    hidden: float = 0.6,
    n_customers: int = 2000,
    *,
    outreach_share: float = 0.3,
    rng: None | int | np.random.Generator = 0,
) -> ipywidgets.VBox:
    """Sliders for the true effect of outreach, the hidden part of the firm's targeting and the
    sample size; redraws the five estimates of :func:`cxlib.churn.outreach_comparison` against the truth.

    Every position simulates the same customers (one seed, common random numbers) twice,
    once with random and once with targeted outreach, and fits the Cox models; the figure
    is :func:`cxlib.plots.hazard_ratio_forest`.

    Parameters
    ----------
    hr_outreach : float, default 0.7
        Starting true hazard ratio of outreach, 0.3 to 1.5.
    hidden : float, default 0.6
        Starting share of the firm's targeting that rests on unrecorded risk, 0 to 1.
    n_customers : int, default 2000
        Starting customers per business, 500 to 20,000.
    outreach_share : float, default 0.3
        Share of customers reached out to, 0.05 to 0.95 (fixed).
    rng : None, int or numpy.random.Generator, default 0
        Seed.  A Generator or ``None`` is used once to draw the seed.

    Returns
    -------
    ipywidgets.VBox
        ``children``: an HBox of the three sliders (effect, hidden, customers), an HTML
        summary line and an Output holding the figure.

    Examples
    --------
    >>> from cxlib.widgets import outreach_explorer
    >>> box = outreach_explorer(n_customers=1000)
    >>> sliders, summary, output = box.children
    >>> effect, hidden, customers = sliders.children
    >>> hidden.value = 0.0
    >>> "true hazard ratio <b>0.70</b>" in summary.value
    True
    """
    import matplotlib.pyplot as plt

    from cxlib import churn, plots

    hr_outreach = check.real("hr_outreach", hr_outreach, min=0.3, max=1.5)
    hidden = check.real("hidden", hidden, min=0, max=1)
    n_customers = check.integer("n_customers", n_customers, min=500, max=20_000)
    outreach_share = check.real("outreach_share", outreach_share, min=0.05, max=0.95)
    seed = seed_from(rng)
    e_slider = float_slider("true hazard ratio", hr_outreach, 0.3, 1.5, 0.05)
    h_slider = float_slider("hidden targeting", hidden, 0.0, 1.0, 0.1, ".1f")
    n_slider = int_slider("customers", n_customers, 500, 20_000, 500)

    def draw() -> tuple[str, Any]:
        comp = churn.outreach_comparison(n_slider.value, e_slider.value, h_slider.value, outreach_share,
                                         rng=seed)
        t = comp.table
        naive, rand = t["hazard_ratio"].iloc[1], t["hazard_ratio"].iloc[0]
        adj = t["hazard_ratio"].iloc[3]
        html = (
            f"true hazard ratio <b>{e_slider.value:.2f}</b>; randomised estimate <b>{rand:.2f}</b>; "
            f"targeted: naive <b>{naive:.2f}</b>, adjusted for every recorded column <b>{adj:.2f}</b>. "
            f"Churn during the study: {comp.reached['reached']:.0%} of those reached out to, "
            f"{comp.reached['not reached']:.0%} of the others."
        )
        fig, ax = plt.subplots(figsize=(9, 3.4))
        plots.hazard_ratio_forest(t, ax=ax)
        ax.set_title(f"{n_slider.value:,} customers, {outreach_share:.0%} reached out to", fontsize="medium")
        fig.tight_layout()
        return html, fig

    return explorer([e_slider, h_slider, n_slider], draw)
