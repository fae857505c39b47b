"""The plain function behind lesson 09's explorer: path strengths and a confounder against the
estimated and the true indirect effect (:func:`cxlib.widgets.chain_explorer` draws it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cxlib import params
from cxlib._rng import seed_from

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["chain_demo"]


def chain_demo(
    programme_effect: float = 0.5,
    engagement_quality: float = 0.6,
    quality_satisfaction: float = 0.5,
    direct_effect: float = 0.1,
    confounder: float = 0.0,
    *,
    n_stores: int = 80,
    employees_per_store: int = 12,
    customers_per_store: int = 60,
    n_sims: int = 300,
    rng: None | int | np.random.Generator = None,
) -> pd.DataFrame:
    """Simulate one service chain with the given paths and estimate its indirect and direct effects.

    The chain is :func:`cxlib.data.service_chain` with the programme randomised across stores;
    the analysis is :func:`mediation` of satisfaction on the programme through engagement at the
    customer level, without covariates, with whole stores resampled (``method="bootstrap"``,
    ``engine="fast"``, ``groups="store_id"``).  This is the plain function behind
    :func:`cxlib.widgets.chain_explorer`.

    Parameters
    ----------
    programme_effect, engagement_quality, quality_satisfaction, direct_effect : float
        The paths a (programme -> engagement), theta (engagement -> service quality), phi
        (service quality -> satisfaction) and c (programme -> satisfaction, not through
        engagement), each -2 to 2; the true indirect effect is ``a * theta * phi``.
    confounder : float, default 0
        k, the employees' unrecorded disposition's effect on both their engagement and their
        customers' satisfaction, 0 to 1.
    n_stores, employees_per_store, customers_per_store : int
        The size of the chain, as in :func:`cxlib.data.service_chain`.
    n_sims : int, default 300
        Bootstrap resamples of stores, 50 to 10,000.
    rng : None, int or numpy.random.Generator
        Seed.  With the same integer seed, every setting uses the same random draws (common
        random numbers), so the estimates move only because the settings do.

    Returns
    -------
    pandas.DataFrame
        Rows ``indirect`` (the ACME) and ``direct`` (the ADE); columns ``estimate``,
        ``ci_low``, ``ci_high`` (95% percentile interval over resampled stores), ``truth``
        (the generator's true effect) and ``limit`` (what this analysis converges to with
        ever more stores: the truth plus the confounder's bias, from the datasheet's closed
        forms).

    Examples
    --------
    >>> from cxlib.serviceprofit import chain_demo
    >>> out = chain_demo(confounder=0.8, rng=1)
    >>> out[["estimate", "truth", "limit"]].round(3)
              estimate  truth  limit
    effect
    indirect     0.263   0.15  0.311
    direct      -0.080   0.10 -0.061
    """
    import pandas as pd

    from cxlib._serviceprofit_mediation import mediation
    from cxlib.data import service_chain

    n_sims = params.integer("n_sims", n_sims, min=50, max=10_000)
    seed = seed_from(rng)
    chain = service_chain(n_stores, employees_per_store, customers_per_store, programme_effect=programme_effect,
                          engagement_quality=engagement_quality, quality_satisfaction=quality_satisfaction,
                          direct_effect=direct_effect, confounder=confounder, rng=seed)
    fit = mediation(chain.customers, "programme", "engagement", "satisfaction", method="bootstrap", engine="fast",
                    groups="store_id", n_sims=n_sims, rng=seed)
    t, lim = chain.truth, chain.truth["naive"]
    rows = {"indirect": (fit.acme, *fit.acme_ci, t["acme"], lim["acme"]),
            "direct": (fit.ade, *fit.ade_ci, t["ade"], lim["ade"])}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "ci_low", "ci_high", "truth", "limit"])
    out.index.name = "effect"
    return out
