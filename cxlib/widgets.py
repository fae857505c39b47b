"""ipywidgets explorers for the lessons.

Each explorer is a thin layer over a plain, tested function
(:func:`cxlib.loyalty.confounding_demo`, :func:`cxlib.feedback.explore`,
:func:`cxlib.clv.retention_value`); ipywidgets and matplotlib are imported only
when an explorer is built.  The explorers draw once when built, so an executed
notebook (papermill, nbconvert) shows a result without anyone touching a slider, and
nothing in them waits for input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as check
from cxlib._rng import seed_from

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["confounding_explorer", "feedback_explorer", "clv_explorer"]


def _show(output: Any, fig: Any) -> None:
    """Put ``fig`` into ``output`` as its only content, then close it.

    The figure goes in by setting the widget's ``outputs`` (a plain state update)
    rather than through ``with output: display(...)``, whose output capture can leave
    a headless executor (papermill, nbclient) waiting forever (nbclient issue 312).
    """
    import matplotlib.pyplot as plt

    output.outputs = ()
    output.append_display_data(fig)
    plt.close(fig)


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

    from cxlib import loyalty, plots

    n_customers = check.integer("n_customers", n_customers, min=10, max=10_000_000)
    value = check.real("value", value, min=0, max=0.95)
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
        fig, ax = plt.subplots(figsize=(6.4, 2.6))
        plots.estimate_comparison(table, ax=ax)
        # Fixed limits, so that moving the slider moves the points, not the axis.
        ax.set_xlim(min(0.0, res["adjusted_ci"][0] - 0.5), max(3 * res["truth"] + 1, res["naive_ci"][1] + 0.5))
        ax.set_title(f"confounding = {res['confounding']:.2f}")
        fig.tight_layout()
        _show(output, fig)

    slider.observe(update, names="value")
    update()
    return w.VBox([slider, summary, output])


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
    >>> from cxlib.widgets import feedback_explorer
    >>> box = feedback_explorer(n_runs=5)  # doctest: +SKIP
    >>> sliders, summary, output = box.children  # doctest: +SKIP
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from cxlib import feedback, plots

    base = feedback.Params() if params is None else feedback._check_inputs(params, None)[0]
    n_runs = check.integer("n_runs", n_runs, min=1, max=1_000)
    seed = seed_from(rng)
    common = {"continuous_update": False, "style": {"description_width": "initial"}}
    rate = w.FloatSlider(value=base.feedback_rate, min=0.0, max=1.0, step=0.05, description="feedback rate",
                         readout_format=".2f", **common)
    capacity = w.IntSlider(value=base.action_capacity, min=0, max=max(200, base.action_capacity), step=5,
                           description="action capacity", **common)
    delay = w.IntSlider(value=base.action_delay, min=0, max=max(26, base.action_delay), step=1,
                        description="action delay", **common)
    summary = w.HTML()
    output = w.Output()
    labels = {"active": "active customers", "quality": "quality (0-1)", "cum_profit": "cumulative profit ($)"}

    def update(change: Any = None) -> None:
        frame = feedback.explore(rate.value, capacity.value, delay.value, params=base, n_runs=n_runs, rng=seed)
        end = frame[frame["period"] == frame["period"].max()].set_index(["metric", "policy"])["mean"]
        summary.value = (
            f"after {int(frame['period'].max())} periods, mean of {n_runs} runs: customers "
            f"{end['active', 'listening']:,.0f} listening vs {end['active', 'not listening']:,.0f} not; "
            f"cumulative profit ${end['cum_profit', 'listening']:,.0f} vs ${end['cum_profit', 'not listening']:,.0f}"
        )
        fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
        for ax, (metric, label) in zip(axes, labels.items()):
            plots.trajectory_bands(frame[frame["metric"] == metric], ax=ax, ylabel=label)
        fig.tight_layout()
        _show(output, fig)

    for slider in (rate, capacity, delay):
        slider.observe(update, names="value")
    update()
    return w.VBox([w.HBox([rate, capacity, delay]), summary, output])


def clv_explorer(retention: float = 0.8, margin: float = 100.0, discount: float = 0.1) -> ipywidgets.VBox:
    """Sliders for retention, margin and discount rate; redraws a customer's value.

    The value is :func:`cxlib.clv.retention_value` (the margin times the margin
    multiple, margins paid at the start of each period): the curve over all retention
    rates, with the slider's rate marked.

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
    >>> box = clv_explorer()  # doctest: +SKIP
    >>> sliders, summary, output = box.children  # doctest: +SKIP
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from cxlib import clv, plots

    retention = check.real("retention", retention, min=0, max=0.98)
    margin = check.real("margin", margin, min=0, max=1000)
    discount = check.real("discount", discount, min=0, max=0.5)
    common = {"continuous_update": False, "style": {"description_width": "initial"}}
    r_slider = w.FloatSlider(value=retention, min=0.0, max=0.98, step=0.01, description="retention",
                             readout_format=".2f", **common)
    m_slider = w.FloatSlider(value=margin, min=0.0, max=1000.0, step=10.0, description="margin ($/period)",
                             readout_format=".0f", **common)
    d_slider = w.FloatSlider(value=discount, min=0.0, max=0.5, step=0.01, description="discount rate",
                             readout_format=".2f", **common)
    summary = w.HTML()
    output = w.Output()

    def update(change: Any = None) -> None:
        frame = clv.retention_value(m_slider.value, d_slider.value)
        multiple = clv.margin_multiple(r_slider.value, d_slider.value)
        summary.value = (
            f"retention {r_slider.value:.0%}, discount {d_slider.value:.0%}: margin multiple "
            f"<b>{multiple:.2f}</b>, value of a customer <b>${m_slider.value * multiple:,.0f}</b> "
            f"(expected lifetime {1 / (1 - r_slider.value):.1f} periods, undiscounted)"
        )
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
        plots.clv_by_retention(frame, ax=ax, current=r_slider.value)
        ax.set_ylim(0, max(1.0, 1.05 * float(frame["value"].max())))
        fig.tight_layout()
        _show(output, fig)

    for slider in (r_slider, m_slider, d_slider):
        slider.observe(update, names="value")
    update()
    return w.VBox([w.HBox([r_slider, m_slider, d_slider]), summary, output])
