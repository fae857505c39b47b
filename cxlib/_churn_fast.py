"""A vectorised engine under statsmodels' ``PHReg`` for :mod:`cxlib.churn` (lesson 06).

statsmodels' Cox model builds its risk sets with Python loops over every row and
evaluates the partial likelihood with a Python loop over every distinct event time; on
a million customers that is 5 to 6 times slower than lifelines.  :class:`PHRegFast` is
``PHReg`` with the same model, the same data conventions (strata; entry times: a row is
at risk at event times ``t`` with ``entry <= t <= time``, as statsmodels) and the same
results class (``PHRegResults``: summary, residuals, baseline hazard and predictions all
work), but the risk sets are built with sorting and the log partial likelihood, its
gradient and Hessian (Breslow's or Efron's ties) are computed with array sums over the
event times.  ``tests/test_churn.py`` checks that it matches ``PHReg`` to 1e-10.

Examples
--------
>>> import numpy as np
>>> from statsmodels.duration.hazard_regression import PHReg
>>> from cxlib import check_rng
>>> from cxlib._churn_fast import PHRegFast
>>> rng = check_rng(0)
>>> x = rng.normal(size=(300, 2)); t = np.ceil(rng.exponential(5, 300)); e = (rng.random(300) < 0.7) * 1.0
>>> fast = PHRegFast(t, x, status=e, ties="efron").fit()
>>> slow = PHReg(t, x, status=e, ties="efron").fit()
>>> bool(np.allclose(fast.params, slow.params, atol=1e-10)), type(fast).__name__
(True, 'PHRegResults')
"""

from __future__ import annotations

import functools

from typing import Any

import numpy as np

__all__ = ["PHRegFast"]


def __getattr__(name: str) -> Any:
    # statsmodels is imported (and the class built) on first use, so that importing cxlib
    # stays light and leaves the warning filters alone
    if name == "PHRegFast":
        return _phreg_fast()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _block_cross(xt: np.ndarray, wxt: np.ndarray, starts: np.ndarray, upper: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """``xt[:, block] @ wxt[:, block].T`` for the blocks of columns that begin at ``starts``, packed (a <= b)."""
    ends = np.r_[starts[1:], xt.shape[1]]
    return np.stack([(xt[:, a:b] @ wxt[:, a:b].T)[upper] for a, b in zip(starts, ends)])


class _Stratum:
    """One stratum's rows sorted by time, and where each sits among the event times."""

    def __init__(self, rows: np.ndarray, time: np.ndarray, status: np.ndarray, entry: np.ndarray):
        t, e, en = time[rows], status[rows], entry[rows]
        # as statsmodels: drop rows that enter after the last event or leave before the first
        keep = (en <= t[e == 1].max()) & (t >= t[e == 1].min())
        rows, t, e, en = rows[keep], t[keep], e[keep], en[keep]
        order = np.argsort(t)  # the order within tied times does not matter to any sum
        self.rows = rows[order]
        t, e, en = t[order], e[order], en[order]
        self.uft = np.unique(t[e == 1])
        self.g = np.searchsorted(self.uft, t, "right") - 1  # last event time at or before the row's time
        self.k = np.searchsorted(self.uft, en, "left")  # first event time at or after its entry
        self.fail = np.flatnonzero(e == 1)
        self.fidx = self.g[self.fail]
        self.d = np.bincount(self.fidx, minlength=self.uft.size).astype(float)
        self.jj = np.repeat(np.arange(self.uft.size), self.d.astype(int))
        start = np.cumsum(self.d) - self.d
        self.frac = (np.arange(self.jj.size) - start[self.jj]) / self.d[self.jj]
        self.truncated = bool(np.any(self.k > 0))
        # rows are sorted by time, so the rows whose last event time is j are contiguous
        self.starts = np.searchsorted(self.g, np.arange(self.uft.size), "left")
        self.tie_starts = np.searchsorted(self.fidx, np.arange(self.uft.size), "left")

    # The arrays below are "wide": one row per column of the design, one column per row of
    # data (C order), so that products and sums run along contiguous memory.

    def risk_sums(self, v: np.ndarray) -> np.ndarray:
        """Sums of ``v`` (shape (m, n) or (n,)) over the risk set of each event time, shape (T, m)."""
        wide = np.atleast_2d(v)
        out = np.add.reduceat(wide, self.starts, axis=1)[:, ::-1].cumsum(axis=1)[:, ::-1]
        if self.truncated:
            size = self.uft.size
            for c in range(wide.shape[0]):
                late = np.bincount(self.k, weights=wide[c], minlength=size + 1)[::-1].cumsum()[::-1]
                out[c] -= late[1:]
        return out.T

    def tie_sums(self, v: np.ndarray) -> np.ndarray:
        """Sums of ``v`` (shape (m, events) or (events,)) over the events at each event time, (T, m)."""
        return np.add.reduceat(np.atleast_2d(v), self.tie_starts, axis=1).T

    def risk_cross(self, xt: np.ndarray, wxt: np.ndarray, upper: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Sums of ``w x_a x_b`` (a <= b) over the risk set of each event time, shape (T, p(p+1)/2)."""
        if self.uft.size <= 4096 and not self.truncated:  # a matrix product per block of rows (BLAS)
            return _block_cross(xt, wxt, self.starts, upper)[::-1].cumsum(axis=0)[::-1]
        return self.risk_sums(wxt[upper[0]] * xt[upper[1]])

    def tie_cross(self, xft: np.ndarray, wxft: np.ndarray, upper: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Sums of ``w x_a x_b`` (a <= b) over the events at each event time, shape (T, p(p+1)/2)."""
        if self.uft.size <= 4096:
            return _block_cross(xft, wxft, self.tie_starts, upper)
        return self.tie_sums(wxft[upper[0]] * xft[upper[1]])

    def wide(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``x`` and its event rows, transposed and C-contiguous (kept: the model's data do not change)."""
        if getattr(self, "_wide", None) is None or self._wide[0] is not x:
            xt = np.ascontiguousarray(x.T)
            self._wide = (x, xt, np.ascontiguousarray(xt[:, self.fail]))
        return self._wide[1], self._wide[2]


class _Survival:
    """The attributes of statsmodels' ``PHSurvivalTime``, built by sorting (no per-row loop)."""

    def __init__(self, time, status, exog, strata=None, entry=None, offset=None):
        n = len(time)
        strata = np.zeros(n, dtype=np.int32) if strata is None else np.asarray(strata)
        entry = np.zeros(n) if entry is None else np.asarray(entry, float)
        names, codes = np.unique(strata, return_inverse=True)
        if len(names) == 1:
            groups = [np.arange(n)]
        else:
            by = np.argsort(codes, kind="stable")
            groups = np.split(by, np.cumsum(np.bincount(codes, minlength=len(names)))[:-1])
        self.nstrat_orig = len(groups)
        kept = [(name, rows) for name, rows in zip(names, groups) if status[rows].sum() > 0]
        self.strata = [_Stratum(rows, time, status, entry) for _, rows in kept]
        self.stratum_names = [name for name, _ in kept]
        self.stratum_rows = [s.rows.astype(np.int32) for s in self.strata]
        self.nstrat = len(self.strata)
        self.n_obs = sum(len(r) for r in self.stratum_rows)
        self.time_s = [time[r] for r in self.stratum_rows]
        self.exog_s = [exog[r] for r in self.stratum_rows]
        self.status_s = [status[r] for r in self.stratum_rows]
        self.entry_s = [entry[r] for r in self.stratum_rows]
        self.offset_s = None if offset is None else [offset[r] for r in self.stratum_rows]
        self.ufailt = [s.uft for s in self.strata]

    @staticmethod
    def _lists(index: np.ndarray, size: int) -> list[np.ndarray]:
        order = np.argsort(index, kind="stable")
        counts = np.bincount(index, minlength=size)
        return [a.astype(np.int32) for a in np.split(order, np.cumsum(counts)[:-1])[:size]]

    @functools.cached_property
    def ufailt_ix(self) -> list[list[np.ndarray]]:
        return [[s.fail[s.fidx == j].astype(np.int32) for j in range(s.uft.size)] if s.uft.size < 64 else
                [s.fail[o].astype(np.int32) for o in self._lists(s.fidx, s.uft.size)] for s in self.strata]

    @functools.cached_property
    def risk_enter(self) -> list[list[np.ndarray]]:
        return [self._lists(s.g, s.uft.size) for s in self.strata]

    @functools.cached_property
    def risk_exit(self) -> list[list[np.ndarray]]:
        return [self._lists(s.k, s.uft.size) for s in self.strata]


@functools.cache
def _phreg_fast() -> type:
    """Build :class:`PHRegFast` (a subclass of statsmodels' ``PHReg``) on first use."""
    from statsmodels.base.model import LikelihoodModel
    from statsmodels.duration.hazard_regression import PHReg

    class PHRegFast(PHReg):
        """statsmodels' ``PHReg`` with vectorised risk sets and partial-likelihood derivatives.

        Same arguments as ``PHReg`` (``missing`` is ``"none"``: the caller has checked the data)
        and the same results; see the module docstring.

        Examples
        --------
        >>> import numpy as np
        >>> from statsmodels.duration.hazard_regression import PHReg
        >>> from cxlib._churn_fast import PHRegFast
        >>> from cxlib import check_rng
        >>> rng = check_rng(0)
        >>> x = rng.normal(size=(300, 2)); t = np.ceil(rng.exponential(5, 300)); e = (rng.random(300) < 0.7) * 1.0
        >>> fast = PHRegFast(t, x, status=e, ties="efron").fit()
        >>> slow = PHReg(t, x, status=e, ties="efron").fit()
        >>> bool(np.allclose(fast.params, slow.params, atol=1e-10)), type(fast).__name__
        (True, 'PHRegResults')
        """

        def __init__(self, endog, exog, status=None, entry=None, strata=None, offset=None, ties="breslow",
                     missing="none", **kwargs):
            if status is None:
                status = np.ones(len(endog))
            kwargs.setdefault("hasconst", False)  # a Cox model has no constant: skip statsmodels' search for one
            LikelihoodModel.__init__(self, endog, exog, status=status, entry=entry, strata=strata, offset=offset,
                                     missing=missing, **kwargs)
            self.status = np.asarray(self.status, float)
            self.entry = None if self.entry is None else np.asarray(self.entry, float)
            self.strata = None if self.strata is None else np.asarray(self.strata)
            self.offset = None if self.offset is None else np.asarray(self.offset, float)
            if self.entry is not None and np.any(self.entry > self.endog):
                raise ValueError("entry times may not occur after event or censoring times")
            self.surv = _Survival(np.asarray(self.endog, float), self.status, np.asarray(self.exog, float),
                                  self.strata, self.entry, self.offset)
            self.nobs = len(self.endog)
            self.groups = None
            self.missing = missing
            rank = int(np.linalg.matrix_rank(self.exog.T @ self.exog))  # p x p: cheap for any number of rows
            self.df_model = float(rank)
            self.df_resid = float(self.exog.shape[0] - rank)
            if ties not in ("efron", "breslow"):
                raise ValueError(f"ties must be 'efron' or 'breslow'; got {ties!r}")
            self.ties = ties

        def _derivatives(self, params: np.ndarray, order: int):
            params = np.asarray(params, float)
            cached = getattr(self, "_last", None)
            if cached is not None and cached[0] >= order and np.array_equal(cached[1], params):
                return cached[2][order]
            # Newton asks for the Hessian, the score and the log-likelihood at the same point:
            # compute all three at once and keep them
            wanted, order = order, (2 if order > 0 else 0)
            p = len(params)
            like, grad, hess = 0.0, np.zeros(p), np.zeros((p, p))
            upper = np.triu_indices(p)
            for stx, s in enumerate(self.surv.strata):
                xt, xft = s.wide(self.surv.exog_s[stx])
                lp = params @ xt
                if self.surv.offset_s is not None:
                    lp = lp + self.surv.offset_s[stx]
                w = np.exp(lp - lp.max())
                frac = s.frac if self.ties == "efron" else np.zeros_like(s.frac)
                jj = s.jj
                wf = w[s.fail]
                s0, d0 = s.risk_sums(w)[:, 0], s.tie_sums(wf)[:, 0]
                c = s0[jj] - frac * d0[jj]
                like += float(np.log(wf).sum()) - np.log(c).sum()
                if order == 0:
                    continue
                # per event time j, sums over its tied events l of 1/c, f/c, 1/c^2, f/c^2, f^2/c^2
                size = s.uft.size
                inv = 1.0 / c
                a1 = np.bincount(jj, weights=inv, minlength=size)
                b1 = np.bincount(jj, weights=frac * inv, minlength=size)
                a2 = np.bincount(jj, weights=inv**2, minlength=size)
                b2 = np.bincount(jj, weights=frac * inv**2, minlength=size)
                c2 = np.bincount(jj, weights=frac**2 * inv**2, minlength=size)
                wxt, wxft = xt * w, xft * wf
                s1, d1 = s.risk_sums(wxt), s.tie_sums(wxft)
                grad += xft.sum(axis=1) - (a1 @ s1 - b1 @ d1)
                s2 = s.risk_cross(xt, wxt, upper)
                d2 = s.tie_cross(xft, wxft, upper)
                packed = a1 @ s2 - b1 @ d2
                full = np.zeros((p, p))
                full[upper] = packed
                full = full + full.T - np.diag(np.diag(full))
                # sum over events of m m' with m = (S1 - f D1) / c, expanded
                s1a, d1a = s1 * np.sqrt(a2)[:, None], d1 * np.sqrt(c2)[:, None]
                cross = (s1 * b2[:, None]).T @ d1
                mm = s1a.T @ s1a - cross - cross.T + d1a.T @ d1a
                hess -= full - mm
            self._last = (order, params.copy(), (like, grad, hess))
            return (like, grad, hess)[wanted]

        def loglike(self, params):
            """The log partial likelihood (Breslow's or Efron's ties)."""
            return self._derivatives(params, 0)

        def score(self, params):
            """The gradient of the log partial likelihood."""
            return self._derivatives(params, 1)

        def hessian(self, params):
            """The Hessian of the log partial likelihood."""
            return self._derivatives(params, 2)

    return PHRegFast
