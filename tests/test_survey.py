"""cxlib.survey (lesson 01): reliability and factor structure of Likert scales, against
closed forms, published reference values and the known truth of the survey generator."""

from __future__ import annotations

import io
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from cxlib import data, survey
from cxlib.data._survey import FACTORS, survey_panel

BFI_REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]  # datasets/bfi.md, psych's bfi.keys
BFI_SCALES = {s: [f"{s}{j}" for j in range(1, 6)] for s in "ACENO"}


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return data.load("bfi")


@pytest.fixture(scope="module")
def panel():
    return survey_panel(rng=11)


@pytest.fixture(scope="module")
def big():
    """1,500 respondents: enough for a nine-factor solution to recover the truth."""
    return survey_panel(150, 10, rng=3)


@pytest.fixture(scope="module")
def big_fit(big):
    return survey.factor_analysis(big.data[big.items], 9, "oblimin")


# ---------------------------------------------------------------------------
# Cronbach's alpha: closed form and pingouin's published values
# ---------------------------------------------------------------------------


def test_alpha_equals_the_closed_form_on_constructed_data():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, size=(40, 6)).astype(float)
    x[:, 1] = np.clip(x[:, 0] + rng.integers(-1, 2, 40), 1, 5)  # some covariance
    k = x.shape[1]
    closed = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    res = survey.cronbach_alpha(x)
    assert res.alpha == pytest.approx(closed, abs=1e-12)
    assert (res.n, res.n_items, res.n_complete) == (40, 6, 40)
    frame = pd.DataFrame(x, columns=list("abcdef"))
    assert survey.cronbach_alpha(frame, missing="pairwise").alpha == pytest.approx(closed, abs=1e-12)
    # reversing by hand = reverse=
    flipped = frame.assign(c=6 - frame["c"])
    assert survey.cronbach_alpha(flipped, reverse=["c"], scale=(1, 5)).alpha == pytest.approx(closed, abs=1e-12)
    # the mean-covariance form: k * cbar / (vbar + (k - 1) cbar)
    C = np.cov(x, rowvar=False)
    cbar, vbar = C[np.triu_indices(k, 1)].mean(), np.diag(C).mean()
    assert res.alpha == pytest.approx(k * cbar / (vbar + (k - 1) * cbar), abs=1e-12)
    assert res.summary().loc["alpha", "estimate"] == res.alpha
    assert tuple(res.conf_int(0.05).iloc[0]) == pytest.approx(res.ci)


# pingouin's documentation examples, copied from raphaelvallat/pingouin
# src/pingouin/reliability.py (commit 14994d6e, 2026-03; pingouin 0.7.0 prints the same), whose
# data sets are src/pingouin/datasets/cronbach_wide_missing.csv and cronbach_alpha.csv (copied
# below).  pingouin's comments give the R equivalents: psych::alpha(data, use="pairwise") and
# psych::alpha(data, use="complete.obs").
PINGOUIN_WIDE_MISSING = """Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9,Q10,Q11
1,1,1,1,1,1,1,1,1,1,1
1,1,1,1,1,1,1,1,0,1,0
,0,1,1,,1,1,1,1,0,0
1,1,1,0,1,1,0,1,1,0,0
1,1,1,1,1,0,0,0,1,0,0
0,1,,0,1,1,1,1,0,0,0
1,1,1,1,0,0,1,0,0,0,0
1,1,1,1,1,0,0,0,0,0,0
0,1,0,1,1,0,0,0,0,1,0
1,0,0,1,0,1,0,0,,0,0
1,1,1,0,0,0,0,0,0,0,0
1,0,0,1,0,0,0,0,0,0,0
"""
# cronbach_alpha.csv (long format: Subj, Items, Scores) pivoted to 15 subjects x 10 items
PINGOUIN_LONG = """Q1,Q10,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Q9
3,2,2,4,1,4,5,1,4,3
5,5,4,6,3,5,1,2,5,5
7,5,3,5,5,6,4,3,3,6
2,3,4,3,3,2,2,2,6,6
6,5,5,6,5,4,4,4,6,7
1,2,2,3,4,2,5,2,3,5
4,3,3,5,3,5,2,1,2,4
2,5,4,4,3,7,2,2,4,6
6,2,5,5,5,1,6,5,2,3
5,2,4,6,4,3,5,3,1,7
4,1,3,5,2,5,3,2,3,4
4,4,2,3,2,5,3,4,2,3
5,5,5,6,2,3,3,2,4,4
6,5,5,5,4,2,2,1,4,6
4,4,3,5,5,3,1,3,2,3
"""


@pytest.mark.parametrize(
    "case, missing, alpha, ci",
    [
        ("wide", "pairwise", 0.732660835214447, (0.435, 0.909)),  # pg.cronbach_alpha(data)
        ("wide", "listwise", 0.8016949152542373, (0.581, 0.933)),  # nan_policy="listwise"
        ("wide_median", "pairwise", 0.7380191693290734, (0.447, 0.911)),  # data.fillna(data.median())
        ("long", "listwise", 0.5917188485995826, (0.195, 0.840)),  # items="Items", scores="Scores"...
    ],
)
def test_alpha_and_feldt_interval_equal_pingouins_published_values(case, missing, alpha, ci):
    wide = pd.read_csv(io.StringIO(PINGOUIN_WIDE_MISSING))
    table = {"wide": wide, "wide_median": wide.fillna(wide.median()),
             "long": pd.read_csv(io.StringIO(PINGOUIN_LONG))}[case]
    res = survey.cronbach_alpha(table, missing=missing)
    assert res.alpha == pytest.approx(alpha, abs=1e-12)
    assert tuple(np.round(res.ci, 3)) == ci  # pingouin rounds its interval to 3 decimals
    assert res.n == len(table)  # as pingouin (and psych): every row counts in Feldt's n


def test_feldt_interval_covers_the_true_reliability_at_its_nominal_rate():
    """Tau-equivalent normal items (equal loadings, unequal error variances): the 95% interval
    covers the true reliability in 95% of 400 samples, within Monte Carlo error."""
    err = np.array([0.6, 0.8, 1.0, 1.2, 1.4]) ** 2
    k, n, seeds = len(err), 60, 400
    truth = k**2 / (k**2 + err.sum())
    hits = 0
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n, 1)) + rng.standard_normal((n, k)) * np.sqrt(err)
        low, high = survey.cronbach_alpha(x).ci
        hits += low <= truth <= high
    coverage = hits / seeds
    assert abs(coverage - 0.95) < 3 * math.sqrt(0.95 * 0.05 / seeds), coverage


# ---------------------------------------------------------------------------
# Omega versus alpha
# ---------------------------------------------------------------------------


def test_population_alpha_falls_short_of_reliability_by_the_spread_of_the_loadings(panel):
    """omega - alpha = k^2 var(lambda) / ((k - 1) V): zero exactly for equal loadings."""
    rel = panel.truth["reliability"]
    items = panel.truth["items"]
    for scale in FACTORS:
        lam = (items.loc[panel.scales[scale], "loading"] * items.loc[panel.scales[scale], "keyed"]).to_numpy()
        k = len(lam)
        total = lam.sum() ** 2 + (1 - lam**2).sum()
        gap = k**2 * lam.var() / ((k - 1) * total)
        assert rel.at[scale, "continuous"] - rel.at[scale, "alpha_continuous"] == pytest.approx(gap, abs=1e-12)
    assert rel.at["care", "continuous"] == pytest.approx(rel.at["care", "alpha_continuous"], abs=1e-12)
    for scale in ("improve", "compete"):  # unequal loadings; the bad item
        assert rel.at[scale, "alpha_categorical"] < rel.at[scale, "categorical"] - 0.03


def test_omega_exceeds_alpha_with_unequal_loadings_and_recovers_the_truth():
    """Over four panels of 2,000: on 'improve' (loadings 0.9 to 0.25) and 'compete' (a bad item)
    alpha is below omega every time, and omega estimates the true reliability; on 'care'
    (equal loadings) the two agree."""
    gaps = {"improve": [], "compete": [], "care": []}
    errors = {"improve": [], "compete": []}
    for seed in range(4):
        p = survey_panel(200, 10, rng=seed)
        truth = p.truth["reliability"]
        for scale in gaps:
            res = survey.omega(p.data[p.scales[scale]])
            gaps[scale].append(res.omega - res.alpha)
            if scale in errors:
                errors[scale].append(res.omega - truth.at[scale, "categorical"])
    for scale in ("improve", "compete"):
        assert min(gaps[scale]) > 0.02, gaps[scale]
        assert abs(np.mean(errors[scale])) < 0.02, errors[scale]
    assert max(abs(g) for g in gaps["care"]) < 0.01, gaps["care"]


def test_omega_metric_and_loadings():
    p = survey_panel(200, 10, rng=0)
    raw = survey.omega(p.data[p.scales["improve"]])
    std = survey.omega(p.data[p.scales["improve"]], standardized=True)
    assert std.standardized and not raw.standardized
    assert std.alpha == pytest.approx(survey.cronbach_alpha(
        p.data[p.scales["improve"]].pipe(lambda d: (d - d.mean()) / d.std())).alpha, abs=1e-12)
    lam, psi = std.loadings.to_numpy(), std.uniquenesses.to_numpy()
    assert std.omega == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2 + psi.sum()), abs=1e-12)
    assert np.all(np.diff(lam) < 0)  # the true loadings decrease: 0.9, 0.68, 0.47, 0.25
    assert raw.converged and math.isfinite(raw.loglik)


# ---------------------------------------------------------------------------
# Item analysis: the planted bad item and the forgotten reverse-keyed item
# ---------------------------------------------------------------------------


def test_item_analysis_flags_the_bad_item_and_the_forgotten_reverse_item(panel):
    flagged = {}
    for scale, members in panel.scales.items():
        table = survey.item_analysis(panel.data[members])
        flagged.update(table.loc[table["flag"], "reason"].to_dict())
    weak = set(panel.truth["items"].index[panel.truth["items"]["loading"].abs() < 0.3])  # improve_4: 0.25
    assert {"compete_4", "respond_2"} <= set(flagged) <= {"compete_4", "respond_2"} | weak, flagged
    assert flagged["respond_2"].startswith("negative")
    respond = panel.data[panel.scales["respond"]]
    fixed = survey.item_analysis(respond, reverse=panel.reverse_keyed, scale=panel.scale_bounds)
    assert not fixed["flag"].any()
    compete = survey.item_analysis(panel.data[panel.scales["compete"]])
    alpha = survey.cronbach_alpha(panel.data[panel.scales["compete"]]).alpha
    assert compete.at["compete_4", "alpha_if_deleted"] > alpha  # the scale is better without it


def test_item_analysis_numbers_are_the_definitions(panel):
    items = panel.data[panel.scales["care"]].astype(float)
    table = survey.item_analysis(items)
    for item in items:
        rest = items.drop(columns=item)
        assert table.at[item, "corrected_item_total"] == pytest.approx(
            np.corrcoef(items[item], rest.sum(axis=1))[0, 1], abs=1e-12)
        assert table.at[item, "alpha_if_deleted"] == pytest.approx(survey.cronbach_alpha(rest).alpha, abs=1e-12)
    assert table["mean"].to_numpy() == pytest.approx(items.mean().to_numpy())
    assert table["sd"].to_numpy() == pytest.approx(items.std().to_numpy())


# ---------------------------------------------------------------------------
# bfi: alpha per scale (psych) and the five-factor structure
# ---------------------------------------------------------------------------


def test_bfi_alpha_per_scale_matches_psych(bfi):
    """Published raw alphas of psych::scoreItems(bfi.keys, bfi, min = 1, max = 6): agree .70,
    conscientious .72, extraversion .76, neuroticism .81, openness .60 (the "alpha" line of its
    printed output; psych 2.2.9).  scoreItems imputes each missing answer with the item's median
    first (its default impute = "median", psych R/score.items.R), which is why
    conscientiousness is .72 there and .73 with listwise or pairwise deletion."""
    published = {"A": 0.70, "C": 0.72, "E": 0.76, "N": 0.81, "O": 0.60}
    for scale, expected in published.items():
        items = bfi[BFI_SCALES[scale]]
        reverse = [i for i in BFI_REVERSED if i in items]
        imputed = survey.cronbach_alpha(items.fillna(items.median()), reverse=reverse, scale=(1, 6))
        assert round(imputed.alpha, 2) == expected, scale
        for missing in ("listwise", "pairwise"):
            res = survey.cronbach_alpha(items, missing=missing, reverse=reverse, scale=(1, 6))
            assert res.alpha == pytest.approx(expected, abs=0.011), (scale, missing)
    # datasets/bfi.md: complete-case alphas 0.70, 0.73, 0.76, 0.81, 0.60
    listwise = [round(survey.cronbach_alpha(bfi[BFI_SCALES[s]].dropna(), reverse=[i for i in BFI_REVERSED if i[0] == s],
                                            scale=(1, 6)).alpha, 2) for s in "ACENO"]
    assert listwise == [0.70, 0.73, 0.76, 0.81, 0.60]


def test_bfi_five_factor_solution_matches_the_intended_scales(bfi):
    items = bfi[[c for s in "ACENO" for c in BFI_SCALES[s]]]
    fit = survey.factor_analysis(items, 5, "oblimin")
    assert fit.converged and fit.n == len(items.dropna())
    keys = pd.DataFrame(0.0, index=items.columns, columns=list("ACENO"))
    for item in items.columns:
        keys.loc[item, item[0]] = -1.0 if item in BFI_REVERSED else 1.0
    match = survey.congruence(keys, fit)
    assert match.min > 0.8, match.matched
    to_scale = dict(zip(match.matched["match"], match.matched.index))
    assigned = fit.primary().map(to_scale)
    wrong = list(assigned.index[assigned != assigned.index.str[0]])
    assert len(wrong) <= 1, wrong  # N4 "Often feel blue" loads on (low) extraversion
    assert fit.eigenvalues.sum() == pytest.approx(25.0)
    np.testing.assert_allclose(np.diag(fit.factor_correlation), 1.0)
    np.testing.assert_allclose(fit.communalities + fit.uniquenesses, 1.0)
    # oblique rotation keeps the communalities: diag(L Phi L') = h^2
    L, phi = fit.loadings.to_numpy(), fit.factor_correlation.to_numpy()
    np.testing.assert_allclose(np.diag(L @ phi @ L.T), fit.communalities, atol=1e-8)
    np.testing.assert_allclose(fit.unrotated.to_numpy() @ fit.rotation_matrix, L, atol=1e-12)
    R = fit.rotation_matrix
    np.testing.assert_allclose(np.linalg.inv(R.T @ R), phi, atol=1e-10)


def test_ml_extraction_reaches_statsmodels_optimum(bfi):
    """Our deterministic start reaches the maximum statsmodels finds from its own (random) start."""
    from statsmodels.multivariate.factor import Factor

    items = bfi.iloc[:, :25].dropna()
    ours = survey.factor_analysis(items, 5, None)
    theirs = Factor(items.to_numpy(), 5, method="ml").fit(rng=0)
    np.testing.assert_allclose(ours.uniquenesses, theirs.uniqueness, atol=1e-4)
    A = ours.unrotated.to_numpy()
    np.testing.assert_allclose(A @ A.T, theirs.loadings @ theirs.loadings.T, atol=1e-4)
    # loglik = -n/2 (p log 2 pi + log|Sigma| + tr(Sigma^-1 R)); statsmodels' loglike is the
    # bracket's second part scaled by -1 / (2p)
    n, p = items.shape
    expected = -n / 2 * p * math.log(2 * math.pi) + n * p * theirs.model.loglike((theirs.loadings, theirs.uniqueness))
    assert ours.loglik == pytest.approx(expected, rel=1e-9)


# ---------------------------------------------------------------------------
# Rotations: against published reference values
# ---------------------------------------------------------------------------

# GPArotation (CRAN, tests/rotations.R): L = loadings(factanal(factors = 2, covmat = ability.cov));
# Varimax(L, eps = 1e-8) and oblimin(L, eps = 1e-8) give these (the package's stored values).
GPA_VARIMAX = np.array([
    [0.515866523962843160, 0.527879475961036904], [0.175054634278874244, 0.616460231981747930],
    [0.232057748479543163, 0.853211588623112749], [0.122822468397975171, 0.464213243286899446],
    [0.961376376417989453, 0.152689863976982837], [0.791292800869773050, 0.200653429940987366]])
GPA_OBLIMIN = np.array([
    [0.3863615904740822504, 0.4745127741495974161], [-0.0110059418769087539, 0.6458720769633764514],
    [-0.0262926272350604423, 0.8961141105684561348], [-0.0180200526810754824, 0.4882928281695405048],
    [0.9900944939102318543, -0.0370718282544326011], [0.7905657274265397438, 0.0526109550054999417]])
# GPArotation tests/KaiserNormalization.R: SPSS's unrotated loadings and its direct oblimin
# with Kaiser normalisation (pattern and structure matrices, 3 significant digits)
SPSS_UNROTATED = np.array([
    [.758, .413, 1.164e-03], [.693, .489, -.199], [.362, .656, -.204], [.826, 6.589e-02, .235],
    [.540, -.510, .441], [.654, -.335, .507], [-.349, .539, .669], [-.580, .450, .551]])
SPSS_OBLIMIN_PATTERN = np.array([
    [.241, .787, -1.36e-02], [1.783e-02, .848, -.119], [-.240, .779, 6.824e-02], [.608, .507, -2.52e-02],
    [.858, -.163, -7.26e-02], [.896, 3.050e-02, 3.954e-02], [9.405e-02, 7.397e-02, .949],
    [-8.61e-02, -.113, .875]])
SPSS_OBLIMIN_STRUCTURE = np.array([
    [.379, .829, -.146], [.191, .862, -.203], [-.123, .731, .051], [.701, .613, -.218],
    [.847, -.010, -.261], [.891, .180, -.176], [-.118, .000, .919], [-.313, -.211, .906]])


def _aligned(result, reference: np.ndarray, matrix: pd.DataFrame | None = None) -> np.ndarray:
    """``matrix`` (default: result's loadings) with columns matched and reflected to ``reference``."""
    matched = survey.congruence(reference, result.loadings).matched
    source = result.loadings if matrix is None else matrix
    return np.column_stack([source[row["match"]].to_numpy() * row["sign"] for _, row in matched.iterrows()])


def test_varimax_and_oblimin_equal_gparotations_published_values():
    theta = 0.7  # start from another orthogonal rotation of the same solution
    turn = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    start = GPA_VARIMAX @ turn
    raw_varimax = survey.rotate(start, "varimax", normalize=False)
    np.testing.assert_allclose(_aligned(raw_varimax, GPA_VARIMAX), GPA_VARIMAX, atol=1e-6)
    oblimin = survey.rotate(start, "oblimin")
    assert not oblimin.normalize
    np.testing.assert_allclose(_aligned(oblimin, GPA_OBLIMIN), GPA_OBLIMIN, atol=1e-6)
    # SPSS normalises: pattern and structure within GPArotation's own tolerances (3e-3, 4e-3)
    spss = survey.rotate(SPSS_UNROTATED, "oblimin", normalize=True)
    np.testing.assert_allclose(_aligned(spss, SPSS_OBLIMIN_PATTERN), SPSS_OBLIMIN_PATTERN, atol=3e-3)
    structure = spss.loadings @ spss.factor_correlation
    np.testing.assert_allclose(_aligned(spss, SPSS_OBLIMIN_PATTERN, structure), SPSS_OBLIMIN_STRUCTURE, atol=4e-3)
    unnormalised = survey.rotate(SPSS_UNROTATED, "oblimin")
    assert np.abs(_aligned(unnormalised, SPSS_OBLIMIN_PATTERN) - SPSS_OBLIMIN_PATTERN).max() > 0.02


def _r_varimax(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """R's stats::varimax(x, normalize = TRUE), transcribed (Kaiser's SVD iteration)."""
    sc = np.sqrt((x**2).sum(axis=1))
    x = x / sc[:, None]
    p, nc = x.shape
    tt, d = np.eye(nc), 0.0
    for _ in range(10_000):
        z = x @ tt
        b = x.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        tt, dpast, d = u @ vt, d, s.sum()
        if d < dpast * (1 + eps):
            break
    return (x @ tt) * sc[:, None]


def _psych_promax(x: np.ndarray, m: float = 4) -> tuple[np.ndarray, np.ndarray]:
    """psych's fa(rotate = "promax"): kaiser(x, rotate = "Promax"), transcribed (R/Promax.R)."""
    h = np.sqrt((x**2).sum(axis=1))
    v = _r_varimax(x / h[:, None])
    q = v * np.abs(v) ** (m - 1)
    u = np.linalg.lstsq(v, q, rcond=None)[0]
    u = u @ np.diag(np.sqrt(np.diag(np.linalg.inv(u.T @ u))))
    ui = np.linalg.inv(u)
    return (v @ u) * h[:, None], ui @ ui.T


def test_kaiser_varimax_and_promax_equal_rs_algorithms_and_statsmodels_promax_does_not(bfi):
    from statsmodels.multivariate.factor_rotation import promax as sm_promax
    from statsmodels.multivariate.factor_rotation import rotate_factors

    A = survey.factor_analysis(bfi.iloc[:, :25], 5, None).unrotated.to_numpy()
    varimax = survey.rotate(A, "varimax")
    reference = _r_varimax(A)
    np.testing.assert_allclose(_aligned(varimax, reference), reference, atol=1e-6)
    promax = survey.rotate(A, "promax")
    reference, phi = _psych_promax(A)
    np.testing.assert_allclose(_aligned(promax, reference), reference, atol=1e-6)
    matched = survey.congruence(reference, promax.loadings).matched
    order = [promax.loadings.columns.get_loc(c) for c in matched["match"]]
    signs = matched["sign"].to_numpy()
    np.testing.assert_allclose(promax.factor_correlation.to_numpy()[np.ix_(order, order)] * np.outer(signs, signs),
                               phi, atol=1e-6)
    # statsmodels 0.15's promax (issue #4172): target |V|^2 / V = V, so it returns its own
    # (un-normalised) varimax unchanged -- not R's promax, and not the normalised varimax either
    sm_loadings, _ = sm_promax(A)
    sm_varimax, _ = rotate_factors(A, "varimax")
    np.testing.assert_allclose(sm_loadings, sm_varimax, atol=1e-10)
    wrong = survey.congruence(reference, sm_loadings)
    aligned = np.column_stack([sm_loadings[:, int(r["match"][1:]) - 1] * r["sign"]
                               for _, r in wrong.matched.iterrows()])
    assert np.abs(aligned - reference).max() > 0.1
    assert np.abs(_aligned(varimax, sm_varimax) - sm_varimax).max() > 0.05  # normalised or not matters


# ---------------------------------------------------------------------------
# Factor analysis of the known-truth survey
# ---------------------------------------------------------------------------


def test_factor_analysis_recovers_the_nine_factors(big, big_fit):
    truth = big.truth["loadings"]
    match = survey.congruence(truth, big_fit)
    assert match.min > 0.9, match.matched
    assert big_fit.converged and big_fit.n == 1500 and big_fit.n_factors == 9
    # the factors correlate as generated: behaviours positively, behaviours with mindsets negatively
    phi = big_fit.factor_correlation
    to_fit = dict(zip(match.matched.index, zip(match.matched["match"], match.matched["sign"])))
    for a, b in (("care", "win"), ("fixed", "technical"), ("care", "fixed"), ("respond", "compliance")):
        (fa, sa), (fb, sb) = to_fit[a], to_fit[b]
        estimate = phi.at[fa, fb] * sa * sb
        true = big.truth["factor_correlation"].at[a, b]
        assert np.sign(estimate) == np.sign(true) and abs(estimate - true) < 0.2, (a, b, estimate, true)
    # other rotations of the same solution recover it as well
    for method in ("varimax", "promax"):
        assert survey.congruence(truth, survey.rotate(big_fit.unrotated, method)).min > 0.9
    # the reverse-worded item loads negatively, the bad item on nothing
    fit_of = {s: to_fit[s] for s in FACTORS}
    col, sign = fit_of["respond"]
    assert big_fit.loadings.at["respond_2", col] * sign < -0.3
    assert big_fit.loadings.loc["compete_4"].abs().max() < 0.15


def test_factor_analysis_fails_to_recover_them_at_a_tiny_sample(big_fit, big):
    tiny = survey_panel(5, 10, rng=0)  # 50 respondents for 36 items and 9 factors
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = survey.factor_analysis(tiny.data[tiny.items], 9)
    low = survey.congruence(tiny.truth["loadings"], fit)
    assert low.min < 0.6, low.matched
    assert low.mean < survey.congruence(big.truth["loadings"], big_fit).mean - 0.15


def test_factor_analysis_options_pa_pairwise_one_factor(bfi):
    items = bfi.iloc[:, :25]
    pa = survey.factor_analysis(items, 5, "varimax", method="pa", missing="pairwise")
    assert pa.method == "pa" and pa.n == 2800 and math.isnan(pa.loglik) and math.isnan(pa.p_value)
    assert list(pa.summary().columns) == ["F1", "F2", "F3", "F4", "F5", "communality", "uniqueness"]
    np.testing.assert_allclose(pa.factor_correlation, np.eye(5), atol=1e-12)  # orthogonal
    one = survey.factor_analysis(items[BFI_SCALES["A"]], 1, "oblimin", reverse=["A1"], scale=(1, 6))
    assert one.rotation == "none" and (one.loadings["F1"] > 0.3).all()  # A1 reversed: all positive
    assert repr(one).startswith("FactorSolution(ML, 1 factor, none: 5 items, n=2,709")
    # customer_sat: pricing (q2-q4), effectiveness (q5-q6), reach and distribution (q7-q10)
    sat = data.load("customer_sat")
    fit = survey.factor_analysis(sat[[f"q{i}" for i in range(2, 11)]], 3, "oblimin")
    primary = fit.primary()
    assert primary["q2"] == primary["q3"] == primary["q4"] and primary["q9"] == primary["q10"] != primary["q2"]


def test_parallel_analysis_finds_the_nine_factors(big):
    pa = survey.parallel_analysis(big.data[big.items], n_iter=10, rng=1)
    assert pa.n_factors == 9
    again = survey.parallel_analysis(big.data[big.items], n_iter=10, rng=1)
    pd.testing.assert_frame_equal(pa.eigenvalues, again.eigenvalues)
    assert pa.inputs["seed"] == 1 and pa.inputs["n"] == 1500 and pa.inputs["p"] == 36
    assert list(pa.summary()["retain"]).count(True) == 9
    mean_rule = survey.parallel_analysis(big.data[big.items], n_iter=10, quantile=None, rng=1)
    assert mean_rule.n_factors >= 9
    noise = np.random.default_rng(5).standard_normal((300, 10))
    assert survey.parallel_analysis(noise, n_iter=20, rng=2).n_factors <= 1


def test_congruence_matches_columns_and_signs():
    a = pd.DataFrame([[0.8, 0.0, 0.1], [0.7, 0.2, 0.0], [0.0, 0.6, 0.1], [0.1, 0.7, 0.0], [0.0, 0.1, 0.9]],
                     index=list("vwxyz"), columns=["P", "Q", "R"])
    b = -a[["R", "P", "Q"]].iloc[::-1]  # other order of items and factors, reflected
    c = survey.congruence(a, b)
    assert list(c.matched["match"]) == ["P", "Q", "R"] and set(c.matched["sign"]) == {-1}
    assert c.min == pytest.approx(1.0)
    x, y = a["P"].to_numpy(), a["Q"].to_numpy()
    assert c.matrix.at["P", "Q"] == pytest.approx(-(x @ y) / math.sqrt((x @ x) * (y @ y)))
    with pytest.raises(ValueError, match=r"a and b must have the same items \(rows\): b lacks \['z'\]"):
        survey.congruence(a, b.drop(index="z"))


# ---------------------------------------------------------------------------
# Scale scores, ICC and the attenuation of team correlations
# ---------------------------------------------------------------------------


def test_scale_scores_reverse_and_prorate():
    answers = pd.DataFrame({"a": [5, 4, np.nan, np.nan], "b": [4, np.nan, np.nan, 2], "c": [1, 2, 5, np.nan]})
    scores = survey.scale_scores(answers, {"s": ["a", "b", "c"]}, reverse=["c"], scale=(1, 5))
    np.testing.assert_allclose(scores["s"], [(5 + 4 + 5) / 3, (4 + 4) / 2, np.nan, np.nan])
    strict = survey.scale_scores(answers, {"s": ["a", "b", "c"]}, reverse=["c"], scale=(1, 5), min_share=1)
    assert strict["s"].notna().tolist() == [True, False, False, False]
    lenient = survey.scale_scores(answers, {"s": ["a", "b", "c"]}, min_share=0.01)
    assert lenient["s"].notna().all()


def test_icc_equals_the_anova_estimate_for_balanced_teams(panel):
    scores = survey.scale_scores(panel.data, panel.scales, panel.reverse_keyed, panel.scale_bounds)
    scores["team"] = panel.data["team"]
    for scale in ("care", "fixed"):
        res = survey.icc(scores, "team", scale)
        groups = scores.groupby("team")[scale]
        m = groups.size().iloc[0]
        msw = groups.var().mean()
        msb = m * groups.mean().var()
        assert res.icc == pytest.approx((msb - msw) / (msb + (m - 1) * msw), abs=1e-6)
        assert res.within == pytest.approx(msw, rel=1e-6)
        assert res.icc2() == pytest.approx((msb - msw) / msb, abs=1e-6)  # ICC(2) = 1 - MSW / MSB
        assert (res.n_groups, res.group_size, res.n) == (60, 8.0, 480) and res.converged


def test_team_mean_reliability_and_attenuation_match_the_truth():
    """300 teams of 8: ICC(2) of team means estimates the true team-mean reliability; observed
    correlations with csat are attenuated as the model says; Spearman's correction moves them
    to the true correlations."""
    p = survey_panel(300, 8, rng=21)
    table = survey.attenuation(p)
    truth = p.truth["reliability"]
    assert (table["reliability"] - truth.loc[table.index, "team_categorical"]).abs().max() < 0.08
    assert (table["r_observed"] - table["r_expected"]).abs().mean() < 0.06
    assert (table["r_observed"].abs() < table["r_true"].abs()).mean() >= 7 / 9
    assert (table["r_corrected"] - table["r_true"]).abs().mean() < (table["r_observed"] - table["r_true"]).abs().mean()
    row = table.loc["care"]
    assert row["r_corrected"] == pytest.approx(survey.disattenuate(row["r_observed"], row["reliability"]))


def test_attenuation_on_frames_equals_the_panel_version(panel):
    scales = {s: panel.scales[s] for s in ("respond", "fixed")}
    by_panel = survey.attenuation(panel, scales=scales)
    by_frames = survey.attenuation(panel.data, panel.teams, scales=scales, reverse=panel.reverse_keyed,
                                   scale=panel.scale_bounds)
    pd.testing.assert_frame_equal(by_panel.drop(columns=["r_expected", "r_true"]), by_frames)


def test_disattenuate():
    assert survey.disattenuate(0.3, 0.64) == pytest.approx(0.375)
    assert survey.disattenuate(-0.4, 0.81, 0.64) == pytest.approx(-0.4 / 0.72)
    assert survey.disattenuate(0.3, 1.0) == 0.3


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------


def test_generator_tables_and_truth(panel):
    assert list(panel.data.columns[:2]) == ["team", "respondent"] and len(panel.items) == 36
    assert panel.data[panel.items].isin(range(1, 6)).all().all()
    assert panel.data.groupby("team").size().eq(8).all() and len(panel.teams) == 60
    truth = panel.truth
    assert truth["bad_items"] == ["compete_4"] and truth["reverse_keyed"] == ["respond_2"]
    assert truth["loadings"].loc["compete_4"].eq(0).all() and truth["loadings"].at["respond_2", "respond"] == -0.7
    assert (truth["loadings"] != 0).sum(axis=1).le(1).all()  # simple structure
    assert truth["icc"] == 0.25 and truth["team_means"].shape == (60, 9)
    np.testing.assert_allclose(np.linalg.eigvalsh(truth["factor_correlation"]).min() > 0, True)
    again = survey_panel(rng=11)
    pd.testing.assert_frame_equal(panel.data, again.data)
    pd.testing.assert_frame_equal(panel.teams, again.teams)
    assert "reverse-worded" in repr(panel) and "| care |" in panel.datasheet()


def test_generator_outcome_follows_its_equation(panel):
    t = panel.truth
    b = np.array([t["outcome_effects"][f] for f in FACTORS])
    resid = panel.teams["csat"].to_numpy() - t["outcome_intercept"] - t["team_means"].to_numpy() @ b
    assert abs(resid.mean()) < 3 * t["outcome_sd"] / math.sqrt(60)
    assert resid.std(ddof=1) == pytest.approx(t["outcome_sd"], rel=0.3)


def test_generator_population_alpha_is_what_large_samples_give():
    """The quadrature truth against a large simulation (30,000 respondents)."""
    big = survey_panel(3000, 10, rng=7)
    truth = big.truth["reliability"]
    for scale in ("compete", "improve", "respond"):
        reverse = big.reverse_keyed if scale == "respond" else None
        res = survey.cronbach_alpha(big.data[big.scales[scale]], reverse=reverse, scale=big.scale_bounds)
        assert res.alpha == pytest.approx(truth.at[scale, "alpha_categorical"], abs=0.01), scale


def test_generator_options():
    plain = survey_panel(10, 4, bad_item=False, forgotten_reverse=False, n_points=7, items_per_scale=3,
                         loadings={"care": [0.9, 0.8, 0.5]}, factor_correlation={"between": 0.0},
                         team_sd=0.0, rng=1)
    assert plain.truth["bad_items"] == [] and plain.truth["reverse_keyed"] == []
    assert plain.data[plain.items].max().max() <= 7 and len(plain.items) == 27
    assert plain.truth["loadings"].at["care_1", "care"] == 0.9
    assert plain.truth["factor_correlation"].at["care", "fixed"] == 0.0
    assert plain.truth["reliability"]["team_categorical"].eq(0).all()
    holes = survey_panel(20, 5, missing=0.2, rng=2)
    share = holes.data[holes.items].isna().to_numpy().mean()
    assert 0.15 < share < 0.25 and holes.data["care_1"].dtype == float
    assert survey.cronbach_alpha(holes.data[holes.scales["care"]], missing="pairwise").n == 100


# ---------------------------------------------------------------------------
# Every bad input: one line naming the argument, the value and what is valid
# ---------------------------------------------------------------------------

ITEMS = pd.DataFrame({"care_1": [1, 2, 3, 4, 5], "care_2": [2, 2, 3, 5, 4], "care_3": [1, 3, 3, 4, 5],
                      "care_4": [5, 4, 3, 2, 1]})

BAD_INPUTS = [
    (lambda: survey.cronbach_alpha(ITEMS[["care_1"]]), ValueError,
     "items must hold at least 2 items (columns); got 1: 'care_1'"),
    (lambda: survey.cronbach_alpha(ITEMS.assign(care_2=3)), ValueError,
     "items column 'care_2' is constant (every answer is 3)"),
    (lambda: survey.cronbach_alpha(ITEMS.assign(care_2=list("abcde"))), TypeError,
     "items column 'care_2' must be numeric; it has dtype"),
    (lambda: survey.cronbach_alpha(ITEMS.assign(care_2=np.nan)), ValueError,
     "items column 'care_2' has no answers (every value is missing)"),
    (lambda: survey.cronbach_alpha(ITEMS.assign(care_4=[7, 4, 3, 2, 1]), reverse=["care_4"], scale=(1, 5)),
     ValueError, "reverse-keyed item 'care_4' must be within scale=(1, 5); got 7.0 at position 0"),
    (lambda: survey.cronbach_alpha(ITEMS.assign(care_1=[0, 2, 3, 4, 5]), scale=(1, 5)), ValueError,
     "items column 'care_1' must be within scale=(1, 5); got 0.0 at position 0"),
    (lambda: survey.cronbach_alpha(ITEMS, reverse=["care_5"], scale=(1, 5)), ValueError,
     "reverse item 'care_5' is not a column of the data; the data has: 'care_1', 'care_2', 'care_3', 'care_4'; "
     "did you mean 'care_4'?"),
    (lambda: survey.cronbach_alpha(ITEMS, reverse=["care_4"]), ValueError,
     "reverse needs scale=(low, high)"),
    (lambda: survey.cronbach_alpha(ITEMS, reverse=["care_4"], scale=5), TypeError,
     "scale must be (low, high) with low < high"),
    (lambda: survey.cronbach_alpha(ITEMS, missing="pairwize"), ValueError,
     "missing 'pairwize' is not known; valid choices are 'listwise', 'pairwise'; did you mean 'pairwise'?"),
    (lambda: survey.cronbach_alpha(ITEMS, ci=95), ValueError, "ci must be a finite number > 0 and < 1; got 95.0"),
    (lambda: survey.cronbach_alpha([1, 2, 3]), ValueError,
     "items must be two-dimensional (respondents x items); got an array of shape (3,)"),
    (lambda: survey.cronbach_alpha([[1, 2], [np.inf, 3]]), ValueError,
     "items column 'item1' must be finite or NaN (missing); got inf at position 1"),
    (lambda: survey.cronbach_alpha("care"), TypeError, "items must be"),
    (lambda: survey.cronbach_alpha(ITEMS.iloc[:1]), ValueError,
     "items must have at least 2 respondents (rows) with answers; got 1"),
    (lambda: survey.cronbach_alpha(pd.DataFrame({"a": [1, np.nan, 2], "b": [np.nan, 1, 3]})), ValueError,
     "items has 1 complete rows (respondents who answered every item); need at least 2"),
    (lambda: survey.omega(ITEMS[["care_1", "care_2"]]), ValueError, "items must hold at least 3 items"),
    (lambda: survey.item_analysis(ITEMS, reverse="care_9", scale=(1, 5)), ValueError,
     "reverse item 'care_9' is not a column of the data"),
    (lambda: survey.scale_scores(ITEMS, {"care": ["care_1", "care_6"]}), ValueError,
     "scales['care'] item 'care_6' is not a column of the data"),
    (lambda: survey.scale_scores(ITEMS, {"care": []}), ValueError, "scales['care'] must list at least one item"),
    (lambda: survey.scale_scores(ITEMS, ["care_1"]), TypeError, "scales must be a non-empty mapping"),
    (lambda: survey.scale_scores(ITEMS, {"care": ["care_1"]}, min_share=0), ValueError,
     "min_share must be a finite number > 0 and <= 1; got 0.0"),
    (lambda: survey.factor_analysis(ITEMS, 2), ValueError,
     "n_factors=2 is too many for 4 items: a maximum-likelihood factor model needs (p - m)**2 >= p + m, "
     "i.e. at most 1 factor"),
    (lambda: survey.factor_analysis(ITEMS.iloc[:4], 1), ValueError,
     "a factor analysis of 4 items needs more respondents than items (a correlation matrix of full rank); got 4"),
    (lambda: survey.factor_analysis(ITEMS, 1), ValueError,  # care_4 = 6 - care_1
     "the items' correlation matrix is singular or not positive definite"),
    (lambda: survey.factor_analysis(ITEMS, 1, method="minres"), ValueError,
     "method 'minres' is not known; valid choices are 'ml', 'pa'"),
    (lambda: survey.factor_analysis(ITEMS, 1, rotation="varimx"), ValueError,
     "rotation 'varimx' is not known; valid choices are 'oblimin', 'varimax', 'promax', None; did you mean 'varimax'?"),
    (lambda: survey.factor_analysis(ITEMS, 0), ValueError, "n_factors must be an integer between 1 and 3; got 0"),
    (lambda: survey.rotate(np.ones(3)), ValueError, "loadings must be two-dimensional (items x factors)"),
    (lambda: survey.rotate(np.ones((3, 2)), power=1), ValueError, "power must be a finite number > 1"),
    (lambda: survey.parallel_analysis(ITEMS, n_iter=0), ValueError, "n_iter must be an integer between 1 and 10000"),
    (lambda: survey.parallel_analysis(ITEMS, quantile=1.5), ValueError, "quantile must be a finite number > 0 and < 1"),
    (lambda: survey.icc(ITEMS.assign(team=[1, 1, 2, 2, 3]), "teams", "care_1"), ValueError,
     "group 'teams' is not a column of the data; the data has: 'care_1', 'care_2', 'care_3', 'care_4', 'team'; "
     "did you mean 'team'?"),
    (lambda: survey.icc(ITEMS.assign(team=1), "team", "care_1"), ValueError,
     "icc needs at least 2 groups with a 'care_1'; got 1"),
    (lambda: survey.icc(ITEMS.assign(team=[1, 1, 2, 2, 3], care_1=2), "team", "care_1"), ValueError,
     "value column 'care_1' is constant (2); its ICC is undefined"),
    (lambda: survey.disattenuate(1.5, 0.8), ValueError, "r must be a finite number >= -1 and <= 1; got 1.5"),
    (lambda: survey.disattenuate(0.3, 0.8, 1.2), ValueError,
     "reliability_y must be a finite number > 0 and <= 1; got 1.2"),
    (lambda: survey.attenuation(ITEMS.assign(team=1)), ValueError, "teams is required with a DataFrame"),
    (lambda: survey.congruence(np.ones((3, 2)), np.ones((4, 2))), ValueError,
     "a and b must have the same items (rows); got 3 and 4 rows"),
    (lambda: survey.congruence(np.zeros((3, 2)), np.ones((3, 2))), ValueError,
     "a factor 'F1' has all loadings 0; congruence is undefined"),
    (lambda: survey_panel(n_teams=1), ValueError, "n_teams must be an integer between 2 and 100000; got 1"),
    (lambda: survey_panel(loadings={"cares": 0.5}), ValueError,
     "loadings key 'cares' is not known; valid choices are 'care', 'compete'"),
    (lambda: survey_panel(loadings={"care": 1.2}), ValueError,
     "loadings['care'] must be loadings between 0.05 and 0.95; got 1.2 at position 0"),
    (lambda: survey_panel(loadings={"care": [0.5, 0.6]}), ValueError,
     "loadings['care'] must hold items_per_scale=4 loadings; got 2: [0.5, 0.6]"),
    (lambda: survey_panel(factor_correlation={"between": -0.9}), ValueError,
     "factor_correlation must be positive definite (a valid correlation matrix); its smallest eigenvalue is"),
    (lambda: survey_panel(factor_correlation=np.eye(3)), ValueError, "factor_correlation must be a 9 x 9 matrix"),
    (lambda: survey_panel(thresholds=[0, -1, 1, 2]), ValueError,
     "thresholds must be strictly increasing; got [0.0, -1.0, 1.0, 2.0]"),
    (lambda: survey_panel(outcome_effects={"speed": 1}), ValueError, "outcome_effects key 'speed' is not known"),
    (lambda: survey_panel(team_sd=1.0), ValueError, "team_sd must be a finite number >= 0 and <= 0.95; got 1.0"),
    (lambda: survey_panel(missing=0.8), ValueError, "missing must be a finite number >= 0 and <= 0.5; got 0.8"),
    (lambda: survey_panel(rng=-1), ValueError, "rng must be None, a non-negative integer seed"),
]


@pytest.mark.parametrize("call, kind, message", BAD_INPUTS, ids=[m[:48] for _, _, m in BAD_INPUTS])
def test_bad_inputs_fail_with_one_line_naming_the_argument(call, kind, message):
    with pytest.raises(kind) as info:
        call()
    text = str(info.value)
    assert "\n" not in text
    assert message in text, text
