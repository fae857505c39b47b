"""Learning while earning for :mod:`cxlib.offers` (lesson 07): multi-armed bandits simulated in
bulk, and the value of personalising.

:func:`simulate_bandit` runs many independent replays of one allocation policy at once: the
runs are the vectorised dimension (numpy arrays of shape ``(n_runs, arms)``), the rounds a
loop, so 1,000 runs of 10,000 rounds take a second or two.  Customers (their segment and
how they would answer each offer) come from one random stream and the policy's own choices
from another, so two policies run with the same seed meet the same customers (common
random numbers) and their regret curves differ only by what the policies do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._results import SimulationResult
from cxlib._rng import seed_from, substream

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["POLICIES", "BanditResult", "simulate_bandit", "personalisation_value", "rate_table"]

#: The allocation policies of :func:`simulate_bandit`.
POLICIES: tuple[str, ...] = ("fixed_split", "epsilon_greedy", "thompson", "thompson_by_segment")


def _rate_matrix(true_rates: Any) -> tuple[np.ndarray, list[str], list[str]]:
    """A (segments, arms) matrix of rates in [0, 1], with names, from a vector, a matrix or a table."""
    import pandas as pd

    if isinstance(true_rates, pd.DataFrame):
        rows, cols = [str(i) for i in true_rates.index], [str(c) for c in true_rates.columns]
        values = true_rates.to_numpy()
    elif isinstance(true_rates, pd.Series):
        rows, cols = ["all"], [str(i) for i in true_rates.index]
        values = true_rates.to_numpy()[None, :]
    elif isinstance(true_rates, dict):
        cols = [str(k) for k in true_rates]
        rows, values = ["all"], np.array([list(true_rates.values())])
    else:
        values = np.asarray(true_rates)
        if values.ndim == 1:
            values = values[None, :]
        rows = ["all"] if values.shape[0] == 1 else [f"segment {i + 1}" for i in range(values.shape[0])]
        cols = [f"arm {j + 1}" for j in range(values.shape[-1])] if values.ndim == 2 else []
    m = params.array("true_rates", values, "rates between 0 and 1 (one per arm, or a segments x arms table)",
                     finite=True)
    if m.ndim != 2:
        raise ValueError(f"true_rates must be a vector (one rate per arm) or a segments x arms table; got shape {m.shape}")
    params.elements("true_rates", m, (m < 0) | (m > 1), "between 0 and 1")
    if m.shape[1] < 2:
        raise ValueError(f"true_rates must give at least 2 arms to choose from; got {m.shape[1]}")
    return m, rows, cols


@dataclass(frozen=True)
class BanditResult(SimulationResult):
    """Many replays of one bandit policy.

    Attributes
    ----------
    inputs : dict
        policy, true_rates (segments x arms), arms, segments, segment_shares, horizon,
        n_runs, epsilon, seed.
    choices : numpy.ndarray
        int8, shape (n_runs, horizon): the arm chosen in each round.
    rewards : numpy.ndarray
        bool, shape (n_runs, horizon): whether the customer responded.
    regret : numpy.ndarray
        float32, shape (n_runs, horizon): the expected regret of each round (the best arm's
        rate for that customer's segment minus the chosen arm's rate).

    Examples
    --------
    >>> from cxlib.offers import simulate_bandit
    >>> res = simulate_bandit("thompson", [0.1, 0.12, 0.15], 2000, n_runs=50, rng=1)
    >>> res.summary().columns.tolist()
    ['reward', 'regret', 'best_arm_share']
    """

    inputs: dict[str, Any]
    choices: np.ndarray = field(repr=False)
    rewards: np.ndarray = field(repr=False)
    regret: np.ndarray = field(repr=False)

    @property
    def final_regret(self) -> float:
        """Mean cumulative regret at the horizon (expected responses lost against the best arms)."""
        return float(self.regret.sum(axis=1, dtype=np.float64).mean())

    def regret_curve(self, points: int = 200, band: tuple[float, float] = (0.1, 0.9)) -> pd.DataFrame:
        """Cumulative regret by round: mean and a band of quantiles over the runs.

        Parameters
        ----------
        points : int, default 200
            Rounds reported (spaced evenly, the last one the horizon).
        band : (low, high), default (0.1, 0.9)
            Quantiles of the runs.

        Returns
        -------
        pandas.DataFrame
            ``round``, ``mean``, ``low``, ``high``.
        """
        import pandas as pd

        k = params.integer("points", points, min=2, max=100_000)
        lo, hi = (params.probability("band", b) for b in band)
        horizon = self.regret.shape[1]
        rounds = np.unique(np.linspace(1, horizon, min(k, horizon)).round().astype(int))
        cum = np.cumsum(self.regret, axis=1, dtype=np.float64)[:, rounds - 1]
        return pd.DataFrame({"round": rounds, "mean": cum.mean(axis=0), "low": np.quantile(cum, lo, axis=0),
                             "high": np.quantile(cum, hi, axis=0)})

    def summary(self) -> pd.DataFrame:
        """One row per run: total ``reward``, cumulative ``regret`` at the horizon, and the share of
        rounds in which the best arm for the customer's segment was chosen."""
        import pandas as pd

        return pd.DataFrame({"reward": self.rewards.sum(axis=1), "regret": self.regret.sum(axis=1, dtype=np.float64),
                             "best_arm_share": (self.regret == 0).mean(axis=1)})

    def __repr__(self) -> str:
        i = self.inputs
        return (f"BanditResult({i['policy']}, {i['n_runs']:,} runs x {i['horizon']:,} rounds: "
                f"mean regret {self.final_regret:.1f} at the horizon)")


def simulate_bandit(
    policy: str,
    true_rates: Any,
    horizon: int = 10_000,
    *,
    n_runs: int = 1000,
    segment_shares: Any = None,
    epsilon: float = 0.1,
    rng: None | int | np.random.Generator = None,
) -> BanditResult:
    """Simulate an allocation policy choosing among offers, many runs at once.

    Each round a customer arrives (from a segment drawn with ``segment_shares`` when
    ``true_rates`` is a segments x arms table), the policy chooses an arm, and the customer
    responds with the arm's true rate for that segment.  Policies:

    * ``"fixed_split"``: every arm with equal probability, all along (an A/B/n test that never
      stops): its regret grows linearly;
    * ``"epsilon_greedy"``: the arm with the best observed rate, except a random arm with
      probability ``epsilon`` (arms not yet tried first);
    * ``"thompson"``: Thompson sampling with Beta(1, 1) priors, one Beta-Bernoulli model per
      arm, pooled over segments: it plays each arm about as often as it might be the best,
      and its regret grows like ``log(horizon)`` against the best single arm;
    * ``"thompson_by_segment"``: the contextual variant, one model per segment and arm.

    Regret is measured against the best arm *for each customer's segment*, so a policy that
    cannot tell segments apart keeps paying for it.

    Parameters
    ----------
    policy : {"fixed_split", "epsilon_greedy", "thompson", "thompson_by_segment"}
    true_rates : sequence, 2-D array or DataFrame
        One rate per arm, or a segments x arms table (a DataFrame keeps its names).
    horizon : int, default 10,000
        Rounds (customers) per run, 1 to 1,000,000.
    n_runs : int, default 1000
        Independent runs, 1 to 100,000; ``n_runs * horizon`` at most 50,000,000.
    segment_shares : sequence, optional
        Share of customers in each segment (default: equal).
    epsilon : float, default 0.1
        Exploration rate of ``"epsilon_greedy"``.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    BanditResult

    Examples
    --------
    >>> from cxlib.offers import simulate_bandit
    >>> rates = [0.10, 0.12, 0.15]
    >>> ts = simulate_bandit("thompson", rates, 5000, n_runs=200, rng=3)
    >>> fs = simulate_bandit("fixed_split", rates, 5000, n_runs=200, rng=3)
    >>> ts.final_regret < fs.final_regret
    True
    >>> simulate_bandit("thomson", rates, 10)
    Traceback (most recent call last):
    ...
    ValueError: policy 'thomson' is not known; valid choices are 'fixed_split', 'epsilon_greedy', 'thompson', 'thompson_by_segment'; did you mean 'thompson'?
    """
    how = params.choice("policy", policy, POLICIES)
    rates, seg_names, arm_names = _rate_matrix(true_rates)
    t_max = params.integer("horizon", horizon, min=1, max=1_000_000)
    runs = params.integer("n_runs", n_runs, min=1, max=100_000)
    if runs * t_max > 50_000_000:
        raise ValueError(f"n_runs * horizon must be at most 50,000,000 (memory); got {runs:,} * {t_max:,}")
    eps = params.probability("epsilon", epsilon)
    n_seg, n_arms = rates.shape
    if segment_shares is None:
        shares = np.full(n_seg, 1.0 / n_seg)
    else:
        shares = np.atleast_1d(params.array("segment_shares", segment_shares, "shares that sum to 1", ndim=1,
                                            finite=True))
        if shares.size != n_seg:
            raise ValueError(f"segment_shares must give one share per segment ({n_seg}); got {shares.size}")
        params.elements("segment_shares", shares, shares < 0, ">= 0")
        if not math.isclose(shares.sum(), 1.0, abs_tol=1e-6):
            raise ValueError(f"segment_shares must sum to 1; got {shares.sum():g}")
    seed = seed_from(rng)
    env, pol = substream(seed, 1), substream(seed, 2)
    cum_shares = np.cumsum(shares)
    cum_shares[-1] = 1.0
    best = rates.max(axis=1)
    by_segment = how == "thompson_by_segment"
    cells = n_seg * n_arms if by_segment else n_arms
    wins = np.zeros((runs, cells))
    plays = np.zeros((runs, cells))
    rows = np.arange(runs)
    flat_wins, flat_plays, row_base = wins.ravel(), plays.ravel(), rows * cells  # views: flat indexing is faster
    offsets = np.arange(n_arms)
    flat_rates = rates.ravel()
    shapes = np.empty((runs, 2 * n_arms))  # Thompson's Gamma shapes, reused each round
    mean = np.full((runs, cells), np.inf)  # epsilon-greedy's observed rates; arms not yet tried come first
    flat_mean = mean.ravel()
    # stored round by round (rows of C-ordered arrays), transposed to (n_runs, horizon) at the end
    choices = np.empty((t_max, runs), dtype=np.int8)
    rewards = np.empty((t_max, runs), dtype=bool)
    regret = np.empty((t_max, runs), dtype=np.float32)
    chunk = max(1, min(t_max, 2_000_000 // runs))
    for start in range(0, t_max, chunk):
        # the customers of the next rounds: the environment's stream only
        stop = min(t_max, start + chunk)
        seg_u = env.random((stop - start, runs))
        answer_u = env.random((stop - start, runs))
        if how == "fixed_split":  # it does not learn: a whole chunk of rounds at once (the same draws, in order)
            seg = (np.minimum(np.searchsorted(cum_shares, seg_u, side="right"), n_seg - 1)
                   if n_seg > 1 else np.zeros(seg_u.shape, dtype=np.int64))
            arm = np.minimum((pol.random(seg_u.shape) * n_arms).astype(np.int64), n_arms - 1)
            p = flat_rates.take(seg * n_arms + arm)
            choices[start:stop] = arm
            rewards[start:stop] = answer_u < p
            regret[start:stop] = best[seg] - p
            continue
        for t in range(start, stop):
            seg = (np.minimum(np.searchsorted(cum_shares, seg_u[t - start], side="right"), n_seg - 1)
                   if n_seg > 1 else np.zeros(runs, dtype=np.int64))
            base = seg * n_arms if by_segment else 0
            if how == "fixed_split":
                arm = np.minimum((pol.random(runs) * n_arms).astype(np.int64), n_arms - 1)
            elif how == "epsilon_greedy":
                greedy = np.argmax(mean + pol.random((runs, n_arms)) * 1e-12, axis=1)
                explore = pol.random(runs) < eps
                random_arm = np.minimum((pol.random(runs) * n_arms).astype(np.int64), n_arms - 1)
                arm = np.where(explore, random_arm, greedy)
            else:
                if by_segment:  # this customer's segment's counts: one flat gather
                    idx = (row_base + base)[:, None] + offsets
                    w, n = flat_wins.take(idx), flat_plays.take(idx)
                else:
                    w, n = wins, plays
                shapes[:, :n_arms] = w
                shapes[:, n_arms:] = n - w
                shapes += 1.0
                # Beta(1 + wins, 1 + losses) draws as Gamma ratios (numpy's beta does the same, slower)
                g = pol.standard_gamma(shapes)
                arm = np.argmax(g[:, :n_arms] / (g[:, :n_arms] + g[:, n_arms:]), axis=1)
            p = flat_rates.take(seg * n_arms + arm)
            hit = answer_u[t - start] < p
            at = row_base + base + arm
            flat_wins[at] += hit
            flat_plays[at] += 1
            if how == "epsilon_greedy":
                flat_mean[at] = flat_wins[at] / flat_plays[at]
            choices[t] = arm
            rewards[t] = hit
            regret[t] = best[seg] - p
    choices, rewards, regret = choices.T, rewards.T, regret.T
    inputs = {"policy": how, "true_rates": rates, "arms": arm_names, "segments": seg_names,
              "segment_shares": shares, "horizon": t_max, "n_runs": runs, "epsilon": eps, "seed": seed}
    return BanditResult(inputs, choices, rewards, regret)


def rate_table(data: pd.DataFrame, arm: str, outcome: str, segment: str) -> pd.DataFrame:
    """Observed response rates: segments in rows, arms in columns (for :func:`personalisation_value`).

    Examples
    --------
    >>> from cxlib.data import offer_panel
    >>> from cxlib.offers import rate_table
    >>> rate_table(offer_panel(3000, rng=1).data, "offer", "responded", "segment").shape
    (3, 3)
    """
    params.frame("data", data, {"arm": arm, "outcome": outcome, "segment": segment}, empty=False)
    return data.pivot_table(index=segment, columns=arm, values=outcome, aggfunc="mean", observed=True)


def personalisation_value(rates: Any, segment_shares: Any) -> dict[str, Any]:
    """Expected response of the best single offer against the best offer per segment.

    Parameters
    ----------
    rates : pandas.DataFrame or mapping
        Response rates, segments in rows and offers in columns (true rates, or estimated
        ones from :func:`rate_table`).
    segment_shares : mapping or Series
        Share of customers in each segment (sums to 1).

    Returns
    -------
    dict
        ``best_offer_overall``, ``reward_single`` (its expected response rate),
        ``best_offer_by_segment`` (dict), ``reward_personalised``, ``lift``
        (personalised / single - 1), ``average_rates`` (dict).

    Examples
    --------
    >>> from cxlib.data import OFFER_RATES, OFFER_SEGMENT_SHARES
    >>> from cxlib.offers import personalisation_value
    >>> v = personalisation_value(OFFER_RATES, OFFER_SEGMENT_SHARES)
    >>> v["best_offer_overall"], round(v["lift"], 3)
    ('discount', 0.236)
    """
    import pandas as pd

    table = rates if isinstance(rates, pd.DataFrame) else pd.DataFrame(rates).T
    m = params.array("rates", table.to_numpy(dtype=float), "rates between 0 and 1", finite=True)
    params.elements("rates", m, (m < 0) | (m > 1), "between 0 and 1")
    shares = pd.Series(segment_shares, dtype=float)
    missing = [str(s) for s in table.index if s not in shares.index]
    if missing:
        raise ValueError(f"segment_shares lacks the segment(s) {', '.join(map(repr, missing))}")
    w = shares.reindex(table.index).to_numpy()
    if not math.isclose(w.sum(), 1.0, abs_tol=1e-6):
        raise ValueError(f"segment_shares must sum to 1 over the segments of rates; got {w.sum():g}")
    average = (table.mul(w, axis=0)).sum(axis=0)
    best_overall = str(average.idxmax())
    by_segment = {str(s): str(table.loc[s].idxmax()) for s in table.index}
    single = float(average.max())
    personal = float((table.max(axis=1).to_numpy() * w).sum())
    return {"best_offer_overall": best_overall, "reward_single": single, "best_offer_by_segment": by_segment,
            "reward_personalised": personal, "lift": personal / single - 1 if single > 0 else float("nan"),
            "average_rates": {str(k): float(v) for k, v in average.items()}}
