"""The course's look: the Okabe-Ito palette, colours by role, and the shared axes helper.

Nothing here changes matplotlib settings unless you call :func:`set_style`.  Colours
come from the Okabe-Ito palette (:data:`OKABE_ITO`), which stays distinguishable with
the common forms of colour blindness; lines also differ in marker or dash style.
Each topic's figures live in their own private module (``_loyalty.py``,
``_feedback.py``, ``_clv.py``...) with that topic's own colours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxlib import params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "COLORS", "LINE_COLORS", "set_style"]

OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
#: Colours by role, used consistently across lessons.
#: Colours by role, shared by every topic: the truth, observed data, a highlighted
#: point, scattered points, and the first and second estimate or series.
COLORS = {
    "truth": "#000000",
    "observed": "#999999",
    "highlight": "#D55E00",
    "points": "#56B4E9",
    "primary": "#0072B2",
    "secondary": "#D55E00",
    "tertiary": "#009E73",
}
#: Palette for lines, in order (the yellow is too pale for a line on white).
LINE_COLORS = tuple(c for c in OKABE_ITO if c != "#F0E442")


def set_style(context: str = "notebook") -> None:
    """Apply the course's seaborn theme (white grid, Okabe-Ito colours).

    Call it explicitly at the top of a notebook; importing cxlib never changes
    matplotlib settings.

    Parameters
    ----------
    context : {"notebook", "paper", "talk", "poster"}, default "notebook"
        seaborn's scaling of fonts and lines.

    Examples
    --------
    >>> import matplotlib
    >>> from cxlib.plots import set_style
    >>> set_style()
    >>> matplotlib.colors.to_hex(matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0])
    '#e69f00'
    >>> matplotlib.rcdefaults()  # back to matplotlib's own look
    """
    import seaborn as sns

    context = params.choice("context", context, ("notebook", "paper", "talk", "poster"))
    sns.set_theme(context=context, style="whitegrid", palette=list(OKABE_ITO))


def _axes(ax: Any, figsize: tuple[float, float] = (6.4, 4.0)) -> Axes:
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None; got {type(ax).__name__}")
    return ax


def _figure(fig: Any, figsize: tuple[float, float]) -> Figure:
    """``fig`` if it is a Figure, a new one of ``figsize`` if it is None (for multi-panel figures)."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    if fig is None:
        return plt.figure(figsize=figsize)
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure or None; got {type(fig).__name__}")
    return fig


def _estimates(name: str, table: Any, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    """``table`` checked: a non-empty DataFrame whose ``columns`` hold numbers."""
    table = params.frame(name, table, columns, what=what, empty=False)
    for col in columns:
        params.array(f"{name}[{col!r}]", table[col].to_numpy(), ndim=1)
    return table
