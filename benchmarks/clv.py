"""Benchmark of the BG/NBD and Pareto/NBD fits of cxlib.clv (lesson 05) against lifetimes.

Usage::

    python benchmarks/clv.py            # full run, several minutes on 2 cores
    python benchmarks/clv.py --quick    # smaller large data set, fewer repeats and resamples

``lifetimes`` 0.11.3 is a benchmark-only dependency (``pip install -c constraints.txt -e
".[bench]"`` or ``make bench``).  Its ``datasets`` module does not import on current
pandas, so the CDNOW data come from ``cxlib.data`` and are summarised with
``cxlib.clv.rfm_summary`` (the conventions of lifetimes' ``summary_data_from_transaction_data``
with ``freq="D"``, times in weeks).  Both libraries get the very same per-customer arrays
(frequency, recency, T), one row per customer, each with its default settings.

What it measures (targets from issue 4):

1. Speed and agreement.  BG/NBD and Pareto/NBD on the CDNOW master file (23,570
   customers, calibration to 1997-09-30) and on 1,000,000 simulated customers (ages as in
   CDNOW: acquired on a uniformly random day of the first 12 weeks, observed to day 272;
   continuous recency, so the repeat buyers' rows are all distinct).  Median wall time of
   several fits each (lifetimes' Pareto/NBD at 1M is fitted once: it takes minutes).
   Targets: lifetimes / cxlib >= 20 per fit; parameters equal within 1e-3 relative.
2. Scale.  10,000,000 simulated customers fitted with cxlib's BG/NBD in a fresh
   subprocess; time of the fit only (simulation excluded), peak RSS (``VmHWM``) of the fit,
   reset after simulating via ``/proc/self/clear_refs``.  Targets: <= 10 s and <= 2 GB.
3. Reliability.  Bootstrap resamples of the CDNOW sample (2,357 customers) and simulated
   data sets (5,000 customers) across a wide, log-uniform parameter range, fitted by both
   libraries with both models.  Counted: converged fits (cxlib: ``fit.converged``, no
   exception; lifetimes: no exception, finite positive parameters and SciPy's optimizer
   reporting success -- lifetimes' Pareto/NBD does not raise when Nelder-Mead stops at
   ``maxiter``, so the optimizer result is recorded by wrapping ``scipy.optimize.minimize``
   inside lifetimes, without changing its arguments), and which library reaches the
   higher log-likelihood (both evaluated with cxlib's likelihood on the same data; a
   difference under 1e-4 is a tie).  Goal: every cxlib fit converged, never lower.
   Some simulated sets have no finite maximum-likelihood estimate: the likelihood keeps
   increasing towards a limit of the parameter space (e.g. s, beta -> infinity with
   s/beta fixed: no dropout heterogeneity), so no optimiser can converge there.  cxlib
   then reports ``converged=False`` with the limit named (``fit.extra["boundary"]``).
   Such a case counts as handled only if it is verified here, independently of cxlib's
   optimiser: the limiting model's log-likelihood, computed directly (closed form, or
   ``scipy.integrate.quad`` for the Pareto/NBD with a common dropout rate) at cxlib's
   limiting parameters, is at least that of both libraries' estimates (within the tie
   tolerance), i.e. neither library found a finite point that beats the limit.  Reported
   as a separate category; the goal then reads: every cxlib fit converged or is a
   verified no-finite-MLE case reported as such, and never a lower log-likelihood.

Everything is seeded (lifetimes' Pareto/NBD draws its start from ``np.random``: seeded too).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

from cxlib import clv, data
from cxlib._clv_models import _BGNBDLikelihood, _compressed_rfm, _ParetoNBDLikelihood

TARGET_RATIO, TARGET_REL, TARGET_SECONDS, TARGET_BYTES = 20.0, 1e-3, 10.0, 2e9
CAL_END = "1997-09-30"
BG_TRUE = (0.243, 4.414, 0.793, 2.426)  # FHL (2005a) CDNOW estimates
PN_TRUE = (0.553, 10.578, 0.606, 11.669)  # Fader & Hardie's CDNOW Pareto/NBD estimates
TIE = 1e-4
SEED = 20_261_124
MODELS = {"BG/NBD": ("r", "alpha", "a", "b"), "Pareto/NBD": ("r", "alpha", "s", "beta")}


def say(msg: str = "") -> None:
    print(msg, flush=True)


def cores() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(len(os.sched_getaffinity(0)))


def ages(n: int, rng: np.random.Generator) -> np.ndarray:
    """CDNOW-like ages in weeks: first purchase on a random day of the first 12 weeks, end at day 272."""
    return (272 - rng.integers(0, 84, n)) / 7.0


# --------------------------------------------------------------------------- the two libraries
def fit_cxlib(model: str, f, r, T):
    """(params array or None, converged, message, boundary named by cxlib or None)."""
    fn = clv.fit_bgnbd if model == "BG/NBD" else clv.fit_pareto_nbd
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = fn(f, r, T)
    except Exception as exc:  # FitError or anything else: not converged
        return None, False, f"{type(exc).__name__}: {exc}", None
    return fit.params.to_numpy(), bool(fit.converged), fit.message, fit.extra.get("boundary")


class _Recorder:
    """Wraps scipy.optimize.minimize inside lifetimes to keep the last OptimizeResult."""

    def __init__(self):
        import lifetimes.fitters as base
        import lifetimes.fitters.pareto_nbd_fitter as pn

        self.modules = (base, pn)
        self.original = base.minimize
        self.last = None

        def minimize(*args, **kwargs):
            out = self.original(*args, **kwargs)
            self.last = out
            return out

        for mod in self.modules:
            mod.minimize = minimize


_REC: _Recorder | None = None


def fit_lifetimes(model: str, f, r, T, seed: int = 0):
    """(params array or None, converged, message); exceptions count as not converged."""
    from lifetimes import BetaGeoFitter, ParetoNBDFitter

    global _REC
    if _REC is None:
        _REC = _Recorder()
    _REC.last = None
    np.random.seed(seed % 2**32)  # lifetimes' Pareto/NBD start is np.random.normal(1, 0.05)
    fitter = BetaGeoFitter() if model == "BG/NBD" else ParetoNBDFitter()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            fitter.fit(f, r, T)
    except Exception as exc:  # lifetimes.utils.ConvergenceError and numerical failures
        return None, False, f"{type(exc).__name__}: {str(exc).strip()[:80]}"
    p = fitter.params_[list(MODELS[model])].to_numpy(dtype=float)
    ok = bool(np.all(np.isfinite(p)) and np.all(p > 0))
    success = bool(getattr(_REC.last, "success", True))
    msg = str(getattr(_REC.last, "message", ""))
    return (p if ok else None), ok and success, msg


def loglik(model: str, params, f, r, T) -> float:
    """Log-likelihood with cxlib's (log-space) implementation; -inf for missing/invalid parameters."""
    if params is None or not np.all(np.isfinite(params)) or not np.all(np.asarray(params) > 0):
        return -math.inf
    x, tx, age, w = _compressed_rfm(f, r, T, None)
    lik = (_BGNBDLikelihood if model == "BG/NBD" else _ParetoNBDLikelihood)(x, tx, age, w)
    with np.errstate(all="ignore"):
        value = -lik.value(np.log(np.asarray(params, dtype=float)))
    return float(value) if np.isfinite(value) else -math.inf


def limit_loglik(boundary: str | None, params, f, r, T) -> float | None:
    """Log-likelihood of the limiting model named by cxlib, computed directly at cxlib's limiting
    parameters (not with cxlib's BG/NBD or Pareto/NBD likelihood); None for a limit not handled here.

    a/(a+b) -> 0 or s/beta -> 0: the NBD (no dropout), ``Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))``.
    a, b -> infinity (common p): ``A [(1-p)^x (α+T)^-(r+x) + [x>0] p (1-p)^(x-1) (α+t_x)^-(r+x)]``.
    a, b -> 0 (p is 0 or 1, share π = a/(a+b) of 1): ``A [(1-π[x>0]) (α+T)^-(r+x) + π [x=1] (α+t_x)^-(r+1)]``.
    s, beta -> infinity (common dropout rate μ = s/β):
    ``A [(α+T)^-(r+x) e^(-μT) + μ ∫_{t_x}^T (α+τ)^-(r+x) e^(-μτ) dτ]`` by ``scipy.integrate.quad``.
    """
    from scipy import integrate
    from scipy import special as sp

    if boundary is None or params is None:
        return None
    x, tx, age, w = _compressed_rfm(f, r, T, None)
    rr, al, c, d = (float(v) for v in params)
    m = rr + x
    log_a = sp.gammaln(m) - sp.gammaln(rr) + rr * math.log(al)
    at_T, at_tx = -m * np.log(al + age), -m * np.log(al + tx)
    with np.errstate(divide="ignore"):
        if boundary.startswith(("a/(a+b) -> 0", "s/beta -> 0")):
            log_l = at_T
        elif boundary.startswith("a, b -> infinity"):
            p = c / (c + d)
            log_l = np.where(x > 0, np.logaddexp(x * math.log1p(-p) + at_T,
                                                 math.log(p) + (x - 1) * math.log1p(-p) + at_tx), at_T)
        elif boundary.startswith("a, b -> 0"):
            share = c / (c + d)
            log_l = np.where(x == 0, at_T, np.logaddexp(math.log1p(-share) + at_T,
                                                        np.where(x == 1, math.log(share) + at_tx, -np.inf)))
        elif boundary.startswith("s, beta -> infinity"):
            mu = c / d
            log_l = np.empty(x.size)
            for i in range(x.size):  # integrand scaled by its value at t_x (<= 1 on [t_x, T])
                integral = 0.0
                if age[i] > tx[i]:
                    integral = integrate.quad(
                        lambda t, i=i: math.exp(-m[i] * math.log((al + t) / (al + tx[i])) - mu * (t - tx[i])),
                        tx[i], age[i], epsabs=0.0, epsrel=1e-12, limit=200)[0]
                log_l[i] = np.logaddexp(at_T[i] - mu * age[i], math.log(mu) + at_tx[i] - mu * tx[i]
                                        + (math.log(integral) if integral > 0 else -math.inf))
        else:
            return None
    return float(w @ (log_a + log_l))


def rel_diff(a, b) -> float:
    if a is None or b is None:
        return math.inf
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.abs(np.asarray(b))))


def timed_fits(fn, model, f, r, T, repeats):
    times, out = [], None
    for i in range(repeats):
        start = time.perf_counter()
        out = fn(model, f, r, T)
        times.append(time.perf_counter() - start)
    return times, out


# --------------------------------------------------------------------------- 10M run (child)
# Peak RSS is VmHWM, this process's own high-water mark (not ru_maxrss, which a child
# inherits from its parent across fork/exec on Linux).  Writing "5" to /proc/self/clear_refs
# resets VmHWM to the current RSS (Linux >= 4.0), so the peak after it is that of the fit,
# with the input arrays (3 x 80 MB) resident but without the simulation's temporaries.
_CHILD = r"""
import json, sys, time, warnings
def peak_rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmHWM:"))
def rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmRSS:"))
import numpy as np
from cxlib import clv
n, runs, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(seed)
T = (272 - rng.integers(0, 84, n)) / 7.0
sim = clv.simulate_bgnbd(%r, %r, %r, %r, n, T, rng=rng)
f, r, T = (sim[c].to_numpy(copy=True) for c in ("frequency", "recency", "T"))
del sim
import gc; gc.collect()
sim_peak = peak_rss()
try:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    reset = True
except OSError:
    reset = False
before = rss()
times, fits = [], []
for i in range(runs):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = clv.fit_bgnbd(f, r, T)
    times.append(time.perf_counter() - start)
    fits.append({"params": fit.params.tolist(), "converged": bool(fit.converged), "n_rows": fit.extra.get("n_rows")})
    del fit
print(json.dumps({"times": times, "peak": peak_rss(), "before": before, "sim_peak": sim_peak, "reset": reset,
                  "fits": fits}))
""" % BG_TRUE


def large_run(n: int, runs: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(n), str(runs), str(SEED + 10)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- reliability
def log_uniform(rng, lo, hi):
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


RANGES = {  # wide ranges around the CDNOW values
    "BG/NBD": ((0.1, 3.0), (1.0, 40.0), (0.2, 5.0), (0.5, 20.0)),
    "Pareto/NBD": ((0.1, 3.0), (1.0, 40.0), (0.1, 3.0), (1.0, 40.0)),
}


def reliability(sample: pd.DataFrame, n_boot: int, n_sim: int, n_sim_customers: int):
    """Per model: counts of converged fits and of who reaches the higher log-likelihood."""
    rng = np.random.default_rng(SEED + 1)
    cases = []  # (label, f, r, T, seed) shared by both models for the bootstraps
    arr = sample[["frequency", "recency", "T"]].to_numpy()
    for i in range(n_boot):
        pick = arr[rng.integers(0, len(arr), len(arr))]
        cases.append(("boot", pick[:, 0], pick[:, 1], pick[:, 2], i, None))
    results = {}
    for model in MODELS:
        sims = []
        srng = np.random.default_rng(SEED + (2 if model == "BG/NBD" else 3))
        for j in range(n_sim):
            p = tuple(log_uniform(srng, lo, hi) for lo, hi in RANGES[model])
            simulate = clv.simulate_bgnbd if model == "BG/NBD" else clv.simulate_pareto_nbd
            s = simulate(*p, n_customers=n_sim_customers, T=ages(n_sim_customers, srng), rng=srng)
            sims.append(("sim", s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy(),
                         1000 + j, p))
        rows = []
        for k, (kind, f, r, T, seed, truth) in enumerate(cases + sims):
            pc, cc, mc, bc = fit_cxlib(model, f, r, T)
            pl, cl, ml = fit_lifetimes(model, f, r, T, seed=seed)
            lc, ll = loglik(model, pc, f, r, T), loglik(model, pl, f, r, T)
            lim = limit_loglik(bc, pc, f, r, T) if not cc else None
            verified = lim is not None and lim >= max(lc, ll) - TIE
            rows.append({"kind": kind, "cx_conv": cc, "lt_conv": cl, "cx_ll": lc, "lt_ll": ll,
                         "boundary": bc if not cc else None, "limit_ll": lim, "verified": bool(not cc and verified),
                         "diff": lc - ll if np.isfinite(lc) and np.isfinite(ll) else (math.inf if np.isfinite(lc) else -math.inf if np.isfinite(ll) else 0.0),
                         "rel": rel_diff(pc, pl), "truth": truth, "cx_msg": mc, "lt_msg": ml,
                         "cx_params": None if pc is None else pc.tolist(),
                         "lt_params": None if pl is None else pl.tolist()})
            if (k + 1) % 25 == 0 or k + 1 == len(cases) + len(sims):
                say(f"    {model}: {k + 1}/{len(cases) + len(sims)} data sets")
        results[model] = pd.DataFrame(rows)
    return results


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller large data set, fewer repeats and resamples")
    args = ap.parse_args(argv)
    if args.quick:
        n_large, rep_cx, rep_lt_bg, rep_lt_pn, rep_cx_large, rep_lt_large = 200_000, 3, 2, 1, 2, 1
        n_huge, runs_huge, n_boot, n_sim = 10_000_000, 1, 20, 6
    else:
        n_large, rep_cx, rep_lt_bg, rep_lt_pn, rep_cx_large, rep_lt_large = 1_000_000, 7, 5, 3, 3, 1
        n_huge, runs_huge, n_boot, n_sim = 10_000_000, 3, 200, 50
    try:
        import lifetimes
    except ImportError:
        say('lifetimes is missing: .venv/bin/pip install -c constraints.txt -e ".[bench]"  (or: make bench)')
        return 2

    wall = time.perf_counter()
    say("CLV models (lesson 05): cxlib.clv vs lifetimes, BG/NBD and Pareto/NBD")
    say(f"machine : {cores()} cores (nproc), {platform.machine()}, {platform.system()} {platform.release()}")
    say(f"versions: python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scipy {__import__('scipy').__version__}, lifetimes {lifetimes.__version__}")
    say(f"mode    : {'quick' if args.quick else 'full'}; large set {n_large:,}; timing repeats cxlib "
        f"{rep_cx} (large {rep_cx_large}), lifetimes BG/NBD {rep_lt_bg}, Pareto/NBD {rep_lt_pn} "
        f"(large {rep_lt_large}); 10M runs {runs_huge}; reliability {n_boot} bootstraps + {n_sim} simulations")

    master = clv.rfm_summary(data.load("cdnow_master"), "customer_id", "date", calibration_end=CAL_END)
    sample = clv.rfm_summary(data.load("cdnow_sample"), "customer_id", "date", calibration_end=CAL_END)
    say(f"CDNOW master: {len(master):,} customers, {int((master['frequency'] > 0).sum()):,} repeat buyers; "
        f"sample: {len(sample):,} customers")
    rng = np.random.default_rng(SEED)
    T_large = ages(n_large, rng)
    sim_bg = clv.simulate_bgnbd(*BG_TRUE, n_customers=n_large, T=T_large, rng=rng)
    sim_pn = clv.simulate_pareto_nbd(*PN_TRUE, n_customers=n_large, T=T_large, rng=rng)

    def cols(frame):
        return tuple(frame[c].to_numpy() for c in ("frequency", "recency", "T"))

    say(f"\n[1/3] speed and agreement (each call timed whole; parameters: max relative difference)")
    cases = [("CDNOW", "BG/NBD", cols(master), rep_cx, rep_lt_bg),
             ("CDNOW", "Pareto/NBD", cols(master), rep_cx, rep_lt_pn),
             (f"sim {n_large // 1000:,}k", "BG/NBD", cols(sim_bg), rep_cx_large, max(rep_lt_large, 2)),
             (f"sim {n_large // 1000:,}k", "Pareto/NBD", cols(sim_pn), rep_cx_large, rep_lt_large)]
    speed = []
    for label, model, (f, r, T), rc, rl in cases:
        fit_cxlib(model, f[:1000], r[:1000], T[:1000])  # warm-up (imports, first calls)
        tc, (pc, cc, _, _) = timed_fits(fit_cxlib, model, f, r, T, rc)
        tl, (pl, cl, ml) = timed_fits(fit_lifetimes, model, f, r, T, rl)
        mc, mlt = statistics.median(tc), statistics.median(tl)
        lc, ll = loglik(model, pc, f, r, T), loglik(model, pl, f, r, T)
        row = {"data": label, "model": model, "cx": mc, "lt": mlt, "ratio": mlt / mc, "rel": rel_diff(pc, pl),
               "cx_conv": cc, "lt_conv": cl, "dll": lc - ll, "n_cx": rc, "n_lt": rl}
        speed.append(row)
        names = MODELS[model]
        say(f"  {label:<10} {model:<10} cxlib {mc:8.3f} s (median of {rc}) | lifetimes {mlt:8.2f} s "
            f"(median of {rl}) | ratio {row['ratio']:6.1f}x")
        say(f"      cxlib     {', '.join(f'{k}={v:.6g}' for k, v in zip(names, pc))}  converged={cc}  loglik {lc:,.4f}")
        say(f"      lifetimes {', '.join(f'{k}={v:.6g}' for k, v in zip(names, pl)) if pl is not None else 'no estimate'}"
            f"  converged={cl}  loglik {ll:,.4f}  ({ml})")
        say(f"      max relative difference {row['rel']:.2e}; loglik cxlib - lifetimes {row['dll']:+.4f}")
    del sim_bg, sim_pn

    say(f"\n[2/3] cxlib BG/NBD at {n_huge:,} simulated customers, {runs_huge} fit(s) in a fresh subprocess")
    huge = large_run(n_huge, runs_huge)
    for i, dt in enumerate(huge["times"]):
        fit = huge["fits"][i]
        say(f"  fit {i + 1}/{runs_huge}: {dt:.2f} s  ({fit['n_rows']:,} distinct rows; converged={fit['converged']}; "
            f"{', '.join(f'{v:.4g}' for v in fit['params'])})")
    med_huge = statistics.median(huge["times"])
    peak = huge["peak"]
    say(f"  median {med_huge:.2f} s; peak RSS during the fits {peak / 1e9:.2f} GB "
        f"(RSS before fitting {huge['before'] / 1e9:.2f} GB, of which the input arrays 0.24 GB; "
        f"peak while simulating {huge['sim_peak'] / 1e9:.2f} GB, not counted"
        f"{'' if huge['reset'] else '; VmHWM could NOT be reset: peak includes the simulation'})")

    say(f"\n[3/3] reliability: {n_boot} bootstrap resamples of the CDNOW sample ({len(sample):,} customers) "
        f"+ {n_sim} simulated sets of 5,000 customers per model")
    rel = reliability(sample, n_boot, n_sim, 5_000)
    summary_rel = {}
    for model, tab in rel.items():
        n = len(tab)
        cx_conv, lt_conv = int(tab["cx_conv"].sum()), int(tab["lt_conv"].sum())
        cx_hi, lt_hi = int((tab["diff"] > TIE).sum()), int((tab["diff"] < -TIE).sum())
        ties = n - cx_hi - lt_hi
        bnd = tab[tab["boundary"].notna()]
        n_bnd, n_ver = len(bnd), int(bnd["verified"].sum())
        summary_rel[model] = (n, cx_conv, lt_conv, cx_hi, lt_hi, ties, n_bnd, n_ver)
        say(f"  {model:<10} {n} fits: converged cxlib {cx_conv}/{n}, lifetimes {lt_conv}/{n}; higher loglik: "
            f"cxlib {cx_hi}, lifetimes {lt_hi}, tie (< {TIE:g}) {ties}")
        say(f"      no finite MLE, detected and reported by cxlib: {n_bnd} (verified by the limiting model: {n_ver}); "
            f"cxlib failures otherwise: {n - cx_conv - n_bnd}")
        for _, b in bnd.iterrows():
            lt_state = ("success" if b["lt_conv"] else "failed") + (f" at {np.round(b['lt_params'], 5).tolist()}"
                                                                     if b["lt_params"] is not None else "")
            say(f"      no finite MLE ({b['kind']}, true {np.round(b['truth'], 4).tolist() if b['truth'] else '-'}): "
                f"{b['boundary']}; loglik limiting model {b['limit_ll']:.6f} >= cxlib {b['cx_ll']:.6f}, "
                f"lifetimes {b['lt_ll']:.6f}: {'verified' if b['verified'] else 'NOT verified'}; "
                f"cxlib at {np.round(b['cx_params'], 5).tolist()}; lifetimes {lt_state}")
        for kind in ("boot", "sim"):
            sub = tab[tab["kind"] == kind]
            say(f"      {kind:<4}: converged cxlib {int(sub['cx_conv'].sum())}/{len(sub)}, lifetimes "
                f"{int(sub['lt_conv'].sum())}/{len(sub)}; higher cxlib {int((sub['diff'] > TIE).sum())}, "
                f"lifetimes {int((sub['diff'] < -TIE).sum())}")
        bad = tab[((~tab["cx_conv"]) & ~tab["verified"]) | (tab["diff"] < -TIE)]
        for _, b in bad.head(10).iterrows():
            say(f"      cxlib problem ({b['kind']}, true {b['truth']}): converged={b['cx_conv']}, "
                f"loglik cxlib {b['cx_ll']:.4f} vs lifetimes {b['lt_ll']:.4f}; cxlib {b['cx_params']}; "
                f"lifetimes {b['lt_params']}; {b['cx_msg'][:100]}")
        agree = tab[np.isfinite(tab["rel"]) & tab["cx_conv"] & tab["lt_conv"]]["rel"]
        if len(agree):
            say(f"      where both converged: median max relative parameter difference {agree.median():.1e}, "
                f"max {agree.max():.1e}")

    ok = {}
    pf = {True: "PASS", False: "FAIL"}
    say("\n" + "=" * 94)
    say(f"SUMMARY  ({cores()} cores, shared; python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, lifetimes {lifetimes.__version__}{', QUICK' if args.quick else ''})")
    for row in speed:
        key = f"{row['data']} {row['model']}"
        ok[key + " speed"] = row["ratio"] >= TARGET_RATIO
        ok[key + " params"] = row["rel"] <= TARGET_REL
        say(f"  {row['data']:<10} {row['model']:<10} cxlib {row['cx']:7.3f} s | lifetimes {row['lt']:7.2f} s "
            f"| {row['ratio']:6.1f}x (>= 20x) {pf[ok[key + ' speed']]} | params rel {row['rel']:.1e} (<= 1e-3) "
            f"{pf[ok[key + ' params']]}")
    ok["10M time"] = med_huge <= TARGET_SECONDS
    ok["10M memory"] = peak <= TARGET_BYTES and huge["reset"]
    say(f"  10M BG/NBD fit   median {med_huge:6.2f} s of {runs_huge} (<= 10 s) {pf[ok['10M time']]} | "
        f"peak RSS {peak / 1e9:.2f} GB (<= 2 GB) {pf[ok['10M memory']]}")
    for model, (n, cxc, ltc, cxh, lth, ties, nb, nv) in summary_rel.items():
        ok[model + " reliability"] = cxc + nv == n and lth == 0
        say(f"  reliability {model:<10} converged cxlib {cxc}/{n} + {nv} verified no-finite-MLE reported as such, "
            f"lifetimes {ltc}/{n} | higher loglik cxlib {cxh}, lifetimes {lth}, tie {ties}   "
            f"{pf[ok[model + ' reliability']]}")
    failed = [k for k, v in ok.items() if not v]
    say(f"  overall    {pf[not failed]}{'  (failed: ' + '; '.join(failed) + ')' if failed else ''}  "
        f"(benchmark wall time {time.perf_counter() - wall:.0f} s)")
    say("=" * 94)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
