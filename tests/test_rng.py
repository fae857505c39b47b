import numpy as np
import pytest
from hypothesis import given, strategies as st

from cxlib import check_rng


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_same_seed_same_stream(seed):
    assert np.array_equal(check_rng(seed).random(5), check_rng(seed).random(5))


def test_generator_passes_through_and_advances():
    g = np.random.default_rng(3)
    assert check_rng(g) is g
    first = check_rng(g).random()
    assert check_rng(g).random() != first


def test_none_gives_fresh_generators():
    assert check_rng(None).random() != check_rng(None).random()


def test_numpy_integer_seed_is_accepted():
    assert check_rng(np.int64(5)).random() == check_rng(5).random()


@pytest.mark.parametrize(
    "bad, exc, fragment",
    [
        (-1, ValueError, "got -1"),
        ("42", TypeError, "got '42' of type str"),
        (True, TypeError, "got True of type bool"),
        (1.5, TypeError, "got 1.5 of type float"),
        (np.random.RandomState(0), TypeError, "of type RandomState"),
    ],
)
def test_bad_rng_is_named(bad, exc, fragment):
    with pytest.raises(exc, match="^rng must be None, a non-negative integer seed") as info:
        check_rng(bad)
    assert fragment in str(info.value)
