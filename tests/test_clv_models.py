"""BG/NBD, Pareto/NBD, Gamma-Gamma and CLV (cxlib._clv_models).

Published figures are checked on the CDNOW sample (Fader, Hardie & Lee 2005a, b), the
closed forms against brute-force numerical integration, gradients against finite
differences, and the fitters by parameter recovery on simulated customers.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy import special as sp
from scipy import stats

from cxlib import data
from cxlib import _clv_models as M
from cxlib._clv_base import ConvergenceWarning
from cxlib._clv_models import (
    BGNBDFit,
    GammaGammaFit,
    ParetoNBDFit,
    customer_lifetime_value,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    simulate_bgnbd,
    simulate_gamma_gamma,
    simulate_pareto_nbd,
)

CAL_END = pd.Timestamp("1997-09-30")
HOLD_END = pd.Timestamp("1998-06-30")
BG_PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PNBD_PUBLISHED = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
GG_PUBLISHED = {"p": 6.25, "q": 3.74, "v": 15.44}


def _cdnow_summary() -> pd.DataFrame:
    """Calibration summary of the CDNOW sample, in weeks (private until cxlib._clv_data exists).

    Transactions of a customer on one day are one purchase (amounts summed);
    frequency = purchase days - 1 up to 1997-09-30, recency = (last - first day) / 7,
    T = (1997-09-30 - first day) / 7 (this reproduces the summary FHL used, as shipped
    with lifetimes 0.11.3, for all 2,357 customers); monetary_value = mean value of the
    repeat purchase days; holdout = purchase days from 1997-10-01 to 1998-06-30 (39 weeks).
    """
    raw = data.load("cdnow_sample")
    days = raw.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    cal = days[days["date"] <= CAL_END]
    dates = cal.groupby("customer_id")["date"]
    first, last = dates.min(), dates.max()
    out = pd.DataFrame({
        "frequency": dates.size() - 1,
        "recency": (last - first).dt.days / 7,
        "T": (CAL_END - first).dt.days / 7,
    })
    repeat = cal[cal["date"] > cal["customer_id"].map(first)]
    out["monetary_value"] = repeat.groupby("customer_id")["amount"].mean().reindex(out.index, fill_value=0.0)
    hold = days[(days["date"] > CAL_END) & (days["date"] <= HOLD_END)]
    out["holdout"] = hold.groupby("customer_id").size().reindex(out.index, fill_value=0)
    out["sample_id"] = raw.groupby("customer_id")["sample_id"].first()
    return out


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return _cdnow_summary()


@pytest.fixture(scope="module")
def bg_fit(cdnow) -> BGNBDFit:
    return fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="module")
def pnbd_fit(cdnow) -> ParetoNBDFit:
    return fit_pareto_nbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])


# ---------------------------------------------------------------------------
# Published figures (CDNOW sample, 2,357 customers, calibration to 1997-09-30, weeks)
# ---------------------------------------------------------------------------


def test_cdnow_summary_is_the_published_one(cdnow):
    assert len(cdnow) == 2357
    assert int((cdnow["frequency"] > 0).sum()) == 946
    assert int(cdnow["frequency"].sum()) == 2457
    # The first customers of lifetimes' cdnow_customers_summary.csv (ID = sample_id).
    head = cdnow.set_index("sample_id").sort_index().loc[1:7, ["frequency", "recency", "T"]].round(2)
    expected = [[2, 30.43, 38.86], [1, 1.71, 38.86], [0, 0.0, 38.86], [0, 0.0, 38.86], [0, 0.0, 38.86],
                [7, 29.43, 38.86], [1, 5.0, 38.86]]
    np.testing.assert_array_equal(head.to_numpy(), expected)


def test_cdnow_summary_agrees_with_calibration_and_holdout(cdnow):
    """The private helper above and cxlib._clv_data (written in parallel) agree exactly."""
    clv_data = pytest.importorskip("cxlib._clv_data")
    theirs = clv_data.calibration_and_holdout(data.load("cdnow_sample"), "customer_id", "date", "1997-09-30",
                                              "1998-06-30", value_col="amount")
    mine = cdnow.loc[theirs.index]
    for column in ("frequency", "recency", "T", "monetary_value"):
        np.testing.assert_allclose(theirs[column], mine[column], rtol=1e-12, err_msg=column)
    np.testing.assert_array_equal(theirs["frequency_holdout"], mine["holdout"])


def test_bgnbd_reproduces_fhl_2005(bg_fit):
    assert bg_fit.converged
    assert bg_fit.params.round(3).to_dict() == BG_PUBLISHED
    assert round(bg_fit.loglik, 1) == -9582.4
    assert bg_fit.n == 2357
    summary = bg_fit.summary()
    assert list(summary.columns) == ["estimate", "std_error", "ci_low", "ci_high"]
    assert (summary["std_error"] > 0).all() and (summary["ci_low"] < summary["estimate"]).all()


def test_pareto_nbd_reproduces_fhl_2005(pnbd_fit):
    assert pnbd_fit.converged
    assert pnbd_fit.params.round(3).to_dict() == PNBD_PUBLISHED
    assert round(pnbd_fit.loglik, 1) == -9595.0


def test_pareto_nbd_other_starts_reach_the_same_optimum(cdnow, pnbd_fit):
    """fit_pareto_nbd stops after its first start when that ends at a clean optimum; the others agree."""
    x, tx, age, w = M._compressed_rfm(cdnow["frequency"], cdnow["recency"], cdnow["T"], None)
    lik = M._ParetoNBDLikelihood(x, tx, age, w)
    from cxlib._clv_base import fit_mle

    rate = float(w @ x) / float(w @ age)
    for start in ([0.5, 0.5 / rate, 0.5, 0.5 * 32.7], [2.0, 2.0 / rate, 2.0, 65.4], [0.1, 1.0, 3.0, 3.0]):
        other = fit_mle("Pareto/NBD", list(PNBD_PUBLISHED), lik.value, [np.log(start)], gradient=lik.gradient,
                        hessian=lik.hessian, n=int(w.sum()))
        assert other.converged
        np.testing.assert_allclose(other.params, pnbd_fit.params, rtol=1e-5)


def test_gamma_gamma_reproduces_fhl_2005(cdnow):
    repeat = cdnow[cdnow["frequency"] > 0]
    assert len(repeat) == 946
    fit = fit_gamma_gamma(repeat["frequency"], repeat["monetary_value"])
    assert fit.converged
    assert fit.params.round(2).to_dict() == GG_PUBLISHED


def test_holdout_forecast_of_the_cdnow_sample(cdnow, bg_fit):
    """Weeks 40-78 (1997-10-01 to 1998-06-30): 1,882 repeat purchase days observed.

    The BG/NBD forecast for the cohort (each customer's E[X(T+39)] - E[X(T)]) is 1,667,
    the sum of conditional expectations 1,653: both about 12% short in the holdout, and
    the cumulative repeat purchases over the 78 weeks (calibration + holdout) are within
    4.5%, which is FHL's "close tracking" of the cumulative curve.
    """
    actual = int(cdnow["holdout"].sum())
    assert actual == 1882
    x, tx, age = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    cohort = float((bg_fit.expected_purchases(age + 39) - bg_fit.expected_purchases(age)).sum())
    conditional = float(bg_fit.conditional_expected_purchases(39, x, tx, age).sum())
    assert round(cohort) == 1667 and round(conditional) == 1653
    assert -0.13 < cohort / actual - 1 < -0.10
    assert -0.13 < conditional / actual - 1 < -0.10
    cumulative_actual = actual + int(x.sum())
    cumulative_model = float(bg_fit.expected_purchases(age + 39).sum())
    assert abs(cumulative_model / cumulative_actual - 1) < 0.045
    # Per frequency group the conditional expectations follow the holdout means.
    table = pd.DataFrame({"x": x.clip(upper=7), "pred": bg_fit.conditional_expected_purchases(39, x, tx, age),
                          "actual": cdnow["holdout"]}).groupby("x").mean()
    assert table["pred"].is_monotonic_increasing
    np.testing.assert_allclose(table["pred"], table["actual"], atol=0.45)


# ---------------------------------------------------------------------------
# Closed forms against brute-force numerical integration
# ---------------------------------------------------------------------------


def test_bgnbd_expectations_match_numerical_integration():
    r, al, a, b = BG_PUBLISHED.values()
    fit = BGNBDFit.from_params(**BG_PUBLISHED)
    beta = stats.beta(a, b).pdf

    for t in (1.0, 52.0, 500.0):  # E[X(t)] = E_p[(1 - (alpha/(alpha + p t))^r) / p]
        value = integrate.quad(lambda p: (1 - (al / (al + p * t)) ** r) / p * beta(p), 0, 1, epsabs=0, epsrel=1e-11)[0]
        assert fit.expected_purchases(t) == pytest.approx(value, rel=1e-9)

    for t, x, tx, T in ((39, 2, 30, 39), (10, 0, 0, 20), (52, 10, 38, 39), (100, 40, 20, 39), (39, 500, 39, 39)):
        # Numerator and likelihood both multiplied by (alpha+T)^(r+x), which would underflow.
        num = integrate.quad(lambda p: (1 - p) ** x / p * (1 - ((al + T) / (al + T + p * t)) ** (r + x))
                             * beta(p), 0, 1, epsabs=0, epsrel=1e-11, points=[1 / (x + 1)], limit=200)[0]
        lik = (math.exp(sp.betaln(a, b + x) - sp.betaln(a, b))
               + (x > 0) * math.exp(sp.betaln(a + 1, b + x - 1) - sp.betaln(a, b)) * ((al + T) / (al + tx)) ** (r + x))
        assert fit.conditional_expected_purchases(t, x, tx, T) == pytest.approx(num / lik, rel=1e-8)


def _pareto_brute_force_likelihood(r, al, s, be, x, tx, T, n=150):
    """The individual-level likelihood integrated over Gamma(r, alpha) x Gamma(s, beta) by a
    tensor generalised Gauss-Laguerre rule (no use of the model's closed form)."""
    u, wu = sp.roots_genlaguerre(n, r - 1)
    v, wv = sp.roots_genlaguerre(n, s - 1)
    lam, mu = u[:, None] / al, v[None, :] / be
    f = lam**x * np.exp(-(lam + mu) * T) + lam**x * mu / (lam + mu) * (np.exp(-(lam + mu) * tx) - np.exp(-(lam + mu) * T))
    return float((wu[:, None] * wv[None, :] * f).sum() / (sp.gamma(r) * sp.gamma(s)))


@pytest.mark.parametrize("params", [PNBD_PUBLISHED, {"r": 1.3, "alpha": 4.0, "s": 0.4, "beta": 20.0},
                                    {"r": 0.4, "alpha": 15.0, "s": 1.5, "beta": 3.0}])
@pytest.mark.parametrize("x, tx, T", [(0, 0.0, 39.0), (2, 30.0, 39.0), (5, 10.0, 30.0), (12, 38.9, 39.0)])
def test_pareto_likelihood_matches_brute_force_integration(params, x, tx, T):
    r, al, s, be = params.values()
    brute = _pareto_brute_force_likelihood(r, al, s, be, x, tx, T)
    assert brute == pytest.approx(_pareto_brute_force_likelihood(r, al, s, be, x, tx, T, n=250), rel=1e-10)
    lik = M._ParetoNBDLikelihood(np.array([x], float), np.array([tx]), np.array([T]), np.ones(1))
    assert -lik.value(np.log(list(params.values()))) == pytest.approx(math.log(brute), abs=1e-9)
    # P(alive) = the "alive at T" part of the likelihood over the whole likelihood.
    alive_part = math.exp(sp.gammaln(r + x) - sp.gammaln(r)) * al**r * be**s * (al + T) ** -(r + x) * (be + T) ** -s
    fit = ParetoNBDFit.from_params(**params)
    assert fit.p_alive(x, tx, T) == pytest.approx(alive_part / brute, rel=1e-9)
    # Given alive, lambda ~ Gamma(r+x, alpha+T) and mu ~ Gamma(s, beta+T), independent.
    t = 26.0
    e_rest = integrate.quad(lambda m: -np.expm1(-m * t) / m * stats.gamma(s, scale=1 / (be + T)).pdf(m), 0, np.inf,
                            epsabs=0, epsrel=1e-10, limit=200)[0]
    expected = alive_part / brute * (r + x) / (al + T) * e_rest
    assert fit.conditional_expected_purchases(t, x, tx, T) == pytest.approx(expected, rel=1e-8)


def test_pareto_expected_purchases_matches_integration():
    r, al, s, be = PNBD_PUBLISHED.values()
    fit = ParetoNBDFit.from_params(**PNBD_PUBLISHED)
    for t in (1.0, 52.0, 500.0):
        value = integrate.quad(lambda m: -np.expm1(-m * t) / m * stats.gamma(s, scale=1 / be).pdf(m), 0, np.inf,
                               epsabs=0, epsrel=1e-11, limit=200)[0]
        assert fit.expected_purchases(t) == pytest.approx(r / al * value, rel=1e-9)
    at_one = ParetoNBDFit.from_params(r=r, alpha=al, s=1.0, beta=be)  # the s = 1 limit
    assert at_one.expected_purchases(52) == pytest.approx(r * be / al * math.log(1 + 52 / be), rel=1e-12)


def _reference_log_tail(m, n, al, be, y):
    """log ∫_y^∞ (al+τ)^-m (be+τ)^-n dτ by adaptive quadrature over σ = log(min(al, be) + τ)."""
    c = min(al, be)

    def log_f(sig):
        return sig - m * np.log(al - c + np.exp(sig)) - n * np.log(be - c + np.exp(sig))

    s0 = math.log(c + y)
    shift = -log_f(s0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = integrate.quad(lambda sig: np.exp(log_f(sig) + shift), s0, np.inf, epsabs=0, epsrel=1e-13, limit=1000)[0]
    return math.log(value) - shift


@pytest.mark.parametrize("r, s, al, be, x, y", [
    (0.55, 0.61, 10.6, 11.7, 3, 10.0),       # alpha < beta, the plain 2F1
    (0.6, 0.5, 11.6, 8.8, 40, 0.0),          # alpha >= beta
    (0.098, 0.084, 0.0255, 89.5, 500, 1.0),  # 2F1 overflows: Euler's transformation
    (0.11, 0.15, 52.3, 0.0185, 3000, 0.0),   # both fail: graded quadrature
    (4.0, 1.0, 227.9, 0.0083, 3000, 1.0),
    (2.0, 0.86, 0.082, 16.7, 100, 0.0),
    (1.0, 2.0, 5.0, 5.0 * (1 + 1e-9), 7, 3.0),  # alpha ~ beta
])
def test_log_tail_is_accurate_in_every_regime(r, s, al, be, x, y):
    got = M._log_tail(np.array([r + x]), s + 1, al, be, np.array([y]))[0]
    ref = _reference_log_tail(r + x, s + 1, al, be, y)
    assert got == pytest.approx(ref, rel=1e-10, abs=1e-10)


# ---------------------------------------------------------------------------
# Gradients and Hessians
# ---------------------------------------------------------------------------


def _numeric_gradient(f, u, h=1e-5):
    return np.array([(f(u + h * e) - f(u - h * e)) / (2 * h) for e in np.eye(u.size)])


def test_bgnbd_gradient_and_hessian_match_finite_differences(cdnow):
    x, tx, age, w = M._compressed_rfm(cdnow["frequency"], cdnow["recency"], cdnow["T"], None)
    lik = M._BGNBDLikelihood(x, tx, age, w)
    for theta in ([0.243, 4.414, 0.793, 2.426], [1.5, 20.0, 2.5, 0.7], [0.05, 0.3, 0.2, 9.0]):
        u = np.log(theta)
        g = lik.gradient(u)
        np.testing.assert_allclose(g, _numeric_gradient(lik.value, u), rtol=1e-6, atol=1e-4)
        np.testing.assert_allclose(lik.hessian(u), np.column_stack(
            [(lik.gradient(u + 1e-5 * e) - lik.gradient(u - 1e-5 * e)) / 2e-5 for e in np.eye(4)]), rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("theta", [[0.55, 10.6, 0.6, 11.7], [0.3, 5.0, 2.0, 8.0], [2.0, 30.0, 0.3, 20.0],
                                   [0.3, 2.0, 0.5, 60.0]])
def test_pareto_gradient_and_hessian_match_finite_differences(cdnow, theta):
    x, tx, age, w = M._compressed_rfm(cdnow["frequency"], cdnow["recency"], cdnow["T"], None)
    lik = M._ParetoNBDLikelihood(x, tx, age, w)
    u = np.log(theta)
    np.testing.assert_allclose(lik.gradient(u), _numeric_gradient(lik.value, u), rtol=1e-6, atol=1e-3)
    numeric_hessian = np.column_stack([(lik.gradient(u + 1e-4 * e) - lik.gradient(u - 1e-4 * e)) / 2e-4
                                       for e in np.eye(4)])
    np.testing.assert_allclose(lik.hessian(u), numeric_hessian, rtol=1e-5, atol=1e-2)


def test_gamma_gamma_gradient_and_hessian_match_finite_differences(cdnow):
    repeat = cdnow[cdnow["frequency"] > 0]
    lik = M._GammaGammaLikelihood(repeat["frequency"].to_numpy(float), repeat["monetary_value"].to_numpy(),
                                  np.ones(len(repeat)))
    u = np.log([3.0, 2.0, 20.0])
    np.testing.assert_allclose(lik.gradient(u), _numeric_gradient(lik.value, u), rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(lik.hessian(u), np.column_stack(
        [(lik.gradient(u + 1e-5 * e) - lik.gradient(u - 1e-5 * e)) / 2e-5 for e in np.eye(3)]), rtol=1e-6, atol=1e-4)


# ---------------------------------------------------------------------------
# Compression of identical rows
# ---------------------------------------------------------------------------


def test_compressed_rows_give_the_same_likelihood_and_fit(cdnow):
    x, tx, T = (cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    cx, ctx, cT, cw = M._compressed_rfm(x, tx, T, None)
    assert cx.size < x.size / 2 and cw.sum() == x.size
    u = np.log([0.3, 5.0, 0.9, 2.0])
    raw = M._BGNBDLikelihood(x, tx, T, np.ones(x.size))
    packed = M._BGNBDLikelihood(cx, ctx, cT, cw)
    assert packed.value(u) == pytest.approx(raw.value(u), rel=1e-12)
    np.testing.assert_allclose(packed.gradient(u), raw.gradient(u), rtol=1e-9)
    u = np.log([0.5, 10.0, 0.6, 12.0])
    assert M._ParetoNBDLikelihood(cx, ctx, cT, cw).value(u) == pytest.approx(
        M._ParetoNBDLikelihood(x, tx, T, np.ones(x.size)).value(u), rel=1e-12)
    # Fitting the distinct rows with their counts as weights = fitting every customer.
    weighted = fit_bgnbd(cx, ctx, cT, weights=cw)
    full = fit_bgnbd(x, tx, T)
    np.testing.assert_allclose(weighted.params, full.params, rtol=1e-8)
    assert weighted.loglik == pytest.approx(full.loglik, abs=1e-6) and weighted.n == full.n


def test_weights_equal_repeated_rows():
    sim = simulate_pareto_nbd(0.8, 6.0, 0.7, 10.0, 3000, T=30, rng=4)
    sim["monetary_value"] = 0.0
    repeat = sim["frequency"] > 0
    sim.loc[repeat, "monetary_value"] = simulate_gamma_gamma(6.0, 4.0, 20.0, sim.loc[repeat, "frequency"],
                                                             rng=9)["monetary_value"].to_numpy()
    copies = np.random.default_rng(1).integers(0, 4, len(sim))
    expanded = sim.loc[sim.index.repeat(copies)]
    by_weight = fit_gamma_gamma(sim.loc[repeat, "frequency"], sim.loc[repeat, "monetary_value"],
                                weights=copies[repeat.to_numpy()])
    again = expanded[expanded["frequency"] > 0]
    by_rows = fit_gamma_gamma(again["frequency"], again["monetary_value"])
    np.testing.assert_allclose(by_weight.params, by_rows.params, rtol=1e-6)
    assert by_weight.loglik == pytest.approx(by_rows.loglik, abs=1e-6)
    for fit in (fit_bgnbd, fit_pareto_nbd):
        weighted = fit(sim["frequency"], sim["recency"], sim["T"], weights=copies)
        rows = fit(expanded["frequency"], expanded["recency"], expanded["T"])
        np.testing.assert_allclose(weighted.params, rows.params, rtol=1e-6)
        assert weighted.loglik == pytest.approx(rows.loglik, abs=1e-6) and weighted.n == rows.n == copies.sum()


# ---------------------------------------------------------------------------
# Parameter recovery on simulated customers
# ---------------------------------------------------------------------------


def _assert_recovered(fit, truth, k=4.0):
    assert fit.converged, fit.message
    z = (np.log(fit.params.to_numpy()) - np.log(list(truth))) / (fit.se / fit.params).to_numpy()
    assert np.all(np.abs(z) < k), dict(zip(fit.params.index, np.round(z, 2)))


@pytest.mark.parametrize("truth", [(0.243, 4.414, 0.793, 2.426), (1.5, 8.0, 2.0, 6.0), (0.5, 2.0, 0.3, 5.0),
                                   (3.0, 60.0, 1.2, 1.5)])
def test_bgnbd_recovers_parameters(truth):
    age = np.random.default_rng(11).uniform(26, 52, 30_000)
    sim = simulate_bgnbd(*truth, n_customers=30_000, T=age, rng=12)
    _assert_recovered(fit_bgnbd(sim["frequency"], sim["recency"], sim["T"]), truth)


@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(r=st.floats(0.2, 3), rate=st.floats(0.02, 0.5), a=st.floats(0.3, 3), b=st.floats(1, 10),
       seed=st.integers(0, 2**32 - 1))
def test_bgnbd_recovers_drawn_parameters(r, rate, a, b, seed):
    truth = (r, r / rate, a, b)
    sim = simulate_bgnbd(*truth, n_customers=20_000, T=39, rng=seed)
    _assert_recovered(fit_bgnbd(sim["frequency"], sim["recency"], sim["T"]), truth, k=4.5)


@pytest.mark.parametrize("truth", [(0.553, 10.578, 0.606, 11.669), (2.0, 20.0, 1.5, 40.0), (0.3, 3.0, 0.4, 60.0)])
def test_pareto_nbd_recovers_parameters(truth):
    age = np.random.default_rng(21).uniform(26, 52, 30_000)
    sim = simulate_pareto_nbd(*truth, n_customers=30_000, T=age, rng=22)
    _assert_recovered(fit_pareto_nbd(sim["frequency"], sim["recency"], sim["T"]), truth)


@pytest.mark.parametrize("truth", [(6.25, 3.74, 15.44), (2.0, 5.0, 50.0), (0.8, 1.6, 3.0)])
def test_gamma_gamma_recovers_parameters(truth):
    freq = np.random.default_rng(31).integers(1, 12, 20_000)
    sim = simulate_gamma_gamma(*truth, frequency=freq, rng=32)
    _assert_recovered(fit_gamma_gamma(sim["frequency"], sim["monetary_value"]), truth)


# ---------------------------------------------------------------------------
# Simulators agree with the models
# ---------------------------------------------------------------------------


def test_simulators_agree_with_the_model_expectations():
    n = 200_000
    bg = BGNBDFit.from_params(**BG_PUBLISHED)
    sim = simulate_bgnbd(*BG_PUBLISHED.values(), n_customers=n, T=39, rng=5)
    x = sim["frequency"].to_numpy()
    assert abs(x.mean() - bg.expected_purchases(39)) < 4 * x.std() / math.sqrt(n)
    assert abs((x == 0).mean() - (4.414 / (4.414 + 39)) ** 0.243) < 4 * 0.5 / math.sqrt(n)
    alive = bg.p_alive(sim["frequency"], sim["recency"], sim["T"]).to_numpy()
    assert abs(alive.mean() - sim["alive"].mean()) < 4 * 0.5 / math.sqrt(n)
    pn = ParetoNBDFit.from_params(**PNBD_PUBLISHED)
    sim = simulate_pareto_nbd(*PNBD_PUBLISHED.values(), n_customers=n, T=39, rng=6)
    x = sim["frequency"].to_numpy()
    assert abs(x.mean() - pn.expected_purchases(39)) < 4 * x.std() / math.sqrt(n)
    alive = pn.p_alive(sim["frequency"], sim["recency"], sim["T"]).to_numpy()
    assert abs(alive.mean() - sim["alive"].mean()) < 4 * 0.5 / math.sqrt(n)
    spend = simulate_gamma_gamma(*GG_PUBLISHED.values(), frequency=np.full(n, 3), rng=7)
    m = spend["monetary_value"].to_numpy()
    assert abs(m.mean() - 6.25 * 15.44 / 2.74) < 4 * m.std() / math.sqrt(n)


def test_simulators_are_reproducible_and_consistent():
    age = np.linspace(0, 52, 1000)
    for simulate, params in ((simulate_bgnbd, BG_PUBLISHED), (simulate_pareto_nbd, PNBD_PUBLISHED)):
        one = simulate(*params.values(), n_customers=1000, T=age, rng=3)
        pd.testing.assert_frame_equal(one, simulate(*params.values(), n_customers=1000, T=age, rng=3))
        assert one["frequency"].dtype == np.int64
        assert ((one["recency"] <= one["T"]) & (one["recency"] >= 0)).all()
        assert ((one["recency"] > 0) == (one["frequency"] > 0)).all()
        np.testing.assert_array_equal(one["T"], age)
    fit = BGNBDFit.from_params(**BG_PUBLISHED)
    pd.testing.assert_frame_equal(fit.simulate(50, 39, rng=1), simulate_bgnbd(*BG_PUBLISHED.values(), 50, 39, rng=1))


# ---------------------------------------------------------------------------
# Identities and properties
# ---------------------------------------------------------------------------

_MODELS = [BGNBDFit.from_params(**BG_PUBLISHED), ParetoNBDFit.from_params(**PNBD_PUBLISHED)]


@st.composite
def _histories(draw, max_x=60):
    T = draw(st.floats(0, 100))
    x = draw(st.integers(0, max_x))
    tx = 0.0 if x == 0 else draw(st.floats(0, T))
    return x, tx, T


@settings(max_examples=60, deadline=None)
@given(history=_histories(), t=st.floats(0.01, 200), model=st.sampled_from(_MODELS))
def test_prediction_identities(history, t, model):
    x, tx, T = history
    alive = model.p_alive(x, tx, T)
    assert 0 <= alive <= 1
    if x <= 20 and T - tx < 60:
        assert alive > 0
    if x == 0 and isinstance(model, BGNBDFit):
        assert alive == 1.0
    assert model.conditional_expected_purchases(0, x, tx, T) == 0.0
    assert model.conditional_expected_purchases(t, x, tx, T) >= 0
    times = np.array([0.0, t / 4, t / 2, t, 2 * t])
    expected = model.expected_purchases(times)
    assert expected[0] == 0.0 and np.all(np.diff(expected) > 0)
    conditional = model.conditional_expected_purchases(times, x, tx, T)
    assert np.all(np.diff(conditional) >= 0)
    assert model.conditional_expected_purchases(t, 0, 0.0, 0.0) == pytest.approx(model.expected_purchases(t),
                                                                                  rel=1e-9)


def test_predictions_are_vectorised_and_keep_pandas_index(cdnow, bg_fit, pnbd_fit):
    for fit in (bg_fit, pnbd_fit):
        out = fit.p_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"])
        assert isinstance(out, pd.Series) and out.index.equals(cdnow.index)
        loop = [fit.p_alive(x, tx, T) for x, tx, T in cdnow[["frequency", "recency", "T"]].to_numpy()[:50]]
        np.testing.assert_allclose(out.to_numpy()[:50], loop, rtol=1e-12)
        grid = fit.conditional_expected_purchases(np.array([[10.0], [20.0]]), [0, 1, 5], [0, 3, 30], 39)
        assert grid.shape == (2, 3) and np.all(grid[1] > grid[0])


def test_bgnbd_predictions_at_a_equal_one_and_large_frequency():
    near = [BGNBDFit.from_params(r=0.5, alpha=5.0, a=a, b=2.0).expected_purchases(30) for a in (0.999, 1.0, 1.001)]
    assert near[0] > near[1] > near[2] and near[1] == pytest.approx((near[0] + near[2]) / 2, rel=1e-5)
    # Very frequent buyers: no overflow; those who bought at T are alive and keep buying at
    # about their past rate, those silent for a while (relative to their rate) are not.
    for fit in (BGNBDFit.from_params(**BG_PUBLISHED), ParetoNBDFit.from_params(**PNBD_PUBLISHED)):
        big = fit.conditional_expected_purchases(39, [500, 2000, 500], [39.0, 39.0, 30.0], 39.0)
        assert np.all(np.isfinite(big))
        assert big[1] > big[0] > 250 and big[2] < 1e-6
        assert fit.p_alive(500, 39.0, 39.0) > 0.99 and 0 <= fit.p_alive(500, 30.0, 39.0) < 1e-6


def test_gamma_gamma_conditional_expected_value():
    fit = GammaGammaFit.from_params(**GG_PUBLISHED)
    p, q, v = GG_PUBLISHED.values()
    population = p * v / (q - 1)
    assert fit.conditional_expected_value(0, 0.0) == pytest.approx(population)
    value = fit.conditional_expected_value([1, 10, 100], [80.0, 80.0, 80.0])
    weight = p * np.array([1, 10, 100]) / (p * np.array([1, 10, 100]) + q - 1)  # shrinkage toward the mean
    np.testing.assert_allclose(value, (1 - weight) * population + weight * 80.0)
    assert np.all(np.diff(value) > 0)
    with pytest.raises(ValueError, match="infinite when q <= 1"):
        GammaGammaFit.from_params(p=2.0, q=0.9, v=10.0).conditional_expected_value(0, 0.0)


# ---------------------------------------------------------------------------
# Customer lifetime value
# ---------------------------------------------------------------------------


def test_customer_lifetime_value_conventions(cdnow, bg_fit, pnbd_fit):
    gg = GammaGammaFit.from_params(**GG_PUBLISHED)
    x, tx, T, m = (cdnow[c] for c in ("frequency", "recency", "T", "monetary_value"))
    for model in (bg_fit, pnbd_fit):
        plain = customer_lifetime_value(model, gg, x, tx, T, m, time=52)
        assert isinstance(plain, pd.Series) and plain.index.equals(cdnow.index)
        direct = model.conditional_expected_purchases(52, x, tx, T) * gg.conditional_expected_value(x, m)
        np.testing.assert_allclose(plain, direct, rtol=1e-10)  # no discounting: steps telescope
        np.testing.assert_allclose(customer_lifetime_value(model, gg, x, tx, T, m, time=52, step=13), direct,
                                   rtol=1e-10)
    one = (2, 30.0, 39.0, 40.0)
    d = 0.01
    steps = [bg_fit.conditional_expected_purchases(k, *one[:3]) for k in range(0, 53)]
    manual = sum((steps[k] - steps[k - 1]) / (1 + d) ** k for k in range(1, 53)) * gg.conditional_expected_value(2, 40.0)
    assert customer_lifetime_value(bg_fit, gg, *one, time=52, discount_rate=d) == pytest.approx(manual, rel=1e-12)
    rates = [customer_lifetime_value(bg_fit, gg, *one, discount_rate=r_) for r_ in (0.0, 0.005, 0.02)]
    assert rates[0] > rates[1] > rates[2] > 0
    # A last, shorter step: 10 weeks in steps of 4 = 4 + 4 + 2.
    short = customer_lifetime_value(bg_fit, gg, *one, time=10, step=4, discount_rate=d)
    e = [bg_fit.conditional_expected_purchases(t, *one[:3]) for t in (0, 4, 8, 10)]
    expected = sum((e[k] - e[k - 1]) / (1 + d) ** k for k in (1, 2, 3)) * gg.conditional_expected_value(2, 40.0)
    assert short == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------
# Doubtful optima and bad inputs
# ---------------------------------------------------------------------------


def test_a_doubtful_optimum_warns():
    with pytest.warns(ConvergenceWarning, match="BG/NBD fit did not converge cleanly"):
        fit = fit_bgnbd([0, 0, 0, 0], [0, 0, 0, 0], [10, 20, 30, 40])
    assert not fit.converged and "NOT CONVERGED" in repr(fit)


_BG = BGNBDFit.from_params(**BG_PUBLISHED)
_GG = GammaGammaFit.from_params(**GG_PUBLISHED)


@pytest.mark.parametrize("call, exc, message", [
    (lambda: fit_bgnbd([1, 2], [1, 2, 3], [5, 5, 5]), ValueError,
     "frequency, recency and T must have the same length; got 2, 3 and 3"),
    (lambda: fit_pareto_nbd([], [], []), ValueError, "frequency is empty; at least one customer is needed"),
    (lambda: fit_bgnbd([1, -1], [1, 0], [5, 5]), ValueError, "frequency must be >= 0; got -1.0 at position 1"),
    (lambda: fit_bgnbd([1, 1], [1, -2], [5, 5]), ValueError, "recency must be >= 0; got -2.0 at position 1"),
    (lambda: fit_bgnbd([1, 1], [1, np.nan], [5, 5]), ValueError, "recency must be finite; got nan at position 1"),
    (lambda: fit_pareto_nbd([1, 1], [1, 1], [5, np.inf]), ValueError, "T must be finite; got inf at position 1"),
    (lambda: fit_bgnbd([1, 1], [6, 1], [5, 5]), ValueError,
     "recency must be <= T (the customer's age); got recency=6.0 at position 0, where T=5.0"),
    (lambda: fit_pareto_nbd([0, 1], [2, 1], [5, 5]), ValueError,
     "recency must be 0 when frequency is 0 (no repeat purchase); got 2.0 at position 0"),
    (lambda: fit_bgnbd([1.5, 1], [1, 1], [5, 5]), ValueError,
     "frequency must be whole numbers (counts of repeat purchases); got 1.5 at position 0"),
    (lambda: fit_bgnbd([1, 1], [1, 1], [5, 5], weights=[1, -1]), ValueError,
     "weights must be >= 0; got -1.0 at position 1"),
    (lambda: fit_bgnbd([1, 1], [1, 1], [5, 5], weights=[1, 1, 1]), ValueError,
     "weights must be an array with one weight per customer (2); got length 3"),
    (lambda: fit_bgnbd([1, 1], [1, 1], [5, 5], weights=[0, 0]), ValueError, "weights must not all be 0"),
    (lambda: fit_bgnbd("abc", [1], [5]), TypeError, "frequency must be a number or an array of numbers; got 'abc'"),
    (lambda: fit_bgnbd([1], [1], [[5, 5]]), ValueError, "T must be one-dimensional; got an array of shape (1, 2)"),
    (lambda: fit_gamma_gamma([0, 2, 0], [0.0, 10.0, 0.0]), ValueError,
     "frequency must be >= 1 for the Gamma-Gamma model (repeat buyers only); got 2 customers with frequency 0: "
     "exclude them before fitting"),
    (lambda: fit_gamma_gamma([1, 2], [10.0, -1.0]), ValueError,
     "monetary_value must be > 0 (mean spend per repeat purchase) for customers with frequency >= 1; "
     "got -1.0 at position 1"),
    (lambda: fit_gamma_gamma([1, 2], [10.0]), ValueError,
     "frequency and monetary_value must have the same length; got 2 and 1"),
    (lambda: _BG.p_alive(2, 5, 3), ValueError, "recency must be <= T (the customer's age); got recency=5.0, where T=3.0"),
    (lambda: _BG.conditional_expected_purchases(-1, 2, 1, 3), ValueError, "t must be >= 0; got -1.0"),
    (lambda: _BG.expected_purchases([1, np.nan]), ValueError, "t must be finite; got nan at position 1"),
    (lambda: simulate_bgnbd(0, 1, 1, 1, 10, 39), ValueError, "r must be a finite number > 0; got 0.0"),
    (lambda: simulate_pareto_nbd(1, 1, 1, 1, 0, 39), ValueError, "n_customers must be an integer >= 1; got 0"),
    (lambda: simulate_bgnbd(1, 1, 1, 1, 3, [1, 2]), ValueError,
     "T must be a number or an array of length n_customers (3); got length 2"),
    (lambda: simulate_gamma_gamma(1, 2, 3, [1, 0.5]), ValueError,
     "frequency must be whole numbers (counts of repeat purchases); got 0.5 at position 1"),
    (lambda: customer_lifetime_value(_GG, _GG, 1, 1, 2, 10.0), TypeError,
     "purchase_model must be a BGNBDFit or ParetoNBDFit (from fit_bgnbd or fit_pareto_nbd); got GammaGammaFit"),
    (lambda: customer_lifetime_value(_BG, _BG, 1, 1, 2, 10.0), TypeError,
     "spend_model must be a GammaGammaFit (from fit_gamma_gamma); got BGNBDFit"),
    (lambda: customer_lifetime_value(_BG, _GG, 1, 1, 2, 10.0, time=4, step=5), ValueError,
     "step must be <= time (4.0); got 5.0"),
    (lambda: customer_lifetime_value(_BG, _GG, 1, 1, 2, 10.0, discount_rate=-0.1), ValueError,
     "discount_rate must be a finite number >= 0; got -0.1"),
    (lambda: customer_lifetime_value(_BG, _GG, [1, 2], [1, 1], [2, 2], [10.0, 5.0, 1.0]), ValueError,
     "frequency, recency, T and monetary_value must have the same length; got 2, 2, 2 and 3"),
    (lambda: BGNBDFit.from_params(r=1, alpha=1, a=1), TypeError,
     "BGNBDFit.from_params needs exactly the parameters r, alpha, a, b; got a, alpha, r"),
])
def test_bad_inputs_raise_one_line_errors(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_log_beta_ratio_is_exact_where_betaln_differences_cancel():
    """log B(a, b+x) - log B(a, b): matches betaln for moderate values and stays right
    for huge a and b, where the betaln difference loses every digit (an optimiser
    wandering there saw a positive BG/NBD log-likelihood)."""
    import scipy.special as sp

    from cxlib._clv_models import _log_beta_ratio

    ux = np.arange(0, 40.0)
    for a, b in [(0.79, 2.43), (5.0, 0.01), (300.0, 2.0)]:
        np.testing.assert_allclose(_log_beta_ratio(a, b, ux), sp.betaln(a, b + ux) - sp.betaln(a, b),
                                   rtol=1e-10, atol=1e-10)
    a, b = 2.3e36, 1.9e16
    got = _log_beta_ratio(a, b, ux)
    # B(a, b+x)/B(a, b) = prod_{k<x} (b+k)/(a+b+k): each factor is ~b/a here
    np.testing.assert_allclose(got, -ux * np.log1p(a / b), rtol=1e-12)
    assert np.all(got <= 0) and np.all(np.diff(got) < 0)


# ---------------------------------------------------------------------------
# Numerics of the Pareto/NBD tails, and likelihoods without a finite maximum
# ---------------------------------------------------------------------------


def test_series_derivatives_agree_with_the_quadrature():
    """The term-by-term power series (chunked, each chunk stopping on its own) and the
    graded quadrature are independent codes for F = 2F1(p_s, a; a+1; z)/a and its first
    and second derivatives in (a, p_s, z); small chunks exercise the chunking."""
    rng = np.random.default_rng(3)
    n = 400
    a = np.exp(rng.uniform(np.log(0.05), np.log(60), n))
    ps = np.exp(rng.uniform(np.log(0.05), np.log(60), n))
    z = np.minimum(rng.uniform(0, 0.5, n), 20 / ps)
    z[:5] = 0.0
    F, Fv, Fvv = M._series_derivatives(a, ps, z, chunk=64)
    log_q, Fv_q, Fvv_q = M._quadrature_parts(a, ps, z)
    np.testing.assert_allclose(np.log(F), log_q, rtol=0, atol=1e-12)
    np.testing.assert_allclose(Fv, Fv_q, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(Fvv, Fvv_q, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(F[:5], 1 / a[:5], rtol=1e-15)  # z = 0: only the first term


def _common_dropout_loglik(x, tx, T, w, r, al, mu):
    """Pareto/NBD with one dropout rate mu for all (the limit s, beta -> infinity, s/beta = mu),
    by quadrature: Γ(r+x) al^r / Γ(r) [(al+T)^-(r+x) e^(-mu T) + mu ∫_{t_x}^T (al+τ)^-(r+x) e^(-mu τ) dτ]."""
    m = r + x
    total = 0.0
    for i in range(x.size):
        integral = integrate.quad(lambda t: math.exp(-m[i] * math.log((al + t) / (al + tx[i])) - mu * (t - tx[i])),
                                  tx[i], T[i], epsabs=0, epsrel=1e-13, limit=200)[0] if T[i] > tx[i] else 0.0
        log_l = np.logaddexp(-m[i] * math.log(al + T[i]) - mu * T[i],
                             math.log(mu) - m[i] * math.log(al + tx[i]) - mu * tx[i] + math.log(max(integral, 1e-300)))
        total += w[i] * (sp.gammaln(m[i]) - sp.gammaln(r) + r * math.log(al) + log_l)
    return total


def test_pareto_nbd_without_dropout_heterogeneity_reports_no_finite_mle():
    """Customers with one common dropout rate: the likelihood keeps increasing as s, beta -> infinity
    with s/beta fixed.  The fit says so (converged=False, the limit named), and the likelihood stays
    accurate far along that ridge (tails scaled by beta^s): it rises to the limiting model's, computed
    independently by quadrature, and never above it."""
    sim = simulate_pareto_nbd(0.25, 30.0, 1e6, 1e6 / 0.0076, 2000, 39, rng=0)
    with pytest.warns(ConvergenceWarning, match="no finite maximum-likelihood estimate") as record:
        fit = fit_pareto_nbd(sim["frequency"], sim["recency"], sim["T"])
    text = str(record[0].message)
    assert "s, beta -> infinity with s/beta fixed" in text and "no heterogeneity in dropout rates" in text
    assert not fit.converged and "NOT CONVERGED" in repr(fit)
    assert fit.extra["boundary"] == "s, beta -> infinity with s/beta fixed"
    r, al, s, be = fit.params.to_numpy()
    assert s > 10 and s / be == pytest.approx(0.0076, rel=0.3)
    x, tx, age, w = M._compressed_rfm(sim["frequency"], sim["recency"], sim["T"], None)
    lik = M._ParetoNBDLikelihood(x, tx, age, w)
    ridge = [-lik.value(np.log([r, al, s * k, be * k])) for k in 10.0 ** np.arange(0, 9)]
    assert ridge[0] == pytest.approx(fit.loglik, abs=1e-9)
    assert np.all(np.diff(ridge) >= -1e-8)
    limit = _common_dropout_loglik(x, tx, age, w, r, al, s / be)
    assert ridge[-1] == pytest.approx(limit, rel=1e-11)
    assert fit.loglik <= limit + 1e-8


def _bgnbd_limit_loglik(kind, x, tx, T, w, r, al, a, b):
    """BG/NBD limits in closed form: 'none' (no dropout: the NBD), 'common' (p = a/(a+b) for all),
    'zero_one' (p is 1 for a share a/(a+b) of customers, else 0)."""
    base = sp.gammaln(r + x) - sp.gammaln(r) + r * np.log(al)
    at_T, at_tx = -(r + x) * np.log(al + T), -(r + x) * np.log(al + tx)
    p = a / (a + b)
    with np.errstate(divide="ignore"):
        if kind == "none":
            log_l = at_T
        elif kind == "common":
            died = np.log(p) + (x - 1) * np.log1p(-p) + at_tx
            log_l = np.where(x > 0, np.logaddexp(x * np.log1p(-p) + at_T, died), at_T)
        else:
            died = np.where(x == 1, np.log(p) + at_tx, -np.inf)
            log_l = np.where(x == 0, at_T, np.logaddexp(np.log1p(-p) + at_T, died))
    return float(w @ (base + log_l))


@pytest.mark.parametrize("params, seed, boundary, kind, direction", [
    ((0.15, 20.0, 1e-9, 1.0), 1, "a/(a+b) -> 0 (the probability of dropping out after a purchase)", "none",
     [0, 0, 0, 1]),
    ((0.15, 20.0, 1e-9, 1.0), 5, "a, b -> 0 with a/(a+b) fixed", "zero_one", [0, 0, -1, -1]),
    ((0.15, 19.0, 1e6, 4.3e6), 1, "a, b -> infinity with a/(a+b) fixed", "common", [0, 0, 1, 1]),
])
def test_bgnbd_boundaries_are_reported_not_passed_off_as_optima(params, seed, boundary, kind, direction):
    """Data sets whose BG/NBD likelihood has no finite maximum: no dropout, a dropout probability
    of 0 or 1, one dropout probability for all.  (Before, the last two could pass the Hessian
    check by rounding and be reported as converged.)  The fit names the limit; along it the
    likelihood rises to the limiting model's closed form (also for tiny a and b, where
    ``b + x - 1`` used to lose the digits of b)."""
    sim = simulate_bgnbd(*params, n_customers=2000, T=39, rng=seed)
    with pytest.warns(ConvergenceWarning, match="no finite maximum-likelihood estimate"):
        fit = fit_bgnbd(sim["frequency"], sim["recency"], sim["T"])
    assert not fit.converged and fit.extra["boundary"] == boundary
    x, tx, age, w = M._compressed_rfm(sim["frequency"], sim["recency"], sim["T"], None)
    lik = M._BGNBDLikelihood(x, tx, age, w)
    u = np.log(fit.params.to_numpy())
    ridge = [-lik.value(u + k * np.log(10) * np.array(direction, float)) for k in range(13)]
    assert np.all(np.diff(ridge) >= -1e-8)
    limit = _bgnbd_limit_loglik(kind, x, tx, age, w, *fit.params.to_numpy())
    assert ridge[-1] == pytest.approx(limit, rel=1e-12)
    assert fit.loglik <= limit + 1e-8


def test_cdnow_optima_are_not_boundaries(cdnow, bg_fit, pnbd_fit):
    """At a finite optimum no boundary applies or the likelihood falls towards it."""
    from cxlib._clv_base import Boundary, _find_boundary

    assert bg_fit.converged and pnbd_fit.converged
    assert "boundary" not in bg_fit.extra and "boundary" not in pnbd_fit.extra
    x, tx, age, w = M._compressed_rfm(cdnow["frequency"], cdnow["recency"], cdnow["T"], None)
    lik = M._ParetoNBDLikelihood(x, tx, age, w)
    directions = {"s, beta up": (0, 0, 1, 1), "beta up": (0, 0, 0, 1), "r, alpha up": (1, 1, 0, 0)}
    always = [Boundary(name, step, lambda p: True, lambda p: "") for name, step in directions.items()]
    assert _find_boundary(lambda u: -lik.value(u), np.log(pnbd_fit.params.to_numpy()), always) is None


def test_no_boundary_is_claimed_without_repeat_purchases():
    """Without any repeat purchase only r/alpha -> 0 is identified: the generic warning, no named limit."""
    with pytest.warns(ConvergenceWarning, match="did not converge cleanly"):
        fit = fit_pareto_nbd([0, 0, 0], [0, 0, 0], [10, 20, 30])
    assert not fit.converged and "boundary" not in fit.extra
