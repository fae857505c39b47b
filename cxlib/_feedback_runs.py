"""Many runs of the feedback engine: Monte Carlo replications, policy comparisons on
common random numbers, bands over runs and the break-even period (lessons 03 and 04).

Re-exported by :mod:`cxlib.feedback`; import from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cxlib import params as _check
from cxlib._feedback_model import PERIOD_COLUMNS, Params, Policy, _check_inputs, _periods_frame, _run
from cxlib._rng import check_rng, seed_from

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def monte_carlo(
    params: Params | None = None,
    n_runs: int = 100,
    policy: Policy | None = None,
    *,
    rng: None | int | np.random.Generator = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Run :func:`simulate` many times and return every run's periods, tidy.

    Each run gets its own independent random stream (``Generator.spawn``), so the
    runs do not depend on their order, and the same ``rng`` seed gives the same
    streams to any policy: comparisons across policies use common random numbers.

    Parameters
    ----------
    params : Params, optional
    n_runs : int, default 100
        Number of replications, 1 to 100,000.
    policy : Policy, optional
    rng : None, int or numpy.random.Generator
    progress : bool, default False
        Show a progress bar (tqdm) over the runs.

    Returns
    -------
    pandas.DataFrame
        Columns ``run`` and :data:`PERIOD_COLUMNS`, plus ``policy`` (the policy's name)
        and ``retention`` (the run's cohort retention, repeated on its rows).

    Examples
    --------
    >>> from cxlib.feedback import Params, monte_carlo
    >>> mc = monte_carlo(Params(n_customers=500, n_periods=8), n_runs=3, rng=2)
    >>> mc.shape, sorted(mc["run"].unique().tolist())
    ((24, 18), [0, 1, 2])
    """
    from tqdm.auto import tqdm

    params, policy = _check_inputs(params, policy)
    n_runs = _check.integer("n_runs", n_runs, min=1, max=100_000)
    streams = check_rng(rng).spawn(n_runs)
    # each run as :func:`simulate` runs it (the same seed from the same stream), stacked
    # as arrays and made into one frame at the end
    periods, retention = [], []
    for stream in tqdm(streams, desc=policy.name, unit="run", disable=not progress):
        cols, _, cohort_retention, _ = _run(params, policy, seed_from(stream), False)
        periods.append(cols)
        retention.append(cohort_retention)
    frame = _periods_frame({c: np.concatenate([cols[c] for cols in periods]) for c in PERIOD_COLUMNS})
    frame.insert(0, "run", np.repeat(np.arange(n_runs, dtype=np.int64), params.n_periods))
    frame["policy"] = policy.name
    frame["retention"] = np.repeat(retention, params.n_periods)
    return frame


def compare(
    params: Params | None = None,
    policies: list[Policy] | None = None,
    n_runs: int = 100,
    *,
    rng: None | int | np.random.Generator = None,
    progress: bool = False,
) -> pd.DataFrame:
    """:func:`monte_carlo` for several policies on the same random streams.

    Parameters
    ----------
    params : Params, optional
    policies : list of Policy, default listening and not listening
        Their names must differ (they label the rows).
    n_runs : int, default 100
    rng : None, int or numpy.random.Generator
        One seed is drawn (or taken) and reused for every policy: common random
        numbers, so differences come from the policies, not from luck.
    progress : bool, default False

    Returns
    -------
    pandas.DataFrame
        The runs of every policy stacked, with a ``policy`` column.

    Examples
    --------
    >>> from cxlib.feedback import Params, compare
    >>> runs = compare(Params(n_customers=300, n_periods=4), n_runs=3, rng=1)
    >>> runs.groupby("policy")["retention"].mean().round(3)
    policy
    listening        0.970
    not listening    0.969
    Name: retention, dtype: float64
    """
    import pandas as pd

    policies = [Policy.listening(), Policy.not_listening()] if policies is None else list(policies)
    names = [getattr(pol, "name", None) for pol in policies]
    if not policies or len(set(names)) != len(names):
        raise ValueError(f"policies must be a non-empty list of Policy objects with different names; got names {names}")
    seed = seed_from(rng)
    return pd.concat(
        [monte_carlo(params, n_runs, pol, rng=seed, progress=progress) for pol in policies], ignore_index=True
    )


def bands(runs: pd.DataFrame, column: str, *, level: float = 0.9, by: str = "policy") -> pd.DataFrame:
    """Mean and central ``level`` band of ``column`` over runs, per period (and policy).

    Parameters
    ----------
    runs : pandas.DataFrame
        Output of :func:`monte_carlo` or :func:`compare`.
    column : str
        One of the period columns, e.g. ``"active"`` or ``"profit"``; ``"cum_profit"``
        (cumulative profit within each run) is also accepted.
    level : float, default 0.9
        Share of runs inside the band (between the quantiles (1 - level)/2 and
        (1 + level)/2).
    by : str, default "policy"
        Grouping column besides ``period`` (ignored if absent).

    Returns
    -------
    pandas.DataFrame
        Columns ``[by,] period, mean, low, high, sem`` (``sem``: the Monte Carlo
        standard error of the mean).

    Examples
    --------
    >>> from cxlib.feedback import Params, monte_carlo, bands
    >>> b = bands(monte_carlo(Params(n_customers=300, n_periods=5), n_runs=4, rng=1), "active")
    >>> b.columns.tolist()
    ['policy', 'period', 'mean', 'low', 'high', 'sem']
    """
    level = _check.real("level", level, min=0, max=1, min_inclusive=False, max_inclusive=False)
    frame = runs
    if column == "cum_profit":
        keys = [k for k in (by, "run") if k in frame.columns]
        frame = frame.sort_values(keys + ["period"])  # cumulate in time order whatever the row order
        frame = frame.assign(cum_profit=frame.groupby(keys)["profit"].cumsum())
    valid = [c for c in PERIOD_COLUMNS if c != "period"] + ["cum_profit"]
    _check.choice("column", column, valid)
    keys = [k for k in (by, "period") if k in frame.columns]
    grouped = frame.groupby(keys)[column]
    out = grouped.agg(mean="mean", sem="sem")
    out["low"] = grouped.quantile((1 - level) / 2)
    out["high"] = grouped.quantile((1 + level) / 2)
    return out.reset_index()[keys + ["mean", "low", "high", "sem"]]


def breakeven_period(runs: pd.DataFrame, policy: str, baseline: str) -> int | None:
    """First period at which mean cumulative profit of ``policy`` exceeds ``baseline``.

    Parameters
    ----------
    runs : pandas.DataFrame
        Output of :func:`compare` (or stacked :func:`monte_carlo` frames) holding both
        policies.
    policy, baseline : str
        Policy names in the ``policy`` column.

    Returns
    -------
    int or None
        The period, or ``None`` if ``policy`` never gets ahead.  If it is ahead from
        the first period, that is 1.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"policy": ["a"] * 3 + ["b"] * 3, "run": 0, "period": [1, 2, 3] * 2,
    ...                      "profit": [-5.0, 10.0, 10.0, 0.0, 1.0, 1.0]})
    >>> breakeven_period(runs, "a", "b")  # cumulative a: -5, 5, 15; b: 0, 1, 2
    2
    >>> breakeven_period(runs, "b", "a")  # b is ahead at once
    1
    >>> breakeven_period(runs.assign(profit=-1.0), "a", "b") is None  # never ahead
    True
    """
    present = sorted(runs["policy"].unique()) if "policy" in runs.columns else []
    _check.choice("policy", policy, present)
    _check.choice("baseline", baseline, present)
    mean = bands(runs, "cum_profit").pivot(index="period", columns="policy", values="mean")
    ahead = mean.index[(mean[policy] > mean[baseline]).to_numpy()]
    return int(ahead[0]) if len(ahead) else None


def explore(
    feedback_rate: float,
    action_capacity: int,
    action_delay: int,
    *,
    params: Params | None = None,
    n_runs: int = 20,
    rng: None | int | np.random.Generator = None,
    columns: tuple[str, ...] = ("active", "quality", "cum_profit"),
) -> pd.DataFrame:
    """Listening vs not listening at one setting of the three loop levers, as bands.

    The plain function behind :func:`cxlib.widgets.feedback_explorer`: it replaces
    ``feedback_rate``, ``action_capacity`` and ``action_delay`` in ``params``, runs
    :func:`compare` (listening and not listening, common random numbers) and returns
    the Monte Carlo bands of each column.

    Parameters
    ----------
    feedback_rate, action_capacity, action_delay
        As in :class:`Params` (validated there).
    params : Params, optional
        Everything else; default ``Params()``.
    n_runs : int, default 20
    rng : None, int or numpy.random.Generator
    columns : tuple of str
        Period columns (or ``"cum_profit"``) to summarise.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric, policy, period, mean, low, high, sem``.

    Examples
    --------
    >>> from cxlib.feedback import Params, explore
    >>> out = explore(0.3, 50, 4, params=Params(n_customers=300, n_periods=6), n_runs=3, rng=1)
    >>> sorted(out["metric"].unique()), sorted(out["policy"].unique())
    (['active', 'cum_profit', 'quality'], ['listening', 'not listening'])
    """
    import pandas as pd

    base = Params() if params is None else _check_inputs(params, None)[0]
    p = base.replace(feedback_rate=feedback_rate, action_capacity=action_capacity, action_delay=action_delay)
    runs = compare(p, n_runs=n_runs, rng=rng)
    return pd.concat([bands(runs, c).assign(metric=c) for c in columns], ignore_index=True)[
        ["metric", "policy", "period", "mean", "low", "high", "sem"]
    ]
