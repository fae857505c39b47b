"""The explorer of lesson 03: the three levers of the feedback loop."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as check
from cxlib._rng import seed_from
from cxlib.widgets._base import explorer, float_slider, int_slider

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["feedback_explorer"]


def feedback_explorer(
    params: Any = None,
    *,
    n_runs: int = 20,
    rng: None | int | np.random.Generator = 0,
) -> ipywidgets.VBox:
    """Sliders for the three levers of the feedback loop; redraws listening vs not.

    The sliders set ``feedback_rate``, ``action_capacity`` and ``action_delay``; on
    release, :func:`cxlib.feedback.explore` runs ``n_runs`` replications of each
    policy (common random numbers, the same seed at every position) and the figure
    shows customers, quality and cumulative profit with 90% Monte Carlo bands.

    Parameters
    ----------
    params : cxlib.feedback.Params, optional
        Everything else (and the sliders' starting values); default ``Params()``.
    n_runs : int, default 20
        Replications per policy at each slider position (1 to 1,000).
    rng : None, int or numpy.random.Generator, default 0
        Seed; a Generator or ``None`` is used once to draw it.

    Returns
    -------
    ipywidgets.VBox
        ``children``: an HBox of the three sliders, an HTML summary line and an
        Output holding the figure.

    Examples
    --------
    >>> from cxlib import feedback
    >>> from cxlib.widgets import feedback_explorer
    >>> box = feedback_explorer(feedback.Params(n_customers=300, n_periods=8), n_runs=3)
    >>> sliders, summary, output = box.children
    >>> rate, capacity, delay = sliders.children
    >>> delay.value = 0  # reruns both policies and redraws
    >>> print(summary.value)
    after 8 periods, mean of 3 runs: customers 719 listening vs 713 not; cumulative profit $32,919 vs $38,608
    """
    import matplotlib.pyplot as plt

    from cxlib import feedback, plots

    base = feedback.Params() if params is None else feedback._check_inputs(params, None)[0]
    n_runs = check.integer("n_runs", n_runs, min=1, max=1_000)
    seed = seed_from(rng)
    rate = float_slider("feedback rate", base.feedback_rate, 0.0, 1.0, 0.05)
    capacity = int_slider("action capacity", base.action_capacity, 0, max(200, base.action_capacity), 5)
    delay = int_slider("action delay", base.action_delay, 0, max(26, base.action_delay))
    labels = {"active": "active customers", "quality": "quality (0-1)", "cum_profit": "cumulative profit ($)"}

    def draw() -> tuple[str, Any]:
        frame = feedback.explore(rate.value, capacity.value, delay.value, params=base, n_runs=n_runs, rng=seed)
        end = frame[frame["period"] == frame["period"].max()].set_index(["metric", "policy"])["mean"]
        html = (
            f"after {int(frame['period'].max())} periods, mean of {n_runs} runs: customers "
            f"{end['active', 'listening']:,.0f} listening vs {end['active', 'not listening']:,.0f} not; "
            f"cumulative profit ${end['cum_profit', 'listening']:,.0f} vs ${end['cum_profit', 'not listening']:,.0f}"
        )
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
        for ax, (metric, label) in zip(axes, labels.items()):
            plots.trajectory_bands(frame[frame["metric"] == metric], ax=ax, ylabel=label)
        fig.tight_layout()
        return html, fig

    return explorer([rate, capacity, delay], draw)
