"""Lesson 02's known-truth generator, cxlib.data.customer_panel, against its datasheet."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlib import data
from cxlib.data import customer_panel, load, read_cdnow

COLUMNS = ["customer_id", "segment", "tenure_months", "satisfaction", "loyalty", "nps", "orders", "revenue"]


# ---------------------------------------------------------------------------
# The panel: reproducibility, shape, ranges
# ---------------------------------------------------------------------------


def test_same_seed_same_panel_different_seed_different():
    a, b, c = customer_panel(300, rng=5), customer_panel(300, rng=5), customer_panel(300, rng=6)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.truth == b.truth
    assert not a.data["revenue"].equals(c.data["revenue"])
    assert not a.data["loyalty"].equals(c.data["loyalty"])


def test_generator_is_used_and_advances():
    gen = np.random.default_rng(3)
    first, second = customer_panel(100, rng=gen), customer_panel(100, rng=gen)
    assert not first.data["revenue"].equals(second.data["revenue"])
    pd.testing.assert_frame_equal(customer_panel(100, rng=np.random.default_rng(3)).data, first.data)


def test_columns_dtypes_and_ranges():
    panel = customer_panel(5000, rng=1)
    df = panel.data
    assert list(df.columns) == COLUMNS
    assert isinstance(df["segment"].dtype, pd.CategoricalDtype)
    assert list(df["segment"].cat.categories) == ["budget", "mainstream", "premium"]
    for col in ("customer_id", "tenure_months", "satisfaction", "nps", "orders"):
        assert df[col].dtype == np.int64, col
    for col in ("loyalty", "revenue"):
        assert df[col].dtype == np.float64, col
    assert df["customer_id"].tolist() == list(range(1, 5001))
    assert df["tenure_months"].min() >= 1
    assert df["loyalty"].between(0, 100).all()
    np.testing.assert_allclose(df["loyalty"], df["loyalty"].round(1))
    assert df["satisfaction"].between(0, 10).all() and df["nps"].between(0, 10).all()
    assert (df["orders"] >= 0).all() and (df["revenue"] >= 0).all()
    assert (df.loc[df["orders"] == 0, "revenue"] == 0).all()
    assert (df.loc[df["orders"] > 0, "revenue"] > 0).all()
    np.testing.assert_allclose(df["revenue"], df["revenue"].round(2))
    shares = df["segment"].value_counts(normalize=True)
    assert abs(shares["budget"] - 0.5) < 0.03 and abs(shares["premium"] - 0.15) < 0.03


def test_truth_and_repr_and_datasheet():
    panel = customer_panel(200, loyalty_effect=2.5, tenure_effect=1.0, confounding=0.5, dispersion=0.2, rng=0)
    t = panel.truth
    assert t["loyalty_effect"] == 2.5 and t["tenure_effect"] == 1.0
    assert t["segment_base"] == {"budget": 150.0, "mainstream": 300.0, "premium": 600.0}
    assert t["order_value"] == {"budget": 25.0, "mainstream": 40.0, "premium": 80.0}
    assert t["confounding"] == 0.5 and t["dispersion"] == 0.2 and t["bias_direction"] == "upward"
    assert customer_panel(200, confounding=0, rng=0).truth["bias_direction"] == "none"
    one = customer_panel(200, tenure_effect=0, segment_shares={"premium": 1.0}, rng=0)
    assert one.truth["bias_direction"] == "none" and (one.data["segment"] == "premium").all()
    text = repr(panel)
    assert text.startswith("Panel(200 customers") and "loyalty_effect=2.5" in text
    for col in COLUMNS:
        assert f"`{col}`" in data.DATASHEET
    assert "2.95" in data.DATASHEET and "0.76" in data.DATASHEET
    assert "loyalty_effect: 2.5" in panel.datasheet()


def test_log_tenure_constants_match_the_population():
    tenure = 1 + np.floor(np.random.default_rng(0).gamma(2.0, 12.0, 400_000))
    assert abs(np.log(tenure).mean() - data.LOG_TENURE_MEAN) < 0.01
    assert abs(np.log(tenure).std() - data.LOG_TENURE_SD) < 0.01


def test_common_random_numbers_across_confounding():
    a = customer_panel(500, confounding=0.0, rng=9).data
    b = customer_panel(500, confounding=0.9, rng=9).data
    pd.testing.assert_series_equal(a["tenure_months"], b["tenure_months"])
    pd.testing.assert_series_equal(a["segment"], b["segment"])
    assert not a["loyalty"].equals(b["loyalty"])


def test_confounding_sets_correlation_not_spread():
    """Loyalty keeps sd ~15 at any confounding; its correlation with the confounders grows."""
    from cxlib.data import CONFOUNDER_MEAN, CONFOUNDER_SD, LOYALTY_SHIFT, SEGMENTS

    corrs = []
    for conf in (0.0, 0.5, 0.9):
        df = customer_panel(200_000, confounding=conf, rng=4).data
        shift = df["segment"].map(LOYALTY_SHIFT).astype(float)
        w = 0.8 * (np.log(df["tenure_months"]) - data.LOG_TENURE_MEAN) / data.LOG_TENURE_SD + shift
        assert abs(w.mean() - CONFOUNDER_MEAN) < 0.01 and abs(w.std() - CONFOUNDER_SD) < 0.01
        assert df["loyalty"].std() == pytest.approx(15.0, rel=0.02)
        corrs.append(np.corrcoef(w, df["loyalty"])[0, 1])
    assert corrs == pytest.approx([0.0, 0.5, 0.9], abs=0.01)
    assert list(SEGMENTS) == list(LOYALTY_SHIFT)


# ---------------------------------------------------------------------------
# The panel against its known truth
# ---------------------------------------------------------------------------


def _mu(df: pd.DataFrame, truth: dict) -> np.ndarray:
    base = df["segment"].map(truth["segment_base"]).astype(float).to_numpy()
    return base + truth["loyalty_effect"] * df["loyalty"].to_numpy() + truth["tenure_effect"] * df["tenure_months"].to_numpy()


@pytest.fixture(scope="module")
def big_panel():
    return customer_panel(200_000, rng=2024)


def test_mean_revenue_is_mu_and_orders_are_nb2(big_panel):
    df, truth = big_panel.data, big_panel.truth
    mu = _mu(df, truth)
    resid = df["revenue"].to_numpy() - mu
    assert abs(resid.mean()) < 4 * resid.std() / math.sqrt(len(df))
    lam = mu / df["segment"].map(truth["order_value"]).astype(float).to_numpy()
    orders = df["orders"].to_numpy()
    assert abs((orders - lam).mean()) < 4 * (orders - lam).std() / math.sqrt(len(df))
    # NB2: E[(y - lam)^2 - lam] = dispersion * lam^2
    excess = ((orders - lam) ** 2 - lam).mean() / (lam**2).mean()
    assert abs(excess - truth["dispersion"]) < 0.03


def test_adjusted_ols_recovers_truth_and_naive_is_biased_upward(big_panel):
    from cxlib.loyalty import compare_estimates

    table = compare_estimates(big_panel)
    truth = big_panel.truth["loyalty_effect"]
    adj, naive = table.loc["adjusted"], table.loc["naive"]
    assert abs(adj["estimate"] - truth) < 4 * adj["std_error"]
    assert naive["estimate"] - truth > 10 * naive["std_error"]
    assert big_panel.truth["bias_direction"] == "upward"


def test_naive_is_unbiased_without_confounding():
    from cxlib.loyalty import compare_estimates

    panel = customer_panel(200_000, confounding=0.0, rng=11)
    table = compare_estimates(panel)
    naive = table.loc["naive"]
    assert abs(naive["estimate"] - panel.truth["loyalty_effect"]) < 4 * naive["std_error"]


def test_satisfaction_and_nps_track_loyalty_but_do_not_enter_revenue(big_panel):
    from cxlib.loyalty import fit

    df = big_panel.data
    assert df["loyalty"].corr(df["satisfaction"]) > 0.6 and df["loyalty"].corr(df["nps"]) > 0.5
    res = fit("revenue ~ loyalty + tenure_months + C(segment) + satisfaction + nps", df)
    for term in ("satisfaction", "nps"):
        assert abs(res.params[term]) < 4 * res.bse[term]


# ---------------------------------------------------------------------------
# Bad arguments: one line naming the argument and the value
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, exc, fragments",
    [
        ({"n_customers": 0}, ValueError, ["n_customers", "got 0", "between 10 and 10000000"]),
        ({"n_customers": -5}, ValueError, ["n_customers", "got -5"]),
        ({"n_customers": 2.5}, TypeError, ["n_customers", "2.5", "integer"]),
        ({"n_customers": "100"}, TypeError, ["n_customers", "'100'", "integer"]),
        ({"n_customers": True}, TypeError, ["n_customers", "True"]),
        ({"confounding": -1}, ValueError, ["confounding", "got -1", ">= 0", "<= 0.95"]),
        ({"confounding": float("nan")}, ValueError, ["confounding", "nan"]),
        ({"dispersion": -0.1}, ValueError, ["dispersion", "-0.1", ">= 0"]),
        ({"loyalty_effect": 25}, ValueError, ["loyalty_effect", "25", "<= 20"]),
        ({"tenure_effect": -2}, ValueError, ["tenure_effect", "-2"]),
        ({"segment_shares": {"vip": 1.0}}, ValueError, ["segment_shares", "'vip'", "'budget', 'mainstream', 'premium'"]),
        ({"segment_shares": {"budget": 1.5}}, ValueError, ["segment_shares", "budget", "1.5", "between 0 and 1"]),
        ({"segment_shares": {"budget": 0.5, "premium": 0.4}}, ValueError, ["segment_shares", "sum to 1", "0.9"]),
        ({"segment_shares": [0.5, 0.5]}, TypeError, ["segment_shares", "mapping"]),
        ({"rng": "abc"}, TypeError, ["rng", "'abc'"]),
        ({"rng": -1}, ValueError, ["rng", "-1"]),
    ],
)
def test_bad_panel_arguments(kwargs, exc, fragments):
    args = {"n_customers": 100, **kwargs}
    with pytest.raises(exc) as info:
        customer_panel(args.pop("n_customers"), **args)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
