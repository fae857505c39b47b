"""The explorer's plain callback for :mod:`cxlib.referral` (lesson 10): a Bass curve and its
peak beside the expected referral cascade, both in closed form.

:func:`word_of_mouth_demo` is what :func:`cxlib.widgets.word_of_mouth_explorer` draws; it
needs no matplotlib and no ipywidgets, draws no random numbers, and is tested on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib._referral_bass import _abc, _peak, bass_curve
from cxlib._referral_cascade import ReferralModel

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["WordOfMouthDemo", "word_of_mouth_demo"]


@dataclass(frozen=True)
class WordOfMouthDemo:
    """A Bass adoption curve with its peak, and the expected referral cascade by referral rate.

    Attributes
    ----------
    inputs : dict
        What :func:`word_of_mouth_demo` was called with.
    curve : pandas.DataFrame
        ``t`` (time since launch), ``adoptions`` (per unit time, ``m f(t)``) and
        ``cumulative`` (``m F(t)``), on a fine grid up to ``horizon``.
    peak_time, peak_adoptions : float
        When adoptions peak, ``ln(q / p) / (p + q)`` (0 when ``q <= p``: they fall from
        launch), and the rate there.
    half_time : float
        When half of ``m`` has adopted.
    horizon : float
        End of ``curve``: when 99% of ``m`` has adopted.
    cascade : pandas.DataFrame
        One row per referral rate: ``referral_rate``, ``reproduction_number``,
        ``expected_total`` (customers by period ``cascade_periods`` from one new customer,
        that customer included) and ``expected_limit`` (in the long run: ``1 / (1 - R)``,
        infinite when ``R >= 1``).
    reproduction_number, expected_total, expected_limit : float
        The same at ``referral_rate``.

    Examples
    --------
    >>> from cxlib.referral import word_of_mouth_demo
    >>> demo = word_of_mouth_demo(0.03, 0.38, 10_000, 3.0)
    >>> round(demo.reproduction_number, 2), round(demo.expected_total), demo.expected_limit
    (1.35, 1556, inf)
    """

    inputs: dict[str, Any]
    curve: pd.DataFrame = field(repr=False)
    peak_time: float
    peak_adoptions: float
    half_time: float
    horizon: float
    cascade: pd.DataFrame = field(repr=False)
    reproduction_number: float
    expected_total: float
    expected_limit: float

    def __repr__(self) -> str:
        i = self.inputs
        limit = f"{self.expected_limit:,.3g}" if math.isfinite(self.expected_limit) else "unbounded"
        return (f"WordOfMouthDemo(Bass p={i['p']:.3g}, q={i['q']:.3g}, m={i['m']:,.0f}: peak at "
                f"t={self.peak_time:.2f}, {self.peak_adoptions:,.1f} per period; referral rate {i['referral_rate']:g}: "
                f"R={self.reproduction_number:.3g}, cascade {self.expected_total:,.3g} by period "
                f"{i['cascade_periods']} (long run {limit}))")


def word_of_mouth_demo(
    p: float,
    q: float,
    m: float,
    referral_rate: float,
    *,
    promoters: float = 0.4,
    detractors: float = 0.2,
    passive_factor: float = 0.25,
    discouragement: float = 0.5,
    cascade_periods: int = 20,
    max_rate: float | None = None,
    n_points: int = 201,
) -> WordOfMouthDemo:
    """The explorer of lesson 10 in numbers: a Bass curve and the referral cascade, in closed form.

    The continuous Bass curve of ``p``, ``q``, ``m`` (:func:`cxlib.referral.bass_curve`)
    from launch until 99% of ``m`` has adopted, its peak ``ln(q / p) / (p + q)`` and the
    adoptions there, ``m (p + q)^2 / (4 q)`` (when ``q > p``; otherwise adoptions fall from
    ``m p`` at launch); and the expected size of the referral cascade a new customer starts
    (:class:`cxlib.referral.ReferralModel`) by period ``cascade_periods`` and in the long
    run, over a grid of referral rates from 0 to ``max_rate`` and at ``referral_rate``.

    Parameters
    ----------
    p, q, m : float
        Innovation (0, 1], imitation [0, 10] and market size (> 0) of the Bass model.
    referral_rate : float
        Mean recommendations a promoter makes (as in :class:`cxlib.referral.ReferralModel`).
    promoters, detractors, passive_factor, discouragement
        As in :class:`cxlib.referral.ReferralModel`.
    cascade_periods : int, default 20
        Horizon of the cascade's expected size (1 to 1,000).
    max_rate : float, optional
        Largest referral rate of the grid; default the larger of 1.5 times ``referral_rate``
        and 1.5 times the rate at which ``R = 1`` (4 when no rate reaches it).
    n_points : int, default 201
        Points of each grid (11 to 10,001).

    Returns
    -------
    WordOfMouthDemo

    Examples
    --------
    >>> from cxlib.referral import word_of_mouth_demo
    >>> demo = word_of_mouth_demo(0.03, 0.38, 10_000, 1.0)
    >>> round(demo.peak_time, 2), round(demo.peak_adoptions, 1), round(demo.half_time, 2)
    (6.19, 1105.9, 6.55)
    >>> round(demo.reproduction_number, 2), round(demo.expected_total, 3), round(demo.expected_limit, 3)
    (0.45, 1.818, 1.818)
    >>> demo.cascade.columns.tolist()
    ['referral_rate', 'reproduction_number', 'expected_total', 'expected_limit']
    >>> word_of_mouth_demo(0.03, 0.38, 0, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: m must be a finite number > 0; got 0.0
    """
    import pandas as pd

    p, q, m = _abc(p, q, m)
    model = ReferralModel(referral_rate, promoters, detractors, passive_factor, discouragement)
    periods = params.integer("cascade_periods", cascade_periods, min=1, max=1000)
    points = params.integer("n_points", n_points, min=11, max=10_001)
    per_rate = model.reproduction_number / model.referral_rate if model.referral_rate > 0 else float(
        ReferralModel(1.0, promoters, detractors, passive_factor, discouragement).reproduction_number)
    at_one = 1.0 / per_rate if per_rate > 0 else math.inf
    if max_rate is None:
        top = max(1.5 * model.referral_rate, 1.5 * at_one if math.isfinite(at_one) else 4.0, 0.1)
    else:
        top = params.real("max_rate", max_rate, min=0, max=1000, min_inclusive=False)
    horizon = math.log((1 + 0.99 * q / p) / 0.01) / (p + q)
    t = np.linspace(0.0, horizon, points)
    curve = pd.DataFrame({"t": t, "adoptions": bass_curve(p, q, m, t), "cumulative": bass_curve(p, q, m, t,
                                                                                            cumulative=True)})
    peak = _peak(p, q)
    peak_rate = float(bass_curve(p, q, m, peak))
    half = math.log(2 + q / p) / (p + q)  # F(t) = 1/2
    rates = np.linspace(0.0, top, points)
    rows = []
    for rate in rates:
        mod = ReferralModel(float(rate), promoters, detractors, passive_factor, discouragement)
        rows.append((float(rate), mod.reproduction_number, mod.expected_total(1, periods), mod.expected_total(1)))
    cascade = pd.DataFrame(rows, columns=["referral_rate", "reproduction_number", "expected_total", "expected_limit"])
    inputs = {"p": p, "q": q, "m": m, "referral_rate": model.referral_rate, "promoters": model.promoters,
              "detractors": model.detractors, "passive_factor": model.passive_factor,
              "discouragement": model.discouragement, "cascade_periods": periods, "max_rate": top, "n_points": points}
    return WordOfMouthDemo(inputs, curve, peak, peak_rate, half, horizon, cascade, model.reproduction_number,
                           model.expected_total(1, periods), model.expected_total(1))
