"""The synthetic team survey of lesson 01: Likert answers from a known factor model.

:func:`survey_panel` simulates the answers of employees, grouped in teams, to a short
questionnaire on five customer-centric behaviours (care, compete, improve, respond, win)
and four distracting mindsets (fixed, organisational, compliance, technical), and a
team-level customer-satisfaction score.  Every equation and true value is written down
in :data:`SURVEY_DATASHEET`; the true values of a panel, including the reliability of
each scale as it follows from the model, are in ``SurveyPanel.truth``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "BEHAVIOURS",
    "MINDSETS",
    "FACTORS",
    "DEFAULT_LOADING",
    "UNEQUAL_SCALE",
    "BAD_ITEM_SCALE",
    "REVERSE_ITEM_SCALE",
    "DEFAULT_FACTOR_CORRELATION",
    "DEFAULT_OUTCOME_EFFECTS",
    "OUTCOME_INTERCEPT",
    "SURVEY_DATASHEET",
    "SurveyPanel",
    "survey_panel",
    "default_thresholds",
]

#: The five customer-centric behaviours, in the order of the factors.
BEHAVIOURS: tuple[str, ...] = ("care", "compete", "improve", "respond", "win")
#: The four distracting mindsets, after the behaviours.
MINDSETS: tuple[str, ...] = ("fixed", "organisational", "compliance", "technical")
#: All nine factors (one scale of ``items_per_scale`` items each), in order.
FACTORS: tuple[str, ...] = BEHAVIOURS + MINDSETS
#: Standardised loading of every item, except the scale with unequal loadings and the bad item.
DEFAULT_LOADING: float = 0.7
#: The scale whose items have unequal loadings by default (``linspace(0.9, 0.25, k)``).
UNEQUAL_SCALE: str = "improve"
#: The scale whose last item is the planted bad item (loading 0) when ``bad_item=True``.
BAD_ITEM_SCALE: str = "compete"
#: The scale whose second item is worded in reverse when ``forgotten_reverse=True``.
REVERSE_ITEM_SCALE: str = "respond"
#: Default factor correlations: within the behaviours, within the mindsets, and between the two.
DEFAULT_FACTOR_CORRELATION: dict[str, float] = {"behaviours": 0.35, "mindsets": 0.25, "between": -0.30}
#: Default effects of the team's true factor means on customer satisfaction (points per unit).
DEFAULT_OUTCOME_EFFECTS: dict[str, float] = {
    "care": 6.0, "compete": 0.0, "improve": 3.0, "respond": 4.0, "win": 2.0,
    "fixed": -4.0, "organisational": -2.0, "compliance": 0.0, "technical": -1.0,
}  # fmt: skip
#: Customer satisfaction of a team whose true factor means are all 0 (points, 0-100 scale).
OUTCOME_INTERCEPT: float = 70.0

_QUADRATURE_NODES = 81

SURVEY_DATASHEET = """\
# Datasheet: the synthetic team survey (`cxlib.data.survey_panel`)

**What it is.** Answers of the employees of a fictional company, grouped in teams, to a short
Likert questionnaire, and one customer-satisfaction score per team.  Nothing in it is real; it
exists so that lesson 01 ("Measuring a customer-centric mindset") can check every reliability,
factor and regression estimate against the value it should find.

**The questionnaire.** Nine scales of `items_per_scale` items (default 4, so 36 items), one
per factor: five customer-centric *behaviours* -- `care` (about customers), `compete` (for
them), `improve` (the service), `respond` (to feedback), `win` (customers) -- and four
*distracting mindsets* -- `fixed`, `organisational` (looking inwards), `compliance` (rules
first), `technical` (the product, not the customer).  Item `<scale>_<j>` is the j-th item of
a scale.  Answers are whole numbers 1 (strongly disagree) to `n_points` (strongly agree).

## Tables

`SurveyPanel.data`, one row per respondent:

| column | type | values | meaning |
| --- | --- | --- | --- |
| `team` | int64 | 1..n_teams | team of the respondent |
| `respondent` | int64 | 1..n | respondent identifier |
| `<scale>_<j>` | int64 (float64 with NaN when `missing > 0`) | 1..n_points | the answer to item j of the scale |

`SurveyPanel.teams`, one row per team: `team`, `n_respondents` (= `team_size`) and `csat`
(customer satisfaction, 0-100 points, one decimal).

## Generating equations

Factors f = care, compete, improve, respond, win, fixed, organisational, compliance, technical
(in this order); team t = 1..n_teams; respondent r of team t; item j of scale s(j).  All
draws are independent and come from one seeded generator, in this order: u, w, e, outcome noise.

1. **Factors.**  `eta[r] = u[t] + w[r]` with `u[t] ~ Normal(0, team_sd**2 * Phi)` (the team's
   true factor means) and `w[r] ~ Normal(0, (1 - team_sd**2) * Phi)`.  So each factor has
   variance 1 among respondents, correlation matrix `Phi`, and a share `team_sd**2` of its
   variance lies between teams (the ICC(1) of every factor).  Default `team_sd = 0.5`
   (ICC 0.25).  `Phi`: 0.35 between two behaviours, 0.25 between two mindsets, -0.30 between
   a behaviour and a mindset (distracting mindsets go with fewer customer-centric behaviours).
2. **Continuous responses.**  `y[r, j] = lambda[j] * eta[r, s(j)] + sqrt(1 - lambda[j]**2) * e[r, j]`,
   `e ~ Normal(0, 1)`: each latent response has variance 1 and loads on its own factor only.
   Loadings `lambda`: 0.7 for every item, except
   * scale `improve`: unequal loadings `linspace(0.9, 0.25, items_per_scale)` (0.9, 0.68,
     0.47, 0.25 for four items), so that alpha < omega = reliability there;
   * the **bad item** (`bad_item=True`): the last item of `compete` (`compete_4`) has loading 0,
     an item that measures nothing its scale measures;
   * the **reverse-worded item** (`forgotten_reverse=True`): the second item of `respond`
     (`respond_2`, "I rarely follow up on what customers tell us") has loading -0.7: agreeing
     with it means *less* responding.  Its answers are stored as given, **not** reversed:
     reverse them (`n_points + 1 - x`) before scoring, or it lowers the scale's alpha.
   The `loadings` argument overrides the magnitudes (the bad item stays 0 and the reverse
   item negative).
3. **Answers.**  `x[r, j] = 1 + #{k : y[r, j] > tau[k]}` with the same thresholds
   `tau[1] < ... < tau[n_points - 1]` for every item; default
   `tau[k] = -0.25 + 1.25 * Phi^-1(k / n_points)` (for 5 points -1.30, -0.57, 0.07, 0.80:
   answers lean towards agreeing, and every point is used).
4. **Missing answers** (`missing > 0`): each answer is deleted independently with
   probability `missing` (missing completely at random).
5. **Customer satisfaction.**  `csat[t] = 70 + sum_f b[f] * u[t, f] + Normal(0, outcome_sd**2)`,
   rounded to one decimal, with effects `b` (points per unit of the team's true factor mean):
   care 6, compete 0, improve 3, respond 4, win 2, fixed -4, organisational -2,
   compliance 0, technical -1; `outcome_sd = 4`.

## Truth (`SurveyPanel.truth`)

* `loadings` (items x factors, signed as generated), `items` (scale, loading, keyed +1/-1,
  bad), `scales` (scale -> items), `reverse_keyed`, `bad_items`, `thresholds`,
  `scale_bounds` (1, n_points), `factor_correlation` (`Phi`), `team_sd`, `icc` (`team_sd**2`),
  `outcome_intercept`, `outcome_effects`, `outcome_sd`, `team_means` (the true `u[t]`).
* `reliability`: one row per scale (reverse-worded items reversed, the bad item included):
  * `continuous`: the reliability of the scale score (sum or mean of its items) for the
    continuous responses y, exact: `(sum lambda)**2 / ((sum lambda)**2 + sum(1 - lambda**2))`
    (McDonald's omega of the true model);
  * `categorical`: the reliability of the score of the 1..n_points answers x, computed from
    the model by Gauss-Hermite quadrature (81 nodes) over the factor, not by simulation:
    with T(eta) = E[sum x | eta] (the true score) and V(eta) = sum Var(x | eta) (the answers
    are independent given the factor), reliability = Var(T) / (Var(T) + E[V]).  Exact up to
    the quadrature error (below 1e-10);
  * `alpha_continuous`, `alpha_categorical`: the population value of Cronbach's alpha (from
    the model-implied covariances, the latter by the same quadrature).  alpha equals the
    reliability only for tau-equivalent items (equal loadings): below it on `improve` and,
    with the bad item, on `compete`;
  * `team_continuous`, `team_categorical`: the reliability of a *team's mean* scale score as a
    measure of the team's true factor mean `u[t, s]`, with `team_size` respondents, which is
    ICC(2), the Spearman-Brown step-up of the scale score's ICC(1): exact for y
    (`L**2 tau**2 / (L**2 tau**2 + (L**2 (1 - tau**2) + sum(1 - lambda**2)) / m)`, L = sum lambda,
    tau = team_sd, m = team_size), by two-dimensional quadrature for x;
  * `team_validity`: the correlation of the team mean score with the team's true factor mean
    (equal to sqrt(`team_categorical`) up to the non-linearity of the categories);
  * `outcome_correlation`: the true correlation of `csat` with the team's true factor mean;
  * `expected_correlation`: the correlation of `csat` with the team mean score that the
    attenuation implies, `outcome_correlation * team_validity` (exact: csat and u are jointly
    normal).  Spearman's correction divides an observed correlation by sqrt(reliability).

## Defaults and limits

`n_teams=60` (2 to 100,000), `team_size=8` (2 to 1,000), `n_points=5` (2 to 11),
`items_per_scale=4` (3 to 12), `team_sd=0.5` (0 to 0.95), loadings 0.05 to 0.95,
`outcome_sd=4` (0 to 100), `missing=0` (0 to 0.5).  The factor correlation matrix must be
positive definite.
"""


def default_thresholds(n_points: int) -> np.ndarray:
    """The default item thresholds: ``-0.25 + 1.25 * Phi^-1(k / n_points)``, k = 1..n_points-1.

    Examples
    --------
    >>> default_thresholds(5).round(2)
    array([-1.3 , -0.57,  0.07,  0.8 ])
    """
    from scipy.stats import norm

    n_points = params.integer("n_points", n_points, min=2, max=11)
    return -0.25 + 1.25 * norm.ppf(np.arange(1, n_points) / n_points)


@dataclass(frozen=True, eq=False)
class SurveyPanel:
    """A simulated team survey, the team outcomes and the truth they were generated from.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per respondent: ``team``, ``respondent`` and one column per item.
    teams : pandas.DataFrame
        One row per team: ``team``, ``n_respondents``, ``csat``.
    truth : dict
        The true values (see :data:`SURVEY_DATASHEET` and :func:`survey_panel`).

    Examples
    --------
    >>> from cxlib.data._survey import survey_panel
    >>> panel = survey_panel(10, 5, rng=1)
    >>> panel.n_respondents, panel.items[:3]
    (50, ['care_1', 'care_2', 'care_3'])
    >>> panel.scales["respond"], panel.reverse_keyed
    (['respond_1', 'respond_2', 'respond_3', 'respond_4'], ['respond_2'])
    >>> print(panel.datasheet().splitlines()[0])
    # Datasheet: the synthetic team survey (`cxlib.data.survey_panel`)
    """

    data: pd.DataFrame
    teams: pd.DataFrame
    truth: dict[str, Any] = field(default_factory=dict)

    @property
    def n_respondents(self) -> int:
        """Number of respondents (rows of ``data``)."""
        return len(self.data)

    @property
    def items(self) -> list[str]:
        """The item columns, in questionnaire order."""
        return list(self.truth["items"].index)

    @property
    def scales(self) -> dict[str, list[str]]:
        """Scale -> its items (the scoring key, without signs)."""
        return {s: list(v) for s, v in self.truth["scales"].items()}

    @property
    def reverse_keyed(self) -> list[str]:
        """Items worded in reverse: reverse them (``n_points + 1 - x``) before scoring."""
        return list(self.truth["reverse_keyed"])

    @property
    def scale_bounds(self) -> tuple[int, int]:
        """The lowest and highest possible answer, ``(1, n_points)``."""
        return tuple(self.truth["scale_bounds"])

    def datasheet(self) -> str:
        """Return :data:`SURVEY_DATASHEET` followed by the truth of this panel (markdown)."""
        t = self.truth
        rel = t["reliability"]
        lines = [
            SURVEY_DATASHEET,
            "## This panel",
            "",
            f"- teams: {len(self.teams):,} of {t['team_size']} respondents ({self.n_respondents:,} in all)",
            f"- items: {len(self.items)} on {len(FACTORS)} scales, answers 1-{t['n_points']}",
            f"- bad items: {t['bad_items'] or 'none'}; reverse-worded items: {t['reverse_keyed'] or 'none'}",
            f"- team_sd: {t['team_sd']:g} (ICC {t['icc']:g}); outcome_sd: {t['outcome_sd']:g}",
            "",
            "| scale | reliability (continuous) | reliability (answers) | alpha (answers) | team mean reliability |",
            "| --- | --- | --- | --- | --- |",
        ]
        for scale, row in rel.iterrows():
            lines.append(f"| {scale} | {row['continuous']:.3f} | {row['categorical']:.3f} | "
                         f"{row['alpha_categorical']:.3f} | {row['team_categorical']:.3f} |")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        t = self.truth
        bad = ", ".join(repr(i) for i in t["bad_items"]) or "none"
        rev = ", ".join(repr(i) for i in t["reverse_keyed"]) or "none"
        return (f"SurveyPanel({len(self.teams):,} teams x {t['team_size']} = {self.n_respondents:,} respondents, "
                f"{len(self.items)} items on {len(FACTORS)} scales (1-{t['n_points']}); "
                f"bad item {bad}, reverse-worded {rev})")


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def _check_loadings(loadings: Any, k: int) -> dict[str, np.ndarray]:
    """Loading magnitudes per scale (before the bad item and the reverse sign)."""
    out = {s: np.full(k, DEFAULT_LOADING) for s in FACTORS}
    out[UNEQUAL_SCALE] = np.linspace(0.9, 0.25, k)
    if loadings is None:
        return out
    if not isinstance(loadings, Mapping):
        raise TypeError(f"loadings must be a mapping from scale to a loading or a list of {k} loadings; "
                        f"got {loadings!r} ({type(loadings).__name__})")
    for scale, value in loadings.items():
        params.choice("loadings key", scale, FACTORS)
        name = f"loadings[{scale!r}]"
        if isinstance(value, Sequence) or hasattr(value, "__array__"):
            arr = params.array(name, value, ndim=1, finite=True)
            if arr.shape != (k,):
                raise ValueError(f"{name} must hold items_per_scale={k} loadings; got {len(arr)}: {params.short(arr)}")
        else:
            arr = np.full(k, params.real(name, value))
        params.elements(name, arr, (arr < 0.05) | (arr > 0.95), "loadings between 0.05 and 0.95")
        out[scale] = arr
    return out


def _check_factor_correlation(value: Any) -> np.ndarray:
    nf, nb = len(FACTORS), len(BEHAVIOURS)
    if value is None:
        value = DEFAULT_FACTOR_CORRELATION
    if isinstance(value, Mapping):
        blocks = dict(DEFAULT_FACTOR_CORRELATION)
        for key, r in value.items():
            params.choice("factor_correlation key", key, tuple(DEFAULT_FACTOR_CORRELATION))
            blocks[key] = params.real(f"factor_correlation[{key!r}]", r, min=-0.95, max=0.95)
        phi = np.full((nf, nf), blocks["between"])
        phi[:nb, :nb] = blocks["behaviours"]
        phi[nb:, nb:] = blocks["mindsets"]
        np.fill_diagonal(phi, 1.0)
    else:
        if hasattr(value, "loc") and hasattr(value, "columns"):  # a DataFrame: order it by FACTORS
            params.frame("factor_correlation", value, FACTORS)
            value = value.loc[list(FACTORS), list(FACTORS)].to_numpy()
        phi = params.array("factor_correlation", value, ndim=2, finite=True)
        if phi.shape != (nf, nf):
            raise ValueError(f"factor_correlation must be a {nf} x {nf} matrix (factors {', '.join(FACTORS)}) "
                             f"or a mapping with keys 'behaviours', 'mindsets', 'between'; got shape {phi.shape}")
        params.elements("factor_correlation", phi, np.abs(phi - phi.T) > 1e-10, "symmetric")
        params.elements("factor_correlation", phi, np.abs(np.diag(phi) - 1.0) > 1e-10, "1 on the diagonal")
    smallest = float(np.linalg.eigvalsh(phi).min())
    if smallest <= 1e-8:
        raise ValueError(f"factor_correlation must be positive definite (a valid correlation matrix); "
                         f"its smallest eigenvalue is {smallest:.3g}")
    return phi


def _check_thresholds(thresholds: Any, n_points: int) -> np.ndarray:
    if thresholds is None:
        return default_thresholds(n_points)
    tau = params.array("thresholds", thresholds, ndim=1, finite=True)
    if tau.shape != (n_points - 1,):
        raise ValueError(f"thresholds must hold n_points - 1 = {n_points - 1} numbers; "
                         f"got {len(tau)}: {params.short(tau)}")
    if np.any(np.diff(tau) <= 0):
        raise ValueError(f"thresholds must be strictly increasing; got {params.short(tau)}")
    return tau


# ---------------------------------------------------------------------------
# Truth by quadrature
# ---------------------------------------------------------------------------


@functools.cache
def _gauss_hermite() -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (summing to 1) of Gauss-Hermite quadrature for a standard normal."""
    from numpy.polynomial.hermite_e import hermegauss

    nodes, weights = hermegauss(_QUADRATURE_NODES)
    return nodes, weights / weights.sum()


def _category_moments(lam: np.ndarray, tau: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E[x | eta] and Var(x | eta) for items with loadings ``lam`` at factor values ``eta``.

    Shapes: lam (k,), eta (...,) -> (..., k).
    """
    from scipy.special import ndtr

    sd = np.sqrt(1.0 - lam**2)
    z = (lam * eta[..., None, None] - tau[:, None]) / sd  # (..., K-1, k): P(y > tau_c | eta)
    above = ndtr(z)
    n_points = len(tau) + 1
    upper = np.concatenate([np.ones_like(above[..., :1, :]), above], axis=-2)
    lower = np.concatenate([above, np.zeros_like(above[..., :1, :])], axis=-2)
    prob = upper - lower  # P(x = c | eta), c = 1..K
    cats = np.arange(1, n_points + 1, dtype=float)[:, None]
    mean = (prob * cats).sum(axis=-2)
    var = (prob * cats**2).sum(axis=-2) - mean**2
    return mean, np.maximum(var, 0.0)


@functools.lru_cache(maxsize=256)
def _scale_truth_cached(lam: tuple[float, ...], keyed: tuple[float, ...], tau: tuple[float, ...],
                        team_sd: float, team_size: int) -> tuple[tuple[str, float], ...]:
    out = _scale_truth(np.array(lam), np.array(keyed), np.array(tau), team_sd, team_size)
    return tuple(out.items())


def _scale_truth(lam: np.ndarray, keyed: np.ndarray, tau: np.ndarray, team_sd: float,
                 team_size: int) -> dict[str, float]:
    """Reliability, alpha and team-mean reliability of one scale (see the datasheet).

    ``lam`` are the loadings of the answers as stored (negative for a reverse-worded item),
    ``keyed`` +1 or -1 (-1: reverse the answers before scoring).
    """
    k = len(lam)
    n_points = len(tau) + 1
    lam_keyed = lam * keyed  # loadings after reversing: >= 0
    big_l = lam_keyed.sum()
    err = (1.0 - lam**2).sum()
    out: dict[str, float] = {}
    out["continuous"] = big_l**2 / (big_l**2 + err)
    cov = np.outer(lam_keyed, lam_keyed)
    np.fill_diagonal(cov, 1.0)
    out["alpha_continuous"] = k / (k - 1) * (1 - np.trace(cov) / cov.sum())

    nodes, weights = _gauss_hermite()
    mean, var = _category_moments(lam, tau, nodes)  # (q, k)
    mean = np.where(keyed < 0, n_points + 1 - mean, mean)  # reversed answers: K + 1 - x
    m_bar = weights @ mean
    centred = mean - m_bar
    cov_x = (centred * weights[:, None]).T @ centred  # Cov of the conditional means
    np.fill_diagonal(cov_x, np.diag(cov_x) + weights @ var)
    true_var = cov_x.sum() - (weights @ var).sum()
    out["categorical"] = true_var / cov_x.sum()
    out["alpha_categorical"] = k / (k - 1) * (1 - np.trace(cov_x) / cov_x.sum())

    tau2 = team_sd**2
    m = team_size
    if tau2 == 0:
        out["team_continuous"] = out["team_categorical"] = out["team_validity"] = 0.0
        return out
    out["team_continuous"] = big_l**2 * tau2 / (big_l**2 * tau2 + (big_l**2 * (1 - tau2) + err) / m)
    # eta = u + w: u ~ N(0, tau2) (team), w ~ N(0, 1 - tau2) (respondent)
    u = nodes * np.sqrt(tau2)
    w = nodes * np.sqrt(1.0 - tau2)
    eta = u[:, None] + w[None, :]  # (q_u, q_w)
    mean2, var2 = _category_moments(lam, tau, eta)  # (q_u, q_w, k)
    mean2 = np.where(keyed < 0, n_points + 1 - mean2, mean2)
    total = mean2.sum(axis=-1)  # T(u + w)
    noise = var2.sum(axis=-1)  # V(u + w)
    g = total @ weights  # E[T | u]
    within = ((total - g[:, None]) ** 2) @ weights + noise @ weights  # Var(S_r | u)
    g_mean = weights @ g
    var_g = weights @ (g - g_mean) ** 2
    var_team_mean = var_g + (weights @ within) / m
    out["team_categorical"] = var_g / var_team_mean
    cov_ug = weights @ ((g - g_mean) * u)
    out["team_validity"] = cov_ug / np.sqrt(tau2 * var_team_mean)
    return out


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


def survey_panel(
    n_teams: int = 60,
    team_size: int = 8,
    *,
    n_points: int = 5,
    loadings: Mapping[str, float | Sequence[float]] | None = None,
    factor_correlation: Mapping[str, float] | Any = None,
    team_sd: float = 0.5,
    items_per_scale: int = 4,
    bad_item: bool = True,
    forgotten_reverse: bool = True,
    thresholds: Sequence[float] | None = None,
    outcome_effects: Mapping[str, float] | None = None,
    outcome_sd: float = 4.0,
    missing: float = 0.0,
    rng: None | int | np.random.Generator = None,
) -> SurveyPanel:
    """Simulate a team survey on customer-centric behaviours and mindsets, with known truth.

    Respondents in teams answer ``items_per_scale`` Likert items (1..``n_points``) on each
    of nine scales: the behaviours care, compete, improve, respond, win and the distracting
    mindsets fixed, organisational, compliance, technical.  The generating model
    (:data:`SURVEY_DATASHEET` has every equation)::

        eta[r]  = u[t] + w[r],  u[t] ~ N(0, team_sd^2 Phi),  w[r] ~ N(0, (1 - team_sd^2) Phi)
        y[r, j] = lambda[j] * eta[r, s(j)] + sqrt(1 - lambda[j]^2) * N(0, 1)
        x[r, j] = 1 + #{k : y[r, j] > tau[k]}                       (the stored answer)
        csat[t] = 70 + sum_f b[f] * u[t, f] + N(0, outcome_sd^2)

    with loadings 0.7 except ``improve`` (0.9 down to 0.25: unequal, so alpha < omega), the
    bad item ``compete_4`` (loading 0) and the reverse-worded item ``respond_2`` (loading
    -0.7, stored unreversed); factor correlations 0.35 among behaviours, 0.25 among mindsets
    and -0.30 between them.

    Parameters
    ----------
    n_teams : int, default 60
        Number of teams, 2 to 100,000.
    team_size : int, default 8
        Respondents per team, 2 to 1,000.
    n_points : int, default 5
        Answer scale 1..n_points, 2 to 11.
    loadings : mapping, optional
        Scale -> loading magnitude (a number for every item, or a list of
        ``items_per_scale`` numbers), each 0.05 to 0.95.  Scales not named keep their
        defaults.  The bad item keeps loading 0 and the reverse-worded item its minus sign.
    factor_correlation : mapping or 9 x 9 matrix, optional
        A mapping with any of the keys ``"behaviours"``, ``"mindsets"``, ``"between"``
        (the correlation of two factors in each block; default 0.35, 0.25, -0.30), or a full
        positive definite correlation matrix in the order of :data:`FACTORS`.
    team_sd : float, default 0.5
        Standard deviation of the teams' true factor means, 0 to 0.95; ``team_sd**2`` is the
        share of each factor's variance between teams (its ICC(1)).
    items_per_scale : int, default 4
        Items per scale, 3 to 12.
    bad_item : bool, default True
        Plant a bad item: the last item of ``compete`` has loading 0.
    forgotten_reverse : bool, default True
        Make the second item of ``respond`` reverse-worded (loading -0.7); its answers are
        stored as given, so an analysis that forgets to reverse it goes wrong.
    thresholds : sequence of float, optional
        The ``n_points - 1`` increasing thresholds of the latent responses; default
        :func:`default_thresholds`.
    outcome_effects : mapping, optional
        Factor -> effect on ``csat`` of a one-unit higher true team mean (points);
        factors not named keep :data:`DEFAULT_OUTCOME_EFFECTS`.
    outcome_sd : float, default 4.0
        Standard deviation of the team-level noise in ``csat``, 0 to 100.
    missing : float, default 0.0
        Probability that an answer is missing (completely at random), 0 to 0.5.
    rng : None, int or numpy.random.Generator
        Seed or generator (see :func:`cxlib.check_rng`).

    Returns
    -------
    SurveyPanel
        ``data`` (one row per respondent), ``teams`` (one row per team) and ``truth``, a
        dict with ``loadings`` (items x factors), ``items``, ``scales``, ``reverse_keyed``,
        ``bad_items``, ``thresholds``, ``n_points``, ``scale_bounds``,
        ``factor_correlation``, ``team_sd``, ``icc``, ``team_size``, ``reliability`` (one
        row per scale; see the datasheet), ``outcome_intercept``, ``outcome_effects``,
        ``outcome_sd``, ``team_means`` (the true u) and ``missing``.

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range (one line naming it).

    Examples
    --------
    >>> from cxlib.data._survey import survey_panel
    >>> panel = survey_panel(rng=1)
    >>> panel
    SurveyPanel(60 teams x 8 = 480 respondents, 36 items on 9 scales (1-5); bad item 'compete_4', reverse-worded 'respond_2')
    >>> panel.data.iloc[:2, :6]
       team  respondent  care_1  care_2  care_3  care_4
    0     1           1       3       3       4       4
    1     1           2       4       5       5       4
    >>> panel.truth["reliability"].loc[["care", "improve"], ["continuous", "categorical", "alpha_categorical"]].round(3)
             continuous  categorical  alpha_categorical
    scale
    care          0.794        0.765              0.765
    improve       0.684        0.654              0.613
    >>> survey_panel(n_teams=1)
    Traceback (most recent call last):
    ...
    ValueError: n_teams must be an integer between 2 and 100000; got 1
    """
    import pandas as pd

    n_teams = params.integer("n_teams", n_teams, min=2, max=100_000)
    team_size = params.integer("team_size", team_size, min=2, max=1_000)
    n_points = params.integer("n_points", n_points, min=2, max=11)
    k = params.integer("items_per_scale", items_per_scale, min=3, max=12)
    team_sd = params.real("team_sd", team_sd, min=0, max=0.95)
    bad_item = params.boolean("bad_item", bad_item)
    forgotten_reverse = params.boolean("forgotten_reverse", forgotten_reverse)
    outcome_sd = params.real("outcome_sd", outcome_sd, min=0, max=100)
    p_missing = params.real("missing", missing, min=0, max=0.5)
    magnitudes = _check_loadings(loadings, k)
    phi = _check_factor_correlation(factor_correlation)
    tau = _check_thresholds(thresholds, n_points)
    effects = dict(DEFAULT_OUTCOME_EFFECTS)
    if outcome_effects is not None:
        if not isinstance(outcome_effects, Mapping):
            raise TypeError(f"outcome_effects must be a mapping from factor to effect; "
                            f"got {outcome_effects!r} ({type(outcome_effects).__name__})")
        for key, value in outcome_effects.items():
            params.choice("outcome_effects key", key, FACTORS)
            effects[key] = params.real(f"outcome_effects[{key!r}]", value, min=-100, max=100)
    gen = check_rng(rng)

    # item table: scale, signed loading, keying, bad
    rows = []
    for s in FACTORS:
        for j in range(k):
            lam = float(magnitudes[s][j])
            keyed, bad = 1, False
            if bad_item and s == BAD_ITEM_SCALE and j == k - 1:
                lam, bad = 0.0, True
            if forgotten_reverse and s == REVERSE_ITEM_SCALE and j == 1:
                lam, keyed = -lam, -1
            rows.append({"item": f"{s}_{j + 1}", "scale": s, "loading": lam, "keyed": keyed, "bad": bad})
    items = pd.DataFrame(rows).set_index("item")
    names = list(items.index)
    scale_of = np.repeat(np.arange(len(FACTORS)), k)
    lam = items["loading"].to_numpy()

    n = n_teams * team_size
    chol = np.linalg.cholesky(phi)
    u = team_sd * gen.standard_normal((n_teams, len(FACTORS))) @ chol.T
    w = np.sqrt(1.0 - team_sd**2) * gen.standard_normal((n, len(FACTORS))) @ chol.T
    team = np.repeat(np.arange(n_teams), team_size)
    eta = u[team] + w
    e = gen.standard_normal((n, len(names)))
    y = lam * eta[:, scale_of] + np.sqrt(1.0 - lam**2) * e
    x = 1 + (y[:, :, None] > tau).sum(axis=2)
    b = np.array([effects[f] for f in FACTORS])
    csat = OUTCOME_INTERCEPT + u @ b + outcome_sd * gen.standard_normal(n_teams)
    answers: np.ndarray = x.astype(np.int64)
    if p_missing > 0:
        answers = np.where(gen.random(x.shape) < p_missing, np.nan, x.astype(float))

    data = pd.DataFrame(answers, columns=names)
    data.insert(0, "respondent", np.arange(1, n + 1, dtype=np.int64))
    data.insert(0, "team", (team + 1).astype(np.int64))
    teams = pd.DataFrame({
        "team": np.arange(1, n_teams + 1, dtype=np.int64),
        "n_respondents": np.full(n_teams, team_size, dtype=np.int64),
        "csat": np.round(csat, 1),
    })  # fmt: skip

    # every item loads on its own scale only; the items come scale by scale, k at a time
    pattern_values = np.zeros((len(names), len(FACTORS)))
    pattern_values[np.arange(len(names)), scale_of] = lam
    pattern = pd.DataFrame(pattern_values, index=pd.Index(names, name="item"), columns=list(FACTORS))
    phi_frame = pd.DataFrame(phi, index=list(FACTORS), columns=list(FACTORS))
    var_signal = float(b @ phi @ b) * team_sd**2
    keyed_values = items["keyed"].to_numpy(dtype=float)
    tau_key = tuple(float(t) for t in tau)
    rel_rows = {}
    for i, s in enumerate(FACTORS):
        block = slice(i * k, (i + 1) * k)
        out = dict(_scale_truth_cached(tuple(lam[block].tolist()), tuple(keyed_values[block].tolist()), tau_key,
                                       team_sd, team_size))
        cov_y_u = team_sd**2 * float(phi[i] @ b)
        sd_y = np.sqrt(var_signal + outcome_sd**2)
        out["outcome_correlation"] = cov_y_u / (sd_y * team_sd) if team_sd > 0 and sd_y > 0 else 0.0
        out["expected_correlation"] = out["outcome_correlation"] * out["team_validity"]
        out["n_items"] = k
        rel_rows[s] = out
    reliability = pd.DataFrame.from_dict(rel_rows, orient="index")[
        ["n_items", "continuous", "categorical", "alpha_continuous", "alpha_categorical",
         "team_continuous", "team_categorical", "team_validity", "outcome_correlation", "expected_correlation"]
    ]
    reliability.index.name = "scale"
    truth = {
        "factors": list(FACTORS),
        "behaviours": list(BEHAVIOURS),
        "mindsets": list(MINDSETS),
        "items": items,
        "loadings": pattern,
        "scales": {s: [f"{s}_{j + 1}" for j in range(k)] for s in FACTORS},
        "reverse_keyed": list(items.index[items["keyed"] < 0]),
        "bad_items": list(items.index[items["bad"]]),
        "thresholds": tau,
        "n_points": n_points,
        "scale_bounds": (1, n_points),
        "factor_correlation": phi_frame,
        "team_sd": team_sd,
        "icc": team_sd**2,
        "team_size": team_size,
        "reliability": reliability,
        "outcome_intercept": OUTCOME_INTERCEPT,
        "outcome_effects": effects,
        "outcome_sd": outcome_sd,
        "team_means": pd.DataFrame(u, index=pd.Index(teams["team"], name="team"), columns=list(FACTORS)),
        "missing": p_missing,
    }
    return SurveyPanel(data=data, teams=teams, truth=truth)
