"""cxlib.churn (lesson 06): survival curves, Cox models, power, and the known-truth studies."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.duration.survfunc import survdiff

from cxlib import churn, data
from cxlib._churn_power import _logrank_z

ROSSI_COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
# Fox (2002), Appendix to An R and S-PLUS Companion to Applied Regression: coxph(Surv(week, arrest) ~
# fin + age + race + wexp + mar + paro + prio, data = Rossi), Efron ties.
FOX_COEF = {"fin": -0.3794, "age": -0.0574, "race": 0.3139, "wexp": -0.1498, "mar": -0.4337,
            "paro": -0.0849, "prio": 0.0915}
FOX_SE = {"fin": 0.1914, "age": 0.0220, "race": 0.3080, "wexp": 0.2122, "mar": 0.3819,
          "paro": 0.1958, "prio": 0.0286}


# ---------------------------------------------------------------------------
# Kaplan-Meier, median, log-rank
# ---------------------------------------------------------------------------


def test_kaplan_meier_by_hand():
    km = churn.kaplan_meier([2, 3, 3, 5, 8], [1, 1, 0, 1, 0])
    # S(2) = 4/5, S(3) = 4/5 * 3/4, S(5) = 0.6 * 1/2; Greenwood at 2: 0.8 sqrt(1 / (5 * 4))
    assert km["time"].tolist() == [0, 2, 3, 5]
    assert km["survival"].tolist() == pytest.approx([1, 0.8, 0.6, 0.3])
    assert km["at_risk"].tolist() == [5, 5, 4, 2]
    assert km.loc[1, "std_error"] == pytest.approx(0.8 * math.sqrt(1 / 20))
    # log(-log) band, by hand at t = 5
    s, se = 0.3, km.loc[3, "std_error"]
    theta, se_theta = math.log(-math.log(s)), se / (s * -math.log(s))
    assert km.loc[3, "ci_low"] == pytest.approx(math.exp(-math.exp(theta + 1.959964 * se_theta)), rel=1e-5)
    assert km.loc[3, "ci_high"] == pytest.approx(math.exp(-math.exp(theta - 1.959964 * se_theta)), rel=1e-5)


def test_kaplan_meier_recovers_a_known_exponential_curve():
    rng = np.random.default_rng(4)
    t = rng.exponential(10.0, 20_000)
    c = rng.uniform(0, 30, 20_000)
    km = churn.kaplan_meier(np.minimum(t, c), (t <= c).astype(int))
    at = km[km["time"] <= 10].iloc[-1]
    assert at["survival"] == pytest.approx(math.exp(-1), abs=0.01)
    assert ((km["ci_low"] <= km["survival"]) & (km["survival"] <= km["ci_high"])).all()
    assert km["ci_low"].between(0, 1).all() and km["ci_high"].between(0, 1).all()


def test_kaplan_meier_groups_follow_categorical_order():
    g = pd.Series(pd.Categorical(["z", "a", "z", "a"], categories=["z", "a"]))
    km = churn.kaplan_meier([1, 2, 3, 4], [1, 1, 0, 1], g)
    assert list(dict.fromkeys(km["group"])) == ["z", "a"]


def test_median_lifetime_reached_and_not():
    med = churn.median_lifetime([2, 3, 3, 5, 8, 9], [1, 1, 0, 1, 0, 1])
    assert med.loc["all", "median"] == 5 and bool(med.loc["all", "reached"])
    never = churn.median_lifetime([5, 6, 7, 8], [1, 0, 0, 0])
    assert math.isnan(never.loc["all", "median"]) and not bool(never.loc["all", "reached"])


def test_median_lifetime_recovers_the_truth_of_the_churn_panel():
    panel = data.churn_panel(60_000, rng=9)
    d = panel.data
    med = churn.median_lifetime(d["weeks"], d["churned"], d["plan"])
    true = panel.truth["median_weeks"]["monthly"]
    assert med.loc["monthly", "ci_low"] - 1 <= true <= med.loc["monthly", "ci_high"] + 1
    assert not med.loc["two_year", "reached"]  # its true median (~233 weeks) is beyond the study


def test_logrank_matches_statsmodels_and_adds_up():
    d = data.churn_panel(3000, rng=2).data
    test = churn.logrank(d["weeks"], d["churned"], d["plan"])
    stat, p = survdiff(d["weeks"].to_numpy(float), d["churned"].to_numpy(float), d["plan"].cat.codes.to_numpy())
    assert test.statistic == pytest.approx(stat) and test.p_value == pytest.approx(p)
    assert test.df == 2 and test.groups == ("monthly", "one_year", "two_year")
    assert test.table["observed"].sum() == d["churned"].sum()
    assert test.table["expected"].sum() == pytest.approx(d["churned"].sum())


@pytest.mark.parametrize(
    "durations, events, message",
    [
        ([1, -2, 3], [1, 0, 1], "durations must be a vector of durations >= 0 (time to churn or to censoring); got -2.0 at position 1"),
        ([1, 2, 3], [1, 2, 0], "events must be 0 or 1 (1: churned, 0: censored); got 2.0 at position 1"),
        ([1, 2, 3], [1, 0], "events must have one value per duration (3); got 2"),
        ([1, float("nan")], [1, 0], "durations must be finite; got nan at position 1"),
        ([1], [1], "durations must hold at least 2 durations; got 1"),
    ],
)
def test_bad_durations_and_events(durations, events, message):
    with pytest.raises(ValueError) as err:
        churn.kaplan_meier(durations, events)
    assert str(err.value) == message


def test_events_as_text_are_refused():
    with pytest.raises(TypeError, match="events must be a vector of 0/1 event indicators"):
        churn.kaplan_meier([1, 2], ["Yes", "No"])


# ---------------------------------------------------------------------------
# Cox
# ---------------------------------------------------------------------------


def test_fit_cox_reproduces_fox_2002_rossi_table():
    fit = churn.fit_cox(data.load("rossi"), "week", "arrest", ROSSI_COVARIATES)
    table = churn.hazard_ratios(fit)
    assert table["coef"].round(4).to_dict() == FOX_COEF
    assert table["std_error"].round(4).to_dict() == FOX_SE
    assert table.loc["fin", "hazard_ratio"] == pytest.approx(math.exp(-0.3794), abs=1e-4)
    assert fit.model.ties == "efron"


def test_breslow_is_available_and_differs_with_ties():
    rossi = data.load("rossi")
    breslow = churn.hazard_ratios(churn.fit_cox(rossi, "week", "arrest", ROSSI_COVARIATES, ties="breslow"))
    assert breslow.loc["fin", "coef"] == pytest.approx(-0.3790, abs=5e-5)  # R: coxph(..., ties = "breslow")


def test_cox_intervals_cover_the_true_hazard_ratios():
    study = churn.cox_coverage(40, 2000, rng=11)
    cov = study.coverage()
    assert set(cov.index) == set(data.churn_panel(50, rng=0).truth["hazard_ratios"])
    pooled = study.estimates["covers"].mean()  # 280 intervals: 0.95 +/- 0.013
    assert 0.91 <= pooled <= 0.99
    assert (cov["coverage"] >= 0.8).all()
    # the mean estimate is within a few Monte Carlo errors of the truth on the log scale
    est = np.log(study.estimates.pivot(index="panel", columns="term", values="hazard_ratio"))
    bias = est.mean() - np.log(cov["truth"])
    assert (bias.abs() < 4 * est.std() / math.sqrt(40) + 0.01).all()


def test_leaving_out_the_latent_risk_pulls_the_randomised_estimate_towards_one():
    full = churn.cox_coverage(15, 4000, rng=5).coverage()
    analyst = churn.cox_coverage(15, 4000, covariates=(*churn.RECORDED, "outreach"), rng=5).coverage()
    for term in ("plan[two_year]", "outreach"):
        assert abs(math.log(analyst.loc[term, "mean_estimate"])) < abs(math.log(full.loc[term, "mean_estimate"]))


def test_targeted_outreach_biases_the_naive_estimate_upward_and_adjustment_only_partly_helps():
    naive, adjusted, randomised, oracle = [], [], [], []
    for seed in range(8):
        t = churn.outreach_comparison(3000, 0.7, 0.6, rng=100 + seed).table["hazard_ratio"]
        naive.append(t["targeted, naive"])
        adjusted.append(t["targeted, adjusted for every recorded column"])
        randomised.append(t["randomised"])
        oracle.append(t["targeted, adjusted for the unrecorded risk too"])
    assert min(naive) > 1.0 > 0.7  # looks harmful although it helps, in every business
    assert np.mean(np.log(naive)) > np.mean(np.log(adjusted)) > math.log(0.7) + 0.2
    assert abs(np.mean(np.log(randomised)) - math.log(0.7)) < 0.08
    assert abs(np.mean(np.log(oracle)) - math.log(0.7)) < 0.1


def test_with_nothing_hidden_adjustment_removes_the_confounding():
    adjusted = [churn.outreach_comparison(3000, 0.7, 0.0, rng=200 + s).table.loc[
        "targeted, adjusted for every recorded column", "hazard_ratio"] for s in range(8)]
    naive = [churn.outreach_comparison(3000, 0.7, 0.0, rng=200 + s).table.loc[
        "targeted, naive", "hazard_ratio"] for s in range(2)]
    assert min(naive) > 1.0
    assert abs(np.mean(np.log(adjusted)) - math.log(0.7)) < 0.12


def test_design_matrix_names_dummies_and_refuses_bad_covariates():
    df = pd.DataFrame({"plan": ["b", "a", "c", "a"], "x": [1.0, 2.0, 3.0, 5.0]})
    assert churn.design_matrix(df, ["plan", "x"]).columns.tolist() == ["plan[b]", "plan[c]", "x"]
    with pytest.raises(ValueError, match=r"^covariate 'k' is constant \(every row is 3\)"):
        churn.design_matrix(df.assign(k=3), ["x", "k"])
    with pytest.raises(ValueError, match=r"^covariates are collinear: 'x2' is a linear combination of 'x' \(plus a constant\)"):
        churn.design_matrix(df.assign(x2=2 * df["x"] + 1), ["x", "x2"])
    with pytest.raises(ValueError, match=r"^covariate 'x' has 1 missing value\(s\) \(first at row 2\)"):
        churn.design_matrix(df.assign(x=[1.0, 2.0, None, 4.0]), ["x"])
    with pytest.raises(ValueError, match="did you mean 'plan'"):
        churn.design_matrix(df, ["plam"])


def test_fit_cox_explains_separation_instead_of_failing_to_converge():
    rng = np.random.default_rng(3)
    n = 200
    flag = np.r_[np.ones(20), np.zeros(n - 20)]
    weeks = rng.integers(1, 50, n)
    churned = np.where(flag == 1, 1, rng.random(n) < 0.3).astype(int)
    weeks = np.where(flag == 1, 1, weeks + 1)  # every flagged customer churns first
    df = pd.DataFrame({"weeks": weeks, "churned": churned, "flag": flag, "x": rng.normal(size=n)})
    with pytest.raises(ValueError, match=r"^covariate 'flag' separates the events \(20 churn\(s\) where it is 1"):
        churn.fit_cox(df, "weeks", "churned", ["x", "flag"])


def test_fit_cox_messages_name_the_bad_column():
    d = data.churn_panel(200, rng=1).data
    with pytest.raises(ValueError, match=r"^event column 'weeks' must be 0 or 1"):
        churn.fit_cox(d, "days" if False else "weeks", "weeks", ["plan"])
    with pytest.raises(ValueError, match=r"^duration column 'risk_score' must be|^data lacks"):
        churn.fit_cox(d.assign(risk_score=-d["risk_score"]), "risk_score", "churned", ["plan"])
    with pytest.raises(ValueError, match="event column 'churned' has no events"):
        churn.fit_cox(d.assign(churned=0), "weeks", "churned", ["plan"])
    with pytest.raises(ValueError, match="ties 'exact' is not known"):
        churn.fit_cox(d, "weeks", "churned", ["plan"], ties="exact")


def test_strata_and_entry_are_passed_to_statsmodels():
    d = data.churn_panel(1500, rng=4).data
    strat = churn.fit_cox(d, "weeks", "churned", ["tenure_years", "outreach"], strata="plan")
    assert strat.model.surv.nstrat == 3 and "plan[one_year]" not in strat.model.exog_names
    late = d.assign(start=0)
    same = churn.fit_cox(late, "weeks", "churned", ["plan"], entry="start")
    plain = churn.fit_cox(d, "weeks", "churned", ["plan"])
    np.testing.assert_allclose(same.params, plain.params)


def test_ph_test_accepts_proportional_hazards_and_rejects_a_crossing_effect():
    d = data.churn_panel(4000, rng=6).data
    fit = churn.fit_cox(d, "weeks", "churned", ["plan", "tenure_years", "outreach"])
    assert churn.ph_test(fit)["p_value"].min() > 0.01
    # an effect that reverses half-way: hazard ratio 3 before week 20, 1/3 after
    rng = np.random.default_rng(1)
    x = rng.integers(0, 2, 4000)
    early = rng.exponential(40, 4000) / np.where(x == 1, 3.0, 1.0)
    late = 20 + rng.exponential(40, 4000) * np.where(x == 1, 3.0, 1.0)
    t = np.where(early < 20, early, late)
    cross = pd.DataFrame({"t": np.minimum(t, 100), "e": (t < 100).astype(int), "x": x})
    res = churn.ph_test(churn.fit_cox(cross, "t", "e", ["x"]))
    assert res.loc["x", "p_value"] < 1e-6 and res.loc["x", "rho"] < 0
    for how in ("rank", "identity", "log"):
        assert churn.ph_test(churn.fit_cox(cross, "t", "e", ["x"]), how).loc["x", "p_value"] < 1e-6


def test_scaled_schoenfeld_residuals_follow_the_ties_method():
    rossi = data.load("rossi")
    for ties in ("efron", "breslow"):
        fit = churn.fit_cox(rossi, "week", "arrest", ROSSI_COVARIATES, ties=ties)
        res = churn.scaled_schoenfeld(fit)
        assert len(res) == 114
        # the residuals sum to the score, zero at the estimate: their scaled mean is the estimate
        np.testing.assert_allclose(res[ROSSI_COVARIATES].mean().to_numpy(), fit.params, atol=1e-8)
    # with Breslow ties they are statsmodels' own
    from cxlib._churn_cox import _schoenfeld

    fit = churn.fit_cox(rossi, "week", "arrest", ROSSI_COVARIATES, ties="breslow")
    events = np.asarray(fit.model.status) == 1
    np.testing.assert_allclose(_schoenfeld(fit)[events], np.asarray(fit.schoenfeld_residuals)[events], atol=1e-10)


# lifelines 0.30.0, CoxPHFitter().fit(rossi, "week", "arrest") and
# proportional_hazard_test(cph, rossi, time_transform=...).summary["test_statistic"]
LIFELINES_PH = {
    "identity": {"fin": 0.0562, "age": 12.0614, "race": 1.4861, "wexp": 6.9348, "mar": 0.7544, "paro": 0.1220,
                 "prio": 0.0109},
    "log": {"fin": 0.4914, "age": 13.0738, "race": 1.0311, "wexp": 5.5398, "mar": 1.0293, "paro": 0.0105,
            "prio": 0.3840},
}


@pytest.mark.parametrize("transform", sorted(LIFELINES_PH))
def test_ph_test_matches_lifelines_on_rossi(transform):
    fit = churn.fit_cox(data.load("rossi"), "week", "arrest", ROSSI_COVARIATES)
    assert churn.ph_test(fit, transform)["statistic"].round(4).to_dict() == pytest.approx(LIFELINES_PH[transform], abs=1e-4)


# ---------------------------------------------------------------------------
# Power
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("hr, alpha, power, alloc", [(0.8, 0.05, 0.8, 0.5), (0.6, 0.01, 0.9, 0.3), (1.5, 0.05, 0.8, 0.5)])
def test_events_needed_is_schoenfelds_formula(hr, alpha, power, alloc):
    exact = (norm.ppf(1 - alpha / 2) + norm.ppf(power)) ** 2 / (alloc * (1 - alloc) * math.log(hr) ** 2)
    assert churn.events_needed(hr, alpha, power, alloc) == math.ceil(exact)
    assert churn.events_needed(0.8) == 631


def test_customers_needed_follows_from_the_event_share():
    n = churn.customers_needed(0.8, event_rate=0.3)
    share = 0.5 * 0.3 + 0.5 * (1 - 0.7**0.8)
    assert n == math.ceil(631 / share)
    assert churn.customers_needed(0.8, 0.6) < n  # more churn, fewer customers


def test_logrank_z_matches_statsmodels_survdiff():
    rng = np.random.default_rng(8)
    t = rng.exponential(1.0, (1, 500))
    e = t < 0.8
    g = np.zeros((1, 500), bool)
    g[0, :250] = True
    z = _logrank_z(np.minimum(t, 0.8) + rng.random((1, 500)) * 1e-9, e, g)[0]
    stat, _ = survdiff(np.minimum(t, 0.8)[0], e[0].astype(float), g[0].astype(int))
    assert z**2 == pytest.approx(stat, rel=1e-6)


def test_simulated_power_agrees_with_schoenfeld():
    n = churn.customers_needed(0.75, event_rate=0.4)
    sim = churn.simulate_power(0.75, n, 0.4, n_sims=2000, rng=3)
    assert abs(sim.power - 0.8) < 3 * sim.power_se
    assert abs(sim.predicted - 0.8) < 0.02
    null = churn.simulate_power(0.999, 400, 0.4, n_sims=2000, rng=4)
    assert abs(null.power - 0.05) < 3 * math.sqrt(0.05 * 0.95 / 2000) + 0.001


def test_power_curve_rises_with_size():
    curve = churn.power_curve(0.8, 0.3, [300, 1000, 3000], n_sims=200, rng=1)
    assert curve["power_formula"].is_monotonic_increasing
    assert ((curve["power_simulated"] - curve["power_formula"]).abs() < 4 * curve["power_se"] + 0.02).all()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"hazard_ratio": 1.0}, "hazard_ratio must differ from 1"),
        ({"hazard_ratio": -0.5}, "hazard_ratio must be"),
        ({"hazard_ratio": 0.8, "allocation": 1.0}, "allocation must be"),
        ({"hazard_ratio": 0.8, "power": 0}, "power must be"),
    ],
)
def test_events_needed_refuses_bad_designs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        churn.events_needed(**kwargs)


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


def test_churn_panel_documents_its_truth_and_uses_common_random_numbers():
    rand = data.churn_panel(3000, rng=7)
    targ = data.churn_panel(3000, outreach="targeted", rng=7)
    same = ["plan", "tenure_years", "support_contacts", "response_hours", "risk_score", "latent_risk"]
    pd.testing.assert_frame_equal(rand.data[same], targ.data[same])
    assert targ.data["outreach"].sum() == round(0.3 * 3000)
    assert rand.truth["hazard_ratios"]["outreach"] == 0.7 and targ.truth["naive_bias"] == "upward"
    assert "Datasheet: the synthetic churn panel" in rand.datasheet()
    # the targeted firm calls riskier customers: higher latent risk and risk score
    called = targ.data["outreach"] == 1
    assert targ.data.loc[called, "latent_risk"].mean() > targ.data.loc[~called, "latent_risk"].mean() + 0.3
    assert targ.data.loc[called, "risk_score"].mean() > targ.data.loc[~called, "risk_score"].mean()


def test_churn_panel_true_survival_matches_a_large_sample():
    panel = data.churn_panel(80_000, rng=12)
    d = panel.data
    km = churn.kaplan_meier(d["weeks"], d["churned"], d["plan"])
    at = km[km["time"] <= 52].groupby("group", observed=True)["survival"].last()
    true = panel.survival([52]).iloc[0]
    for plan in at.index:
        assert at[plan] == pytest.approx(true[plan], abs=0.012)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"n_customers": 5}, ValueError, "n_customers must be an integer between 20 and 10000000; got 5"),
        ({"hr_outreach": 0}, ValueError, "hr_outreach must be"),
        ({"outreach": "targetted"}, ValueError, "did you mean 'targeted'"),
        ({"accrual_weeks": 200}, ValueError, "accrual_weeks must be an integer between 0 and 100; got 200"),
        ({"hidden": "a lot"}, TypeError, "hidden must be"),
    ],
)
def test_churn_panel_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.churn_panel(**kwargs)


# ---------------------------------------------------------------------------
# The vectorised engine under fit_cox
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("design", ["plain", "strata", "entry", "strata+entry", "continuous"])
def test_fast_engine_equals_statsmodels_phreg(ties, design):
    from statsmodels.duration.hazard_regression import PHReg

    from cxlib._churn_fast import PHRegFast

    rng = np.random.default_rng(1)
    n = 1500
    x = rng.normal(size=(n, 3))
    t = np.ceil(rng.exponential(10, n) * np.exp(-x @ [0.3, -0.2, 0.1]))
    if design == "continuous":
        t = t + rng.random(n)
    e = (rng.random(n) < 0.7) * 1.0
    kw = {}
    if "strata" in design:
        kw["strata"] = rng.integers(0, 3, n)
    if "entry" in design:
        kw["entry"] = np.floor(rng.uniform(0, 0.5, n) * t)
    slow, fast = PHReg(t, x, status=e, ties=ties, **kw), PHRegFast(t, x, status=e, ties=ties, **kw)
    at = np.array([0.2, -0.1, 0.05])
    assert fast.loglike(at) == pytest.approx(slow.loglike(at), rel=1e-12)
    np.testing.assert_allclose(fast.score(at), slow.score(at), rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(fast.hessian(at), slow.hessian(at), rtol=1e-10, atol=1e-9)
    a, b = slow.fit(), fast.fit()
    np.testing.assert_allclose(b.params, a.params, atol=1e-10)
    np.testing.assert_allclose(b.bse, a.bse, atol=1e-10)
    # statsmodels' results methods work on the fast model's risk sets
    np.testing.assert_allclose(b.martingale_residuals, a.martingale_residuals, atol=1e-10)
    np.testing.assert_allclose(np.nan_to_num(b.schoenfeld_residuals), np.nan_to_num(a.schoenfeld_residuals), atol=1e-10)
    np.testing.assert_allclose(b.baseline_cumulative_hazard[0][1], a.baseline_cumulative_hazard[0][1], rtol=1e-10)
