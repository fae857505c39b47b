"""The explorer of lesson 09: the strength of each path of the service-profit chain and of an
unmeasured confounder, against the estimated and the true indirect effect."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as check
from cxlib._rng import seed_from
from cxlib.widgets._base import explorer, float_slider

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["chain_explorer"]


def chain_explorer(
    *,
    programme_effect: float = 0.5,
    engagement_quality: float = 0.6,
    quality_satisfaction: float = 0.5,
    direct_effect: float = 0.1,
    confounder: float = 0.0,
    n_stores: int = 80,
    employees_per_store: int = 12,
    customers_per_store: int = 60,
    n_sims: int = 300,
    rng: None | int | np.random.Generator = 0,
) -> ipywidgets.VBox:
    """Sliders for the chain's paths and its confounder; each change simulates the chain again and
    redraws the estimated indirect and direct effects, with their intervals, against the truth.

    The computation is :func:`cxlib.serviceprofit.chain_demo` (the programme randomised across
    stores, the mediation at the customer level with whole stores resampled); one seed for
    every setting (common random numbers), so the estimates move only because the settings do.

    Parameters
    ----------
    programme_effect, engagement_quality, quality_satisfaction, direct_effect : float
        Starting values of the paths a, theta, phi and c (sliders from -1 to 1.5).
    confounder : float, default 0
        Starting value of k, the unrecorded disposition's effect (slider 0 to 1).
    n_stores, employees_per_store, customers_per_store : int
        The size of the simulated chain (as in :func:`cxlib.data.service_chain`).
    n_sims : int, default 300
        Bootstrap resamples of stores per estimate.
    rng : None, int or numpy.random.Generator, default 0
        Seed.  A Generator or ``None`` is used once to draw the seed.

    Returns
    -------
    ipywidgets.VBox
        ``children``: a VBox of two rows of sliders (a, theta, phi; c, k), an HTML summary
        line and an Output holding the figure.  The sliders recompute when released.

    Examples
    --------
    >>> from cxlib.widgets import chain_explorer
    >>> box = chain_explorer(n_stores=20, customers_per_store=20)
    >>> rows, summary, output = box.children
    >>> a, theta, phi = rows.children[0].children
    >>> a.value = 0.0  # no programme effect on engagement: no indirect effect
    >>> "true <b>0.000</b>" in summary.value
    True
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from cxlib import plots, serviceprofit

    starts = {}
    for name, value in (("programme_effect", programme_effect), ("engagement_quality", engagement_quality),
                        ("quality_satisfaction", quality_satisfaction), ("direct_effect", direct_effect)):
        starts[name] = check.real(name, value, min=-1, max=1.5)
    k0 = check.real("confounder", confounder, min=0, max=1)
    n_stores = check.integer("n_stores", n_stores, min=4, max=5_000)
    seed = seed_from(rng)
    sliders = {
        "programme_effect": float_slider("a: programme → engagement", starts["programme_effect"], -1.0, 1.5, 0.1),
        "engagement_quality": float_slider("θ: engagement → quality", starts["engagement_quality"], -1.0, 1.5, 0.1),
        "quality_satisfaction": float_slider("φ: quality → satisfaction", starts["quality_satisfaction"], -1.0, 1.5,
                                             0.1),
        "direct_effect": float_slider("c: programme → satisfaction", starts["direct_effect"], -1.0, 1.5, 0.1),
        "confounder": float_slider("k: unrecorded disposition", k0, 0.0, 1.0, 0.1),
    }

    def draw() -> tuple[str, Any]:
        values = {name: s.value for name, s in sliders.items()}
        out = serviceprofit.chain_demo(**values, n_stores=n_stores, employees_per_store=employees_per_store,
                                       customers_per_store=customers_per_store, n_sims=n_sims, rng=seed)
        ind = out.loc["indirect"]
        covered = ind["ci_low"] <= ind["truth"] <= ind["ci_high"]
        html = (f"indirect effect a·θ·φ: estimated <b>{ind['estimate']:.3f}</b> (95% interval {ind['ci_low']:.3f} "
                f"to {ind['ci_high']:.3f}), true <b>{ind['truth']:.3f}</b>; with ever more stores this analysis "
                f"would give {ind['limit']:.3f}. The interval {'covers' if covered else 'misses'} the truth.")
        fig, ax = plt.subplots(figsize=(7.5, 2.4))
        table = out.rename(index={"indirect": "indirect (ACME)", "direct": "direct (ADE)"})
        plots.effect_intervals(table, ax=ax, reference="truth", xlabel="effect on satisfaction (points)")
        ax.plot(table["limit"].to_numpy(float), np.arange(len(table)), "x", color=plots.COLORS["highlight"],
                ms=9, mew=2, label="what it converges to")
        ax.legend(fontsize="small", frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_title(", ".join(f"{n} = {v:.1f}" for n, v in zip(("a", "θ", "φ", "c", "k"), values.values())),
                     fontsize="medium")
        fig.tight_layout()
        return html, fig

    box = explorer(list(sliders.values()), draw)
    controls = list(sliders.values())
    box.children = (w.VBox([w.HBox(controls[:3]), w.HBox(controls[3:])]), *box.children[1:])
    return box
