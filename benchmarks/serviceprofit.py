"""Benchmark of cxlib.serviceprofit.mediation's bootstrap (lesson 09) against statsmodels' Mediation.

Usage::

    python benchmarks/serviceprofit.py          # full run: 1,000 resamples, about 5 minutes on 2 cores
    python benchmarks/serviceprofit.py --quick  # 200 resamples, about 1.5 minutes

The issue: "the bootstrap mediation against statsmodels' Mediation with the same number of
resamples on jobs and on 100,000 simulated rows: same estimates within simulation error; time
ratio recorded."

**What is compared.** ``mediation(..., method="bootstrap")`` has two engines.  With
``engine="statsmodels"`` (the default) cxlib builds the two models and calls statsmodels'
``Mediation.fit(method="bootstrap")``: its time is statsmodels' time plus cxlib's checks, design
matrices and product-of-coefficients table, and it is timed here as "cxlib (statsmodels
engine)".  With ``engine="fast"`` (linear models) cxlib runs its own vectorised bootstrap:
each resample is a vector of row counts, and both models' normal equations are read from one
count-weighted Gram matrix (no refitting), rows resampled once for both models as in R's
``mediate``.  The reference is statsmodels' ``Mediation`` called directly the fastest way it
can be, with array models (``OLS(endog, exog)`` and the positions of the treatment and
mediator: several times faster than its formula interface, which rebuilds the design matrix
from the data frame six times per resample), on the same design matrices, fitted from scratch
each call.

**Cases.** *jobs*: JOBS II (899 people), ``job_seek ~ treat + 9 covariates`` and ``depress2 ~
treat + job_seek + 9 covariates`` (26 columns with the dummies), the published model.  *sim
100k*: ``cxlib.data.service_chain(n_stores=1000, employees_per_store=20,
customers_per_store=100, rng=1).customers`` (100,000 rows), ``engagement ~ programme +
leading_by_example`` and ``satisfaction ~ engagement + programme + leading_by_example``, rows
treated as independent (statsmodels cannot resample stores; the point is the arithmetic).

**Agreement.** Both are bootstraps of the same estimator with different random numbers (and
statsmodels resamples the two models separately), so they agree within simulation error: for
the ACME, ADE and total effect the difference of the two means must be within 4 Monte Carlo
standard errors (``sd * sqrt(2 / B)``) and the two standard deviations of the draws within
15% (25% with ``--quick``).  The plug-in product of coefficients is printed beside them.

**Timing.** One BLAS thread (``--blas-threads`` keeps the machine's setting): statsmodels
solves thousands of small least-squares problems, and a multi-threaded BLAS competing with
other processes on 2 cores made its bootstrap on jobs 7 times slower.  Wall clock, whole
calls from the data frame; statsmodels once per case (it takes a
minute on the 100k rows), cxlib's fast engine the median of 3 calls; CPU time
(``time.process_time``) beside each.  Exit code 0 when every agreement check passes (the issue
sets no speed target: the ratio is recorded in ``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time

if "--blas-threads" not in sys.argv:
    # One BLAS thread: statsmodels refits small least-squares problems thousands of times, and
    # a multi-threaded BLAS on a busy 2-core machine made it up to 7 times slower (spinning
    # threads), which would flatter cxlib.  Must be set before numpy is imported.
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import numpy as np

from cxlib import data
from cxlib.serviceprofit import mediation

JOBS_COVARIATES = ["depress1", "econ_hard", "sex", "age", "occp", "marital", "nonwhite", "educ", "income"]
EFFECTS = ("ACME (average)", "ADE (average)", "Total effect")


def _cases():
    jobs = data.load("jobs")
    sim = data.service_chain(n_stores=1000, employees_per_store=20, customers_per_store=100, rng=1).customers
    return [
        ("jobs", jobs, ("treat", "job_seek", "depress2"), JOBS_COVARIATES),
        ("sim 100k", sim, ("programme", "engagement", "satisfaction"), ["leading_by_example"]),
    ]


def _statsmodels_direct(frame, treatment, mediator, outcome, covariates, n_rep, seed):
    """statsmodels' Mediation on array models (its fastest form), models built from scratch."""
    import statsmodels.api as sm
    from statsmodels.stats.mediation import Mediation

    from cxlib._serviceprofit_checks import design

    Xm = design(frame, [treatment, *covariates])
    Xy = design(frame, [mediator, treatment, *covariates])
    med = sm.OLS(frame[mediator].to_numpy(float), Xm)
    out = sm.OLS(frame[outcome].to_numpy(float), Xy)
    exposure = (Xy.columns.get_loc(treatment), Xm.columns.get_loc(treatment))
    result = Mediation(out, med, exposure, Xy.columns.get_loc(mediator)).fit(
        method="bootstrap", n_rep=n_rep, rng=np.random.default_rng(seed))
    return result


def _per_draw(result, effect):
    r = result
    return {"ACME (average)": (np.asarray(r.ACME_ctrl) + np.asarray(r.ACME_tx)) / 2,
            "ADE (average)": (np.asarray(r.ADE_ctrl) + np.asarray(r.ADE_tx)) / 2,
            "Total effect": np.asarray(r.total_effect)}[effect]


def _timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 resamples instead of 1,000")
    parser.add_argument("--blas-threads", action="store_true",
                        help="leave the BLAS thread count as it is (default: one thread)")
    args = parser.parse_args(argv)
    n_rep = 200 if args.quick else 1000
    sd_tol = 0.25 if args.quick else 0.15

    import pandas as pd
    import statsmodels

    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"statsmodels {statsmodels.__version__}; {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.2f}; {n_rep} resamples; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    ok_all = True
    rows = []
    for name, frame, (t, m, y), covs in _cases():
        # warm-up on a small slice (imports, caches)
        mediation(frame.head(300), t, m, y, covs[:1], method="bootstrap", engine="fast", n_sims=20, rng=0)
        _statsmodels_direct(frame.head(300), t, m, y, covs[:1], 5, 0)

        sm_res, sm_wall, sm_cpu = _timed(lambda: _statsmodels_direct(frame, t, m, y, covs, n_rep, 1))
        cx_sm, cxs_wall, cxs_cpu = _timed(lambda: mediation(frame, t, m, y, covs, method="bootstrap",
                                                            n_sims=n_rep, rng=2))
        fast_times = []
        for rep in range(3):
            fast, wall, cpu = _timed(lambda: mediation(frame, t, m, y, covs, method="bootstrap", engine="fast",
                                                       n_sims=n_rep, rng=3 + rep))
            fast_times.append((wall, cpu))
        f_wall = statistics.median(w for w, _ in fast_times)
        f_cpu = statistics.median(c for _, c in fast_times)

        print(f"\n== {name}: {len(frame):,} rows, {fast.statsmodels.indirect_effects[0].shape[1]:,} resamples")
        print(f"{'effect':<16} {'plug-in':>10} {'statsmodels':>12} {'cxlib fast':>11} {'diff / MC se':>13} "
              f"{'sd sm':>9} {'sd fast':>9} verdict")
        case_ok = True
        plug = {"ACME (average)": fast.product.loc["indirect", "estimate"],
                "ADE (average)": fast.product.loc["direct", "estimate"],
                "Total effect": fast.product.loc["total", "estimate"]}
        sm_table = sm_res.summary()
        for effect in EFFECTS:
            a, b = _per_draw(sm_res, effect), _per_draw(fast.statsmodels, effect)
            sd_a, sd_b = float(np.std(a, ddof=1)), float(np.std(b, ddof=1))
            mc = math.sqrt(sd_a**2 / a.size + sd_b**2 / b.size)
            diff = float(sm_table.loc[effect, "Estimate"]) - float(fast.table.loc[effect, "estimate"])
            ok = abs(diff) <= 4 * mc and abs(sd_b / sd_a - 1) <= sd_tol
            case_ok &= ok
            print(f"{effect:<16} {plug[effect]:>10.5f} {sm_table.loc[effect, 'Estimate']:>12.5f} "
                  f"{fast.table.loc[effect, 'estimate']:>11.5f} {diff / mc:>13.2f} {sd_a:>9.5f} {sd_b:>9.5f} "
                  f"{'PASS' if ok else 'FAIL'}")
        print(f"time: statsmodels Mediation {sm_wall:.2f} s (cpu {sm_cpu:.2f}); cxlib statsmodels engine "
              f"{cxs_wall:.2f} s (cpu {cxs_cpu:.2f}); cxlib fast engine median {f_wall:.3f} s "
              f"(cpu {f_cpu:.3f}; of {', '.join(f'{w:.3f}' for w, _ in fast_times)}); "
              f"statsmodels / fast = {sm_wall / f_wall:.1f}x (cpu {sm_cpu / f_cpu:.1f}x)")
        rows.append((name, len(frame), sm_wall, cxs_wall, f_wall, sm_wall / f_wall, case_ok))
        ok_all &= case_ok

    print("\n| case | rows | statsmodels Mediation | cxlib (statsmodels engine) | cxlib fast | ratio | agreement |")
    print("|---|---|---|---|---|---|---|")
    for name, n, a, b, c, r, ok in rows:
        print(f"| {name} | {n:,} | {a:.2f} s | {b:.2f} s | {c:.3f} s | {r:.0f}x | {'PASS' if ok else 'FAIL'} |")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
