"""cxlib.feedback: the feedback-loop model against its own specification.

Identities (stocks and flows, backlog, money, quality's closed form) are checked for
random valid parameters with hypothesis; behaviour (more capacity, listening) in the
mean over seeds with common random numbers; the model's probabilities against its own
parameters within binomial/Poisson standard errors; every bad input by its message.
"""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxlib.feedback import (
    KINDS,
    PERIOD_COLUMNS,
    Params,
    Policy,
    bands,
    breakeven_period,
    compare,
    monte_carlo,
    simulate,
)

# ---------------------------------------------------------------------------
# strategies: valid Params read from the fields' own metadata
# ---------------------------------------------------------------------------

FIELDS = {f.name: f for f in fields(Params)}
PROB_FIELDS = [n for n, f in FIELDS.items() if f.metadata["kind"] == "prob"]

# Inside each field's range, but small enough that an example runs in milliseconds:
# few customers and periods, modest arrivals, and referrals that cannot explode the base.
CAPS = {"n_customers": 2000, "n_periods": 30, "action_delay": 35, "acquisition": 150.0, "referral_rate": 0.05}


def _shares_within_one(kw: dict) -> dict:
    """share_revenue + share_technical must be at most 1: scale share_technical into the room left."""
    if kw["share_revenue"] + kw["share_technical"] > 1.0:
        kw["share_technical"] = kw["share_technical"] * (1.0 - kw["share_revenue"])
    return kw


def params_strategy(**overrides):
    kw = {}
    for name, f in FIELDS.items():
        lo, hi = f.metadata["range"]
        hi = min(hi, CAPS.get(name, hi))
        if f.metadata["kind"] == "int":
            kw[name] = st.integers(int(lo), int(hi))
        elif f.metadata["kind"] == "bool":
            kw[name] = st.booleans()
        else:
            kw[name] = st.floats(float(lo), float(hi), allow_nan=False, allow_infinity=False)
    kw.update({k: (v if isinstance(v, st.SearchStrategy) else st.just(v)) for k, v in overrides.items()})
    return st.fixed_dictionaries(kw).map(_shares_within_one).map(lambda d: Params(**d))


@st.composite
def policies(draw):
    """Any valid policy: every lever, the priority's kind among the kinds acted on."""
    act_on = tuple(draw(st.sets(st.sampled_from(KINDS))))
    return Policy(
        name="random policy",
        act_share=draw(st.floats(0.0, 1.0)),
        recovery=draw(st.floats(0.0, 1.0)),
        capacity_share=draw(st.floats(0.0, 1.0)),
        priority=draw(st.sampled_from(("oldest", *act_on))),
        act_on=act_on,
        extra_delay=draw(st.integers(0, 6)),
        generosity=draw(st.floats(0.0, 1.0)),
    )


policies = policies()
seeds = st.integers(0, 2**32 - 1)
PROP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def start_active(res) -> np.ndarray:
    """Customers active at the start of each period: n_customers, then active[t-1]."""
    active = res.periods["active"].to_numpy()
    return np.concatenate([[res.inputs.n_customers], active[:-1]])


def within_se(observed: float, expected: float, se: float, k: float = 4.0) -> bool:
    return abs(observed - expected) <= k * se


# ---------------------------------------------------------------------------
# reproducibility and shape
# ---------------------------------------------------------------------------


@PROP
@given(params_strategy(), policies, seeds)
def test_same_seed_gives_identical_periods_and_history(params, policy, seed):
    a = simulate(params, policy, rng=seed, history=True)
    b = simulate(params, policy, rng=seed, history=True)
    pd.testing.assert_frame_equal(a.periods, b.periods)
    pd.testing.assert_frame_equal(a.history, b.history)
    assert a.cohort_retention == b.cohort_retention
    c = simulate(params, policy, rng=seed)
    pd.testing.assert_frame_equal(a.periods, c.periods)  # history=True draws nothing extra


def test_different_seeds_differ():
    p = Params(n_customers=1000, n_periods=10)
    runs = [simulate(p, rng=s).periods for s in range(4)]
    for i in range(4):
        for j in range(i + 1, 4):
            assert not runs[i].equals(runs[j])


def test_periods_frame_shape_columns_and_types():
    res = simulate(Params(n_customers=300, n_periods=7), rng=0)
    assert res.periods.columns.tolist() == list(PERIOD_COLUMNS)
    assert res.periods["period"].tolist() == list(range(1, 8))
    for c in ["period", "active", "new", "churned", "feedback_received", "feedback_acted", "backlog"]:
        assert res.periods[c].dtype == np.int64, c
    assert res.history is None  # memory grows with customers, not customers x periods
    table = res.summary()
    assert table.index.tolist() == ["listening"] and table.index.name == "policy"
    s = table.iloc[0]
    assert s["customers_end"] == res.periods["active"].iloc[-1]
    assert s["retention"] == res.cohort_retention
    assert s["profit"] == pytest.approx(res.periods["profit"].sum())


def test_result_keeps_its_inputs_and_params_says_where_they_went():
    p = Params(n_customers=300, n_periods=3)
    res = simulate(p, rng=0)
    assert res.inputs is p
    with pytest.warns(FutureWarning, match=r"feedback.Result.params is deprecated .*use feedback.Result.inputs"):
        assert res.params is p


# ---------------------------------------------------------------------------
# identities for random valid parameters
# ---------------------------------------------------------------------------


def by_kind_wide(res) -> dict[str, np.ndarray]:
    """Result.by_kind as one periods x KINDS array per column."""
    bk = res.by_kind
    return {c: bk.pivot(index="period", columns="kind", values=c)[list(KINDS)].to_numpy()
            for c in ("problems", "received", "acted", "backlog", "quality")}


def check_identities(res) -> None:
    """Every identity of the engine, for any parameters and any policy (lesson 04 runs it
    under each named policy too)."""
    params, policy, per = res.inputs, res.policy, res.periods
    active, new, churned = (per[c].to_numpy() for c in ("active", "new", "churned"))
    received, acted, backlog = (per[c].to_numpy() for c in ("feedback_received", "feedback_acted", "backlog"))
    recovered = per["recovered"].to_numpy()
    quality = per["quality"].to_numpy()
    n0 = start_active(res)
    T = params.n_periods
    kinds = by_kind_wide(res)

    # customers: active[t] = active[t-1] + new[t] - churned[t], active[0] = n_customers
    np.testing.assert_array_equal(active, n0 + new - churned)
    assert (churned <= n0).all() and (new >= 0).all() and (active >= 0).all()

    # feedback: never act on more than received or more than capacity; by kind adds up
    assert (np.cumsum(acted) <= np.cumsum(received)).all()
    assert (acted <= params.action_capacity).all() and (acted >= 0).all()
    np.testing.assert_array_equal(backlog, np.cumsum(received) - np.cumsum(acted))
    np.testing.assert_array_equal(kinds["received"].sum(axis=1), received)
    np.testing.assert_array_equal(kinds["acted"].sum(axis=1), acted)
    np.testing.assert_array_equal(kinds["backlog"], np.cumsum(kinds["received"] - kinds["acted"], axis=0))
    assert (kinds["received"] <= kinds["problems"]).all()
    assert (kinds["problems"][:, params.kind_shares == 0] == 0).all()  # no problems of a kind without share
    assert (kinds["acted"][:, [k not in policy.act_on for k in KINDS]] == 0).all()  # only the kinds acted on
    delay = params.action_delay + policy.extra_delay
    assert (acted[:delay] == 0).all()
    # and exactly what the policy chose from the ready items, its priority's kind first
    allowed = [KINDS.index(k) for k in policy.act_on]
    cum_received, cum_acted = np.cumsum(kinds["received"], axis=0), np.cumsum(kinds["acted"], axis=0)
    for t in range(T):
        arrived = cum_received[t - delay] if t - delay >= 0 else np.zeros(len(KINDS), dtype=np.int64)
        ready = arrived - (cum_acted[t - 1] if t else 0)
        assert (kinds["acted"][t] <= ready).all(), t
        assert acted[t] == policy.to_act(int(ready[allowed].sum()), params.action_capacity), t
        if policy.priority != "oldest":
            k = KINDS.index(policy.priority)
            assert kinds["acted"][t, k] == min(acted[t], ready[k]), t

    # quality: each kind's closed form, non-decreasing, in [0, 1]; overall the shares' mix
    qk = kinds["quality"]
    assert (qk[0] == params.initial_quality).all() and quality[0] == params.initial_quality
    expected_next = 1.0 - (1.0 - qk[:-1]) * (1.0 - params.improvement) ** kinds["acted"][:-1]
    np.testing.assert_allclose(qk[1:], expected_next, rtol=0, atol=1e-12)
    if params.share_revenue == params.share_technical == 0:
        np.testing.assert_array_equal(quality, qk[:, 0])
    else:
        np.testing.assert_allclose(quality, 1.0 - (1.0 - qk) @ params.kind_shares, rtol=0, atol=1e-12)
    assert (np.diff(quality) >= 0).all() and (np.diff(qk, axis=0) >= 0).all()
    assert ((quality >= 0) & (quality <= 1)).all()

    # money: revenue from the customers at the start of the period without a revenue
    # problem; cost = fixes + recovery + feedback + compensation; profit = revenue - cost
    np.testing.assert_allclose(per["revenue"], params.price * (n0 - kinds["problems"][:, 1]), rtol=1e-12)
    assert (recovered <= received).all() and (recovered >= 0).all()
    compensation = policy.generosity * params.claim * recovered
    np.testing.assert_allclose(per["compensation"], compensation, rtol=1e-12, atol=1e-9)
    cost = (params.cost_per_action * acted + params.cost_per_recovery * recovered
            + params.cost_per_feedback * received + compensation)
    np.testing.assert_allclose(per["cost"], cost, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(per["profit"], per["revenue"] - per["cost"], rtol=1e-12, atol=1e-6)

    # satisfaction and NPS are in range (NaN only when nobody was active)
    empty = n0 == 0
    ms, nps = per["mean_satisfaction"].to_numpy(), per["nps"].to_numpy()
    assert np.isnan(ms[empty]).all() and np.isnan(nps[empty]).all()
    assert ((ms[~empty] >= 0) & (ms[~empty] <= 10)).all()
    assert ((nps[~empty] >= -100) & (nps[~empty] <= 100)).all()
    assert 0.0 <= res.cohort_retention <= 1.0


@PROP
@given(params_strategy(), policies, seeds)
def test_stock_flow_backlog_quality_and_money_identities(params, policy, seed):
    check_identities(simulate(params, policy, rng=seed))


@PROP
@given(
    st.one_of(
        params_strategy(feedback_rate=0.0),
        params_strategy(action_capacity=0),
    ),
    policies,
    seeds,
)
def test_quality_never_changes_without_voice_or_capacity(params, policy, seed):
    per = simulate(params, policy, rng=seed).periods
    assert (per["quality"] == params.initial_quality).all()
    assert (per["feedback_acted"] == 0).all()
    if params.feedback_rate == 0:
        assert (per["feedback_received"] == 0).all()


@PROP
@given(params_strategy(), seeds)
def test_quality_never_changes_when_not_listening(params, seed):
    per = simulate(params, Policy.not_listening(), rng=seed).periods
    assert (per["quality"] == params.initial_quality).all()
    assert (per["feedback_acted"] == 0).all()
    np.testing.assert_array_equal(per["backlog"], np.cumsum(per["feedback_received"]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params_strategy(), policies, seeds)
def test_history_is_consistent_with_periods(params, policy, seed):
    res = simulate(params, policy, rng=seed, history=True)
    h, per = res.history, res.periods
    assert h.columns.tolist() == ["period", "customer_id", "satisfaction", "problem", "voiced", "recovered", "churned",
                                  "kind"]
    n0 = start_active(res)
    T = params.n_periods
    counts = h.groupby("period").size().reindex(range(1, T + 1), fill_value=0).to_numpy()
    np.testing.assert_array_equal(counts, n0)  # rows = active at the start

    # nesting: recovered within voiced within problem; a kind exactly for a problem
    assert not (h["voiced"] & ~h["problem"]).any()
    assert not (h["recovered"] & ~h["voiced"]).any()
    assert (h["kind"].notna() == h["problem"]).all()
    by_kind = h.groupby(["period", "kind"], observed=False).agg(problems=("problem", "size"),
                                                                received=("voiced", "sum"))
    kinds = res.by_kind.set_index(["period", "kind"])
    for c in ("problems", "received"):
        np.testing.assert_array_equal(by_kind[c].reindex(kinds.index, fill_value=0), kinds[c])

    g = h.groupby("period")
    sums = g[["problem", "voiced", "recovered", "churned"]].sum().reindex(range(1, T + 1), fill_value=0)
    np.testing.assert_array_equal(sums["churned"], per["churned"])
    np.testing.assert_array_equal(sums["voiced"], per["feedback_received"])
    # cost = action + recovery + feedback + compensation, with R the recovered count from history
    np.testing.assert_array_equal(sums["recovered"], per["recovered"])
    R = sums["recovered"].to_numpy()
    cost = (params.cost_per_action * per["feedback_acted"] + params.cost_per_recovery * R
            + params.cost_per_feedback * per["feedback_received"] + policy.generosity * params.claim * R)
    np.testing.assert_allclose(per["cost"], cost, rtol=1e-12, atol=1e-9)

    assert not h.duplicated(["period", "customer_id"]).any()
    nonempty = n0 > 0
    ms = g["satisfaction"].mean().reindex(range(1, T + 1)).to_numpy()
    np.testing.assert_allclose(ms[nonempty], per["mean_satisfaction"].to_numpy()[nonempty], rtol=1e-12)
    prom = (h["satisfaction"] >= 9).groupby(h["period"]).sum().reindex(range(1, T + 1), fill_value=0).to_numpy()
    detr = (h["satisfaction"] <= 6).groupby(h["period"]).sum().reindex(range(1, T + 1), fill_value=0).to_numpy()
    nps = 100.0 * (prom[nonempty] - detr[nonempty]) / n0[nonempty]
    np.testing.assert_allclose(nps, per["nps"].to_numpy()[nonempty], rtol=1e-12, atol=1e-12)

    # who is there next period: the previous period's stayers plus new, never-seen ids
    ids = {t: set(x) for t, x in h.groupby("period")["customer_id"]}
    seen = set(range(params.n_customers))
    assert ids.get(1, set()) == seen
    for t in range(1, T):
        stayers = set(h.loc[(h["period"] == t) & ~h["churned"], "customer_id"])
        arrivals = ids.get(t + 1, set()) - stayers
        assert stayers <= ids.get(t + 1, set())
        assert len(arrivals) == per["new"].iloc[t - 1]
        assert not (arrivals & seen)
        seen |= arrivals
    # cohort retention: the original customers still there at the end
    last = h[h["period"] == T]
    kept = int(((last["customer_id"] < params.n_customers) & ~last["churned"]).sum())
    assert res.cohort_retention == kept / params.n_customers


# ---------------------------------------------------------------------------
# behaviour in the mean over seeds
# ---------------------------------------------------------------------------


def _retention_by_run(mc: pd.DataFrame) -> np.ndarray:
    return mc.groupby("run")["retention"].first().sort_index().to_numpy()


def test_more_capacity_gives_higher_retention():
    base = Params(n_customers=2000, n_periods=52)
    ret = {c: _retention_by_run(monte_carlo(base.replace(action_capacity=c), n_runs=30, rng=11)) for c in (0, 25, 100)}
    means = [ret[c].mean() for c in (0, 25, 100)]
    assert means[0] < means[1] < means[2], means
    diff = ret[100] - ret[0]  # common random numbers: paired difference
    se = diff.std(ddof=1) / math.sqrt(diff.size)
    assert diff.mean() > 3 * se, (diff.mean(), se)


def test_listening_beats_not_listening_on_quality_and_retention():
    runs = compare(Params(n_customers=1000), n_runs=8, rng=5)
    last = runs[runs["period"] == runs["period"].max()].set_index(["policy", "run"])
    q_listen, q_not = last.loc["listening", "quality"], last.loc["not listening", "quality"]
    r_listen, r_not = last.loc["listening", "retention"], last.loc["not listening", "retention"]
    assert (q_not == Params().initial_quality).all()
    assert q_listen.mean() > q_not.mean() + 0.05
    assert r_listen.mean() > r_not.mean()
    d = (r_listen - r_not).to_numpy()
    assert d.mean() > 3 * d.std(ddof=1) / math.sqrt(d.size)


# ---------------------------------------------------------------------------
# known truth: the model's probabilities are its parameters
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixed_quality_history():
    params = Params(n_customers=2000, n_periods=40, action_capacity=0, initial_quality=0.4, problem_rate=0.5,
                    feedback_rate=0.35, acquisition=50.0)
    policy = Policy(name="r", recovery=0.65)
    return params, policy, simulate(params, policy, rng=2024, history=True).history


def test_problem_share_matches_problem_rate_times_quality_gap(fixed_quality_history):
    params, _, h = fixed_quality_history
    p = params.problem_rate * (1 - params.initial_quality)
    n = len(h)
    assert n > 50_000
    assert within_se(h["problem"].mean(), p, math.sqrt(p * (1 - p) / n))


def test_voiced_share_matches_feedback_rate(fixed_quality_history):
    params, _, h = fixed_quality_history
    x = h.loc[h["problem"], "voiced"]
    p = params.feedback_rate
    assert within_se(x.mean(), p, math.sqrt(p * (1 - p) / len(x)))


def test_recovered_share_matches_policy_recovery(fixed_quality_history):
    _, policy, h = fixed_quality_history
    x = h.loc[h["voiced"], "recovered"]
    p = policy.recovery
    assert within_se(x.mean(), p, math.sqrt(p * (1 - p) / len(x)))


@pytest.mark.parametrize("s, churn_at_5, slope", [(3.0, 0.04, 0.6), (5.0, 0.1, 1.0), (8.0, 0.3, 0.4)])
def test_churn_share_matches_logistic_with_pinned_satisfaction(s, churn_at_5, slope):
    params = Params(n_customers=2000, n_periods=30, initial_satisfaction=s, satisfaction_weight=0.0,
                    churn_at_5=churn_at_5, churn_slope=slope, acquisition=100.0)
    h = simulate(params, rng=7, history=True).history
    assert (h["satisfaction"] == s).all()  # pinned
    p = logistic(logit(churn_at_5) - slope * (s - 5))
    assert within_se(h["churned"].mean(), p, math.sqrt(p * (1 - p) / len(h)))


@pytest.mark.parametrize("churn_at_5, expected", [(0.0, 0.0), (1.0, 1.0)])
def test_churn_at_5_zero_or_one_is_nobody_or_everybody(churn_at_5, expected):
    res = simulate(Params(n_customers=500, n_periods=6, churn_at_5=churn_at_5, acquisition=20.0), rng=1)
    np.testing.assert_array_equal(res.periods["churned"], expected * start_active(res))


def test_new_customers_without_promoters_are_poisson_acquisition():
    params = Params(n_customers=50, n_periods=3000, initial_satisfaction=5.0, satisfaction_weight=0.0,
                    acquisition=12.5)
    per = simulate(params, rng=3).periods
    assert (per["nps"].dropna() == -100).all()  # no promoters: everyone is a detractor
    new = per["new"].to_numpy()
    assert within_se(new.mean(), 12.5, math.sqrt(12.5 / new.size))
    assert within_se(new.var(ddof=1), 12.5, 12.5 * math.sqrt(2 / new.size) * 1.5)  # Poisson: variance = mean


def test_new_customers_with_promoters_add_referrals_of_staying_promoters():
    r, acq = 0.1, 40.0
    params = Params(n_customers=1000, n_periods=400, initial_satisfaction=10.0, satisfaction_weight=0.0,
                    churn_at_5=0.2, churn_slope=0.1, referral_rate=r, acquisition=acq)
    res = simulate(params, rng=4)
    per = res.periods
    assert (per["nps"] == 100).all()  # everyone a promoter
    staying = start_active(res) - per["churned"].to_numpy()
    expected = acq + r * staying
    var = acq + r * (1 - r) * staying
    z = (per["new"].to_numpy() - expected).sum() / math.sqrt(var.sum())
    assert abs(z) < 4
    # and the referrals matter: far more new customers than marketing alone would bring
    assert per["new"].mean() > 2 * acq


# ---------------------------------------------------------------------------
# policies
# ---------------------------------------------------------------------------


class HalfCapacity(Policy):
    def to_act(self, ready, capacity):
        return min(ready, capacity // 2)


class RecoverSatisfied(Policy):
    def recovery_probability(self, satisfaction):
        return np.where(satisfaction >= 7.0, 1.0, 0.0)


def test_custom_to_act_is_honoured():
    params = Params(n_customers=2000, n_periods=20, action_capacity=31, action_delay=2)
    per = simulate(params, HalfCapacity("half"), rng=9).periods
    acted, received = per["feedback_acted"].to_numpy(), per["feedback_received"].to_numpy()
    assert acted.max() == 15  # never more than half the capacity, and reached
    cum = np.cumsum(received)
    for t in range(params.n_periods):
        ready = (cum[t - 2] if t >= 2 else 0) - acted[:t].sum()
        assert acted[t] == min(ready, 15)
    full = simulate(params, Policy("full"), rng=9).periods
    assert full["feedback_acted"].max() == 31


def test_custom_recovery_probability_is_honoured():
    params = Params(n_customers=2000, n_periods=12, problem_rate=0.6, feedback_rate=0.8)
    res = simulate(params, RecoverSatisfied("satisfied only"), rng=12, history=True)
    h = res.history.sort_values(["customer_id", "period"])
    # satisfaction before the period's experience: last period's, or initial for newcomers
    prev = h.groupby("customer_id")["satisfaction"].shift(1).fillna(params.initial_satisfaction)
    # (customers are present in consecutive periods until they churn, so shift(1) is last period)
    assert (h.groupby("customer_id")["period"].diff().dropna() == 1).all()
    expected = h["voiced"] & (prev >= 7.0)
    pd.testing.assert_series_equal(h["recovered"], expected, check_names=False)
    assert h["recovered"].any() and (h["voiced"] & ~h["recovered"]).any()


@pytest.mark.parametrize("bad", [-1, 10**9, 2.5, "3", None])
def test_policy_returning_invalid_item_count_raises_runtime_error(bad):
    class Broken(Policy):
        def to_act(self, ready, capacity):
            return bad

    with pytest.raises(RuntimeError) as err:
        simulate(Params(n_customers=500, n_periods=10, action_delay=0), Broken("broken one"), rng=1)
    msg = str(err.value)
    assert "policy 'broken one'" in msg and repr(bad) in msg and "action_capacity=50" in msg


def test_policy_to_act_share_and_capacity():
    assert Policy().to_act(ready=120, capacity=50) == 50
    assert Policy().to_act(ready=20, capacity=50) == 20
    assert Policy(act_share=0.5).to_act(ready=21, capacity=50) == 10
    assert Policy.not_listening().to_act(ready=120, capacity=50) == 0
    assert Policy.not_listening().recovery == 0.0
    assert Policy.listening(recovery=0.9) == Policy("listening", 1.0, 0.9)


@pytest.mark.parametrize("share, ready", [(0.29, 100), (0.57, 100), (0.7, 10), (0.35, 20)])
def test_policy_act_share_is_not_lost_to_floating_point(share, ready):
    # A firm willing to act on 29% of 100 ready items acts on 29, not 28.
    assert Policy(act_share=share).to_act(ready=ready, capacity=10**6) == round(share * ready)


# ---------------------------------------------------------------------------
# monte_carlo, compare, bands, breakeven_period
# ---------------------------------------------------------------------------

SMALL = Params(n_customers=400, n_periods=6)


def test_monte_carlo_is_tidy_and_runs_do_not_depend_on_their_number():
    five = monte_carlo(SMALL, n_runs=5, rng=21)
    eight = monte_carlo(SMALL, n_runs=8, rng=21)
    assert five.columns.tolist() == ["run", *PERIOD_COLUMNS, "policy", "retention"]
    assert len(five) == 5 * 6 and len(eight) == 8 * 6
    assert sorted(five["run"].unique()) == list(range(5))
    assert (five["policy"] == "listening").all()
    pd.testing.assert_frame_equal(five, eight[eight["run"] < 5].reset_index(drop=True))
    # each run is one simulate on its own spawned stream, its retention on every row
    streams = np.random.default_rng(21).spawn(5)
    for k in (0, 3):
        res = simulate(SMALL, rng=streams[k])
        run = five[five["run"] == k].reset_index(drop=True)
        pd.testing.assert_frame_equal(run[list(PERIOD_COLUMNS)], res.periods)
        assert (run["retention"] == res.cohort_retention).all()
    # the runs differ from each other
    assert not five.loc[five["run"] == 0, "active"].reset_index(drop=True).equals(
        five.loc[five["run"] == 1, "active"].reset_index(drop=True))


def test_compare_uses_common_random_numbers():
    a, b = Policy("a", 0.8, 0.5), Policy("b", 0.8, 0.5)
    out = compare(SMALL, [a, b], n_runs=4, rng=8)
    assert len(out) == 2 * 4 * 6
    ra = out[out["policy"] == "a"].drop(columns="policy").reset_index(drop=True)
    rb = out[out["policy"] == "b"].drop(columns="policy").reset_index(drop=True)
    pd.testing.assert_frame_equal(ra, rb)
    # the same streams as monte_carlo with the same seed
    mc = monte_carlo(SMALL, 4, a, rng=8)
    pd.testing.assert_frame_equal(out[out["policy"] == "a"].reset_index(drop=True), mc)
    # default policies: listening and not listening
    assert sorted(compare(SMALL, n_runs=2, rng=1)["policy"].unique()) == ["listening", "not listening"]
    # a Generator as rng: one seed drawn, reused for every policy
    out2 = compare(SMALL, [a, b], n_runs=3, rng=np.random.default_rng(0))
    pd.testing.assert_frame_equal(
        out2[out2["policy"] == "a"].drop(columns="policy").reset_index(drop=True),
        out2[out2["policy"] == "b"].drop(columns="policy").reset_index(drop=True),
    )


def _differences(runs: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    per_run = runs.groupby(["policy", "run"]).agg(profit=("profit", "sum"), retention=("retention", "first"))
    return per_run.loc[a] - per_run.loc[b]


def test_common_random_numbers_are_real():
    """Two policies run on the same seed face the same customers' luck: the variance of
    their difference is far below that of independently seeded runs (issue 11 measured
    a weekly-profit correlation of 0.19 by week 40 before draws were tied to customers)."""
    p = Params(n_customers=2000, n_periods=40, acquisition=24.0)
    listening, ignoring = Policy.listening(), Policy.not_listening()
    paired = _differences(compare(p, [listening, ignoring], n_runs=30, rng=3), "listening", "not listening")
    apart = _differences(pd.concat([monte_carlo(p, 30, listening, rng=3), monte_carlo(p, 30, ignoring, rng=4)]),
                         "listening", "not listening")
    ratio = paired.var(ddof=1) / apart.var(ddof=1)
    assert ratio["profit"] < 0.25 and ratio["retention"] < 0.5, ratio.to_dict()
    # the same customer has the same problem in the same week under both policies, while
    # she is there: in week 1 (nobody has left yet) the problems are identical
    a = simulate(p, listening, rng=9, history=True).history
    b = simulate(p, ignoring, rng=9, history=True).history
    week1 = [h[h["period"] == 1].set_index("customer_id")["problem"] for h in (a, b)]
    pd.testing.assert_series_equal(*week1)
    # later, problems depend on each firm's quality, but whether a customer with a
    # problem speaks up does not: among initial customers still there in week 20 with a
    # problem under both policies, the same ones speak up
    both = a[a["period"] == 20].merge(b[b["period"] == 20], on="customer_id", suffixes=("_a", "_b"))
    both = both[both["customer_id"] < p.n_customers]  # initial customers: their ids line up
    assert len(both) > 1000
    shared = both[both["problem_a"] & both["problem_b"]]
    assert (shared["voiced_a"] == shared["voiced_b"]).all() and len(shared) > 20


@pytest.fixture
def hand_runs():
    # two policies x three runs x two periods
    return pd.DataFrame({
        "policy": ["a"] * 6 + ["b"] * 6,
        "run": [0, 0, 1, 1, 2, 2] * 2,
        "period": [1, 2] * 6,
        "active": [10, 12, 14, 18, 30, 60, 1, 1, 2, 2, 3, 3],
        "profit": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.0, 0.0, 1.0, 1.0, 2.0, 5.0],
    })


def test_bands_against_hand_computation(hand_runs):
    b = bands(hand_runs, "active", level=0.5)
    assert b.columns.tolist() == ["policy", "period", "mean", "low", "high", "sem"]
    row = b[(b["policy"] == "a") & (b["period"] == 2)].iloc[0]
    x = np.array([12.0, 18.0, 60.0])
    assert row["mean"] == pytest.approx(30.0)
    assert row["sem"] == pytest.approx(x.std(ddof=1) / math.sqrt(3))
    assert row["low"] == pytest.approx(15.0)  # 25% quantile, linear: 12 + 0.5 * 6
    assert row["high"] == pytest.approx(39.0)  # 75% quantile: 18 + 0.5 * 42
    row = b[(b["policy"] == "b") & (b["period"] == 1)].iloc[0]
    assert (row["mean"], row["low"], row["high"], row["sem"]) == pytest.approx((2.0, 1.5, 2.5, 1 / math.sqrt(3)))
    # default level 0.9: quantiles 5% and 95%
    b9 = bands(hand_runs, "active")
    row = b9[(b9["policy"] == "a") & (b9["period"] == 2)].iloc[0]
    assert (row["low"], row["high"]) == pytest.approx(tuple(np.quantile(x, [0.05, 0.95])))


def test_bands_cum_profit_is_cumulative_within_each_run(hand_runs):
    b = bands(hand_runs, "cum_profit", level=0.5).set_index(["policy", "period"])
    # a: cumulative per run: [1, 3], [3, 7], [5, 11]
    assert b.loc[("a", 1), "mean"] == pytest.approx(3.0)
    assert b.loc[("a", 2), "mean"] == pytest.approx(7.0)
    # b: [0, 0], [1, 2], [2, 7]
    assert b.loc[("b", 2), "mean"] == pytest.approx(3.0)
    assert b.loc[("b", 2), "high"] == pytest.approx(4.5)
    assert "cum_profit" not in hand_runs.columns  # input untouched


def test_bands_without_policy_column_groups_by_period_only():
    mc = monte_carlo(SMALL, n_runs=3, rng=4).drop(columns="policy")
    b = bands(mc, "quality")
    assert b.columns.tolist() == ["period", "mean", "low", "high", "sem"]
    assert b["period"].tolist() == list(range(1, 7))


def test_breakeven_period_on_hand_built_frames(hand_runs):
    # cumulative means: a: 3, 7; b: 1, 3 -> a is ahead at once; b never
    assert breakeven_period(hand_runs, "a", "b") == 1
    assert breakeven_period(hand_runs, "b", "a") is None
    runs = pd.DataFrame({
        "policy": ["x"] * 8 + ["y"] * 8,
        "run": [0, 0, 0, 0, 1, 1, 1, 1] * 2,
        "period": [1, 2, 3, 4] * 4,
        # x: investment first, pays back later; y: steady
        "profit": [-10, -10, 30, 30, -20, 0, 10, 40, 5, 5, 5, 5, 5, 5, 5, 5],
    })
    # mean cumulative x: -15, -20, 0, 35; y: 5, 10, 15, 20 -> x ahead first at period 4
    assert breakeven_period(runs, "x", "y") == 4
    assert breakeven_period(runs, "y", "x") == 1
    # equal is not ahead
    assert breakeven_period(runs.assign(profit=1.0), "x", "y") is None


def test_breakeven_period_on_compare_output():
    runs = compare(Params(n_customers=500, n_periods=20), n_runs=3, rng=2)
    got = breakeven_period(runs, "listening", "not listening")
    b = bands(runs, "cum_profit").pivot(index="period", columns="policy", values="mean")
    ahead = b["listening"] > b["not listening"]
    assert got == (int(ahead.idxmax()) if ahead.any() else None)


# ---------------------------------------------------------------------------
# bad inputs: one clear line naming the argument, the value and what is valid
# ---------------------------------------------------------------------------


def test_zero_customers_is_a_clear_error():
    with pytest.raises(ValueError) as err:
        Params(n_customers=0)
    assert str(err.value) == "n_customers must be an integer between 1 and 50000000; got 0"


def _prob_cases():
    for name in PROB_FIELDS:
        for v in (-0.1, 1.5):
            yield pytest.param(lambda name=name, v=v: Params(**{name: v}), ValueError,
                               f"{name} must be a probability between 0 and 1; got {v!r}", id=f"{name}={v}")


BAD = [
    pytest.param(lambda: Params(action_capacity=-1), ValueError,
                 "action_capacity must be an integer between 0 and 10000000; got -1", id="negative capacity"),
    pytest.param(lambda: Params(action_delay=-2), ValueError,
                 "action_delay must be an integer between 0 and 520; got -2", id="negative delay"),
    pytest.param(lambda: Params(n_periods=0), ValueError,
                 "n_periods must be an integer between 1 and 10000; got 0", id="zero periods"),
    *_prob_cases(),
    pytest.param(lambda: Params(n_customers="100"), TypeError,
                 "n_customers must be an integer between 1 and 50000000; got '100' (str)", id="str for int"),
    pytest.param(lambda: Params(n_periods=2.5), TypeError,
                 "n_periods must be an integer between 1 and 10000; got 2.5 (float)", id="float for int"),
    pytest.param(lambda: Params(action_capacity=True), TypeError,
                 "action_capacity must be an integer between 0 and 10000000; got True (bool)", id="bool for int"),
    pytest.param(lambda: Params(feedback_rate=True), TypeError,
                 "feedback_rate must be a probability between 0 and 1; got True (bool)", id="bool for prob"),
    pytest.param(lambda: Params(price="10"), TypeError,
                 "price must be a finite number >= 0.0 and <= 1000000.0; got '10' (str)", id="str for real"),
    pytest.param(lambda: Params(feedback_rate=float("nan")), ValueError,
                 "feedback_rate must be a probability between 0 and 1; got nan", id="nan prob"),
    pytest.param(lambda: Params(price=float("nan")), ValueError,
                 "price must be a finite number >= 0.0 and <= 1000000.0; got nan", id="nan real"),
    pytest.param(lambda: Params(acquisition=float("inf")), ValueError,
                 "acquisition must be a finite number >= 0.0 and <= 10000000.0; got inf", id="inf real"),
    pytest.param(lambda: Params(n_customers=float("nan")), TypeError,
                 "n_customers must be an integer between 1 and 50000000; got nan (float)", id="nan int"),
    pytest.param(lambda: Params(initial_satisfaction=11), ValueError,
                 "initial_satisfaction must be a finite number >= 0.0 and <= 10.0; got 11.0", id="satisfaction > 10"),
    pytest.param(lambda: Params(churn_slope=-0.5), ValueError,
                 "churn_slope must be a finite number >= 0.0 and <= 10.0; got -0.5", id="negative slope"),
    pytest.param(lambda: Params().replace(n_custmers=10), TypeError,
                 "Params has no field 'n_custmers'; fields are " + ", ".join(FIELDS)
                 + "; did you mean 'n_customers'?", id="unknown field"),
    pytest.param(lambda: Params().replace(action_capacity=-5), ValueError,
                 "action_capacity must be an integer between 0 and 10000000; got -5", id="replace validates"),
    pytest.param(lambda: Policy(recovery=1.5), ValueError,
                 "recovery must be a probability between 0 and 1; got 1.5", id="policy recovery"),
    pytest.param(lambda: Policy(act_share=-0.2), ValueError,
                 "act_share must be a probability between 0 and 1; got -0.2", id="policy act_share"),
    pytest.param(lambda: Policy(recovery="high"), TypeError,
                 "recovery must be a probability between 0 and 1; got 'high' (str)", id="policy recovery str"),
    pytest.param(lambda: Policy(name=""), TypeError,
                 "name must be a non-empty string; got '' (str)", id="policy empty name"),
    pytest.param(lambda: simulate(params="x"), TypeError,
                 "params must be a cxlib.feedback.Params; got 'x' (str)", id="simulate params"),
    pytest.param(lambda: simulate(policy=3), TypeError,
                 "policy must be a cxlib.feedback.Policy; got 3 (int)", id="simulate policy"),
    pytest.param(lambda: simulate(SMALL, history="yes"), TypeError,
                 "history must be True or False; got 'yes' (str)", id="simulate history"),
    pytest.param(lambda: simulate(SMALL, rng=-1), ValueError,
                 "rng must be None, a non-negative integer seed or a numpy.random.Generator; got -1", id="rng"),
    pytest.param(lambda: monte_carlo(SMALL, n_runs=0), ValueError,
                 "n_runs must be an integer between 1 and 100000; got 0", id="n_runs 0"),
    pytest.param(lambda: monte_carlo(SMALL, policy="listening"), TypeError,
                 "policy must be a cxlib.feedback.Policy; got 'listening' (str)", id="monte_carlo policy"),
    pytest.param(lambda: compare(SMALL, [Policy("a"), Policy("a")], n_runs=1), ValueError,
                 "policies must be a non-empty list of Policy objects with different names; got names ['a', 'a']",
                 id="compare duplicate names"),
    pytest.param(lambda: compare(SMALL, [], n_runs=1), ValueError,
                 "policies must be a non-empty list of Policy objects with different names; got names []",
                 id="compare empty"),
]


@pytest.mark.parametrize("call, exc, message", BAD)
def test_bad_inputs_raise_one_clear_line(call, exc, message):
    with pytest.raises(exc) as err:
        call()
    assert str(err.value) == message
    assert "\n" not in str(err.value)


def test_bands_and_breakeven_bad_names(hand_runs):
    with pytest.raises(ValueError) as err:
        bands(hand_runs, "nope")
    msg = str(err.value)
    assert msg.startswith("column 'nope' is not known; valid choices are 'active', 'new'")
    assert "'cum_profit'" in msg and "\n" not in msg
    with pytest.raises(ValueError) as err:
        bands(hand_runs, "activ")
    assert str(err.value).endswith("; did you mean 'active'?")
    with pytest.raises(ValueError) as err:
        bands(hand_runs, "active", level=1.0)
    assert str(err.value) == "level must be a finite number > 0 and < 1; got 1.0"
    with pytest.raises(ValueError) as err:
        breakeven_period(hand_runs, "listening", "a")
    assert str(err.value) == "policy 'listening' is not known; valid choices are 'a', 'b'"
    with pytest.raises(ValueError) as err:
        breakeven_period(hand_runs, "a", "c")
    assert str(err.value) == "baseline 'c' is not known; valid choices are 'a', 'b'"


# ---------------------------------------------------------------------------
# documentation generated from the fields
# ---------------------------------------------------------------------------


def test_describe_lists_every_field():
    d = Params.describe()
    assert d.index.tolist() == list(FIELDS)
    assert d.columns.tolist() == ["unit", "default", "min", "max", "meaning"]
    defaults = Params()
    for name, f in FIELDS.items():
        row = d.loc[name]
        assert row["default"] == f.default == getattr(defaults, name)
        assert (row["min"], row["max"]) == f.metadata["range"]
        assert row["min"] <= row["default"] <= row["max"]
        assert isinstance(row["unit"], str) and row["unit"].strip()
        assert isinstance(row["meaning"], str) and len(row["meaning"]) > 10


def test_params_docstring_documents_every_field():
    doc = Params.__doc__
    assert "Parameters\n    ----------" in doc and doc.index("Parameters") < doc.index("Examples")
    for name, f in FIELDS.items():
        lo, hi = f.metadata["range"]
        kind = f.metadata["kind"] if f.metadata["kind"] in ("int", "bool") else "float"
        assert f"    {name} : {kind}, default {f.default!r}\n" in doc, name
        entry = doc.split(f"    {name} : ", 1)[1].split("\n")[1]
        if kind == "bool":  # a switch: no unit, no range
            assert "True" in entry or "False" in entry, name
            continue
        assert f.metadata["unit"] in entry, name
        def num(x):  # large whole numbers with thousands separators, as in the error messages' spirit
            return f"{int(x):,}" if float(x).is_integer() and abs(x) >= 1000 else f"{x:g}"

        assert f"from {num(lo)} to {num(hi)}." in entry, name
