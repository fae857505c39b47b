"""cxlib.offers (lesson 07): A/B/n tests, sample sizes, effects by segment, the traps, bandits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize

from cxlib import data, offers

TIP = {"Joke": (30, 72), "Ad": (14, 74), "None": (16, 65)}  # Gueguen (2002), via Stat2Data::TipJoke


# ---------------------------------------------------------------------------
# compare_arms
# ---------------------------------------------------------------------------


def test_compare_arms_on_the_tipping_experiment():
    s, n = zip(*TIP.values())
    res = offers.compare_arms(s, n, arms=list(TIP))
    # Pearson's chi-square of the 3 x 2 table (R: chisq.test(table(TipJoke$Card, TipJoke$Tip)) = 9.9533, p 0.0069)
    assert res.chi2 == pytest.approx(9.9533, abs=1e-4) and res.df == 2
    assert res.p_value == pytest.approx(0.006897, abs=1e-5)
    assert res.best == "Joke"
    low, high = proportion_confint(30, 72, method="wilson")
    assert (res.arms.loc["Joke", "ci_low"], res.arms.loc["Joke", "ci_high"]) == pytest.approx((low, high))
    holm = multipletests(res.pairs["p_value"], method="holm")[1]
    np.testing.assert_allclose(res.pairs["p_adjusted"], holm)
    table = np.array([[30, 42], [14, 60]])
    assert res.pairs.loc[0, "p_value"] == pytest.approx(chi2_contingency(table, correction=False)[1], rel=1e-9)


def test_compare_arms_exact_intervals_and_other_corrections():
    res = offers.compare_arms([3, 9], [20, 21], method="exact", correction="bonferroni")
    low, high = proportion_confint(3, 20, method="beta")
    assert res.arms.iloc[0]["ci_low"] == pytest.approx(low) and res.arms.iloc[0]["ci_high"] == pytest.approx(high)
    assert res.pairs.loc[0, "p_adjusted"] == pytest.approx(res.pairs.loc[0, "p_value"])  # one pair: nothing to adjust


def test_wilson_intervals_cover_the_true_rate():
    rng = np.random.default_rng(5)
    p, n = 0.12, 150
    x = rng.binomial(n, p, 4000)
    low, high = proportion_confint(x, n, method="wilson")
    res = offers.compare_arms(x[:2], [n, n])  # the same intervals, through the function
    assert res.arms["ci_low"].tolist() == pytest.approx(list(low[:2]))
    coverage = np.mean((low <= p) & (p <= high))
    assert 0.93 <= coverage <= 0.97


@pytest.mark.parametrize(
    "successes, trials, message",
    [
        ([5, 12], [10, 10], "successes must be at most the trials of the same arm; got 12.0 at position 1"),
        ([-1, 2], [10, 10], "successes must be whole numbers >= 0; got -1.0 at position 0"),
        ([1, 2], [10, 0], "trials must be whole numbers >= 1; got 0.0 at position 1"),
        ([1], [10], "compare at least 2 arms; got 1"),
        ([1, 2, 3], [10, 10], "successes and trials must have one count per arm; got 3 and 2"),
        ([1.5, 2], [10, 10], "successes must be whole numbers >= 0; got 1.5 at position 0"),
    ],
)
def test_compare_arms_refuses_bad_counts(successes, trials, message):
    with pytest.raises(ValueError) as err:
        offers.compare_arms(successes, trials)
    assert str(err.value) == message


def test_arm_counts_from_a_table():
    tips = data.load("tip_joke")
    s, n, names = offers.arm_counts(tips, "card", "tipped")
    assert dict(zip(names, zip(s.tolist(), n.tolist()))) == {k: TIP[k] for k in names}
    with pytest.raises(ValueError, match="outcome column 'card' must hold 0 or 1"):
        offers.arm_counts(tips, "tipped", "card")


# ---------------------------------------------------------------------------
# sample_size
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("baseline, lift, arms", [(0.10, 0.20, 2), (0.05, -0.3, 3), (0.3, 0.1, 5)])
def test_sample_size_against_statsmodels(baseline, lift, arms):
    res = offers.sample_size(baseline, lift, arms=arms)
    h = proportion_effectsize(baseline * (1 + lift), baseline)
    n = NormalIndPower().solve_power(abs(h), alpha=0.05 / (arms - 1), power=0.8)
    assert res.per_arm == math.ceil(n) and res.total == res.per_arm * arms


def test_more_arms_cost_more_customers_per_arm_and_in_all():
    sizes = [offers.sample_size(0.1, 0.2, arms=k) for k in (2, 3, 4, 6)]
    assert all(a.per_arm < b.per_arm and a.total < b.total for a, b in zip(sizes, sizes[1:]))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"baseline": 0.1, "lift": 0}, "lift must differ from 0"),
        ({"baseline": 0.6, "lift": 1.0}, "lift must keep baseline * (1 + lift) below 1"),
        ({"baseline": 1.2, "lift": 0.1}, "baseline must be"),
        ({"baseline": 0.1, "lift": 0.1, "arms": 1}, "arms must be an integer between 2 and 20"),
    ],
)
def test_sample_size_refuses_bad_designs(kwargs, message):
    import re

    with pytest.raises(ValueError, match=re.escape(message)):
        offers.sample_size(**kwargs)


# ---------------------------------------------------------------------------
# Segments and the traps
# ---------------------------------------------------------------------------


def test_uplift_by_segment_finds_the_planted_heterogeneity():
    panel = data.offer_panel(30_000, rng=4)
    up = offers.uplift_by_segment(panel.data, "offer", "responded", "segment")
    assert up.interaction_df == 4 and up.interaction_p < 1e-6
    assert up.n_comparisons == 6 and "6 comparisons" in up.warning
    # the differences recover the truth within their intervals (most of the time: all 6 at this seed)
    rates = panel.truth["rates"]
    for (seg, arm), row in up.table.iterrows():
        truth = rates[seg][arm] - rates[seg]["discount"]
        assert row["ci_low"] <= truth <= row["ci_high"], (seg, arm)
    np.testing.assert_allclose(up.table["p_adjusted"], multipletests(up.table["p_value"], method="holm")[1])


def test_uplift_without_heterogeneity_has_a_calm_interaction_test():
    same = {s: {"discount": 0.1, "upgrade": 0.12, "personal_note": 0.1} for s in data.OFFER_SEGMENTS}
    pvals = [offers.uplift_by_segment(data.offer_panel(6000, rates=same, rng=s).data, "offer", "responded",
                                      "segment").interaction_p for s in range(20)]
    assert np.mean(np.array(pvals) < 0.05) <= 0.2  # about 5% when nothing differs


def test_peeking_inflates_false_positives_as_armitage_computed():
    # Armitage, McPherson & Rowe (1969): repeated significance tests at the 5% level on accumulating
    # normal data reject a true null with probability 0.083 (2 looks), 0.142 (5) and 0.193 (10)
    sim = offers.peeking_simulation(1000, looks=10, n_sims=6000, rng=1)
    fp = sim.set_index("looks")
    for looks, published in ((1, 0.05), (2, 0.083), (5, 0.142), (10, 0.193)):
        assert abs(fp.at[looks, "false_positive_rate"] - published) < 4 * fp.at[looks, "mc_se"] + 0.005, looks


def test_slicing_finds_segments_that_do_not_exist_and_holm_stops_it():
    sim = offers.slicing_simulation(12, n_sims=6000, rng=2).set_index("segments")
    np.testing.assert_allclose(sim["any_raw"], sim["expected_raw"], atol=0.03)
    assert (sim["any_holm"] < 0.065).all()


# ---------------------------------------------------------------------------
# Bandits
# ---------------------------------------------------------------------------

RATES = [0.10, 0.12, 0.15]


@pytest.fixture(scope="module")
def bandits():
    return {p: offers.simulate_bandit(p, RATES, 4000, n_runs=300, rng=7)
            for p in ("fixed_split", "epsilon_greedy", "thompson")}


def test_thompson_beats_a_fixed_split_and_epsilon_greedy(bandits):
    regret = {p: r.final_regret for p, r in bandits.items()}
    assert regret["thompson"] < regret["epsilon_greedy"] < regret["fixed_split"]
    # a fixed split loses, per customer, the mean gap to the best arm: (0.05 + 0.03 + 0) / 3
    assert regret["fixed_split"] == pytest.approx(4000 * 0.08 / 3, rel=0.03)


def test_thompson_regret_grows_sublinearly_the_fixed_split_linearly(bandits):
    ts = bandits["thompson"].regret_curve(points=4000).set_index("round")["mean"]
    fs = bandits["fixed_split"].regret_curve(points=4000).set_index("round")["mean"]
    assert fs[4000] / fs[2000] == pytest.approx(2.0, rel=0.05)
    assert ts[4000] / ts[2000] < 1.35  # log(4000) / log(2000) = 1.09; linear would be 2


def test_thompson_by_segment_learns_the_personalised_policy():
    table = pd.DataFrame(data.OFFER_RATES).T.loc[list(data.OFFER_SEGMENTS), list(data.OFFERS)]
    shares = [data.OFFER_SEGMENT_SHARES[s] for s in data.OFFER_SEGMENTS]
    pooled = offers.simulate_bandit("thompson", table, 4000, n_runs=100, segment_shares=shares, rng=3)
    by_seg = offers.simulate_bandit("thompson_by_segment", table, 4000, n_runs=100, segment_shares=shares, rng=3)
    assert by_seg.final_regret < 0.6 * pooled.final_regret
    # the pooled policy's regret keeps growing by the value of personalisation per customer
    truth = offers.personalisation_value(data.OFFER_RATES, data.OFFER_SEGMENT_SHARES)
    late = pooled.regret[:, 3000:].mean()
    assert late == pytest.approx(truth["reward_personalised"] - truth["reward_single"], abs=0.006)


def test_same_seed_same_customers_across_policies():
    a = offers.simulate_bandit("fixed_split", [0.5, 0.5], 200, n_runs=20, rng=9)
    b = offers.simulate_bandit("thompson", [0.5, 0.5], 200, n_runs=20, rng=9)
    # with equal rates, every policy's customer answers the same way whatever it is offered
    np.testing.assert_array_equal(a.rewards, b.rewards)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"true_rates": [0.1, 1.2]}, ValueError, "true_rates must be between 0 and 1; got 1.2 at position"),
        ({"true_rates": [0.1]}, ValueError, "true_rates must give at least 2 arms"),
        ({"true_rates": [[0.1, 0.2], [0.3, 0.4]], "segment_shares": [0.5, 0.6]}, ValueError,
         "segment_shares must sum to 1"),
        ({"true_rates": [0.1, 0.2], "horizon": 0}, ValueError, "horizon must be an integer between 1"),
    ],
)
def test_simulate_bandit_refuses_bad_input(kwargs, error, message):
    args = {"policy": "thompson", "horizon": 10, **kwargs}
    with pytest.raises(error, match=message):
        offers.simulate_bandit(args.pop("policy"), args.pop("true_rates"), args.pop("horizon"), **args)


# ---------------------------------------------------------------------------
# Personalisation and the generator
# ---------------------------------------------------------------------------


def test_personalisation_value_matches_the_datasheet_and_is_recovered_from_data():
    truth = offers.personalisation_value(data.OFFER_RATES, data.OFFER_SEGMENT_SHARES)
    assert truth["best_offer_by_segment"] == {"new": "discount", "regular": "upgrade", "loyal": "personal_note"}
    assert truth["reward_single"] == pytest.approx(0.106) and truth["reward_personalised"] == pytest.approx(0.131)
    panel = data.offer_panel(300_000, rng=6)
    est = offers.personalisation_value(offers.rate_table(panel.data, "offer", "responded", "segment"),
                                       panel.data["segment"].value_counts(normalize=True))
    assert est["best_offer_by_segment"] == truth["best_offer_by_segment"]
    assert est["lift"] == pytest.approx(truth["lift"], abs=0.04)


def test_offer_panel_truth_follows_the_rates_given():
    rates = {s: {"discount": 0.2, "upgrade": 0.1, "personal_note": 0.1} for s in data.OFFER_SEGMENTS}
    panel = data.offer_panel(1000, rates=rates, rng=1)
    assert panel.truth["personalisation_lift"] == 0 and panel.truth["best_offer_overall"] == "discount"
    with pytest.raises(ValueError, match="rates lacks the segment 'loyal'"):
        data.offer_panel(1000, rates={"new": rates["new"], "regular": rates["regular"]})
    with pytest.raises(ValueError, match=r"rates\['new'\]\['upgrade'\] must be"):
        data.offer_panel(1000, rates={**rates, "new": {"discount": 0.1, "upgrade": 1.5, "personal_note": 0.1}})
