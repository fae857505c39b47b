"""cxlib.referral (lesson 10): NPS with its uncertainty, referral cascades, a promoter's value, Bass diffusion;
and the known-truth survey cxlib.data.nps_survey."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from cxlib import data, referral
from cxlib.clv import ConvergenceWarning, margin_multiple

Z95 = stats.norm.ppf(0.975)


# ---------------------------------------------------------------------------
# nps: by hand, the variance identity, the intervals
# ---------------------------------------------------------------------------


def test_nps_by_hand():
    scores = [10, 9, 9, 8, 7, 6, 3, 10, 9, 5]  # 5 promoters, 2 passives, 3 detractors
    res = referral.nps(scores)
    assert res.counts == {"promoters": 5, "passives": 2, "detractors": 3}
    assert res.nps == 20.0 and res.n == 10
    assert res.params[["promoters", "passives", "detractors"]].tolist() == pytest.approx([0.5, 0.2, 0.3])
    se = 100 * math.sqrt((0.5 + 0.3 - 0.2**2) / 10)
    assert res.std_error == pytest.approx(se)
    assert res.ci == pytest.approx((20 - Z95 * se, 20 + Z95 * se))
    # adjusted Wald (Rocks 2016): 3/4 added to promoters and detractors, 3/2 to passives
    p, d = 5.75 / 13, 3.75 / 13
    adj, adj_se = 100 * (p - d), 100 * math.sqrt((p + d - (p - d) ** 2) / 13)
    assert res.ci_adjusted == pytest.approx((adj - Z95 * adj_se, adj + Z95 * adj_se))
    assert res.intervals().loc["adjusted_wald", "width"] == pytest.approx(2 * Z95 * adj_se)
    # the multinomial log-likelihood of the counts at the shares
    assert res.loglik == pytest.approx(stats.multinomial.logpmf([5, 2, 3], 10, [0.5, 0.2, 0.3]))
    # every score's group
    groups = {k: referral.nps([k]).counts for k in range(11)}
    assert [k for k, c in groups.items() if c["promoters"]] == [9, 10]
    assert [k for k, c in groups.items() if c["passives"]] == [7, 8]
    assert [k for k, c in groups.items() if c["detractors"]] == list(range(7))
    assert referral.nps(pd.Series([10, 0, 8])).nps == 0.0  # a Series works


def test_nps_standard_error_is_the_multinomial_variance():
    rng = np.random.default_rng(11)
    for promoters, detractors in [(0.4, 0.2), (0.7, 0.05), (0.2, 0.6)]:
        scores = rng.choice([10, 8, 3], size=400, p=[promoters, 1 - promoters - detractors, detractors])
        res = referral.nps(scores)
        p, d = res.params["promoters"], res.params["detractors"]
        # Var(P - D) = Var(P) + Var(D) - 2 Cov(P, D) with Cov(P, D) = -P D / n: = (P + D - (P - D)^2) / n
        pieces = (p * (1 - p) + d * (1 - d) + 2 * p * d) / 400
        assert (res.std_error / 100) ** 2 == pytest.approx(pieces)
        assert (res.std_error / 100) ** 2 == pytest.approx((p + d - (p - d) ** 2) / 400)
        # ... the variance of the mean of the scores recoded +1 / 0 / -1 (ddof = 0)
        recoded = np.where(scores >= 9, 1.0, np.where(scores <= 6, -1.0, 0.0))
        assert res.std_error == pytest.approx(100 * recoded.std() / math.sqrt(400))
        assert res.se["promoters"] == pytest.approx(math.sqrt(p * (1 - p) / 400))


def test_nps_standard_error_against_simulation():
    """The closed-form SD of the NPS of 200 answers against 20,000 simulated surveys."""
    rng = np.random.default_rng(3)
    shares = [0.45, 0.30, 0.25]
    counts = rng.multinomial(200, shares, size=20_000)
    estimates = 100 * (counts[:, 0] - counts[:, 2]) / 200
    closed = 100 * math.sqrt((0.45 + 0.25 - 0.2**2) / 200)
    # the SD of an SD estimate from N normal-ish draws is about SD / sqrt(2 (N - 1))
    assert abs(estimates.std(ddof=1) - closed) < 4 * closed / math.sqrt(2 * 19_999)
    assert abs(estimates.mean() - 20.0) < 4 * closed / math.sqrt(20_000)


def _exact_coverage(promoters: float, detractors: float, n: int) -> tuple[float, float]:
    """Exact coverage of the Wald and adjusted Wald intervals: every trinomial outcome, weighted."""
    true = 100 * (promoters - detractors)
    wald = adjusted = 0.0
    for k in range(n + 1):
        for j in range(n + 1 - k):
            counts = [k, n - k - j, j]
            weight = stats.multinomial.pmf(counts, n, [promoters, 1 - promoters - detractors, detractors])
            res = referral.nps([10] * k + [8] * (n - k - j) + [0] * j)
            wald += weight * (res.ci[0] <= true <= res.ci[1])
            adjusted += weight * (res.ci_adjusted[0] <= true <= res.ci_adjusted[1])
    return wald, adjusted


def test_interval_coverage_at_n_50_by_simulation():
    """At n = 50 and a high NPS (85% promoters, 5% detractors) the Wald interval covers about 90%,
    the adjusted Wald interval about 96% (exact, by enumeration: 0.900 and 0.961).  4,000 simulated
    surveys through nps() agree within 3 Monte Carlo standard errors, sqrt(c (1 - c) / 4000)."""
    promoters, detractors, n, runs = 0.85, 0.05, 50, 4000
    rng = np.random.default_rng(2016)
    counts = rng.multinomial(n, [promoters, 1 - promoters - detractors, detractors], size=runs)
    true = 100 * (promoters - detractors)
    hits = np.zeros((runs, 2), dtype=bool)
    for i, (k, a, j) in enumerate(counts):
        res = referral.nps(np.repeat([10, 8, 0], [k, a, j]))
        hits[i] = (res.ci[0] <= true <= res.ci[1], res.ci_adjusted[0] <= true <= res.ci_adjusted[1])
    simulated = hits.mean(axis=0)
    exact = _exact_coverage(promoters, detractors, n)
    assert exact[0] == pytest.approx(0.9001, abs=5e-4) and exact[1] == pytest.approx(0.9613, abs=5e-4)
    for sim, ex in zip(simulated, exact):
        assert abs(sim - ex) < 3 * math.sqrt(ex * (1 - ex) / runs), (sim, ex)
    wald_mcse = math.sqrt(0.95 * 0.05 / runs)
    assert simulated[0] < 0.95 - 3 * wald_mcse  # the Wald interval falls short, beyond Monte Carlo error
    assert abs(simulated[1] - 0.95) < 0.02


def test_adjusted_interval_near_nominal_at_a_moderate_score():
    wald, adjusted = _exact_coverage(0.4, 0.2, 50)
    assert wald == pytest.approx(0.9387, abs=5e-4) and adjusted == pytest.approx(0.9505, abs=5e-4)


def test_all_answers_in_one_group():
    res = referral.nps([10] * 20)
    assert res.nps == 100 and res.std_error == 0 and res.ci == (100, 100)  # Wald: width 0
    assert res.ci_adjusted[1] == 100 and res.ci_adjusted[0] < 90  # adjusted: clipped, not empty


@pytest.mark.parametrize(
    "scores, error, message",
    [
        ([10, 9, 11], ValueError, "scores must be whole numbers from 0 to 10 (answers to the 0-10 recommendation "
                                  "question); got 11.0 at position 2"),
        ([10, 3.5], ValueError, "scores must be whole numbers from 0 to 10 (answers to the 0-10 recommendation "
                                "question); got 3.5 at position 1"),
        ([10, -1], ValueError, "scores must be whole numbers from 0 to 10 (answers to the 0-10 recommendation "
                               "question); got -1.0 at position 1"),
        ([10, float("nan"), 3], ValueError, "scores must be whole numbers from 0 to 10 (answers to the 0-10 "
                                            "recommendation question), without missing answers (drop them "
                                            "first); got nan at position 1"),
        ([], ValueError, "scores must hold at least one answer; got an empty sequence"),
        ([10, "9"], TypeError, "scores must be whole numbers from 0 to 10 (answers to the 0-10 recommendation "
                               "question); got '9' (str) in [10, '9']"),
        ([10, True], TypeError, "scores must be whole numbers from 0 to 10 (answers to the 0-10 recommendation "
                                "question); got True (bool) in [10, True]"),
    ],
)
def test_nps_refuses_bad_scores(scores, error, message):
    with pytest.raises(error) as info:
        referral.nps(scores)
    assert str(info.value) == message


def test_nps_refuses_a_bad_level():
    with pytest.raises(ValueError, match="ci must be a finite number > 0 and < 1; got 95.0"):
        referral.nps([10, 9], ci=95)


# ---------------------------------------------------------------------------
# compare_nps and nps_sample_size
# ---------------------------------------------------------------------------


def test_compare_nps_by_hand():
    a = [10] * 50 + [8] * 30 + [3] * 20  # NPS 30
    b = [10] * 35 + [8] * 35 + [3] * 30  # NPS 5
    res = referral.compare_nps(a, b)
    se_a = 100 * math.sqrt((0.5 + 0.2 - 0.3**2) / 100)
    se_b = 100 * math.sqrt((0.35 + 0.3 - 0.05**2) / 100)
    assert res.difference == pytest.approx(25.0)
    assert res.std_error == pytest.approx(math.hypot(se_a, se_b))
    assert res.z == pytest.approx(25 / math.hypot(se_a, se_b))
    assert res.p_value == pytest.approx(2 * stats.norm.sf(res.z))
    assert res.ci == pytest.approx((25 - Z95 * res.std_error, 25 + Z95 * res.std_error))
    assert res.ci_adjusted[0] < 25 < res.ci_adjusted[1]
    # NPS results are accepted as they are, and give the same comparison
    again = referral.compare_nps(referral.nps(a), referral.nps(b))
    assert (again.difference, again.std_error, again.p_value) == (res.difference, res.std_error, res.p_value)
    assert res.summary().loc["a - b", "nps"] == pytest.approx(25.0)
    same = referral.compare_nps(a, a)
    assert same.difference == 0 and same.p_value == pytest.approx(1.0)
    ones = referral.compare_nps([10] * 5, [10] * 7)  # no variance on either side: z 0, p 1
    assert ones.z == 0 and ones.p_value == 1


def test_compare_nps_false_positive_rate():
    """Two samples of 150 from one population: the z test rejects about 5% of the time."""
    rng = np.random.default_rng(8)
    runs = 1500
    rejected = 0
    for _ in range(runs):
        a, b = (rng.choice([10, 8, 2], size=150, p=[0.45, 0.3, 0.25]) for _ in range(2))
        rejected += referral.compare_nps(a, b).p_value < 0.05
    assert abs(rejected / runs - 0.05) < 3 * math.sqrt(0.05 * 0.95 / runs) + 0.005


def test_nps_sample_size_round_trip():
    for margin, promoters, detractors in [(5, 0.5, 0.5), (5, 0.4, 0.2), (10, 0.6, 0.1), (3, 0.3, 0.3)]:
        n = referral.nps_sample_size(margin, promoters=promoters, detractors=detractors)
        var = promoters + detractors - (promoters - detractors) ** 2
        half = lambda size: 100 * Z95 * math.sqrt(var / size)  # noqa: E731
        assert half(n) <= margin < half(n - 1), (margin, n)
        # a survey of that size with exactly those shares has a Wald interval of about that half-width
        k, j = round(promoters * n), round(detractors * n)
        res = referral.nps([10] * k + [8] * (n - k - j) + [0] * j)
        assert (res.ci[1] - res.ci[0]) / 2 == pytest.approx(margin, rel=0.02)
    assert referral.nps_sample_size(5) == math.ceil(Z95**2 / 0.05**2)  # worst case: variance 1
    assert referral.nps_sample_size(5, ci=0.9) < referral.nps_sample_size(5)
    assert referral.nps_sample_size(5, promoters=1.0, detractors=0.0) == 1


def test_nps_sample_size_refuses_bad_shares():
    with pytest.raises(ValueError, match=r"promoters \+ detractors must be at most 1 \(the rest are passives\); "
                                         r"got 0.7 \+ 0.4 = 1.1"):
        referral.nps_sample_size(5, promoters=0.7, detractors=0.4)
    with pytest.raises(ValueError, match="margin must be a finite number > 0 and <= 200; got 0.0"):
        referral.nps_sample_size(0)


# ---------------------------------------------------------------------------
# The branching process: closed forms against simulation
# ---------------------------------------------------------------------------


def test_reproduction_number_and_pgf():
    model = referral.ReferralModel(1.0, promoters=0.4, detractors=0.2, passive_factor=0.25, discouragement=0.5)
    assert model.reproduction_number == pytest.approx((0.4 * 1.0 + 0.4 * 0.25) * (1 - 0.5 * 0.2))
    h = 1e-6
    assert (model.pgf(1.0) - model.pgf(1.0 - h)) / h == pytest.approx(model.reproduction_number, rel=1e-5)
    assert model.pgf(0.0) == pytest.approx(0.4 * math.exp(-0.9) + 0.4 * math.exp(-0.225) + 0.2)
    # one type only: Poisson(2), whose extinction probability solves q = exp(2 (q - 1)): 0.2032
    pure = referral.ReferralModel(2.0, promoters=1.0, detractors=0.0)
    assert pure.reproduction_number == 2.0 and pure.offspring_variance == pytest.approx(2.0)
    q = pure.extinction_probability()
    assert q == pytest.approx(math.exp(2 * (q - 1)), abs=1e-12) and q == pytest.approx(0.2031878, abs=1e-6)
    assert pure.extinction_probability(n_seed_customers=3) == pytest.approx(q**3)
    # negative binomial: the same mean, more variance, more extinction
    nb = referral.ReferralModel(2.0, promoters=1.0, detractors=0.0, dispersion=0.5)
    assert nb.reproduction_number == 2.0 and nb.offspring_variance == pytest.approx(2 + 4 / 0.5)
    assert nb.extinction_probability() > q
    # R <= 1: extinction is certain; the finite-horizon probabilities rise towards it
    sub = referral.ReferralModel(1.0)
    assert sub.extinction_probability() == 1.0
    by_t = [sub.extinction_probability(t) for t in (1, 5, 50)]
    assert by_t == sorted(by_t) and by_t[-1] == pytest.approx(1.0, abs=1e-6)
    assert sub.expected_total(10) == pytest.approx(10 / (1 - sub.reproduction_number))
    assert referral.ReferralModel(3.0).expected_total(1) == math.inf


def test_mean_cascade_size_matches_the_closed_form():
    """R = 0.45 < 1: the mean cascade of one seed is 1 / (1 - R) = 1.818; tolerance 3.5 Monte Carlo SE
    from the closed-form SD sqrt(sigma^2 / (1 - R)^3) (not from the sample)."""
    for dispersion in (None, 0.5):
        sim = referral.simulate_referrals(1, 1.0, dispersion=dispersion, periods=60, n_runs=40_000, rng=5)
        model = sim.model
        expected = model.expected_total(1)
        assert expected == pytest.approx(1 / 0.55)
        assert model.expected_total(1, 60) == pytest.approx(expected, rel=1e-12)  # the horizon does not matter
        mcse = model.total_sd(1) / math.sqrt(40_000)
        assert abs(sim.total.mean() - expected) < 3.5 * mcse, (dispersion, sim.total.mean(), expected, mcse)
        assert sim.total.var() == pytest.approx(model.total_sd(1) ** 2, rel=0.15)
        table = sim.compare()
        assert table.loc["mean cascade size", "closed_form"] == pytest.approx(expected)
        assert sim.extinct.all()


def test_mean_by_period_and_many_seeds():
    sim = referral.simulate_referrals(200, 1.5, periods=8, n_runs=3000, rng=9)
    r = sim.reproduction_number
    by_period = sim.mean_by_period()
    assert by_period["expected"].tolist() == pytest.approx([200 * r**t for t in range(9)])
    sd = np.sqrt(np.maximum(sim.new.var(axis=0), 1e-12) / 3000)
    assert np.all(np.abs(by_period["simulated"] - by_period["expected"]) < 4 * sd + 1e-9)
    assert abs(sim.total.mean() - sim.model.expected_total(200, 8)) < 4 * sim.total.std() / math.sqrt(3000)
    assert (sim.summary()["referred"] == sim.total - 200).all()


def test_extinction_probability_above_one():
    """R = 1.35 > 1: the chance that one seed's cascade dies out is q, the root of G(s) = s below 1."""
    for dispersion, rate in ((None, 3.0), (1.0, 3.0)):
        sim = referral.simulate_referrals(1, rate, dispersion=dispersion, periods=25, n_runs=20_000, rng=17)
        q_t = sim.model.extinction_probability(25)
        q = sim.model.extinction_probability()
        assert sim.reproduction_number == pytest.approx(1.35)
        assert q_t == pytest.approx(q, abs=1e-3) and 0 < q < 1
        assert sim.model.pgf(q) == pytest.approx(q, abs=1e-12)
        share = sim.extinct.mean()
        assert abs(share - q_t) < 3.5 * math.sqrt(q_t * (1 - q_t) / 20_000), (dispersion, share, q_t)
    # the discouragement of detractors lowers R and raises extinction
    loud, quiet = referral.ReferralModel(3.0, discouragement=1.0), referral.ReferralModel(3.0, discouragement=0.5)
    assert loud.reproduction_number < quiet.reproduction_number
    assert loud.extinction_probability() > quiet.extinction_probability()


def test_simulate_referrals_is_reproducible_and_checks_its_arguments():
    a = referral.simulate_referrals(10, 1.2, periods=5, n_runs=50, rng=4)
    b = referral.simulate_referrals(10, 1.2, periods=5, n_runs=50, rng=4)
    assert np.array_equal(a.new, b.new) and np.array_equal(a.discouraged, b.discouraged)
    assert a.new.shape == (50, 6) and (a.new[:, 0] == 10).all()
    assert "R=0.54" in repr(a)
    with pytest.raises(ValueError, match="periods=100 is too many at R=2.25"):
        referral.simulate_referrals(10, 5.0, periods=100)
    with pytest.raises(ValueError, match="n_seed_customers must be an integer between 1 and 1000000000; got 0"):
        referral.simulate_referrals(0, 1.0)
    with pytest.raises(ValueError, match=r"promoters \+ detractors must be at most 1"):
        referral.simulate_referrals(10, 1.0, promoters=0.8, detractors=0.3)
    with pytest.raises(ValueError, match="dispersion must be a finite number > 0; got 0.0"):
        referral.simulate_referrals(10, 1.0, dispersion=0)
    with pytest.raises(ValueError, match="referral_rate must be a finite number >= 0 and <= 1000; got -1.0"):
        referral.ReferralModel(-1.0)


# ---------------------------------------------------------------------------
# promoter_value
# ---------------------------------------------------------------------------


def test_promoter_value_closed_forms():
    customer = 100 * margin_multiple(0.8, 0.1)  # 266.67: Gupta & Lehmann's margin multiple
    res = referral.promoter_value(1.0, margin=100, retention=0.8, discount=0.1, rng=0)
    model = referral.ReferralModel(1.0)
    direct = 1.0 * (1 - 0.5 * 0.2)  # a promoter's referrals that succeed
    assert res.customer_value == pytest.approx(customer)
    assert res.value == pytest.approx(direct * customer / (1.1 - model.reproduction_number))
    assert res.referred == pytest.approx(direct / (1 - model.reproduction_number))
    # the same as adding the discounted generations one by one
    by_generation = sum(direct * model.reproduction_number**g / 1.1 ** (g + 1) for g in range(400)) * customer
    assert res.value == pytest.approx(by_generation)
    assert res.std_error == 0 and res.ci == (res.value, res.value)
    alone = referral.promoter_value(1.0, margin=100, retention=0.8, discount=0.1, cascade=False, rng=0)
    assert alone.value == pytest.approx(direct * customer / 1.1) and alone.referred == pytest.approx(direct)
    given = referral.promoter_value(1.0, clv=customer, discount=0.1, rng=0)
    assert given.value == pytest.approx(res.value)
    # R >= 1 + discount: the discounted cascade has no finite value
    assert referral.promoter_value(5.0, clv=100, discount=0.1, rng=0).value == math.inf


def test_promoter_value_uncertainty():
    res = referral.promoter_value(1.0, margin=100, retention=0.8, referral_rate_se=0.1, retention_se=0.03,
                                  n_draws=20_000, rng=3)
    assert res.draws.shape == (20_000,)
    assert res.ci[0] < res.value < res.ci[1]
    assert 0 < res.std_error < res.value
    # each source alone gives a narrower interval than both
    rate_only = referral.promoter_value(1.0, margin=100, retention=0.8, referral_rate_se=0.1, rng=3)
    width = lambda r: r.ci[1] - r.ci[0]  # noqa: E731
    assert 0 < width(rate_only) < width(res)
    clv_only = referral.promoter_value(1.0, clv=250.0, clv_se=25.0, rng=3)
    assert clv_only.std_error == pytest.approx(clv_only.value * 0.1, rel=0.05)


def test_promoter_value_refuses_bad_inputs():
    with pytest.raises(ValueError, match="needs the value of a referred customer: clv, or margin and retention"):
        referral.promoter_value(1.0, margin=100)
    with pytest.raises(ValueError, match="either clv or margin and retention, not both"):
        referral.promoter_value(1.0, clv=10, margin=100, retention=0.8)
    with pytest.raises(ValueError, match="retention must be a finite number >= 0 and < 1; got 1.0"):
        referral.promoter_value(1.0, margin=100, retention=1.0)


# ---------------------------------------------------------------------------
# Bass: the curve, the fit, its recovery and its failure on short series
# ---------------------------------------------------------------------------

P, Q, M = 0.03, 0.38, 10_000


def test_bass_curve_closed_forms():
    peak = math.log(Q / P) / (P + Q)
    grid = np.linspace(0, 20, 200_001)
    rate = referral.bass_curve(P, Q, M, grid)
    assert grid[rate.argmax()] == pytest.approx(peak, abs=1e-3)
    assert referral.bass_curve(P, Q, M, 0.0) == pytest.approx(P * M)  # at launch: innovators only
    for t in (1.0, 5.0, 12.0):
        area, _ = integrate.quad(lambda u: referral.bass_curve(P, Q, M, u), 0, t)
        assert referral.bass_curve(P, Q, M, t, cumulative=True) == pytest.approx(area, rel=1e-8)
    assert referral.bass_curve(P, Q, M, 200.0, cumulative=True) == pytest.approx(M)
    assert referral.bass_curve(P, Q, M, -1.0) == 0.0


def test_bass_regression_recovers_noise_free_discrete_series():
    """The discrete model without noise: Bass's OLS regression is exact, and so is the fit."""
    n, path = 0.0, []
    for _ in range(12):
        s = (P + Q * n / M) * (M - n)
        path.append(s)
        n += s
    fit = referral.fit_bass(path)
    assert fit.params.tolist() == pytest.approx([P, Q, M], rel=1e-6)
    assert fit.rss == pytest.approx(0, abs=1e-8) and fit.converged
    assert fit.extra["starts"][0] == "OLS regression (Bass 1969)"
    assert fit.predict(range(1, 13)) == pytest.approx(path, rel=1e-6)
    assert fit.peak_time() == pytest.approx(math.log(Q / P) / (P + Q), rel=1e-6)


@pytest.mark.parametrize("model", ["discrete", "continuous"])
def test_fit_bass_recovers_known_parameters(model):
    """Series of 20 periods (past the peak at 6.2), simulated from the same form that is fitted:
    every estimate within 3 standard errors of the truth, for several seeds, and the peak too."""
    for seed in range(4):
        series = referral.simulate_bass(P, Q, M, 20, model=model, rng=seed)
        fit = referral.fit_bass(series, model=model)
        assert fit.converged, fit.message
        z = (fit.params - [P, Q, M]) / fit.se
        assert (z.abs() < 3).all(), (seed, z.to_dict())
        true_peak = math.log(Q / P) / (P + Q)
        p, q = fit.params["p"], fit.params["q"]
        assert fit.peak_time() == pytest.approx(math.log(q / p) / (p + q))
        assert abs(fit.peak_time() - true_peak) < 3 * fit.peak_time_se
        low, high = fit.summary().loc["m", ["ci_low", "ci_high"]]
        assert low < M < high and high / low < 1.1
        assert fit.loglik == pytest.approx(-10 * (math.log(2 * math.pi * fit.rss / 20) + 1))
        assert fit.fitted.shape == (20,) and fit.residuals() == pytest.approx(series - fit.fitted)


def test_m_is_poorly_identified_before_the_peak():
    """Cut before the peak (5 of 20 periods), the interval for m is far wider than on the whole series
    (log-width at least 20 times as large), or the fit fails outright with a warning."""
    widths = []
    for seed in range(6):
        series = referral.simulate_bass(P, Q, M, 20, rng=seed)
        full = referral.fit_bass(series)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            short = referral.fit_bass(series[:5])
        log_width = lambda f: float(np.log(f.summary().loc["m", "ci_high"] / f.summary().loc["m", "ci_low"]))  # noqa: E731
        if short.converged:
            assert log_width(short) > 20 * log_width(full), seed
        widths.append(log_width(short) if short.converged else math.inf)
    assert np.median(widths) > math.log(2.5)  # the typical interval for m spans a factor of 2.5 or more
    series = referral.simulate_bass(P, Q, M, 20, rng=1)
    with pytest.warns(ConvergenceWarning, match="m ran into its ceiling"):
        failed = referral.fit_bass(series[:4])
    assert not failed.converged and "does not identify m" in failed.message


def test_fit_bass_on_the_yugo():
    yugo = data.load("yugo_sales")
    yugo = yugo[yugo["car"] == "Yugo"]
    fit = referral.fit_bass(yugo["sales"], times=yugo["year"], model="continuous")
    assert fit.converged and fit.n == 8 and fit.origin == 1984
    assert 1986 < fit.peak_time() < 1987 and fit.peak_time_se < 0.5
    low, high = fit.summary().loc["m", ["ci_low", "ci_high"]]
    assert low < yugo["sales"].sum() < high  # 139,875 sold; m is not pinned down to better than +/- 15%
    assert fit.predict(1987) == pytest.approx(fit.fitted[2])
    # the discrete form wants fewer eventual buyers than had bought before 1992: it stops at its floor
    with pytest.warns(ConvergenceWarning, match="m is at its floor"):
        discrete = referral.fit_bass(yugo["sales"], times=yugo["year"])
    assert discrete.params["m"] == pytest.approx(yugo["sales"].iloc[:-1].sum())


def test_simulate_bass_means():
    runs = np.array([referral.simulate_bass(P, Q, 2000, 10, model="continuous", rng=s) for s in range(400)])
    edges = referral.bass_curve(P, Q, 2000, np.arange(11.0), cumulative=True)
    expected = np.diff(edges)
    assert np.all(np.abs(runs.mean(axis=0) - expected) < 4 * np.sqrt(expected / 400) + 0.5)
    discrete = referral.simulate_bass(0.5, 2.0, 1000, 30, rng=1)
    assert discrete.sum() <= 1000 and discrete[-5:].sum() == 0  # everyone adopted, none twice


@pytest.mark.parametrize(
    "adoptions, kwargs, message",
    [
        ([10, 20], {}, "fit_bass needs at least 3 periods of adoptions (3 parameters); got 2"),
        ([10, -2, 30], {}, "adoptions must be >= 0; got -2.0 at position 1"),
        ([10, float("nan"), 30], {}, "adoptions must be numbers >= 0, without missing periods; got nan at position 1"),
        ([0, 0, 0], {}, "adoptions are all 0; the Bass model needs some adoptions to fit"),
        ([10, 20, 30], {"times": [1, 2]}, "times must have one period per adoption count; got 2 times and 3 counts"),
        ([10, 20, 30], {"times": [1990, 1991, 1993]}, "times must be consecutive whole periods (each 1 after the "
                                                      "last); got 1993.0 at position 1"),
        ([10, 20, 30], {"model": "logistic"}, "model 'logistic' is not known; valid choices are 'discrete', "
                                              "'continuous'"),
    ],
)
def test_fit_bass_refuses_bad_inputs(adoptions, kwargs, message):
    with pytest.raises(ValueError) as info:
        referral.fit_bass(adoptions, **kwargs)
    assert str(info.value) == message


def test_predict_refuses_times_before_launch():
    fit = referral.fit_bass([5, 12, 20, 18, 9, 4], times=range(2001, 2007))
    with pytest.raises(ValueError, match=r"t must be at or after the start of the first period \(2000\)"):
        fit.predict(1999)
    with pytest.raises(ValueError, match="t must be whole periods for the discrete model; got 2001.5"):
        fit.predict(2001.5)


# ---------------------------------------------------------------------------
# The known-truth survey
# ---------------------------------------------------------------------------


def test_score_distribution_is_beta_binomial():
    for a, b in data.NPS_SCORE_PARAMS.values():
        assert data.score_distribution(a, b) == pytest.approx(stats.betabinom.pmf(np.arange(11), 10, a, b))


def test_nps_survey_truth_and_recovery():
    truth = data.nps_survey(100, rng=0).truth
    shares = truth["group_shares"]
    assert sum(shares.values()) == pytest.approx(1)
    assert truth["nps"] == pytest.approx(100 * (shares["promoter"] - shares["detractor"]))
    assert round(truth["nps"], 1) == 23.6
    assert {s: round(v, 1) for s, v in truth["nps_by_segment"].items()} == {"new": -15.9, "regular": 31.2,
                                                                           "loyal": 63.7}
    assert truth["reproduction_number"] == pytest.approx(0.8 * shares["promoter"] + 0.2 * shares["passive"])
    model = referral.ReferralModel(0.8, promoters=shares["promoter"], detractors=shares["detractor"],
                                   passive_factor=truth["passive_factor"], discouragement=0)
    assert model.reproduction_number == pytest.approx(truth["reproduction_number"])
    survey = data.nps_survey(200_000, rng=42)
    df = survey.data
    est = referral.nps(df["score"])
    assert abs(est.nps - truth["nps"]) < 4 * est.std_error
    for segment, value in truth["nps_by_segment"].items():
        sub = referral.nps(df.loc[df["segment"] == segment, "score"])
        assert abs(sub.nps - value) < 4 * sub.std_error, segment
    for group, rate in truth["referral_rates"].items():
        x = df.loc[df["group"] == group, "referrals"]
        assert abs(x.mean() - rate) <= 4 * math.sqrt(max(rate, 1e-9) / len(x)), group
        kept = df.loc[df["group"] == group, "retained"]
        p = truth["retention"][group]
        assert abs(kept.mean() - p) < 4 * math.sqrt(p * (1 - p) / len(kept)), group
    assert (df.loc[df["group"] == "detractor", "referrals"] == 0).all()
    assert (df["group"].cat.codes == np.where(df["score"] >= 9, 0, np.where(df["score"] >= 7, 1, 2))).all()
    assert abs(df["referrals"].mean() - truth["reproduction_number"]) < 4 * df["referrals"].std() / math.sqrt(200_000)


def test_nps_survey_interval_covers_the_truth_over_seeds():
    truth = data.nps_survey(10, rng=0).truth["nps"]
    covered = [referral.nps(data.nps_survey(300, rng=seed).data["score"]).ci_adjusted for seed in range(200)]
    share = np.mean([lo <= truth <= hi for lo, hi in covered])
    assert abs(share - 0.95) < 3 * math.sqrt(0.95 * 0.05 / 200) + 0.01


def test_nps_survey_options_and_errors():
    survey = data.nps_survey(500, segment_shares={"loyal": 1.0}, referral_rates={"promoter": 2.0, "passive": 0.5,
                                                                                  "detractor": 0.1}, rng=1)
    assert set(survey.data["segment"]) == {"loyal"}
    assert survey.truth["nps"] == pytest.approx(survey.truth["nps_by_segment"]["loyal"])
    assert survey.truth["passive_factor"] == 0.25
    with pytest.raises(ValueError, match="n must be an integer between 10 and 10000000; got 5"):
        data.nps_survey(5)
    with pytest.raises(ValueError, match="referral_rates lacks 'detractor'"):
        data.nps_survey(100, referral_rates={"promoter": 1.0, "passive": 0.2})
    with pytest.raises(ValueError, match="score_params key 'vip' is not known"):
        data.nps_survey(100, score_params={"vip": (1, 1)})
    with pytest.raises(ValueError, match=r"retention\['passive'\] must be a probability between 0 and 1; got 1.5"):
        data.nps_survey(100, retention={"promoter": 0.9, "passive": 1.5, "detractor": 0.5})
    assert "true NPS +23.6" in data.nps_survey(50, rng=3).datasheet()
