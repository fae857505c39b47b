"""The Net Promoter Score with honest uncertainty, for :mod:`cxlib.referral` (lesson 10).

Answers to "How likely is it that you would recommend us to a friend or colleague?" on a
0-10 scale fall into three groups: promoters (9-10), passives (7-8) and detractors (0-6).
With shares ``P``, ``A`` and ``D`` (``P + A + D = 1``), the NPS is ``100 (P - D)``, from
-100 to 100 (Reichheld 2003).  The counts of the three groups are multinomial, so the
NPS is a difference of two proportions *from the same sample*; they are negatively
correlated (``Cov(P, D) = -P D / n``) and the variance is

``Var(NPS / 100) = [P (1 - P) + D (1 - D) + 2 P D] / n = [P + D - (P - D)^2] / n``,

the variance of the mean of a score recoded +1 (promoter), 0 (passive), -1 (detractor).
:func:`nps` gives the Wald interval from it and, beside it, the adjusted Wald interval
Rocks (2016) found to keep its coverage best in small samples: add 3/4 of a respondent
to the promoters and to the detractors and 3/2 to the passives (3 in all), then use the
same formula (the idea of Agresti & Caffo's 2000 "add two successes and two failures").

References
----------
Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review*,
81(12), 46-54.

Rocks, B. (2016). Interval estimation for the "net promoter score". *The American
Statistician*, 70(4), 365-372. https://doi.org/10.1080/00031305.2016.1158124

Agresti, A., & Caffo, B. (2000). Simple and effective confidence intervals for
proportions and differences of proportions result from adding two successes and two
failures. *The American Statistician*, 54(4), 280-288.

Lewis, J. R., & Sauro, J. (2021). Evaluating NPS confidence intervals with real-world
data (MeasuringU): the adjusted Wald interval as above, 3/4 added to promoters and
detractors, 3 to n.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from cxlib import params
from cxlib._results import ModelResult

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["NPS", "nps", "NPSComparison", "compare_nps", "nps_sample_size", "GROUPS", "ADJUSTMENT"]

#: The three groups of the 0-10 question, with the scores of each.
GROUPS: dict[str, tuple[int, ...]] = {
    "promoters": (9, 10),
    "passives": (7, 8),
    "detractors": (0, 1, 2, 3, 4, 5, 6),
}
#: Pseudo-respondents of the adjusted Wald interval (Rocks 2016): added to each group's count.
ADJUSTMENT: dict[str, float] = {"promoters": 0.75, "passives": 1.5, "detractors": 0.75}

_SCORES_WANT = "whole numbers from 0 to 10 (answers to the 0-10 recommendation question)"


def _z(level: float) -> float:
    """The normal quantile of a two-sided interval (the standard library's: fast, no scipy)."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2)


def _level(ci: Any) -> float:
    return params.real("ci", ci, min=0, max=1, min_inclusive=False, max_inclusive=False)


def check_scores(scores: Any, name: str = "scores") -> np.ndarray:
    """Answers to the 0-10 question as a float vector; a one-line error for anything else.

    Examples
    --------
    >>> from cxlib._referral_nps import check_scores
    >>> check_scores([10, 9, 0]).tolist()
    [10.0, 9.0, 0.0]
    >>> check_scores([10, 11])
    Traceback (most recent call last):
    ...
    ValueError: scores must be whole numbers from 0 to 10 (answers to the 0-10 recommendation question); got 11.0 at position 1
    """
    arr = np.atleast_1d(params.array(name, scores, _SCORES_WANT, ndim=1))
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one answer; got an empty sequence")
    params.elements(name, arr, np.isnan(arr), f"{_SCORES_WANT}, without missing answers (drop them first)")
    params.elements(name, arr, (arr < 0) | (arr > 10) | (arr != np.round(arr)), _SCORES_WANT)
    return arr


def group_counts(scores: np.ndarray) -> dict[str, int]:
    """Promoters, passives and detractors among checked scores (see :func:`check_scores`)."""
    return {"promoters": int(np.sum(scores >= 9)), "passives": int(np.sum((scores >= 7) & (scores <= 8))),
            "detractors": int(np.sum(scores <= 6))}


def _nps_and_se(promoters: float, detractors: float, n: float) -> tuple[float, float]:
    """NPS (points) and its multinomial standard error (points) from counts."""
    p, d = promoters / n, detractors / n
    return 100 * (promoters - detractors) / n, 100 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)


def _adjusted(counts: dict[str, int], n: int) -> tuple[float, float]:
    """The adjusted Wald estimate and standard error (points): the counts with :data:`ADJUSTMENT` added."""
    c = {g: counts[g] + ADJUSTMENT[g] for g in GROUPS}
    return _nps_and_se(c["promoters"], c["detractors"], n + sum(ADJUSTMENT.values()))


@dataclass(frozen=True, repr=False)
class NPS(ModelResult):
    """A Net Promoter Score with its standard error and two intervals.

    A :class:`cxlib._results.ModelResult` whose ``params`` are ``nps`` (points, -100 to
    100) and the shares ``promoters``, ``passives``, ``detractors`` (0 to 1), with their
    multinomial standard errors in ``se`` (Wald intervals: ``summary()`` at the level asked
    for unless ``alpha`` is given, ``conf_int(alpha)`` at ``1 - alpha``); ``loglik`` is the
    multinomial log-likelihood of the three counts at these shares.

    Attributes
    ----------
    nps : float
        The score, ``100 (promoters - detractors)``.
    std_error : float
        Its standard error (points), ``100 sqrt((P + D - (P - D)^2) / n)``.
    ci : tuple of float
        Wald interval ``nps +/- z std_error`` at ``level`` (not clipped: it can leave
        [-100, 100], and it has width 0 when every answer is in one group).
    ci_adjusted : tuple of float
        The adjusted Wald interval of Rocks (2016), clipped to [-100, 100]; better in
        small samples and never of width 0.
    counts : dict
        Respondents in each group.
    level : float
        Confidence level of both intervals.

    Examples
    --------
    >>> from cxlib.referral import nps
    >>> res = nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 5])
    >>> res
    NPS(+20.0, 95% CI -34.0 to +74.0 (Wald), -30.3 to +61.1 (adjusted Wald); n=10: 5 promoters, 2 passives, 3 detractors)
    >>> res.summary().round(3)
                estimate  std_error  ci_low  ci_high
    nps             20.0     27.568 -34.032   74.032
    promoters        0.5      0.158   0.190    0.810
    passives         0.2      0.126  -0.048    0.448
    detractors       0.3      0.145   0.016    0.584
    """

    ci: tuple[float, float] = (math.nan, math.nan)
    ci_adjusted: tuple[float, float] = (math.nan, math.nan)
    counts: dict[str, int] = field(default_factory=dict)
    level: float = 0.95

    interval_scale: ClassVar[str] = "linear"

    @property
    def nps(self) -> float:
        """The Net Promoter Score, in points (-100 to 100)."""
        return float(self.params["nps"])

    @property
    def std_error(self) -> float:
        """Standard error of the NPS, in points."""
        return float(self.se["nps"])

    def summary(self, alpha: float | None = None) -> pd.DataFrame:
        """Estimates, standard errors and Wald intervals; at ``level`` unless ``alpha`` is given."""
        return super().summary(1.0 - self.level if alpha is None else alpha)

    def intervals(self) -> pd.DataFrame:
        """Both intervals of the NPS side by side: rows ``wald``, ``adjusted_wald``; columns
        ``ci_low``, ``ci_high``, ``width``."""
        import pandas as pd

        rows = {"wald": self.ci, "adjusted_wald": self.ci_adjusted}
        table = pd.DataFrame(rows, index=["ci_low", "ci_high"]).T
        table["width"] = table["ci_high"] - table["ci_low"]
        return table

    def __float__(self) -> float:
        return self.nps

    def __repr__(self) -> str:
        c = self.counts
        return (f"NPS({self.nps:+.1f}, {100 * self.level:g}% CI {self.ci[0]:+.1f} to {self.ci[1]:+.1f} (Wald), "
                f"{self.ci_adjusted[0]:+.1f} to {self.ci_adjusted[1]:+.1f} (adjusted Wald); n={self.n:,}: "
                f"{c['promoters']:,} promoters, {c['passives']:,} passives, {c['detractors']:,} detractors)")


def nps(scores: Any, ci: float = 0.95) -> NPS:
    """The Net Promoter Score of 0-10 answers, with its standard error and intervals.

    Promoters answer 9 or 10, passives 7 or 8, detractors 0 to 6; the NPS is
    ``100 (P - D)`` with ``P`` and ``D`` the shares of promoters and detractors.  Its
    standard error comes from the multinomial variance of the three counts,
    ``sqrt((P + D - (P - D)^2) / n)`` (times 100), which is the variance of a difference
    of two negatively correlated proportions of one sample.  Two intervals:

    * **Wald**: ``NPS +/- z SE``;
    * **adjusted Wald** (Rocks 2016): the same formula after adding 3/4 of a respondent
      to the promoters and to the detractors and 3/2 to the passives (``n + 3`` in all),
      clipped to [-100, 100].  Its coverage stays near the nominal level in small
      samples and at extreme scores, where the Wald interval's falls short (with every
      answer in one group the Wald interval has width 0).

    Parameters
    ----------
    scores : sequence or array of int
        The answers, whole numbers from 0 to 10 (a pandas Series works); no missing values.
    ci : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    NPS
        ``nps``, ``std_error``, ``ci``, ``ci_adjusted``, ``counts``, ``params`` (the NPS and
        the three shares), ``se``, ``summary()`` and ``intervals()``.

    Raises
    ------
    TypeError
        If a score is not a number.
    ValueError
        If a score is missing, fractional or outside 0-10, or there are none.

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "net promoter score". *The American
    Statistician*, 70(4), 365-372.

    Examples
    --------
    >>> from cxlib.referral import nps
    >>> res = nps([10] * 40 + [8] * 35 + [4] * 25)
    >>> res.nps, round(res.std_error, 3)
    (15.0, 7.921)
    >>> res.intervals().round(2)
                   ci_low  ci_high  width
    wald            -0.53    30.53  31.05
    adjusted_wald   -0.70    29.82  30.52
    >>> nps([10, 9, 3.5])
    Traceback (most recent call last):
    ...
    ValueError: scores must be whole numbers from 0 to 10 (answers to the 0-10 recommendation question); got 3.5 at position 2
    """
    import pandas as pd

    arr = check_scores(scores)
    level = _level(ci)
    z = _z(level)
    n = arr.size
    counts = group_counts(arr)
    shares = {g: c / n for g, c in counts.items()}
    value, se = _nps_and_se(counts["promoters"], counts["detractors"], n)
    adj_value, adj_se = _adjusted(counts, n)
    ci_adj = (max(-100.0, adj_value - z * adj_se), min(100.0, adj_value + z * adj_se))
    share_se = {g: math.sqrt(s * (1 - s) / n) for g, s in shares.items()}
    loglik = (math.lgamma(n + 1) - sum(math.lgamma(c + 1) for c in counts.values())
              + sum(c * math.log(shares[g]) for g, c in counts.items() if c > 0))
    index = ["nps", *GROUPS]
    return NPS(
        "NPS",
        pd.Series([value, *shares.values()], index=index, dtype=float),
        pd.Series([se, *share_se.values()], index=index, dtype=float),
        loglik=loglik,
        n=n,
        message="closed form (multinomial variance)",
        ci=(value - z * se, value + z * se),
        ci_adjusted=ci_adj,
        counts=counts,
        level=level,
    )


def _as_nps(name: str, value: Any, level: float) -> NPS:
    if isinstance(value, NPS):
        return value
    arr = check_scores(value, name)
    return nps(arr, ci=level)


@dataclass(frozen=True)
class NPSComparison:
    """Two Net Promoter Scores compared: the difference, its standard error and a z test.

    Attributes
    ----------
    difference : float
        ``a.nps - b.nps``, in points.
    std_error : float
        ``sqrt(se_a^2 + se_b^2)``: the two samples are independent.
    z, p_value : float
        Wald z statistic and its two-sided p-value for "the two NPS are equal".
    ci : tuple of float
        Wald interval of the difference at ``level``.
    ci_adjusted : tuple of float
        The same from each sample's adjusted Wald estimate and standard error (Rocks 2016),
        clipped to [-200, 200].
    a, b : NPS
        The two scores.
    level : float

    Examples
    --------
    >>> from cxlib.referral import compare_nps
    >>> res = compare_nps([10] * 50 + [8] * 30 + [3] * 20, [10] * 35 + [8] * 35 + [3] * 30)
    >>> res
    NPSComparison(+30.0 - +5.0 = +25.0 points, 95% CI +3.0 to +47.0; z=2.23, p=0.0258)
    >>> res.summary().round(2)
             nps  std_error  ci_low  ci_high    n
    a       30.0       7.81   14.69    45.31  100
    b        5.0       8.05  -10.77    20.77  100
    a - b   25.0      11.21    3.02    46.98  200
    """

    difference: float
    std_error: float
    z: float
    p_value: float
    ci: tuple[float, float]
    ci_adjusted: tuple[float, float]
    a: NPS = field(repr=False)
    b: NPS = field(repr=False)
    level: float = 0.95

    def summary(self) -> pd.DataFrame:
        """One row per sample and one for the difference: ``nps``, ``std_error``, ``ci_low``, ``ci_high``, ``n``."""
        import pandas as pd

        rows = {
            "a": [self.a.nps, self.a.std_error, *self.a.ci, self.a.n],
            "b": [self.b.nps, self.b.std_error, *self.b.ci, self.b.n],
            "a - b": [self.difference, self.std_error, *self.ci, self.a.n + self.b.n],
        }
        return pd.DataFrame(rows, index=["nps", "std_error", "ci_low", "ci_high", "n"]).T.astype(
            {"n": int})

    def __repr__(self) -> str:
        return (f"NPSComparison({self.a.nps:+.1f} - {self.b.nps:+.1f} = {self.difference:+.1f} points, "
                f"{100 * self.level:g}% CI {self.ci[0]:+.1f} to {self.ci[1]:+.1f}; z={self.z:.2f}, "
                f"p={self.p_value:.3g})")


def compare_nps(a: Any, b: Any, ci: float = 0.95) -> NPSComparison:
    """Compare the Net Promoter Scores of two independent samples.

    The difference ``NPS_a - NPS_b`` has standard error ``sqrt(SE_a^2 + SE_b^2)`` (each
    from its multinomial variance, see :func:`nps`); ``z = difference / SE`` is referred
    to the standard normal for a two-sided p-value, and the Wald interval is
    ``difference +/- z SE``.  Beside it, the difference of the two adjusted Wald
    estimates with their adjusted standard errors (Rocks 2016), better in small samples.

    Parameters
    ----------
    a, b : sequence of int, or NPS
        The 0-10 answers of each sample, or results of :func:`nps` (then their counts are
        used, whatever their level).
    ci : float, default 0.95

    Returns
    -------
    NPSComparison

    Examples
    --------
    >>> from cxlib.referral import compare_nps
    >>> res = compare_nps([10] * 50 + [8] * 30 + [3] * 20, [10] * 35 + [8] * 35 + [3] * 30)
    >>> round(res.difference, 1), round(res.std_error, 2), round(res.p_value, 4)
    (25.0, 11.21, 0.0258)
    >>> compare_nps([10, 9], [11, 3])
    Traceback (most recent call last):
    ...
    ValueError: b must be whole numbers from 0 to 10 (answers to the 0-10 recommendation question); got 11.0 at position 0
    """
    level = _level(ci)
    z_crit = _z(level)
    ra, rb = _as_nps("a", a, level), _as_nps("b", b, level)
    diff = ra.nps - rb.nps
    se = math.hypot(ra.std_error, rb.std_error)
    if se > 0:
        z = diff / se
    else:
        z = 0.0 if diff == 0 else math.copysign(math.inf, diff)
    p = math.erfc(abs(z) / math.sqrt(2))  # two-sided normal p-value
    adj = [_adjusted(r.counts, r.n) for r in (ra, rb)]
    adj_diff, adj_se = adj[0][0] - adj[1][0], math.hypot(adj[0][1], adj[1][1])
    ci_adj = (max(-200.0, adj_diff - z_crit * adj_se), min(200.0, adj_diff + z_crit * adj_se))
    return NPSComparison(diff, se, z, p, (diff - z_crit * se, diff + z_crit * se), ci_adj, ra, rb, level)


def nps_sample_size(margin: float, promoters: float = 0.5, detractors: float = 0.5, ci: float = 0.95) -> int:
    """Respondents needed for a Wald interval of the NPS of half-width ``margin`` points.

    ``n = z^2 (P + D - (P - D)^2) / (margin / 100)^2``, rounded up, where ``P`` and ``D``
    are the expected shares of promoters and detractors.  The variance is largest (1) at
    ``P = D = 1/2`` (no passives, NPS 0): the defaults give the worst case, a size that
    is enough whatever the shares.

    Parameters
    ----------
    margin : float
        Half-width of the interval, in NPS points (0 to 200).
    promoters, detractors : float, default 0.5
        Expected shares; ``promoters + detractors <= 1`` (the rest are passives).
    ci : float, default 0.95

    Returns
    -------
    int

    Examples
    --------
    >>> from cxlib.referral import nps_sample_size
    >>> nps_sample_size(5)
    1537
    >>> nps_sample_size(5, promoters=0.4, detractors=0.2)
    861
    >>> nps_sample_size(5, promoters=0.7, detractors=0.4)
    Traceback (most recent call last):
    ...
    ValueError: promoters + detractors must be at most 1 (the rest are passives); got 0.7 + 0.4 = 1.1
    """
    m = params.real("margin", margin, min=0, max=200, min_inclusive=False)
    p, d = shares(promoters, detractors)
    level = _level(ci)
    var = p + d - (p - d) ** 2
    if var == 0:
        return 1
    return max(1, math.ceil(_z(level) ** 2 * var / (m / 100) ** 2 - 1e-9))


def shares(promoters: Any, detractors: Any) -> tuple[float, float]:
    """Check the shares of promoters and detractors (the rest are passives).

    Examples
    --------
    >>> from cxlib._referral_nps import shares
    >>> shares(0.4, 0.2)
    (0.4, 0.2)
    """
    p = params.probability("promoters", promoters)
    d = params.probability("detractors", detractors)
    if p + d > 1 + 1e-12:
        raise ValueError(f"promoters + detractors must be at most 1 (the rest are passives); got {p:g} + {d:g} = "
                         f"{p + d:g}")
    return p, d
