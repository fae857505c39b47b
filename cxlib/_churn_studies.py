"""Studies on known truth for :mod:`cxlib.churn` (lesson 06): the outreach comparison
(randomised, targeted naive, targeted adjusted, beside the truth; the callback of
:func:`cxlib.widgets.outreach_explorer`) and the coverage of Cox intervals over many panels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._churn_cox import fit_cox, hazard_ratios
from cxlib._results import SimulationResult
from cxlib._rng import check_rng, seed_from

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["OutreachComparison", "outreach_comparison", "CoxCoverage", "cox_coverage", "RECORDED"]

#: The covariates an analyst of the churn panel has (everything but ``latent_risk``).
RECORDED: tuple[str, ...] = ("plan", "tenure_years", "support_contacts", "response_hours")

#: The analyses of :func:`outreach_comparison`: (label, outreach design, covariates besides outreach).
ANALYSES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("randomised", "random", RECORDED),
    ("targeted, naive", "targeted", ()),
    ("targeted, adjusted for the risk score", "targeted", ("risk_score",)),
    ("targeted, adjusted for every recorded column", "targeted", RECORDED),
    ("targeted, adjusted for the unrecorded risk too", "targeted", (*RECORDED, "latent_risk")),
)


def _adjusted_for(columns: tuple[str, ...]) -> str:
    """'nothing', 'risk_score', 'the recorded columns', 'the recorded columns and latent_risk'."""
    if not columns:
        return "nothing"
    if set(RECORDED) <= set(columns):
        rest = [c for c in columns if c not in RECORDED]
        return "the recorded columns" + (f" and {', '.join(rest)}" if rest else "")
    return ", ".join(columns)


@dataclass(frozen=True)
class OutreachComparison(SimulationResult):
    """The outreach hazard ratio estimated five ways on one simulated business, with the truth.

    Attributes
    ----------
    inputs : dict
        What :func:`outreach_comparison` was run with.
    table : pandas.DataFrame
        One row per analysis (index ``analysis``): ``design`` (random or targeted),
        ``adjusted_for``, ``hazard_ratio``, ``ci_low``, ``ci_high``, ``truth``, ``covers``
        (the interval holds the truth).
    reached : dict
        Churn rate (share churned during the study) of customers reached out to and not,
        in the targeted design: the customers called are the risky ones.

    Examples
    --------
    >>> from cxlib.churn import outreach_comparison
    >>> comp = outreach_comparison(1000, rng=3)
    >>> comp.table.index[0], comp.reached["reached"] > comp.reached["not reached"]
    ('randomised', True)
    """

    inputs: dict[str, Any]
    table: Any = field(repr=False)
    reached: dict[str, float] = field(default_factory=dict)

    def estimate(self, analysis: str) -> float:
        """The hazard ratio of one analysis (a label of the table's index)."""
        params.choice("analysis", analysis, list(self.table.index))
        return float(self.table.loc[analysis, "hazard_ratio"])

    def summary(self) -> pd.DataFrame:
        """The table: one row per analysis."""
        return self.table

    def __repr__(self) -> str:
        est = ", ".join(f"{k}: {v:.2f}" for k, v in self.table["hazard_ratio"].items())
        return f"OutreachComparison(truth {self.inputs['hr_outreach']:g}; {est})"


def outreach_comparison(
    n_customers: int = 2000,
    hr_outreach: float = 0.7,
    hidden: float = 0.6,
    outreach_share: float = 0.3,
    *,
    rng: None | int | np.random.Generator = None,
) -> OutreachComparison:
    """Estimate the effect of outreach five ways, with the truth beside each.

    Two businesses are simulated with the same customers and the same random draws
    (:func:`cxlib.data.churn_panel` with one seed): one reaches out at random, the other
    to the customers it is worried about.  Cox models (Efron ties) then estimate the
    outreach hazard ratio: randomised (adjusted for the recorded columns, for precision);
    targeted naive (outreach alone); targeted adjusted for the firm's risk score; for every
    recorded column; and, as no analyst could, for the unrecorded risk too.

    Parameters
    ----------
    n_customers : int, default 2000
        Customers in each business, 200 to 1,000,000.
    hr_outreach : float, default 0.7
        The true hazard ratio of outreach, 0.2 to 2.
    hidden : float, default 0.6
        How much of the firm's targeting rests on risk the data do not record, 0 to 1.
    outreach_share : float, default 0.3
        Share of customers reached out to, 0.05 to 0.95.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    OutreachComparison

    Examples
    --------
    >>> from cxlib.churn import outreach_comparison
    >>> comp = outreach_comparison(4000, rng=1)
    >>> float(comp.table["truth"].iloc[0])
    0.7
    >>> comp.estimate("targeted, naive") > comp.estimate("targeted, adjusted for the risk score") > 0.7
    True
    """
    from cxlib.data import churn_panel

    n = params.integer("n_customers", n_customers, min=200, max=1_000_000)
    seed = seed_from(rng)
    panels = {
        how: churn_panel(n, hr_outreach=hr_outreach, outreach=how, outreach_share=outreach_share,
                         hidden=hidden, rng=seed)
        for how in ("random", "targeted")
    }
    truth = panels["random"].truth["hr_outreach"]
    rows = []
    for label, how, adjust in ANALYSES:
        fit = fit_cox(panels[how].data, "weeks", "churned", ["outreach", *adjust])
        hr = hazard_ratios(fit).loc["outreach"]
        rows.append({
            "analysis": label, "design": how, "adjusted_for": _adjusted_for(adjust),
            "hazard_ratio": hr["hazard_ratio"], "ci_low": hr["ci_low"], "ci_high": hr["ci_high"],
            "truth": truth, "covers": bool(hr["ci_low"] <= truth <= hr["ci_high"]),
        })
    import pandas as pd

    table = pd.DataFrame(rows).set_index("analysis")
    d = panels["targeted"].data
    reached = {
        "reached": float(d.loc[d["outreach"] == 1, "churned"].mean()),
        "not reached": float(d.loc[d["outreach"] == 0, "churned"].mean()),
    }
    inputs = {"n_customers": n, "hr_outreach": truth, "hidden": panels["targeted"].truth["hidden"],
              "outreach_share": panels["targeted"].truth["outreach_share"], "seed": seed}
    return OutreachComparison(inputs, table, reached)


@dataclass(frozen=True)
class CoxCoverage(SimulationResult):
    """Cox estimates over many simulated panels, against the true hazard ratios.

    Attributes
    ----------
    inputs : dict
    estimates : pandas.DataFrame
        One row per (panel, term): ``panel``, ``term``, ``hazard_ratio``, ``ci_low``,
        ``ci_high``, ``truth``, ``covers``.

    Examples
    --------
    >>> from cxlib.churn import cox_coverage
    >>> study = cox_coverage(3, 500, covariates=("plan", "outreach"), rng=4)
    >>> study.coverage().index.tolist()
    ['plan[one_year]', 'plan[two_year]', 'outreach']
    """

    inputs: dict[str, Any]
    estimates: Any = field(repr=False)

    def coverage(self) -> pd.DataFrame:
        """Per term: the truth, the mean and median estimate, and the share of intervals that
        hold the truth, with its Monte Carlo standard error."""
        g = self.estimates.groupby("term", sort=False)
        out = g.agg(truth=("truth", "first"), mean_estimate=("hazard_ratio", "mean"),
                    median_estimate=("hazard_ratio", "median"), coverage=("covers", "mean"),
                    panels=("covers", "size"))
        out["coverage_se"] = np.sqrt(out["coverage"] * (1 - out["coverage"]) / out["panels"])
        return out

    def summary(self) -> pd.DataFrame:
        """One row per (panel, term)."""
        return self.estimates

    def __repr__(self) -> str:
        cov = self.coverage()["coverage"]
        return (f"CoxCoverage({self.inputs['n_panels']} panels of {self.inputs['n_customers']:,}: "
                f"coverage {cov.min():.2f} to {cov.max():.2f})")


def cox_coverage(
    n_panels: int = 100,
    n_customers: int = 2000,
    *,
    covariates: tuple[str, ...] = (*RECORDED, "latent_risk", "outreach"),
    ci: float = 0.95,
    rng: None | int | np.random.Generator = None,
    progress: bool = False,
    **panel_kwargs: Any,
) -> CoxCoverage:
    """Fit the Cox model to many simulated panels: do its intervals hold the true hazard ratios?

    With every column the hazard depends on (``latent_risk`` included, the default) the
    model is correctly specified, and about ``ci`` of the intervals should hold the truth.
    Leave ``latent_risk`` out to see non-collapsibility: every hazard ratio is pulled a
    little towards 1.

    Parameters
    ----------
    n_panels : int, default 100
        Simulated panels, 2 to 10,000.
    n_customers : int, default 2000
        Customers per panel, 100 to 1,000,000.
    covariates : tuple of str
        Columns of :func:`cxlib.data.churn_panel` in the model.
    ci : float, default 0.95
    rng : None, int or numpy.random.Generator
    progress : bool, default False
        Show a progress bar (tqdm).
    **panel_kwargs
        Passed to :func:`cxlib.data.churn_panel` (``hr_outreach``, ``outreach``...).

    Returns
    -------
    CoxCoverage

    Examples
    --------
    >>> from cxlib.churn import cox_coverage
    >>> study = cox_coverage(5, 1000, rng=1)
    >>> float(study.coverage().loc["outreach", "truth"])
    0.7
    """
    import pandas as pd
    from tqdm.auto import tqdm

    from cxlib.data import churn_panel

    k = params.integer("n_panels", n_panels, min=2, max=10_000)
    n = params.integer("n_customers", n_customers, min=100, max=1_000_000)
    level = params.real("ci", ci, min=0, max=1, min_inclusive=False, max_inclusive=False)
    for bad in ("n_customers", "rng"):
        if bad in panel_kwargs:
            raise TypeError(f"cox_coverage() sets {bad} itself; pass it as its own argument")
    gen = check_rng(rng)
    rows = []
    for i in tqdm(range(k), desc="Cox fits", disable=not progress, leave=False):
        panel = churn_panel(n, rng=gen, **panel_kwargs)
        fit = fit_cox(panel.data, "weeks", "churned", list(covariates))
        table = hazard_ratios(fit, alpha=1 - level)
        truth = panel.truth["hazard_ratios"]
        for term, row in table.iterrows():
            t = truth.get(term, np.nan)
            rows.append({"panel": i, "term": term, "hazard_ratio": row["hazard_ratio"],
                         "ci_low": row["ci_low"], "ci_high": row["ci_high"], "truth": t,
                         "covers": bool(row["ci_low"] <= t <= row["ci_high"])})
    inputs = {"n_panels": k, "n_customers": n, "covariates": tuple(covariates), "ci": level, **panel_kwargs}
    return CoxCoverage(inputs, pd.DataFrame(rows))
