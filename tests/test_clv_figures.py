"""The lesson-05 pieces around the models: retention_value (the widget callback), its plot, the explorer,
and the checks of the fitted models behind the lesson's figures (cxlib._clv_checks) with their plots.

The numbers are checked against independent computations (per-customer sums, pandas groupbys,
the models' own formulas, a direct sort-and-sum, and lifetimes 0.11.3 when it is installed);
the figures against the tables they draw."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from scipy import special as sp  # noqa: E402

from cxlib import clv, data, plots  # noqa: E402
from cxlib.plots._style import COLORS  # noqa: E402


def test_retention_value_is_margin_times_the_margin_multiple():
    out = clv.retention_value(80, 0.12, [0.0, 0.5, 0.9], paid="start")
    assert out.columns.tolist() == ["retention", "margin_multiple", "value"]
    np.testing.assert_allclose(out["margin_multiple"],
                               clv.margin_multiple(np.array([0.0, 0.5, 0.9]), 0.12, paid="start"))
    np.testing.assert_allclose(out["value"], 80 * out["margin_multiple"])
    assert out["value"].iloc[0] == 80, "no retention: only the current margin"
    end = clv.retention_value(80, 0.12, [0.9])
    assert end["value"].iloc[0] == pytest.approx(out["value"].iloc[2] - 80), "paid at the end: one margin less"


def test_retention_value_default_grid_rises_and_discount_lowers_it():
    low, high = clv.retention_value(100, 0.05), clv.retention_value(100, 0.2)
    assert len(low) == 100 and low["retention"].iloc[0] == 0 and low["retention"].iloc[-1] == 0.99
    assert np.all(np.diff(low["value"]) > 0)
    assert np.all(high["value"].iloc[1:].to_numpy() < low["value"].iloc[1:].to_numpy())
    no_discount = clv.retention_value(1, 0.0, [0.8], paid="start")
    assert no_discount["value"].iloc[0] == pytest.approx(5.0), "expected lifetime 1 / (1 - r)"


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"margin": -1}, ValueError, "margin must be"),
        ({"discount": 1.5}, ValueError, "discount must be"),
        ({"retention": [0.5, 1.0]}, ValueError, "retention must be a retention rate >= 0 and < 1"),
        ({"retention": ["a"]}, TypeError, "retention must be"),
    ],
)
def test_retention_value_bad_arguments(kwargs, exc, message):
    args = {"margin": 100, "discount": 0.1, **kwargs}
    with pytest.raises(exc, match=message):
        clv.retention_value(**args)


def test_clv_by_retention_draws_the_curve_and_marks_the_rate():
    frame = clv.retention_value(100, 0.1, paid="start")
    ax = plots.clv_by_retention(frame, current=0.8)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), frame["value"])
    assert ax.lines[1].get_xdata()[0] == pytest.approx(0.8)
    assert ax.lines[1].get_ydata()[0] == pytest.approx(100 * clv.margin_multiple(0.8, 0.1, paid="start"))
    assert "$367 at 80%" in ax.texts[0].get_text()
    with pytest.raises(ValueError, match="lacks the column"):
        plots.clv_by_retention(frame.drop(columns="value"))
    plt.close("all")


def test_clv_explorer_redraws_through_its_callback():
    import ipywidgets as w

    from cxlib.widgets import clv_explorer

    box = clv_explorer(retention=0.7, margin=50, discount=0.08)
    sliders, summary, output = box.children
    retention, margin, discount = sliders.children
    assert all(isinstance(s, w.FloatSlider) and s.continuous_update is False for s in sliders.children)
    assert (retention.value, margin.value, discount.value) == (0.7, 50, 0.08)
    assert f"${50 * clv.margin_multiple(0.7, 0.08, paid='start'):,.0f}" in summary.value
    retention.value = 0.9
    assert f"<b>{clv.margin_multiple(0.9, 0.08, paid='start'):.2f}</b>" in summary.value
    margin.value = 200
    assert f"${200 * clv.margin_multiple(0.9, 0.08, paid='start'):,.0f}" in summary.value
    assert not plt.get_fignums()
    with pytest.raises(ValueError, match="retention must be"):
        clv_explorer(retention=0.99)


# ---------------------------------------------------------------------------
# The checks behind lesson 05's figures (cxlib._clv_checks) and their plots
# ---------------------------------------------------------------------------

START = pd.Timestamp("1997-01-01")  # the first purchase day of CDNOW
CAL_END, HOLD_END = "1997-09-30", "1998-06-30"
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]  # Fader & Hardie 2007
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


@pytest.fixture(scope="module")
def cdnow():
    """The CDNOW sample, its calibration/hold-out summary and the BG/NBD fitted on the calibration."""
    tx = data.load("cdnow_sample")
    cal = clv.calibration_and_holdout(tx, "customer_id", "date", CAL_END, HOLD_END)
    bg = clv.fit_bgnbd(cal["frequency"], cal["recency"], cal["T"])
    return tx, cal, bg


@pytest.fixture(scope="module")
def tracking(cdnow):
    tx, _, bg = cdnow
    return clv.cumulative_repeat_purchases(bg, tx, "customer_id", "date")


def _purchase_days(tx: pd.DataFrame) -> pd.DataFrame:
    """One row per customer and purchase day, with the day number and whether it is a repeat."""
    days = tx[["customer_id", "date"]].drop_duplicates().sort_values(["customer_id", "date"])
    days["day"] = (days["date"] - START).dt.days
    days["repeat"] = days.groupby("customer_id").cumcount() > 0
    return days


# --- sBG tracking -----------------------------------------------------------


def test_sbg_tracking_matches_the_closed_forms():
    fit = clv.fit_sbg(REGULAR[:8])
    track = clv.sbg_tracking(fit, REGULAR)
    a, b = fit.alpha, fit.beta
    t = np.arange(13)
    assert track.index.name == "period" and track.index.tolist() == t.tolist()
    assert track["alive"].tolist() == REGULAR
    np.testing.assert_allclose(track["expected_alive"], 1000 * sp.beta(a, b + t) / sp.beta(a, b), rtol=1e-12)
    alive = np.array(REGULAR, dtype=float)
    np.testing.assert_allclose(track["retention"].iloc[1:], alive[1:] / alive[:-1], rtol=1e-15)
    np.testing.assert_allclose(track["expected_retention"].iloc[1:], (b + t[1:] - 1) / (a + b + t[1:] - 1), rtol=1e-12)
    assert np.isnan(track["retention"].iloc[0]) and np.isnan(track["expected_retention"].iloc[0])
    np.testing.assert_allclose(track["error"], (track["expected_alive"] - alive) / alive, rtol=1e-12)
    assert track["holdout"].tolist() == [p > 7 for p in t], "years 8-12 are the projection"
    assert clv.sbg_tracking(fit, REGULAR, fitted_periods=10)["holdout"].sum() == 2


def test_sbg_tracking_reproduces_the_published_projection():
    """Fader & Hardie (2007): fitted on years 0-7, the regular cohort's year-12 survivors are
    projected at about 170 (actual 173), the high-end's at about 378 (actual 394)."""
    regular = clv.sbg_tracking(clv.fit_sbg(REGULAR[:8]), REGULAR)
    high_end = clv.sbg_tracking(clv.fit_sbg(HIGH_END[:8]), HIGH_END)
    assert regular["expected_alive"].iloc[-1] == pytest.approx(170.0, abs=0.5)
    assert high_end["expected_alive"].iloc[-1] == pytest.approx(378.0, abs=0.5)


@pytest.mark.parametrize(
    "alive, kwargs, exc, message",
    [
        ([1000, 900, 950], {}, ValueError, r"alive must not increase .* alive\[2\] = 950 > alive\[1\] = 900"),
        ([1000], {}, ValueError, "alive must be a sequence of customer counts .* at least 2 of them; got \\[1000\\]"),
        ([1000, 900.5], {}, ValueError, "alive must be whole numbers of customers; got 900.5 at position 1"),
        ([0, 0], {}, ValueError, r"alive\[0\], the cohort size, must be > 0"),
        (["a", 1], {}, TypeError, "alive must be a sequence of customer counts"),
        (REGULAR, {"fitted_periods": 0}, ValueError, "fitted_periods must be an integer >= 1; got 0"),
    ],
)
def test_sbg_tracking_bad_arguments(alive, kwargs, exc, message):
    with pytest.raises(exc, match=message):
        clv.sbg_tracking(clv.fit_sbg(REGULAR[:8]), alive, **kwargs)


def test_sbg_tracking_needs_an_sbg_fit(cdnow):
    with pytest.raises(TypeError, match="fit must be an SBGFit \\(from fit_sbg\\); got BGNBDFit"):
        clv.sbg_tracking(cdnow[2], REGULAR)


def test_sbg_projection_draws_the_tracks():
    tracks = {seg: clv.sbg_tracking(clv.fit_sbg(counts[:8]), counts)
              for seg, counts in (("regular", REGULAR), ("high_end", HIGH_END))}
    fig = plots.sbg_projection(tracks)
    left, right = fig.axes
    for i, (seg, track) in enumerate(tracks.items()):
        points, line = left.lines[2 * i: 2 * i + 2]
        np.testing.assert_array_equal(points.get_xdata(), track.index)
        np.testing.assert_array_equal(points.get_ydata(), track["alive"])
        np.testing.assert_allclose(line.get_ydata(), track["expected_alive"])
        points, line = right.lines[2 * i: 2 * i + 2]
        np.testing.assert_array_equal(points.get_xdata(), track.index[1:])
        np.testing.assert_allclose(points.get_ydata(), track["retention"].iloc[1:])
        np.testing.assert_allclose(line.get_ydata(), track["expected_retention"].iloc[1:])
        assert to_hex(points.get_color()) == to_hex(COLORS["primary" if i == 0 else "secondary"])
    for ax in (left, right):
        (band,) = ax.patches
        assert (band.get_x(), band.get_x() + band.get_width()) == (7.5, 12.5), "years 8-12, the projection, shaded"
    assert [t.get_text() for t in left.texts] == ["projected", "fitted on years 0-7"]
    assert left.get_ylabel() == "customers still active (of 1,000)"
    assert right.get_xlabel() == "years since acquisition"
    assert [t.get_text() for t in right.get_legend().get_texts()] == [
        "regular: actual", "regular: sBG", "high_end: actual", "high_end: sBG"]
    one = plots.sbg_projection(tracks["regular"], plt.figure(), unit="month")
    assert one.axes[0].lines[0].get_label() == "actual" and one.axes[1].get_ylabel() == "retention rate in the month"


@pytest.mark.parametrize(
    "tracks, kwargs, exc, message",
    [
        ([1, 2], {}, TypeError, "tracks must be a DataFrame from cxlib.clv.sbg_tracking .*; got list"),
        ({}, {}, TypeError, "got an empty mapping"),
        ({"regular": pd.DataFrame({"alive": [1]})}, {}, ValueError, r"tracks\['regular'\] lacks the column\(s\)"),
        (None, {"fig": "figure"}, TypeError, "fig must be a matplotlib Figure or None; got str"),
    ],
)
def test_sbg_projection_bad_arguments(tracks, kwargs, exc, message):
    if tracks is None:
        tracks = clv.sbg_tracking(clv.fit_sbg(REGULAR[:8]), REGULAR)
    with pytest.raises(exc, match=message):
        plots.sbg_projection(tracks, **kwargs)


# --- the tracking curve --------------------------------------------------------


def test_tracking_curve_week_78_is_the_sum_of_each_customers_expected_purchases(cdnow, tracking):
    tx, _, bg = cdnow
    first = tx.groupby("customer_id")["date"].min()
    last_day = (pd.Timestamp(HOLD_END) - first).dt.days  # days from the first purchase day to the last counted
    per_customer = [bg.expected_purchases(d / 7) for d in last_day]
    assert tracking.index.name == "week" and tracking.index.tolist() == list(range(1, 79))
    assert tracking.loc[78, "date"] == pd.Timestamp(HOLD_END)
    assert tracking.loc[39, "date"] == pd.Timestamp(CAL_END)
    assert tracking.loc[78, "predicted"] == pytest.approx(sum(per_customer), rel=1e-12)
    # week 10: only the customers acquired by its last day (day 69) count
    by_week_10 = [bg.expected_purchases((69 - d) / 7) for d in (first - START).dt.days if d <= 69]
    assert tracking.loc[10, "predicted"] == pytest.approx(sum(by_week_10), rel=1e-12)


def test_tracking_curve_actual_counts_repeat_purchase_days(cdnow, tracking):
    tx, cal, _ = cdnow
    days = _purchase_days(tx)
    repeats = days.loc[days["repeat"], "day"]
    expected = [int((repeats < 7 * k).sum()) for k in tracking.index]
    assert tracking["actual"].tolist() == expected
    assert tracking["actual"].dtype == np.int64
    # the calibration summary counts the same purchases: week 39 ends on 1997-09-30
    assert tracking.loc[39, "actual"] == cal["frequency"].sum()
    assert tracking.loc[78, "actual"] - tracking.loc[39, "actual"] == cal["frequency_holdout"].sum()
    full = clv.rfm_summary(tx, "customer_id", "date", observation_end=HOLD_END)
    assert tracking.loc[78, "actual"] == full["frequency"].sum()
    assert np.all(np.diff(tracking["predicted"]) > 0)


def test_tracking_curve_agrees_with_lifetimes_up_to_its_one_day_age_convention(cdnow, tracking):
    """lifetimes 0.11.3 gives a customer acquired on day d the age (7k - d) / 7 at the end of
    week k, one day more than the days whose purchases it counts; cxlib uses (7k - 1 - d) / 7,
    the convention of rfm_summary.  With that day taken off, the two agree to rounding."""
    utils = pytest.importorskip("lifetimes.utils")
    tx, _, bg = cdnow

    class OneDayYounger:
        def expected_number_of_purchases_up_to_time(self, t):
            return np.asarray(bg.expected_purchases(np.asarray(t, dtype=float) - 1 / 7))

    theirs = utils.expected_cumulative_transactions(OneDayYounger(), tx, "date", "customer_id", t=78 * 7,
                                                    freq="D", freq_multiplier=7)
    np.testing.assert_array_equal(theirs["actual"].to_numpy(), tracking["actual"].to_numpy())
    np.testing.assert_allclose(theirs["predicted"].to_numpy(), tracking["predicted"].to_numpy(), rtol=1e-12)


def test_tracking_curve_periods_time_units_and_models(cdnow, tracking):
    tx, cal, _ = cdnow
    first_ten = clv.cumulative_repeat_purchases(cdnow[2], tx, "customer_id", "date", periods=10)
    pd.testing.assert_frame_equal(first_ten, tracking.iloc[:10])
    # days: a tiny log by hand (customer 1 buys on days 0, 2, 2 and 4; customer 2 on days 1 and 3)
    small = pd.DataFrame({"id": [1, 1, 1, 1, 2, 2],
                          "date": ["2024-03-01", "2024-03-03", "2024-03-03", "2024-03-05", "2024-03-02", "2024-03-04"]})
    bg = clv.BGNBDFit.from_params(r=0.5, alpha=2.0, a=0.8, b=2.5)
    daily = clv.cumulative_repeat_purchases(bg, small, "id", "date", time_unit="D")
    assert daily.index.name == "day" and daily["actual"].tolist() == [0, 0, 1, 2, 3]
    expected = [bg.expected_purchases(k - 1) + (bg.expected_purchases(k - 2) if k >= 2 else 0) for k in range(1, 6)]
    np.testing.assert_allclose(daily["predicted"], expected, rtol=1e-12)
    pnbd = clv.ParetoNBDFit.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    weekly = clv.cumulative_repeat_purchases(pnbd, tx, "customer_id", "date", periods=2)
    first = (tx.groupby("customer_id")["date"].min() - START).dt.days
    by_week_2 = sum(pnbd.expected_purchases((13 - d) / 7) for d in first if d <= 13)
    assert weekly.loc[2, "predicted"] == pytest.approx(by_week_2)


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"periods": 79}, ValueError,
         r"periods must be an integer between 1 and 78 \(the data end on 1998-06-30, in week 78\); got 79"),
        ({"periods": 0}, ValueError, "periods must be an integer between 1 and 78"),
        ({"periods": 2.5}, TypeError, r"periods must be an integer between 1 and 78 .*; got 2.5 \(float\)"),
        ({"time_unit": "Y"}, ValueError, "time_unit 'Y' is not known; valid choices are 'D', 'W', 'M'"),
        ({"date_col": "dates"}, ValueError,
         r"transactions lacks the column\(s\) date_col 'dates' \(did you mean 'date'\?\)"),
        ({"model": "bg"}, TypeError, "model must be a BGNBDFit or ParetoNBDFit .*; got str"),
    ],
)
def test_tracking_curve_bad_arguments(cdnow, kwargs, exc, message):
    tx, _, bg = cdnow
    args = {"model": bg, "transactions": tx, "customer_col": "customer_id", "date_col": "date", **kwargs}
    with pytest.raises(exc, match=message):
        clv.cumulative_repeat_purchases(**args)


def test_tracking_curve_needs_a_whole_period(cdnow):
    short = pd.DataFrame({"id": [1, 1], "date": ["2024-01-01", "2024-01-03"]})
    message = r"transactions cover 3 day\(s\) \(2024-01-01 to 2024-01-03\), less than one week"
    with pytest.raises(ValueError, match=message):
        clv.cumulative_repeat_purchases(cdnow[2], short, "id", "date")


def test_purchase_tracking_draws_the_curves(tracking):
    ax = plots.purchase_tracking(tracking, calibration_end=39, label="BG/NBD")
    actual, predicted, boundary = ax.lines
    np.testing.assert_array_equal(actual.get_xdata(), np.arange(1, 79))
    np.testing.assert_array_equal(actual.get_ydata(), tracking["actual"])
    np.testing.assert_allclose(predicted.get_ydata(), tracking["predicted"])
    assert to_hex(actual.get_color()) == to_hex(COLORS["observed"])
    assert to_hex(predicted.get_color()) == to_hex(COLORS["primary"]) and predicted.get_linestyle() == "--"
    assert list(boundary.get_xdata()) == [39, 39]
    assert [t.get_text().strip() for t in ax.texts] == ["calibration", "hold-out"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["actual", "BG/NBD prediction"]
    assert ax.get_xlabel() == "weeks since the first purchase in the data"
    assert ax.get_ylabel() == "cumulative repeat purchases"
    _, own = plt.subplots()
    assert plots.purchase_tracking(tracking, own) is own and len(own.lines) == 2


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"calibration_end": 100}, ValueError, "calibration_end must be a finite number >= 1.0 and <= 78.0; got 100.0"),
        ({"label": ""}, TypeError, "label must be a non-empty string"),
        ({"ax": "ax"}, TypeError, "ax must be a matplotlib Axes or None; got str"),
    ],
)
def test_purchase_tracking_bad_arguments(tracking, kwargs, exc, message):
    with pytest.raises(exc, match=message):
        plots.purchase_tracking(tracking, **kwargs)
    with pytest.raises(ValueError, match=r"frame lacks the column\(s\) 'predicted'"):
        plots.purchase_tracking(tracking.drop(columns="predicted"))


# --- hold-out by calibration frequency ----------------------------------------


def test_holdout_by_frequency_equals_a_direct_groupby(cdnow):
    _, cal, bg = cdnow
    out = clv.holdout_by_frequency(bg, cal)
    group = cal["frequency"].clip(upper=7)
    direct = cal.groupby(group)["frequency_holdout"].agg(["mean", "size"])
    assert out.index.name == "frequency" and out.index.tolist() == list(range(8))
    np.testing.assert_allclose(out["actual"], direct["mean"], rtol=1e-12)
    assert out["customers"].tolist() == direct["size"].tolist() and out["customers"].sum() == len(cal)
    # the model's conditional expectation, customer by customer, then averaged
    each = [bg.conditional_expected_purchases(d, x, tx_, T) for d, x, tx_, T in
            cal[["duration_holdout", "frequency", "recency", "T"]].itertuples(index=False)]
    np.testing.assert_allclose(out["predicted"], pd.Series(each, index=cal.index).groupby(group).mean(), rtol=1e-10)
    # a lower cap merges the top groups
    three = clv.holdout_by_frequency(bg, cal, max_frequency=3)
    assert three.index.tolist() == [0, 1, 2, 3]
    assert three.loc[3, "customers"] == (cal["frequency"] >= 3).sum()
    assert three.loc[3, "actual"] == pytest.approx(cal.loc[cal["frequency"] >= 3, "frequency_holdout"].mean())


def test_holdout_by_frequency_leaves_out_empty_groups():
    summary = pd.DataFrame({"frequency": [0, 2, 2], "recency": [0, 5.0, 9.0], "T": [10.0, 10.0, 10.0],
                            "frequency_holdout": [1, 0, 3], "duration_holdout": 10.0})
    out = clv.holdout_by_frequency(clv.BGNBDFit.from_params(r=0.5, alpha=2.0, a=0.8, b=2.5), summary)
    assert out.index.tolist() == [0, 2] and out["actual"].tolist() == [1.0, 1.5]


@pytest.mark.parametrize(
    "change, kwargs, exc, message",
    [
        (lambda s: s.drop(columns="frequency_holdout"), {}, ValueError,
         r"summary lacks the column\(s\) 'frequency_holdout' .*; it has: 'frequency', 'recency', 'T'"),
        (lambda s: s.iloc[:0], {}, ValueError, "summary is empty"),
        (lambda s: s.to_numpy(), {}, TypeError,
         "summary must be a pandas DataFrame from calibration_and_holdout; got ndarray"),
        (lambda s: s.assign(frequency_holdout="x"), {}, TypeError,
         "summary column 'frequency_holdout' must be numeric"),
        (lambda s: s.assign(frequency_holdout=-1), {}, ValueError,
         "frequency_holdout must be >= 0; got -1.0 at position 0"),
        (lambda s: s, {"max_frequency": 0}, ValueError, "max_frequency must be an integer >= 1; got 0"),
    ],
)
def test_holdout_by_frequency_bad_arguments(cdnow, change, kwargs, exc, message):
    _, cal, bg = cdnow
    with pytest.raises(exc, match=message):
        clv.holdout_by_frequency(bg, change(cal), **kwargs)


def test_holdout_vs_calibration_draws_the_means(cdnow):
    _, cal, bg = cdnow
    frame = clv.holdout_by_frequency(bg, cal)
    ax = plots.holdout_vs_calibration(frame, label="BG/NBD")
    actual, predicted = ax.lines
    np.testing.assert_array_equal(actual.get_xdata(), frame.index)
    np.testing.assert_allclose(actual.get_ydata(), frame["actual"])
    np.testing.assert_allclose(predicted.get_ydata(), frame["predicted"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["actual", "BG/NBD"]
    assert "purchases" in ax.get_xlabel() and "purchases" in ax.get_ylabel()
    with pytest.raises(ValueError, match=r"frame lacks the column\(s\) 'actual'"):
        plots.holdout_vs_calibration(frame.drop(columns="actual"))


# --- P(alive) matrix ---------------------------------------------------------


def test_p_alive_matrix_is_p_alive_on_the_grid_and_nan_where_impossible(cdnow):
    bg = cdnow[2]
    matrix = clv.p_alive_matrix(bg, 39)
    assert matrix.shape == (40, 21)
    assert matrix.index.name == "recency" and matrix.columns.name == "frequency"
    F, R = np.meshgrid(matrix.columns.to_numpy(), matrix.index.to_numpy())
    impossible = (F == 0) != (R == 0)
    np.testing.assert_array_equal(np.isnan(matrix.to_numpy()), impossible)
    for (r, f) in [(0, 0), (1, 1), (38, 5), (10, 5), (39, 20), (39, 1), (2, 17)]:
        assert matrix.loc[r, f] == pytest.approx(bg.p_alive(f, r, 39), rel=1e-14)
    assert matrix.loc[0, 0] == 1.0
    # a customer's age need not be whole: rows run to floor(T)
    odd = clv.p_alive_matrix(bg, 38.86, max_frequency=3)
    assert odd.index.tolist() == list(range(39)) and odd.columns.tolist() == [0, 1, 2, 3]
    assert odd.loc[38, 2] == pytest.approx(bg.p_alive(2, 38, 38.86))
    pnbd = clv.ParetoNBDFit.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    assert clv.p_alive_matrix(pnbd, 39).loc[0, 0] == pytest.approx(pnbd.p_alive(0, 0, 39))


@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"T": 0}, ValueError, "T must be a finite number > 0; got 0.0"),
        ({"T": "39"}, TypeError, r"T must be a finite number > 0; got '39' \(str\)"),
        ({"max_frequency": 0}, ValueError, "max_frequency must be an integer >= 1; got 0"),
        ({"model": None}, TypeError, "model must be a BGNBDFit or ParetoNBDFit .*; got NoneType"),
    ],
)
def test_p_alive_matrix_bad_arguments(cdnow, kwargs, exc, message):
    args = {"model": cdnow[2], "T": 39, **kwargs}
    with pytest.raises(exc, match=message):
        clv.p_alive_matrix(**args)


def test_p_alive_heatmap_draws_the_matrix(cdnow):
    matrix = clv.p_alive_matrix(cdnow[2], 39)
    ax = plots.p_alive_heatmap(matrix, title="P(alive) for a customer aged 39 weeks")
    mesh = ax.collections[0]
    drawn = np.ma.masked_invalid(mesh.get_array()).reshape(matrix.shape)
    np.testing.assert_array_equal(np.ma.getmaskarray(drawn), matrix.isna().to_numpy())
    np.testing.assert_allclose(drawn.filled(np.nan), matrix.to_numpy())
    assert mesh.get_clim() == (0, 1)
    assert len(ax.figure.axes) == 2 and ax.figure.axes[1].get_ylabel() == "P(alive)"
    assert ax.get_title() == "P(alive) for a customer aged 39 weeks"
    assert ax.get_ylabel() == "recency: weeks from first to last purchase"
    with pytest.raises(ValueError, match="matrix must be probabilities \\(or NaN\\); got 2.0 at position \\(0, 0\\)"):
        plots.p_alive_heatmap(matrix * 2)
    with pytest.raises(TypeError, match="matrix must be a pandas DataFrame from cxlib.clv.p_alive_matrix; got ndarray"):
        plots.p_alive_heatmap(matrix.to_numpy())


# --- value concentration -----------------------------------------------------


def test_value_concentration_equals_a_direct_sort_and_sum():
    values = np.random.default_rng(5).lognormal(1.0, 1.5, size=2357)
    conc = clv.value_concentration(pd.Series(values), share=0.1)
    top = sorted(values, reverse=True)[:235]  # floor(0.1 * 2357)
    assert conc.n_top == 235 and conc.share == 0.1
    assert conc.top_share == pytest.approx(sum(top) / sum(values), rel=1e-12)
    curve = conc.curve
    assert curve.index.name == "rank" and len(curve) == 2357
    np.testing.assert_allclose(curve["value"], sorted(values, reverse=True))
    np.testing.assert_allclose(curve["customer_share"], np.arange(1, 2358) / 2357)
    assert curve["value_share"].iloc[-1] == pytest.approx(1.0)
    assert curve["value_share"].iloc[234] == pytest.approx(conc.top_share, rel=1e-12), "the curve passes the point"
    assert clv.value_concentration(values, share=1).top_share == pytest.approx(1.0)
    assert clv.value_concentration([5.0, 1.0, 1.0], share=0.1).n_top == 1, "at least one customer"
    assert clv.value_concentration([1.0] * 10, share=0.3).n_top == 3, "0.3 * 10 is 3, not 2"
    assert repr(conc).startswith("ValueConcentration(the top 10% of customers (235 of 2,357) hold ")


@pytest.mark.parametrize(
    "values, share, exc, message",
    [
        ([3.0, -1.0], 0.1, ValueError, "values must be >= 0 \\(one value per customer\\); got -1.0 at position 1"),
        ([], 0.1, ValueError, "values is empty; at least one customer is needed"),
        ([0.0, 0.0], 0.1, ValueError, "values must not all be 0; got 2 values that sum to 0"),
        ([1.0, np.nan], 0.1, ValueError, "values must be finite; got nan at position 1"),
        ([[1.0, 2.0]], 0.1, ValueError, "values must be one-dimensional; got an array of shape \\(1, 2\\)"),
        (["a"], 0.1, TypeError, "values must be one number >= 0 per customer"),
        ([1.0], 0, ValueError, "share must be a finite number > 0 and <= 1; got 0.0"),
        ([1.0], 1.5, ValueError, "share must be a finite number > 0 and <= 1; got 1.5"),
    ],
)
def test_value_concentration_bad_arguments(values, share, exc, message):
    with pytest.raises(exc, match=message):
        clv.value_concentration(values, share=share)


def test_clv_distribution_draws_the_values_and_the_curve():
    values = np.random.default_rng(7).lognormal(1.0, 1.5, size=500)
    conc = clv.value_concentration(values)
    fig = plots.clv_distribution(conc, value_label="CLV over the next 52 weeks ($ margin)", bins=30)
    hist, curve = fig.axes
    assert len(hist.patches) == 30 and sum(p.get_height() for p in hist.patches) == 500, "every customer counted once"
    assert hist.get_xscale() == "log"
    (mean_line,) = hist.lines
    assert mean_line.get_xdata()[0] == pytest.approx(values.mean())
    assert hist.texts[0].get_text() == f"mean ${values.mean():,.2f}"
    assert hist.get_xlabel() == "CLV over the next 52 weeks ($ margin), log scale"
    line, diagonal, point = curve.lines
    np.testing.assert_allclose(line.get_xdata(), conc.curve["customer_share"])
    np.testing.assert_allclose(line.get_ydata(), conc.curve["value_share"])
    assert list(diagonal.get_ydata()) == [0, 1]
    assert point.get_xdata()[0] == pytest.approx(50 / 500) and point.get_ydata()[0] == pytest.approx(conc.top_share)
    assert to_hex(point.get_color()) == to_hex(COLORS["highlight"])
    assert curve.texts[0].get_text() == f"top 10% of customers: {conc.top_share:.0%} of value"
    with pytest.raises(TypeError, match="concentration must be a ValueConcentration .*; got ndarray"):
        plots.clv_distribution(values)
    with pytest.raises(ValueError, match="bins must be an integer >= 1; got 0"):
        plots.clv_distribution(conc, bins=0)


def test_lesson_05_figures_never_change_rcparams(cdnow, tracking):
    import matplotlib

    before = dict(matplotlib.rcParams)
    _, cal, bg = cdnow
    plots.sbg_projection(clv.sbg_tracking(clv.fit_sbg(REGULAR[:8]), REGULAR))
    plots.purchase_tracking(tracking, calibration_end=39)
    plots.holdout_vs_calibration(clv.holdout_by_frequency(bg, cal))
    plots.p_alive_heatmap(clv.p_alive_matrix(bg, 39))
    plots.clv_distribution(clv.value_concentration([1.0, 2.0, 30.0]))
    assert dict(matplotlib.rcParams) == before


def test_lesson_05_draws_its_figures_only_through_cxlib_plots():
    """The lesson's code cells call the figure functions; no raw matplotlib beyond plt.show()."""
    import nbformat

    from conftest import ROOT

    nb = nbformat.read(ROOT / "notebooks" / "05_retention_and_clv.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for raw in ("plt.subplots", "plt.figure", "ax.plot", "axes[", ".pcolormesh", ".hist(", ".axvspan", ".annotate("):
        assert raw not in code, raw
    figures = ("sbg_projection", "purchase_tracking", "holdout_vs_calibration", "p_alive_heatmap", "clv_distribution")
    for name in figures:
        assert f"plots.{name}(" in code, name
