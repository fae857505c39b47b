"""cxlib.serviceprofit (lesson 09): mediation, sensitivity and multilevel models, on known truth
(cxlib.data.service_chain) and against published analyses of the JOBS II and framing experiments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cxlib import data, serviceprofit
from cxlib._serviceprofit_mediation import _fast_bootstrap, _models, _statsmodels_mediation

JOBS_COVARIATES = ["depress1", "econ_hard", "sex", "age", "occp", "marital", "nonwhite", "educ", "income"]
FRAMING_COVARIATES = ["age", "educ", "gender", "income"]

# Imai, Keele, Tingley & Yamamoto, "Causal Mediation Analysis Using R" (in Vinod, ed., Advances in
# Social Science Research Using R, Springer 2010; the mediation package's vignette "mediation-old",
# version 3.1): summary(mediate(model.m, model.y, sims = 1000, treat = "treat", mediator = "job_seek"))
# with the nine covariates above, quasi-Bayesian intervals: estimate, 95% CI.
JOBS_PUBLISHED = {"ACME (average)": (-0.01375, -0.031812, 0.003299),
                  "ADE (average)": (-0.03873, -0.11938, 0.04668),
                  "Total effect": (-0.05247, -0.13431, 0.03150)}
# Our rerun of that call in R 4.2.2 with mediation 4.5.1 (datasets/jobs.md) with sims = 10000, set.seed(1):
# the same quantities with less simulation error.
JOBS_R_10000 = {"ACME (average)": (-0.0136529, -0.0323386, 0.0032194),
                "ADE (average)": (-0.0366293, -0.1169465, 0.0431662),
                "Total effect": (-0.0502822, -0.1315733, 0.0316017)}
# The same tutorial, summary(medsens(med.cont, rho.by = 0.05)): rho, ACME, 95% CI lower, upper,
# R^2_M*R^2_Y*, R^2_M~R^2_Y~ ("Rho at which ACME = 0: -0.2" on that grid).
JOBS_MEDSENS_PUBLISHED = [(-0.30, 0.0064, -0.0025, 0.0153, 0.0900, 0.0588),
                          (-0.25, 0.0028, -0.0026, 0.0082, 0.0625, 0.0408),
                          (-0.20, -0.0007, -0.0049, 0.0036, 0.0400, 0.0261),
                          (-0.15, -0.0040, -0.0105, 0.0025, 0.0225, 0.0147)]
# Our rerun of that code in R 4.2.2 with mediation 4.5.1 (kosukeimai/mediation at e81c6dbd; see
# datasets/jobs.md): medsens's d0, lower.d0, upper.d0 at rho = -0.2 and 0 (more digits than printed),
# and with rho.by = 0.01 "Rho at which ACME = 0: -0.21", R^2 products 0.0441 and 0.0288.
JOBS_MEDSENS_R = {-0.2: (-0.00068043534, -0.0049459048, 0.0035850341),
                  0.0: (-0.01373345351, -0.0311500029, 0.0036830958)}
# The package's help page example (?mediate, ?medsens): lm(job_seek ~ treat + econ_hard + sex + age) and
# lm(depress2 ~ treat + job_seek + econ_hard + sex + age); the coefficients printed by R 4.x for them
# (coef(b)["treat"] * coef(c)["job_seek"], coef(c)["treat"], coef(a)["treat"]), as quoted e.g. in
# A. Fugard's notebook "mediator_effects" (inductivestep.github.io) and reproduced by our rerun.
JOBS_SMALL = {"indirect": -0.01574465, "direct": -0.0402647, "total": -0.05600935}

# statsmodels 0.15.0, statsmodels/stats/tests/test_mediation.py: framing_para_4231 and framing_boot_4231,
# the framing example (probit outcome, OLS mediator) with 100 draws from np.random.RandomState(4231).
_COLS = ["estimate", "ci_low", "ci_high", "p_value"]
FRAMING_PARA_4231 = pd.DataFrame([
    [0.075529, 0.024995, 0.132408, 0.00], [0.076348, 0.027475, 0.130138, 0.00],
    [0.021389, -0.094323, 0.139148, 0.68], [0.022207, -0.101239, 0.145740, 0.68],
    [0.097736, -0.025384, 0.225386, 0.16], [0.656820, -3.664956, 4.845269, 0.16],
    [0.687690, -3.449415, 4.469289, 0.16], [0.075938, 0.026109, 0.129450, 0.00],
    [0.021798, -0.097781, 0.142444, 0.68], [0.669659, -3.557185, 4.657279, 0.16]],
    index=serviceprofit.EFFECTS, columns=_COLS)
FRAMING_BOOT_4231 = pd.DataFrame([
    [0.085106, 0.029938, 0.141525, 0.00], [0.085674, 0.031089, 0.147762, 0.00],
    [0.016938, -0.129157, 0.121945, 0.66], [0.017506, -0.139649, 0.130030, 0.66],
    [0.102612, -0.036749, 0.227213, 0.20], [0.698070, -6.901715, 2.725978, 0.20],
    [0.718648, -6.145419, 2.510750, 0.20], [0.085390, 0.030272, 0.144768, 0.00],
    [0.017222, -0.134465, 0.125987, 0.66], [0.710900, -6.523567, 2.618364, 0.20]],
    index=serviceprofit.EFFECTS, columns=_COLS)
# R 4.2.2, mediation 4.5.1 (our rerun): the JSS paper's framing models (without robustSE) with
# sims = 10000, set.seed(1): ACME (average) 0.082686 (0.036560, 0.136103), ADE (average) 0.012888,
# total 0.095575: the quasi-Bayesian means, with Monte Carlo error about 0.0003.
FRAMING_R_10000 = {"ACME (average)": 0.082686, "ADE (average)": 0.012888, "Total effect": 0.095575}


@pytest.fixture(scope="module")
def jobs():
    return data.load("jobs")


@pytest.fixture(scope="module")
def framing():
    return data.load("framing")


def _draws_sd(fit, effect: str) -> float:
    """Standard deviation of the per-draw averages behind one row of the table."""
    r = fit.statsmodels
    per = {"ACME (average)": (np.asarray(r.ACME_ctrl) + np.asarray(r.ACME_tx)) / 2,
           "ADE (average)": (np.asarray(r.ADE_ctrl) + np.asarray(r.ADE_tx)) / 2,
           "Total effect": np.asarray(r.total_effect)}[effect]
    return float(np.std(per, ddof=1))


# ---------------------------------------------------------------------------
# JOBS II: the published mediation and sensitivity analyses
# ---------------------------------------------------------------------------


def test_jobs_reproduces_the_published_mediation(jobs):
    """R's quasi-Bayesian intervals come out of engine="fast" (R's algorithm for linear models);
    statsmodels' engine gives the same estimates within simulation error."""
    fast = serviceprofit.mediation(jobs, "treat", "job_seek", "depress2", JOBS_COVARIATES, engine="fast",
                                   n_sims=20_000, rng=7)
    sm_fit = serviceprofit.mediation(jobs, "treat", "job_seek", "depress2", JOBS_COVARIATES, n_sims=300, rng=7)
    # the product of coefficients is the estimate the simulations scatter around
    assert fast.product.loc["indirect", "estimate"] == pytest.approx(-0.0137334535, abs=1e-9)
    assert fast.product.loc["a", "estimate"] == pytest.approx(0.0774238, abs=1e-6)
    assert fast.product.loc["b", "estimate"] == pytest.approx(-0.1773802, abs=1e-6)
    for effect, (est, low, high) in JOBS_PUBLISHED.items():
        sd = _draws_sd(fast, effect)
        # both are means of simulations: ours of 20,000 (or 300) draws, theirs of 1,000
        assert fast.table.loc[effect, "estimate"] == pytest.approx(est, abs=4 * sd * math.sqrt(1 / 20_000 + 1 / 1000))
        assert sm_fit.table.loc[effect, "estimate"] == pytest.approx(
            est, abs=4 * _draws_sd(sm_fit, effect) * math.sqrt(1 / 300 + 1 / 1000)), effect
        # the ends of a 1,000-draw percentile interval are known to about a tenth of an sd
        assert fast.table.loc[effect, "ci_low"] == pytest.approx(low, abs=0.25 * sd), effect
        assert fast.table.loc[effect, "ci_high"] == pytest.approx(high, abs=0.25 * sd), effect
        # against R's 10,000 draws the interval ends are known to about 0.03 sd
        est, low, high = JOBS_R_10000[effect]
        assert fast.table.loc[effect, "estimate"] == pytest.approx(est, abs=4 * sd * math.sqrt(1 / 20_000 + 1 / 10_000))
        assert fast.table.loc[effect, ["ci_low", "ci_high"]].tolist() == pytest.approx([low, high], abs=0.12 * sd)
    assert fast.agreement["agrees"] and sm_fit.agreement["agrees"] and fast.inputs["n"] == 899


def test_statsmodels_acme_draws_carry_the_extra_mediator_noise(jobs):
    """statsmodels draws M(0) and M(1) with independent errors (R: the same error), which adds
    about 2 b^2 sigma_M^2 / n to the variance of its ACME draws: wider intervals than R's."""
    fast = serviceprofit.mediation(jobs, "treat", "job_seek", "depress2", JOBS_COVARIATES, engine="fast",
                                   n_sims=4000, rng=1)
    sm_fit = serviceprofit.mediation(jobs, "treat", "job_seek", "depress2", JOBS_COVARIATES, n_sims=400, rng=1)
    b = fast.product.loc["b", "estimate"]
    extra = 2 * b**2 * float(fast.mediator_fit.scale) / len(jobs)
    expected = _draws_sd(fast, "ACME (average)") ** 2 + extra  # both arms share the same M(0), M(1)
    assert _draws_sd(sm_fit, "ACME (average)") ** 2 == pytest.approx(expected, rel=0.2)
    assert sm_fit.acme_ci[1] - sm_fit.acme_ci[0] > 1.1 * (fast.acme_ci[1] - fast.acme_ci[0])


def test_jobs_small_model_of_the_help_page(jobs):
    fit = serviceprofit.mediation(jobs, "treat", "job_seek", "depress2", ["econ_hard", "sex", "age"],
                                  method="bootstrap", engine="fast", n_sims=300, rng=1)
    for path, value in JOBS_SMALL.items():
        assert fit.product.loc[path, "estimate"] == pytest.approx(value, abs=1e-8)


def test_jobs_sensitivity_reproduces_medsens(jobs):
    sens = serviceprofit.sensitivity(jobs, "treat", "job_seek", "depress2", JOBS_COVARIATES, rho_by=0.05)
    table = sens.table.set_index("rho")
    for rho, acme, low, high, r2s, r2t in JOBS_MEDSENS_PUBLISHED:
        row = table.loc[rho]
        assert [round(row[c], 4) for c in ("acme", "ci_low", "ci_high", "r2_star", "r2_tilde")] == \
            pytest.approx([acme, low, high, r2s, r2t], abs=1e-12)
    for rho, (acme, low, high) in JOBS_MEDSENS_R.items():
        row = table.loc[rho]
        assert row["acme"] == pytest.approx(acme, abs=1e-7)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-7)
    # the exact zero (the residual correlation) and R's grid answers
    assert round(sens.rho_zero, 2) == -0.21 and round(sens.rho_zero, 4) == -0.21
    assert (round(sens.r2_star_zero, 4), round(sens.r2_tilde_zero, 4)) == (0.0441, 0.0288)
    nearest = table["acme"].abs().idxmin()
    assert nearest == -0.2  # what medsens prints with rho.by = 0.05
    assert serviceprofit.acme_at_rho(sens.rho_zero, **{k: sens.estimates[k] for k in
                                                       ("beta2", "sigma1", "sigma2", "rho_tilde")})[0] == \
        pytest.approx(0, abs=1e-15)
    assert table.loc[0.0, "acme"] == pytest.approx(sens.estimates["acme"], abs=1e-12)
    assert table.loc[[-0.3, -0.25, -0.2, -0.15], "covers_zero"].all()  # the printed "sensitivity region"


def test_sensitivity_closed_form_equals_iterated_fgls(jobs):
    """The FGLS of medsens converges to Imai, Keele & Yamamoto's closed form at every rho."""
    from cxlib import _serviceprofit_checks as checks
    from cxlib._serviceprofit_sensitivity import _fgls

    sens = serviceprofit.sensitivity(jobs, "treat", "job_seek", "depress2", JOBS_COVARIATES, rho_by=0.15)
    Xm = checks.design(jobs, ["treat", *JOBS_COVARIATES]).to_numpy()
    m, y = jobs["job_seek"].to_numpy(float), jobs["depress2"].to_numpy(float)
    Z = np.column_stack([Xm, m, y])
    n, p = Xm.shape
    start = np.concatenate([np.linalg.lstsq(Xm, m, rcond=None)[0],
                            np.linalg.lstsq(Z[:, :p + 1], y, rcond=None)[0]])
    t = checks.design(jobs, ["treat", *JOBS_COVARIATES]).columns.get_loc("treat")
    for rho, acme in zip(sens.table["rho"], sens.table["acme"]):
        b, _, _ = _fgls(Z.T @ Z, p, p + 1, n, rho, start)
        assert b[t] * b[2 * p] == pytest.approx(acme, abs=1e-8), rho


def test_sensitivity_accepts_a_mediation_result(jobs):
    fit = serviceprofit.mediation(jobs, "treat", "job_seek", "depress2", ["econ_hard", "sex", "age"],
                                  method="bootstrap", engine="fast", n_sims=50, rng=1)
    a = serviceprofit.sensitivity(fit)
    b = serviceprofit.sensitivity(jobs, "treat", "job_seek", "depress2", ["econ_hard", "sex", "age"])
    pd.testing.assert_frame_equal(a.table, b.table)
    assert repr(a).startswith("SensitivityResult(ACME -0.01574 at rho=0; ACME = 0 at rho = -0.273")
    with pytest.raises(ValueError, match="reuses the columns of the mediation result"):
        serviceprofit.sensitivity(fit, "treat")


# ---------------------------------------------------------------------------
# framing: statsmodels' own test tables, and R
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("method, expected", [("parametric", FRAMING_PARA_4231), ("bootstrap", FRAMING_BOOT_4231)])
def test_framing_reproduces_statsmodels_test_tables_exactly(framing, method, expected):
    """cxlib builds the same models, column for column, as statsmodels' test; with its random
    stream (RandomState(4231), 100 draws) statsmodels' expected table comes out to 1e-6."""
    frame = framing.assign(treat=framing["treat"].astype(float))
    models = _models(frame, "treat", "emo", "cong_mesg", FRAMING_COVARIATES, "probit", None)
    med_model, out_model, med_kwargs, out_kwargs, positions, Xm, Xy = models
    assert Xy.columns.tolist() == ["Intercept", "educ[T.high school]", "educ[T.less than high school]",
                                   "educ[T.some college]", "gender[T.male]", "emo", "treat", "age", "income"]
    result = _statsmodels_mediation(med_model, out_model, med_kwargs, out_kwargs, positions, method, 100,
                                    np.random.RandomState(4231))
    table = result.summary().set_axis(_COLS, axis=1)
    np.testing.assert_allclose(table.to_numpy(float), expected.to_numpy(float), atol=1e-6)


def test_framing_public_function_agrees_with_statsmodels_and_r(framing):
    fit = serviceprofit.mediation(framing, "treat", "emo", "cong_mesg", FRAMING_COVARIATES,
                                  outcome_model="probit", n_sims=300, rng=3)
    assert fit.product is None and fit.agreement is None  # a probit outcome has no product of coefficients
    for effect in ("ACME (average)", "ADE (average)", "Total effect"):
        sd = _draws_sd(fit, effect)
        ours = fit.table.loc[effect, "estimate"]
        assert ours == pytest.approx(FRAMING_PARA_4231.loc[effect, "estimate"], abs=4 * sd * math.sqrt(1 / 300 + 1 / 100))
        assert ours == pytest.approx(FRAMING_R_10000[effect], abs=4 * sd * math.sqrt(1 / 300 + 1 / 10_000))
    assert fit.table.loc["ACME (average)", "ci_low"] > 0  # the published finding: the ACME is positive
    assert fit.table.loc["Total effect", "ci_low"] < 0 < fit.table.loc["Total effect", "ci_high"]


def test_seeding_matches_statsmodels_with_the_same_generator(jobs):
    """mediation(rng=g) is statsmodels' Mediation.fit(rng=g): no global state, same draws."""
    from statsmodels.stats.mediation import Mediation

    covs = ["econ_hard", "sex", "age"]
    fit = serviceprofit.mediation(jobs, "treat", "job_seek", "depress2", covs, n_sims=60,
                                  rng=np.random.default_rng(11))
    med_model, out_model, _, _, positions, _, _ = _models(jobs.assign(treat=jobs["treat"].astype(float)),
                                                          "treat", "job_seek", "depress2", covs, "linear", None)
    direct = Mediation(out_model, med_model, positions[0], positions[1]).fit(n_rep=60, rng=np.random.default_rng(11))
    np.testing.assert_allclose(fit.table.to_numpy(float), direct.summary().to_numpy(float), rtol=1e-12)
    again = serviceprofit.mediation(jobs, "treat", "job_seek", "depress2", covs, n_sims=60, rng=11)
    pd.testing.assert_frame_equal(fit.table, again.table)
    pd.testing.assert_frame_equal(fit.product, again.product)
    state = np.random.get_state()[1].copy()
    serviceprofit.mediation(jobs, "treat", "job_seek", "depress2", covs, n_sims=5, rng=1)
    assert (np.random.get_state()[1] == state).all()


# ---------------------------------------------------------------------------
# The vectorised bootstrap and the product of coefficients
# ---------------------------------------------------------------------------


def test_fast_bootstrap_equals_refitting_each_resample(jobs):
    covs = ["econ_hard", "sex", "age", "educ"]
    frame = jobs.assign(treat=jobs["treat"].astype(float))
    _, _, _, _, ((t_y, t_m), m_y), Xm, Xy = _models(frame, "treat", "job_seek", "depress2", covs, "linear", None)
    X, y, n = Xy.to_numpy(), jobs["depress2"].to_numpy(float), len(jobs)
    draws = _fast_bootstrap(X, y, t_y, m_y, 5, np.random.default_rng(3), None)
    rows = np.random.default_rng(3).integers(0, n, size=(5, n))
    keep = [j for j in range(X.shape[1]) if j != m_y]
    for i in range(5):
        Xi, yi = X[rows[i]], y[rows[i]]
        coef_y = np.linalg.lstsq(Xi, yi, rcond=None)[0]
        coef_m = np.linalg.lstsq(Xi[:, keep], Xi[:, m_y], rcond=None)[0]
        assert draws["a"][i] == pytest.approx(coef_m[keep.index(t_y)], abs=1e-10)
        assert draws["b"][i] == pytest.approx(coef_y[m_y], abs=1e-10)
        assert draws["direct"][i] == pytest.approx(coef_y[t_y], abs=1e-10)
    # resampling whole groups: group g drawn k times enters with weight k
    groups = np.arange(n) % 30
    gdraws = _fast_bootstrap(X, y, t_y, m_y, 3, np.random.default_rng(4), groups)
    picks = np.random.default_rng(4).integers(0, 30, size=(3, 30))
    for i in range(3):
        idx = np.concatenate([np.flatnonzero(groups == g) for g in picks[i]])
        coef_y = np.linalg.lstsq(X[idx], y[idx], rcond=None)[0]
        assert gdraws["b"][i] == pytest.approx(coef_y[m_y], abs=1e-10)


def test_fast_engine_agrees_with_statsmodels_bootstrap(jobs):
    args = (jobs, "treat", "job_seek", "depress2", ["econ_hard", "sex", "age"])
    sm_fit = serviceprofit.mediation(*args, method="bootstrap", n_sims=150, rng=5)
    fast = serviceprofit.mediation(*args, method="bootstrap", engine="fast", n_sims=2000, rng=5)
    for effect in ("ACME (average)", "ADE (average)", "Total effect"):
        sd = _draws_sd(fast, effect)
        assert fast.table.loc[effect, "estimate"] == pytest.approx(sm_fit.table.loc[effect, "estimate"],
                                                                   abs=4 * sd * math.sqrt(1 / 150 + 1 / 2000))
        # the bootstrap spreads agree (statsmodels' 150 resamples: sd known to about 6%)
        assert sd == pytest.approx(_draws_sd(sm_fit, effect), rel=0.25)
    assert fast.agreement["agrees"] and sm_fit.agreement["agrees"]
    assert fast.table.loc["ACME (control)", "estimate"] == fast.table.loc["ACME (treated)", "estimate"]


def test_product_of_coefficients_agrees_with_the_parametric_acme():
    chain = data.service_chain(rng=21)
    fit = serviceprofit.mediation(chain.customers, "programme", "engagement", "satisfaction", n_sims=200, rng=2)
    a, b = fit.product.loc["a", "estimate"], fit.product.loc["b", "estimate"]
    assert fit.product.loc["indirect", "estimate"] == pytest.approx(a * b)
    assert fit.agreement["acme_product"] == pytest.approx(a * b)
    assert abs(fit.agreement["z"]) < 4 and fit.agreement["agrees"]
    # Sobel's standard error without groups
    se_a, se_b = fit.product.loc["a", "std_error"], fit.product.loc["b", "std_error"]
    assert fit.product.loc["indirect", "std_error"] == pytest.approx(math.sqrt(a**2 * se_b**2 + b**2 * se_a**2))
    assert fit.product.loc["total", "estimate"] == pytest.approx(a * b + fit.product.loc["direct", "estimate"])


def test_cluster_robust_standard_errors_are_statsmodels(jobs):
    chain = data.service_chain(n_stores=30, rng=4)
    fit = serviceprofit.mediation(chain.customers, "programme", "engagement", "satisfaction",
                                  groups="store_id", n_sims=20, rng=1)
    assert fit.mediator_fit.cov_type == "cluster" and fit.outcome_fit.cov_type == "cluster"
    assert fit.product.loc["a", "std_error"] == pytest.approx(float(fit.mediator_fit.bse["programme"]))
    assert fit.inputs["n_groups"] == 30


# ---------------------------------------------------------------------------
# Known truth: the service-profit chain
# ---------------------------------------------------------------------------


def test_intervals_cover_the_true_indirect_effect_only_with_the_store_structure():
    stores_ci, rows_ci, boot_ci = [], [], []
    for seed in range(120):
        chain = data.service_chain(rng=seed)
        true = chain.truth["acme"]
        fit = serviceprofit.mediation(chain.customers, "programme", "engagement", "satisfaction",
                                      method="bootstrap", engine="fast", groups="store_id", n_sims=100, rng=seed)
        naive = serviceprofit.mediation(chain.customers, "programme", "engagement", "satisfaction",
                                        method="bootstrap", engine="fast", n_sims=20, rng=seed)
        low, high = fit.product.loc["indirect", ["ci_low", "ci_high"]]
        stores_ci.append(low <= true <= high)
        boot_ci.append(fit.acme_ci[0] <= true <= fit.acme_ci[1])
        low, high = naive.product.loc["indirect", ["ci_low", "ci_high"]]
        rows_ci.append(low <= true <= high)
    # 120 runs: a 95% interval covers 114 on average, binomial sd 2.4
    assert 0.88 <= np.mean(stores_ci) <= 1.0
    assert 0.85 <= np.mean(boot_ci) <= 1.0
    assert np.mean(rows_ci) < 0.7  # rows treated as independent: far too narrow


def test_naive_limits_bias_when_chosen_and_with_a_confounder():
    args = ("programme", "engagement", "satisfaction")
    kw = dict(method="bootstrap", engine="fast", groups="store_id", n_sims=20)
    for settings in ({"assignment": "chosen"}, {"confounder": 0.6}, {"assignment": "chosen", "confounder": 0.4,
                                                                     "leader_satisfaction": 0.3}):
        chain = data.service_chain(n_stores=3000, customers_per_store=24, rng=8, **settings)
        naive = serviceprofit.mediation(chain.customers, *args, rng=1, **kw).product
        adjusted = serviceprofit.mediation(chain.customers, *args, ["leading_by_example"], rng=1, **kw).product
        for table, limit in ((naive, chain.truth["naive"]), (adjusted, chain.truth["adjusted"])):
            for path, key in (("a", "a"), ("b", "b"), ("indirect", "acme"), ("direct", "ade")):
                assert table.loc[path, "estimate"] == pytest.approx(limit[key], abs=4 * table.loc[path, "std_error"]), \
                    (settings, path)
        # the naive indirect effect is far from the truth, and adjusting fixes only the choice
        assert abs(naive.loc["indirect", "estimate"] - chain.truth["acme"]) > 5 * naive.loc["indirect", "std_error"]
    assert chain.truth["adjusted"]["total"] == pytest.approx(chain.truth["total"])


def test_randomised_chain_recovers_the_truth_and_the_revenue_link():
    chain = data.service_chain(n_stores=2000, customers_per_store=30, rng=12)
    t = chain.truth
    assert (t["acme"], t["ade"], t["total"]) == pytest.approx((0.15, 0.1, 0.25))
    assert t["naive"] == pytest.approx({"a": 0.5, "b": 0.3, "acme": 0.15, "ade": 0.1, "total": 0.25})
    fit = serviceprofit.mediation(chain.customers, "programme", "engagement", "satisfaction",
                                  method="bootstrap", engine="fast", groups="store_id", n_sims=50, rng=1)
    for path, value in (("indirect", t["acme"]), ("direct", t["ade"]), ("total", t["total"])):
        assert fit.product.loc[path, "estimate"] == pytest.approx(value, abs=4 * fit.product.loc[path, "std_error"])
    stores = chain.stores
    slope = np.polyfit(stores["satisfaction"], stores["revenue"], 1)[0]
    assert slope == pytest.approx(20, abs=1.5)
    assert (stores["n_employees"] == 12).all() and stores["programme"].sum() == 1000
    assert stores["engagement"].to_numpy() == pytest.approx(
        chain.employees.groupby("store_id")["engagement"].mean().to_numpy())


def test_icc_and_between_within_effects_are_recovered():
    chain = data.service_chain(n_stores=400, rng=2)
    t = chain.truth
    ml = serviceprofit.multilevel(chain.employees, "engagement", ["programme", "leader_rating"], "store_id",
                                  decompose=["leader_rating"])
    assert ml.converged
    # ICC: with 400 stores of 12 its standard error is about 0.02
    assert ml.icc == pytest.approx(t["icc_engagement"], abs=0.06)
    assert ml.design_effect == pytest.approx(1 + 11 * ml.icc)
    bw = ml.between_within.loc["leader_rating"]
    assert bw["within"] == pytest.approx(t["within_effect"], abs=4 * bw["within_se"])
    assert bw["between"] == pytest.approx(t["between_effect_observed"], abs=4 * bw["between_se"])
    assert bw["contextual"] == pytest.approx(bw["between"] - bw["within"])
    assert ml.params.loc["programme", "estimate"] == pytest.approx(0.5, abs=4 * ml.params.loc["programme", "std_error"])
    assert serviceprofit.icc(chain.employees, "engagement", "store_id") == pytest.approx(ml.icc, abs=1e-8)
    # customers' satisfaction (sampled: MixedLM on every customer is slow) against its closed form
    sample = chain.customers.sample(8000, random_state=1)
    assert serviceprofit.icc(sample, "satisfaction", "store_id") == pytest.approx(t["icc_satisfaction"], abs=0.05)


def test_icc_truth_changes_with_the_design():
    base = data.service_chain(n_stores=10, rng=1).truth
    chosen = data.service_chain(n_stores=10, assignment="chosen", rng=1).truth
    confounded = data.service_chain(n_stores=10, confounder=0.8, rng=1).truth
    assert base["icc_engagement"] == pytest.approx((0.0625 + 0.16 + 0.16) / (0.3825 + 0.04 * 0.5625 + 1))
    assert chosen["icc_engagement"] > base["icc_engagement"] > confounded["icc_engagement"]
    assert base["design_effect_engagement"] == pytest.approx(1 + 11 * base["icc_engagement"])


def test_service_chain_tables_and_common_random_numbers():
    a = data.service_chain(n_stores=20, rng=5)
    b = data.service_chain(n_stores=20, confounder=0.5, rng=5)
    assert a.employees.columns.tolist() == ["employee_id", "store_id", "programme", "leader_rating", "engagement",
                                            "disposition"]
    assert a.stores.columns.tolist() == ["store_id", "programme", "leading_by_example", "n_employees",
                                         "n_customers", "engagement", "satisfaction", "revenue"]
    assert len(a.customers) == 1200 and a.customers["employee_id"].between(1, 240).all()
    same_store = a.customers.merge(a.employees[["employee_id", "store_id"]], on="employee_id")
    assert (same_store["store_id_x"] == same_store["store_id_y"]).all()
    pd.testing.assert_series_equal(a.employees["disposition"], b.employees["disposition"])
    pd.testing.assert_series_equal(a.stores["programme"], b.stores["programme"])
    diff = b.employees["engagement"] - a.employees["engagement"]
    assert diff.to_numpy() == pytest.approx(0.5 * a.employees["disposition"].to_numpy())
    assert "## This chain" in a.datasheet() and "acme=0.15" in repr(a)
    with pytest.raises(ValueError, match="confounder must be a finite number >= 0 and <= 1; got 1.5"):
        data.service_chain(confounder=1.5)


# ---------------------------------------------------------------------------
# design_effect and bad inputs
# ---------------------------------------------------------------------------


def test_design_effect():
    assert serviceprofit.design_effect(0.0, 50) == 1.0
    assert serviceprofit.design_effect(1.0, 12) == 12.0
    assert serviceprofit.design_effect(0.05, 60.5) == pytest.approx(3.975)
    with pytest.raises(ValueError, match="cluster_size must be a finite number >= 1; got 0.5"):
        serviceprofit.design_effect(0.1, 0.5)
    with pytest.raises(TypeError, match="icc must be a finite number"):
        serviceprofit.design_effect("0.1", 12)


@pytest.fixture(scope="module")
def small():
    return data.service_chain(n_stores=6, customers_per_store=10, rng=1).customers


def _call(small, **overrides):
    args = {"data": small, "treatment": "programme", "mediator": "engagement", "outcome": "satisfaction"}
    args.update(overrides)
    return serviceprofit.mediation(**args, n_sims=5, rng=1)


@pytest.mark.parametrize("overrides, error, message", [
    ({"mediator": "programme"}, ValueError,
     "mediator 'programme' is also the treatment; the mediator must be a different column, measured after "
     "the treatment and before the outcome"),
    ({"outcome": "programme"}, ValueError, "outcome 'programme' is also the treatment; the outcome must be a "
                                           "different column"),
    ({"treatment": "employee_id"}, ValueError, "treatment 'employee_id' must be binary (0/1 or True/False): "
                                               "mediation compares treatment 1 with 0; got 35 distinct values: 1, 2, 4, "),
    ({"mediator": "engagment"}, ValueError, "mediator 'engagment' is not a column of the data; the data has: "),
    ({"covariates": ["leading_by_example", "engagement"]}, ValueError,
     "covariate 'engagement' is also the mediator; covariates are other columns measured before the treatment"),
    ({"method": "boot"}, ValueError, "method 'boot' is not known; valid choices are 'parametric', 'bootstrap'"),
    ({"engine": "fast", "outcome_model": "probit"}, ValueError,
     "engine 'fast' computes linear models only; it needs outcome_model='linear' (got 'probit')"),
    ({"groups": "store_id", "method": "bootstrap"}, ValueError, "statsmodels' bootstrap resamples rows, not groups"),
    ({"outcome_model": "probit"}, ValueError, "outcome 'satisfaction' must be binary (0/1 or True/False): a probit "
                                              "model is for a 0/1 outcome"),
    ({"covariates": ["programme_copy"]}, ValueError, "covariate 'programme_copy' is not a column of the data"),
])
def test_bad_mediation_inputs(small, overrides, error, message):
    with pytest.raises(error) as info:
        _call(small, **overrides)
    text = str(info.value)
    assert text.startswith(message) and "\n" not in text, text


def test_missing_values_constant_and_collinear_columns(small):
    holes = small.copy()
    holes.loc[[3, 7], "engagement"] = np.nan
    with pytest.raises(ValueError, match=r"^column 'engagement' has 2 missing values \(the first in row 3\); drop "):
        _call(holes)
    with pytest.raises(ValueError, match="treatment 'programme' takes only the value 1"):
        _call(small[small["programme"] == 1])
    twice = small.assign(lbe2=2 * small["leading_by_example"])
    with pytest.raises(ValueError, match="the mediator model's columns are collinear"):
        _call(twice, covariates=["leading_by_example", "lbe2"])
    with pytest.raises(TypeError, match="mediator column 'store_id2' must be numeric"):
        _call(small.assign(store_id2=small["store_id"].astype(str)), mediator="store_id2")


def test_bool_treatment_is_accepted(small):
    a = _call(small)
    b = _call(small.assign(programme=small["programme"].astype(bool)))
    pd.testing.assert_frame_equal(a.table, b.table)


def test_bad_multilevel_and_sensitivity_inputs(small):
    with pytest.raises(ValueError, match=r"^group 'store_id' has only one group \(1\); a model of groups needs"):
        serviceprofit.multilevel(small[small["store_id"] == 1], "satisfaction", [], "store_id")
    with pytest.raises(ValueError, match="decompose names 'engagement', which is not among the predictors"):
        serviceprofit.multilevel(small, "satisfaction", ["programme"], "store_id", decompose="engagement")
    with pytest.raises(ValueError, match="group 'store_id' is also the outcome"):
        serviceprofit.multilevel(small, "store_id", [], "store_id")
    with pytest.raises(ValueError, match="group 'stor_id' is not a column of the data.*did you mean 'store_id'"):
        serviceprofit.icc(small, "satisfaction", "stor_id")
    with pytest.raises(ValueError, match="mediator 'programme' is also the treatment"):
        serviceprofit.sensitivity(small, "programme", "programme", "satisfaction")
    with pytest.raises(ValueError, match="rho_by must be a finite number >= 0.001 and <= 0.5; got 0.0"):
        serviceprofit.sensitivity(small, "programme", "engagement", "satisfaction", rho_by=0)
    with pytest.raises(ValueError, match="rho must be between -1 and 1"):
        serviceprofit.acme_at_rho([0.5, 1.0], 1.0, 1.0, 1.0, 0.2)
