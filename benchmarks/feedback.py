"""Benchmark of the feedback-loop engine (lesson 03) against the same model in Mesa.

Usage::

    python benchmarks/feedback.py            # full run, a couple of minutes on 2 cores
    python benchmarks/feedback.py --quick    # fewer repeats and replications

What it measures (targets from issue 3):

1. Speed against the peer.  ``cxlib.feedback.simulate`` and the Mesa agent-based model of
   ``benchmarks/feedback_mesa.py``, both at 10,000 customers x 52 periods with identical
   ``Params``: the defaults, except ``acquisition=120`` (the default 60 new customers per
   period is sized for the default 5,000 customers; 120 keeps the same arrivals per
   customer, about 1.2 % a period, so the base behaves as in the lesson).  Median wall time
   of several runs each (``time.perf_counter``, whole call including building the table);
   target: Mesa / cxlib >= 50.
2. Agreement.  Replications of both models (the timed runs included); for the columns
   active, quality, mean_satisfaction, nps, feedback_acted and profit, at periods 1, 13, 26,
   39 and 52, the two means, their difference and its Monte Carlo standard error
   sqrt(se_cxlib^2 + se_mesa^2).  A column agrees if |difference| <= 3 SE at every period
   shown.  Where neither model varies from run to run (quality and feedback_acted: with the
   default capacity of 50 the firm acts on exactly 0 items in periods 1-4 and 50 from then
   on, so quality follows a fixed path), SE is 0 and the values must be equal (to 1e-12).
3. Scale.  cxlib at 1,000,000 customers x 104 periods (``acquisition=12_000``, the same
   1.2 % a period), median of 3 runs, in a fresh subprocess that reports its own peak RSS
   (``VmHWM``; see ``_CHILD`` for why not ``ru_maxrss``) and, before simulating, the peak
   RSS of having imported numpy, pandas and cxlib only.  Targets: <= 8 s and peak <= 1 GB (10^9 bytes).

Everything is seeded: the same command gives the same simulated numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cxlib.feedback import Params, simulate  # noqa: E402

N_SMALL, T_SMALL, ACQ_SMALL = 10_000, 52, 120.0
N_LARGE, T_LARGE, ACQ_LARGE = 1_000_000, 104, 12_000.0
COLUMNS = ["active", "quality", "mean_satisfaction", "nps", "feedback_acted", "profit"]
PERIODS = [1, 13, 26, 39, 52]
TARGET_RATIO, TARGET_SECONDS, TARGET_BYTES = 50.0, 8.0, 1e9
SEED_CXLIB, SEED_MESA, SEED_LARGE = 20_261_124, 40_261_124, 60_261_124


def say(msg: str = "") -> None:
    print(msg, flush=True)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def cores() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(len(os.sched_getaffinity(0)))


# --------------------------------------------------------------------------- large run (child)
# Peak RSS is the kernel's high-water mark of this process's own memory, VmHWM.  Not
# ru_maxrss: on Linux a child's ru_maxrss starts at its parent's RSS at fork/exec (the kernel
# carries it across execve), so it would report this script's own footprint.
_CHILD = r"""
import json, resource, sys, time
def peak_rss():
    try:
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmHWM:"))
    except (OSError, StopIteration):  # not Linux: ru_maxrss (bytes on macOS, KiB elsewhere)
        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r if sys.platform == "darwin" else r * 1024
import numpy as np, pandas as pd
import cxlib, cxlib.feedback
from cxlib.feedback import Params, simulate
baseline = peak_rss()
runs, seed = int(sys.argv[1]), int(sys.argv[2])
params = Params(n_customers=%d, n_periods=%d, acquisition=%r)
times, ends = [], []
for i in range(runs):
    start = time.perf_counter()
    res = simulate(params, rng=seed + i)
    times.append(time.perf_counter() - start)
    ends.append(int(res.periods["active"].iloc[-1]))
    del res
peak = peak_rss()
print(json.dumps({"times": times, "baseline": baseline, "peak": peak, "active_end": ends}))
""" % (N_LARGE, T_LARGE, ACQ_LARGE)


def large_run(runs: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(runs), str(SEED_LARGE)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- agreement
def agreement(cx: list[pd.DataFrame], me: list[pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, bool], float]:
    a = pd.concat(cx, keys=range(len(cx)), names=["run"]).reset_index(level=0)
    b = pd.concat(me, keys=range(len(me)), names=["run"]).reset_index(level=0)
    rows = []
    for col in COLUMNS:
        ga = a[a["period"].isin(PERIODS)].groupby("period")[col]
        gb = b[b["period"].isin(PERIODS)].groupby("period")[col]
        ma, sa, mb, sb = ga.mean(), ga.sem(), gb.mean(), gb.sem()
        fixed = (ga.max() == ga.min()) & (gb.max() == gb.min())  # no run-to-run variation
        for t in PERIODS:
            if fixed[t]:  # deterministic in both models (e.g. quality once capacity binds): must be equal
                diff = float(gb.max()[t] - ga.max()[t])
                se, ok = 0.0, abs(diff) <= 1e-12 * max(1.0, abs(ga.max()[t]))
                z = 0.0 if ok else np.inf
            else:
                diff = mb[t] - ma[t]
                se = float(np.hypot(sa[t], sb[t]))
                z, ok = diff / se, abs(diff) <= 3 * se
            rows.append({"column": col, "period": t, "cxlib": ma[t], "mesa": mb[t], "diff": diff, "se": se,
                         "z": z, "ok": ok})
    table = pd.DataFrame(rows)
    verdicts = table.groupby("column", sort=False)["ok"].all().to_dict()
    max_z = float(table["z"].abs().max())
    return table, verdicts, max_z


def fmt(x: float) -> str:
    return f"{x:,.4f}" if abs(x) < 100 else f"{x:,.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and replications (a smoke run)")
    args = ap.parse_args(argv)
    if args.quick:
        t_cx, t_me, r_cx, r_me, r_large = 3, 2, 40, 8, 1
    else:
        t_cx, t_me, r_cx, r_me, r_large = 7, 5, 200, 40, 3

    try:
        import mesa
        from feedback_mesa import run_mesa
    except ImportError:
        say('Mesa is missing: .venv/bin/pip install -c constraints.txt -e ".[bench]"  (or: make bench)')
        return 2

    wall = time.perf_counter()
    say("Feedback engine (lesson 03): cxlib.feedback.simulate vs a Mesa agent-based model")
    say(f"machine : {cores()} cores (nproc), {platform.machine()}, {platform.system()} {platform.release()}")
    say(f"versions: python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"mesa {mesa.__version__}")
    say(f"mode    : {'quick' if args.quick else 'full'}; timing repeats cxlib {t_cx}, Mesa {t_me}; "
        f"replications cxlib {r_cx}, Mesa {r_me}; large runs {r_large}")

    small = Params(n_customers=N_SMALL, n_periods=T_SMALL, acquisition=ACQ_SMALL)
    say(f"\n[1/3] speed at {N_SMALL:,} customers x {T_SMALL} periods (Params defaults, acquisition={ACQ_SMALL:g})")
    cx_runs, cx_times = [], []
    for i in range(max(t_cx, r_cx)):
        dt, res = timed(simulate, small, rng=SEED_CXLIB + i)
        cx_runs.append(res.periods)
        if i < t_cx:
            cx_times.append(dt)
            say(f"  cxlib run {i + 1}/{t_cx}: {dt * 1e3:8.1f} ms")
    me_runs, me_times = [], []
    for i in range(max(t_me, r_me)):
        dt, frame = timed(run_mesa, small, seed=SEED_MESA + i)
        me_runs.append(frame)
        if i < t_me:
            me_times.append(dt)
            say(f"  Mesa  run {i + 1}/{t_me}: {dt * 1e3:8.1f} ms")
        elif (i + 1) % 10 == 0 or i + 1 == r_me:
            say(f"  Mesa  replication {i + 1}/{r_me}")
    med_cx, med_me = statistics.median(cx_times), statistics.median(me_times)
    ratio = med_me / med_cx
    say(f"  median: cxlib {med_cx * 1e3:.1f} ms, Mesa {med_me * 1e3:.1f} ms, ratio Mesa/cxlib {ratio:.0f}x")

    cx_rep, me_rep = cx_runs[:r_cx], me_runs[:r_me]
    say(f"\n[2/3] agreement of mean trajectories: {r_cx} cxlib vs {r_me} Mesa replications "
        f"(diff = Mesa - cxlib, SE = sqrt(se_cxlib^2 + se_mesa^2))")
    table, verdicts, max_z = agreement(cx_rep, me_rep)
    say(f"  {'column':<18}{'period':>6}{'cxlib':>14}{'mesa':>14}{'diff':>12}{'SE':>11}{'z':>7}")
    for _, r in table.iterrows():
        say(f"  {r['column']:<18}{r['period']:>6}{fmt(r['cxlib']):>14}{fmt(r['mesa']):>14}{fmt(r['diff']):>12}"
            f"{fmt(r['se']):>11}{r['z']:>7.2f}")
    for col in COLUMNS:
        sub = table[table["column"] == col]
        note = " (no run-to-run variation: equal values required)" if (sub["se"] == 0).all() else ""
        say(f"  {col:<18} {'agree' if verdicts[col] else 'DISAGREE'}: max |z| {sub['z'].abs().max():.2f}{note}")
    agree = all(verdicts.values())
    say(f"  overall max |z| = {max_z:.2f} over {len(table)} comparisons")

    say(f"\n[3/3] cxlib at {N_LARGE:,} customers x {T_LARGE} periods (acquisition={ACQ_LARGE:g}), "
        f"{r_large} run(s) in a fresh subprocess")
    large = large_run(r_large)
    for i, dt in enumerate(large["times"]):
        say(f"  run {i + 1}/{r_large}: {dt:.2f} s (active at the end {large['active_end'][i]:,})")
    med_large = statistics.median(large["times"])
    peak, base = large["peak"], large["baseline"]
    say(f"  median {med_large:.2f} s; peak RSS {peak / 1e6:.0f} MB "
        f"(imports alone {base / 1e6:.0f} MB, simulation adds {(peak - base) / 1e6:.0f} MB)")

    ok = {
        "ratio": ratio >= TARGET_RATIO,
        "agree": agree,
        "time": med_large <= TARGET_SECONDS,
        "memory": peak <= TARGET_BYTES,
    }
    pf = {True: "PASS", False: "FAIL"}
    say("\n" + "=" * 78)
    say(f"SUMMARY  ({cores()} cores, python {platform.python_version()}, numpy {np.__version__}, "
        f"mesa {mesa.__version__}{', QUICK' if args.quick else ''})")
    say(f"  10k x 52   cxlib {med_cx * 1e3:7.1f} ms | Mesa {med_me * 1e3:7.1f} ms | ratio {ratio:5.0f}x"
        f"   target >= {TARGET_RATIO:.0f}x   {pf[ok['ratio']]}")
    say(f"  agreement  {sum(verdicts.values())}/{len(verdicts)} columns within 3 SE at periods "
        f"{', '.join(map(str, PERIODS))}; max |z| {max_z:.2f}   {pf[ok['agree']]}")
    say(f"  1M x 104   median {med_large:5.2f} s   target <= {TARGET_SECONDS:.0f} s   {pf[ok['time']]}")
    say(f"  1M x 104   peak RSS {peak / 1e6:5.0f} MB (imports alone {base / 1e6:.0f} MB)   target <= 1 GB   "
        f"{pf[ok['memory']]}")
    say(f"  overall    {pf[all(ok.values())]}   (benchmark wall time {time.perf_counter() - wall:.0f} s)")
    say("=" * 78)
    return 0 if all(ok.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
