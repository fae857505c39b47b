"""Benchmark of cxlib.journey's Markov attribution (lesson 08) against ChannelAttribution's markov_model.

Usage::

    python benchmarks/journey.py            # full run, about 30 s on 2 cores
    python benchmarks/journey.py --quick    # 100,000 simulated journeys, fewer repeats and seeds (~6 s)
    python benchmarks/journey.py --profile  # also cProfile one cxlib call of the largest case

The issue: "against ChannelAttribution's markov_model (benchmark-only dependency; installable
from its source distribution) on channel_paths and on 1,000,000 simulated paths: removal
effects within its run-to-run spread (it simulates; cxlib is exact), time ratio recorded;
goal at least 10x faster."

``ChannelAttribution`` 2.2.5 is a benchmark-only dependency, pinned in constraints.txt but
not in the ``bench`` extra (every extra must also be in environment.yml, see
tests/test_environment.py): ``.venv/bin/pip install -c constraints.txt ChannelAttribution``.
It is published on PyPI as a source distribution only, so pip compiles it with g++ (about
70 s); it imports matplotlib (a dependency of cxlib) and prints an advertising banner when
imported, which this script swallows.

**The same model.** Both fit an order-1 Markov chain with ``(start)``, ``(conversion)`` and
``(null)`` states to aggregated paths (one row per distinct path string ``"a > b > c"`` with
its conversions and non-converting journeys) and define a channel's removal effect as the
relative drop in conversion probability when journeys that reach it are lost.  cxlib solves
the absorbing chain exactly (``(I - Q) x = r`` for the whole chain and once per channel
removed, all in one stacked ``numpy.linalg.solve``); ChannelAttribution
simulates ``nsim_start`` = 100,000 journeys from the fitted chain in ``nfold`` = 10 folds of
10,000 (fold ``r`` with ``std::mt19937(seed + r)``), takes, per fold, the share of
converting simulated journeys that visited each channel (the same quantity: converting
without ever visiting ``c`` is converting in the chain with ``c`` removed), and returns the
fold closest to the folds' median (``functions.cpp``, ``markov_model_cpp``).
ChannelAttribution merges back-to-back repeats of a channel before counting transitions;
cxlib keeps them as self-loops, which delay a journey but change no conversion probability
or removal effect.  The script checks both claims: ChannelAttribution's transition matrix
equals cxlib's fitted with ``read_paths(..., collapse_repeats=True)`` (to 1e-9), and cxlib's
removal effects are the same with and without collapsing (to 1e-9).

**Cases.**

1. ``channel_paths``: ChannelAttribution's own example data (10,000 distinct paths, 12
   channels, 19,785 conversions, with values).
2. ``lesson chain``: 1,000,000 journeys simulated from the lesson's known chain
   (``MarkovModel.from_matrix(data.journey_matrix())``, 7 touchpoints) with
   ``journey.simulate_journeys(truth, 1_000_000, rng=1)``; the aggregated table has about
   1,600 distinct paths (100,000 journeys with ``--quick``).
3. ``channel_paths chain``: 1,000,000 journeys simulated the same way from the chain fitted
   to ``channel_paths`` (12 channels, longer journeys: about 164,000 distinct paths).

``simulate_journeys`` returns path tuples; both libraries get the same table with the
tuples joined back into ``" > "`` strings (not timed), and no value column in cases 2-3 (the
simulated journeys carry none).

**Timing.** Each call is timed whole from that table: cxlib ``read_paths`` + ``fit_markov``
(order 1) + ``removal_effects`` + ``attribution`` (which reuses the model's solve);
ChannelAttribution ``markov_model(order=1, out_more=True, ncore=1, flg_pro=False)``, which
returns the attribution, the removal effects and the transition matrix.  After one warm-up
call each on the first 200 rows, the repeats are interleaved (cxlib then ChannelAttribution,
then the other way round) so both meet the same load on a shared machine; ChannelAttribution's
``k``-th timed call uses ``seed=10 k``.  Medians of wall-clock time decide; the ratio in this
process's CPU time (``time.process_time``) is printed beside it.  cxlib's calls are also
split by stage (wall clock between the four calls).  Target: ChannelAttribution / cxlib >= 10
in every case.

**Agreement.** ChannelAttribution is run with seeds 0, 10, 20, ..., 90 (10 seeds; 5 with
``--quick``): seeds must differ by at least ``nfold`` = 10, because seed ``s`` seeds fold
``r`` with ``s + r`` (seeds 0 and 1 share nine of their ten folds).  Per channel, cxlib's
exact removal effect must lie within 3 SD of the mean of ChannelAttribution's runs, with the
SD the larger of the runs' sample SD and the binomial SE of one fold,
``sqrt(p (1 - p) / conversions in a fold)``, so that a rare channel whose runs all agree is
not held to zero; the attributed conversions likewise (floor scaled by total conversions /
sum of removal effects).  Both libraries' attributed conversions must add up to the data's
conversions (1e-6 relative).  In cases 2-3 both are also compared with the **true** removal
effects of the generating chain: cxlib's within 3 sampling SEs (the binomial SE
``sqrt(p (1 - p) / conversions in the data)``, which the maximum-likelihood plug-in cannot
exceed asymptotically), ChannelAttribution's seed-0 call within 3 x the root sum of squares
of that SE and its simulation SD.  Attributed values are printed but not compared: cxlib
spreads the total value by the conversion shares, ChannelAttribution simulates a value for
each converting journey from the value distribution of its last channel.  Exit code 0 only
if every target passes.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib.metadata
import io
import math
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

import cxlib
from cxlib import data, journey

TARGET_RATIO = 10.0
NFOLD = 10  # ChannelAttribution's default nfold; its seeds must be this far apart
Z = 3.0
TM_TOL = 1e-9
STAGES = ("read_paths", "fit_markov", "removal_effects", "attribution")


def say(msg: str = "") -> None:
    print(msg, flush=True)


def cores() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(len(os.sched_getaffinity(0)))


def load() -> str:
    a = os.getloadavg()
    return f"{a[0]:.2f} / {a[1]:.2f} / {a[2]:.2f}"


# --------------------------------------------------------------------------- the two calls


def run_cxlib(table: pd.DataFrame, value: str | None) -> tuple[dict, dict[str, float]]:
    """cxlib from the string table: read_paths + fit_markov + removal_effects + attribution."""
    t0 = time.perf_counter()
    paths = journey.read_paths(table, value=value)
    t1 = time.perf_counter()
    model = journey.fit_markov(paths, order=1)
    t2 = time.perf_counter()
    effects = journey.removal_effects(model)
    t3 = time.perf_counter()
    credit = journey.attribution(model)
    t4 = time.perf_counter()
    stages = dict(zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)))
    return {"model": model, "effects": effects, "credit": credit}, stages


def run_ca(table: pd.DataFrame, value: str | None, seed: int) -> tuple[dict, str]:
    """ChannelAttribution's markov_model, order 1, its defaults otherwise (its log captured)."""
    import ChannelAttribution

    with contextlib.redirect_stdout(io.StringIO()) as log:
        res = ChannelAttribution.markov_model(table, var_path="path", var_conv="total_conversions", var_value=value,
                                              var_null="total_null", order=1, out_more=True, ncore=1, seed=seed,
                                              flg_pro=False)
    return res, log.getvalue()


def ca_frame(res: dict) -> pd.DataFrame:
    """Removal effects and attributed conversions (and value) indexed by channel."""
    out = res["result"].set_index("channel_name")
    rem = res["removal_effects"].set_index("channel_name")
    col = "removal_effects_conversion" if "removal_effects_conversion" in rem else "removal_effect"
    frame = pd.DataFrame({"removal_effect": rem[col], "conversions": out["total_conversions"]})
    if "total_conversion_value" in out:
        frame["value"] = out["total_conversion_value"]
    return frame


def ca_simulations(log: str) -> tuple[int, str]:
    """Simulations per fold (ChannelAttribution adds up its iterations) and its log, condensed."""
    sims = [int(n) for n in re.findall(r"Number of simulations: (\d+)", log)]
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    return sum(sims) // NFOLD if sims else 100_000 // NFOLD, " | ".join(lines)


def clocked(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


# --------------------------------------------------------------------------- checks


def transition_check(table: pd.DataFrame, value: str | None, res: dict, effects: pd.DataFrame) -> tuple[float, float, str]:
    """ChannelAttribution's transition matrix against cxlib's fitted with collapsed repeats;
    cxlib's removal effects with and without collapsing."""
    collapsed = journey.fit_markov(journey.read_paths(table, value=value, collapse_repeats=True))
    p = collapsed.transition_matrix
    names = list(res["result"]["channel_name"])  # ChannelAttribution numbers channels 1..n in this order
    ident = {str(i + 1): name for i, name in enumerate(names)}
    ident.update({s: s for s in journey.RESERVED})
    tm = res["transition_matrix"]
    seen = set()
    worst = 0.0
    for a, b, prob in zip(tm["channel_from"].astype(str), tm["channel_to"].astype(str), tm["transition_probability"]):
        fa, fb = ident.get(a, a), ident.get(b, b)
        seen.add((fa, fb))
        worst = max(worst, abs(float(p.loc[fa, fb]) - float(prob)) if fa in p.index and fb in p.columns else math.inf)
    arr = p.to_numpy()
    nonzero = {(p.index[i], p.columns[j]) for i, j in zip(*np.nonzero(arr))
               if p.index[i] not in ("(conversion)", "(null)")}
    missing = nonzero - seen
    if missing:  # a transition cxlib has and ChannelAttribution does not
        worst = max(worst, max(float(p.loc[a, b]) for a, b in missing))
    d_collapse = float((journey.removal_effects(collapsed)["removal_effect"]
                        - effects["removal_effect"]).abs().max())
    return worst, d_collapse, f"{len(tm)} transitions (cxlib, collapsed: {len(nonzero)})"


def spread(cx: pd.Series, runs: pd.DataFrame, floor: pd.Series) -> pd.DataFrame:
    """cxlib's exact values against ChannelAttribution's runs (channels in rows, seeds in columns)."""
    mean, sd = runs.mean(axis=1), runs.std(axis=1, ddof=1)
    scale = np.maximum(sd, floor.reindex(runs.index))
    cxv = cx.reindex(runs.index)
    out = pd.DataFrame({"cxlib": cxv, "ca_mean": mean, "ca_sd": sd, "ca_min": runs.min(axis=1),
                        "ca_max": runs.max(axis=1), "scale": scale})
    out["z"] = (out["cxlib"] - mean) / scale
    out["within"] = out["z"].abs() <= Z
    out["in_range"] = (cxv >= out["ca_min"]) & (cxv <= out["ca_max"])
    return out


# --------------------------------------------------------------------------- one case


def compare(label: str, table: pd.DataFrame, value: str | None, reps: int, seeds: list[int],
            truth: pd.Series | None = None) -> dict:
    n_journeys = int(table["total_conversions"].sum() + table["total_null"].sum())
    n_conv = float(table["total_conversions"].sum())
    say(f"  table: {len(table):,} distinct paths, {n_journeys:,} journeys, {n_conv:,.0f} conversions "
        f"({n_conv / n_journeys:.4f}); longest path {int(table['path'].str.count('>').max()) + 1} touches")
    small = table.iloc[:200]
    run_cxlib(small, value)  # warm-up: imports (scipy.sparse), first calls
    run_ca(small, value, 0)
    t_cx: list[tuple[float, float]] = []
    t_ca: list[tuple[float, float]] = []
    stages: list[dict[str, float]] = []
    ca_runs: dict[int, tuple[dict, str]] = {}
    cx_out = None
    for k in range(reps):
        order = ("cx", "ca") if k % 2 == 0 else ("ca", "cx")
        for who in order:
            if who == "cx":
                w, c, (cx_out, st) = clocked(lambda: run_cxlib(table, value))
                t_cx.append((w, c))
                stages.append(st)
            else:
                seed = seeds[k % len(seeds)]
                w, c, out = clocked(lambda s=seed: run_ca(table, value, s))
                t_ca.append((w, c))
                ca_runs[seed] = out
    extra = [s for s in seeds if s not in ca_runs]
    t_extra = []
    for s in extra:  # the rest of the seeds, for the spread (timed, not in the ratio)
        w, c, ca_runs[s] = clocked(lambda s=s: run_ca(table, value, s))
        t_extra.append(w)
    m_cx, c_cx = statistics.median(w for w, _ in t_cx), statistics.median(c for _, c in t_cx)
    m_ca, c_ca = statistics.median(w for w, _ in t_ca), statistics.median(c for _, c in t_ca)
    effects, credit, model = cx_out["effects"], cx_out["credit"], cx_out["model"]
    frames = {s: ca_frame(ca_runs[s][0]) for s in seeds}
    fold_sims, log0 = ca_simulations(ca_runs[seeds[0]][1])
    p_conv = model.conversion_probability()
    conv_fold = fold_sims * p_conv  # expected converting journeys in one simulated fold
    re_cx = effects["removal_effect"]
    floor_re = np.sqrt(re_cx * (1 - re_cx) / conv_fold)
    floor_conv = floor_re * n_conv / re_cx.sum()
    re_tab = spread(re_cx, pd.DataFrame({s: f["removal_effect"] for s, f in frames.items()}), floor_re)
    conv_tab = spread(credit["conversions"], pd.DataFrame({s: f["conversions"] for s, f in frames.items()}),
                      floor_conv)
    tm_diff, d_collapse, tm_note = transition_check(table, value, ca_runs[seeds[0]][0], effects)
    totals_cx = abs(float(credit["conversions"].sum()) - n_conv) / n_conv
    totals_ca = max(abs(float(f["conversions"].sum()) - n_conv) / n_conv for f in frames.values())
    ok = {
        "same channels": sorted(frames[seeds[0]].index) == sorted(re_cx.index),
        "transition matrix = cxlib collapsed": tm_diff <= TM_TOL,
        "collapsing repeats changes no removal effect": d_collapse <= TM_TOL,
        "removal effects within CA's spread": bool(re_tab["within"].all()),
        "attributed conversions within CA's spread": bool(conv_tab["within"].all()),
        "total attributed conversions = data": max(totals_cx, totals_ca) <= 1e-6,
        f"speed >= {TARGET_RATIO:g}x": m_ca / m_cx >= TARGET_RATIO,
    }

    say(f"  ChannelAttribution seed {seeds[0]}: {log0}")
    say(f"  chain: conversion probability {p_conv:.6f} (cxlib, exact); ChannelAttribution {tm_note}, max |difference| "
        f"{tm_diff:.1e}; cxlib's removal effects with / without collapsed repeats differ by {d_collapse:.1e}")
    say(f"  removal effects: cxlib (exact) vs ChannelAttribution over {len(seeds)} seeds {seeds[0]}..{seeds[-1]} "
        f"(one fold ~ {fold_sims:,} simulated journeys, ~ {conv_fold:,.0f} converting)")
    say(f"    {'channel':10s} {'cxlib':>9s} {'CA mean':>9s} {'CA SD':>8s} {'CA min':>9s} {'CA max':>9s} "
        f"{'z':>6s}   {'conv cxlib':>10s} {'CA mean':>9s} {'CA SD':>7s} {'z':>6s}   {'share':>6s}"
        + ("   value cxlib  CA seed 0" if value else ""))
    for ch in re_tab.sort_values("cxlib", ascending=False).index:
        r, c = re_tab.loc[ch], conv_tab.loc[ch]
        flag = "" if r["within"] and c["within"] else "  <-- OUTSIDE"
        vals = (f"   {credit.loc[ch, 'value']:11.1f} {frames[seeds[0]].loc[ch, 'value']:10.1f}" if value else "")
        say(f"    {ch:10s} {r['cxlib']:9.5f} {r['ca_mean']:9.5f} {r['ca_sd']:8.5f} {r['ca_min']:9.5f} "
            f"{r['ca_max']:9.5f} {r['z']:6.2f}   {c['cxlib']:10.1f} {c['ca_mean']:9.1f} {c['ca_sd']:7.1f} "
            f"{c['z']:6.2f}   {effects.loc[ch, 'share']:6.4f}{vals}{flag}")
    say(f"    within {Z:g} SD: removal effects {int(re_tab['within'].sum())}/{len(re_tab)}, attributed conversions "
        f"{int(conv_tab['within'].sum())}/{len(conv_tab)}; inside CA's min-max: {int(re_tab['in_range'].sum())}/"
        f"{len(re_tab)} and {int(conv_tab['in_range'].sum())}/{len(conv_tab)} (informative); max |z| "
        f"{re_tab['z'].abs().max():.2f} and {conv_tab['z'].abs().max():.2f}")
    say(f"    total attributed conversions: data {n_conv:,.3f}, cxlib {float(credit['conversions'].sum()):,.3f}, "
        f"ChannelAttribution {', '.join(sorted({f'{float(f.conversions.sum()):,.3f}' for f in frames.values()}))}")

    truth_tab = None
    if truth is not None:
        t = truth.reindex(re_cx.index)
        se = np.sqrt(t * (1 - t) / n_conv)
        ca0 = frames[seeds[0]]["removal_effect"].reindex(t.index)
        sim_sd = re_tab["scale"].reindex(t.index)
        z_cx = (re_cx - t) / se
        z_ca = (ca0 - t) / np.sqrt(se ** 2 + sim_sd ** 2)
        truth_tab = pd.DataFrame({"truth": t, "cxlib": re_cx, "z_cx": z_cx, "ca": ca0, "z_ca": z_ca, "se": se})
        ok["cxlib within sampling error of the truth"] = bool((z_cx.abs() <= Z).all())
        ok["CA (seed 0) within sampling + simulation error of the truth"] = bool((z_ca.abs() <= Z).all())
        say(f"  against the TRUE removal effects of the generating chain (sampling SE from {n_conv:,.0f} conversions):")
        say(f"    {'channel':10s} {'truth':>9s} {'cxlib':>9s} {'z':>6s}   {'CA s0':>9s} {'z':>6s}   {'sampling SE':>11s}")
        for ch in t.sort_values(ascending=False).index:
            r = truth_tab.loc[ch]
            say(f"    {ch:10s} {r['truth']:9.5f} {r['cxlib']:9.5f} {r['z_cx']:6.2f}   {r['ca']:9.5f} {r['z_ca']:6.2f}   "
                f"{r['se']:11.6f}")
        say(f"    max |cxlib - truth| {float((re_cx - t).abs().max()):.5f}, max |CA seed 0 - truth| "
            f"{float((ca0 - t).abs().max()):.5f}; max |z| {z_cx.abs().max():.2f} and {z_ca.abs().max():.2f}")

    med_st = {k: statistics.median(s[k] for s in stages) for k in STAGES}
    say(f"  time cxlib              {', '.join(f'{w:.3f}' for w, _ in t_cx)} s -> median {m_cx:.3f} s wall, "
        f"{c_cx:.3f} s CPU")
    say(f"  time ChannelAttribution {', '.join(f'{w:.3f}' for w, _ in t_ca)} s -> median {m_ca:.3f} s wall, "
        f"{c_ca:.3f} s CPU" + (f"  (extra seeds, not in the ratio: {', '.join(f'{w:.2f}' for w in t_extra)} s)"
                               if t_extra else ""))
    say(f"  cxlib by stage (medians): " + ", ".join(f"{k} {v:.3f} s" for k, v in med_st.items()))
    say(f"  ratio ChannelAttribution / cxlib {m_ca / m_cx:.2f}x wall, {c_ca / c_cx:.2f}x CPU "
        f"(target >= {TARGET_RATIO:g}x); load average {load()}")
    return {"label": label, "rows": len(table), "journeys": n_journeys, "channels": len(re_cx), "cx": m_cx,
            "ca": m_ca, "ratio": m_ca / m_cx, "ratio_cpu": c_ca / c_cx, "reps": reps, "seeds": len(seeds),
            "re_tab": re_tab, "conv_tab": conv_tab, "truth": truth_tab, "tm_diff": tm_diff, "stages": med_st,
            "ok": ok, "table": table, "value": value}


def simulated_table(model: journey.MarkovModel, n: int) -> tuple[pd.DataFrame, float]:
    start = time.perf_counter()
    sim = journey.simulate_journeys(model, n, rng=1)
    table = pd.DataFrame({"path": [" > ".join(p) for p in sim["path"]],
                          "total_conversions": sim["conversions"].to_numpy(),
                          "total_null": sim["nulls"].to_numpy()})
    return table, time.perf_counter() - start


def profile(table: pd.DataFrame, value: str | None, lines: int = 18) -> str:
    prof = cProfile.Profile()
    prof.enable()
    run_cxlib(table, value)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats("cxlib", lines)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="100,000 simulated journeys, fewer repeats and seeds")
    ap.add_argument("--profile", action="store_true", help="cProfile one cxlib call of the largest case")
    args = ap.parse_args(argv)
    if args.quick:
        n_sim, reps, reps_big, n_seeds = 100_000, 3, 2, 5
    else:
        n_sim, reps, reps_big, n_seeds = 1_000_000, 7, 3, 10
    seeds = [NFOLD * k for k in range(n_seeds)]
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # its import prints an advertising banner
            import ChannelAttribution  # noqa: F401
    except ImportError as exc:
        say(f"ChannelAttribution is missing ({exc}): .venv/bin/pip install -c constraints.txt ChannelAttribution "
            "(version 2.2.5, a source distribution: pip compiles it with g++, about 70 s; it imports matplotlib)")
        return 2
    import scipy

    wall = time.perf_counter()
    load_start = os.getloadavg()
    versions = (f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, scipy "
                f"{scipy.__version__}, cxlib {cxlib.__version__}, ChannelAttribution "
                f"{importlib.metadata.version('ChannelAttribution')}")
    say("Markov attribution (lesson 08): cxlib.journey (exact absorbing chain) vs ChannelAttribution.markov_model "
        "(simulation)")
    say(f"machine : {cores()} cores (nproc), {platform.machine()}, {platform.system()} {platform.release()}, "
        f"load average {load()} (1 / 5 / 15 min)")
    say(f"versions: {versions}")
    say(f"mode    : {'quick' if args.quick else 'full'}; simulated journeys {n_sim:,} (rng=1); timing repeats "
        f"{reps}, {reps}, {reps_big} (interleaved pairs); ChannelAttribution seeds {seeds}")
    results = []

    say("\n[1/3] channel_paths: ChannelAttribution's example data, with values")
    raw = data.load("channel_paths")
    results.append(compare("channel_paths", raw, "total_conversion_value", reps, seeds))

    say(f"\n[2/3] lesson chain: {n_sim:,} journeys from MarkovModel.from_matrix(data.journey_matrix())")
    truth_model = journey.MarkovModel.from_matrix(data.journey_matrix())
    table, secs = simulated_table(truth_model, n_sim)
    say(f"  simulated and joined into strings in {secs:.1f} s (not timed)")
    results.append(compare(f"lesson chain {n_sim // 1000:,}k", table, None, reps, seeds,
                           journey.removal_effects(truth_model)["removal_effect"]))

    say(f"\n[3/3] channel_paths chain: {n_sim:,} journeys from the chain fitted to channel_paths")
    cp_model = journey.fit_markov(journey.read_paths(raw))
    table, secs = simulated_table(cp_model, n_sim)
    say(f"  simulated and joined into strings in {secs:.1f} s (not timed)")
    results.append(compare(f"channel_paths chain {n_sim // 1000:,}k", table, None, reps_big, seeds,
                           journey.removal_effects(cp_model)["removal_effect"]))
    if args.profile:
        big = results[-1]
        say(f"\n  cProfile of one cxlib call on {big['label']} ({big['rows']:,} distinct paths; the profiler inflates "
            "Python-level code about 2-3x):")
        say(profile(big["table"], big["value"]))

    load_end = os.getloadavg()
    pf = {True: "PASS", False: "FAIL"}
    width = 140
    say("\n" + "=" * width)
    say(f"SUMMARY  ({cores()} cores, shared; load average {load_start[0]:.2f} at start, {load_end[0]:.2f} at end; "
        f"{versions}{', QUICK' if args.quick else ''})")
    say(f"  {'case':26s} {'paths':>8s} {'journeys':>10s} {'max|z| RE':>9s} {'conv':>6s} {'truth cx':>8s} "
        f"{'CA':>5s} {'cxlib s':>8s} {'CA s':>7s} {'CA/cxlib':>8s} {'(CPU)':>7s}  verdict")
    failed = []
    for r in results:
        t = r["truth"]
        tz = (f"{t['z_cx'].abs().max():8.2f} {t['z_ca'].abs().max():5.2f}" if t is not None else f"{'-':>8s} {'-':>5s}")
        bad = [k for k, v in r["ok"].items() if not v]
        failed += [f"{r['label']}: {k}" for k in bad]
        agree = all(v for k, v in r["ok"].items() if not k.startswith("speed"))
        verdict = (f"agreement {pf[agree]}, speed {pf[r['ratio'] >= TARGET_RATIO]}")
        say(f"  {r['label']:26s} {r['rows']:8,d} {r['journeys']:10,d} {r['re_tab']['z'].abs().max():9.2f} "
            f"{r['conv_tab']['z'].abs().max():6.2f} {tz} {r['cx']:8.3f} {r['ca']:7.3f} {r['ratio']:7.2f}x "
            f"{r['ratio_cpu']:6.2f}x  {verdict}  (medians of {r['reps']}, {r['seeds']} seeds)")
    say(f"  z: (cxlib - mean of CA's seeds) / max(SD, one fold's binomial SE) for removal effects (RE) and attributed "
        f"conversions; truth: |z| of cxlib and CA's seed-0 call against the generating chain; limits {Z:g}")
    say(f"  speed target: ChannelAttribution / cxlib >= {TARGET_RATIO:g}x wall clock in every case")
    say(f"  overall    {pf[not failed]}{'  (failed: ' + '; '.join(failed) + ')' if failed else ''}  "
        f"(benchmark wall time {time.perf_counter() - wall:.0f} s)")
    say("=" * width)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
