"""Customer journey mapping: Markov journeys, conversion, removal effects and pain points (lesson 08).

Which touchpoints carry customers to a good outcome, how much would losing one cost, and
where do customers drop out?  The functions, with a flat public API (the code lives in
private modules ``_journey_paths`` and ``_journey_markov``):

* journeys: :func:`read_paths` (aggregated path strings with counts, ChannelAttribution's
  format) and :func:`paths_from_log` (an event log);
* the chain: :func:`fit_markov` (order 1 to 4) and :class:`MarkovModel`, whose
  ``conversion_probability()`` is computed exactly from the absorbing chain
  (``MarkovModel.from_matrix`` for a known truth, ``with_exit`` for what-ifs), and
  :func:`order_test` (order 1 against a higher order);
* credit: :func:`removal_effects` (exact), :func:`attribution`, and the heuristics
  :func:`first_touch`, :func:`last_touch`, :func:`linear`;
* pain points: :func:`drop_off`, :func:`time_in_state`; :func:`simulate_journeys`.

Examples
--------
>>> import pandas as pd
>>> from cxlib import journey
>>> paths = journey.read_paths(pd.DataFrame({"path": ["search > ad", "ad"], "total_conversions": [3, 1],
...                                          "total_conversion_value": [30.0, 10.0], "total_null": [1, 5]}))
>>> round(journey.fit_markov(paths).conversion_probability(), 3)
0.4

References
----------
Anderl, E., Becker, I., von Wangenheim, F., & Schumann, J. H. (2016). Mapping the customer
journey: Lessons learned from graph-based online attribution modeling. International Journal
of Research in Marketing, 33(3), 457-474.

Kemeny, J. G., & Snell, J. L. (1976). Finite Markov chains. Springer.
"""

from cxlib._journey_markov import (
    MarkovModel,
    attribution,
    drop_off,
    first_touch,
    fit_markov,
    last_touch,
    linear,
    order_test,
    removal_effects,
    simulate_journeys,
    time_in_state,
)
from cxlib._journey_paths import RESERVED, paths_from_log, read_paths

__all__ = [
    "read_paths",
    "paths_from_log",
    "RESERVED",
    "fit_markov",
    "MarkovModel",
    "order_test",
    "removal_effects",
    "attribution",
    "first_touch",
    "last_touch",
    "linear",
    "drop_off",
    "time_in_state",
    "simulate_journeys",
]
