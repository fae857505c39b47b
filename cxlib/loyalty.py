"""Loyalty and revenue: regression helpers on top of statsmodels (lesson 02).

The functions fit ordinary statsmodels models and return their results as they are
(``fit``, ``CountModels.poisson``, ...), plus tidy tables for the lessons:

* :func:`fit` and :func:`coef_table`: OLS with robust (HC3) standard errors and a tidy
  coefficient table;
* :func:`compare_estimates` and :func:`confounding_demo`: the naive and the adjusted
  estimate of the loyalty effect next to the truth of a simulated panel;
* :func:`omitted_variable_bias`: the exact decomposition of the naive estimate into the
  adjusted one plus one term per omitted variable;
* :func:`elasticity`: a log-log regression;
* :func:`count_models`: Poisson and negative binomial (NB2) models of order counts;
* :func:`early_and_late`: per-customer early and later purchasing in CDNOW-style
  transaction data.
"""

from __future__ import annotations

import io
import keyword
import math
import re
import tokenize
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from cxlib import params
from cxlib.params import _columns_text
from cxlib._results import SimulationResult, renamed
from cxlib._rng import check_rng, seed_from

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from statsmodels.regression.linear_model import RegressionResultsWrapper

    from cxlib.data import Panel

__all__ = [
    "COV_TYPES",
    "fit",
    "coef_table",
    "compare_estimates",
    "omitted_variable_bias",
    "Elasticity",
    "elasticity",
    "CountModels",
    "count_models",
    "ConfoundingDemo",
    "confounding_demo",
    "confounding_sweep",
    "replicate",
    "early_and_late",
]

#: Covariance types accepted by :func:`fit` (statsmodels names).
COV_TYPES = ("HC3", "HC2", "HC1", "HC0", "nonrobust")

#: Names a formula may use besides columns: formula helpers and numpy.
_FORMULA_NAMES = frozenset(
    {
        "C", "I", "Q", "Treatment", "Sum", "Poly", "Helmert", "Diff", "ContrastMatrix",
        "center", "standardize", "scale", "bs", "cr", "cc", "te", "np", "numpy",
        "contr", "poly", "lag",
    }
)  # fmt: skip


# ---------------------------------------------------------------------------
# Checks shared by the functions below
# ---------------------------------------------------------------------------


def _formula_names(formula: str) -> list[str]:
    """The bare variable names a formula refers to (calls, attributes, keywords excluded)."""
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(formula).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT)
        ]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []  # let the formula engine report it
    names = []
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or keyword.iskeyword(tok.string):
            continue
        before = tokens[i - 1].string if i > 0 else ""
        after = tokens[i + 1].string if i + 1 < len(tokens) else ""
        if after in ("(", ".", "=") or before == ".":
            continue  # a function, a module (np.log), an attribute or a keyword argument
        if tok.string in _FORMULA_NAMES or tok.string in ("True", "False", "None"):
            continue
        names.append(tok.string)
    return names


def _check_formula(formula: Any, data: pd.DataFrame) -> str:
    formula = params.text("formula", formula)
    if "~" not in formula:
        raise ValueError(
            f"formula {formula!r} has no '~'; write it as 'outcome ~ predictor + ...', "
            "e.g. 'revenue ~ loyalty + tenure_months + C(segment)'"
        )
    columns = {str(c) for c in data.columns}
    for name in _formula_names(formula):
        if name not in columns:
            hint = params.did_you_mean(name, sorted(columns))
            raise ValueError(
                f"formula {formula!r} uses {name!r}, which is not a column of the data; "
                f"the data has: {_columns_text(data)}{hint}"
            )
    return formula


def _build(model_fn, formula: str, data: pd.DataFrame, **kwargs):
    """Create a statsmodels formula model, turning formula-engine errors into one line."""
    try:
        return model_fn(formula, data, **kwargs)
    except Exception as exc:  # patsy/formulaic raise their own error types
        kind = type(exc).__module__.split(".")[0]
        if kind not in ("patsy", "formulaic") and not isinstance(exc, (NameError, KeyError)):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"formula {formula!r} could not be used: {first}") from None


def _check_alpha(alpha: Any) -> float:
    return params.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)


# ---------------------------------------------------------------------------
# OLS
# ---------------------------------------------------------------------------


def fit(formula: str, data: pd.DataFrame, *, cov_type: str = "HC3") -> RegressionResultsWrapper:
    """Fit an OLS regression from a formula, with robust standard errors by default.

    Parameters
    ----------
    formula : str
        A model formula, e.g. ``"revenue ~ loyalty + tenure_months + C(segment)"``.
        Names in it must be columns of ``data``; the formula helpers (``C``, ``I``,
        ``Q``, ``center``, ...) and ``np`` (numpy) are available.
    data : pandas.DataFrame
        The data.  Rows with missing values in the variables used are dropped.
    cov_type : {"HC3", "HC2", "HC1", "HC0", "nonrobust"}, default "HC3"
        Covariance of the estimates.  HC3 standard errors stay valid when the spread
        of the outcome changes with the predictors (heteroskedasticity), as revenue's
        does; "nonrobust" is the textbook formula that assumes constant variance.

    Returns
    -------
    statsmodels.regression.linear_model.RegressionResultsWrapper
        The statsmodels results (``params``, ``bse``, ``conf_int()``, ``summary()``...).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame or ``formula`` not a string.
    ValueError
        If the formula names a column the data does not have (the message lists the
        columns and suggests the closest), cannot be parsed, or ``cov_type`` is unknown.

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> from cxlib.loyalty import fit
    >>> panel = customer_panel(2000, rng=1)
    >>> result = fit("revenue ~ loyalty + tenure_months + C(segment)", panel.data)
    >>> result.cov_type
    'HC3'
    >>> round(float(result.params["loyalty"]), 1)
    4.9
    >>> fit("revenue ~ loyality", panel.data)
    Traceback (most recent call last):
    ...
    ValueError: formula 'revenue ~ loyality' uses 'loyality', which is not a column of the data; the data has: 'customer_id', 'segment', 'tenure_months', 'satisfaction', 'loyalty', 'nps', 'orders', 'revenue'; did you mean 'loyalty'?
    """
    import statsmodels.formula.api as smf

    data = params.frame("data", data)
    formula = _check_formula(formula, data)
    cov_type = params.choice("cov_type", cov_type, COV_TYPES)
    model = _build(smf.ols, formula, data)
    return model.fit(cov_type=cov_type)


def coef_table(result: Any, terms: str | Iterable[str] | None = None, *, alpha: float = 0.05) -> pd.DataFrame:
    """Tidy coefficient table of a fitted statsmodels model.

    Parameters
    ----------
    result : statsmodels results
        Any fitted statsmodels results with ``params``, ``bse``, ``conf_int`` and
        ``pvalues`` (OLS, Poisson, negative binomial, ...).
    terms : str or list of str, optional
        Only these terms, in this order.  Default: all.
    alpha : float, default 0.05
        1 - confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Index ``term``; columns ``estimate``, ``std_error``, ``ci_low``, ``ci_high``,
        ``p_value``.  Uses the covariance the model was fitted with.

    Raises
    ------
    ValueError
        If a term is not in the model (the message lists the model's terms).

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> from cxlib.loyalty import fit, coef_table
    >>> result = fit("revenue ~ loyalty", customer_panel(2000, rng=1).data)
    >>> coef_table(result, "loyalty").round(2)
             estimate  std_error  ci_low  ci_high  p_value
    term                                                  
    loyalty     10.98       0.92    9.18    12.79      0.0
    """
    import pandas as pd

    alpha = _check_alpha(alpha)
    for attr in ("params", "bse", "conf_int", "pvalues"):
        if not hasattr(result, attr):
            raise TypeError(
                f"result must be a fitted statsmodels model result; got {type(result).__name__}"
            )
    estimate = pd.Series(np.asarray(result.params, dtype=float), index=_names(result))
    ci = np.asarray(result.conf_int(alpha=alpha), dtype=float)
    table = pd.DataFrame(
        {
            "estimate": estimate.to_numpy(),
            "std_error": np.asarray(result.bse, dtype=float),
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "p_value": np.asarray(result.pvalues, dtype=float),
        },
        index=pd.Index(estimate.index, name="term"),
    )
    if terms is not None:
        wanted = [terms] if isinstance(terms, str) else list(terms)
        for term in wanted:
            if term not in table.index:
                hint = params.did_you_mean(term, table.index)
                raise ValueError(
                    f"term {term!r} is not in the model; its terms are: "
                    f"{', '.join(map(repr, table.index))}{hint}"
                )
        table = table.loc[wanted]
    return table


def _names(result: Any) -> list[str]:
    p = result.params
    if hasattr(p, "index"):
        return [str(i) for i in p.index]
    return list(result.model.exog_names) + (["alpha"] if len(p) > len(result.model.exog_names) else [])


# ---------------------------------------------------------------------------
# Naive vs adjusted vs truth
# ---------------------------------------------------------------------------

_NAIVE = "revenue ~ loyalty"
_ADJUSTED = "revenue ~ loyalty + tenure_months + C(segment)"


def compare_estimates(
    panel_or_frame: Any,
    *,
    truth: float | Mapping[str, Any] | None = None,
    cov_type: str = "HC3",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The loyalty effect estimated naively, adjusted for confounders, and its true value.

    ``naive`` is the slope of ``revenue ~ loyalty``; ``adjusted`` the loyalty
    coefficient of ``revenue ~ loyalty + tenure_months + C(segment)``, the correctly
    specified model for :func:`cxlib.data.customer_panel`.

    Parameters
    ----------
    panel_or_frame : Panel or pandas.DataFrame
        A :class:`cxlib.data.Panel` (its truth is used) or a DataFrame with columns
        ``revenue``, ``loyalty``, ``tenure_months`` and ``segment``.
    truth : float or dict, optional
        The true loyalty effect (or a truth dict with ``"loyalty_effect"``); overrides
        the panel's.  Without a truth (a DataFrame of real data) there is no truth row.
    cov_type : str, default "HC3"
        See :func:`fit`.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        Index ``model`` with rows ``naive``, ``adjusted`` and (when known) ``truth``;
        columns ``estimate``, ``std_error``, ``ci_low``, ``ci_high`` (missing for the
        truth).

    Raises
    ------
    TypeError, ValueError
        For a wrong type, missing columns, or a truth that is not a finite number.

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> from cxlib.loyalty import compare_estimates
    >>> compare_estimates(customer_panel(2000, rng=1)).round(2)
              estimate  std_error  ci_low  ci_high
    model                                         
    naive        10.98       0.92    9.18    12.79
    adjusted      4.87       0.95    3.01     6.74
    truth         4.00        NaN     NaN      NaN
    """
    import pandas as pd

    from cxlib.data import Panel

    if isinstance(panel_or_frame, Panel):
        data = panel_or_frame.data
        if truth is None:
            truth = panel_or_frame.truth
    else:
        data = params.frame("panel_or_frame", panel_or_frame)
    for column in ("revenue", "loyalty", "tenure_months", "segment"):
        params.column(data, column, "column")
    if isinstance(truth, Mapping):
        if "loyalty_effect" not in truth:
            raise ValueError(
                f"truth must be a number or a dict with 'loyalty_effect'; got keys {sorted(truth)}"
            )
        truth = truth["loyalty_effect"]
    if truth is not None:
        truth = params.real("truth", truth)
    rows = {}
    for label, formula in (("naive", _NAIVE), ("adjusted", _ADJUSTED)):
        table = coef_table(fit(formula, data, cov_type=cov_type), "loyalty", alpha=alpha)
        rows[label] = table.iloc[0][["estimate", "std_error", "ci_low", "ci_high"]].to_dict()
    if truth is not None:
        rows["truth"] = {"estimate": truth, "std_error": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "model"
    return out


@dataclass(frozen=True)
class ConfoundingDemo(SimulationResult):
    """One simulated panel at one level of confounding, and the loyalty effect estimated on it.

    Attributes
    ----------
    inputs : dict
        What the panel was simulated with: ``confounding``, ``n_customers``, ``seed``
        and any further :func:`cxlib.data.customer_panel` arguments.
    estimates : pandas.DataFrame
        :func:`compare_estimates` of the panel: rows ``naive``, ``adjusted``, ``truth``.

    Examples
    --------
    >>> from cxlib.loyalty import confounding_demo
    >>> demo = confounding_demo(0.8, n_customers=1000, rng=2)
    >>> round(demo.naive - demo.adjusted, 2) > 0, demo.inputs["seed"]
    (True, 2)
    >>> demo.summary().columns.tolist()
    ['confounding', 'naive', 'naive_ci_low', 'naive_ci_high', 'adjusted', 'adjusted_ci_low', 'adjusted_ci_high', 'truth']
    """

    inputs: dict[str, Any]
    estimates: pd.DataFrame = field(repr=False)

    @property
    def confounding(self) -> float:
        """The confounding the panel was simulated with."""
        return float(self.inputs["confounding"])

    @property
    def naive(self) -> float:
        """Slope of ``revenue ~ loyalty``."""
        return float(self.estimates.at["naive", "estimate"])

    @property
    def adjusted(self) -> float:
        """Loyalty coefficient of ``revenue ~ loyalty + tenure_months + C(segment)``."""
        return float(self.estimates.at["adjusted", "estimate"])

    @property
    def truth(self) -> float:
        """The true loyalty effect."""
        return float(self.estimates.at["truth", "estimate"])

    @property
    def naive_ci(self) -> tuple[float, float]:
        """95% HC3 interval of the naive slope."""
        return (float(self.estimates.at["naive", "ci_low"]), float(self.estimates.at["naive", "ci_high"]))

    @property
    def adjusted_ci(self) -> tuple[float, float]:
        """95% HC3 interval of the adjusted coefficient."""
        return (float(self.estimates.at["adjusted", "ci_low"]), float(self.estimates.at["adjusted", "ci_high"]))

    def summary(self) -> pd.DataFrame:
        """One row: ``confounding``, ``naive``, ``naive_ci_low``, ``naive_ci_high``,
        ``adjusted``, ``adjusted_ci_low``, ``adjusted_ci_high``, ``truth`` (the input of
        :func:`cxlib.plots.confounding_curve`)."""
        import pandas as pd

        return pd.DataFrame([{
            "confounding": self.confounding,
            "naive": self.naive, "naive_ci_low": self.naive_ci[0], "naive_ci_high": self.naive_ci[1],
            "adjusted": self.adjusted, "adjusted_ci_low": self.adjusted_ci[0], "adjusted_ci_high": self.adjusted_ci[1],
            "truth": self.truth,
        }])

    def __getitem__(self, key: str) -> Any:
        # confounding_demo returned a dict before cxlib 0.2
        if key not in ("confounding", "naive", "adjusted", "truth", "naive_ci", "adjusted_ci"):
            raise KeyError(key)
        renamed(f"confounding_demo(...)[{key!r}]", f"confounding_demo(...).{key}")
        return getattr(self, key)

    def __repr__(self) -> str:
        lo_n, hi_n = self.naive_ci
        lo_a, hi_a = self.adjusted_ci
        return (f"ConfoundingDemo(confounding {self.confounding:.2f}: naive {self.naive:.2f} "
                f"(95% CI {lo_n:.2f} to {hi_n:.2f}), adjusted {self.adjusted:.2f} ({lo_a:.2f} to {hi_a:.2f}), "
                f"truth {self.truth:.2f})")


def confounding_demo(
    confounding: float,
    *,
    n_customers: int = 2000,
    rng: None | int | np.random.Generator = None,
    **panel_kwargs: Any,
) -> ConfoundingDemo:
    """Simulate a panel at one level of confounding and estimate the loyalty effect.

    This is the plain function behind :func:`cxlib.widgets.confounding_explorer`.

    Parameters
    ----------
    confounding : float
        0 to 0.95, see :func:`cxlib.data.customer_panel`.
    n_customers : int, default 2000
        Customers to simulate.
    rng : None, int or numpy.random.Generator
        Seed or generator.  With the same integer seed, different confounding values
        use the same random draws, so the estimates move only because of confounding.
    **panel_kwargs
        Further arguments of :func:`cxlib.data.customer_panel` (``loyalty_effect``,
        ``tenure_effect``, ``dispersion``, ``segment_shares``).

    Returns
    -------
    ConfoundingDemo
        ``naive``, ``adjusted``, ``truth``, their 95% HC3 intervals ``naive_ci`` and
        ``adjusted_ci``, the full ``estimates`` table, the ``inputs``, and
        ``summary()`` (one row, the format of :func:`confounding_sweep`).

    Notes
    -----
    The bias of the naive slope is ``cov(base[segment] + tenure_effect * tenure,
    loyalty) / var(loyalty)``.  Confounding raises the covariance in proportion and
    leaves the variance of loyalty unchanged, so the bias grows in proportion to
    ``confounding``.  The adjusted estimate stays unbiased throughout.

    Examples
    --------
    >>> from cxlib.loyalty import confounding_demo
    >>> out = confounding_demo(0.8, rng=1)
    >>> out
    ConfoundingDemo(confounding 0.80: naive 12.11 (95% CI 10.44 to 13.78), adjusted 4.61 (2.37 to 6.84), truth 4.00)
    >>> out.naive > out.adjusted, out.truth
    (True, 4.0)
    """
    from cxlib.data import customer_panel

    seed = seed_from(rng)
    panel = customer_panel(n_customers, confounding=confounding, rng=seed, **panel_kwargs)
    inputs = {"confounding": panel.truth["confounding"], "n_customers": panel.n_customers, "seed": seed,
              **panel_kwargs}
    return ConfoundingDemo(inputs=inputs, estimates=compare_estimates(panel))


def confounding_sweep(
    values: Iterable[float],
    *,
    n_customers: int = 2000,
    rng: None | int | np.random.Generator = None,
    **panel_kwargs: Any,
) -> pd.DataFrame:
    """Run :func:`confounding_demo` over several confounding values (for a curve).

    One seed is used for every value (common random numbers): an integer ``rng`` as
    it is; from a Generator or ``None`` one seed is drawn first.

    Parameters
    ----------
    values : iterable of float
        Confounding values, each 0 to 0.95.
    n_customers, rng, **panel_kwargs
        As in :func:`confounding_demo`.

    Returns
    -------
    pandas.DataFrame
        Columns ``confounding``, ``naive``, ``naive_ci_low``, ``naive_ci_high``,
        ``adjusted``, ``adjusted_ci_low``, ``adjusted_ci_high``, ``truth``; one row per
        value (the input for :func:`cxlib.plots.confounding_curve`).

    Examples
    --------
    >>> from cxlib.loyalty import confounding_sweep
    >>> sweep = confounding_sweep([0, 0.45, 0.9], rng=3)
    >>> (sweep["naive"] - sweep["adjusted"]).round(1).tolist()
    [-0.2, 4.5, 9.4]
    """
    import pandas as pd

    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"values must be a list of confounding values; got {values!r}")
    values = list(values)
    if not values:
        raise ValueError("values must hold at least one confounding value; got an empty list")
    seed = seed_from(rng)
    rows = [confounding_demo(value, n_customers=n_customers, rng=seed, **panel_kwargs).summary() for value in values]
    return pd.concat(rows, ignore_index=True)


def replicate(
    n_replications: int,
    *,
    n_customers: int = 500,
    rng: None | int | np.random.Generator = None,
    cov_type: str = "HC3",
    alpha: float = 0.05,
    **panel_kwargs: Any,
) -> pd.DataFrame:
    """Simulate many panels and estimate the loyalty effect naively and adjusted in each.

    The sampling distribution of the two estimators, and how often their intervals
    cover the truth: the adjusted interval should cover it about ``1 - alpha`` of the
    time; with confounding the naive one rarely does.  The estimates are the same as
    :func:`compare_estimates` would give for each panel (same models, same
    covariance), computed from the design matrix directly for speed.

    Parameters
    ----------
    n_replications : int
        Number of panels, 1 to 100,000.
    n_customers : int, default 500
        Customers per panel.
    rng : None, int or numpy.random.Generator
        Seed or generator; each replication gets its own independent stream
        (``Generator.spawn``), so results do not depend on the order of the runs.
    cov_type : str, default "HC3"
        See :func:`fit`.
    alpha : float, default 0.05
        1 - confidence level.
    **panel_kwargs
        Further arguments of :func:`cxlib.data.customer_panel` (``loyalty_effect``,
        ``tenure_effect``, ``confounding``, ``dispersion``, ``segment_shares``).

    Returns
    -------
    pandas.DataFrame
        Two rows per replication (``model`` = ``naive``, ``adjusted``) with columns
        ``replication``, ``model``, ``estimate``, ``std_error``, ``ci_low``,
        ``ci_high``, ``truth`` and ``covers`` (bool: the interval contains the truth).

    Examples
    --------
    >>> from cxlib.loyalty import replicate
    >>> reps = replicate(50, rng=1)
    >>> reps.groupby("model")["covers"].mean().round(2).to_dict()
    {'adjusted': 0.98, 'naive': 0.02}
    """
    import pandas as pd
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: it imports ~400 more modules

    from cxlib.data import SEGMENTS, customer_panel

    n_replications = params.integer("n_replications", n_replications, min=1, max=100_000)
    cov_type = params.choice("cov_type", cov_type, COV_TYPES)
    alpha = _check_alpha(alpha)
    gen = check_rng(rng)
    streams = gen.spawn(n_replications)
    rows = []
    for rep, stream in enumerate(streams):
        panel = customer_panel(n_customers, rng=stream, **panel_kwargs)
        df = panel.data
        y = df["revenue"].to_numpy(dtype=float)
        loyal = df["loyalty"].to_numpy(dtype=float)
        codes = df["segment"].cat.codes.to_numpy()
        ones = np.ones(len(df))
        designs = {
            "naive": np.column_stack([ones, loyal]),
            "adjusted": np.column_stack(
                [ones, loyal, df["tenure_months"].to_numpy(dtype=float)]
                + [(codes == k).astype(float) for k in range(1, len(SEGMENTS))]
            ),
        }
        truth = panel.truth["loyalty_effect"]
        for model, X in designs.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = OLS(y, X).fit(cov_type=cov_type)
            lo, hi = np.asarray(res.conf_int(alpha=alpha))[1]
            rows.append(
                {
                    "replication": rep,
                    "model": model,
                    "estimate": float(res.params[1]),
                    "std_error": float(res.bse[1]),
                    "ci_low": float(lo),
                    "ci_high": float(hi),
                    "truth": truth,
                    "covers": bool(lo <= truth <= hi),
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# Omitted-variable bias
# ---------------------------------------------------------------------------


def omitted_variable_bias(
    data: pd.DataFrame,
    outcome: str = "revenue",
    focal: str = "loyalty",
    controls: str = "tenure_months + C(segment)",
) -> pd.DataFrame:
    """Decompose the naive slope into the adjusted one plus one term per omitted column.

    With the adjusted regression ``outcome ~ focal + controls`` (coefficients
    ``b_focal`` and ``beta_j`` for each design column ``j`` of the controls) and, for
    each ``j``, ``delta_j`` the slope of column ``j`` on ``[1, focal]``, the naive
    slope of ``outcome ~ focal`` satisfies exactly (an algebraic identity of least
    squares, on the same rows)::

        naive = b_focal + sum_j beta_j * delta_j

    Each ``beta_j * delta_j`` is the bias contributed by leaving ``j`` out: how much
    ``j`` moves the outcome times how much it moves with the focal variable.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str, default "revenue"
        Outcome column.
    focal : str, default "loyalty"
        The numeric column whose effect is of interest.
    controls : str, default "tenure_months + C(segment)"
        The right-hand side of the omitted variables, in formula syntax.

    Returns
    -------
    pandas.DataFrame
        One row per omitted design column, with columns ``term``, ``beta``, ``delta``
        and ``contribution`` (``beta * delta``).  ``table.attrs`` holds ``naive``,
        ``adjusted``, ``focal`` and ``n`` (rows used).

    Raises
    ------
    TypeError, ValueError
        For a non-DataFrame, a missing or non-numeric column, or a bad formula.

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> from cxlib.loyalty import omitted_variable_bias
    >>> ovb = omitted_variable_bias(customer_panel(2000, rng=1).data)
    >>> ovb.round(3)
                           term     beta  delta  contribution
    0  C(segment)[T.mainstream]  187.541  0.002         0.419
    1     C(segment)[T.premium]  481.622  0.006         3.012
    2             tenure_months    4.998  0.536         2.679
    >>> a = ovb.attrs
    >>> bool(abs(a["naive"] - a["adjusted"] - ovb["contribution"].sum()) < 1e-8)
    True
    """
    import pandas as pd
    import statsmodels.formula.api as smf

    data = params.frame("data", data)
    params.column(data, outcome, "outcome", numeric=True)
    params.column(data, focal, "focal", numeric=True)
    controls = params.text("controls", controls)
    formula = _check_formula(f"{outcome} ~ {focal} + {controls}", data)
    model = _build(smf.ols, formula, data)
    names = list(model.exog_names)
    X = np.asarray(model.exog, dtype=float)
    y = np.asarray(model.endog, dtype=float)
    if "Intercept" not in names or focal not in names:
        raise ValueError(
            f"the adjusted model {formula!r} must have an intercept and the column "
            f"{focal!r}; its design columns are: {', '.join(map(repr, names))}"
        )
    i_focal = names.index(focal)
    omitted = [j for j, name in enumerate(names) if name not in ("Intercept", focal)]
    if not omitted:
        raise ValueError(f"controls {controls!r} add no columns to the model {formula!r}")
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    short = np.column_stack([np.ones(len(y)), X[:, i_focal]])
    naive = np.linalg.lstsq(short, y, rcond=None)[0][1]
    delta = np.linalg.lstsq(short, X[:, omitted], rcond=None)[0][1]
    beta = coef[omitted]
    table = pd.DataFrame(
        {
            "term": [names[j] for j in omitted],
            "beta": beta,
            "delta": delta,
            "contribution": beta * delta,
        }
    )
    table.attrs.update(
        {"naive": float(naive), "adjusted": float(coef[i_focal]), "focal": focal, "n": len(y)}
    )
    return table


# ---------------------------------------------------------------------------
# Elasticity
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Elasticity:
    """A log-log elasticity estimate: % change in the outcome per 1% change in focal.

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        The coefficient of ``log(focal)`` and its confidence interval.
    n_used, n_dropped : int
        Rows used, and rows dropped because a logged variable was <= 0 or missing.
    result : statsmodels results
        The fitted log-log OLS model.

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> from cxlib.loyalty import elasticity
    >>> e = elasticity(customer_panel(1000, rng=1).data)
    >>> e
    Elasticity(estimate=0.283, 95% CI 0.086 to 0.479; n_used=986, n_dropped=14)
    >>> e.summary().loc["log_loyalty", ["estimate", "std_error"]].round(3).tolist()
    [0.283, 0.1]
    """

    estimate: float
    ci_low: float
    ci_high: float
    n_used: int
    n_dropped: int
    result: Any = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """Every coefficient of the log-log model (:func:`coef_table` of ``result``)."""
        return coef_table(self.result)

    def __repr__(self) -> str:
        return (
            f"Elasticity(estimate={self.estimate:.3f}, 95% CI {self.ci_low:.3f} to "
            f"{self.ci_high:.3f}; n_used={self.n_used:,}, n_dropped={self.n_dropped:,})"
        )


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def elasticity(
    data: pd.DataFrame,
    outcome: str = "revenue",
    focal: str = "loyalty",
    controls: Sequence[str] = ("tenure_months", "C(segment)"),
    *,
    cov_type: str = "HC3",
    alpha: float = 0.05,
) -> Elasticity:
    """Estimate an elasticity by a log-log OLS regression (HC3 errors by default).

    The model is ``log(outcome) ~ log(focal) + controls``, where each control that is a
    plain numeric column is logged too and any other term (``C(segment)``) enters as
    it is; with the defaults::

        log(revenue) ~ log(loyalty) + log(tenure_months) + C(segment)

    The coefficient of ``log(focal)`` is the elasticity: the percentage change in the
    outcome for a 1% higher focal value, other things equal.  Rows where the outcome,
    the focal variable or a logged control is <= 0 or missing cannot be logged and are
    dropped (customers with no revenue, for instance); their number is reported.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str, default "revenue"
    focal : str, default "loyalty"
    controls : sequence of str, default ("tenure_months", "C(segment)")
        Control terms; plain numeric column names are logged.  ``()`` for none.
    cov_type : str, default "HC3"
        See :func:`fit`.
    alpha : float, default 0.05
        1 - confidence level.

    Returns
    -------
    Elasticity
        ``estimate``, ``ci_low``, ``ci_high``, ``n_used``, ``n_dropped`` and the
        fitted ``result`` (terms named ``log_<column>``).

    Raises
    ------
    TypeError, ValueError
        For a missing or non-numeric column, a bad control, or fewer than 3 usable rows.

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> from cxlib.loyalty import elasticity
    >>> e = elasticity(customer_panel(2000, rng=1).data)
    >>> e.n_used + e.n_dropped
    2000
    >>> 0 < e.estimate < 1
    True
    """
    data = params.frame("data", data)
    params.column(data, outcome, "outcome", numeric=True)
    params.column(data, focal, "focal", numeric=True)
    if isinstance(controls, str):
        controls = [controls]
    controls = list(controls)
    logged = [outcome, focal]
    terms = []
    for term in controls:
        params.text("controls", term)
        if _IDENT.match(term):
            params.column(data, term, "control", numeric=True)
            logged.append(term)
            terms.append(f"log_{term}")
        else:
            terms.append(term)
    work = data.copy()
    ok = np.ones(len(work), dtype=bool)
    for column in dict.fromkeys(logged):
        values = work[column].to_numpy(dtype=float, na_value=np.nan)
        ok &= np.isfinite(values) & (values > 0)
    work = work.loc[ok]
    for column in dict.fromkeys(logged):
        work[f"log_{column}"] = np.log(work[column].to_numpy(dtype=float))
    n_used, n_dropped = int(ok.sum()), int((~ok).sum())
    if n_used < 3:
        raise ValueError(
            f"only {n_used} rows have {', '.join(map(repr, dict.fromkeys(logged)))} > 0; "
            "a log-log regression needs positive values"
        )
    formula = f"log_{outcome} ~ log_{focal}" + "".join(f" + {t}" for t in terms)
    result = fit(formula, work, cov_type=cov_type)
    row = coef_table(result, f"log_{focal}", alpha=alpha).iloc[0]
    return Elasticity(
        estimate=float(row["estimate"]),
        ci_low=float(row["ci_low"]),
        ci_high=float(row["ci_high"]),
        n_used=n_used,
        n_dropped=n_dropped,
        result=result,
    )


# ---------------------------------------------------------------------------
# Count models
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CountModels:
    """Poisson and negative binomial (NB2) fits of the same count model.

    Attributes
    ----------
    formula : str
    focal : str
        The term compared in :meth:`summary` (the first predictor by default).
    poisson, negbin : statsmodels results
        The fitted models, as statsmodels returns them.
    pearson_dispersion : float
        Pearson chi-square of the Poisson fit / residual degrees of freedom: about 1
        when the Poisson variance (= mean) fits, much larger under over-dispersion.
    alpha : float
        NB2 dispersion estimate: variance = mean + alpha * mean**2.
    lr_stat, lr_pvalue : float
        Likelihood-ratio test of alpha = 0 (Poisson) against alpha > 0.  alpha = 0 is
        on the boundary, so the p-value is half the chi-square(1) tail probability
        (1 when the statistic is 0).
    at_boundary : bool
        True when the counts show no over-dispersion at all (the NB2 score for alpha
        at 0, ``sum((y - mu)**2 - y)``, is <= 0): the NB2 maximum is then alpha = 0,
        the Poisson model itself.  ``alpha`` and ``lr_stat`` are 0, ``lr_pvalue`` 1,
        and ``negbin`` is the NB2 model evaluated (not optimised) at the Poisson
        coefficients with alpha = 1e-4, since statsmodels cannot evaluate the NB2
        likelihood at exactly 0.

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> from cxlib.loyalty import count_models
    >>> cm = count_models("orders ~ loyalty + C(segment)", customer_panel(1000, rng=1).data)
    >>> cm
    CountModels('orders ~ loyalty + C(segment)': Pearson dispersion 9.20, NB2 alpha 0.512, LR test of alpha=0: stat 5429.0, p 0)
    >>> cm.summary()[["alpha", "estimate"]].round(4)
              alpha  estimate
    model
    poisson  0.0000    0.0132
    negbin   0.5122    0.0136
    """

    formula: str
    focal: str
    poisson: Any = field(repr=False)
    negbin: Any = field(repr=False)
    pearson_dispersion: float
    alpha: float
    lr_stat: float
    lr_pvalue: float
    at_boundary: bool = False

    def table(self) -> pd.DataFrame:
        """Deprecated: use :meth:`summary`."""
        renamed("CountModels.table()", "CountModels.summary()")
        return self.summary()

    def summary(self) -> pd.DataFrame:
        """Compare the two fits: log-likelihood, AIC, alpha and the focal coefficient.

        Returns
        -------
        pandas.DataFrame
            Index ``model`` (``poisson``, ``negbin``); columns ``loglik``, ``aic``,
            ``alpha``, ``focal`` (the term's name), ``estimate`` and ``std_error`` (its
            coefficient on the log scale and standard error under each model).
        """
        import pandas as pd

        rows = {}
        for label, res, a in (("poisson", self.poisson, 0.0), ("negbin", self.negbin, self.alpha)):
            coef = coef_table(res, self.focal)
            like = self.poisson if self.at_boundary else res  # at alpha = 0 NB2 is Poisson
            rows[label] = {
                "loglik": float(like.llf),
                "aic": float(like.aic) + (2.0 if like is not res else 0.0),
                "alpha": a,
                "focal": self.focal,
                "estimate": float(coef["estimate"].iloc[0]),
                "std_error": float(coef["std_error"].iloc[0]),
            }
        out = pd.DataFrame.from_dict(rows, orient="index")
        out.index.name = "model"
        return out

    def __repr__(self) -> str:
        return (
            f"CountModels({self.formula!r}: Pearson dispersion {self.pearson_dispersion:.2f}, "
            f"NB2 alpha {self.alpha:.3f}, LR test of alpha=0: stat {self.lr_stat:.1f}, "
            f"p {self.lr_pvalue:.3g})"
        )


def _fit_mle(model, start, label: str, formula: str):
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

    tried = []
    for method, maxiter in (("newton", 100), ("bfgs", 1000), ("lbfgs", 2000), ("nm", 20000)):
        tried.append(method)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", HessianInversionWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                res = model.fit(start_params=start, method=method, maxiter=maxiter, disp=False)
            except (np.linalg.LinAlgError, ValueError, OverflowError):
                continue
            bse = np.asarray(res.bse, dtype=float)
        if (
            res.mle_retvals.get("converged", False)
            and np.all(np.isfinite(np.asarray(res.params, dtype=float)))
            and np.all(np.isfinite(bse))
        ):
            return res
    raise RuntimeError(
        f"the {label} model {formula!r} did not converge (tried {', '.join(tried)}); check "
        "that the outcome is a count, that no predictor is constant or collinear with "
        "others, and rescale predictors with very large values"
    )


def count_models(formula: str, data: pd.DataFrame, *, focal: str | None = None) -> CountModels:
    """Fit Poisson and NB2 negative binomial regressions of a count and compare them.

    Both models have a log link: ``log E[y] = X b``.  The Poisson model assumes the
    variance equals the mean; the NB2 model allows ``variance = mean + alpha * mean**2``.
    Standard errors are the models' own (not robust), so under over-dispersion the
    Poisson ones are too small; that contrast is the point of the comparison.

    Parameters
    ----------
    formula : str
        e.g. ``"orders ~ loyalty + tenure_months + C(segment)"``; the outcome must be
        a non-negative integer count.
    data : pandas.DataFrame
    focal : str, optional
        The term :meth:`CountModels.summary` compares; default the first predictor that
        is a plain column of ``data`` (else the first term after the intercept).

    Returns
    -------
    CountModels

    Raises
    ------
    ValueError
        If the formula names unknown columns, the outcome is not a count, or ``focal``
        is not a term of the model.
    RuntimeError
        If a model does not converge (rather than returning meaningless estimates).

    Notes
    -----
    On :func:`cxlib.data.customer_panel` data the true mean of ``orders`` is linear in
    loyalty and tenure, not log-linear, so even with ``dispersion=0`` (Poisson counts)
    the log-link models are slightly misspecified: the Pearson dispersion comes out a
    little above 1 (about 1.1) and the NB2 alpha small but positive (about 0.01).

    Examples
    --------
    >>> from cxlib.data import customer_panel
    >>> from cxlib.loyalty import count_models
    >>> cm = count_models("orders ~ loyalty + tenure_months + C(segment)",
    ...                   customer_panel(2000, dispersion=0.5, rng=1).data)
    >>> cm.pearson_dispersion > 5, round(cm.alpha, 1), cm.lr_pvalue < 0.001
    (True, 0.5, True)
    >>> cm.summary().round(4)[["alpha", "focal", "estimate", "std_error"]]
              alpha    focal  estimate  std_error
    model                                        
    poisson  0.0000  loyalty    0.0085     0.0004
    negbin   0.4969  loyalty    0.0086     0.0014
    """
    import statsmodels.formula.api as smf
    from scipy import stats

    data = params.frame("data", data)
    formula = _check_formula(formula, data)
    poisson_model = _build(smf.poisson, formula, data)
    y = np.asarray(poisson_model.endog, dtype=float)
    outcome = str(poisson_model.endog_names)
    if not np.all(np.isfinite(y)) or np.any(y < 0) or np.any(y != np.round(y)):
        bad = y[~(np.isfinite(y) & (y >= 0) & (y == np.round(y)))][0]
        raise ValueError(
            f"the outcome {outcome!r} of formula {formula!r} must be a count (whole numbers "
            f">= 0); it has the value {bad!r}"
        )
    if y.sum() == 0:
        raise ValueError(f"the outcome {outcome!r} is 0 for every row; there is nothing to model")
    names = list(poisson_model.exog_names)
    if focal is None:
        others = [n for n in names if n != "Intercept"]
        if not others:
            raise ValueError(f"formula {formula!r} has no predictor to compare")
        plain = [n for n in others if n in {str(c) for c in data.columns}]
        focal = (plain or others)[0]
    elif focal not in names:
        hint = params.did_you_mean(focal, names)
        raise ValueError(
            f"focal {focal!r} is not a term of the model; its terms are: "
            f"{', '.join(map(repr, names))}{hint}"
        )
    # Start the Poisson fit at the intercept-only solution, the NB2 at the Poisson one.
    start = np.zeros(len(names))
    if "Intercept" in names:
        start[names.index("Intercept")] = math.log(y.mean())
    poisson = _fit_mle(poisson_model, start, "Poisson", formula)
    mu = np.asarray(poisson.predict(), dtype=float)
    pearson = float(np.sum((y - mu) ** 2 / mu) / poisson.df_resid)
    nb_model = _build(smf.negativebinomial, formula, data, loglike_method="nb2")
    beta = np.asarray(poisson.params, dtype=float)
    at_boundary = bool(np.sum((y - mu) ** 2 - y) <= 0)
    if at_boundary:
        from statsmodels.tools.sm_exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            negbin = nb_model.fit(start_params=np.r_[beta, 1e-4], method="newton", maxiter=0, disp=False)
        alpha, lr = 0.0, 0.0
    else:
        alpha0 = float(np.clip(np.mean(((y - mu) ** 2 - y) / mu**2), 1e-3, 50))
        negbin = _fit_mle(nb_model, np.r_[beta, alpha0], "negative binomial", formula)
        alpha = float(np.asarray(negbin.params, dtype=float)[-1])
        lr = max(2.0 * (float(negbin.llf) - float(poisson.llf)), 0.0)
    p = 1.0 if lr <= 0 else float(0.5 * stats.chi2.sf(lr, 1))
    return CountModels(
        formula=formula,
        focal=focal,
        poisson=poisson,
        negbin=negbin,
        pearson_dispersion=pearson,
        alpha=alpha,
        lr_stat=lr,
        lr_pvalue=p,
        at_boundary=at_boundary,
    )


# ---------------------------------------------------------------------------
# CDNOW: early repeat buying and later spend
# ---------------------------------------------------------------------------


def early_and_late(
    transactions: pd.DataFrame, *, split_week: int = 39, end_week: int = 78
) -> pd.DataFrame:
    """Summarise each customer's purchases in an early and a later period.

    Weeks are counted from the first date in the data: week 1 is days 0-6 after it
    (for CDNOW, 1997-01-01 to 1997-01-07), week ``w`` is days ``7(w-1)`` to
    ``7w - 1``.  The early period is weeks 1 to ``split_week``, the later period weeks
    ``split_week + 1`` to ``end_week``.  Several transactions of a customer on the same
    day count as one order (their amounts are added), as in Fader, Hardie & Lee (2005).

    Parameters
    ----------
    transactions : pandas.DataFrame
        Columns ``customer_id``, ``date`` (datetime64) and ``amount`` (dollars), e.g.
        from :func:`cxlib.data.load`.
    split_week : int, default 39
        Last week of the early period (39 weeks = 1997-01-01 to 1997-09-30 for CDNOW).
    end_week : int, default 78
        Last week of the later period; at most the last week in the data (78 for CDNOW).

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (sorted); columns ``first_week`` (week of the first
        purchase), ``early_orders`` (distinct purchase days in the early period),
        ``early_repeats`` (``early_orders - 1``, at least 0: the first purchase is not a
        repeat), ``early_spend``, ``first_spend`` (spend on the first purchase day),
        ``late_orders``, ``late_spend`` (later period) and ``late_any`` (bool: any
        later purchase).

    Raises
    ------
    TypeError
        If a column has the wrong type (e.g. dates stored as text).
    ValueError
        If a column is missing or has missing values, amounts are negative, or the
        weeks are out of range (``split_week >= end_week``, or beyond the data).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.loyalty import early_and_late
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 1, 1, 2, 2],
    ...     "date": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-09",
    ...                             "2020-01-03", "2020-01-20"]),
    ...     "amount": [10.0, 5.0, 20.0, 7.0, 3.0]})
    >>> early_and_late(tx, split_week=2, end_week=3)[["early_orders", "first_spend", "late_spend"]]
                 early_orders  first_spend  late_spend
    customer_id
    1                       2         15.0         0.0
    2                       1          7.0         3.0
    """
    import pandas as pd

    tx = params.frame("transactions", transactions)
    for column in ("customer_id", "date", "amount"):
        params.column(tx, column, "column")
    if not pd.api.types.is_datetime64_any_dtype(tx["date"]):
        raise TypeError(
            f"column 'date' must hold dates (datetime64); it has dtype {tx['date'].dtype}: "
            "convert it with pandas.to_datetime"
        )
    if not pd.api.types.is_numeric_dtype(tx["amount"]) or pd.api.types.is_bool_dtype(tx["amount"]):
        raise TypeError(f"column 'amount' must be numeric (dollars); it has dtype {tx['amount'].dtype}")
    for column in ("customer_id", "date", "amount"):
        n_missing = int(tx[column].isna().sum())
        if n_missing:
            raise ValueError(f"column {column!r} has {n_missing} missing values; drop or fill them first")
    if len(tx) == 0:
        raise ValueError("transactions is empty; expected at least one transaction")
    if (tx["amount"] < 0).any():
        raise ValueError(
            f"column 'amount' has negative values (smallest {tx['amount'].min()!r}); expected dollars >= 0"
        )
    split_week = params.integer("split_week", split_week, min=1)
    end_week = params.integer("end_week", end_week, min=split_week + 1)

    day = tx["date"].dt.normalize()
    start = day.min()
    days = ((day - start).dt.days).to_numpy(dtype=np.int64)
    last_week = int(days.max()) // 7 + 1
    if end_week > last_week:
        raise ValueError(
            f"end_week must be at most {last_week}, the last week in the data "
            f"({start.date()} to {day.max().date()}); got {end_week}"
        )
    daily = (
        pd.DataFrame(
            {"customer_id": tx["customer_id"].to_numpy(), "day": days, "amount": tx["amount"].to_numpy(dtype=float)}
        )
        .groupby(["customer_id", "day"], sort=True)["amount"]
        .sum()
        .reset_index()
    )
    daily["week"] = daily["day"] // 7 + 1
    by_customer = daily.groupby("customer_id", sort=True)
    first = by_customer.first()  # sorted by day within customer: the first purchase day
    out = pd.DataFrame(index=first.index)
    out["first_week"] = first["week"].astype(np.int64)
    early = daily[daily["week"] <= split_week].groupby("customer_id")["amount"]
    late = daily[(daily["week"] > split_week) & (daily["week"] <= end_week)].groupby("customer_id")["amount"]
    out["early_orders"] = early.size().reindex(out.index, fill_value=0).astype(np.int64)
    out["early_repeats"] = (out["early_orders"] - 1).clip(lower=0).astype(np.int64)
    out["early_spend"] = early.sum().reindex(out.index, fill_value=0.0).astype(float)
    out["first_spend"] = first["amount"].astype(float)
    out["late_orders"] = late.size().reindex(out.index, fill_value=0).astype(np.int64)
    out["late_spend"] = late.sum().reindex(out.index, fill_value=0.0).astype(float)
    out["late_any"] = out["late_orders"] > 0
    out.index.name = "customer_id"
    return out
