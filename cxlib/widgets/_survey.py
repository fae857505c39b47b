"""The explorer of lesson 01: how the number of items, their loading and the sample size
shape Cronbach's alpha and its interval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as check
from cxlib._rng import seed_from
from cxlib.widgets._base import explorer, float_slider, int_slider

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["alpha_explorer"]


def alpha_explorer(
    n_items: int = 4,
    loading: float = 0.7,
    n_respondents: int = 200,
    *,
    n_points: int = 5,
    n_samples: int = 200,
    rng: None | int | np.random.Generator = 0,
) -> ipywidgets.VBox:
    """Sliders for the number of items, their loading and the sample size; redraws alpha against the truth.

    Each position simulates ``n_samples`` samples of a scale of tau-equivalent Likert items
    and computes alpha and Feldt's 95% interval in each (the same random draws every time:
    one seed, common random numbers).  The computation is :func:`cxlib.survey.alpha_demo`;
    the figure is :func:`cxlib.plots.alpha_sampling`.

    Parameters
    ----------
    n_items : int, default 4
        Starting number of items, 2 to 12.
    loading : float, default 0.7
        Starting loading of every item, 0.3 to 0.9.
    n_respondents : int, default 200
        Starting sample size, 20 to 1,000.
    n_points : int, default 5
        Answer points of the items, 2 to 11 (fixed).
    n_samples : int, default 200
        Samples per position, 10 to 1,000 (fixed).
    rng : None, int or numpy.random.Generator, default 0
        Seed.  A Generator or ``None`` is used once to draw the seed.

    Returns
    -------
    ipywidgets.VBox
        ``children``: an HBox of the three sliders (items, loading, respondents), an HTML
        summary line and an Output holding the figure.  The sliders recompute only when
        released.

    Raises
    ------
    TypeError, ValueError
        For a bad argument, naming it.

    Examples
    --------
    >>> from cxlib.widgets import alpha_explorer
    >>> box = alpha_explorer(n_samples=50)
    >>> sliders, summary, output = box.children
    >>> items, loading, respondents = sliders.children
    >>> items.value = 8
    >>> print(summary.value)
    8 items, loading 0.70, 200 respondents: true reliability <b>0.867</b>; alpha of sample 1 <b>0.852</b> (95% CI 0.819 to 0.881); 98% of 50 intervals cover the truth, mean width 0.057
    """
    import matplotlib.pyplot as plt

    from cxlib import plots, survey

    n_items = check.integer("n_items", n_items, min=2, max=12)
    loading = check.real("loading", loading, min=0.3, max=0.9)
    n_respondents = check.integer("n_respondents", n_respondents, min=20, max=1000)
    n_points = check.integer("n_points", n_points, min=2, max=11)
    n_samples = check.integer("n_samples", n_samples, min=10, max=1000)
    seed = seed_from(rng)
    k_slider = int_slider("items", n_items, 2, 12)
    l_slider = float_slider("loading", loading, 0.3, 0.9, 0.05)
    n_slider = int_slider("respondents", n_respondents, 20, 1000, 10)

    def draw() -> tuple[str, Any]:
        demo = survey.alpha_demo(k_slider.value, l_slider.value, n_slider.value, n_points=n_points,
                                 n_samples=n_samples, rng=seed)
        lo, hi = demo.ci
        width = float((demo.samples["ci_high"] - demo.samples["ci_low"]).mean())
        html = (
            f"{k_slider.value} items, loading {l_slider.value:.2f}, {n_slider.value:,} respondents: true "
            f"reliability <b>{demo.reliability:.3f}</b>; alpha of sample 1 <b>{demo.alpha:.3f}</b> "
            f"(95% CI {lo:.3f} to {hi:.3f}); {demo.coverage:.0%} of {n_samples:,} intervals cover the truth, "
            f"mean width {width:.3f}"
        )
        fig = plt.figure(figsize=(11, 3.6))
        plots.alpha_sampling(demo, fig=fig)
        return html, fig

    return explorer([k_slider, l_slider, n_slider], draw)
