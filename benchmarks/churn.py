"""Benchmark of the Cox fit of cxlib.churn (lesson 06) against lifelines' CoxPHFitter.

Usage::

    python benchmarks/churn.py            # full run, about 15 s on 2 cores
    python benchmarks/churn.py --quick    # 100,000 simulated customers, fewer repeats (~5 s)
    python benchmarks/churn.py --profile  # also cProfile one cxlib fit of the large case

``lifelines`` 0.30.0 is a benchmark-only dependency (``pip install -c constraints.txt -e
".[dev,bench]"`` or ``make bench``).

Both libraries fit the same Cox model with Efron's ties (``cxlib.churn.fit_cox``'s default;
lifelines always uses Efron) and no penalty (lifelines' default ``penalizer=0``).
lifelines gets a data frame with the very columns of cxlib's design matrix: numeric
covariates as they are, a categorical or text column ``c`` as 0/1 columns ``c[level]`` for
every level but the first (categorical order, else sorted), built here independently of
cxlib and checked to carry the same names as cxlib's ``model.exog_names``.  Each call is
timed whole: cxlib from the raw frame (validation, dummies, the model (statsmodels' ``PHReg`` with cxlib's vectorised engine), its
separation check); lifelines from the raw frame too (building its dummy frame, then
``CoxPHFitter().fit(df, duration_col, event_col)``, which also estimates the baseline
hazard).  Medians of repeated calls, after one warm-up call each on a small subset.

Cases (targets from the lesson 06 issue):

1. Rossi's recidivism data (432 released prisoners; ``week``, ``arrest``; fin, age, race,
   wexp, mar, paro, prio).  Coefficients and standard errors within 1e-4 (absolute).
2. IBM's telco customers (7,043; ``tenure`` in months, event ``churn == "Yes"``; contract,
   internet_service, senior_citizen, partner, dependents, paperless_billing,
   monthly_charges).  All rows are kept: the 11 customers with tenure 0 are censored at 0,
   in no risk set at any event time (the first churn is at month 1), so they contribute
   nothing to the partial likelihood; both libraries accept a duration of 0, and the script
   checks that dropping them leaves cxlib's estimates unchanged.  Coefficients within 1e-4.
3. 1,000,000 simulated customers, ``cxlib.data.churn_panel(1_000_000, rng=1)`` (100,000 with
   ``--quick``); ``weeks``, ``churned``; plan (3 levels), tenure_years, support_contacts,
   response_hours, outreach.  Coefficients within 1e-4; speed: lifelines / cxlib >= 1.

Standard errors are held to the same 1e-4 in every case.  Speed has a target in case 3
only; the ratios of cases 1 and 2 are reported.  After each case the script splits one more
cxlib call by stage (wall clock, by wrapping the functions called, no
profiler overhead): cxlib's own validation, its design matrix and collinearity check,
the model's construction (its sorted risk sets), statsmodels' Newton fit (loglike,
score, Hessian), cxlib's separation check.  ``--profile`` adds a cProfile listing.
Exit code 0 only if every target passes.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

from cxlib import data
from cxlib.churn import fit_cox

TOL = 1e-4
TARGET_RATIO = 1.0
ROSSI = ("week", "arrest", ["fin", "age", "race", "wexp", "mar", "paro", "prio"])
TELCO = ("tenure", "churned", ["contract", "internet_service", "senior_citizen", "partner", "dependents",
                               "paperless_billing", "monthly_charges"])
PANEL = ("weeks", "churned", ["plan", "tenure_years", "support_contacts", "response_hours", "outreach"])


def say(msg: str = "") -> None:
    print(msg, flush=True)


def cores() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(len(os.sched_getaffinity(0)))


def lifelines_frame(frame: pd.DataFrame, duration: str, event: str, covariates: list[str]) -> pd.DataFrame:
    """lifelines' input: cxlib's dummy coding, written out here with pandas."""
    cols: dict[str, np.ndarray] = {}
    for col in covariates:
        s = frame[col]
        if (isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(s)
                or pd.api.types.is_string_dtype(s) or pd.api.types.is_bool_dtype(s)):
            cat = s.astype("category").cat.remove_unused_categories()
            codes = cat.cat.codes.to_numpy()
            for k, level in enumerate(cat.cat.categories[1:], start=1):
                cols[f"{col}[{level}]"] = (codes == k).astype(float)
        else:
            cols[col] = s.to_numpy(float)
    cols[duration] = frame[duration].to_numpy()
    cols[event] = frame[event].to_numpy()
    return pd.DataFrame(cols, index=frame.index)


def fit_cxlib(frame, duration, event, covariates):
    return fit_cox(frame, duration, event, covariates)


def fit_lifelines(frame, duration, event, covariates):
    from lifelines import CoxPHFitter

    df = lifelines_frame(frame, duration, event, covariates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 4 deprecation warnings from inside lifelines
        return CoxPHFitter().fit(df, duration_col=duration, event_col=event)


def timed(fn, repeats: int, *args) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
    return times, out


def compare(label: str, frame: pd.DataFrame, spec, rep_cx: int, rep_ll: int) -> dict:
    duration, event, covariates = spec
    small = frame.iloc[: min(len(frame), 2000)]
    fit_cxlib(small, duration, event, covariates)  # warm-up: imports, first calls
    fit_lifelines(small, duration, event, covariates)
    t_cx, cx = timed(fit_cxlib, rep_cx, frame, duration, event, covariates)
    t_ll, ll = timed(fit_lifelines, rep_ll, frame, duration, event, covariates)
    names = list(cx.model.exog_names)
    same_names = sorted(names) == sorted(ll.params_.index)
    coef_cx, se_cx = np.asarray(cx.params, float), np.asarray(cx.bse, float)
    coef_ll = ll.params_.reindex(names).to_numpy(float)
    se_ll = ll.standard_errors_.reindex(names).to_numpy(float)
    d_coef = float(np.max(np.abs(coef_cx - coef_ll))) if same_names else float("inf")
    d_se = float(np.max(np.abs(se_cx - se_ll))) if same_names else float("inf")
    m_cx, m_ll = statistics.median(t_cx), statistics.median(t_ll)
    n_events = int(np.asarray(frame[event]).sum())
    say(f"  {len(frame):,} rows, {n_events:,} events, {frame[duration].nunique()} distinct durations; "
        f"terms: {', '.join(names)}{'' if same_names else '  (lifelines has ' + ', '.join(ll.params_.index) + ')'}")
    say(f"    {'term':32s} {'coef cxlib':>12s} {'lifelines':>12s} {'|diff|':>9s}   {'SE cxlib':>10s} "
        f"{'lifelines':>10s} {'|diff|':>9s}")
    for j, name in enumerate(names):
        say(f"    {name:32s} {coef_cx[j]:12.6f} {coef_ll[j]:12.6f} {abs(coef_cx[j] - coef_ll[j]):9.1e}   "
            f"{se_cx[j]:10.6f} {se_ll[j]:10.6f} {abs(se_cx[j] - se_ll[j]):9.1e}")
    say(f"    log partial likelihood: cxlib {cx.llf:,.4f}, lifelines {ll.log_likelihood_:,.4f}")
    say(f"    times cxlib   {', '.join(f'{t:.4f}' for t in t_cx)} s -> median {m_cx:.4f} s of {rep_cx}")
    say(f"    times lifelines {', '.join(f'{t:.4f}' for t in t_ll)} s -> median {m_ll:.4f} s of {rep_ll}")
    say(f"    max |coef diff| {d_coef:.1e}, max |SE diff| {d_se:.1e}; ratio lifelines / cxlib {m_ll / m_cx:.2f}x")
    return {"label": label, "n": len(frame), "d_coef": d_coef, "d_se": d_se, "cx": m_cx, "ll": m_ll,
            "ratio": m_ll / m_cx, "rep_cx": rep_cx, "rep_ll": rep_ll, "fit": cx}


STAGES = [  # labels of the stages timed by stage_clock, in call order; nested ones indented
    "cxlib check_durations", "cxlib check_events", "cxlib design_matrix (dummies, checks)",
    "  of which _check_collinear", "PHRegFast.__init__ (statsmodels set-up, sorted risk sets)",
    "  of which _Survival.__init__ (risk sets)", "PHReg.fit (statsmodels' Newton)",
    "  of which loglike, score, hessian (vectorised)",
    "cxlib _check_separation (cov_params)",
]


@contextlib.contextmanager
def stage_clock():
    """Wall time and call counts of the functions a cxlib.fit_cox call goes through.

    Wraps (and restores afterwards) cxlib's design matrix and checks, the construction of
    the model fit_cox uses (``cxlib._churn_fast.PHRegFast``: statsmodels' PHReg with
    vectorised risk sets and derivatives), statsmodels' Newton fit and the derivatives it
    calls.  Nested stages are reported as they are (the construction includes the risk
    sets, fit includes the derivatives, design_matrix includes _check_collinear).
    """
    from statsmodels.duration import hazard_regression as hr

    from cxlib import _churn_cox, _churn_fast

    fast = _churn_fast.PHRegFast

    clock: dict[str, list[float]] = {}
    patched = []

    def wrap(owner, attr, key):
        orig = getattr(owner, attr, None)
        if orig is None:
            return

        def wrapper(*a, **k):
            start = time.perf_counter()
            try:
                return orig(*a, **k)
            finally:
                clock.setdefault(key, []).append(time.perf_counter() - start)

        setattr(owner, attr, wrapper)
        patched.append((owner, attr, orig))

    wrap(_churn_cox, "design_matrix", "cxlib design_matrix (dummies, checks)")
    wrap(_churn_cox, "_check_collinear", "  of which _check_collinear")
    wrap(_churn_cox, "check_durations", "cxlib check_durations")
    wrap(_churn_cox, "check_events", "cxlib check_events")
    wrap(_churn_cox, "_check_separation", "cxlib _check_separation (cov_params)")
    wrap(fast, "__init__", "PHRegFast.__init__ (statsmodels set-up, sorted risk sets)")
    wrap(_churn_fast._Survival, "__init__", "  of which _Survival.__init__ (risk sets)")
    wrap(hr.PHReg, "fit", "PHReg.fit (statsmodels' Newton)")
    wrap(fast, "_derivatives", "  of which loglike, score, hessian (vectorised)")
    try:
        yield clock
    finally:
        for owner, attr, orig in reversed(patched):
            setattr(owner, attr, orig)


def breakdown(frame: pd.DataFrame, spec) -> tuple[float, list[tuple[str, float, int]]]:
    duration, event, covariates = spec
    with stage_clock() as clock:
        start = time.perf_counter()
        fit_cxlib(frame, duration, event, covariates)
        total = time.perf_counter() - start
    rows = [(k, sum(clock[k]), len(clock[k])) for k in STAGES if k in clock]
    top = [s for k, s, _ in rows if not k.startswith(" ")]
    rows.append(("rest of fit_cox (argument checks, arrays)", total - sum(top), 1))
    return total, rows


def show_breakdown(frame: pd.DataFrame, spec) -> None:
    total, rows = breakdown(frame, spec)
    say(f"    where cxlib's time goes (one more call, stages timed by wrapping, wall clock):")
    for name, secs, calls in rows:
        say(f"      {name:52s} {secs:8.3f} s {100 * secs / total:5.1f} %  ({calls} call{'s' if calls != 1 else ''})")
    say(f"      {'total fit_cox':52s} {total:8.3f} s")


def profile(frame: pd.DataFrame, spec, lines: int = 25) -> str:
    duration, event, covariates = spec
    prof = cProfile.Profile()
    prof.enable()
    fit_cxlib(frame, duration, event, covariates)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="100,000 simulated customers, fewer repeats")
    ap.add_argument("--profile", action="store_true", help="cProfile one cxlib fit of the large case")
    args = ap.parse_args(argv)
    if args.quick:
        n_large, rep_small, rep_telco, rep_large_cx, rep_large_ll = 100_000, 5, 3, 3, 3
    else:
        n_large, rep_small, rep_telco, rep_large_cx, rep_large_ll = 1_000_000, 15, 7, 3, 3
    try:
        import lifelines
    except ImportError:
        say('lifelines is missing: .venv/bin/pip install -c constraints.txt -e ".[dev,bench]"  (or: make bench)')
        return 2
    import statsmodels

    wall = time.perf_counter()
    load_start = os.getloadavg()[0]
    versions = (f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
                f"statsmodels {statsmodels.__version__}, lifelines {lifelines.__version__}")
    say("Cox models (lesson 06): cxlib.churn.fit_cox (statsmodels PHReg + vectorised engine, Efron) vs lifelines CoxPHFitter")
    say(f"machine : {cores()} cores (nproc), {platform.machine()}, {platform.system()} {platform.release()}, "
        f"load average {load_start:.2f}")
    say(f"versions: {versions}")
    say(f"mode    : {'quick' if args.quick else 'full'}; simulated customers {n_large:,}; timing repeats "
        f"rossi {rep_small}+{rep_small}, telco {rep_telco}+{rep_telco}, large {rep_large_cx}+{rep_large_ll} "
        f"(cxlib+lifelines)")
    results = []

    say("\n[1/3] rossi: week, arrest ~ fin + age + race + wexp + mar + paro + prio")
    rossi = data.load("rossi")
    results.append(compare("rossi", rossi, ROSSI, rep_small, rep_small))
    show_breakdown(rossi, ROSSI)

    say("\n[2/3] telco: tenure, churn ~ contract + internet_service + senior_citizen + partner + dependents + "
        "paperless_billing + monthly_charges")
    telco = data.load("telco_churn")
    telco["churned"] = (telco["churn"] == "Yes").astype(int)
    zero = telco["tenure"] == 0
    say(f"  tenure 0: {int(zero.sum())} customers, {int(telco.loc[zero, 'churned'].sum())} churned; first churn "
        f"at month {int(telco.loc[telco['churned'] == 1, 'tenure'].min())}: kept (censored at 0, in no risk set)")
    res = compare("telco", telco, TELCO, rep_telco, rep_telco)
    without = fit_cox(telco[~zero], *TELCO[:2], TELCO[2])
    d_zero = float(np.max(np.abs(np.asarray(without.params) - np.asarray(res["fit"].params))))
    say(f"    dropping the tenure-0 rows changes cxlib's coefficients by at most {d_zero:.1e}")
    results.append(res)
    show_breakdown(telco, TELCO)

    say(f"\n[3/3] churn_panel({n_large:,}, rng=1): weeks, churned ~ plan + tenure_years + support_contacts + "
        "response_hours + outreach")
    start = time.perf_counter()
    panel = data.churn_panel(n_large, rng=1).data
    say(f"  simulated in {time.perf_counter() - start:.2f} s (not timed)")
    large = compare(f"sim {n_large // 1000:,}k", panel, PANEL, rep_large_cx, rep_large_ll)
    results.append(large)
    show_breakdown(panel, PANEL)
    if args.profile:
        say(f"\n  cProfile of one cxlib call at {n_large:,} (cumulative; the profiler inflates per-row Python loops):")
        say(profile(panel, PANEL))

    ok: dict[str, bool] = {}
    pf = {True: "PASS", False: "FAIL"}
    load_end = os.getloadavg()[0]
    say("\n" + "=" * 118)
    say(f"SUMMARY  ({cores()} cores, shared; load average {load_start:.2f} at start, {load_end:.2f} at end; "
        f"{versions}{', QUICK' if args.quick else ''})")
    say(f"  {'case':11s} {'max|coef diff|':>15s} {'max|SE diff|':>13s} {'cxlib s':>9s} {'lifelines s':>12s} "
        f"{'ll/cx':>7s}  verdict")
    for r in results:
        checks = {"coef": r["d_coef"] <= TOL, "SE": r["d_se"] <= TOL}
        if r is large:
            checks["speed"] = r["ratio"] >= TARGET_RATIO
        for k, v in checks.items():
            ok[f"{r['label']} {k}"] = v
        target = f" (>= {TARGET_RATIO:g}x)" if r is large else ""
        verdict = ", ".join(f"{k} {pf[v]}" for k, v in checks.items())
        say(f"  {r['label']:11s} {r['d_coef']:15.1e} {r['d_se']:13.1e} {r['cx']:9.4f} {r['ll']:12.4f} "
            f"{r['ratio']:6.2f}x{target}  {verdict}  (medians of {r['rep_cx']} / {r['rep_ll']})")
    failed = [k for k, v in ok.items() if not v]
    say(f"  tolerance 1e-4 absolute on coefficients (log hazard ratios) and SEs; speed target on the large case only")
    say(f"  overall    {pf[not failed]}{'  (failed: ' + '; '.join(failed) + ')' if failed else ''}  "
        f"(benchmark wall time {time.perf_counter() - wall:.0f} s)")
    say("=" * 118)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
