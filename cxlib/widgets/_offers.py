"""The explorer of lesson 07: true rates, horizon and policy against the regret curve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params as check
from cxlib._rng import seed_from
from cxlib.widgets._base import explorer, float_slider, int_slider

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets

__all__ = ["bandit_explorer"]


def bandit_explorer(
    rates: tuple[float, float, float] = (0.10, 0.12, 0.15),
    horizon: int = 3000,
    policy: str = "thompson",
    *,
    n_runs: int = 100,
    rng: None | int | np.random.Generator = 0,
) -> ipywidgets.VBox:
    """Sliders for three offers' true rates and the horizon, a menu for the policy; redraws its
    regret curve against a fixed split's.

    Each position runs :func:`cxlib.offers.simulate_bandit` for the chosen policy and for
    ``"fixed_split"`` with the same seed (the same customers), ``n_runs`` runs each; the
    figure is :func:`cxlib.plots.regret_curves`.

    Parameters
    ----------
    rates : three floats, default (0.10, 0.12, 0.15)
        Starting true rates of the offers, each 0.01 to 0.5.
    horizon : int, default 3000
        Starting rounds, 100 to 20,000.
    policy : str, default "thompson"
        Starting policy: "epsilon_greedy", "thompson" or "fixed_split".
    n_runs : int, default 100
        Runs per position, 10 to 1,000 (fixed).
    rng : None, int or numpy.random.Generator, default 0

    Returns
    -------
    ipywidgets.VBox
        ``children``: an HBox of the controls (three rate sliders, the horizon, the policy), an
        HTML summary line and an Output holding the figure.

    Examples
    --------
    >>> from cxlib.widgets import bandit_explorer
    >>> box = bandit_explorer(horizon=500, n_runs=20)
    >>> controls, summary, output = box.children
    >>> a, b, c, horizon, policy = controls.children
    >>> policy.value = "epsilon_greedy"
    >>> "epsilon_greedy" in summary.value
    True
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from cxlib import offers, plots

    if len(rates) != 3:
        raise ValueError(f"rates must give three rates; got {len(rates)}")
    start = [check.real(f"rates[{i}]", r, min=0.01, max=0.5) for i, r in enumerate(rates)]
    horizon = check.integer("horizon", horizon, min=100, max=20_000)
    policy = check.choice("policy", policy, ("epsilon_greedy", "thompson", "fixed_split"))
    n_runs = check.integer("n_runs", n_runs, min=10, max=1000)
    seed = seed_from(rng)
    sliders = [float_slider(f"offer {k}", r, 0.01, 0.5, 0.01) for k, r in zip("ABC", start)]
    h_slider = int_slider("customers", horizon, 100, 20_000, 100)
    menu = w.Dropdown(options=["thompson", "epsilon_greedy", "fixed_split"], value=policy, description="policy")

    def draw() -> tuple[str, Any]:
        true = [s.value for s in sliders]
        chosen = offers.simulate_bandit(menu.value, true, h_slider.value, n_runs=n_runs, rng=seed)
        results = {menu.value: chosen}
        if menu.value != "fixed_split":
            results["fixed_split"] = offers.simulate_bandit("fixed_split", true, h_slider.value, n_runs=n_runs,
                                                            rng=seed)
        best = int(np.argmax(true))
        share = float((chosen.choices[:, -max(1, h_slider.value // 10):] == best).mean())
        html = (f"<b>{menu.value}</b> over {h_slider.value:,} customers: mean regret "
                f"<b>{chosen.final_regret:.1f}</b> responses"
                + (f" (fixed split {results['fixed_split'].final_regret:.1f})" if "fixed_split" in results
                   and menu.value != "fixed_split" else "")
                + f"; in the last tenth of the rounds it offers the best offer ({'ABC'[best]}) to {share:.0%} of customers")
        fig, ax = plt.subplots(figsize=(8, 3.6))
        plots.regret_curves(results, ax=ax)
        fig.tight_layout()
        return html, fig

    return explorer([*sliders, h_slider, menu], draw)
