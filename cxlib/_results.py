"""The one result convention of cxlib: what every model fit and every simulation returns.

**Model results** (:class:`ModelResult`) look like statsmodels' results where that makes
sense: estimates in ``params`` (a Series named by parameter), standard errors in ``se``
(also ``bse``, statsmodels' name), the maximised ``loglik`` where there is a likelihood
(NaN where there is none), ``n`` observations, ``converged`` (never silently False: a
doubtful fit also warns), ``conf_int()``, ``summary()`` returning a DataFrame (one row per
parameter: ``estimate``, ``std_error``, ``ci_low``, ``ci_high``) and a one-line ``repr``.
A model whose parameters are positive gets its intervals on the log scale
(``interval_scale = "log"``), so they never cross zero.

**Simulation results** (:class:`SimulationResult`) keep everything they were run with
under ``inputs`` (never ``params``: that name is for estimates) and offer ``summary()``
returning a DataFrame with one row per run.

Results that statsmodels computes (OLS, Poisson, PHReg, MixedLM, Mediation...) are
returned as statsmodels returns them, not wrapped; cxlib adds tidy tables beside them.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ModelResult", "SimulationResult", "renamed"]


@dataclass(frozen=True)
class ModelResult:
    """A fitted model: estimates, uncertainty, and how the fit went.

    Attributes
    ----------
    model : str
        The model's name, e.g. ``"BG/NBD"``.
    params : pandas.Series
        Estimates, labelled with the model's parameter names.
    se : pandas.Series
        Standard errors; NaN where they cannot be computed.
    loglik : float
        Maximised log-likelihood; NaN for estimators without a likelihood.
    n : int
        Number of observations.
    converged : bool
        Whether the estimate is a clean optimum (for closed-form estimators, True).
    message : str
        How the fit went: the optimiser's message and any diagnosis.
    extra : dict
        Model-specific details (the data predictions need, a boundary reached...).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib._results import ModelResult
    >>> fit = ModelResult("mean", pd.Series({"mu": 2.0}), pd.Series({"mu": 0.5}), loglik=-3.2, n=25)
    >>> fit
    ModelResult(mean: mu=2; loglik=-3.20, n=25)
    >>> fit.summary().round(3)
        estimate  std_error  ci_low  ci_high
    mu       2.0        0.5    1.02     2.98
    """

    model: str
    params: pd.Series
    se: pd.Series
    loglik: float = math.nan
    n: int = 0
    converged: bool = True
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    #: ``"linear"``: Wald intervals ``estimate +/- z se``; ``"log"``: Wald intervals on
    #: the log scale, ``estimate * exp(+/- z se / estimate)``, for positive parameters.
    interval_scale: ClassVar[str] = "linear"

    @property
    def bse(self) -> pd.Series:
        """The standard errors, under statsmodels' name."""
        return self.se

    @property
    def aic(self) -> float:
        """Akaike information criterion, ``2k - 2 loglik`` (NaN without a likelihood)."""
        return 2 * len(self.params) - 2 * self.loglik

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald confidence intervals at level ``1 - alpha``: columns ``ci_low``, ``ci_high``."""
        import pandas as pd
        from scipy.stats import norm

        from cxlib import params as check

        alpha = check.real("alpha", alpha, min=0, max=1, min_inclusive=False, max_inclusive=False)
        z = float(norm.ppf(1 - alpha / 2))
        est = self.params.astype(float)
        se = self.se.astype(float)
        if self.interval_scale == "log":
            with np.errstate(invalid="ignore", divide="ignore"):
                half = np.exp(z * se / est)
            low, high = est / half, est * half
        else:
            low, high = est - z * se, est + z * se
        return pd.DataFrame({"ci_low": low, "ci_high": high}, index=self.params.index)

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """Estimates with standard errors and ``1 - alpha`` intervals, one row per parameter."""
        import pandas as pd

        table = pd.DataFrame({"estimate": self.params, "std_error": self.se})
        return table.join(self.conf_int(alpha))

    def __repr__(self) -> str:
        est = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        like = f"loglik={self.loglik:.2f}, " if math.isfinite(self.loglik) else ""
        flag = "" if self.converged else ", NOT CONVERGED"
        return f"{type(self).__name__}({self.model}: {est}; {like}n={self.n:,}{flag})"


class SimulationResult:
    """Base of simulation results: the inputs are kept, the summary is a table.

    Subclasses are frozen dataclasses with an ``inputs`` field (what the simulation
    was run with) and implement :meth:`summary`.
    """

    inputs: Any

    def summary(self) -> pd.DataFrame:  # pragma: no cover - abstract
        """One row per run: the totals and end states that matter."""
        raise NotImplementedError


def renamed(old: str, new: str, since: str = "0.2") -> None:
    """Warn that ``old`` was renamed ``new`` (the shim of a renamed public name).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     renamed("CountModels.table()", "CountModels.summary()")
    >>> print(caught[0].message)
    CountModels.table() is deprecated since cxlib 0.2 and will be removed; use CountModels.summary()
    """
    warnings.warn(f"{old} is deprecated since cxlib {since} and will be removed; use {new}",
                  FutureWarning, stacklevel=3)
