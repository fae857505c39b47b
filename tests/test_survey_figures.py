"""The lesson-01 pieces around cxlib.survey's models: the simulation studies (alpha_demo, the
alpha explorer's callback; reliability_study; factor_recovery), their figures and the explorer.

The studies' numbers are checked against the library functions they compute in bulk
(cronbach_alpha, omega, item_analysis, attenuation, factor_analysis + congruence) and against
direct formulas; the figures against the tables they draw; bad inputs against one-line messages."""

from __future__ import annotations

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from scipy import stats  # noqa: E402

from cxlib import data, plots, survey  # noqa: E402
from cxlib.plots._style import COLORS  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def study():
    return survey.reliability_study(3, omega_scales=["care", "improve"], n_teams=25, rng=11)


# ---------------------------------------------------------------------------
# alpha_demo: the explorer's callback
# ---------------------------------------------------------------------------


def test_alpha_demo_alphas_are_cronbach_alpha_of_each_sample():
    demo = survey.alpha_demo(5, 0.6, 120, n_samples=30, rng=4)
    first = survey.cronbach_alpha(demo.data)
    assert demo.alpha == pytest.approx(first.alpha, abs=1e-12)
    assert demo.ci == pytest.approx(first.ci, abs=1e-12)
    assert list(demo.data.columns) == [f"item_{j}" for j in range(1, 6)] and demo.data.shape == (120, 5)
    assert demo.data.isin(range(1, 6)).all().all()
    # Feldt's interval from the F distribution, for every sample
    s = demo.samples
    f_hi, f_lo = stats.f.ppf(0.975, 119, 119 * 4), stats.f.ppf(0.025, 119, 119 * 4)
    np.testing.assert_allclose(s["ci_low"], 1 - (1 - s["alpha"]) * f_hi, atol=1e-12)
    np.testing.assert_allclose(s["ci_high"], 1 - (1 - s["alpha"]) * f_lo, atol=1e-12)
    assert (s["covers"] == ((s["ci_low"] <= demo.reliability) & (demo.reliability <= s["ci_high"]))).all()
    assert demo.coverage == pytest.approx(s["covers"].mean())


def test_alpha_demo_truth_is_the_generators_and_spearman_brown():
    # the same truth as survey_panel's for a scale of equal loadings 0.7 ('care')
    for k in (3, 4, 8):
        demo = survey.alpha_demo(k, 0.7, 50, n_samples=2, rng=0)
        rel = data.survey_panel(2, 2, items_per_scale=k, rng=0).truth["reliability"].loc["care"]
        assert demo.reliability == pytest.approx(rel["categorical"], abs=1e-12)
        assert demo.reliability_continuous == pytest.approx(rel["continuous"], abs=1e-12)
    # continuous answers: Spearman-Brown, k l^2 / (k l^2 + 1 - l^2)
    curve = survey.alpha_demo(4, 0.5, 50, n_samples=2, rng=0).curve
    k = curve["n_items"].to_numpy()
    np.testing.assert_allclose(curve["reliability_continuous"], k * 0.25 / (k * 0.25 + 0.75), atol=1e-12)
    assert curve["n_items"].tolist() == list(range(2, 13))
    assert np.all(np.diff(curve["reliability"]) > 0) and np.all(curve["reliability"] < curve["reliability_continuous"])


def test_alpha_demo_is_unbiased_and_covers_for_tau_equivalent_items():
    demo = survey.alpha_demo(6, 0.7, 300, n_samples=400, rng=2)
    s = demo.samples
    assert abs(s["alpha"].mean() - demo.reliability) < 3 * s["alpha"].std() / math.sqrt(len(s)) + 0.005
    assert abs(demo.coverage - 0.95) < 3 * math.sqrt(0.95 * 0.05 / len(s))


def test_alpha_demo_common_random_numbers_and_summary():
    a = survey.alpha_demo(4, 0.7, 100, n_samples=20, rng=9)
    b = survey.alpha_demo(4, 0.7, 100, n_samples=20, rng=9)
    pd.testing.assert_frame_equal(a.samples, b.samples)
    more = survey.alpha_demo(8, 0.7, 100, n_samples=20, rng=9)
    # the first four items of the 8-item scale are the 4-item scale's (the same draws)
    pd.testing.assert_frame_equal(more.data.iloc[:, :4], a.data)
    row = a.summary().iloc[0]
    assert row["alpha"] == a.alpha and row["coverage"] == a.coverage and row["n_items"] == 4
    assert row["ci_width_mean"] == pytest.approx((a.samples["ci_high"] - a.samples["ci_low"]).mean())
    assert repr(a).startswith("AlphaDemo(4 items, loading 0.70, n=100, 5 points: true reliability 0.765")


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"n_items": 13}, ValueError, "n_items must be an integer between 2 and 12; got 13"),
        ({"loading": 1.0}, ValueError, "loading must be"),
        ({"n_respondents": 5}, ValueError, "n_respondents must be an integer between 10 and 100000; got 5"),
        ({"n_points": 1}, ValueError, "n_points must be"),
        ({"n_samples": 0}, ValueError, "n_samples must be"),
        ({"ci": 1.0}, ValueError, "ci must be"),
        ({"n_samples": 5000, "n_respondents": 100_000}, ValueError, "n_samples \\* n_respondents must be at most"),
        ({"loading": "high"}, TypeError, "loading must be"),
        ({"rng": -1}, ValueError, "rng must be"),
    ],
)
def test_alpha_demo_bad_inputs(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        survey.alpha_demo(**kwargs)


# ---------------------------------------------------------------------------
# reliability_study and factor_recovery
# ---------------------------------------------------------------------------


def test_reliability_study_numbers_are_the_library_functions_on_the_same_panels(study):
    # the study draws its panels one after another from check_rng(seed)
    from cxlib import check_rng

    gen = check_rng(11)
    for rep in (1, 2):
        panel = data.survey_panel(25, rng=gen)
        rows = study.scales[study.scales["replication"] == rep].set_index("scale")
        for scale, items in panel.scales.items():
            keyed = [i for i in panel.reverse_keyed if i in items]
            a = survey.cronbach_alpha(panel.data[items], reverse=keyed, scale=panel.scale_bounds)
            assert rows.at[scale, "alpha"] == pytest.approx(a.alpha, abs=1e-12)
            assert (rows.at[scale, "ci_low"], rows.at[scale, "ci_high"]) == pytest.approx(a.ci, abs=1e-12)
            table = survey.item_analysis(panel.data[items])
            got = study.items[(study.items["replication"] == rep) & (study.items["scale"] == scale)].set_index("item")
            np.testing.assert_allclose(got["corrected_item_total"], table["corrected_item_total"], atol=1e-12)
            assert (got["flag"] == table["flag"]).all()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            o = survey.omega(panel.data[panel.scales["improve"]])
            att = survey.attenuation(panel)
        assert rows.at["improve", "omega"] == pytest.approx(o.omega, abs=1e-10)
        assert math.isnan(rows.at["win", "omega"])
        np.testing.assert_allclose(rows.loc[att.index, "r_observed"], att["r_observed"], atol=1e-12)
        # ICC(2) by one-way ANOVA equals the REML one of survey.icc for balanced teams
        np.testing.assert_allclose(rows.loc[att.index, "team_reliability"], att["reliability"], atol=1e-5)
        np.testing.assert_allclose(rows.loc[att.index, "r_corrected"], att["r_corrected"], atol=1e-4)
        csat = panel.teams.set_index("team")["csat"]
        true_care = panel.truth["team_means"].loc[csat.index, "care"]
        assert rows.at["care", "r_true_sample"] == pytest.approx(np.corrcoef(true_care, csat)[0, 1], abs=1e-12)


def test_reliability_study_summary_and_flag_rates(study):
    summary = study.summary()
    assert list(summary.index) == list(data.survey_panel(2, 2, rng=0).scales)
    g = study.scales.groupby("scale")
    np.testing.assert_allclose(summary["alpha_mean"], g["alpha"].mean().loc[summary.index])
    np.testing.assert_allclose(summary["coverage"], g["covers"].mean().loc[summary.index])
    np.testing.assert_allclose(summary["alpha_bias"], summary["alpha_mean"] - summary["reliability"])
    np.testing.assert_allclose(summary["reliability"], study.truth.loc[summary.index, "categorical"])
    assert summary.loc[["care", "improve"], "omega_mean"].notna().all() and summary["omega_mean"].isna().sum() == 7
    rates = study.flag_rates()
    assert list(rates.index) == ["bad", "reverse", "none"]
    planted = study.items["planted"].replace("", "none")
    assert rates["bad"] == study.items.loc[planted == "bad", "flag"].mean() == 1.0
    assert len(study.items) == 3 * 36 and repr(study).startswith("ReliabilityStudy(3 panels of 200 respondents")


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"n_replications": 0}, ValueError, "n_replications must be"),
        ({"omega_scales": ["kindness"]}, ValueError, "omega_scales 'kindness' is not known"),
        ({"missing": 0.1}, ValueError, "missing cannot be passed to the panels here"),
        ({"rng_": 1}, TypeError, "unexpected keyword"),
        ({"n_teams": 1}, ValueError, "n_teams must be an integer between 2 and 100000; got 1"),
        ({"ci": 0}, ValueError, "ci must be"),
    ],
)
def test_reliability_study_bad_inputs(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        survey.reliability_study(**{"n_replications": 1, **kwargs})


def test_factor_recovery_is_factor_analysis_and_congruence_on_the_first_respondents():
    table = survey.factor_recovery([120, 60], 1, rng=3, items_per_scale=3)
    assert table["n_respondents"].tolist() == [60, 120] and (table["n_items"] == 27).all()
    from cxlib import check_rng

    panel = data.survey_panel(15, items_per_scale=3, rng=check_rng(3))  # ceil(120 / 8) teams
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = survey.factor_analysis(panel.data[panel.items].iloc[:120], 9)
    match = survey.congruence(panel.truth["loadings"], fit)
    row = table.set_index("n_respondents").loc[120]
    assert row["congruence_min"] == pytest.approx(match.min) and row["congruence_mean"] == pytest.approx(match.mean)


def test_factor_recovery_reports_a_fit_that_cannot_run():
    table = survey.factor_recovery([30], 1, rng=1)  # 30 respondents for 36 items
    row = table.iloc[0]
    assert math.isnan(row["congruence_min"]) and not row["converged"]
    assert "needs more respondents than items" in row["message"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sizes": [5]}, "sizes must be an integer between 10 and 100000; got 5"),
        ({"sizes": []}, "sizes must list at least one"),
        ({"n_teams": 10}, "n_teams cannot be passed to the panels here"),
        ({"n_replications": 0}, "n_replications must be"),
        ({"rotation": "quartimax"}, "rotation 'quartimax' is not known"),
    ],
)
def test_factor_recovery_bad_inputs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        survey.factor_recovery(**{"sizes": [50], "n_replications": 1, **kwargs})


def test_factor_analysis_with_more_factors_than_the_principal_axis_start_keeps():
    """statsmodels' principal-axis step keeps only the factors with a positive eigenvalue (3 of 4
    on customer_sat after the one step that starts ML); the ML start is padded with the next
    eigenvectors (it used to fail with a pandas shape error) and reaches the 4-factor optimum."""
    from statsmodels.multivariate.factor import Factor

    sat = data.load("customer_sat")[[f"q{i}" for i in range(2, 11)]]
    corr = np.corrcoef(sat.to_numpy(dtype=float), rowvar=False)
    start = Factor(corr=corr, n_factor=4, method="pa", smc=True, nobs=len(sat)).fit(maxiter=1, tol=1e-8)
    assert start.loadings.shape == (9, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = survey.factor_analysis(sat, 4)
    assert fit.loadings.shape == (9, 4) and fit.converged
    # the same optimum as statsmodels' own ML fit from its (seeded) random EM start
    ml = Factor(corr=corr, n_factor=4, method="ml", nobs=len(sat)).fit(opt_method="L-BFGS-B", rng=0)
    np.testing.assert_allclose(np.sort(fit.uniquenesses.to_numpy()), np.sort(ml.uniqueness), atol=2e-3)


# ---------------------------------------------------------------------------
# Figures: they draw the numbers they are given
# ---------------------------------------------------------------------------


def test_answer_shares_draws_the_shares_of_each_answer():
    answers = pd.DataFrame({"a": [1, 1, 2, 3, np.nan], "b": [3, 3, 3, 2, 1]})
    ax = plots.answer_shares(answers, scale=(1, 3), labels=["no", "maybe", "yes"])
    widths = np.array([[float(bar.get_width()) for bar in container] for container in ax.containers])
    np.testing.assert_allclose(widths, [[0.5, 0.2], [0.25, 0.2], [0.25, 0.6]])
    lefts = np.array([[float(bar.get_x()) for bar in container] for container in ax.containers])
    np.testing.assert_allclose(lefts[2], widths[0] + widths[1])  # stacked
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no", "maybe", "yes"]
    assert to_hex(ax.containers[0][0].get_facecolor()) == COLORS["secondary"].lower()
    assert to_hex(ax.containers[2][0].get_facecolor()) == COLORS["primary"].lower()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]


@pytest.mark.parametrize(
    ("items", "kwargs", "exc", "message"),
    [
        (pd.DataFrame({"a": [1.5, 2]}), {}, ValueError, "whole-number answers"),
        (pd.DataFrame({"a": [1, 7]}), {"scale": (1, 5)}, ValueError, "answers between 1 and 5"),
        (pd.DataFrame({"a": [np.nan, np.nan]}), {}, ValueError, "no answers"),
        (pd.DataFrame({"a": [1, 2]}), {"labels": ["x"]}, ValueError, "one label per answer"),
        ([1, 2], {}, TypeError, "items must be a pandas DataFrame"),
        (pd.DataFrame({"a": [1, 2]}), {"scale": 5}, TypeError, "scale must be"),
    ],
)
def test_answer_shares_bad_inputs(items, kwargs, exc, message):
    with pytest.raises(exc, match=message):
        plots.answer_shares(items, **kwargs)


def test_alpha_intervals_draws_estimates_truth_and_omega():
    table = pd.DataFrame({"alpha": [0.7, 0.5], "ci_low": [0.6, 0.4], "ci_high": [0.8, 0.55],
                          "reliability": [0.72, 0.6], "omega": [0.71, 0.58]}, index=["x", "y"])
    ax = plots.alpha_intervals(table)
    points = ax.containers[0].lines[0]
    np.testing.assert_allclose(points.get_xdata(), [0.7, 0.5])
    segments = ax.containers[0].lines[2][0].get_segments()
    np.testing.assert_allclose([[s[0][0], s[1][0]] for s in segments], [[0.6, 0.8], [0.4, 0.55]])
    truth, omega = ax.lines[-2], ax.lines[-1]
    np.testing.assert_allclose(truth.get_xdata(), [0.72, 0.6])
    np.testing.assert_allclose(omega.get_xdata(), [0.71, 0.58])
    assert to_hex(truth.get_color()) == COLORS["truth"].lower() and to_hex(omega.get_color()) == COLORS["tertiary"].lower()
    bare = plots.alpha_intervals(table[["alpha", "ci_low", "ci_high"]])
    assert sorted(bare.get_legend_handles_labels()[1]) == ["alpha (95% CI)"]
    with pytest.raises(ValueError, match="lacks the column"):
        plots.alpha_intervals(table.drop(columns="ci_high"))
    with pytest.raises(ValueError, match="empty"):
        plots.alpha_intervals(table.iloc[:0])


def test_reliability_recovery_draws_the_study(study):
    ax = plots.reliability_recovery(study)
    summary = study.summary()
    np.testing.assert_allclose(ax.lines[0].get_xdata(), summary["alpha_mean"])
    np.testing.assert_allclose(ax.lines[1].get_xdata(), summary["reliability"])
    np.testing.assert_allclose(ax.lines[2].get_xdata(), summary.loc[["care", "improve"], "omega_mean"])
    spans = ax.collections[0].get_segments()  # the alphas' middle 95%
    low = study.scales.groupby("scale", sort=False)["alpha"].quantile(0.025)
    np.testing.assert_allclose([s[0][0] for s in spans], low.loc[summary.index])
    assert [t.get_text() for t in ax.get_yticklabels()] == list(summary.index)
    with pytest.raises(TypeError, match="study must be a ReliabilityStudy"):
        plots.reliability_recovery(study.scales)


def test_item_total_draws_the_correlations_and_colours_the_flags():
    panel = data.survey_panel(rng=1)
    table = survey.item_analysis(panel.data[panel.scales["compete"]])
    ax = plots.item_total(table, threshold=0.25)
    bars = ax.containers[0]
    np.testing.assert_allclose([b.get_width() for b in bars], table["corrected_item_total"])
    colors = [to_hex(b.get_facecolor()) for b in bars]
    assert colors == [COLORS["highlight"].lower() if f else COLORS["primary"].lower() for f in table["flag"]]
    assert any(line.get_xdata()[0] == 0.25 for line in ax.lines) and "flag below 0.25" in ax.texts[0].get_text()
    assert not plots.item_total(table, label_threshold=False).texts
    with pytest.raises(ValueError, match="lacks the column"):
        plots.item_total(table.drop(columns="flag"))
    with pytest.raises(ValueError, match="threshold must be"):
        plots.item_total(table, threshold=2)


def test_scree_draws_observed_and_random_eigenvalues():
    panel = data.survey_panel(40, rng=2)
    pa = survey.parallel_analysis(panel.data[panel.items], n_iter=10, rng=1)
    ax = plots.scree(pa, max_components=12)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), pa.eigenvalues["observed"].iloc[:12])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), pa.eigenvalues["random_quantile"].iloc[:12])
    assert ax.lines[2].get_xdata()[0] == pa.n_factors + 0.5
    mean_rule = survey.parallel_analysis(panel.data[panel.items], n_iter=10, quantile=None, rng=1)
    np.testing.assert_allclose(plots.scree(mean_rule).lines[1].get_ydata(), mean_rule.eigenvalues["random_mean"])
    with pytest.raises(TypeError, match="parallel must be a ParallelAnalysis"):
        plots.scree(pa.eigenvalues)
    with pytest.raises(ValueError, match="max_components must be"):
        plots.scree(pa, max_components=0)


def test_loading_heatmap_draws_the_matrix():
    L = pd.DataFrame({"F1": [0.8, -0.45, 0.1], "F2": [0.05, 0.3, -0.9]}, index=["a", "b", "c"])
    ax = plots.loading_heatmap(L, hide_below=0.2)
    np.testing.assert_allclose(ax.images[0].get_array(), L.to_numpy())
    assert ax.images[0].get_clim() == (-1, 1)
    assert [t.get_text() for t in ax.texts] == ["0.80", "-0.45", "0.30", "-0.90"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert not plots.loading_heatmap(L, annotate=False, colorbar=False).texts
    with pytest.raises(ValueError, match="finite"):
        plots.loading_heatmap(L.assign(F1=[np.nan, 0, 0]))
    with pytest.raises(ValueError, match="hide_below must be"):
        plots.loading_heatmap(L, hide_below=2)


def test_congruence_by_size_draws_means_and_runs():
    table = pd.DataFrame({"n_respondents": [50, 50, 400, 400, 30],
                          "congruence_min": [0.2, 0.6, 0.94, 0.96, np.nan],
                          "congruence_mean": [0.6, 0.8, 0.97, 0.98, np.nan],
                          "converged": [False, True, True, True, False]})
    ax = plots.congruence_by_size(table)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [30, 50, 400])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [np.nan, 0.4, 0.95])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [np.nan, 0.7, 0.975])
    ok, bad = ax.lines[2], ax.lines[3]
    np.testing.assert_allclose(ok.get_ydata(), [0.6, 0.94, 0.96])
    assert ok.get_marker() == "o" and bad.get_marker() == "x"
    assert ax.get_xscale() == "log"
    with pytest.raises(ValueError, match="lacks the column"):
        plots.congruence_by_size(table.drop(columns="converged"))


def test_team_correlations_draws_observed_corrected_and_true():
    panel = data.survey_panel(40, rng=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = survey.attenuation(panel)
    ax = plots.team_correlations(table)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), table["r_observed"])
    np.testing.assert_allclose(ax.lines[1].get_xdata(), table["r_corrected"])
    np.testing.assert_allclose(ax.lines[2].get_xdata(), table["r_true"])
    assert ax.get_xlim() == (-1, 1)
    assert len(plots.team_correlations(table.drop(columns="r_true")).lines) == 3  # no truth: zero line only
    with pytest.raises(ValueError, match="lacks the column"):
        plots.team_correlations(table.drop(columns="r_corrected"))


def test_alpha_sampling_draws_the_demo():
    demo = survey.alpha_demo(5, 0.6, 80, n_samples=40, rng=5)
    fig = plots.alpha_sampling(demo)
    left, right = fig.axes
    np.testing.assert_allclose(left.lines[0].get_ydata(), demo.curve["reliability"])
    np.testing.assert_allclose(left.lines[1].get_ydata(), demo.curve["reliability_continuous"])
    point = left.containers[0].lines[0]
    assert point.get_xdata()[0] == 5 and point.get_ydata()[0] == pytest.approx(demo.alpha)
    assert right.lines[0].get_xdata()[0] == pytest.approx(demo.reliability)
    assert sum(p.get_height() for p in right.patches) == 40
    assert f"{demo.coverage:.0%} of intervals cover" in right.get_title()
    with pytest.raises(TypeError, match="demo must be an AlphaDemo"):
        plots.alpha_sampling(demo.samples)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plots.alpha_sampling(demo, fig="no")


def test_figures_reject_a_non_axes():
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plots.alpha_intervals(pd.DataFrame({"alpha": [0.5], "ci_low": [0.4], "ci_high": [0.6]}), ax="left")


# ---------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------


def test_alpha_explorer_redraws_through_its_callback():
    import ipywidgets as w

    from cxlib.widgets import alpha_explorer

    box = alpha_explorer(n_items=3, loading=0.6, n_respondents=100, n_samples=20, rng=3)
    sliders, summary, output = box.children
    items, loading, respondents = sliders.children
    assert isinstance(items, w.IntSlider) and isinstance(loading, w.FloatSlider) and isinstance(respondents, w.IntSlider)
    assert all(s.continuous_update is False for s in sliders.children)
    assert (items.value, loading.value, respondents.value) == (3, 0.6, 100)
    demo = survey.alpha_demo(3, 0.6, 100, n_samples=20, rng=3)
    assert f"<b>{demo.reliability:.3f}</b>" in summary.value and f"<b>{demo.alpha:.3f}</b>" in summary.value
    assert len(output.outputs) == 1  # one figure
    items.value = 10
    demo = survey.alpha_demo(10, 0.6, 100, n_samples=20, rng=3)
    assert summary.value.startswith("10 items") and f"<b>{demo.alpha:.3f}</b>" in summary.value
    respondents.value = 500
    demo = survey.alpha_demo(10, 0.6, 500, n_samples=20, rng=3)
    assert f"{demo.coverage:.0%} of 20 intervals" in summary.value and f"<b>{demo.alpha:.3f}</b>" in summary.value
    assert len(output.outputs) == 1
    assert not plt.get_fignums()  # figures are closed once shown


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_items": 1}, "n_items must be"),
        ({"loading": 0.95}, "loading must be"),
        ({"n_respondents": 5000}, "n_respondents must be"),
        ({"n_samples": 5}, "n_samples must be"),
    ],
)
def test_alpha_explorer_bad_inputs(kwargs, message):
    from cxlib.widgets import alpha_explorer

    with pytest.raises(ValueError, match=message):
        alpha_explorer(**kwargs)
