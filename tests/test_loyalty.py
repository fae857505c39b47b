"""cxlib.loyalty: estimates against known truth, identities and error messages."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxlib import loyalty
from cxlib.data import customer_panel, load

ADJUSTED = "revenue ~ loyalty + tenure_months + C(segment)"


@pytest.fixture(scope="module")
def panel():
    return customer_panel(2000, rng=1)


# ---------------------------------------------------------------------------
# fit and coef_table
# ---------------------------------------------------------------------------


def test_fit_returns_statsmodels_results_with_hc3(panel):
    from statsmodels.regression.linear_model import RegressionResultsWrapper

    res = loyalty.fit(ADJUSTED, panel.data)
    assert isinstance(res, RegressionResultsWrapper)
    assert res.cov_type == "HC3"
    assert set(res.params.index) == {
        "Intercept", "C(segment)[T.mainstream]", "C(segment)[T.premium]", "loyalty", "tenure_months",
    }  # fmt: skip
    plain = loyalty.fit(ADJUSTED, panel.data, cov_type="nonrobust")
    np.testing.assert_allclose(plain.params, res.params)
    # revenue's variance grows with its mean: robust errors are larger here
    assert res.bse["loyalty"] > plain.bse["loyalty"]


def test_fit_accepts_numpy_and_formula_helpers(panel):
    res = loyalty.fit("np.log1p(revenue) ~ np.log(tenure_months) + C(segment, Treatment('premium'))", panel.data)
    assert "np.log(tenure_months)" in res.params.index


@pytest.mark.parametrize(
    "formula, fragments",
    [
        ("revenue ~ loyality", ["'loyality'", "not a column", "'loyalty'", "did you mean 'loyalty'?"]),
        ("revenue ~ loyalty + C(segmnt)", ["'segmnt'", "did you mean 'segment'?"]),
        ("revenu ~ loyalty", ["'revenu'", "did you mean 'revenue'?"]),
        ("revenue ~ np.log(tenure)", ["'tenure'", "did you mean 'tenure_months'?"]),
        ("revenue loyalty", ["no '~'"]),
        ("revenue ~ loyalty +", ["could not be used"]),
    ],
)
def test_fit_formula_errors(panel, formula, fragments):
    with pytest.raises(ValueError) as info:
        loyalty.fit(formula, panel.data)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_fit_argument_errors(panel):
    with pytest.raises(ValueError, match="cov_type 'HC4' is not known; valid choices are 'HC3'"):
        loyalty.fit(ADJUSTED, panel.data, cov_type="HC4")
    with pytest.raises(TypeError, match="data must be a pandas DataFrame; got Panel"):
        loyalty.fit(ADJUSTED, panel)
    with pytest.raises(TypeError, match="formula must be a non-empty string"):
        loyalty.fit(None, panel.data)


def test_coef_table(panel):
    res = loyalty.fit(ADJUSTED, panel.data)
    table = loyalty.coef_table(res)
    assert table.index.name == "term"
    assert list(table.columns) == ["estimate", "std_error", "ci_low", "ci_high", "p_value"]
    np.testing.assert_allclose(table["estimate"], res.params)
    np.testing.assert_allclose(table[["ci_low", "ci_high"]], res.conf_int())
    sub = loyalty.coef_table(res, ["tenure_months", "loyalty"], alpha=0.10)
    assert list(sub.index) == ["tenure_months", "loyalty"]
    wide = loyalty.coef_table(res, "loyalty")
    assert (wide["ci_high"] - wide["ci_low"]).iloc[0] > (sub["ci_high"] - sub["ci_low"]).loc["loyalty"]
    with pytest.raises(ValueError, match="term 'loyality' is not in the model.*did you mean 'loyalty'"):
        loyalty.coef_table(res, "loyality")
    with pytest.raises(ValueError, match="alpha must be"):
        loyalty.coef_table(res, alpha=1.5)


# ---------------------------------------------------------------------------
# compare_estimates, coverage against the known truth
# ---------------------------------------------------------------------------


def test_compare_estimates_panel_and_frame(panel):
    table = loyalty.compare_estimates(panel)
    assert list(table.index) == ["naive", "adjusted", "truth"]
    assert list(table.columns) == ["estimate", "std_error", "ci_low", "ci_high"]
    assert table.at["truth", "estimate"] == 4.0 and np.isnan(table.at["truth", "ci_low"])
    assert table.at["naive", "estimate"] > table.at["adjusted", "estimate"]
    adjusted = loyalty.fit(ADJUSTED, panel.data).params["loyalty"]
    assert table.at["adjusted", "estimate"] == pytest.approx(adjusted)
    same = loyalty.compare_estimates(panel.data, truth=panel.truth)
    pd.testing.assert_frame_equal(table, same)
    assert loyalty.compare_estimates(panel.data, truth=2.0).at["truth", "estimate"] == 2.0
    assert list(loyalty.compare_estimates(panel.data).index) == ["naive", "adjusted"]
    with pytest.raises(ValueError, match="column 'tenure_months' is not a column"):
        loyalty.compare_estimates(panel.data.drop(columns="tenure_months"))
    with pytest.raises(ValueError, match="truth must be a finite number"):
        loyalty.compare_estimates(panel.data, truth=float("inf"))


def test_known_truth_coverage_over_200_seeds():
    """The adjusted 95% HC3 interval covers the truth about 95% of the time; naive is biased up."""
    covered, naive, adjusted = [], [], []
    for seed in range(200):
        table = loyalty.compare_estimates(customer_panel(500, rng=seed))
        lo, hi = table.at["adjusted", "ci_low"], table.at["adjusted", "ci_high"]
        covered.append(lo <= 4.0 <= hi)
        naive.append(table.at["naive", "estimate"])
        adjusted.append(table.at["adjusted", "estimate"])
    rate = np.mean(covered)
    assert 0.90 <= rate <= 0.985, rate
    naive, adjusted = np.array(naive), np.array(adjusted)
    assert naive.mean() - 4.0 > 6 * naive.std() / np.sqrt(len(naive))  # biased upward
    assert abs(adjusted.mean() - 4.0) < 4 * adjusted.std() / np.sqrt(len(adjusted))  # unbiased


# ---------------------------------------------------------------------------
# Omitted-variable bias: an exact identity
# ---------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    confounding=st.floats(0, 0.95),
    n=st.integers(30, 1500),
    controls=st.sampled_from(["tenure_months + C(segment)", "tenure_months", "C(segment)", "tenure_months + nps"]),
)
def test_ovb_identity(seed, confounding, n, controls):
    df = customer_panel(n, confounding=confounding, rng=seed).data
    ovb = loyalty.omitted_variable_bias(df, controls=controls)
    naive = loyalty.fit("revenue ~ loyalty", df).params["loyalty"]
    adjusted = loyalty.fit(f"revenue ~ loyalty + {controls}", df).params["loyalty"]
    scale = max(1.0, abs(naive))
    assert abs(naive - (adjusted + ovb["contribution"].sum())) < 1e-8 * scale
    assert ovb.attrs["naive"] == pytest.approx(naive, rel=1e-9, abs=1e-9)
    assert ovb.attrs["adjusted"] == pytest.approx(adjusted, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(ovb["contribution"], ovb["beta"] * ovb["delta"])


def test_ovb_table_and_direction(panel):
    ovb = loyalty.omitted_variable_bias(panel.data)
    assert list(ovb.columns) == ["term", "beta", "delta", "contribution"]
    assert set(ovb["term"]) == {"tenure_months", "C(segment)[T.mainstream]", "C(segment)[T.premium]"}
    # confounding > 0: tenure moves with loyalty and raises revenue, so it inflates the naive slope
    tenure = ovb.set_index("term").loc["tenure_months"]
    assert tenure["delta"] > 0 and tenure["beta"] > 0
    assert ovb["contribution"].sum() > 0
    with pytest.raises(ValueError, match="focal 'loyality' is not a column.*did you mean 'loyalty'"):
        loyalty.omitted_variable_bias(panel.data, focal="loyality")
    with pytest.raises(TypeError, match="focal column 'segment' must be numeric"):
        loyalty.omitted_variable_bias(panel.data, focal="segment", controls="tenure_months")


# ---------------------------------------------------------------------------
# Elasticity
# ---------------------------------------------------------------------------


def test_elasticity_recovers_a_known_power_law():
    rng = np.random.default_rng(4)
    x = rng.lognormal(3, 0.5, 4000)
    z = rng.lognormal(1, 0.3, 4000)
    y = 2.0 * x**0.7 * z**0.2 * rng.lognormal(0, 0.3, 4000)
    y[:25] = 0.0  # cannot be logged: dropped and counted
    frame = pd.DataFrame({"y": y, "x": x, "z": z})
    e = loyalty.elasticity(frame, "y", "x", ["z"])
    assert e.n_dropped == 25 and e.n_used == 3975
    assert e.ci_low < 0.7 < e.ci_high
    assert e.result.cov_type == "HC3" and "log_z" in e.result.params.index
    assert "Elasticity(estimate=" in repr(e)


def test_elasticity_on_panel_counts_dropped_rows(panel):
    df = panel.data
    e = loyalty.elasticity(df)
    expected_drop = int(((df["revenue"] <= 0) | (df["loyalty"] <= 0)).sum())
    assert e.n_dropped == expected_drop and e.n_used == len(df) - expected_drop
    assert set(e.result.params.index) >= {"log_loyalty", "log_tenure_months"}
    assert 0 < e.estimate < 1
    with pytest.raises(TypeError, match="control column 'segment' must be numeric"):
        loyalty.elasticity(df, controls=["segment"])
    with pytest.raises(ValueError, match="outcome 'revenu' is not a column"):
        loyalty.elasticity(df, outcome="revenu")


# ---------------------------------------------------------------------------
# Count models
# ---------------------------------------------------------------------------

ORDERS = "orders ~ loyalty + tenure_months + C(segment)"


def test_count_models_detects_overdispersion():
    cm = loyalty.count_models(ORDERS, customer_panel(5000, dispersion=0.5, rng=2).data)
    assert cm.pearson_dispersion > 5
    assert abs(cm.alpha - 0.5) < 0.1  # NB2 alpha estimates the generator's dispersion
    assert cm.lr_stat > 100 and cm.lr_pvalue < 1e-10 and not cm.at_boundary
    table = cm.summary()
    with pytest.warns(FutureWarning, match=r"CountModels.table\(\) is deprecated .*use CountModels.summary\(\)"):
        pd.testing.assert_frame_equal(cm.table(), table)
    assert list(table.index) == ["poisson", "negbin"]
    assert list(table.columns) == ["loglik", "aic", "alpha", "focal", "estimate", "std_error"]
    assert (table["focal"] == "loyalty").all()
    assert table.at["negbin", "loglik"] > table.at["poisson", "loglik"]
    # Poisson standard errors ignore the extra variance: far too small
    assert table.at["negbin", "std_error"] > 2 * table.at["poisson", "std_error"]
    assert cm.lr_stat == pytest.approx(2 * (cm.negbin.llf - cm.poisson.llf))


def test_count_models_without_dispersion():
    """dispersion=0: Poisson counts, but the true mean is linear, not log-linear, so the
    log-link models are slightly misspecified: Pearson dispersion a little above 1."""
    cm = loyalty.count_models(ORDERS, customer_panel(5000, dispersion=0.0, rng=2).data)
    assert 0.95 < cm.pearson_dispersion < 1.2
    assert 0 <= cm.alpha < 0.02


def test_count_models_correct_poisson_and_boundary():
    rows = []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        x = rng.normal(size=2000)
        frame = pd.DataFrame({"x": x, "y": rng.poisson(np.exp(1 + 0.5 * x))})
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no convergence warnings leak out
            cm = loyalty.count_models("y ~ x", frame)
        assert 0.9 < cm.pearson_dispersion < 1.1
        assert abs(cm.poisson.params["x"] - 0.5) < 4 * cm.poisson.bse["x"]
        rows.append(cm)
    boundary = [cm for cm in rows if cm.at_boundary]
    assert boundary, "some seeds put the NB2 alpha on its boundary"
    for cm in boundary:
        assert cm.alpha == 0 and cm.lr_stat == 0 and cm.lr_pvalue == 1.0
        assert cm.summary().at["negbin", "loglik"] == cm.summary().at["poisson", "loglik"]
    for cm in rows:
        assert 0 <= cm.lr_pvalue <= 1


def test_count_models_errors(panel):
    with pytest.raises(ValueError, match="outcome 'revenue' .* must be a count.*whole numbers"):
        loyalty.count_models("revenue ~ loyalty", panel.data.assign(revenue=panel.data["revenue"] + 0.5))
    with pytest.raises(ValueError, match="focal 'loyality' is not a term.*did you mean 'loyalty'"):
        loyalty.count_models(ORDERS, panel.data, focal="loyality")
    with pytest.raises(ValueError, match="'ordrs'.*did you mean 'orders'"):
        loyalty.count_models("ordrs ~ loyalty", panel.data)


# ---------------------------------------------------------------------------
# confounding_demo
# ---------------------------------------------------------------------------


def test_confounding_demo_values():
    out = loyalty.confounding_demo(0.5, n_customers=1000, rng=3)
    assert out.truth == 4.0 and out.confounding == 0.5
    assert out.inputs == {"confounding": 0.5, "n_customers": 1000, "seed": 3}
    assert out.naive_ci[0] < out.naive < out.naive_ci[1]
    table = loyalty.compare_estimates(customer_panel(1000, confounding=0.5, rng=3))
    pd.testing.assert_frame_equal(out.estimates, table)
    assert out.naive == pytest.approx(table.at["naive", "estimate"])
    row = out.summary()
    assert row.shape == (1, 8) and row.at[0, "adjusted_ci_high"] == out.adjusted_ci[1]
    assert loyalty.confounding_demo(0.5, n_customers=500, rng=3, loyalty_effect=7.0).truth == 7.0


def test_confounding_demo_dict_access_still_works_and_says_where_to_go():
    out = loyalty.confounding_demo(0.5, n_customers=300, rng=3)
    with pytest.warns(FutureWarning, match=r"confounding_demo\(...\)\['naive'\] is deprecated .*use confounding_demo\(...\).naive"):
        assert out["naive"] == out.naive
    with pytest.raises(KeyError):
        out["nonsense"]


def test_naive_minus_adjusted_grows_in_proportion_to_confounding():
    """Averaged over seeds, the bias is ~0 without confounding and proportional to it."""
    levels = [0.0, 0.3, 0.6, 0.9]
    gaps = np.array(
        [[(lambda o: o.naive - o.adjusted)(loyalty.confounding_demo(c, rng=seed)) for c in levels] for seed in range(8)]
    )
    mean = gaps.mean(axis=0)
    assert abs(mean[0]) < 0.5
    assert mean[0] < mean[1] < mean[2] < mean[3]
    assert (gaps[:, 3] > 0).all()
    # proportional: bias at 0.9 is about three times the bias at 0.3
    assert mean[3] / mean[1] == pytest.approx(3.0, rel=0.25)


def test_confounding_sweep_common_random_numbers():
    sweep = loyalty.confounding_sweep([0.0, 0.5], n_customers=500, rng=5)
    assert list(sweep.columns) == [
        "confounding", "naive", "naive_ci_low", "naive_ci_high",
        "adjusted", "adjusted_ci_low", "adjusted_ci_high", "truth",
    ]  # fmt: skip
    assert sweep.at[1, "naive"] == pytest.approx(loyalty.confounding_demo(0.5, n_customers=500, rng=5).naive)
    with pytest.raises(ValueError, match="confounding must be a finite number >= 0 and <= 0.95; got 4.0"):
        loyalty.confounding_sweep([4.0], rng=1)


# ---------------------------------------------------------------------------
# early_and_late (CDNOW-style transactions)
# ---------------------------------------------------------------------------


@pytest.fixture
def tiny_tx():
    # Week 1 = days 0-6 from 2020-01-01, week 2 = days 7-13, week 3 = 14-20, week 4 = 21-27.
    rows = [
        (10, "2020-01-01", 10.0),  # day 0, week 1
        (10, "2020-01-01", 5.0),  # same day: the same order
        (10, "2020-01-10", 20.0),  # day 9, week 2
        (10, "2020-01-16", 7.0),  # day 15, week 3
        (20, "2020-01-13", 8.0),  # day 12, week 2
        (30, "2020-01-05", 3.0),  # day 4, week 1
        (30, "2020-01-27", 4.0),  # day 26, week 4
        (30, "2020-01-28", 6.0),  # day 27, week 4
        (40, "2020-01-20", 12.0),  # day 19, week 3: first purchase after the split
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.sample(frac=1.0, random_state=0)  # order must not matter


def test_early_and_late_by_hand(tiny_tx):
    out = loyalty.early_and_late(tiny_tx, split_week=2, end_week=4)
    expected = pd.DataFrame(
        {
            "first_week": [1, 2, 1, 3],
            "early_orders": [2, 1, 1, 0],
            "early_repeats": [1, 0, 0, 0],
            "early_spend": [35.0, 8.0, 3.0, 0.0],
            "first_spend": [15.0, 8.0, 3.0, 12.0],
            "late_orders": [1, 0, 2, 1],
            "late_spend": [7.0, 0.0, 10.0, 12.0],
            "late_any": [True, False, True, True],
        },
        index=pd.Index([10, 20, 30, 40], name="customer_id"),
    )
    pd.testing.assert_frame_equal(out, expected)
    shorter = loyalty.early_and_late(tiny_tx, split_week=2, end_week=3)
    assert shorter["late_orders"].tolist() == [1, 0, 0, 1]
    assert shorter["late_spend"].tolist() == [7.0, 0.0, 0.0, 12.0]


def test_early_and_late_errors(tiny_tx):
    with pytest.raises(ValueError, match="column 'amount' is not a column of the data; the data has: 'customer_id', 'date', 'amoun'; did you mean 'amoun'"):
        loyalty.early_and_late(tiny_tx.rename(columns={"amount": "amoun"}))
    with pytest.raises(TypeError, match="column 'date' must hold dates"):
        loyalty.early_and_late(tiny_tx.assign(date=tiny_tx["date"].dt.strftime("%Y%m%d")))
    with pytest.raises(ValueError, match="end_week must be an integer >= 3; got 2"):
        loyalty.early_and_late(tiny_tx, split_week=2, end_week=2)
    with pytest.raises(ValueError, match="end_week must be at most 4, the last week in the data"):
        loyalty.early_and_late(tiny_tx, split_week=2, end_week=5)
    with pytest.raises(ValueError, match="split_week must be an integer >= 1; got 0"):
        loyalty.early_and_late(tiny_tx, split_week=0, end_week=3)
    with pytest.raises(ValueError, match="negative values"):
        loyalty.early_and_late(tiny_tx.assign(amount=-tiny_tx["amount"]), split_week=2, end_week=4)


def test_early_and_late_on_cdnow_sample():
    tx = load("cdnow_sample")
    out = loyalty.early_and_late(tx)
    assert len(out) == 2357
    assert out["first_week"].between(1, 12).all()  # the cohort first bought in Q1 1997
    assert (out["early_orders"] >= 1).all()
    assert (out["early_repeats"] == out["early_orders"] - 1).all()
    # weeks 1-78 cover every transaction: spend adds up
    assert out["early_spend"].sum() + out["late_spend"].sum() == pytest.approx(tx["amount"].sum())
    assert (out["late_any"] == (out["late_spend"] > 0) | (out["late_orders"] > 0)).all()
    assert (out["first_spend"] <= out["early_spend"] + 1e-9).all()
    # early repeat buyers spend more later (the lesson's real-data question)
    later = out.groupby(out["early_repeats"].clip(upper=2))["late_spend"].mean()
    assert later.is_monotonic_increasing


def test_replicate_matches_compare_estimates_and_covers():
    reps = loyalty.replicate(60, n_customers=400, rng=8, confounding=0.7)
    assert list(reps.columns) == ["replication", "model", "estimate", "std_error", "ci_low", "ci_high", "truth", "covers"]
    assert len(reps) == 120 and set(reps["model"]) == {"naive", "adjusted"}
    assert (reps["covers"] == (reps["ci_low"] <= reps["truth"]) & (reps["truth"] <= reps["ci_high"])).all()
    pd.testing.assert_frame_equal(reps, loyalty.replicate(60, n_customers=400, rng=8, confounding=0.7))
    # replication 0 is the panel of the first spawned stream: same numbers as compare_estimates
    stream = np.random.default_rng(8).spawn(1)[0]
    table = loyalty.compare_estimates(customer_panel(400, confounding=0.7, rng=stream))
    first = reps[reps["replication"] == 0].set_index("model")
    for model in ("naive", "adjusted"):
        for col in ("estimate", "std_error", "ci_low", "ci_high"):
            assert first.at[model, col] == pytest.approx(table.at[model, col], rel=1e-10)
    coverage = reps.groupby("model")["covers"].mean()
    assert coverage["adjusted"] >= 0.85 and coverage["naive"] <= 0.2
    with pytest.raises(ValueError, match="n_replications must be an integer between 1 and 100000; got 0"):
        loyalty.replicate(0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'loyalty'"):
        loyalty.replicate(2, loyalty=3.0)
