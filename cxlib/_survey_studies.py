"""Simulation studies for :mod:`cxlib.survey` (lesson 01): alpha and omega over many panels,
factor recovery by sample size, and the plain callback of the alpha explorer.

Each study draws fresh known-truth data, estimates with the functions of
:mod:`cxlib.survey` (the same numbers, computed in bulk) and keeps the truth beside the
estimates, so that a lesson can show where an estimator is right and where it is not.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._results import SimulationResult
from cxlib._rng import check_rng, seed_from

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["AlphaDemo", "alpha_demo", "ReliabilityStudy", "reliability_study", "factor_recovery"]

#: Item counts of the true-reliability curve of :func:`alpha_demo`.
_CURVE_ITEMS = tuple(range(2, 13))


# ---------------------------------------------------------------------------
# Shared numbers
# ---------------------------------------------------------------------------


def _alphas(cov: np.ndarray) -> np.ndarray:
    """Cronbach's alpha of each covariance matrix in a stack ``(..., k, k)``; NaN where the
    total score has no variance."""
    k = cov.shape[-1]
    total = cov.sum(axis=(-2, -1))
    trace = np.trace(cov, axis1=-2, axis2=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, k / (k - 1) * (1.0 - trace / total), np.nan)


def _feldt_many(alpha: np.ndarray, n: int, k: int, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Feldt's interval for many alphas of samples of the same shape (as ``cronbach_alpha``)."""
    from scipy.special import fdtri

    tail = 1.0 - level
    df1 = n - 1
    df2 = df1 * (k - 1)
    upper_f, lower_f = float(fdtri(df1, df2, 1.0 - tail / 2)), float(fdtri(df1, df2, tail / 2))
    return 1.0 - (1.0 - alpha) * upper_f, 1.0 - (1.0 - alpha) * lower_f


def _item_total(cov: np.ndarray) -> np.ndarray:
    """Corrected item-total correlations from a covariance matrix (as ``item_analysis``)."""
    row_sums = cov.sum(axis=1)
    diag = np.diag(cov)
    rest_var = cov.sum() - 2 * row_sums + diag
    with np.errstate(invalid="ignore", divide="ignore"):
        return (row_sums - diag) / np.sqrt(diag * rest_var)


def _team_icc(scores: np.ndarray, team: np.ndarray) -> tuple[float, float]:
    """ICC(1) and ICC(2) of a score in balanced teams by one-way ANOVA, both truncated at 0:
    the REML estimates of :func:`cxlib.survey.icc` for balanced groups."""
    codes, inverse = np.unique(team, return_inverse=True)
    g = len(codes)
    sizes = np.bincount(inverse)
    m = float(sizes.mean())
    means = np.bincount(inverse, weights=scores) / sizes
    msw = float(((scores - means[inverse]) ** 2).sum() / (len(scores) - g))
    msb = float((sizes * (means - scores.mean()) ** 2).sum() / (g - 1))
    if msb <= msw or msb <= 0:
        return 0.0, 0.0
    return (msb - msw) / (msb + (m - 1) * msw), 1.0 - msw / msb


# ---------------------------------------------------------------------------
# The alpha explorer's callback
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AlphaDemo(SimulationResult):
    """Cronbach's alpha of one simulated scale design, over many samples, against the truth.

    Attributes
    ----------
    inputs : dict
        ``n_items``, ``loading``, ``n_respondents``, ``n_points``, ``n_samples``, ``ci``,
        ``seed``.
    reliability : float
        The true reliability of the scale score of the 1..n_points answers (by quadrature,
        as :func:`cxlib.data.survey_panel`'s truth); with equal loadings it is also the
        population value of alpha.
    reliability_continuous : float
        The reliability the same items would have if answers were continuous (no
        categories): ``k l^2 / (k l^2 + 1 - l^2)``.
    samples : pandas.DataFrame
        One row per sample: ``alpha``, ``ci_low``, ``ci_high``, ``covers`` (the interval
        holds ``reliability``).
    curve : pandas.DataFrame
        The true reliability (``reliability``, answers; ``reliability_continuous``) for
        2 to 12 items with the same loading: the Spearman-Brown curve.
    data : pandas.DataFrame
        The answers of the first sample (``item_1``...), whose alpha is ``samples.alpha[0]``.

    Examples
    --------
    >>> from cxlib.survey import alpha_demo
    >>> demo = alpha_demo(4, 0.7, 200, n_samples=100, rng=1)
    >>> demo
    AlphaDemo(4 items, loading 0.70, n=200, 5 points: true reliability 0.765; sample 1 alpha 0.761 (95% CI 0.702 to 0.811); 94% of 100 intervals cover the truth)
    >>> demo.summary().round(3).T
                                0
    n_items                 4.000
    loading                 0.700
    n_respondents         200.000
    reliability             0.765
    reliability_continuous  0.794
    alpha                   0.761
    ci_low                  0.702
    ci_high                 0.811
    alpha_mean              0.761
    alpha_sd                0.028
    ci_width_mean           0.109
    coverage                0.940
    """

    inputs: dict[str, Any]
    reliability: float
    reliability_continuous: float
    samples: pd.DataFrame = field(repr=False)
    curve: pd.DataFrame = field(repr=False)
    data: pd.DataFrame = field(repr=False)

    @property
    def alpha(self) -> float:
        """Alpha of the first sample (the one an analyst would have)."""
        return float(self.samples["alpha"].iloc[0])

    @property
    def ci(self) -> tuple[float, float]:
        """Feldt's interval of the first sample."""
        row = self.samples.iloc[0]
        return float(row["ci_low"]), float(row["ci_high"])

    @property
    def coverage(self) -> float:
        """Share of the samples whose interval holds the true reliability."""
        return float(self.samples["covers"].mean())

    def summary(self) -> pd.DataFrame:
        """One row: the design, the truth, the first sample and the spread over samples."""
        import pandas as pd

        s = self.samples
        return pd.DataFrame([{
            "n_items": self.inputs["n_items"], "loading": self.inputs["loading"],
            "n_respondents": self.inputs["n_respondents"], "reliability": self.reliability,
            "reliability_continuous": self.reliability_continuous, "alpha": self.alpha,
            "ci_low": self.ci[0], "ci_high": self.ci[1], "alpha_mean": float(s["alpha"].mean()),
            "alpha_sd": float(s["alpha"].std(ddof=1)) if len(s) > 1 else math.nan,
            "ci_width_mean": float((s["ci_high"] - s["ci_low"]).mean()), "coverage": self.coverage,
        }])  # fmt: skip

    def __repr__(self) -> str:
        i = self.inputs
        lo, hi = self.ci
        return (f"AlphaDemo({i['n_items']} items, loading {i['loading']:.2f}, n={i['n_respondents']:,}, "
                f"{i['n_points']} points: true reliability {self.reliability:.3f}; sample 1 alpha "
                f"{self.alpha:.3f} ({100 * i['ci']:g}% CI {lo:.3f} to {hi:.3f}); {self.coverage:.0%} of "
                f"{i['n_samples']:,} intervals cover the truth)")


def _one_factor_truth(n_items: int, loading: float, tau: np.ndarray) -> tuple[float, float]:
    """True reliability of the answers' sum and of the continuous responses' sum."""
    from cxlib.data._survey import _scale_truth_cached

    out = dict(_scale_truth_cached((float(loading),) * n_items, (1.0,) * n_items,
                                   tuple(float(t) for t in tau), 0.0, 2))
    return float(out["categorical"]), float(out["continuous"])


def alpha_demo(
    n_items: int = 4,
    loading: float = 0.7,
    n_respondents: int = 200,
    *,
    n_points: int = 5,
    n_samples: int = 200,
    ci: float = 0.95,
    rng: None | int | np.random.Generator = None,
) -> AlphaDemo:
    """How close is Cronbach's alpha to the truth for a given number of items, loading and sample?

    The plain function behind :func:`cxlib.widgets.alpha_explorer`.  Each of ``n_samples``
    samples has ``n_respondents`` people answering ``n_items`` Likert items of one factor,
    all with the same standardised ``loading`` (tau-equivalent items, where alpha is the
    reliability), on 1..``n_points`` with the thresholds of
    :func:`cxlib.data.survey_panel` (:func:`cxlib.data.default_thresholds`)::

        y[r, j] = loading * eta[r] + sqrt(1 - loading**2) * e[r, j],   eta, e ~ N(0, 1)
        x[r, j] = 1 + #{c : y[r, j] > tau[c]}

    Alpha and Feldt's interval are computed for every sample (as
    :func:`cxlib.survey.cronbach_alpha`) and set against the true reliability of the
    answers' total, computed from the model by quadrature.

    Parameters
    ----------
    n_items : int, default 4
        Items in the scale, 2 to 12.
    loading : float, default 0.7
        Standardised loading of every item, 0.05 to 0.95.
    n_respondents : int, default 200
        Respondents per sample, 10 to 100,000.
    n_points : int, default 5
        Answer points, 2 to 11.
    n_samples : int, default 200
        Samples drawn, 1 to 5,000 (at most 20 million answers in all).
    ci : float, default 0.95
        Confidence level of the intervals.
    rng : None, int or numpy.random.Generator
        Seed or generator.  With the same integer seed, other settings reuse the same
        normal draws (common random numbers), so moving one slider changes only what it
        should.

    Returns
    -------
    AlphaDemo
        ``reliability`` (truth), ``samples`` (alpha and interval of each sample), ``curve``
        (true reliability for 2 to 12 items), ``data`` (the first sample), ``coverage``,
        ``summary()``.

    Examples
    --------
    >>> from cxlib.survey import alpha_demo, cronbach_alpha
    >>> demo = alpha_demo(6, 0.5, 100, n_samples=50, rng=3)
    >>> round(demo.reliability, 3), round(demo.alpha, 3)
    (0.638, 0.634)
    >>> round(cronbach_alpha(demo.data).alpha, 3)  # the same number, one sample at a time
    0.634
    >>> demo.curve.set_index("n_items").loc[[2, 6, 12], "reliability"].round(3).tolist()
    [0.37, 0.638, 0.779]
    >>> alpha_demo(1)
    Traceback (most recent call last):
    ...
    ValueError: n_items must be an integer between 2 and 12; got 1
    """
    import pandas as pd

    from cxlib.data._survey import default_thresholds

    n_items = params.integer("n_items", n_items, min=2, max=12)
    loading = params.real("loading", loading, min=0.05, max=0.95)
    n_respondents = params.integer("n_respondents", n_respondents, min=10, max=100_000)
    n_points = params.integer("n_points", n_points, min=2, max=11)
    n_samples = params.integer("n_samples", n_samples, min=1, max=5_000)
    level = params.real("ci", ci, min=0, max=1, min_inclusive=False, max_inclusive=False)
    if n_samples * n_respondents * 12 > 20_000_000:
        raise ValueError(f"n_samples * n_respondents must be at most {20_000_000 // 12:,} (the draws are made for "
                         f"12 items, the most the explorer offers); got {n_samples:,} * {n_respondents:,}")
    seed = seed_from(rng)
    gen = check_rng(seed)
    tau = default_thresholds(n_points)
    # draw for 12 items always, so that n_items and loading reuse the same numbers
    eta = gen.standard_normal((n_samples, n_respondents, 1))
    err = gen.standard_normal((n_samples, n_respondents, 12))[:, :, :n_items]
    y = loading * eta + math.sqrt(1.0 - loading**2) * err
    x = 1.0 + (y[..., None] > tau).sum(axis=-1)
    centred = x - x.mean(axis=1, keepdims=True)
    cov = np.einsum("sni,snj->sij", centred, centred) / (n_respondents - 1)
    alpha = _alphas(cov)
    low, high = _feldt_many(alpha, n_respondents, n_items, level)
    truth, truth_cont = _one_factor_truth(n_items, loading, tau)
    samples = pd.DataFrame({"alpha": alpha, "ci_low": low, "ci_high": high,
                            "covers": (low <= truth) & (truth <= high)},
                           index=pd.RangeIndex(1, n_samples + 1, name="sample"))
    curve = pd.DataFrame([(k, *_one_factor_truth(k, loading, tau)) for k in _CURVE_ITEMS],
                         columns=["n_items", "reliability", "reliability_continuous"])
    data = pd.DataFrame(x[0].astype(np.int64), columns=[f"item_{j + 1}" for j in range(n_items)])
    inputs = {"n_items": n_items, "loading": loading, "n_respondents": n_respondents, "n_points": n_points,
              "n_samples": n_samples, "ci": level, "seed": seed}
    return AlphaDemo(inputs=inputs, reliability=truth, reliability_continuous=truth_cont, samples=samples,
                     curve=curve, data=data)


# ---------------------------------------------------------------------------
# Many panels: alpha, omega, item flags and attenuation against the truth
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReliabilityStudy(SimulationResult):
    """Reliability, item flags and team correlations over many simulated survey panels.

    Attributes
    ----------
    inputs : dict
        ``n_replications``, ``seed``, ``omega_scales``, ``ci`` and the panel settings
        (``panel``: the keyword arguments of :func:`cxlib.data.survey_panel`).
    scales : pandas.DataFrame
        One row per panel and scale: ``replication``, ``scale``, ``alpha``, ``ci_low``,
        ``ci_high``, ``covers`` (the interval holds the true reliability), ``omega`` and
        ``omega_converged`` (for ``omega_scales``; NaN otherwise), ``icc1`` and
        ``team_reliability`` (ICC(1) and ICC(2) of the scale score in teams),
        ``r_observed`` (team mean score vs ``csat``), ``r_corrected`` (Spearman's
        correction by ICC(2)) and ``r_true_sample`` (the teams' true factor means vs
        ``csat`` in the same panel).
    items : pandas.DataFrame
        One row per panel and item, answers as stored (the reverse-worded item *not*
        reversed, as an analyst who forgot it would have them): ``replication``,
        ``scale``, ``item``, ``planted`` (``"bad"``, ``"reverse"`` or ``""``),
        ``corrected_item_total`` and ``flag`` (below 0.2, as :func:`cxlib.survey.item_analysis`).
    truth : pandas.DataFrame
        The panels' true values per scale (``truth["reliability"]`` of
        :func:`cxlib.data.survey_panel`; the same for every panel).

    Examples
    --------
    >>> from cxlib.survey import reliability_study
    >>> study = reliability_study(20, omega_scales=["improve"], rng=1)
    >>> study
    ReliabilityStudy(20 panels of 480 respondents, 9 scales; omega on 'improve')
    >>> study.summary().loc[["care", "improve"], ["reliability", "alpha_mean", "omega_mean"]].round(3)
             reliability  alpha_mean  omega_mean
    scale
    care           0.765       0.762         NaN
    improve        0.654       0.604       0.648
    >>> study.flag_rates().round(2)
    planted
    bad        1.00
    reverse    1.00
    none       0.02
    Name: flag_rate, dtype: float64
    """

    inputs: dict[str, Any]
    scales: pd.DataFrame = field(repr=False)
    items: pd.DataFrame = field(repr=False)
    truth: pd.DataFrame = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """One row per scale: the truth beside the mean (and spread) of the estimates.

        Columns: ``reliability`` and ``population_alpha`` (true), ``alpha_mean``,
        ``alpha_sd``, ``alpha_bias`` (mean alpha - reliability), ``coverage`` (share of
        intervals holding the reliability), ``omega_mean``, ``omega_bias``,
        ``team_reliability_true`` and ``team_reliability_mean``, ``r_expected`` (the
        attenuated correlation the model implies) and ``r_observed_mean``, ``r_true``
        (population) and ``r_true_sample_mean``, ``r_corrected_mean``.
        """
        g = self.scales.groupby("scale", sort=False)
        t = self.truth
        out = g.agg(alpha_mean=("alpha", "mean"), alpha_sd=("alpha", "std"), coverage=("covers", "mean"),
                    omega_mean=("omega", "mean"), team_reliability_mean=("team_reliability", "mean"),
                    r_observed_mean=("r_observed", "mean"), r_corrected_mean=("r_corrected", "mean"),
                    r_true_sample_mean=("r_true_sample", "mean"))
        out.insert(0, "reliability", t.loc[out.index, "categorical"])
        out.insert(1, "population_alpha", t.loc[out.index, "alpha_categorical"])
        out.insert(4, "alpha_bias", out["alpha_mean"] - out["reliability"])
        out.insert(7, "omega_bias", out["omega_mean"] - out["reliability"])
        out.insert(8, "team_reliability_true", t.loc[out.index, "team_categorical"])
        out.insert(10, "r_expected", t.loc[out.index, "expected_correlation"])
        out.insert(12, "r_true", t.loc[out.index, "outcome_correlation"])
        out.index.name = "scale"
        return out

    def flag_rates(self) -> pd.Series:
        """Share of panels in which :func:`cxlib.survey.item_analysis` flags each kind of item:
        the planted ``bad`` item, the forgotten ``reverse``-worded item, and every other
        item (``none``: false alarms)."""
        planted = self.items["planted"].replace("", "none")
        rates = self.items.groupby(planted, sort=False)["flag"].mean().rename("flag_rate")
        order = [k for k in ("bad", "reverse", "none") if k in rates.index]
        return rates.loc[order]

    def __repr__(self) -> str:
        i = self.inputs
        omega = ", ".join(repr(s) for s in i["omega_scales"]) or "none"
        return (f"ReliabilityStudy({i['n_replications']:,} panels of {i['n_respondents']:,} respondents, "
                f"{self.scales['scale'].nunique()} scales; omega on {omega})")


def _panel_kwargs(panel_kwargs: dict[str, Any], forbidden: tuple[str, ...] = ()) -> dict[str, Any]:
    for key in ("rng", "missing", *forbidden):
        if key in panel_kwargs and (key != "missing" or panel_kwargs[key]):
            why = {"rng": "pass rng to the study itself",
                   "missing": "the study simulates complete answers"}.get(key, "the study sets it")
            raise ValueError(f"{key} cannot be passed to the panels here: {why}")
    return dict(panel_kwargs)


def reliability_study(
    n_replications: int = 100,
    *,
    omega_scales: Any = ("care", "improve", "compete"),
    ci: float = 0.95,
    rng: None | int | np.random.Generator = None,
    **panel_kwargs: Any,
) -> ReliabilityStudy:
    """Alpha, omega, item flags and team correlations over many known-truth survey panels.

    Draws ``n_replications`` panels from :func:`cxlib.data.survey_panel` with the same
    settings and, in each, for every scale: Cronbach's alpha with Feldt's interval (the
    reverse-worded item reversed), McDonald's omega (for ``omega_scales``), the corrected
    item-total correlation of every item with the answers as stored (so the planted bad
    item and the forgotten reverse-worded one can be caught), and the team-level numbers
    of :func:`cxlib.survey.attenuation`: ICC(1), ICC(2) (the reliability of a team mean),
    the correlation of team mean scores with ``csat``, its Spearman correction, and the
    correlation of the teams' *true* factor means with ``csat`` in the same panel.

    The numbers are those of :func:`cxlib.survey.cronbach_alpha`, :func:`~cxlib.survey.omega`,
    :func:`~cxlib.survey.item_analysis` and :func:`~cxlib.survey.attenuation` (ICC by the
    one-way ANOVA estimates, which equal the REML ones of :func:`~cxlib.survey.icc` for
    balanced teams), computed in bulk.

    Parameters
    ----------
    n_replications : int, default 100
        Panels, 1 to 10,000.
    omega_scales : sequence of str, default ("care", "improve", "compete")
        Scales whose omega is computed (a one-factor ML fit each: the slow part).
    ci : float, default 0.95
        Confidence level of alpha's interval.
    rng : None, int or numpy.random.Generator
        Seed or generator; the panels are drawn one after another from it.
    **panel_kwargs
        Settings of :func:`cxlib.data.survey_panel` (``n_teams``, ``team_size``,
        ``items_per_scale``, ``n_points``, ``team_sd``, ``loadings``...), except
        ``missing``.

    Returns
    -------
    ReliabilityStudy
        ``scales`` (per panel and scale), ``items`` (per panel and item), ``truth``,
        ``summary()`` (per scale) and ``flag_rates()``.

    Examples
    --------
    >>> from cxlib.survey import reliability_study
    >>> study = reliability_study(10, omega_scales=[], n_teams=30, rng=2)
    >>> row = study.summary().loc["care"]
    >>> [round(float(row[c]), 3) for c in ("reliability", "alpha_mean", "team_reliability_true", "r_true")]
    [0.765, 0.757, 0.651, 0.677]
    >>> reliability_study(5, omega_scales=["kindness"])
    Traceback (most recent call last):
    ...
    ValueError: omega_scales 'kindness' is not known; valid choices are 'care', 'compete', 'improve', 'respond', 'win', 'fixed', 'organisational', 'compliance', 'technical'
    """
    import pandas as pd

    from cxlib._survey_reliability import omega
    from cxlib.data._survey import FACTORS, survey_panel

    n_replications = params.integer("n_replications", n_replications, min=1, max=10_000)
    level = params.real("ci", ci, min=0, max=1, min_inclusive=False, max_inclusive=False)
    if isinstance(omega_scales, str):
        omega_scales = [omega_scales]
    omega_scales = [params.choice("omega_scales", s, FACTORS) for s in (omega_scales or [])]
    kwargs = _panel_kwargs(panel_kwargs)
    seed = seed_from(rng)
    gen = check_rng(seed)
    scale_rows: list[dict[str, Any]] = []
    item_columns: dict[str, list[Any]] = {"replication": [], "scale": [], "item": [], "planted": [],
                                          "corrected_item_total": []}
    truth = None
    n_respondents = 0
    for rep in range(1, n_replications + 1):
        panel = survey_panel(rng=gen, **kwargs)
        truth = panel.truth["reliability"]
        n_respondents = panel.n_respondents
        bounds = panel.scale_bounds
        reverse = set(panel.reverse_keyed)
        bad = set(panel.truth["bad_items"])
        team = panel.data["team"].to_numpy()
        csat = panel.teams.set_index("team")["csat"]
        team_ids = np.unique(team)
        csat_by_team = csat.loc[team_ids].to_numpy(dtype=float)
        true_means = panel.truth["team_means"].loc[team_ids]
        answers = panel.data[panel.items].to_numpy(dtype=float)
        column_of = {item: j for j, item in enumerate(panel.items)}
        all_scores: dict[str, np.ndarray] = {}
        rep_rows: list[dict[str, Any]] = []
        for scale, items in panel.scales.items():
            raw = answers[:, [column_of[item] for item in items]]
            keyed = raw.copy()
            flip = [j for j, item in enumerate(items) if item in reverse]
            keyed[:, flip] = bounds[0] + bounds[1] - keyed[:, flip]
            cov = np.cov(keyed, rowvar=False)
            a = float(_alphas(cov))
            low, high = _feldt_many(np.array(a), len(keyed), len(items), level)
            rel = float(truth.at[scale, "categorical"])
            row: dict[str, Any] = {"replication": rep, "scale": scale, "alpha": a, "ci_low": float(low),
                                   "ci_high": float(high), "covers": bool(low <= rel <= high),
                                   "omega": math.nan, "omega_converged": math.nan}
            if scale in omega_scales:
                with warnings.catch_warnings(record=True):
                    warnings.simplefilter("always")
                    try:
                        res = omega(panel.data[items], reverse=sorted(reverse & set(items)), scale=bounds)
                        row["omega"] = res.omega
                        row["omega_converged"] = float(res.converged and "Heywood" not in res.message)
                    except ValueError:
                        pass
            scores = keyed.mean(axis=1)
            all_scores[scale] = scores
            icc1, icc2 = _team_icc(scores, team)
            row.update({"icc1": icc1, "team_reliability": icc2})
            rep_rows.append(row)
            r_drop = _item_total(np.cov(raw, rowvar=False))
            item_columns["replication"].extend([rep] * len(items))
            item_columns["scale"].extend([scale] * len(items))
            item_columns["item"].extend(items)
            item_columns["planted"].extend(["bad" if i in bad else "reverse" if i in reverse else "" for i in items])
            item_columns["corrected_item_total"].extend(r_drop.tolist())
        # team mean scores of every scale at once (pandas' group means, column by column)
        team_scores = pd.DataFrame(all_scores).groupby(team).mean().loc[team_ids]
        for row in rep_rows:
            scale, icc2 = row["scale"], row["team_reliability"]
            r_obs = float(np.corrcoef(team_scores[scale].to_numpy(), csat_by_team)[0, 1])
            row.update({
                "r_observed": r_obs,
                "r_corrected": r_obs / math.sqrt(icc2) if icc2 > 0 else math.nan,
                "r_true_sample": float(np.corrcoef(true_means[scale].to_numpy(), csat_by_team)[0, 1]),
            })  # fmt: skip
        scale_rows.extend(rep_rows)
    scales = pd.DataFrame(scale_rows)
    items_table = pd.DataFrame(item_columns)
    items_table["flag"] = items_table["corrected_item_total"].to_numpy() < 0.2
    inputs = {"n_replications": n_replications, "seed": seed, "omega_scales": omega_scales, "ci": level,
              "n_respondents": n_respondents, "panel": kwargs}
    return ReliabilityStudy(inputs=inputs, scales=scales, items=items_table, truth=truth.copy())


# ---------------------------------------------------------------------------
# Factor recovery by sample size
# ---------------------------------------------------------------------------


def factor_recovery(
    sizes: Any = (60, 100, 200, 400, 800),
    n_replications: int = 5,
    *,
    rotation: str | None = "oblimin",
    rng: None | int | np.random.Generator = None,
    **panel_kwargs: Any,
) -> pd.DataFrame:
    """How well a nine-factor analysis recovers the true loadings, by number of respondents.

    For each replication one panel of :func:`cxlib.data.survey_panel` is drawn, large
    enough for the largest size; each size uses its first ``size`` respondents (whole teams
    first), so the sizes share their data as a growing sample would.  On each, a
    nine-factor ML analysis (:func:`cxlib.survey.factor_analysis`) is compared with the true
    loadings by Tucker's congruence (:func:`cxlib.survey.congruence`).  A fit that fails
    (too few respondents for the items, a singular correlation matrix) gives NaN and its
    reason; a fit that does not converge or hits a Heywood case is kept and marked.

    Parameters
    ----------
    sizes : sequence of int, default (60, 100, 200, 400, 800)
        Numbers of respondents, each 10 to 100,000.
    n_replications : int, default 5
        Panels, 1 to 1,000.
    rotation : {"oblimin", "varimax", "promax", None}, default "oblimin"
        The rotation of :func:`cxlib.survey.factor_analysis`.
    rng : None, int or numpy.random.Generator
        Seed or generator.
    **panel_kwargs
        Settings of :func:`cxlib.data.survey_panel` (``team_size``, ``items_per_scale``,
        ``n_points``, ``loadings``...), except ``n_teams`` (set by the sizes) and ``missing``.

    Returns
    -------
    pandas.DataFrame
        One row per replication and size: ``replication``, ``n_respondents``,
        ``n_items``, ``congruence_min`` (the worst-recovered factor's phi),
        ``congruence_mean``, ``converged`` (False also for a Heywood case or a failed fit)
        and ``message``.

    Examples
    --------
    >>> from cxlib.survey import factor_recovery
    >>> table = factor_recovery([50, 400], 2, rng=1)
    >>> table[["replication", "n_respondents", "congruence_min", "converged"]].round(2)
       replication  n_respondents  congruence_min  converged
    0            1             50            0.16      False
    1            1            400            0.95      False
    2            2             50            0.05       True
    3            2            400            0.95       True
    >>> table.loc[1, "message"]
    'Heywood case: 1 uniqueness(es) at the boundary (communality ~1)'
    """
    import pandas as pd

    from cxlib._survey_factors import ROTATIONS, congruence, factor_analysis
    from cxlib.data._survey import survey_panel

    if isinstance(sizes, (int, np.integer)) or sizes is None:
        sizes = [sizes]
    size_list = [params.integer("sizes", s, min=10, max=100_000) for s in list(sizes)]
    if not size_list:
        raise ValueError("sizes must list at least one number of respondents; got none")
    n_replications = params.integer("n_replications", n_replications, min=1, max=1_000)
    rotation = params.choice("rotation", rotation, ROTATIONS)
    kwargs = _panel_kwargs(panel_kwargs, forbidden=("n_teams",))
    team_size = params.integer("team_size", kwargs.get("team_size", 8), min=2, max=1_000)
    kwargs["team_size"] = team_size
    n_teams = max(2, math.ceil(max(size_list) / team_size))
    seed = seed_from(rng)
    gen = check_rng(seed)
    rows = []
    for rep in range(1, n_replications + 1):
        panel = survey_panel(n_teams, rng=gen, **kwargs)
        answers = panel.data[panel.items]
        for size in sorted(set(size_list)):
            row: dict[str, Any] = {"replication": rep, "n_respondents": size, "n_items": len(panel.items)}
            with warnings.catch_warnings(record=True):
                warnings.simplefilter("always")
                try:
                    fit = factor_analysis(answers.iloc[:size], len(panel.scales), rotation)
                except ValueError as exc:
                    row.update(congruence_min=math.nan, congruence_mean=math.nan, converged=False,
                               message=str(exc))
                else:
                    match = congruence(panel.truth["loadings"], fit)
                    row.update(congruence_min=match.min, congruence_mean=match.mean,
                               converged=bool(fit.converged and "Heywood" not in fit.message),
                               message=fit.message)
            rows.append(row)
    return pd.DataFrame(rows)
