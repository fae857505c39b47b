"""Retention (sBG, margin multiple) and transaction summaries (RFM, calibration/hold-out).

The private modules are imported directly so that these tests do not depend on
``cxlib._clv_models`` (written in parallel); ``cxlib.clv`` re-exports the same names.
"""

from __future__ import annotations

import hashlib
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import betaln, hyp2f1

from cxlib import data
from cxlib._clv_base import ConvergenceWarning
from cxlib._clv_data import calibration_and_holdout, rfm_summary
from cxlib._clv_retention import (
    SBGFit,
    _derl_closed_form,
    _sbg_loglik_parts,
    fit_sbg,
    margin_multiple,
    simulate_sbg,
)

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


def sbg(alpha: float, beta: float) -> SBGFit:
    """An SBGFit with given parameters (for identities that need no data)."""
    index = ["alpha", "beta"]
    return SBGFit(
        model="sBG",
        params=pd.Series([alpha, beta], index=index, dtype=float),
        se=pd.Series([np.nan, np.nan], index=index),
        loglik=np.nan,
        n=0,
        converged=True,
    )


def derl_by_sum(alpha: float, beta: float, d: float, n: int) -> float:
    """DERL as the discounted sum of conditional survival, truncated far out."""
    k = np.arange(int(60 / np.log1p(d)) + 10)
    return float(np.exp(betaln(alpha, beta + n + 1 + k) - betaln(alpha, beta + n) - k * np.log1p(d)).sum())


# ---------------------------------------------------------------------------
# The data set: published retention series
# ---------------------------------------------------------------------------


def test_retention_series_dataset():
    series = data.load("retention_series")
    assert list(series.columns) == ["year", "regular", "high_end"]
    assert [str(t) for t in series.dtypes] == ["int64", "int64", "int64"]
    assert series["year"].tolist() == list(range(13))
    assert series["regular"].tolist() == REGULAR
    assert series["high_end"].tolist() == HIGH_END
    assert data.verify("retention_series") == {"retention_series": True}
    table = data.list_datasets().set_index("name")
    assert table.loc["retention_series", "file"] == "retention_series.csv"
    assert table.loc["retention_series", "rows"] == 13
    raw = (data.datasets_dir() / "retention_series.csv").read_bytes()
    assert b"\r" not in raw and hashlib.sha256(raw).hexdigest() == table.loc["retention_series", "sha256"]
    sheet = (data.datasets_dir() / "retention_series.md").read_text()
    assert "10.1002/dir.20074" in sheet and table.loc["retention_series", "sha256"] in sheet


def test_edited_csv_fails_its_checksum(tmp_path, monkeypatch):
    target = tmp_path / "datasets"
    shutil.copytree(data.datasets_dir(), target, ignore=shutil.ignore_patterns("*.txt"))
    monkeypatch.setenv("CXCOURSE_DATASETS", str(target))
    path = target / "retention_series.csv"
    path.write_bytes(path.read_bytes().replace(b"631", b"632"))
    with pytest.raises(ValueError) as info:
        data.load("retention_series")
    message = str(info.value)
    assert "retention_series.csv' failed its checksum" in message and "datasets/retention_series.md" in message
    assert "\n" not in message
    assert data.verify("retention_series", strict=False) == {"retention_series": False}
    path.unlink()
    with pytest.raises(FileNotFoundError, match="retention_series.csv' does not exist"):
        data.load("retention_series")


# ---------------------------------------------------------------------------
# sBG: the published figures (Fader & Hardie 2007)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published_fits() -> dict[str, SBGFit]:
    series = data.load("retention_series")
    calibration = series[series["year"] <= 7]
    return {seg: fit_sbg(calibration[seg]) for seg in ("regular", "high_end")}


@pytest.mark.parametrize(
    "segment, alpha, beta, loglik",
    [("regular", 0.704, 1.182, -1680.3), ("high_end", 0.668, 3.806, -1611.2)],
)
def test_published_estimates(published_fits, segment, alpha, beta, loglik):
    fit = published_fits[segment]
    assert fit.converged and fit.model == "sBG" and fit.n == 1000
    assert round(fit.alpha, 3) == alpha and round(fit.beta, 3) == beta
    assert round(fit.loglik, 1) == loglik
    assert list(fit.params.index) == ["alpha", "beta"]
    assert (fit.se > 0).all() and np.isfinite(fit.se).all()
    summary = fit.summary()
    assert (summary["ci_low"] < summary["estimate"]).all() and (summary["estimate"] < summary["ci_high"]).all()


@pytest.mark.parametrize("segment", ["regular", "high_end"])
def test_published_fit_is_the_optimum(published_fits, segment):
    fit = published_fits[segment]
    counts = np.asarray(fit.extra["alive"], dtype=float)
    parts = _sbg_loglik_parts(counts)
    x = np.log(fit.params.to_numpy())
    negll, grad = parts(x)
    assert -negll == pytest.approx(fit.loglik, abs=1e-9)
    assert np.abs(grad).max() < 1e-3  # per cohort of 1,000: 1e-6 per customer
    for step in ([0.01, 0], [-0.01, 0], [0, 0.01], [0, -0.01], [0.01, 0.01], [0.01, -0.01]):
        assert parts(x + np.array(step))[0] > negll
    # the analytic gradient matches central differences at another point
    y = x + np.array([0.3, -0.2])
    h = 1e-6
    numeric = [(parts(y + h * e)[0] - parts(y - h * e)[0]) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(parts(y)[1], numeric, rtol=1e-6)
    # and the likelihood is the paper's: churn counts times log P(T = t), survivors times log S(7)
    t = np.arange(1, 8)
    lost = counts[:-1] - counts[1:]
    direct = np.dot(lost, np.log(fit.churn_probability(t))) + counts[-1] * np.log(fit.survival(7))
    assert direct == pytest.approx(fit.loglik, rel=1e-12)


def test_published_holdout_projections(published_fits):
    """Years 8-12 projected from years 0-7.

    Observed: regular 220.1, 204.4, 191.2, 179.9, 170.0 against 223, 207, 194, 183, 173
    (1.3% to 1.7% low); high end 460.4, 435.8, 414.2, 395.1, 378.0 against 468, 445, 427,
    409, 394 (1.6% to 4.1% low).  The sBG under-projects both segments slightly.
    """
    years = np.arange(8, 13)
    for segment, actual, worst in (("regular", REGULAR, 0.02), ("high_end", HIGH_END, 0.045)):
        fit = published_fits[segment]
        projected = fit.expected_alive(years, cohort_size=1000)
        error = (projected - np.array(actual[8:])) / np.array(actual[8:])
        assert (error < 0).all() and (np.abs(error) < worst).all(), (segment, error)
        # inside the calibration period the fit is within 3% of the data (worst: year 4, regular 2.9%, high end 1.9%)
        inside = fit.expected_alive(np.arange(8), 1000) / np.array(actual[:8])
        assert np.abs(inside - 1).max() < 0.03
    np.testing.assert_allclose(
        published_fits["regular"].expected_alive(years, 1000), [220.1, 204.4, 191.2, 179.9, 170.0], atol=0.05
    )
    np.testing.assert_allclose(
        published_fits["high_end"].expected_alive(years, 1000), [460.4, 435.8, 414.2, 395.1, 378.0], atol=0.05
    )


def test_published_retention_rises_and_derl(published_fits):
    high = published_fits["high_end"]
    r = high.retention(np.arange(1, 13))
    assert (np.diff(r) > 0).all() and r[0] == pytest.approx(high.beta / (high.alpha + high.beta))
    # DERL of a high-end customer with 7 renewals at d = 10%: 7.53, the value the
    # shifted_beta_geometric_py package reports for the same data
    assert round(high.derl(0.1, n_renewals=7), 2) == 7.53
    assert high.derl(0.1, n_renewals=7) > high.derl(0.1, n_renewals=0)


# ---------------------------------------------------------------------------
# sBG identities
# ---------------------------------------------------------------------------

positive = st.floats(min_value=0.05, max_value=50.0)


@settings(max_examples=60, deadline=None)
@given(alpha=positive, beta=positive, horizon=st.integers(min_value=1, max_value=40))
def test_survival_retention_churn_identities(alpha, beta, horizon):
    m = sbg(alpha, beta)
    t = np.arange(1, horizon + 1)
    assert m.survival(0) == 1.0 and isinstance(m.survival(0), float)
    s = m.survival(np.arange(horizon + 1))
    np.testing.assert_allclose(s[1:], np.cumprod(m.retention(t)), rtol=1e-10)
    np.testing.assert_allclose(m.churn_probability(t), s[:-1] - s[1:], rtol=1e-8, atol=1e-15)
    assert m.churn_probability(t).sum() + s[-1] == pytest.approx(1.0, abs=1e-12)
    alive = m.expected_alive(t, cohort_size=500)
    np.testing.assert_allclose(alive, 500 - 500 * np.cumsum(m.churn_probability(t)), rtol=1e-8, atol=1e-9)
    assert m.retention(1) == pytest.approx(beta / (alpha + beta))
    assert m.churn_probability(1) == pytest.approx(alpha / (alpha + beta))
    assert (np.diff(m.retention(t)) >= 0).all()


def test_shapes_of_outputs():
    m = sbg(0.7, 1.2)
    assert isinstance(m.survival(3), float) and isinstance(m.retention(3), float)
    assert m.survival([[0, 1], [2, 3]]).shape == (2, 2)
    assert m.churn_probability(np.array([1, 2, 3])).shape == (3,)
    assert isinstance(m.derl(0.1), float) and m.derl([0.05, 0.1, 0.2]).shape == (3,)
    assert m.alpha == 0.7 and m.beta == 1.2
    assert repr(m).startswith("SBGFit(sBG: alpha=0.7, beta=1.2")


@settings(max_examples=60, deadline=None)
@given(
    alpha=st.floats(min_value=0.1, max_value=20.0),
    beta=st.floats(min_value=0.1, max_value=20.0),
    d=st.floats(min_value=0.02, max_value=1.0),
    n=st.integers(min_value=0, max_value=20),
)
def test_derl_closed_form_equals_truncated_sum(alpha, beta, d, n):
    """The FH (2010) closed form with hyp2f1 = the discounted sum of survival, here within 1e-8."""
    direct = derl_by_sum(alpha, beta, d, n)
    closed = (beta + n) / (alpha + beta + n) * hyp2f1(1, beta + n + 1, alpha + beta + n + 1, 1 / (1 + d))
    assert closed == pytest.approx(direct, rel=1e-8)
    assert _derl_closed_form(alpha, beta, d, n) == pytest.approx(direct, rel=1e-8)
    assert sbg(alpha, beta).derl(d, n_renewals=n) == pytest.approx(direct, rel=1e-8)


@pytest.mark.parametrize(
    "alpha, beta, d, n",
    [(10, 100, 0.1, 50), (50, 100, 0.01, 0), (3, 100, 0.1, 50), (0.05, 1000, 0.01, 7), (300, 10, 0.01, 50),
     (0.7, 1.2, 0.001, 0)],
)
def test_derl_where_hyp2f1_fails(alpha, beta, d, n):
    """SciPy's hyp2f1 returns inf/nan or wrong digits here; derl (a summed series) does not."""
    assert sbg(alpha, beta).derl(d, n_renewals=n) == pytest.approx(derl_by_sum(alpha, beta, d, n), rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(alpha=positive, beta=positive, d=st.floats(min_value=0.01, max_value=2.0), n=st.integers(0, 30))
def test_derl_recursion(alpha, beta, d, n):
    """DERL(n) = r_{n+1} (1 + DERL(n + 1) / (1 + d))."""
    m = sbg(alpha, beta)
    assert m.derl(d, n) == pytest.approx(m.retention(n + 1) * (1 + m.derl(d, n + 1) / (1 + d)), rel=1e-10)


@pytest.mark.parametrize("r, d", [(0.8, 0.1), (0.5, 0.05), (0.95, 0.12)])
def test_derl_without_heterogeneity_is_the_margin_multiple(r, d):
    """Huge alpha, beta with beta / (alpha + beta) = r: constant retention r."""
    m = sbg(1e7 * (1 - r), 1e7 * r)
    assert m.derl(d) == pytest.approx(r * margin_multiple(r, d, paid="start"), rel=1e-5)
    assert m.derl(d) == pytest.approx((1 + d) * margin_multiple(r, d), rel=1e-5)


# ---------------------------------------------------------------------------
# sBG: simulation and parameter recovery
# ---------------------------------------------------------------------------


def test_simulate_sbg_basics():
    a = simulate_sbg(0.7, 1.2, 1000, 7, rng=3)
    assert a.dtype == np.int64 and a.shape == (8,) and a[0] == 1000 and (np.diff(a) <= 0).all()
    np.testing.assert_array_equal(a, simulate_sbg(0.7, 1.2, 1000, 7, rng=3))
    gen = np.random.default_rng(3)
    first, second = simulate_sbg(0.7, 1.2, 1000, 7, rng=gen), simulate_sbg(0.7, 1.2, 1000, 7, rng=gen)
    assert not np.array_equal(first, second)
    # extreme churn probabilities: Beta draws of exactly 0 or 1 are handled
    tiny = simulate_sbg(0.01, 0.01, 5000, 5, rng=0)
    assert tiny[0] == 5000 and 0 < tiny[-1] < 5000


@pytest.mark.parametrize("alpha, beta", [(0.7, 1.2), (0.3, 5.0), (4.0, 2.0)])
def test_simulated_counts_are_binomial_around_survival(alpha, beta):
    """Customers are independent, so alive[t] ~ Binomial(N, S(t)) exactly."""
    n = 200_000
    alive = simulate_sbg(alpha, beta, n, 10, rng=11)
    s = sbg(alpha, beta).survival(np.arange(11))
    z = (alive - n * s) / np.sqrt(n * s * (1 - s) + 1e-12)
    assert np.abs(z[1:]).max() < 4, z


@pytest.mark.parametrize("alpha", [0.2, 1.0, 3.0, 10.0])
@pytest.mark.parametrize("beta", [0.2, 1.0, 3.0, 10.0])
def test_parameter_recovery(alpha, beta):
    for seed in range(3):
        alive = simulate_sbg(alpha, beta, 20_000, 12, rng=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            fit = fit_sbg(alive)
        assert fit.converged
        z = (fit.params.to_numpy() - [alpha, beta]) / fit.se.to_numpy()
        assert np.abs(z).max() < 4, (alpha, beta, seed, fit.params.tolist(), fit.se.tolist())


def test_fit_accepts_series_and_arrays():
    a = fit_sbg(pd.Series(HIGH_END[:8]))
    b = fit_sbg(np.array(HIGH_END[:8], dtype=float))
    c = fit_sbg(tuple(HIGH_END[:8]))
    assert a.params.equals(b.params) and b.params.equals(c.params)
    assert a.extra["alive"].tolist() == HIGH_END[:8]


@pytest.mark.parametrize(
    "alive, fragment",
    [
        ([10, 9, 8, 7, 6, 5], "constant retention 0.8"),  # no heterogeneity: alpha, beta -> infinity
        ([100, 50, 50], "shrinks to 0"),  # half leave at once, half never
    ],
)
def test_boundary_fits_warn_and_are_not_converged(alive, fragment):
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        fit = fit_sbg(alive)
    assert not fit.converged and fragment in fit.message


@pytest.mark.parametrize(
    "alive, exc, fragments",
    [
        ([1000], ValueError, ["alive", "at least 2 periods", "3 counts", "[1000]"]),
        ([1000, 600], ValueError, ["at least 2 periods", "[1000, 600]"]),
        ([1000, 600, 700], ValueError, ["must not increase", "alive[2] = 700 > alive[1] = 600"]),
        ([1000, 600.5, 500], ValueError, ["whole numbers", "600.5 at position 1"]),
        ([1000, 600, -1], ValueError, [">= 0", "-1.0 at position 2"]),
        ([0, 0, 0], ValueError, ["alive[0], the cohort size, must be > 0", "[0, 0, 0]"]),
        ([1000, float("nan"), 5], ValueError, ["whole numbers", "nan at position 1"]),
        ([1000, 1000, 1000], ValueError, ["no churn", "100%"]),
        ([1000, 0, 0], ValueError, ["every customer leaving in period 1"]),
        ([[1000, 600], [500, 400]], ValueError, ["one-dimensional", "(2, 2)"]),
        ("1000 600 400", TypeError, ["alive must be", "'1000 600 400' (str)"]),
        ([1000, "600", 400], TypeError, ["alive must be", "'600' (str)"]),
        ([1000, True, 0], TypeError, ["True (bool)"]),
        (None, TypeError, ["alive must be", "None"]),
    ],
)
def test_bad_alive(alive, exc, fragments):
    with pytest.raises(exc) as info:
        fit_sbg(alive)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(
    "call, exc, fragments",
    [
        (lambda m: m.survival(-1), ValueError, ["t must be a whole number of periods >= 0", "got -1.0"]),
        (lambda m: m.survival([0, 1.5]), ValueError, ["whole number", "1.5 at position 1"]),
        (lambda m: m.retention(0), ValueError, ["t must be a whole number of periods >= 1", "got 0.0"]),
        (lambda m: m.churn_probability([1, 0]), ValueError, [">= 1", "0.0 at position 1"]),
        (lambda m: m.survival("3"), TypeError, ["t must be", "'3' (str)"]),
        (lambda m: m.expected_alive(3, 0), ValueError, ["cohort_size must be an integer >= 1", "got 0"]),
        (lambda m: m.expected_alive(3, 10.5), TypeError, ["cohort_size", "10.5"]),
        (lambda m: m.derl(0), ValueError, ["discount must be a discount rate > 0", "got 0.0"]),
        (lambda m: m.derl([0.1, -0.2]), ValueError, ["discount", "-0.2 at position 1"]),
        (lambda m: m.derl(0.1, n_renewals=-1), ValueError, ["n_renewals must be an integer >= 0", "got -1"]),
        (lambda m: m.derl(0.1, n_renewals=1.5), TypeError, ["n_renewals", "1.5"]),
    ],
)
def test_bad_method_arguments(call, exc, fragments):
    with pytest.raises(exc) as info:
        call(sbg(0.7, 1.2))
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(
    "kwargs, exc, fragments",
    [
        ({"alpha": 0}, ValueError, ["alpha must be a finite number > 0", "got 0.0"]),
        ({"beta": -1}, ValueError, ["beta", "> 0", "-1"]),
        ({"alpha": float("inf")}, ValueError, ["alpha", "inf"]),
        ({"cohort_size": 0}, ValueError, ["cohort_size must be an integer >= 1", "got 0"]),
        ({"n_periods": 0}, ValueError, ["n_periods must be an integer >= 1", "got 0"]),
        ({"n_periods": 2.5}, TypeError, ["n_periods", "2.5"]),
        ({"rng": "seed"}, TypeError, ["rng", "'seed'"]),
        ({"rng": -3}, ValueError, ["rng", "-3"]),
    ],
)
def test_bad_simulate_arguments(kwargs, exc, fragments):
    args = {"alpha": 0.7, "beta": 1.2, "cohort_size": 100, "n_periods": 5, **kwargs}
    with pytest.raises(exc) as info:
        simulate_sbg(**args)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


# ---------------------------------------------------------------------------
# The margin multiple
# ---------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(r=st.floats(min_value=0.0, max_value=0.95), d=st.floats(min_value=0.0, max_value=1.0))
def test_margin_multiple_is_the_geometric_sum(r, d):
    t = np.arange(2000)
    terms = (r / (1 + d)) ** t
    assert margin_multiple(r, d, paid="start") == pytest.approx(terms.sum(), rel=1e-10)
    assert margin_multiple(r, d) == pytest.approx(terms[1:].sum(), rel=1e-10, abs=1e-15)
    assert margin_multiple(r, d, paid="start") - margin_multiple(r, d) == pytest.approx(1.0)


def test_margin_multiple_is_gupta_and_lehmanns_by_default():
    """Gupta & Lehmann (2003, 2005): margin multiple r / (1 + i - r); 2.5 at r = 0.8, i = 0.12."""
    assert margin_multiple(0.8, 0.12) == pytest.approx(2.5)
    assert margin_multiple(0.9, 0.12) == pytest.approx(0.9 / 0.22)


def test_margin_multiple_values_and_broadcasting():
    assert margin_multiple(0.8, 0.1, paid="start") == pytest.approx(1.1 / 0.3)
    assert margin_multiple(0.8, 0.1) == pytest.approx(0.8 / 0.3)
    assert margin_multiple(0.0, 0.1, paid="start") == 1.0 and margin_multiple(0.0, 0.1) == 0.0
    assert isinstance(margin_multiple(0.8, 0.1), float)
    grid = margin_multiple(np.array([[0.6], [0.8], [0.9]]), [0.05, 0.1], paid="start")
    assert grid.shape == (3, 2)
    assert grid[1, 1] == pytest.approx(1.1 / 0.3)
    assert (np.diff(grid, axis=0) > 0).all() and (np.diff(grid, axis=1) < 0).all()
    # a negative discount rate is allowed as long as the sum converges
    assert margin_multiple(0.5, -0.2, paid="start") == pytest.approx(0.8 / 0.3)


@pytest.mark.parametrize(
    "args, kwargs, exc, fragments",
    [
        ((1.0, 0.1), {}, ValueError, ["retention must be a retention rate >= 0 and < 1", "got 1.0"]),
        ((-0.1, 0.1), {}, ValueError, ["retention", "got -0.1"]),
        (([0.5, 1.2], 0.1), {}, ValueError, ["retention", "1.2 at position 1"]),
        ((float("nan"), 0.1), {}, ValueError, ["retention", "nan"]),
        ((0.8, -1.0), {}, ValueError, ["discount must be a discount rate > -1", "got -1.0"]),
        ((0.8, -1.5), {}, ValueError, ["discount", "-1.5"]),
        ((0.8, -0.3), {}, ValueError, ["discount must be > retention - 1", "-0.3", "0.8"]),
        (([0.5, 0.8], [0.1, 0.2, 0.3]), {}, ValueError, ["broadcastable shapes", "(2,)", "(3,)"]),
        (("0.8", 0.1), {}, TypeError, ["retention must be", "'0.8' (str)"]),
        ((0.8, None), {}, TypeError, ["discount must be", "None"]),
        ((True, 0.1), {}, TypeError, ["retention", "True (bool)"]),
        ((0.8, 0.1), {"paid": "begin"}, ValueError, ["paid 'begin' is not known", "'start', 'end'"]),
    ],
)
def test_bad_margin_multiple_arguments(args, kwargs, exc, fragments):
    with pytest.raises(exc) as info:
        margin_multiple(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


# ---------------------------------------------------------------------------
# RFM summaries: hand-made transactions
# ---------------------------------------------------------------------------


@pytest.fixture
def hand() -> pd.DataFrame:
    """Customer A: repeat buyer (two lines on day 1, a purchase with a time of day, a
    hold-out purchase); B: one calibration purchase, two lines on one hold-out day;
    C: first purchase after the calibration period."""
    return pd.DataFrame(
        {
            "cust": ["A", "A", "A", "A", "A", "B", "B", "B", "C"],
            "when": pd.to_datetime(
                ["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-29 10:30", "2024-02-20",
                 "2024-01-08", "2024-02-12", "2024-02-12", "2024-02-10"],
                format="mixed",
            ),
            "spend": [10.0, 5.0, 20.0, 30.0, 40.0, 7.0, 8.0, 2.0, 99.0],
        }
    )


def test_rfm_summary_by_hand(hand):
    s = rfm_summary(hand, "cust", "when", "spend", calibration_end="2024-02-05")
    assert s.index.name == "cust" and s.index.tolist() == ["A", "B"]  # C acquired later
    assert list(s.columns) == ["frequency", "recency", "T", "monetary_value"]
    assert s["frequency"].dtype == np.int64
    # A: purchase days Jan 1, 15, 29 (same-day lines merged) -> 2 repeats; T to Feb 5 = 35 days
    assert s.loc["A"].tolist() == [2, 4.0, 5.0, 25.0]  # recency 28 days; mean of 20 and 30
    assert s.loc["B"].tolist() == [0, 0.0, 4.0, 0.0]  # T: Jan 8 to Feb 5 = 28 days


def test_rfm_summary_units_and_defaults(hand):
    days = rfm_summary(hand, "cust", "when", calibration_end="2024-02-05", time_unit="D")
    assert list(days.columns) == ["frequency", "recency", "T"]
    assert days.loc["A", "recency"] == 28 and days.loc["A", "T"] == 35
    months = rfm_summary(hand, "cust", "when", calibration_end="2024-02-05", time_unit="M")
    assert months.loc["A", "T"] == pytest.approx(35 / 30.4375)
    # no cut-off: everyone, T to the last purchase day (Feb 20)
    full = rfm_summary(hand, "cust", "when", "spend", time_unit="D")
    assert full.index.tolist() == ["A", "B", "C"]
    assert full.loc["A"].tolist() == [3, 50.0, 50.0, 30.0]  # repeats 20, 30, 40
    assert full.loc["B"].tolist() == [1, 35.0, 43.0, 10.0]  # Feb 12: 8 + 2 on one day
    assert full.loc["C"].tolist() == [0, 0.0, 10.0, 0.0]
    # observation_end alone cuts purchases after it and sets T
    upto = rfm_summary(hand, "cust", "when", observation_end="2024-02-12", time_unit="D")
    assert upto.index.tolist() == ["A", "B", "C"] and upto.loc["B", "frequency"] == 1
    assert upto.loc["A"].tolist() == [2, 28.0, 42.0]
    # both: purchases cut at calibration_end, T runs to observation_end
    both = rfm_summary(hand, "cust", "when", calibration_end="2024-02-05", observation_end="2024-02-26",
                       time_unit="D")
    assert both.loc["A"].tolist() == [2, 28.0, 56.0]


def test_rfm_summary_accepts_strings_timezones_and_unsorted_rows(hand):
    shuffled = hand.sample(frac=1, random_state=1)
    shuffled = shuffled.assign(when=shuffled["when"].dt.strftime("%Y-%m-%d %H:%M"))
    a = rfm_summary(shuffled, "cust", "when", "spend", calibration_end="2024-02-05")
    b = rfm_summary(hand, "cust", "when", "spend", calibration_end=pd.Timestamp("2024-02-05 18:00"))
    pd.testing.assert_frame_equal(a, b)
    aware = hand.assign(when=hand["when"].dt.tz_localize("Europe/Paris"))
    pd.testing.assert_frame_equal(rfm_summary(aware, "cust", "when", "spend", calibration_end="2024-02-05"), b)
    ints = hand.assign(cust=hand["cust"].map({"A": 1, "B": 2, "C": 3}))
    assert rfm_summary(ints, "cust", "when").index.tolist() == [1, 2, 3]


def test_calibration_and_holdout_by_hand(hand):
    c = calibration_and_holdout(hand, "cust", "when", "2024-02-05", "2024-02-26", value_col="spend")
    assert c.index.tolist() == ["A", "B"]
    assert list(c.columns) == ["frequency", "recency", "T", "monetary_value",
                               "frequency_holdout", "monetary_value_holdout", "duration_holdout"]
    assert c.loc["A"].tolist() == [2, 4.0, 5.0, 25.0, 1, 40.0, 3.0]
    assert c.loc["B"].tolist() == [0, 0.0, 4.0, 0.0, 1, 10.0, 3.0]
    assert c["frequency_holdout"].dtype == np.int64
    pd.testing.assert_frame_equal(
        c[["frequency", "recency", "T", "monetary_value"]],
        rfm_summary(hand, "cust", "when", "spend", calibration_end="2024-02-05"),
    )
    # a shorter hold-out period drops A's purchase on Feb 20; the default runs to the last date
    short = calibration_and_holdout(hand, "cust", "when", "2024-02-05", "2024-02-15", time_unit="D")
    assert short["frequency_holdout"].tolist() == [0, 1] and (short["duration_holdout"] == 10).all()
    assert "monetary_value_holdout" not in short
    default = calibration_and_holdout(hand, "cust", "when", "2024-02-05", time_unit="D")
    assert (default["duration_holdout"] == 15).all() and default["frequency_holdout"].tolist() == [1, 1]


# ---------------------------------------------------------------------------
# RFM summaries: CDNOW
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return data.load("cdnow_sample")


def test_cdnow_calibration_summary(cdnow):
    s = rfm_summary(cdnow, "customer_id", "date", "amount", calibration_end="1997-09-30")
    assert len(s) == 2_357
    assert (s["frequency"] > 0).sum() == 946  # FHL (2005): 946 of 2,357 made a repeat purchase
    assert s["frequency"].sum() == 2_457 and s["frequency"].max() == 29
    assert s["T"].between(27, 39).all()
    assert s["T"].min() == 27.0 and s["T"].max() == pytest.approx(272 / 7)  # first purchases Mar 25 .. Jan 1
    assert (s["recency"] <= s["T"]).all() and (s.loc[s["frequency"] == 0, "recency"] == 0).all()
    # independent count: distinct purchase days up to Sep 30, minus the first
    cal = cdnow[cdnow["date"] <= "1997-09-30"]
    expected = cal.groupby("customer_id")["date"].nunique() - 1
    pd.testing.assert_series_equal(s["frequency"], expected.astype("int64"), check_names=False)
    # rows of lifetimes 0.11.3's cdnow_customers_summary.csv (rounded to 2 decimals there);
    # the whole file agrees customer by customer
    for customer, frequency, recency, t in [(4, 2, 30.43, 38.86), (21, 1, 1.71, 38.86), (50, 0, 0.0, 38.86),
                                            (1252, 1, 23.86, 38.29), (10447, 4, 24.43, 33.57),
                                            (23569, 0, 0.0, 27.0), (1760, 29, 37.71, 38.0)]:
        row = s.loc[customer]
        assert row["frequency"] == frequency and round(row["recency"], 2) == recency and round(row["T"], 2) == t
    repeaters = s[s["frequency"] > 0]
    assert (repeaters["monetary_value"] > 0).all() and (s.loc[s["frequency"] == 0, "monetary_value"] == 0).all()


def test_cdnow_calibration_and_holdout(cdnow):
    c = calibration_and_holdout(cdnow, "customer_id", "date", "1997-09-30", "1998-06-30", value_col="amount")
    assert len(c) == 2_357 and (c["duration_holdout"] == 39.0).all()  # Oct 1 .. Jun 30: 273 days
    hold = cdnow[cdnow["date"] > "1997-09-30"]
    assert c["frequency_holdout"].sum() == hold.groupby("customer_id")["date"].nunique().sum() == 1_882
    assert (c.loc[c["frequency_holdout"] == 0, "monetary_value_holdout"] == 0).all()
    assert (c["frequency_holdout"] > 0).sum() == hold["customer_id"].nunique()
    by_day = hold.groupby(["customer_id", "date"])["amount"].sum().groupby(level=0).mean()
    np.testing.assert_allclose(c.loc[by_day.index, "monetary_value_holdout"], by_day)


# ---------------------------------------------------------------------------
# RFM summaries: bad inputs
# ---------------------------------------------------------------------------


def _tx() -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": [1, 1, 2], "date": ["1997-01-01", "1997-02-01", "1997-01-05"], "amount": [1.0, 2.0, 3.0]}
    )


@pytest.mark.parametrize(
    "change, kwargs, exc, fragments",
    [
        (None, {"customer_col": "custmer_id"}, ValueError,
         ["lacks the column(s) customer_col 'custmer_id' (did you mean 'customer_id'?)", "'customer_id', 'date', 'amount'"]),
        (None, {"customer_col": "cust", "date_col": "dte"}, ValueError,
         ["customer_col 'cust'", "date_col 'dte' (did you mean 'date'?)", "it has:"]),
        (None, {"value_col": "amout"}, ValueError, ["value_col 'amout' (did you mean 'amount'?)"]),
        (None, {"value_col": "zzz"}, ValueError, ["value_col 'zzz'; it has:"]),
        (lambda t: t.iloc[:0], {}, ValueError, ["transactions is empty"]),
        (lambda t: t.assign(date=["1997-01-01", "not a date", "1997-01-05"]), {}, ValueError,
         ["date_col 'date'", "'not a date' (row 1)", "not a date"]),
        (lambda t: t.assign(date=[19970101, 19970201, 19970105]), {}, TypeError, ["date_col 'date' must hold dates", "int64"]),
        (lambda t: t.assign(date=["1997-01-01", None, "1997-01-05"]), {}, ValueError, ["missing date", "row 1"]),
        (lambda t: t.assign(amount=[1.0, -2.0, 3.0]), {"value_col": "amount"}, ValueError,
         ["value_col 'amount' has a negative value", "-2.0", "row 1", ">= 0"]),
        (lambda t: t.assign(amount=[1.0, np.nan, 3.0]), {"value_col": "amount"}, ValueError, ["missing or infinite", "row 1"]),
        (lambda t: t.assign(amount=["1", "2", "3"]), {"value_col": "amount"}, TypeError, ["value_col 'amount' must be numeric"]),
        (lambda t: t.assign(customer_id=[1, None, 2]), {}, ValueError, ["missing customer id", "row 1"]),
        (None, {"time_unit": "Y"}, ValueError, ["time_unit 'Y' is not known", "'D', 'W', 'M'"]),
        (None, {"time_unit": "w"}, ValueError, ["time_unit 'w' is not known"]),
        (None, {"calibration_end": "1996-12-31"}, ValueError,
         ["calibration_end 1996-12-31 is before the first purchase (1997-01-01)"]),
        (None, {"calibration_end": "1997-01-20", "observation_end": "1997-01-10"}, ValueError,
         ["observation_end 1997-01-10 is before calibration_end 1997-01-20"]),
        (None, {"observation_end": "1996-06-01"}, ValueError, ["observation_end 1996-06-01 is before the first purchase"]),
        (None, {"calibration_end": "someday"}, ValueError, ["calibration_end must be a date", "'someday'"]),
        (None, {"calibration_end": 1997}, TypeError, ["calibration_end must be a date", "1997 (int)"]),
        (lambda t: t.to_dict(), {}, TypeError, ["transactions must be a pandas DataFrame", "dict"]),
        (None, {"customer_col": ["customer_id"]}, TypeError, ["customer_col must be a column name", "['customer_id']"]),
    ],
)
def test_bad_rfm_inputs(change, kwargs, exc, fragments):
    tx = _tx() if change is None else change(_tx())
    args = {"customer_col": "customer_id", "date_col": "date", **kwargs}
    with pytest.raises(exc) as info:
        rfm_summary(tx, **args)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(
    "kwargs, exc, fragments",
    [
        ({"calibration_end": "1997-01-10", "observation_end": "1997-01-10"}, ValueError,
         ["observation_end 1997-01-10 is not after calibration_end 1997-01-10"]),
        ({"calibration_end": "1997-03-01"}, ValueError, ["on or after the last purchase (1997-02-01)", "no hold-out"]),
        ({"calibration_end": "1996-01-01"}, ValueError, ["before the first purchase"]),
        ({"calibration_end": None}, TypeError, ["calibration_end must be a date", "None"]),
        ({"calibration_end": "1997-01-10", "observation_end": "later"}, ValueError, ["observation_end must be a date", "'later'"]),
        ({"calibration_end": "1997-01-10", "time_unit": "days"}, ValueError, ["time_unit 'days' is not known"]),
    ],
)
def test_bad_holdout_inputs(kwargs, exc, fragments):
    with pytest.raises(exc) as info:
        calibration_and_holdout(_tx(), "customer_id", "date", **kwargs)
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_clv_facade_names_exist_in_private_modules():
    """The names cxlib.clv re-exports from these modules exist (without importing cxlib.clv)."""
    import ast

    import cxlib._clv_data as d
    import cxlib._clv_retention as r

    tree = ast.parse((Path(d.__file__).parent / "clv.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module in ("cxlib._clv_data", "cxlib._clv_retention"):
            module = d if node.module.endswith("data") else r
            for alias in node.names:
                assert hasattr(module, alias.name) and alias.name in module.__all__, alias.name
