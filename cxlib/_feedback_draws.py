"""Counter-based random numbers of the feedback engine (:mod:`cxlib.feedback`).

SplitMix64 indexed by customer, week and purpose: customer ``i``'s draw for a purpose
in week ``t`` is a fixed function of the run's seed, her label, the week and the
purpose, so two policies run with the same seed face the same customers' luck
(common random numbers; see the module docstring of :mod:`cxlib.feedback`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

_GAMMA = 0x9E3779B97F4A7C15  # SplitMix64's increment (the golden ratio in 64 bits)
_MASK = (1 << 64) - 1
#: Draw streams of a week: everyone (problem, churn), customers with a problem (voice,
#: recovery), staying promoters (referral), customers with a problem again (what the
#: problem is about, lesson 04; drawn only when problems come in several kinds).  Room is
#: left for more: a new purpose takes a new stream and leaves every other draw as it was.
_EVERYONE, _PROBLEMS, _PROMOTERS, _KIND = range(4)
_STREAMS = 8
_REFERRED_BIT = 1 << 31
_TWO32 = 4294967296.0


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function (Steele, Lea & Flood 2014), in place on a uint64 array:
    a bijection of 64-bit integers whose outputs along a Weyl sequence pass BigCrush."""
    tmp = z >> np.uint64(30)
    z ^= tmp
    z *= np.uint64(0xBF58476D1CE4E5B9)
    np.right_shift(z, np.uint64(27), out=tmp)
    z ^= tmp
    z *= np.uint64(0x94D049BB133111EB)
    np.right_shift(z, np.uint64(31), out=tmp)
    z ^= tmp
    return z


def _customer_keys(labels: np.ndarray, run_key: np.uint64) -> np.ndarray:
    """Each customer's own stream: SplitMix64 seeded with a mix of the run and her label."""
    return _mix(labels * np.uint64(_GAMMA) + run_key)


def _arrival_keys(t: int, n_marketing: int, n_referred: int, run_key: np.uint64) -> np.ndarray:
    """Labels of week ``t``'s arrivals: ``(t + 1) << 32`` plus their index, the referred
    ones with bit 31 set.  Initial customers have labels ``0 .. n_customers - 1`` (under
    2**32), so every label is unique, and the j-th marketing arrival of a week is the same
    customer under every policy."""
    week = np.uint64((t + 1) << 32)
    labels = np.concatenate([np.arange(n_marketing, dtype=np.uint64),
                             np.arange(n_referred, dtype=np.uint64) + np.uint64(_REFERRED_BIT)]) + week
    return _customer_keys(labels, run_key)


def _draw(keys: np.ndarray, t: int, stream: int) -> np.ndarray:
    """One 64-bit draw per customer: position ``t * 8 + stream + 1`` of her stream.  Its
    two 32-bit halves (:func:`_high`, :func:`_low`) are two independent uniforms."""
    return _mix(keys + np.uint64(((t * _STREAMS + stream + 1) * _GAMMA) & _MASK))


def _high(draw: np.ndarray) -> np.ndarray:
    """The first uniform of each draw, as an integer in [0, 2**32); compare with :func:`_scale`."""
    return draw >> np.uint64(32)


def _low(draw: np.ndarray) -> np.ndarray:
    """The second uniform of each draw, as an integer in [0, 2**32)."""
    return draw & np.uint64(0xFFFFFFFF)


def _scale(probability: Any) -> Any:
    """A probability on the scale of :func:`_high`/:func:`_low`: ``u < p`` is ``high < _scale(p)``."""
    return np.multiply(probability, _TWO32)
