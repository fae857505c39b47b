"""A/B/n tests for :mod:`cxlib.offers` (lesson 07): arms compared with intervals and corrected
pairwise tests, sample sizes, effects by segment, and the two classic traps (peeking and
slicing) simulated.

The statistics are statsmodels' and scipy's (``proportion_confint``,
``confint_proportions_2indep``, ``proportions_ztest``, ``multipletests``,
``NormalIndPower``, ``chi2_contingency``, a binomial GLM); this module arranges them into
tables and refuses bad counts with a message that names them.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._results import SimulationResult
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ArmComparison", "compare_arms", "arm_counts", "SampleSize", "sample_size", "Uplift",
           "uplift_by_segment", "peeking_simulation", "slicing_simulation", "CORRECTIONS", "INTERVALS"]

#: Multiple-comparison corrections (statsmodels' ``multipletests`` names).
CORRECTIONS: tuple[str, ...] = ("holm", "bonferroni", "fdr_bh", "none")
#: Interval methods for one arm's rate: Wilson's score interval or the exact (Clopper-Pearson) one.
INTERVALS: tuple[str, ...] = ("wilson", "exact")


def _counts(successes: Any, trials: Any, arms: Any = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    s = np.atleast_1d(params.array("successes", successes, "a list of success counts (whole numbers >= 0)", ndim=1,
                                   finite=True))
    n = np.atleast_1d(params.array("trials", trials, "a list of trial counts (whole numbers >= 1)", ndim=1,
                                   finite=True))
    if s.size != n.size:
        raise ValueError(f"successes and trials must have one count per arm; got {s.size} and {n.size}")
    if s.size < 2:
        raise ValueError(f"compare at least 2 arms; got {s.size}")
    params.elements("successes", s, (s < 0) | (s != np.round(s)), "whole numbers >= 0")
    params.elements("trials", n, (n < 1) | (n != np.round(n)), "whole numbers >= 1")
    params.elements("successes", s, s > n, "at most the trials of the same arm")
    if arms is None:
        names = [f"arm {i + 1}" for i in range(s.size)]
    else:
        names = [str(a) for a in arms]
        if len(names) != s.size:
            raise ValueError(f"arms must name each of the {s.size} arms; got {len(names)} names")
        if len(set(names)) != len(names):
            raise ValueError(f"arms must have different names; got {params.short(names)}")
    return s, n, names


def _difference(s1: float, n1: float, s2: float, n2: float, alpha: float) -> dict[str, float]:
    """Rate 1 minus rate 2 with Newcombe's interval and the pooled two-proportion z-test's p-value
    (1 when both arms are all failures or all successes: no evidence of a difference)."""
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    lo, hi = confint_proportions_2indep(s1, n1, s2, n2, method="newcomb", compare="diff", alpha=alpha)
    p = 1.0 if s1 + s2 in (0, n1 + n2) else float(proportions_ztest([s1, s2], [n1, n2])[1])
    return {"difference": s1 / n1 - s2 / n2, "ci_low": float(lo), "ci_high": float(hi), "p_value": p}


def arm_counts(data: pd.DataFrame, arm: str, outcome: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Successes, trials and names of each arm from a table with one row per customer.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.offers import arm_counts
    >>> arm_counts(pd.DataFrame({"card": ["a", "b", "a"], "tip": [1, 0, 0]}), "card", "tip")
    (array([1, 0]), array([2, 1]), ['a', 'b'])
    """
    import pandas as pd

    params.frame("data", data, {"arm": arm, "outcome": outcome})
    y = data[outcome]
    if y.isna().any():
        raise ValueError(f"outcome column {outcome!r} has {int(y.isna().sum())} missing value(s); drop them first")
    bad = ~y.isin([0, 1])
    if bad.any():
        raise ValueError(f"outcome column {outcome!r} must hold 0 or 1; got {y[bad].iloc[0]!r} at row {y.index[bad][0]!r}")
    grouped = pd.DataFrame({"arm": data[arm], "y": y.astype(int)}).groupby("arm", observed=True, sort=True)["y"]
    agg = grouped.agg(["sum", "size"])
    return agg["sum"].to_numpy(), agg["size"].to_numpy(), [str(i) for i in agg.index]


@dataclass(frozen=True)
class ArmComparison:
    """An A/B/n test: each arm's rate with its interval, every pair compared, and the overall test.

    Attributes
    ----------
    arms : pandas.DataFrame
        One row per arm: ``successes``, ``trials``, ``rate``, ``ci_low``, ``ci_high``.
    pairs : pandas.DataFrame
        One row per pair: ``arm_a``, ``arm_b``, ``difference`` (rate a - rate b) with
        Newcombe's interval ``ci_low``, ``ci_high``, the two-proportion z-test ``p_value``
        and the ``p_adjusted`` of the correction.
    chi2, df, p_value : float, int, float
        Pearson's chi-square test that all arms share one rate (no continuity correction).
    correction : str
    best : str
        The arm with the highest observed rate.

    Examples
    --------
    >>> from cxlib.offers import compare_arms
    >>> res = compare_arms([30, 14, 16], [72, 74, 65], arms=["Joke", "Ad", "None"])
    >>> res.best, round(res.chi2, 2), res.df
    ('Joke', 9.95, 2)
    """

    arms: Any
    pairs: Any
    chi2: float
    df: int
    p_value: float
    correction: str
    best: str

    def summary(self) -> pd.DataFrame:
        """The per-arm table."""
        return self.arms

    def __repr__(self) -> str:
        return (f"ArmComparison({len(self.arms)} arms, best {self.best!r}; chi2={self.chi2:.2f}, "
                f"df={self.df}, p={self.p_value:.3g})")


def compare_arms(
    successes: Any,
    trials: Any,
    *,
    arms: Any = None,
    correction: str = "holm",
    method: str = "wilson",
    ci: float = 0.95,
) -> ArmComparison:
    """Compare the success rates of several arms of a randomised test.

    Each arm's rate gets Wilson's score interval (or the exact Clopper-Pearson one,
    statsmodels' ``proportion_confint``); each pair of arms the difference of rates with
    Newcombe's hybrid score interval (``confint_proportions_2indep``), the pooled
    two-proportion z-test (``proportions_ztest``) and a p-value adjusted for the number of
    pairs (``multipletests``: Holm's step-down by default, which controls the chance of any
    false positive like Bonferroni's but rejects more); and all arms together Pearson's
    chi-square test of one common rate (scipy's ``chi2_contingency``, without continuity
    correction, as R's ``chisq.test`` on a table larger than 2 x 2).

    Parameters
    ----------
    successes, trials : sequence of int
        Per arm: customers who responded, customers who got the arm.
    arms : sequence of str, optional
        Names of the arms (default "arm 1", "arm 2"...).
    correction : {"holm", "bonferroni", "fdr_bh", "none"}, default "holm"
    method : {"wilson", "exact"}, default "wilson"
        Interval for each arm's rate.
    ci : float, default 0.95

    Returns
    -------
    ArmComparison

    Raises
    ------
    ValueError
        Negative or fractional counts, successes above trials, one arm only.

    Examples
    --------
    >>> from cxlib.offers import compare_arms
    >>> res = compare_arms([30, 14, 16], [72, 74, 65], arms=["Joke", "Ad", "None"])
    >>> res.arms["rate"].round(3).tolist()
    [0.417, 0.189, 0.246]
    >>> res.pairs[["arm_a", "arm_b", "p_adjusted"]].round(3).values.tolist()
    [['Joke', 'Ad', 0.008], ['Joke', 'None', 0.07], ['Ad', 'None', 0.415]]
    >>> compare_arms([5, 12], [10, 10])
    Traceback (most recent call last):
    ...
    ValueError: successes must be at most the trials of the same arm; got 12.0 at position 1
    """
    import pandas as pd
    from scipy.stats import chi2_contingency
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import proportion_confint

    s, n, names = _counts(successes, trials, arms)
    corr = params.choice("correction", correction, CORRECTIONS)
    how = params.choice("method", method, INTERVALS)
    level = params.real("ci", ci, min=0, max=1, min_inclusive=False, max_inclusive=False)
    alpha = 1 - level
    low, high = proportion_confint(s, n, alpha=alpha, method="beta" if how == "exact" else "wilson")
    arm_table = pd.DataFrame({"successes": s.astype(int), "trials": n.astype(int), "rate": s / n,
                              "ci_low": np.asarray(low, float), "ci_high": np.asarray(high, float)},
                             index=pd.Index(names, name="arm"))
    rows = []
    for i, j in itertools.combinations(range(s.size), 2):
        rows.append({"arm_a": names[i], "arm_b": names[j], **_difference(s[i], n[i], s[j], n[j], alpha)})
    pairs = pd.DataFrame(rows)
    pairs["p_adjusted"] = (pairs["p_value"] if corr == "none"
                           else multipletests(pairs["p_value"], alpha=alpha, method=corr)[1])
    table = np.column_stack([s, n - s])
    if (table.sum(axis=0) == 0).any():
        chi2, df, p_all = 0.0, s.size - 1, 1.0
    else:
        chi2, p_all, df, _ = chi2_contingency(table, correction=False)
    best = names[int(np.argmax(s / n))]
    return ArmComparison(arm_table, pairs, float(chi2), int(df), float(p_all), corr, best)


@dataclass(frozen=True)
class SampleSize:
    """Customers a test of several arms needs (each arm against the control).

    Attributes
    ----------
    per_arm : int
        Customers in each arm.
    total : int
        ``per_arm * arms``.
    alpha_per_comparison : float
        The level of each of the ``arms - 1`` comparisons after Bonferroni's correction.
    effect_size : float
        Cohen's h of the difference.

    Examples
    --------
    >>> from cxlib.offers import sample_size
    >>> sample_size(0.10, 0.20).per_arm
    3835
    """

    per_arm: int
    total: int
    arms: int
    alpha_per_comparison: float
    effect_size: float

    def __repr__(self) -> str:
        return f"SampleSize({self.per_arm:,} per arm x {self.arms} arms = {self.total:,} customers)"


def sample_size(baseline: float, lift: float, alpha: float = 0.05, power: float = 0.8, arms: int = 2) -> SampleSize:
    """Customers per arm to detect a relative lift over a baseline rate (statsmodels' power classes).

    The treated rate is ``baseline * (1 + lift)`` (``lift=0.2``: 10% becomes 12%); the effect
    size is Cohen's h (``proportion_effectsize``) and the size per arm comes from
    ``NormalIndPower`` for a two-sided test at level ``alpha / (arms - 1)``: with more arms,
    each compared with the control, Bonferroni's correction shrinks the level, so each arm
    needs more customers, and there are more arms to fill.

    Parameters
    ----------
    baseline : float
        The control arm's rate, > 0 and < 1.
    lift : float
        Relative lift to detect, > -1 and not 0; ``baseline * (1 + lift)`` must stay below 1.
    alpha : float, default 0.05
    power : float, default 0.8
    arms : int, default 2
        Arms in the test, the control included, 2 to 20.

    Returns
    -------
    SampleSize

    Examples
    --------
    >>> from cxlib.offers import sample_size
    >>> [sample_size(0.10, 0.20, arms=k).total for k in (2, 3, 5)]
    [7670, 13932, 27240]
    """
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    p0 = params.real("baseline", baseline, min=0, max=1, min_inclusive=False, max_inclusive=False)
    up = params.real("lift", lift, min=-1, min_inclusive=False)
    if up == 0:
        raise ValueError("lift must differ from 0 (no lift cannot be detected); got 0")
    p1 = p0 * (1 + up)
    if p1 >= 1:
        raise ValueError(f"lift must keep baseline * (1 + lift) below 1; got {p0:g} * (1 + {up:g}) = {p1:g}")
    a = params.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)
    pw = params.real("power", power, min=0, max=1, min_inclusive=False, max_inclusive=False)
    k = params.integer("arms", arms, min=2, max=20)
    h = float(proportion_effectsize(p1, p0))
    level = a / (k - 1)
    n = NormalIndPower().solve_power(effect_size=abs(h), alpha=level, power=pw, ratio=1.0, alternative="two-sided")
    per_arm = int(math.ceil(n - 1e-9))
    return SampleSize(per_arm, per_arm * k, k, level, h)


@dataclass(frozen=True)
class Uplift:
    """Effects of the arms by segment, from a logistic model with arm x segment interactions.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (segment, arm): ``trials``, ``rate``, ``difference`` from the reference
        arm in that segment with Newcombe's interval, the z-test ``p_value`` and
        ``p_adjusted`` (Holm, over all the segment comparisons).
    interaction_lr, interaction_df, interaction_p : float, int, float
        The likelihood-ratio test that the arms' effects are the same in every segment (the
        model with interactions against the one without).
    n_comparisons : int
    warning : str
        How many false positives slicing alone would produce.
    model : statsmodels GLM results
        The binomial GLM with interactions.

    Examples
    --------
    >>> from cxlib.data import offer_panel
    >>> from cxlib.offers import uplift_by_segment
    >>> up = uplift_by_segment(offer_panel(6000, rng=3).data, "offer", "responded", "segment")
    >>> up.n_comparisons, up.interaction_df
    (6, 4)
    """

    table: Any
    interaction_lr: float
    interaction_df: int
    interaction_p: float
    n_comparisons: int
    warning: str
    model: Any = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """The per-segment table."""
        return self.table


def uplift_by_segment(data: pd.DataFrame, arm: str, outcome: str, segment: str, *, reference: str | None = None,
                      alpha: float = 0.05) -> Uplift:
    """Heterogeneous effects: each arm against a reference arm within each segment.

    A binomial GLM ``outcome ~ C(arm) * C(segment)`` (statsmodels) is compared by a
    likelihood-ratio test with the model without interactions: the one test of whether the
    effects differ across segments at all.  The per-segment differences (the saturated
    model's cell rates, with Newcombe's intervals and z-tests) come with Holm-adjusted
    p-values, and with a warning: with ``k`` comparisons and no real differences, about
    ``k * alpha`` of them come out "significant" anyway.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    arm, outcome, segment : str
        Columns: the arm received, the 0/1 response, the segment.
    reference : str, optional
        The arm the others are compared with (default: the first arm, in categorical or
        sorted order).
    alpha : float, default 0.05

    Returns
    -------
    Uplift

    Examples
    --------
    >>> from cxlib.data import offer_panel
    >>> from cxlib.offers import uplift_by_segment
    >>> up = uplift_by_segment(offer_panel(9000, rng=1).data, "offer", "responded", "segment")
    >>> up.interaction_p < 0.05
    True
    """
    import pandas as pd
    import statsmodels.api as sm
    import statsmodels.formula.api as smf
    from scipy.stats import chi2 as chi2_dist
    from statsmodels.stats.multitest import multipletests

    params.frame("data", data, {"arm": arm, "outcome": outcome, "segment": segment}, empty=False)
    a = params.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)
    _, _, arm_names = arm_counts(data, arm, outcome)
    if len(arm_names) < 2:
        raise ValueError(f"arm column {arm!r} has only one arm ({arm_names[0]!r}); compare at least 2")
    arm_cat = data[arm] if isinstance(data[arm].dtype, pd.CategoricalDtype) else data[arm].astype("category")
    levels = [str(c) for c in arm_cat.cat.categories if str(c) in arm_names]
    ref = levels[0] if reference is None else params.choice("reference", str(reference), levels)
    frame = pd.DataFrame({"y": data[outcome].astype(float), "arm": data[arm].astype(str),
                          "segment": data[segment].astype(str)})
    full = smf.glm(f"y ~ C(arm, Treatment({ref!r})) * C(segment)", frame, family=sm.families.Binomial()).fit()
    main = smf.glm(f"y ~ C(arm, Treatment({ref!r})) + C(segment)", frame, family=sm.families.Binomial()).fit()
    lr = float(2 * (full.llf - main.llf))
    df = int(round(full.df_model - main.df_model))
    p_int = float(chi2_dist.sf(lr, df)) if df > 0 else float("nan")
    seg_cat = data[segment] if isinstance(data[segment].dtype, pd.CategoricalDtype) else data[segment].astype("category")
    segments = [str(c) for c in seg_cat.cat.categories if (frame["segment"] == str(c)).any()]
    rows = []
    for seg in segments:
        part = frame[frame["segment"] == seg]
        r = part[part["arm"] == ref]["y"]
        for name in levels:
            if name == ref:
                continue
            t = part[part["arm"] == name]["y"]
            if len(t) == 0 or len(r) == 0:
                continue
            st, nt, sr, nr = t.sum(), len(t), r.sum(), len(r)
            rows.append({"segment": seg, "arm": name, "trials": int(nt), "rate": st / nt, "reference_rate": sr / nr,
                         **_difference(st, nt, sr, nr, a)})
    table = pd.DataFrame(rows)
    table["p_adjusted"] = multipletests(table["p_value"], alpha=a, method="holm")[1] if len(table) else []
    k = len(table)
    warning = (f"{k} comparisons: if no segment truly differed, about {k * a:.1f} of them would still have "
               f"p < {a:g} (and the chance of at least one would be {1 - (1 - a) ** k:.0%}); read the "
               "Holm-adjusted p-values and the interaction test, and confirm a segment's effect on new customers")
    return Uplift(table.set_index(["segment", "arm"]), lr, df, p_int, k, warning, full)


def peeking_simulation(n_per_arm: int = 2000, looks: int = 10, rate: float = 0.1, alpha: float = 0.05, *,
                       n_sims: int = 2000, rng: None | int | np.random.Generator = None) -> pd.DataFrame:
    """How often an A/A test (two identical arms) "finds" a difference when it is checked repeatedly.

    Each simulated test fills two arms with the same true ``rate``, and at each of
    ``looks`` equally spaced interim looks runs the pooled two-proportion z-test; a test that
    stops at the first p < ``alpha`` declares a winner.  Vectorised over the simulations;
    each number of looks is simulated on its own equally spaced schedule.

    Parameters
    ----------
    n_per_arm : int, default 2000
        Customers per arm at the end, 20 to 1,000,000.
    looks : int, default 10
        Interim checks, 1 (only at the end) to 1,000.
    rate : float, default 0.1
    alpha : float, default 0.05
    n_sims : int, default 2000
    rng : None, int or numpy.random.Generator

    Returns
    -------
    pandas.DataFrame
        One row per number of looks ``m`` from 1 to ``looks`` (each simulated afresh with
        ``m`` equally spaced looks, the last at the full sample; ``m = 1`` is the one planned
        analysis): ``looks``, ``false_positive_rate`` (share of A/A tests that declared a
        "winner"), ``mc_se``.

    Examples
    --------
    >>> from cxlib.offers import peeking_simulation
    >>> sim = peeking_simulation(1000, looks=10, n_sims=4000, rng=1)
    >>> round(float(sim["false_positive_rate"].iloc[0]), 2), bool(sim["false_positive_rate"].iloc[-1] > 0.12)
    (0.05, True)
    """
    import pandas as pd
    from scipy.stats import norm

    n = params.integer("n_per_arm", n_per_arm, min=20, max=1_000_000)
    k = params.integer("looks", looks, min=1, max=1000)
    p = params.real("rate", rate, min=0, max=1, min_inclusive=False, max_inclusive=False)
    a = params.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)
    sims = params.integer("n_sims", n_sims, min=10, max=1_000_000)
    gen = check_rng(rng)
    crit = norm.ppf(1 - a / 2)
    rows = []
    for m in range(1, k + 1):  # m looks, equally spaced, the last at the full sample
        points = np.unique(np.round(np.linspace(n / m, n, m)).astype(int))
        steps = np.diff(np.r_[0, points])
        a_cum = np.cumsum(gen.binomial(steps, p, size=(sims, steps.size)), axis=1)
        b_cum = np.cumsum(gen.binomial(steps, p, size=(sims, steps.size)), axis=1)
        pooled = (a_cum + b_cum) / (2 * points)
        se = np.sqrt(pooled * (1 - pooled) * 2 / points)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(se > 0, (a_cum - b_cum) / points / se, 0.0)
        fp = float(np.mean((np.abs(z) > crit).any(axis=1)))
        rows.append({"looks": m, "false_positive_rate": fp, "mc_se": math.sqrt(fp * (1 - fp) / sims)})
    return pd.DataFrame(rows)


def slicing_simulation(n_segments: int = 10, n_per_segment: int = 400, rate: float = 0.1, alpha: float = 0.05, *,
                       n_sims: int = 2000, rng: None | int | np.random.Generator = None) -> pd.DataFrame:
    """How often slicing an A/B test with no real effect into segments "finds" a segment where it works.

    In each simulated test both arms have the same true ``rate`` in every one of
    ``n_segments`` segments (``n_per_segment`` customers per arm per segment); each segment is
    tested (pooled z-test).  Vectorised over the simulations.

    Returns
    -------
    pandas.DataFrame
        One row per number of segments looked at (1 to ``n_segments``): ``segments``,
        ``any_raw`` (share of tests with at least one segment at p < alpha),
        ``any_holm`` (after Holm's correction over the segments), ``expected_raw``
        (``1 - (1 - alpha)^segments``).

    Examples
    --------
    >>> from cxlib.offers import slicing_simulation
    >>> sim = slicing_simulation(10, n_sims=3000, rng=2)
    >>> bool(sim["any_raw"].iloc[-1] > 0.3), bool(sim["any_holm"].iloc[-1] < 0.07)
    (True, True)
    """
    import pandas as pd
    from scipy.stats import norm

    k = params.integer("n_segments", n_segments, min=1, max=200)
    n = params.integer("n_per_segment", n_per_segment, min=10, max=1_000_000)
    p = params.real("rate", rate, min=0, max=1, min_inclusive=False, max_inclusive=False)
    a = params.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)
    sims = params.integer("n_sims", n_sims, min=10, max=1_000_000)
    gen = check_rng(rng)
    xa = gen.binomial(n, p, size=(sims, k))
    xb = gen.binomial(n, p, size=(sims, k))
    pooled = (xa + xb) / (2 * n)
    se = np.sqrt(pooled * (1 - pooled) * 2 / n)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, (xa - xb) / n / se, 0.0)
    pv = 2 * norm.sf(np.abs(z))
    rows = []
    for m in range(1, k + 1):
        sub = np.sort(pv[:, :m], axis=1)
        raw = float(np.mean(sub[:, 0] < a))
        # Holm: reject the smallest p-value first if p_(1) < alpha / m; any rejection needs that
        holm = float(np.mean(sub[:, 0] < a / m))
        rows.append({"segments": m, "any_raw": raw, "any_holm": holm, "expected_raw": 1 - (1 - a) ** m})
    return pd.DataFrame(rows)
