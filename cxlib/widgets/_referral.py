"""The explorer of lesson 10: Bass's p, q and m against the adoption curve and its peak; a
promoter's referral rate against the size of the cascade a new customer starts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxlib import params as check
from cxlib.widgets._base import explorer, float_slider

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["word_of_mouth_explorer"]


def word_of_mouth_explorer(p: float = 0.03, q: float = 0.38, m: float = 10_000.0, referral_rate: float = 0.8, *,
                           promoters: float = 0.4, detractors: float = 0.2, passive_factor: float = 0.25,
                           discouragement: float = 0.5, cascade_periods: int = 20) -> ipywidgets.VBox:
    """Sliders for the Bass model's p, q and m and for a promoter's referral rate; redraws the
    adoption curve with its peak and the expected referral cascade.

    Every number is closed form (:func:`cxlib.referral.word_of_mouth_demo`): the continuous
    Bass curve and its peak ``ln(q / p) / (p + q)``, and the branching process's expected
    cascade from one new customer by period ``cascade_periods`` and in the long run.

    Parameters
    ----------
    p : float, default 0.03
        Starting innovation coefficient, 0.001 to 0.2.
    q : float, default 0.38
        Starting imitation coefficient, 0 to 1.5.
    m : float, default 10,000
        Starting market size, 1,000 to 1,000,000.
    referral_rate : float, default 0.8
        Starting referral rate of a promoter, 0 to 4.
    promoters, detractors, passive_factor, discouragement
        The cascade's fixed settings, as in :class:`cxlib.referral.ReferralModel`.
    cascade_periods : int, default 20
        Horizon of the cascade (1 to 1,000).

    Returns
    -------
    ipywidgets.VBox
        ``children``: an HBox of the four sliders, an HTML summary line and an Output holding
        the figure.

    Examples
    --------
    >>> from cxlib.widgets import word_of_mouth_explorer
    >>> box = word_of_mouth_explorer()
    >>> sliders, summary, output = box.children
    >>> p_slider, q_slider, m_slider, rate_slider = sliders.children
    >>> q_slider.value = 0.5
    >>> "peak at <b>t = 5.31</b>" in summary.value
    True
    """
    import matplotlib.pyplot as plt

    from cxlib import plots, referral

    p = check.real("p", p, min=0.001, max=0.2)
    q = check.real("q", q, min=0, max=1.5)
    m = check.real("m", m, min=1000, max=1_000_000)
    rate = check.real("referral_rate", referral_rate, min=0, max=4)
    periods = check.integer("cascade_periods", cascade_periods, min=1, max=1000)
    referral.ReferralModel(rate, promoters, detractors, passive_factor, discouragement)  # checks the settings once
    p_slider = float_slider("p (innovation)", p, 0.001, 0.2, 0.001, readout_format=".3f")
    q_slider = float_slider("q (imitation)", q, 0.0, 1.5, 0.01)
    m_slider = float_slider("m (market)", m, 1000.0, 1_000_000.0, 1000.0, readout_format=",.0f")
    rate_slider = float_slider("referral rate", rate, 0.0, 4.0, 0.05)

    def draw() -> tuple[str, Any]:
        demo = referral.word_of_mouth_demo(p_slider.value, q_slider.value, m_slider.value, rate_slider.value,
                                           promoters=promoters, detractors=detractors, passive_factor=passive_factor,
                                           discouragement=discouragement, cascade_periods=periods)
        when = (f"peak at <b>t = {demo.peak_time:.2f}</b> periods" if demo.peak_time > 0
                else "<b>no peak after launch</b> (q &le; p: adoptions fall from the start)")
        limit = (f"{demo.expected_limit:,.2f} in the long run" if demo.expected_limit < float("inf")
                 else "unbounded in the long run (R &ge; 1)")
        html = (f"Bass p={p_slider.value:.3f}, q={q_slider.value:.2f}, m={m_slider.value:,.0f}: {when}, "
                f"{demo.peak_adoptions:,.0f} adoptions per period there; half the market by t = {demo.half_time:.1f}. "
                f"Referral rate {rate_slider.value:.2f}: R = <b>{demo.reproduction_number:.2f}</b>, a new customer's "
                f"cascade {demo.expected_total:,.2f} customers by period {periods}, {limit}.")
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
        plots.adoption_curve(demo, ax=left)
        plots.cascade_by_rate(demo, ax=right)
        fig.tight_layout()
        return html, fig

    return explorer([p_slider, q_slider, m_slider, rate_slider], draw)
