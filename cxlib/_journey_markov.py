"""Markov models of customer journeys for :mod:`cxlib.journey` (lesson 08): the chain fitted to
paths, its conversion probability and removal effects computed exactly from the absorbing
chain, attribution, the heuristics, drop-off and time in state, and simulation.

The chain has a ``(start)`` state, one transient state per touchpoint (or per sequence of
the last ``order`` touchpoints), and two absorbing states, ``(conversion)`` and ``(null)``.
With ``Q`` the transitions among transient states and ``r`` the one-step conversion
probabilities, the probability of converting from each transient state solves
``(I - Q) x = r`` (the fundamental matrix ``N = (I - Q)^-1`` applied to ``r``): an exact
linear solve, where ChannelAttribution's ``markov_model`` simulates journeys.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._journey_paths import RESERVED, _table
from cxlib._rng import check_rng

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["MarkovModel", "fit_markov", "order_test", "removal_effects", "attribution", "first_touch", "last_touch", "linear",
           "drop_off", "time_in_state", "simulate_journeys"]

START, CONVERSION, NULL = RESERVED


def _check_paths(paths: Any) -> pd.DataFrame:
    frame = params.frame("paths", paths, ["path", "conversions", "nulls"], what="from read_paths or paths_from_log",
                         empty=False)
    kinds = set(map(type, frame["path"].tolist()))
    if kinds != {tuple} or not all(map(len, frame["path"].tolist())):
        raise TypeError("paths['path'] must hold non-empty tuples of touchpoints; read the paths with "
                        "cxlib.journey.read_paths or paths_from_log")
    return frame


def _state(history: tuple[str, ...]) -> str:
    return " > ".join(history)


@dataclass(frozen=True, eq=False)
class MarkovModel:
    """A Markov chain of customer journeys.

    Attributes
    ----------
    states : list of str
        ``(start)``, the transient states (touchpoints, or ``"a > b"`` sequences for
        ``order`` > 1), then ``(conversion)`` and ``(null)``.
    counts : pandas.DataFrame
        Observed transitions, from-state (rows) to state (columns).
    order : int
    channels : list of str
        The touchpoints.
    conversions, value : float
        Total conversions and conversion value in the data fitted.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import fit_markov, read_paths
    >>> paths = read_paths(pd.DataFrame({"path": ["a > b", "b"], "total_conversions": [1, 1],
    ...                                  "total_conversion_value": [1.0, 1.0], "total_null": [1, 1]}))
    >>> model = fit_markov(paths)
    >>> model.conversion_probability()
    0.5
    """

    states: list[str]
    counts: Any = field(repr=False)
    order: int = 1
    channels: list[str] = field(default_factory=list)
    conversions: float = 0.0
    value: float = 0.0
    state_channels: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def _probabilities(self) -> np.ndarray:
        """The transition probabilities as a read-only array, computed once (every exact solve uses them)."""
        c = self.counts.to_numpy(float)
        out = np.zeros_like(c)
        sums = c.sum(axis=1)
        nz = sums > 0
        out[nz] = c[nz] / sums[nz, None]
        for s in (CONVERSION, NULL):
            i = self.states.index(s)
            out[i] = 0.0
            out[i, i] = 1.0
        out.flags.writeable = False
        return out

    @property
    def transition_matrix(self) -> pd.DataFrame:
        """Transition probabilities (rows sum to 1; the absorbing states stay where they are)."""
        import pandas as pd

        return pd.DataFrame(self._probabilities.copy(), index=self.states, columns=self.states)

    def _transient(self) -> tuple[list[int], int, int]:
        conv, null = self.states.index(CONVERSION), self.states.index(NULL)
        return [i for i in range(len(self.states)) if i not in (conv, null)], conv, null

    def absorption(self, removed: frozenset[str] = frozenset()) -> pd.Series:
        """Probability of ending in ``(conversion)`` from each transient state, exactly.

        ``removed``: touchpoints taken out of the chain (every transition into a state that
        contains one of them goes to ``(null)`` instead).
        """
        import pandas as pd
        from scipy.sparse import csr_matrix, identity
        from scipy.sparse.linalg import spsolve

        p = self._probabilities
        trans, conv, _ = self._transient()
        q = p[np.ix_(trans, trans)].copy()
        r = p[trans, conv].copy()
        if removed:
            gone = [k for k, i in enumerate(trans) if self.state_channels.get(self.states[i], frozenset()) & removed]
            q[:, gone] = 0.0  # flows into a removed state are lost (they go to the null state)
            q[gone, :] = 0.0
            r[gone] = 0.0
        if len(trans) <= 400:
            x = np.linalg.solve(np.eye(len(trans)) - q, r)
        else:
            x = spsolve((identity(len(trans), format="csr") - csr_matrix(q)).tocsc(), r)
        return pd.Series(np.clip(x, 0.0, 1.0), index=[self.states[i] for i in trans])

    @functools.cached_property
    def _without(self) -> np.ndarray:
        """The conversion probability with nothing removed, then with each channel removed (in
        ``channels`` order): all solved together (one stacked solve; a sparse solve each past
        400 states)."""
        p = self._probabilities
        trans, conv, _ = self._transient()
        if len(trans) > 400:
            removals = [frozenset(), *(frozenset([c]) for c in self.channels)]
            return np.array([float(self.absorption(gone)[START]) for gone in removals])
        q = p[np.ix_(trans, trans)]
        r = p[trans, conv]
        names = [self.state_channels.get(self.states[i], frozenset()) for i in trans]
        keep = np.array([[True] * len(trans)] + [[c not in members for members in names] for c in self.channels],
                        dtype=float)
        # flows into and out of a removed state are lost (they go to the null state)
        a = np.eye(len(trans)) - q[None] * keep[:, :, None] * keep[:, None, :]
        x = np.linalg.solve(a, (r[None] * keep)[..., None])[..., 0]
        out = np.clip(x[:, trans.index(self.states.index(START))], 0.0, 1.0)
        out.flags.writeable = False
        return out

    def conversion_probability(self, removed: Any = ()) -> float:
        """Probability that a journey from ``(start)`` converts (with ``removed`` touchpoints taken out).

        Examples
        --------
        >>> from cxlib.journey import fit_markov, read_paths
        >>> import pandas as pd
        >>> m = fit_markov(read_paths(pd.DataFrame({"path": ["a", "a > b"], "total_conversions": [0, 3],
        ...                                         "total_conversion_value": [0.0, 3.0], "total_null": [1, 0]})))
        >>> m.conversion_probability(), m.conversion_probability(removed=["b"])
        (0.75, 0.0)
        """
        gone = frozenset([removed] if isinstance(removed, str) else removed)
        unknown = sorted(gone - set(self.channels))
        if unknown:
            raise ValueError(f"removed names unknown touchpoint(s) {', '.join(map(repr, unknown))}; the chain has "
                             f"{', '.join(map(repr, self.channels))}")
        if len(gone) <= 1:  # solved once for the model (the removal effects need them all)
            return float(self._without[self.channels.index(next(iter(gone))) + 1 if gone else 0])
        return float(self.absorption(gone)[START])

    def expected_visits(self) -> pd.Series:
        """Expected visits to each transient state per journey, from ``(start)``: the first row of
        the fundamental matrix ``N = (I - Q)^-1``."""
        import pandas as pd

        p = self._probabilities
        trans, _, _ = self._transient()
        q = p[np.ix_(trans, trans)]
        e = np.zeros(len(trans))
        e[trans.index(self.states.index(START))] = 1.0
        visits = np.linalg.solve((np.eye(len(trans)) - q).T, e)
        return pd.Series(visits, index=[self.states[i] for i in trans])

    @classmethod
    def from_matrix(cls, matrix: pd.DataFrame) -> MarkovModel:
        """An order-1 model from a transition matrix whose states are ``(start)``, touchpoints,
        ``(conversion)`` and ``(null)`` (rows sum to 1): the truth of a generator.

        Examples
        --------
        >>> import pandas as pd
        >>> from cxlib.journey import MarkovModel
        >>> s = ["(start)", "a", "(conversion)", "(null)"]
        >>> m = MarkovModel.from_matrix(pd.DataFrame([[0, 1, 0, 0], [0, 0.2, 0.4, 0.4], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                                          index=s, columns=s))
        >>> m.conversion_probability()
        0.5
        """
        import pandas as pd

        matrix = params.frame("matrix", matrix, [START, CONVERSION, NULL], what="(a transition matrix)")
        states = list(matrix.columns)
        if list(matrix.index) != states:
            raise ValueError("matrix must have the same states in rows and columns")
        values = params.array("matrix", matrix.to_numpy(float), "probabilities", ndim=2, finite=True)
        params.elements("matrix", values, (values < 0) | (values > 1), "probabilities between 0 and 1")
        order = [START] + [x for x in states if x not in RESERVED] + [CONVERSION, NULL]
        m = pd.DataFrame(values, index=states, columns=states).loc[order, order]
        touch = order[1:-2]
        return cls(order, m, 1, sorted(touch), 0.0, 0.0, {t: frozenset([t]) for t in touch})

    def with_exit(self, touchpoint: str, exit_probability: float) -> MarkovModel:
        """The same chain with one touchpoint's chance of dropping out set to ``exit_probability``
        (its other transitions scaled to fill the rest): what fixing a pain point would be worth.

        Examples
        --------
        >>> import pandas as pd
        >>> from cxlib.journey import MarkovModel
        >>> s = ["(start)", "a", "(conversion)", "(null)"]
        >>> m = MarkovModel.from_matrix(pd.DataFrame([[0, 1, 0, 0], [0, 0, 0.4, 0.6], [0, 0, 1, 0], [0, 0, 0, 1]],
        ...                                          index=s, columns=s))
        >>> m.with_exit("a", 0.2).conversion_probability()
        0.8
        """
        import pandas as pd

        if self.order != 1:
            raise ValueError("with_exit needs an order-1 model")
        t = params.choice("touchpoint", touchpoint, self.channels)
        x = params.probability("exit_probability", exit_probability)
        p = self.transition_matrix.copy()
        row = p.loc[t].copy()
        rest = row.drop(NULL)
        if rest.sum() <= 0 and x < 1:
            raise ValueError(f"touchpoint {t!r} only ever leads to (null); there is nothing to scale up")
        row[rest.index] = rest / rest.sum() * (1 - x) if rest.sum() > 0 else 0.0
        row[NULL] = x
        p.loc[t] = row
        return MarkovModel(self.states, pd.DataFrame(p.to_numpy(), index=self.states, columns=self.states), 1,
                           list(self.channels), self.conversions, self.value, dict(self.state_channels))

    def loglik(self) -> float:
        """Log-likelihood of the observed transitions under the fitted probabilities."""
        c = self.counts.to_numpy(float)
        p = self._probabilities
        used = c > 0
        return float((c[used] * np.log(p[used])).sum())

    def __repr__(self) -> str:
        return (f"MarkovModel(order {self.order}, {len(self.channels)} touchpoints, {len(self.states) - 3} transient "
                f"states; conversion probability {self.conversion_probability():.4f})")


def fit_markov(paths: pd.DataFrame, order: int = 1) -> MarkovModel:
    """Fit a Markov chain of the given order to journeys (counts of observed transitions).

    Each journey runs ``(start) -> t1 -> ... -> tn -> (conversion)`` or ``-> (null)``.  With
    ``order`` k > 1 the states are the last k touchpoints (fewer at the start of a journey),
    so the chain can remember where a customer came from; the number of states grows fast,
    and states seen a few times give noisy transitions (a warning says how many).

    Parameters
    ----------
    paths : pandas.DataFrame
        From :func:`cxlib.journey.read_paths` or :func:`cxlib.journey.paths_from_log`.
    order : int, default 1
        1 to 4.

    Returns
    -------
    MarkovModel

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import fit_markov, read_paths
    >>> paths = read_paths(pd.DataFrame({"path": ["a > b", "a"], "total_conversions": [2, 0],
    ...                                  "total_conversion_value": [2.0, 0.0], "total_null": [0, 2]}))
    >>> fit_markov(paths).transition_matrix.loc["(start)", "a"], fit_markov(paths).transition_matrix.loc["a", "b"]
    (np.float64(1.0), np.float64(0.5))
    """
    import pandas as pd

    frame = _check_paths(paths)
    k = params.integer("order", order, min=1, max=4)
    states, counts, members = _transition_counts(frame["path"].tolist(), frame["conversions"].to_numpy(float),
                                                 frame["nulls"].to_numpy(float), k)
    transient = states[1:-2]
    if k > 1:
        seen = counts[1:len(states) - 2].sum(axis=1)
        sparse = int(np.sum(seen < 30))
        if sparse:
            warnings.warn(f"order {k}: {sparse} of {len(transient)} states were left fewer than 30 times; their "
                          "transition probabilities are noisy (compare with order 1, or use more journeys)",
                          UserWarning, stacklevel=2)
    return MarkovModel(states, pd.DataFrame(counts, index=states, columns=states), k,
                       sorted(set().union(*members.values())),
                       float(frame["conversions"].sum()), float(frame["value"].sum()) if "value" in frame else 0.0,
                       members)


def _transition_counts(paths: list[tuple[str, ...]], conversions: np.ndarray, nulls: np.ndarray,
                       k: int) -> tuple[list[str], np.ndarray, dict[str, frozenset[str]]]:
    """Count the chain's transitions with array operations (no Python work per touch).

    Touchpoints are coded once (``pandas.factorize`` of all touches); a state of order k is coded
    from the codes of the last k touches (fewer where the journey is shorter); every
    transition is one entry of a ``numpy.bincount`` weighted by its path's journeys.  Returns the
    states (``(start)``, transient states sorted by name, ``(conversion)``, ``(null)``), the counts
    and the touchpoints in each transient state.
    """
    import itertools

    import pandas as pd

    lengths = np.fromiter(map(len, paths), dtype=np.int64, count=len(paths))
    flat = np.empty(int(lengths.sum()), dtype=object)
    flat[:] = list(itertools.chain.from_iterable(paths))
    touch, names = pd.factorize(flat, sort=True)
    first = np.zeros(len(flat), dtype=bool)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    first[starts] = True
    pos = np.arange(len(flat)) - np.repeat(starts, lengths) if k > 1 else None  # position within the journey
    state = touch.astype(np.int64)
    for j in range(1, k):  # add the touch j steps back (if the journey has one), recoding to keep codes small
        back = np.zeros_like(state)
        back[j:] = touch[:-j] + 1
        state = pd.factorize(state * (len(names) + 1) + np.where(pos >= j, back, 0), sort=False)[0].astype(np.int64)
    n_states = int(state.max()) + 1
    rep = np.empty(n_states, dtype=np.int64)  # one touch in each state (its last touchpoint)
    rep[state[::-1]] = np.arange(len(flat) - 1, -1, -1)
    hist = [tuple(flat[r - min(int(pos[r]), k - 1): r + 1]) if k > 1 else (flat[r],) for r in rep]
    labels = [" > ".join(h) for h in hist]
    order = np.argsort(np.array(labels, dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)  # 0 is (start)
    s = len(labels) + 3
    conv, null = s - 2, s - 1
    cur = rank[state]
    prev = np.where(first, 0, np.roll(cur, 1))
    last = cur[np.cumsum(lengths) - 1]
    weight = np.repeat(conversions + nulls, lengths)
    flows = (prev * s + cur, last * s + conv, last * s + null)
    counts = sum(np.bincount(f, weights=w, minlength=s * s) for f, w in zip(flows, (weight, conversions, nulls)))
    states = [START, *(labels[i] for i in order), CONVERSION, NULL]
    members = {labels[i]: frozenset(hist[i]) for i in order}
    return states, counts.reshape(s, s), members


def removal_effects(model: MarkovModel) -> pd.DataFrame:
    """The removal effect of each touchpoint: the relative drop in conversion probability when it
    is taken out of the chain (journeys that would pass through it are lost), computed exactly.

    Returns
    -------
    pandas.DataFrame
        Index: touchpoints; ``conversion_without`` (the conversion probability with the
        touchpoint removed), ``removal_effect`` (``1 - without / with``), ``share`` (the
        removal effects normalised to sum to 1: the attribution weights).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import fit_markov, read_paths, removal_effects
    >>> m = fit_markov(read_paths(pd.DataFrame({"path": ["a > b", "b"], "total_conversions": [1, 1],
    ...                                         "total_conversion_value": [1.0, 1.0], "total_null": [1, 1]})))
    >>> removal_effects(m)["removal_effect"].to_dict()
    {'a': 0.5, 'b': 1.0}
    """
    import pandas as pd

    if not isinstance(model, MarkovModel):
        raise TypeError(f"model must be a MarkovModel from fit_markov; got {type(model).__name__}")
    base = float(model._without[0])
    without = model._without[1:].copy()
    effect = 1 - without / base if base > 0 else np.full(len(without), np.nan)
    total = effect.sum()
    return pd.DataFrame({"conversion_without": without, "removal_effect": effect,
                         "share": effect / total if total > 0 else np.nan},
                        index=pd.Index(model.channels, name="touchpoint"))


def attribution(model: MarkovModel, conversions: float | None = None, value: float | None = None) -> pd.DataFrame:
    """Distribute conversions (and value) over touchpoints in proportion to their removal effects.

    Parameters
    ----------
    model : MarkovModel
    conversions, value : float, optional
        Totals to distribute (default: those of the data the model was fitted to).

    Returns
    -------
    pandas.DataFrame
        Index: touchpoints; ``removal_effect``, ``conversions``, ``value``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import attribution, fit_markov, read_paths
    >>> m = fit_markov(read_paths(pd.DataFrame({"path": ["a > b", "b"], "total_conversions": [1, 1],
    ...                                         "total_conversion_value": [10.0, 20.0], "total_null": [1, 1]})))
    >>> attribution(m)[["conversions", "value"]].round(3).to_dict("list")
    {'conversions': [0.667, 1.333], 'value': [10.0, 20.0]}
    """
    re = removal_effects(model)
    conv = model.conversions if conversions is None else params.real("conversions", conversions, min=0)
    val = model.value if value is None else params.real("value", value, min=0)
    import pandas as pd

    share = re["share"].to_numpy()
    return pd.DataFrame({"removal_effect": re["removal_effect"].to_numpy(), "conversions": share * conv,
                         "value": share * val}, index=re.index)


def _heuristic(paths: pd.DataFrame, pick: str) -> pd.DataFrame:
    import pandas as pd

    frame = _check_paths(paths)
    credit: dict[str, list[float]] = {}
    for path, conv, val in zip(frame["path"], frame["conversions"],
                               frame["value"] if "value" in frame else np.zeros(len(frame))):
        if not conv:
            continue
        if pick == "first":
            share = {path[0]: 1.0}
        elif pick == "last":
            share = {path[-1]: 1.0}
        else:
            share = {}
            for t in path:
                share[t] = share.get(t, 0.0) + 1.0 / len(path)
        for t, s in share.items():
            c = credit.setdefault(t, [0.0, 0.0])
            c[0] += s * conv
            c[1] += s * val
    touch = sorted({t for p in frame["path"] for t in p})
    return pd.DataFrame({"conversions": [credit.get(t, [0.0, 0.0])[0] for t in touch],
                         "value": [credit.get(t, [0.0, 0.0])[1] for t in touch]},
                        index=pd.Index(touch, name="touchpoint"))


def first_touch(paths: pd.DataFrame) -> pd.DataFrame:
    """Every conversion (and its value) credited to the first touchpoint of its journey.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import first_touch, read_paths
    >>> p = read_paths(pd.DataFrame({"path": ["a > b", "b"], "total_conversions": [1, 2],
    ...                              "total_conversion_value": [1.0, 2.0], "total_null": [0, 0]}))
    >>> first_touch(p)["conversions"].to_dict()
    {'a': 1.0, 'b': 2.0}
    """
    return _heuristic(paths, "first")


def last_touch(paths: pd.DataFrame) -> pd.DataFrame:
    """Every conversion credited to the last touchpoint before it.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import last_touch, read_paths
    >>> p = read_paths(pd.DataFrame({"path": ["a > b", "b"], "total_conversions": [1, 2],
    ...                              "total_conversion_value": [1.0, 2.0], "total_null": [0, 0]}))
    >>> last_touch(p)["conversions"].to_dict()
    {'a': 0.0, 'b': 3.0}
    """
    return _heuristic(paths, "last")


def linear(paths: pd.DataFrame) -> pd.DataFrame:
    """Every conversion shared equally among the touches of its journey (a repeated touchpoint
    counts once per visit).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import linear, read_paths
    >>> p = read_paths(pd.DataFrame({"path": ["a > b", "b"], "total_conversions": [1, 2],
    ...                              "total_conversion_value": [1.0, 2.0], "total_null": [0, 0]}))
    >>> linear(p)["conversions"].to_dict()
    {'a': 0.5, 'b': 2.5}
    """
    return _heuristic(paths, "linear")


def drop_off(model: MarkovModel) -> pd.DataFrame:
    """Where journeys end without converting: per touchpoint, the chance of leaving from it and its
    share of all lost journeys.

    Returns
    -------
    pandas.DataFrame
        Index: transient states (touchpoints for order 1); ``exit_probability`` (the one-step
        chance of going to ``(null)``), ``conversion_probability`` (one step to
        ``(conversion)``), ``expected_visits`` (per journey), ``share_of_losses`` (expected
        journeys lost from there / all lost), ``conversion_from_here`` (the chance of
        converting eventually, once there).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import drop_off, fit_markov, read_paths
    >>> m = fit_markov(read_paths(pd.DataFrame({"path": ["a > b", "a"], "total_conversions": [2, 0],
    ...                                         "total_conversion_value": [2.0, 0.0], "total_null": [0, 2]})))
    >>> drop_off(m)["share_of_losses"].to_dict()
    {'a': 1.0, 'b': 0.0}
    """
    import pandas as pd

    p = model.transition_matrix
    visits = model.expected_visits().drop(START)
    exit_p = p.loc[visits.index, NULL]
    lost = visits * exit_p
    total = lost.sum()
    return pd.DataFrame({
        "exit_probability": exit_p,
        "conversion_probability": p.loc[visits.index, CONVERSION],
        "expected_visits": visits,
        "share_of_losses": lost / total if total > 0 else np.nan,
        "conversion_from_here": model.absorption().drop(START),
    }).rename_axis("touchpoint")


def time_in_state(model: MarkovModel, log: pd.DataFrame | None = None, *, customer: str = "customer",
                  time: str = "time", touchpoint: str = "touchpoint") -> pd.DataFrame:
    """How long journeys stay at each touchpoint: expected visits per journey (from the chain) and,
    given an event log with times, the mean time until the customer's next event.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import fit_markov, read_paths, time_in_state
    >>> m = fit_markov(read_paths(pd.DataFrame({"path": ["a > a > b"], "total_conversions": [1],
    ...                                         "total_conversion_value": [1.0], "total_null": [0]})))
    >>> time_in_state(m)["expected_visits"].to_dict()
    {'a': 2.0, 'b': 1.0}
    """
    import pandas as pd

    visits = model.expected_visits().drop(START)
    out = pd.DataFrame({"expected_visits": visits}).rename_axis("touchpoint")
    if log is not None:
        params.frame("log", log, {"customer": customer, "time": time, "touchpoint": touchpoint}, empty=False)
        ordered = log.sort_values([customer, time], kind="stable")
        nxt = ordered.groupby(customer)[time].shift(-1)
        gap = (nxt - ordered[time]).astype(float)
        out["mean_time_to_next"] = gap.groupby(ordered[touchpoint].astype(str)).mean().reindex(out.index)
    return out


def simulate_journeys(model: Any, n_customers: int, *, rng: None | int | np.random.Generator = None,
                      max_steps: int = 1000) -> pd.DataFrame:
    """Simulate journeys from a fitted model (or a transition matrix with the chain's state names).

    Vectorised over customers: every customer still on the way takes one step at a time.

    Parameters
    ----------
    model : MarkovModel or pandas.DataFrame
        A model, or a square transition matrix indexed by states including ``(start)``,
        ``(conversion)`` and ``(null)`` (order 1: the other states are touchpoints).
    n_customers : int
        1 to 10,000,000.
    rng : None, int or numpy.random.Generator
    max_steps : int, default 1000
        Journeys still going after this many steps are cut (counted as nulls; a warning says
        how many).

    Returns
    -------
    pandas.DataFrame
        A paths table (as :func:`read_paths`, value 0).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import fit_markov, read_paths, simulate_journeys
    >>> m = fit_markov(read_paths(pd.DataFrame({"path": ["a > b", "b"], "total_conversions": [1, 1],
    ...                                         "total_conversion_value": [1.0, 1.0], "total_null": [1, 1]})))
    >>> sim = simulate_journeys(m, 20000, rng=1)
    >>> round(float(sim["conversions"].sum()) / 20000, 2)
    0.5
    """
    import pandas as pd

    matrix = model.transition_matrix if isinstance(model, MarkovModel) else params.frame(
        "model", model, [START, CONVERSION, NULL], what="(a transition matrix: states in rows and columns)")
    if isinstance(model, MarkovModel) and model.order > 1:
        raise ValueError("simulate_journeys needs an order-1 model (higher orders: simulate from the order-1 chain)")
    states = list(matrix.columns)
    if list(matrix.index) != states:
        raise ValueError("model must be a square transition matrix with the same states in rows and columns")
    p = matrix.to_numpy(float)
    params.elements("model", p, (p < 0) | (p > 1), "probabilities between 0 and 1")
    n = params.integer("n_customers", n_customers, min=1, max=10_000_000)
    steps_max = params.integer("max_steps", max_steps, min=1, max=100_000)
    gen = check_rng(rng)
    cum = np.cumsum(p, axis=1)
    cum[:, -1] = np.maximum(cum[:, -1], 1.0)
    start, conv, null = states.index(START), states.index(CONVERSION), states.index(NULL)
    where = np.full(n, start)
    trail: list[np.ndarray] = []
    alive = np.ones(n, dtype=bool)
    for _ in range(steps_max):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        u = gen.random(idx.size)
        nxt = (u[:, None] > cum[where[idx]]).sum(axis=1)
        where[idx] = np.minimum(nxt, len(states) - 1)
        step = np.full(n, -1)
        step[idx] = where[idx]
        trail.append(step)
        alive[idx] = ~np.isin(where[idx], (conv, null))
    cut = int(alive.sum())
    if cut:
        warnings.warn(f"{cut} journeys were still going after {steps_max} steps; counted as nulls", UserWarning,
                      stacklevel=2)
    walk = np.column_stack(trail) if trail else np.full((n, 1), -1)
    steps = (walk >= 0).sum(axis=1)
    end = walk[np.arange(n), np.maximum(steps - 1, 0)]
    touches = (walk >= 0) & (walk != conv) & (walk != null)  # a journey's touches come first in its row
    has = touches[:, 0]  # journeys that reached at least one touchpoint (the others are not paths)
    small = np.uint8 if len(states) < 255 else np.int32
    codes = np.ascontiguousarray(np.where(touches, walk, conv)[has].astype(small))  # padded with a non-touch
    touches_per = touches[has].sum(axis=1)
    # each row as one bytes key (no Python work per touch); a path is built once per distinct row
    keys = np.empty(len(codes), dtype=object)
    keys[:] = codes.view(np.dtype((np.void, codes.shape[1] * codes.itemsize))).ravel().tolist()
    index, distinct = pd.factorize(keys, sort=False)
    first = np.full(len(distinct), len(index))
    np.minimum.at(first, index, np.arange(len(index)))
    names = np.array(states, dtype=object)
    paths = [tuple(names[seq[: touches_per[row]]]) for row, seq in zip(first, codes[first].astype(np.int64))]
    won = (end[has] == conv).astype(float)
    conversions = np.bincount(index, weights=won, minlength=len(first))
    nulls = np.bincount(index, weights=1.0 - won, minlength=len(first))
    return _table(paths, conversions, np.zeros(len(first)), nulls)


def order_test(paths: pd.DataFrame, low: int = 1, high: int = 2) -> dict[str, float]:
    """Likelihood-ratio test of a Markov chain of order ``low`` against one of order ``high``.

    The higher-order chain nests the lower one (it may remember more of the journey), so
    twice the difference of their log-likelihoods is, under the lower order, about chi-square
    with as many degrees of freedom as the extra free transition probabilities (counted over
    the transitions observed).  Sparse higher-order states make the approximation rough.

    Returns
    -------
    dict
        ``lr``, ``df``, ``p_value``, ``loglik_low``, ``loglik_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.journey import order_test, read_paths
    >>> p = read_paths(pd.DataFrame({"path": ["a > b", "b > a", "a > a"], "total_conversions": [40, 5, 20],
    ...                              "total_conversion_value": [0.0, 0.0, 0.0], "total_null": [10, 45, 30]}))
    >>> order_test(p)["p_value"] < 0.05
    True
    """
    from scipy.stats import chi2

    lo_k = params.integer("low", low, min=1, max=3)
    hi_k = params.integer("high", high, min=lo_k + 1, max=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        m_lo, m_hi = fit_markov(paths, lo_k), fit_markov(paths, hi_k)

    def free(m: MarkovModel) -> int:
        c = m.counts.to_numpy()[:-2]  # rows of the non-absorbing states
        return int(sum(max(int((row > 0).sum()) - 1, 0) for row in c))

    lr = max(2 * (m_hi.loglik() - m_lo.loglik()), 0.0)
    df = max(free(m_hi) - free(m_lo), 1)
    return {"lr": lr, "df": df, "p_value": float(chi2.sf(lr, df)), "loglik_low": m_lo.loglik(),
            "loglik_high": m_hi.loglik()}
