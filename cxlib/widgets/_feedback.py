"""The explorers of lessons 03 and 04: the three levers of the feedback loop; a policy made
from five levers against the mindsets, on profit and CLV."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as check
from cxlib._rng import seed_from
from cxlib.widgets._base import explorer, float_slider, int_slider

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["feedback_explorer", "mindset_explorer"]


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


def mindset_explorer(
    params: Any = None,
    *,
    n_runs: int = 6,
    rng: None | int | np.random.Generator = 0,
) -> ipywidgets.VBox:
    """Five policy levers against profit and CLV, beside the five mindsets of lesson 04.

    The controls set a policy's ``capacity_share``, ``priority``, ``recovery``,
    ``generosity`` and ``extra_delay`` (:class:`cxlib.feedback.Policy`); on release,
    :func:`cxlib.feedback.explore_policy` runs it and the five named mindsets ``n_runs``
    times each on common random numbers (the same seed at every position), and the
    figure shows each policy's total profit and CLV with 95% intervals.  It starts at
    the levers of :meth:`cxlib.feedback.Policy.customer_centric`.

    Parameters
    ----------
    params : cxlib.feedback.Params, optional
        The business; default ``Params()``.
    n_runs : int, default 6
        Runs per policy at each position (2 to 1,000).
    rng : None, int or numpy.random.Generator, default 0
        Seed; a Generator or ``None`` is used once to draw it.

    Returns
    -------
    ipywidgets.VBox
        ``children``: an HBox of the five controls (four sliders and a dropdown), an HTML
        summary line and an Output holding the figure.

    Examples
    --------
    >>> from cxlib import feedback
    >>> from cxlib.widgets import mindset_explorer
    >>> box = mindset_explorer(feedback.Params(n_customers=300, n_periods=8), n_runs=3)
    >>> controls, summary, output = box.children
    >>> capacity, priority, recovery, generosity, delay = controls.children
    >>> generosity.value = 0.0  # reruns the policies and redraws
    >>> summary.value.startswith("your policy, mean of 3 runs: profit <b>$")
    True
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from cxlib import feedback, plots

    base = feedback.Params() if params is None else feedback._check_inputs(params, None)[0]
    n_runs = check.integer("n_runs", n_runs, min=2, max=1_000)
    seed = seed_from(rng)
    start = feedback.Policy.customer_centric()
    capacity = float_slider("capacity share", start.capacity_share, 0.0, 1.0, 0.05)
    priority = w.Dropdown(options=list(feedback.PRIORITIES), value=start.priority, description="priority",
                          style={"description_width": "initial"}, layout={"width": "170px"})
    recovery = float_slider("recovery", start.recovery, 0.0, 1.0, 0.05)
    generosity = float_slider("generosity", start.generosity, 0.0, 1.0, 0.05)
    delay = int_slider("extra delay", start.extra_delay, 0, 26)
    labels = {"profit": "total profit ($)", "clv": "CLV per customer ($)"}

    def draw() -> tuple[str, Any]:
        table = feedback.explore_policy(capacity.value, recovery.value, generosity.value, priority.value, delay.value,
                                        params=base, n_runs=n_runs, rng=seed, metrics=tuple(labels))
        mean = table.pivot(index="policy", columns="metric", values="mean")
        se = table.pivot(index="policy", columns="metric", values="se")
        mine = mean.loc[feedback.YOUR_POLICY]
        named = mean.drop(index=feedback.YOUR_POLICY)
        parts = []
        for metric, word in (("profit", "profit"), ("clv", "CLV")):
            beaten = int((named[metric] < mine[metric]).sum())
            parts.append(f"{word} <b>${mine[metric]:,.0f}</b> (&plusmn;{1.96 * se.loc[feedback.YOUR_POLICY, metric]:,.0f}), "
                         f"above {beaten} of the {len(named)} mindsets")
        html = f"your policy, mean of {n_runs} runs: " + "; ".join(parts)
        fig = plots.policy_intervals(table, labels, fig=plt.figure(figsize=(10, 3.3)))
        return html, fig

    return explorer([capacity, priority, recovery, generosity, delay], draw)
