import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from cxlib import params


@given(st.integers(min_value=10, max_value=10**9))
def test_integer_accepts_in_range(n):
    assert params.integer("n", n, min=10) == n


@given(st.floats(min_value=0, max_value=1))
def test_probability_accepts_unit_interval(p):
    assert params.probability("p", p) == p


def test_integer_normalises_numpy_and_integral_floats():
    assert type(params.integer("n", np.int32(5))) is int
    assert params.integer("n", 5e3) == 5000


@pytest.mark.parametrize(
    "call, exc, message",
    [
        (lambda: params.integer("n_customers", 0, min=1), ValueError,
         "n_customers must be an integer >= 1; got 0"),
        (lambda: params.integer("n_customers", -5, min=1, max=100), ValueError,
         "n_customers must be an integer between 1 and 100; got -5"),
        (lambda: params.integer("n_customers", "100"), TypeError,
         "n_customers must be an integer; got '100' (str)"),
        (lambda: params.integer("n_customers", True), TypeError,
         "n_customers must be an integer; got True (bool)"),
        (lambda: params.integer("n_customers", 2.5), TypeError,
         "n_customers must be an integer; got 2.5 (float)"),
        (lambda: params.probability("p_voice", -0.1), ValueError,
         "p_voice must be a probability between 0 and 1; got -0.1"),
        (lambda: params.probability("p_voice", 1.5), ValueError,
         "p_voice must be a probability between 0 and 1; got 1.5"),
        (lambda: params.probability("p_voice", "half"), TypeError,
         "p_voice must be a probability between 0 and 1; got 'half' (str)"),
        (lambda: params.real("delay", math.inf, min=0), ValueError,
         "delay must be a finite number >= 0; got inf"),
        (lambda: params.real("delay", 0, min=0, min_inclusive=False), ValueError,
         "delay must be a finite number > 0; got 0.0"),
        (lambda: params.real("delay", 5, max=3), ValueError,
         "delay must be a finite number <= 3; got 5.0"),
        (lambda: params.choice("segment", "vip", ["budget", "premium"]), ValueError,
         "segment 'vip' is not known; valid choices are 'budget', 'premium'"),
        (lambda: params.choice("segment", "premum", ["budget", "premium"]), ValueError,
         "segment 'premum' is not known; valid choices are 'budget', 'premium'; did you mean 'premium'?"),
        (lambda: params.boolean("flag", 1), TypeError, "flag must be True or False; got 1 (int)"),
        (lambda: params.text("name", ""), TypeError, "name must be a non-empty string; got '' (str)"),
        (lambda: params.shares("shares", [0.5, 0.5], ["a", "b"]), TypeError,
         "shares must be a mapping from 'a', 'b' to shares; got [0.5, 0.5] (list)"),
        (lambda: params.shares("shares", {"a": 0.5, "b": 0.4}, ["a", "b"]), ValueError,
         "shares must sum to 1; got {'a': 0.5, 'b': 0.4}, which sums to 0.9"),
        (lambda: params.shares("shares", {"a": 1.5}, ["a", "b"]), ValueError,
         "shares['a'] must be a probability between 0 and 1; got 1.5"),
    ],
)
def test_errors_name_parameter_value_and_valid(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value) == message
    assert "\n" not in str(info.value)
