"""The one randomness helper every stochastic function in cxlib uses."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_rng", "seed_from"]



def check_rng(rng: None | int | np.random.Generator = None) -> np.random.Generator:
    """Turn ``rng`` into a :class:`numpy.random.Generator`.

    Every stochastic function in cxlib takes a keyword ``rng`` and passes it
    through this helper (the convention of SPEC 7), so that one seed reproduces a
    whole lesson and no function touches numpy's global random state.

    Parameters
    ----------
    rng : None, int or numpy.random.Generator
        ``None`` gives fresh, unpredictable randomness; a non-negative integer is a
        seed (the same seed gives the same numbers); a Generator is used as it is,
        so its state advances.

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        If ``rng`` is of any other type (including ``bool`` and the legacy
        ``numpy.random.RandomState``).
    ValueError
        If ``rng`` is a negative integer.

    Examples
    --------
    >>> from cxlib import check_rng
    >>> check_rng(42).integers(0, 100, size=3).tolist() == check_rng(42).integers(0, 100, size=3).tolist()
    True
    >>> g = check_rng(7)
    >>> check_rng(g) is g
    True
    >>> check_rng(-1)
    Traceback (most recent call last):
    ...
    ValueError: rng must be None, a non-negative integer seed or a numpy.random.Generator; got -1
    """
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(
                f"rng must be None, a non-negative integer seed or a "
                f"numpy.random.Generator; got {rng!r}"
            )
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be None, a non-negative integer seed or a numpy.random.Generator; "
        f"got {rng!r} of type {type(rng).__name__}"
    )


def seed_from(rng: None | int | np.random.Generator = None) -> int:
    """An integer seed: ``rng`` itself when it is one, else one drawn from ``check_rng(rng)``.

    For functions that must replay the same random draws several times (common random
    numbers across the points of a sweep or the positions of a slider).

    >>> from cxlib._rng import seed_from
    >>> seed_from(5)
    5
    >>> seed_from(np.random.default_rng(0)) == seed_from(np.random.default_rng(0))
    True
    """
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        check_rng(rng)  # the same checks and messages as everywhere else
        return int(rng)
    return int(check_rng(rng).integers(0, 2**63 - 1))


def substream(seed: int, *key: int) -> np.random.Generator:
    """An independent generator for one purpose of a seeded computation.

    ``substream(seed, 1)`` and ``substream(seed, 2)`` are independent of each other and of
    ``check_rng(seed)`` (numpy's ``SeedSequence`` with the key appended), and the same
    arguments always give the same stream: for draws that must not depend on what else a
    computation draws (common random numbers).

    >>> from cxlib._rng import substream
    >>> a, b = substream(7, 1).random(), substream(7, 1).random()
    >>> a == b, a == substream(7, 2).random()
    (True, False)
    """
    return np.random.default_rng([int(seed), *map(int, key)])
