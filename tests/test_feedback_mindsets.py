"""Lesson 04 in cxlib.feedback: mindsets as policies, generosity, CLV, comparisons on
common random numbers.

Each named policy is checked against its own docstring (the levers it says it sets);
the engine's identities (tests/test_feedback.py: check_identities) under every named
policy; the new equations (kinds of problem, severity, generosity, the service recovery
paradox, the backlog's priority rule) against a reconstruction from the history; the
variance reduction of common random numbers is measured; the break-even generosity
against a closed form and a direct grid search; every bad lever by its message.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_feedback import check_identities, params_strategy, seeds, start_active, within_se

from cxlib import clv
from cxlib.feedback import (
    KINDS,
    READINGS,
    RUN_METRICS,
    Params,
    Policy,
    breakeven_generosity,
    compare,
    generosity_curve,
    mindsets,
    monte_carlo,
    policy_clv,
    policy_summary,
    run_totals,
    simulate,
)

NAMED = {
    "fixed": Policy.fixed,
    "organisational": Policy.organisational,
    "compliance": Policy.compliance,
    "technical": Policy.technical,
    "customer centric": Policy.customer_centric,
    "lose every fight": Policy.lose_every_fight,
}
LEVERS = ("act_share", "recovery", "capacity_share", "priority", "act_on", "extra_delay", "generosity")
#: A business whose problems come in three kinds (lesson 04), small enough for tests.
MIXED = Params(n_customers=1500, n_periods=30, share_revenue=0.25, share_technical=0.3, acquisition=18.0,
               action_capacity=15, action_delay=2)


# ---------------------------------------------------------------------------
# named policies: the levers their docstrings name, the sentences they quote
# ---------------------------------------------------------------------------


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", NAMED)
def test_named_policy_sets_the_levers_its_docstring_names(name):
    make = NAMED[name]
    policy = make()
    assert policy.name == name and type(policy) is Policy
    doc = _squash(make.__doc__)
    assert _squash(READINGS[name]) in doc  # the sentence it encodes, quoted
    documented = {m.group(1): eval(m.group(2)) for m in re.finditer(r"``(\w+)=([^`]+)``", doc)
                  if m.group(1) in LEVERS}
    for lever, value in documented.items():
        got = getattr(policy, lever)
        assert got == (tuple(value) if isinstance(value, tuple) else value), (lever, got, value)
    default = Policy()
    changed = {lever for lever in LEVERS if getattr(policy, lever) != getattr(default, lever)}
    assert changed <= set(documented), f"{name}: levers set but not documented: {changed - set(documented)}"


def test_named_policies_differ_and_the_table_is_read_from_them():
    table = mindsets()
    assert table.index.tolist() == list(NAMED)
    levers = {name: tuple(getattr(make(), lever) for lever in LEVERS) for name, make in NAMED.items()}
    assert len(set(levers.values())) == len(NAMED)  # six different policies
    for name, make in NAMED.items():
        policy = make()
        for lever in LEVERS:
            expected = ", ".join(policy.act_on) if lever == "act_on" else getattr(policy, lever)
            assert table.loc[name, lever] == expected, (name, lever)
        assert table.loc[name, "reading"] == READINGS[name]
    # the values the lesson's table and the report quote
    assert (Policy.fixed().capacity_share, Policy.fixed().recovery) == (0.2, 0.3)
    assert Policy.organisational().priority == "revenue" and Policy.technical().priority == "technical"
    assert Policy.compliance().act_on == ("revenue", "technical") and Policy.compliance().extra_delay == 4
    assert Policy.compliance(kpi=("pain",)).act_on == ("pain",)
    centric = Policy.customer_centric()
    assert (centric.priority, centric.recovery, centric.generosity) == ("pain", 0.9, 0.25)
    fight = Policy.lose_every_fight()
    assert (fight.recovery, fight.generosity, fight.priority) == (1.0, 1.0, "pain")


def test_lesson_03_policies_keep_their_levers():
    assert Policy() == Policy("listening", 1.0, 0.7, 1.0, "oldest", KINDS, 0, 0.0)
    assert Policy.listening() == Policy() and Policy.listening(0.9).recovery == 0.9
    ignoring = Policy.not_listening()
    assert (ignoring.act_share, ignoring.recovery, ignoring.generosity) == (0.0, 0.0, 0.0)
    assert Params().share_revenue == Params().share_technical == 0.0 and Params().recovery_paradox is True


def test_replace_keeps_the_rest_and_validates():
    centric = Policy.customer_centric()
    generous = centric.replace(generosity=0.8)
    assert generous.generosity == 0.8 and generous.name == centric.name and generous.priority == "pain"
    with pytest.raises(ValueError, match="generosity must be a probability between 0 and 1; got 2"):
        centric.replace(generosity=2)


# ---------------------------------------------------------------------------
# identities under every named policy (random parameters, as in test_feedback.py)
# ---------------------------------------------------------------------------


@settings(max_examples=36, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params_strategy(), st.sampled_from(list(NAMED)), seeds)
def test_engine_identities_hold_under_every_named_policy(params, name, seed):
    check_identities(simulate(params, NAMED[name](), rng=seed))


@pytest.mark.parametrize("name", NAMED)
def test_engine_identities_in_the_mixed_business(name):
    res = simulate(MIXED, NAMED[name](), rng=5)
    check_identities(res)
    assert res.by_kind["problems"].groupby(res.by_kind["kind"], observed=True).sum().gt(0).all()


# ---------------------------------------------------------------------------
# the new equations against the history
# ---------------------------------------------------------------------------


def _previous_satisfaction(h: pd.DataFrame, initial: float) -> pd.Series:
    h = h.sort_values(["customer_id", "period"])
    assert (h.groupby("customer_id")["period"].diff().dropna() == 1).all()  # present until they leave
    return h.groupby("customer_id")["satisfaction"].shift(1).fillna(initial).reindex(h.index)


@pytest.mark.parametrize("paradox", [True, False])
def test_satisfaction_follows_severity_generosity_and_the_paradox(paradox):
    params = MIXED.replace(initial_quality=0.3, recovery_paradox=paradox, problem_rate=0.6, feedback_rate=0.7,
                           satisfaction_recovered=6.5, satisfaction_compensated=9.5, n_periods=12)
    policy = Policy("generous", recovery=0.6, generosity=0.6, priority="pain")
    res = simulate(params, policy, rng=8, history=True)
    h = res.history.copy()
    h["prev"] = _previous_satisfaction(h, params.initial_satisfaction)
    e_ok = 6.0 + 4.0 * res.periods.set_index("period")["quality"].reindex(h["period"]).to_numpy()
    e_rec = params.satisfaction_recovered + 0.6 * (params.satisfaction_compensated - params.satisfaction_recovered)
    e_rec = np.minimum(e_rec, e_ok) if not paradox else np.full(len(h), e_rec)
    e = np.select([h["recovered"], h["voiced"], h["problem"]],
                  [e_rec, params.satisfaction_unresolved, params.satisfaction_silent], e_ok)
    severity = h["kind"].map({"pain": 1.0, "revenue": params.severity_revenue,
                              "technical": params.severity_technical}).astype(float).fillna(1.0).to_numpy()
    e = e_ok + severity * (e - e_ok)
    w = params.satisfaction_weight
    np.testing.assert_allclose(h["satisfaction"], (1 - w) * h["prev"] + w * e, rtol=1e-12, atol=1e-12)
    recovered = h["recovered"].to_numpy()
    assert recovered.sum() > 500
    capped = e_rec[recovered] < 6.5 + 0.6 * 3.0
    assert capped.any() == (not paradox)  # the cap binds when quality is low and the paradox is off


def test_problem_kinds_come_in_their_shares_when_quality_is_fixed():
    params = MIXED.replace(action_capacity=0, n_periods=20, problem_rate=0.5)
    h = simulate(params, rng=3, history=True).history
    kinds = h.loc[h["problem"], "kind"]
    n = len(kinds)
    assert n > 5000
    for kind, share in zip(KINDS, params.kind_shares):
        assert within_se((kinds == kind).mean(), share, math.sqrt(share * (1 - share) / n)), kind


def test_problems_in_a_kind_thin_out_where_the_firm_acts():
    # only technical items are acted on: technical quality rises, the others stay
    res = simulate(MIXED.replace(improvement=0.01), Policy("tech only", act_on=("technical",)), rng=2)
    q = res.by_kind.pivot(index="period", columns="kind", values="quality")
    assert q["technical"].iloc[-1] > q["technical"].iloc[0] + 0.2
    assert (q["pain"] == MIXED.initial_quality).all() and (q["revenue"] == MIXED.initial_quality).all()


@pytest.mark.parametrize("priority, act_on", [("oldest", KINDS), ("pain", KINDS), ("technical", ("pain", "technical")),
                                              ("oldest", ("revenue", "technical"))])
def test_backlog_takes_the_priority_kind_first_then_the_oldest(priority, act_on):
    """Rebuild the queue of feedback items from the history (receipt order: period, then
    the customers' order) and apply the rule by hand: the kinds acted on must match."""
    params = MIXED.replace(n_periods=14, action_capacity=25)
    policy = Policy("p", priority=priority, act_on=act_on, extra_delay=1)
    res = simulate(params, policy, rng=4, history=True)
    h = res.history
    items = h.loc[h["voiced"], ["period", "kind"]].reset_index(drop=True)  # history rows are in receipt order
    acted = np.zeros(len(items), dtype=bool)
    delay = params.action_delay + policy.extra_delay
    expected = []
    for t, n_act in enumerate(res.periods["feedback_acted"], start=1):
        ready = ~acted & (items["period"].to_numpy() <= t - delay) & items["kind"].isin(act_on).to_numpy()
        order = np.flatnonzero(ready)  # oldest first
        if priority != "oldest":
            first = items["kind"].to_numpy()[order] == priority
            order = np.concatenate([order[first], order[~first]])
        acted[order[:n_act]] = True
        expected.append(items.loc[order[:n_act], "kind"].value_counts().reindex(KINDS, fill_value=0).to_numpy())
    got = res.by_kind.pivot(index="period", columns="kind", values="acted")[list(KINDS)].to_numpy()
    np.testing.assert_array_equal(got, np.array(expected))
    assert res.periods["feedback_acted"].sum() > 100


def test_capacity_share_limits_what_is_ever_acted_on_and_act_share_only_delays():
    params = MIXED.replace(n_periods=30)
    full = simulate(params, Policy("full"), rng=1).periods["feedback_acted"]
    fifth = simulate(params, Policy("fifth", capacity_share=0.2), rng=1).periods["feedback_acted"]
    assert fifth.max() == 3 and full.max() == 15  # floor(0.2 * 15)
    assert Policy(capacity_share=0.5).to_act(ready=100, capacity=15) == 7
    assert Policy(capacity_share=0.5, act_share=0.1).to_act(ready=30, capacity=15) == 3


def test_revenue_problems_cost_their_payment():
    params = MIXED.replace(share_revenue=1.0, share_technical=0.0, problem_rate=0.5, n_periods=5)
    res = simulate(params, Policy.not_listening(), rng=6, history=True)
    h = res.history
    unpaid = h.groupby("period")["problem"].sum().to_numpy()
    np.testing.assert_allclose(res.periods["revenue"], params.price * (start_active(res) - unpaid))


# ---------------------------------------------------------------------------
# generosity: its cost, its effect, the paradox switch
# ---------------------------------------------------------------------------


def test_generosity_costs_its_claim_share_and_raises_satisfaction_on_common_random_numbers():
    params = MIXED.replace(n_periods=20, referral_rate=0.0)
    curve = generosity_curve(params, Policy.customer_centric(), levels=[0.0, 0.5, 1.0], n_runs=4, rng=2)
    assert curve["generosity"].tolist() == [0.0, 0.5, 1.0]
    np.testing.assert_allclose(curve["compensation_per_problem"], [0.0, 0.5 * params.claim, params.claim])
    assert curve["compensation_paid"].iloc[0] == 0 and (np.diff(curve["compensation_paid"]) > 0).all()
    sat = curve["final_satisfaction_diff"].to_numpy()
    assert sat[0] == 0 and 0 < sat[1] < sat[2]
    # without referral the cost of compensation dominates: generosity does not pay here
    assert (np.diff(curve["profit"]) < 0).all()
    runs = monte_carlo(params, 2, Policy.customer_centric(generosity=0.5), rng=2)
    np.testing.assert_allclose(runs["compensation"], 0.5 * params.claim * runs["recovered"])


def test_without_the_paradox_generosity_buys_less_satisfaction():
    base = MIXED.replace(initial_quality=0.2, n_periods=15, satisfaction_recovered=6.0, problem_rate=0.6)
    gains = {}
    for paradox in (True, False):
        c = generosity_curve(base.replace(recovery_paradox=paradox), Policy.lose_every_fight(), levels=[1.0],
                             n_runs=3, rng=1)
        gains[paradox] = c["final_satisfaction_diff"].iloc[0]
    assert gains[True] > gains[False] > 0


# ---------------------------------------------------------------------------
# comparisons on common random numbers, with Monte Carlo standard errors
# ---------------------------------------------------------------------------


def test_common_random_numbers_cut_the_variance_of_a_policy_difference():
    """Measured: the variance of the customer-centric minus organisational profit
    difference on common random numbers against independent runs."""
    centric, organisational = Policy.customer_centric(), Policy.organisational()
    n = 30
    paired = run_totals(compare(MIXED, [centric, organisational], n_runs=n, rng=11))
    apart = run_totals(pd.concat([monte_carlo(MIXED, n, centric, rng=11),
                                  monte_carlo(MIXED, n, organisational, rng=12)]))
    ratios = {}
    for m in ("profit", "clv", "retention"):
        d_paired = paired.loc["customer centric", m] - paired.loc["organisational", m]
        d_apart = apart.loc["customer centric", m].to_numpy() - apart.loc["organisational", m].to_numpy()
        ratios[m] = d_paired.var(ddof=1) / d_apart.var(ddof=1)
    print("CRN variance ratios (paired / independent):", {k: round(v, 4) for k, v in ratios.items()})
    assert ratios["profit"] < 0.1 and ratios["clv"] < 0.25 and ratios["retention"] < 0.5, ratios
    # policy_summary reports the same: paired standard errors far below independent ones
    table = policy_summary(compare(MIXED, [organisational, centric], n_runs=n, rng=11)).set_index(["policy", "metric"])
    row = table.loc[("customer centric", "profit")]
    assert row["diff_se"] < 0.5 * row["diff_se_independent"]


def test_policy_summary_against_hand_computation():
    runs = compare(MIXED.replace(n_periods=10), [Policy.technical(), Policy.fixed(), Policy.compliance()], n_runs=4,
                   rng=7)
    table = policy_summary(runs, baseline="fixed", metrics=("profit", "final_quality"))
    assert table.columns.tolist() == ["policy", "metric", "mean", "se", "diff", "diff_se", "diff_se_independent",
                                      "n_runs"]
    assert table["policy"].tolist() == ["technical"] * 2 + ["fixed"] * 2 + ["compliance"] * 2
    per_run = runs.groupby(["policy", "run"]).agg(profit=("profit", "sum"), final_quality=("quality", "last"))
    for pol in ("technical", "compliance"):
        for m in ("profit", "final_quality"):
            row = table[(table["policy"] == pol) & (table["metric"] == m)].iloc[0]
            x, b = per_run.loc[pol, m], per_run.loc["fixed", m]
            d = x - b
            assert row["mean"] == pytest.approx(x.mean()) and row["se"] == pytest.approx(x.std(ddof=1) / 2)
            assert row["diff"] == pytest.approx(d.mean())
            assert row["diff_se"] == pytest.approx(d.std(ddof=1) / 2, abs=1e-9)
            assert row["diff_se_independent"] == pytest.approx(math.hypot(x.sem(), b.sem()))
            assert row["n_runs"] == 4
    base = table[table["policy"] == "fixed"]
    assert (base["diff"] == 0).all() and (base["diff_se"] == 0).all()
    # default baseline: the first policy run
    assert (policy_summary(runs).query("policy == 'technical'")["diff"] == 0).all()


def test_run_totals_columns_and_values():
    runs = compare(MIXED.replace(n_periods=8), [Policy.customer_centric(), Policy.fixed()], n_runs=3, rng=9)
    totals = run_totals(runs)
    assert totals.columns.tolist() == list(RUN_METRICS)
    assert totals.index.get_level_values("policy").unique().tolist() == ["customer centric", "fixed"]
    one = runs[(runs["policy"] == "fixed") & (runs["run"] == 1)]
    row = totals.loc[("fixed", 1)]
    assert row["profit"] == pytest.approx(one["profit"].sum())
    assert row["compensation"] == 0 and totals.loc[("customer centric", 1), "compensation"] > 0
    assert row["final_customers"] == one["active"].iloc[-1] and row["retention"] == one["retention"].iloc[0]
    assert row["mean_nps"] == pytest.approx(one["nps"].mean())


# ---------------------------------------------------------------------------
# CLV per policy through cxlib.clv
# ---------------------------------------------------------------------------


def test_policy_clv_is_the_margin_multiple_of_the_simulated_retention():
    runs = compare(MIXED.replace(n_periods=15), [Policy.customer_centric(), Policy.organisational()], n_runs=3, rng=4)
    out = policy_clv(runs, discount=0.003)
    for (pol, run), row in out.iterrows():
        one = runs[(runs["policy"] == pol) & (runs["run"] == run)]
        start = one["active"] - one["new"] + one["churned"]
        r = 1 - one["churned"].sum() / start.sum()
        margin = one["profit"].sum() / start.sum()
        assert row["retention_per_period"] == pytest.approx(r)
        assert row["margin"] == pytest.approx(margin)
        assert row["margin_multiple"] == pytest.approx(clv.margin_multiple(r, 0.003))
        assert row["clv"] == pytest.approx(margin * clv.margin_multiple(r, 0.003))
    fixed_margin = policy_clv(runs, margin=10.0, paid="start")
    assert (fixed_margin["margin"] == 10.0).all()
    np.testing.assert_allclose(fixed_margin["clv"], 10.0 * clv.margin_multiple(
        fixed_margin["retention_per_period"].to_numpy(), 0.002, paid="start"))
    # nobody leaves: retention 1 is valued at its limit, 1 / discount margins
    still = policy_clv(monte_carlo(MIXED.replace(churn_at_5=0.0, n_periods=4), 2, rng=1), margin=1.0)
    np.testing.assert_allclose(still["clv"], 1 / 0.002, rtol=1e-9)


# ---------------------------------------------------------------------------
# break-even generosity
# ---------------------------------------------------------------------------


def test_breakeven_generosity_matches_its_closed_form():
    """With satisfaction that never moves, generosity changes nothing but cost, so the
    profit gap to a baseline that resolves more is linear in generosity:
    D(g) = cost_per_recovery (R_base - R) - g claim R, with root
    g* = cost_per_recovery (R_base - R) / (claim R) (R: resolved problems, means over runs)."""
    params = MIXED.replace(satisfaction_weight=0.0, n_periods=12, claim=20.0)
    policy = Policy("stingy", recovery=0.6, priority="pain")
    baseline = policy.replace(recovery=0.8, name="resolves more")
    R = run_totals(monte_carlo(params, 5, policy, rng=3))["recovered"].mean()
    R_base = run_totals(monte_carlo(params, 5, baseline, rng=3))["recovered"].mean()
    root = params.cost_per_recovery * (R_base - R) / (params.claim * R)
    assert 0.1 < root < 0.9
    got = breakeven_generosity(params, policy, baseline=baseline, n_runs=5, rng=3, tol=0.001)
    assert abs(got - root) <= 0.001


def _first_sign_change(levels: np.ndarray, gap: np.ndarray) -> tuple[float, float] | None:
    """The first pair of grid levels between which the gap changes sign (zeros skipped)."""
    keep = np.flatnonzero(np.sign(gap))
    change = np.flatnonzero(np.diff(np.sign(gap[keep])))
    return None if not change.size else (levels[keep[change[0]]], levels[keep[change[0] + 1]])


def test_breakeven_generosity_agrees_with_a_direct_grid_search():
    # resolving fewer complaints saves recovery costs, which pay for some compensation;
    # satisfaction moves, so the gap is the model's, not a straight line
    params = Params(n_customers=800, n_periods=30)
    kw = {"policy": Policy.customer_centric(recovery=0.7),
          "baseline": Policy.customer_centric(generosity=0.0, recovery=0.9), "n_runs": 4, "rng": 21}
    grid = generosity_curve(params, levels=np.linspace(0, 1, 34), **kw)
    levels = grid["generosity"].to_numpy()
    found = {}
    for metric in ("profit", "clv"):
        got = found[metric] = breakeven_generosity(params, metric=metric, tol=0.002, **kw)
        bracket = _first_sign_change(levels, grid[f"{metric}_diff"].to_numpy())
        if bracket is None:
            assert got is None, metric
        else:
            assert got is not None and bracket[0] - 0.002 <= got <= bracket[1] + 0.002, (metric, got, bracket)
    gap = grid["profit_diff"].to_numpy()
    assert gap[0] > 0 > gap[-1] and 0.05 < found["profit"] < 0.5


def test_generosity_can_pay_where_customers_refer():
    """With a low claim and talkative promoters, paying claims in full earns more than
    paying nothing: "you can afford to be generous" holds in parts of the model."""
    params = Params(n_customers=1000, n_periods=52, claim=5.0, referral_rate=0.03)
    curve = generosity_curve(params, levels=[0.0, 1.0], n_runs=4, rng=21)
    last = curve.iloc[-1]
    assert last["profit_diff"] > 3 * last["profit_diff_se"]


def test_breakeven_generosity_is_none_without_a_crossing():
    params = MIXED.replace(n_periods=10, referral_rate=0.0)
    assert breakeven_generosity(params, n_runs=2, rng=1, n_grid=3) is None  # never pays
    assert breakeven_generosity(params, Policy("never resolves", recovery=0.0), n_runs=2, rng=1, n_grid=3) is None


# ---------------------------------------------------------------------------
# bad inputs: one clear line naming the argument, the value and what is valid
# ---------------------------------------------------------------------------

RUNS = compare(Params(n_customers=300, n_periods=4), n_runs=2, rng=1)

BAD = [
    pytest.param(lambda: Policy(priority="rev"), ValueError,
                 "priority 'rev' is not known; valid choices are 'oldest', 'pain', 'revenue', 'technical'; "
                 "did you mean 'revenue'?", id="priority"),
    pytest.param(lambda: Policy(act_on=("pain", "fun")), ValueError,
                 "act_on 'fun' is not known; valid choices are 'pain', 'revenue', 'technical'", id="act_on kind"),
    pytest.param(lambda: Policy(act_on=5), TypeError,
                 "act_on must be a tuple of kinds from ('pain', 'revenue', 'technical'); got 5 (int)",
                 id="act_on type"),
    pytest.param(lambda: Policy(priority="pain", act_on=("revenue",)), ValueError,
                 "priority 'pain' is not among the kinds the policy acts on; act_on is ('revenue',)",
                 id="priority outside act_on"),
    pytest.param(lambda: Policy(extra_delay=-1), ValueError,
                 "extra_delay must be an integer between 0 and 520; got -1", id="extra_delay"),
    pytest.param(lambda: Policy(extra_delay=1.5), TypeError,
                 "extra_delay must be an integer between 0 and 520; got 1.5 (float)", id="extra_delay float"),
    pytest.param(lambda: Policy(generosity=1.5), ValueError,
                 "generosity must be a probability between 0 and 1; got 1.5", id="generosity"),
    pytest.param(lambda: Policy(generosity="lots"), TypeError,
                 "generosity must be a probability between 0 and 1; got 'lots' (str)", id="generosity str"),
    pytest.param(lambda: Policy(capacity_share=-0.1), ValueError,
                 "capacity_share must be a probability between 0 and 1; got -0.1", id="capacity_share"),
    pytest.param(lambda: Policy().replace(generosty=1), TypeError,
                 "Policy has no lever 'generosty'; levers are name, act_share, recovery, capacity_share, priority, "
                 "act_on, extra_delay, generosity; did you mean 'generosity'?", id="replace unknown"),
    pytest.param(lambda: Params(share_revenue=0.7, share_technical=0.5), ValueError,
                 "share_revenue + share_technical must be at most 1 (the rest of the problems are about customer "
                 "pain); got 0.7 + 0.5 = 1.2", id="shares"),
    pytest.param(lambda: Params(recovery_paradox="yes"), TypeError,
                 "recovery_paradox must be True or False; got 'yes' (str)", id="paradox"),
    pytest.param(lambda: Params(claim=-1), ValueError,
                 "claim must be a finite number >= 0.0 and <= 1000000.0; got -1.0", id="claim"),
    pytest.param(lambda: Params(severity_technical=1.2), ValueError,
                 "severity_technical must be a probability between 0 and 1; got 1.2", id="severity"),
    pytest.param(lambda: policy_summary(RUNS, metrics=("profits",)), ValueError,
                 f"metrics 'profits' is not known; valid choices are {', '.join(map(repr, RUN_METRICS))}; "
                 "did you mean 'profit'?", id="summary metric"),
    pytest.param(lambda: policy_summary(RUNS, baseline="centric"), ValueError,
                 "baseline 'centric' is not known; valid choices are 'listening', 'not listening'",
                 id="summary baseline"),
    pytest.param(lambda: policy_summary(RUNS[~((RUNS["policy"] == "listening") & (RUNS["run"] == 1))]), ValueError,
                 "policy 'not listening' and baseline 'listening' have different runs; paired differences need the "
                 "same runs for every policy (use compare)", id="summary unpaired"),
    pytest.param(lambda: run_totals(RUNS[["run", "period", "active"]]), ValueError,
                 "runs lacks the column(s) 'new', 'churned', 'quality', 'mean_satisfaction', 'nps', 'revenue', 'cost', "
                 "'profit', 'recovered', 'compensation', 'retention'; it has: 'run', 'period', 'active'",
                 id="runs missing columns"),
    pytest.param(lambda: run_totals("runs"), TypeError,
                 "runs must be a pandas DataFrame from monte_carlo or compare; got str", id="runs type"),
    pytest.param(lambda: policy_clv(RUNS, discount=0.0), ValueError,
                 "discount must be a finite number > 0 and <= 1; got 0.0", id="clv discount"),
    pytest.param(lambda: generosity_curve(levels=[0.0, 1.5]), ValueError,
                 "levels must be a generosity between 0 and 1; got 1.5 at position 1", id="levels"),
    pytest.param(lambda: generosity_curve(levels=[]), ValueError,
                 "levels must be a non-empty list of generosity levels; got shape (0,)", id="levels empty"),
    pytest.param(lambda: breakeven_generosity(metric="revenue"), ValueError,
                 "metric 'revenue' is not known; valid choices are 'profit', 'clv'", id="breakeven metric"),
    pytest.param(lambda: breakeven_generosity(n_grid=2), ValueError,
                 "n_grid must be an integer between 3 and 1001; got 2", id="breakeven grid"),
    pytest.param(lambda: breakeven_generosity(n_runs=1), ValueError,
                 "n_runs must be an integer between 2 and 100000; got 1", id="breakeven runs"),
    pytest.param(lambda: breakeven_generosity(policy="centric"), TypeError,
                 "policy must be a cxlib.feedback.Policy; got 'centric' (str)", id="breakeven policy"),
]


@pytest.mark.parametrize("call, exc, message", BAD)
def test_bad_levers_and_arguments_raise_one_clear_line(call, exc, message):
    with pytest.raises(exc) as err:
        call()
    assert str(err.value) == message
    assert "\n" not in str(err.value)
