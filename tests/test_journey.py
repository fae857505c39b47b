"""cxlib.journey (lesson 08): paths, the exact Markov chain, removal effects, heuristics, pain points."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cxlib import data, journey


def _paths(rows):
    return journey.read_paths(pd.DataFrame(rows, columns=["path", "total_conversions", "total_conversion_value",
                                                          "total_null"]))


# ---------------------------------------------------------------------------
# Exact on chains solved by hand
# ---------------------------------------------------------------------------


def test_conversion_probability_of_a_chain_solved_by_hand():
    # start -> a; a -> b 1/2, a -> null 1/2; b -> conversion 3/5, b -> null 2/5: P = 1/2 * 3/5
    m = journey.fit_markov(_paths([("a > b", 3, 3.0, 0), ("a > b", 0, 0.0, 2), ("a", 0, 0.0, 5)]))
    assert m.conversion_probability() == pytest.approx(0.3, abs=1e-12)
    re = journey.removal_effects(m)
    assert re["removal_effect"].to_dict() == pytest.approx({"a": 1.0, "b": 1.0})


def test_loops_are_solved_exactly():
    # start -> a; a -> a 1/4, a -> b 1/4, a -> null 1/2; b -> a 1/3, b -> conversion 2/3
    # x_a = x_a/4 + x_b/4, x_b = x_a/3 + 2/3  =>  x_b = 3 x_a, x_a = 1/4
    rows = [("a > a", 0, 0.0, 1), ("a > b > conversion", 0, 0.0, 0)]
    matrix = pd.DataFrame(0.0, index=["(start)", "a", "b", "(conversion)", "(null)"],
                          columns=["(start)", "a", "b", "(conversion)", "(null)"])
    matrix.loc["(start)", "a"] = 1
    matrix.loc["a", ["a", "b", "(null)"]] = [0.25, 0.25, 0.5]
    matrix.loc["b", ["a", "(conversion)"]] = [1 / 3, 2 / 3]
    matrix.loc["(conversion)", "(conversion)"] = matrix.loc["(null)", "(null)"] = 1
    m = journey.MarkovModel.from_matrix(matrix)
    assert m.conversion_probability() == pytest.approx(1 / 4, abs=1e-12)
    # removing b: a converts never; removing a: nothing starts
    assert m.conversion_probability(removed=["b"]) == 0 and m.conversion_probability(removed="a") == 0
    # expected visits to a: 1 / (1 - 1/4 - 1/4 * 1/3) = 3/2
    assert m.expected_visits()["a"] == pytest.approx(1.5)
    assert rows  # the rows above describe the chain in words


def test_removal_effect_of_an_optional_touchpoint():
    # start -> a 1/2, b 1/2; a -> conversion 1; b -> conversion 1/2, null 1/2:  P = 3/4; without a: 1/4
    m = journey.fit_markov(_paths([("a", 10, 10.0, 0), ("b", 5, 5.0, 5)]))
    assert m.conversion_probability() == pytest.approx(0.75)
    re = journey.removal_effects(m)
    assert re.at["a", "removal_effect"] == pytest.approx(1 - 0.25 / 0.75)
    assert re.at["b", "removal_effect"] == pytest.approx(1 - 0.5 / 0.75)
    att = journey.attribution(m)
    assert att["conversions"].sum() == pytest.approx(15) and att["value"].sum() == pytest.approx(15.0)


def test_heuristics_by_hand():
    p = _paths([("a > b > c", 2, 20.0, 1), ("c > a", 1, 5.0, 0), ("b", 0, 0.0, 4)])
    assert journey.first_touch(p)["conversions"].to_dict() == {"a": 2.0, "b": 0.0, "c": 1.0}
    assert journey.last_touch(p)["conversions"].to_dict() == {"a": 1.0, "b": 0.0, "c": 2.0}
    lin = journey.linear(p)
    assert lin.loc["a", "conversions"] == pytest.approx(2 / 3 + 1 / 2)
    assert lin["value"].sum() == pytest.approx(25.0)


def test_with_exit_is_a_counterfactual_on_one_row():
    truth = data.journey_matrix(0.45)
    m = journey.MarkovModel.from_matrix(truth)
    better = m.with_exit("checkout", 0.2)
    assert better.transition_matrix.loc["checkout", "(null)"] == pytest.approx(0.2)
    assert better.transition_matrix.loc["checkout"].sum() == pytest.approx(1.0)
    assert better.conversion_probability() > m.conversion_probability()
    assert m.with_exit("checkout", 0.45).conversion_probability() == pytest.approx(m.conversion_probability())


# ---------------------------------------------------------------------------
# Known truth: recovery and simulation
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def log():
    return data.journey_log(20_000, rng=5)


def test_fitted_chain_recovers_the_true_matrix(log):
    paths = journey.paths_from_log(log.data, value="value")
    m = journey.fit_markov(paths)
    truth = log.truth["matrix"].loc[m.states, m.states]
    err = (m.transition_matrix - truth).abs().to_numpy().max()
    assert err < 0.04
    assert m.conversion_probability() == pytest.approx(log.truth["conversion_probability"], abs=0.015)
    re = journey.removal_effects(m)["removal_effect"]
    for t, v in log.truth["removal_effects"].items():
        assert re[t] == pytest.approx(v, abs=0.05), t


def test_error_shrinks_with_customers():
    errs = []
    for n in (1000, 16_000):
        lg = data.journey_log(n, rng=11)
        m = journey.fit_markov(journey.paths_from_log(lg.data))
        errs.append((m.transition_matrix - lg.truth["matrix"].loc[m.states, m.states]).abs().to_numpy().max())
    assert errs[1] < errs[0] / 2  # sqrt(16) = 4 times fewer... at least twice smaller


def test_exact_agrees_with_simulation_within_monte_carlo_error():
    m = journey.MarkovModel.from_matrix(data.journey_matrix())
    n = 100_000
    sim = journey.simulate_journeys(m, n, rng=2)
    p = m.conversion_probability()
    assert abs(sim["conversions"].sum() / n - p) < 4 * math.sqrt(p * (1 - p) / n)


def test_last_touch_overcredits_the_reminder_as_planted(log):
    paths = journey.paths_from_log(log.data)
    m = journey.fit_markov(paths)
    markov = journey.attribution(m)["conversions"]
    last = journey.last_touch(paths)["conversions"]
    assert last["reminder"] > 2 * markov["reminder"]
    assert last["product"] == 0 and markov["product"] == markov.max()


def test_the_pain_point_and_the_first_order_test(log):
    paths = journey.paths_from_log(log.data)
    m = journey.fit_markov(paths)
    drop = journey.drop_off(m)
    assert drop["exit_probability"].idxmax() == log.truth["pain_point"] == "checkout"
    assert drop["share_of_losses"].sum() == pytest.approx(1.0)
    pvals = [journey.order_test(journey.paths_from_log(data.journey_log(4000, rng=s).data))["p_value"]
             for s in range(10)]
    assert np.mean(np.array(pvals) < 0.05) <= 0.3  # data from an order-1 chain: about 5% rejections
    # a chain with memory is detected
    memory = _paths([("a > b", 80, 0.0, 20), ("c > b", 10, 0.0, 90)] * 3)
    assert journey.order_test(memory)["p_value"] < 1e-6


# ---------------------------------------------------------------------------
# Parsing edge cases
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("", 1, 1.0, 0)], "path at row 0 is empty"),
        ([("a > > b", 1, 1.0, 0)], "has an empty touchpoint"),
        ([("a > b", 0, 0.0, 0)], "row 0 has no journeys (0 conversions and 0 nulls); drop it"),
        ([("a > b", -1, 0.0, 2)], "conversions column 'total_conversions' must be whole numbers >= 0"),
        ([("a > (null)", 1, 1.0, 0)], "uses the reserved name '(null)'"),
    ],
)
def test_bad_paths_get_clear_messages(rows, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _paths(rows)


def test_self_loops_repeats_and_a_touchpoint_that_never_converts():
    p = _paths([("a > a > b", 2, 2.0, 1), ("c", 0, 0.0, 4), ("a > b", 1, 1.0, 0)])
    m = journey.fit_markov(p)
    assert m.transition_matrix.loc["a", "a"] > 0
    collapsed = journey.fit_markov(journey.read_paths(
        pd.DataFrame({"path": ["a > a > b", "c", "a > b"], "total_conversions": [2, 0, 1],
                      "total_conversion_value": [2.0, 0.0, 1.0], "total_null": [1, 4, 0]}), collapse_repeats=True))
    # a self-loop only delays: conversion and removal effects are the same without it
    assert m.conversion_probability() == pytest.approx(collapsed.conversion_probability())
    re = journey.removal_effects(m)
    assert re.at["c", "removal_effect"] == 0  # c never converts
    assert journey.time_in_state(m).at["a", "expected_visits"] > journey.time_in_state(collapsed).at["a",
                                                                                                    "expected_visits"]


def test_another_separator_is_one_touchpoint_unless_named():
    raw = pd.DataFrame({"path": ["a/b"], "total_conversions": [1], "total_conversion_value": [1.0],
                        "total_null": [0]})
    assert journey.read_paths(raw)["path"].iloc[0] == ("a/b",)
    assert journey.read_paths(raw, sep="/")["path"].iloc[0] == ("a", "b")


def test_paths_from_log_checks_its_outcome():
    log = pd.DataFrame({"customer": [1, 1], "time": [1, 2], "touchpoint": ["a", "b"], "converted": [0, 2]})
    with pytest.raises(ValueError, match="outcome column 'converted' must hold 0 or 1; got 2"):
        journey.paths_from_log(log)


def test_paths_from_log_needs_every_customer():
    log = pd.DataFrame({"customer": [1, None], "time": [1, 2], "touchpoint": ["a", "b"], "converted": [0, 1]})
    with pytest.raises(ValueError, match="customer column 'customer' is missing at row 1"):
        journey.paths_from_log(log)


def test_paths_from_log_against_a_loop_over_customers():
    """Each customer's visits in time order, converted if any row says so, value summed (missing
    values as 0): checked against a plain loop, on customers named by strings, rows shuffled."""
    rng = np.random.default_rng(3)
    n = 400
    log = pd.DataFrame({"who": rng.choice([f"c{i}" for i in range(90)], n), "t": rng.permutation(n),
                        "tp": rng.choice(["email", "search", "shop"], n), "buy": rng.integers(0, 2, n) * (rng.random(n) < 0.2),
                        "v": np.where(rng.random(n) < 0.1, np.nan, rng.random(n))})
    expected = {}
    for who, rows in log.groupby("who"):
        rows = rows.sort_values("t")
        key = tuple(rows["tp"])
        c, v, nulls = expected.get(key, (0, 0.0, 0))
        converted = int(rows["buy"].max())
        expected[key] = (c + converted, v + float(np.nansum(rows["v"])), nulls + 1 - converted)
    got = journey.paths_from_log(log, customer="who", time="t", touchpoint="tp", outcome="buy", value="v")
    assert len(got) == len(expected)
    for row in got.itertuples():
        c, v, nulls = expected[row.path]
        assert (row.conversions, row.nulls) == (c, nulls) and row.value == pytest.approx(v), row.path


def test_unknown_touchpoint_in_removal_and_higher_order_warning():
    m = journey.fit_markov(_paths([("a > b", 1, 1.0, 1)]))
    with pytest.raises(ValueError, match="removed names unknown touchpoint"):
        m.conversion_probability(removed=["z"])
    with pytest.warns(UserWarning, match="order 2: .* states were left fewer than 30 times"):
        journey.fit_markov(_paths([("a > b", 1, 1.0, 1)]), order=2)


# ---------------------------------------------------------------------------
# The array paths (one pass over all rows) against the row-by-row reading
# ---------------------------------------------------------------------------


def test_whitespace_the_fast_reader_must_know_is_what_str_strip_strips():
    from cxlib._journey_paths import _ROW, _SPACE

    every = {chr(c) for c in range(0x110000) if chr(c).isspace()}
    assert set(_SPACE) | {_ROW} == every and _ROW not in _SPACE
    assert all(c.isascii() for c in _SPACE[:9]) and not any(c.isascii() for c in _SPACE[9:])


@pytest.mark.parametrize("sep", [">", "->", "|"])
def test_one_pass_reader_equals_the_row_by_row_split(sep):
    from cxlib._journey_paths import _split

    texts = [f"a {sep} b", f" a{sep}b ", f"a\t{sep}\u00a0b", f"paid search {sep}  email", "a", f"a  {sep}  a {sep} c",
             f"\u3000c{sep} a", f"x y {sep} z"]
    raw = pd.DataFrame({"path": texts, "total_conversions": range(1, 9), "total_null": [1] * 8})
    got = journey.read_paths(raw, value=None, sep=sep)
    want = {}
    for i, text in enumerate(texts):
        key = _split(text, sep, i)
        conv, null = want.get(key, (0, 0))
        want[key] = (conv + i + 1, null + 1)
    assert dict(zip(got["path"], zip(got["conversions"], got["nulls"]))) == want
    assert got["path"].iloc[0] == ("a", "b") and got.iloc[0][["conversions", "nulls"]].tolist() == [6, 3]
    assert ("paid search", "email") in set(got["path"]) and ("x y", "z") in set(got["path"])


@pytest.mark.parametrize("text, message", [("a >\u00a0> b", "has an empty touchpoint"), ("  ", "is empty"),
                                           ("\x1e", "is empty")])
def test_odd_rows_fall_back_to_the_row_by_row_messages(text, message):
    raw = pd.DataFrame({"path": ["a > b", text], "total_conversions": [1, 1], "total_null": [0, 0]})
    with pytest.raises(ValueError, match=f"path at row 1 {message}"):
        journey.read_paths(raw, value=None)
    with pytest.raises(TypeError, match="path at row 1 must be a string"):
        journey.read_paths(pd.DataFrame({"path": ["a", 3], "total_conversions": [1, 1], "total_null": [0, 0]}),
                           value=None)
    # the joining character inside a path is whitespace to str.strip: read row by row, the same answer
    odd = pd.DataFrame({"path": ["a > \x1e b"], "total_conversions": [1], "total_null": [0]})
    assert journey.read_paths(odd, value=None)["path"].iloc[0] == ("a", "b")


def test_higher_order_counts_by_hand():
    # a > b > a converts once, b > a fails twice: order-2 states are the last two touchpoints
    with pytest.warns(UserWarning, match="4 of 4 states"):
        m = journey.fit_markov(_paths([("a > b > a", 1, 1.0, 0), ("b > a", 0, 0.0, 2)]), order=2)
    c = m.counts
    assert m.states == ["(start)", "a", "a > b", "b", "b > a", "(conversion)", "(null)"]
    assert c.at["(start)", "a"] == 1 and c.at["(start)", "b"] == 2 and c.at["a", "a > b"] == 1
    assert c.at["a > b", "b > a"] == 1 and c.at["b", "b > a"] == 2
    assert c.at["b > a", "(conversion)"] == 1 and c.at["b > a", "(null)"] == 2 and c.to_numpy().sum() == 10
    assert m.state_channels["b > a"] == frozenset({"a", "b"})
    # removing b loses every journey (all pass through a state holding b)
    assert journey.removal_effects(m).at["b", "removal_effect"] == 1.0


def test_simulated_paths_add_up_and_carry_the_chain():
    s = ["(start)", "a", "b", "(conversion)", "(null)"]
    matrix = pd.DataFrame([[0, 0.7, 0.2, 0, 0.1], [0, 0.1, 0.5, 0.2, 0.2], [0, 0.3, 0, 0.4, 0.3], [0, 0, 0, 1, 0],
                           [0, 0, 0, 0, 1]], index=s, columns=s)
    sim = journey.simulate_journeys(matrix, 40_000, rng=3)
    assert not sim["path"].duplicated().any()
    # every journey that touched something is a row; 10 % leave from (start) untouched
    assert sim[["conversions", "nulls"]].to_numpy().sum() == pytest.approx(36_000, abs=4 * math.sqrt(40_000 * 0.09))
    refit = journey.fit_markov(sim).transition_matrix.loc[["a", "b"], s[1:]]
    assert np.abs(refit.to_numpy() - matrix.loc[["a", "b"], s[1:]].to_numpy()).max() < 0.02
