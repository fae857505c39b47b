"""Benchmark of cxlib.offers.simulate_bandit (lesson 07) against a plain per-round Python loop.

Usage::

    python benchmarks/offers.py            # full run, about 2 minutes on 2 cores
    python benchmarks/offers.py --reference lists  # against the fastest plain-Python loop
    python benchmarks/offers.py --quick    # 1,000 runs x 1,000 rounds, smaller loop samples
    python benchmarks/offers.py --profile  # also where the vectorised time goes (statements, cProfile)

The issue: "the vectorised bandit against a plain per-round Python loop of the same policy
(the way tutorials write it), same seed, same answers: goal at least 50x faster at 1,000 runs
x 10,000 rounds."

**The reference.** :func:`loop_bandit` below is each policy written with a loop over rounds
and, inside it, a loop over runs; nothing is vectorised across runs.  ``--reference numpy``
(the default, the target's reference) keeps each run's wins and plays in small numpy arrays
over the arms and draws a run's posterior samples with one numpy call, the way bandit
tutorials write it; ``--reference lists`` uses Python lists and draws every random number one
at a time with a scalar call (``pol.random()``, ``pol.standard_gamma(shape)``), the fastest
plain-Python form.  Both consume exactly the random numbers ``simulate_bandit`` consumes, in
the same order, so they give the same choices, rewards and regret, bit for bit:

* the two streams are ``numpy.random.default_rng([seed, 1])`` (customers) and
  ``default_rng([seed, 2])`` (the policy), which is what ``cxlib._rng.substream`` builds;
* the customers (segment uniforms, then answer uniforms) are drawn in the same chunks of
  rounds as ``simulate_bandit`` (``max(1, min(horizon, 2_000_000 // runs))`` rounds), as
  whole arrays turned into Python lists: that is the environment, not the policy;
* the policy's numbers are drawn per run, in run order: for numpy's ``Generator``,
  ``random(size=k)`` equals ``k`` successive ``random()`` calls and ``standard_gamma(a)``
  equals successive scalar ``standard_gamma(a_i)`` calls in C order (checked at start-up).
  Epsilon-greedy draws, each round, the tie-break noise of every run and arm, then the
  exploration coin of every run, then a random arm for every run (also when it does not
  explore), because the vectorised code draws its three arrays in that order.  Thompson
  sampling draws Beta(1 + wins, 1 + losses) as g1 / (g1 + g2) of two gamma draws (what
  ``numpy``'s own ``beta`` does), the success shapes of all arms then the failure shapes.

**Agreement.** ``choices``, ``rewards`` and ``regret`` must be equal (``array_equal``) for
every policy on small cases (20 runs x 300 rounds, 3 arms; a 3 x 3 segment table with
shares 0.5 / 0.3 / 0.2), on a case spanning two environment chunks (full run only) and on
each timed loop subset (its first repeat).

**Speed.** ``simulate_bandit`` at 1,000 runs x 10,000 rounds (1,000 x 1,000 with
``--quick``), median of 3 calls, on the lesson's table (``cxlib.data.OFFER_RATES``, shares
``OFFER_SEGMENT_SHARES``).  The loop takes minutes at that size, so it is timed on two
subsets, (a) 20 runs x the full horizon and (b) all runs x 200 rounds (median of 3 each; 1
with ``--quick``; 50 rounds in (b)), and scaled linearly in runs x rounds to the full size;
the figure is an **extrapolation**, and both subsets' cost per run-round is printed to show
the linearity.  The ratio uses the cheaper of the two (the conservative choice).  The
repeats are interleaved (vectorised, loop (a), loop (b), and again), so that on a shared
machine all three meet the same load; wall-clock medians decide, the same ratio in this
process's CPU time (``time.process_time``, insensitive to other processes) is printed
beside it.  Target: extrapolated loop / vectorised >= 50 (wall clock) for every policy.
Exit code 0 only if every target passes.  ``--profile`` times the vectorised round loop
statement by statement (cProfile cannot see numpy's Generator methods or ufunc operators:
they count as ``simulate_bandit``'s own time) and adds cProfile listings.
"""

from __future__ import annotations

import argparse
import bisect
import cProfile
import io
import itertools
import math
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time

import numpy as np

from cxlib import data
from cxlib.offers import POLICIES, simulate_bandit

TARGET_RATIO = 50.0
SEED = 2026
SMALL_RATES = [0.10, 0.12, 0.15]
TABLE = [[data.OFFER_RATES[s][o] for o in data.OFFERS] for s in data.OFFER_SEGMENTS]
SHARES = [data.OFFER_SEGMENT_SHARES[s] for s in data.OFFER_SEGMENTS]


def say(msg: str = "") -> None:
    print(msg, flush=True)


def cores() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(len(os.sched_getaffinity(0)))


# --------------------------------------------------------------------------- the reference


def loop_bandit(policy, rates, horizon, n_runs, shares=None, epsilon=0.1, seed=0, style="numpy"):
    """The policy as a tutorial writes it: loops over rounds and runs.

    ``style="numpy"`` (the reference of the target): each run keeps its wins and plays in
    small numpy arrays over the arms, and Thompson sampling draws the arms' posterior
    samples with one numpy call, the way most bandit tutorials write it.
    ``style="lists"``: Python lists and one scalar draw at a time, the fastest plain-Python
    form we found (reported beside it).  Both consume the same random numbers in the same
    order as ``simulate_bandit``, so all three give the same answers.

    ``rates`` is a list of per-segment lists (one row for a plain vector of arms).  Returns
    ``(choices, rewards, regret)`` as (n_runs, horizon) arrays of int8, bool and float32.
    """
    rates = [[float(r) for r in row] for row in rates]
    n_seg, n_arms = len(rates), len(rates[0])
    shares = [1.0 / n_seg] * n_seg if shares is None else [float(s) for s in shares]
    cum_shares = list(itertools.accumulate(shares))
    cum_shares[-1] = 1.0
    best = [max(row) for row in rates]
    env = np.random.default_rng([seed, 1])  # the customers
    pol = np.random.default_rng([seed, 2])  # the policy's own coin flips
    by_segment = policy == "thompson_by_segment"
    cells = n_seg * n_arms if by_segment else n_arms
    lists = style == "lists"
    if lists:
        wins = [[0] * cells for _ in range(n_runs)]
        plays = [[0] * cells for _ in range(n_runs)]
    else:
        wins = [np.zeros(cells) for _ in range(n_runs)]
        plays = [np.zeros(cells) for _ in range(n_runs)]
    choices = [[0] * horizon for _ in range(n_runs)]
    rewards = [[False] * horizon for _ in range(n_runs)]
    regret = [[0.0] * horizon for _ in range(n_runs)]
    chunk = max(1, min(horizon, 2_000_000 // n_runs))
    for start in range(0, horizon, chunk):
        stop = min(horizon, start + chunk)
        seg_u = env.random((stop - start, n_runs)).tolist()
        answer_u = env.random((stop - start, n_runs)).tolist()
        for t in range(start, stop):
            seg_row, answer_row = seg_u[t - start], answer_u[t - start]
            if policy == "epsilon_greedy":  # the vectorised code draws these three in this order
                noise = [[pol.random() for _ in range(n_arms)] for _ in range(n_runs)]
                coins = [pol.random() for _ in range(n_runs)]
                random_arms = [min(int(pol.random() * n_arms), n_arms - 1) for _ in range(n_runs)]
            for r in range(n_runs):
                seg = min(bisect.bisect_right(cum_shares, seg_row[r]), n_seg - 1) if n_seg > 1 else 0
                base = seg * n_arms if by_segment else 0
                w, n = wins[r], plays[r]
                if policy == "fixed_split":
                    arm = min(int(pol.random() * n_arms), n_arms - 1)
                elif policy == "epsilon_greedy" and not lists:
                    if coins[r] < epsilon:
                        arm = random_arms[r]
                    else:
                        mean = np.where(n > 0, w / np.maximum(n, 1), np.inf)
                        arm = int(np.argmax(mean + np.array(noise[r]) * 1e-12))
                elif policy != "epsilon_greedy" and not lists:  # Thompson, numpy per run
                    g = pol.standard_gamma(np.concatenate([1.0 + w[base:base + n_arms],
                                                           1.0 + n[base:base + n_arms] - w[base:base + n_arms]]))
                    arm = int(np.argmax(g[:n_arms] / (g[:n_arms] + g[n_arms:])))
                elif policy == "epsilon_greedy":
                    if coins[r] < epsilon:
                        arm = random_arms[r]
                    else:  # best observed rate; arms never tried first; tiny noise breaks ties
                        arm, top = 0, -math.inf
                        for a in range(n_arms):
                            value = (w[a] / n[a] if n[a] > 0 else math.inf) + noise[r][a] * 1e-12
                            if value > top:
                                arm, top = a, value
                else:  # Thompson: a Beta(1 + wins, 1 + losses) draw per arm, the largest wins
                    g_win = [pol.standard_gamma(1.0 + w[base + a]) for a in range(n_arms)]
                    g_loss = [pol.standard_gamma(1.0 + n[base + a] - w[base + a]) for a in range(n_arms)]
                    arm, top = 0, -math.inf
                    for a in range(n_arms):
                        draw = g_win[a] / (g_win[a] + g_loss[a])
                        if draw > top:
                            arm, top = a, draw
                p = rates[seg][arm]
                hit = answer_row[r] < p
                w[base + arm] += hit
                n[base + arm] += 1
                choices[r][t] = arm
                rewards[r][t] = hit
                regret[r][t] = best[seg] - p
    return (np.array(choices, dtype=np.int8), np.array(rewards, dtype=bool),
            np.array(regret, dtype=np.float32))


def check_stream_claims() -> bool:
    """Generator.random(k) == k scalar random() calls; standard_gamma(array) == scalar calls in C order."""
    a, b = np.random.default_rng([7, 2]), np.random.default_rng([7, 2])
    ok = np.array_equal(a.random((40, 3)), np.array([[b.random() for _ in range(3)] for _ in range(40)]))
    shapes = np.concatenate([1.0 + np.arange(120.0).reshape(40, 3) % 17,
                             1.0 + np.arange(120.0).reshape(40, 3) % 251], axis=1)
    ok &= np.array_equal(a.standard_gamma(shapes), np.array([[b.standard_gamma(s) for s in row] for row in shapes]))
    return bool(ok and a.random() == b.random())


def same(vec, ref) -> tuple[bool, str]:
    checks = {"choices": np.array_equal(vec.choices, ref[0]), "rewards": np.array_equal(vec.rewards, ref[1]),
              "regret": np.array_equal(vec.regret, ref[2])}
    bad = [k for k, v in checks.items() if not v]
    return not bad, ("equal" if not bad else "DIFFERENT: " + ", ".join(bad))


# --------------------------------------------------------------------------- timing


def clocked(fn) -> tuple[float, float, object]:
    """Wall time and this process's CPU time of one call (CPU time is robust to other load)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def profile(policy: str, horizon: int, n_runs: int, lines: int = 8) -> str:
    """cProfile of one vectorised call.  cProfile sees Python-level calls only: numpy's
    Generator methods (Cython) and ufunc operators are counted in simulate_bandit's own time,
    hence :func:`breakdown`."""
    prof = cProfile.Profile()
    prof.enable()
    simulate_bandit(policy, TABLE, horizon, n_runs=n_runs, segment_shares=SHARES, rng=SEED)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(lines)
    return out.getvalue()


def breakdown(policy: str, horizon: int, runs: int, number: int = 300) -> list[tuple[str, float]]:
    """Cost per round of each statement of simulate_bandit's round loop, in microseconds.

    The statements are copied from cxlib/_offers_bandits.py and timed with ``timeit`` (best
    of 3 x ``number``) on the state after ``horizon // 2`` rounds (wins and plays rebuilt from
    a vectorised run and the replayed customer stream), so the gamma shapes are realistic.
    The environment's chunked draws are charged per round.
    """
    import timeit

    half = max(1, horizon // 2)
    res = simulate_bandit(policy, TABLE, half, n_runs=runs, segment_shares=SHARES, rng=SEED)
    rates = np.array(TABLE)
    n_seg, n_arms = rates.shape
    cum_shares = np.cumsum(SHARES)
    cum_shares[-1] = 1.0
    env = np.random.default_rng([SEED, 1])
    chunk = max(1, min(horizon, 2_000_000 // runs))
    segs = []
    for start in range(0, half, chunk):
        k = min(half, start + chunk) - start
        segs.append(np.minimum(np.searchsorted(cum_shares, env.random((k, runs)), side="right"), n_seg - 1))
        env.random((k, runs))
    seg_all = np.concatenate(segs).T
    by_segment = policy == "thompson_by_segment"
    cells = n_seg * n_arms if by_segment else n_arms
    rows = np.arange(runs)
    cell = seg_all * n_arms + res.choices if by_segment else res.choices.astype(np.int64)
    wins, plays = np.zeros((runs, cells)), np.zeros((runs, cells))
    np.add.at(plays, (np.repeat(rows, half), cell.ravel()), 1)
    np.add.at(wins, (np.repeat(rows, half), cell.ravel()), res.rewards.ravel())
    pol = np.random.default_rng([SEED, 3])
    ns = {"np": np, "pol": pol, "env": env, "runs": runs, "n_arms": n_arms, "n_seg": n_seg, "eps": 0.1,
          "cum_shares": cum_shares, "wins": wins, "plays": plays, "rows": rows, "flat_wins": wins.ravel(),
          "flat_plays": plays.ravel(), "row_base": rows * cells, "offsets": np.arange(n_arms),
          "flat_rates": rates.ravel(), "best": rates.max(axis=1), "seg_u": env.random(runs),
          "answer_u": env.random(runs), "choices": np.empty((4, runs), np.int8),
          "rewards": np.empty((4, runs), bool), "regret": np.empty((4, runs), np.float32), "chunk": chunk}
    steps = [("segment: searchsorted + minimum",
              "seg = np.minimum(np.searchsorted(cum_shares, seg_u, side='right'), n_seg - 1)"),
             ("base", f"base = seg * n_arms if {by_segment} else 0")]
    if policy == "fixed_split":
        steps.append(("arm: pol.random(runs) -> int", "arm = np.minimum((pol.random(runs) * n_arms).astype(np.int64), "
                                                      "n_arms - 1)"))
    elif policy == "epsilon_greedy":
        steps += [("observed means (np.where)", "mean = np.where(plays > 0, wins / plays, np.inf)"),
                  ("tie-break noise pol.random((runs, arms))", "noise = pol.random((runs, n_arms))"),
                  ("argmax(mean + noise * 1e-12, axis=1)", "greedy = np.argmax(mean + noise * 1e-12, axis=1)"),
                  ("explore coins", "explore = pol.random(runs) < eps"),
                  ("random arms", "random_arm = np.minimum((pol.random(runs) * n_arms).astype(np.int64), n_arms - 1)"),
                  ("np.where(explore, random_arm, greedy)", "arm = np.where(explore, random_arm, greedy)")]
    else:
        if by_segment:
            steps += [("cell indices (base + offsets).T", "idx = (base + offsets[:, None]).T"),
                      ("gather wins[rows, idx]", "w = wins[rows[:, None], idx]"),
                      ("gather plays[rows, idx]", "n = plays[rows[:, None], idx]")]
        else:
            steps.append(("w, n = wins, plays", "w, n = wins, plays"))
        steps += [("gamma shapes: concatenate", "shapes = np.concatenate([1.0 + w, 1.0 + n - w], axis=1)"),
                  ("pol.standard_gamma(runs x 2 arms)", "g = pol.standard_gamma(shapes)"),
                  ("argmax of g1 / (g1 + g2)", "arm = np.argmax(g[:, :n_arms] / (g[:, :n_arms] + g[:, n_arms:]), "
                                               "axis=1)")]
    steps += [("p = flat_rates.take(...)", "p = flat_rates.take(seg * n_arms + arm)"),
              ("hit = answer_u < p", "hit = answer_u < p"),
              ("at = row_base + base + arm", "at = row_base + base + arm"),
              ("flat_wins[at] += hit", "flat_wins[at] += hit"), ("flat_plays[at] += 1", "flat_plays[at] += 1"),
              ("store choices, rewards", "choices[1] = arm; rewards[1] = hit"),
              ("store regret (best[seg] - p)", "regret[1] = best[seg] - p")]
    out = []
    for label, stmt in steps:
        exec(stmt, ns)  # the names later steps use
        best_of = min(timeit.repeat(stmt, globals=ns, number=number, repeat=3)) / number
        out.append((label, 1e6 * best_of))
    env_draw = min(timeit.repeat("env.random((chunk, runs)); env.random((chunk, runs))", globals=ns, number=3,
                                 repeat=3)) / 3
    out.append(("customers: env.random((chunk, runs)) x 2, per round", 1e6 * env_draw / chunk))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 runs x 1,000 rounds, smaller loop samples")
    ap.add_argument("--profile", action="store_true",
                    help="time the vectorised round loop statement by statement; cProfile the Thompson policies")
    ap.add_argument("--reference", choices=("numpy", "lists"), default="numpy",
                    help="the loop to time: numpy arrays per run, as tutorials write it (the target's reference), "
                         "or plain Python lists and scalar draws (the fastest plain-Python form)")
    args = ap.parse_args(argv)
    runs = 1000
    if args.quick:
        horizon, rep_vec, rep_loop, sub_runs, sub_rounds = 1000, 3, 1, 20, 50
    else:
        horizon, rep_vec, rep_loop, sub_runs, sub_rounds = 10_000, 3, 3, 20, 200
    wall = time.perf_counter()
    load_start = os.getloadavg()
    versions = f"python {platform.python_version()}, numpy {np.__version__}"
    say("Bandits (lesson 07): cxlib.offers.simulate_bandit (vectorised over runs) vs a per-round Python loop")
    say(f"machine : {cores()} cores (nproc), {platform.machine()}, {platform.system()} {platform.release()}, "
        f"load average {load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f} (1 / 5 / 15 min)")
    say(f"versions: {versions}")
    say(f"loop    : {args.reference} ({'numpy arrays per run, as tutorials write it' if args.reference == 'numpy' else 'Python lists, scalar draws'})")
    say(f"mode    : {'quick' if args.quick else 'full'}; vectorised {runs:,} runs x {horizon:,} rounds, median of "
        f"{rep_vec}; loop on (a) {sub_runs} runs x {horizon:,} rounds and (b) {runs:,} runs x {sub_rounds} rounds, "
        f"median of {rep_loop}, extrapolated to {runs:,} x {horizon:,}; seed {SEED}")
    say(f"table   : {', '.join(data.OFFER_SEGMENTS)} x {', '.join(data.OFFERS)} = {TABLE}, shares {SHARES}")
    ok: dict[str, bool] = {}

    # ------------------------------------------------------------------ 1. same answers
    say("\n[1/2] same seed, same answers (choices, rewards, regret compared with numpy.array_equal)")
    claims = check_stream_claims()
    ok["stream claims: random(k), standard_gamma(array) as scalar calls"] = claims
    say(f"  Generator.random(k) == k x random(); standard_gamma(array) == scalar calls in C order: "
        f"{'yes' if claims else 'NO'}")
    cases = [(p, "3 arms", [SMALL_RATES], None) for p in POLICIES]
    cases += [(p, "3x3 table", TABLE, SHARES) for p in POLICIES]
    for policy, label, rates, shares in cases:
        arg = rates[0] if len(rates) == 1 else rates
        vec = simulate_bandit(policy, arg, 300, n_runs=20, segment_shares=shares, rng=SEED)
        for style in ("numpy", "lists"):
            good, msg = same(vec, loop_bandit(policy, rates, 300, 20, shares, 0.1, SEED, style))
            ok[f"{policy} {label} 20x300 ({style} loop) equal"] = good
            say(f"  {policy:20s} {label:9s} 20 runs x 300 rounds, {style} loop: {msg}; mean reward "
                f"{vec.rewards.mean():.4f}, mean regret at 300 {vec.final_regret:.2f}")
    if not args.quick:  # 1,000 x 2,100: chunks of 2,000 and 100 rounds
        vec = simulate_bandit("fixed_split", TABLE, 2100, n_runs=1000, segment_shares=SHARES, rng=SEED + 1)
        good, msg = same(vec, loop_bandit("fixed_split", TABLE, 2100, 1000, SHARES, 0.1, SEED + 1))
        ok["fixed_split 1000x2100 (two chunks) equal"] = good
        say(f"  {'fixed_split':20s} {'3x3 table':9s} 1,000 runs x 2,100 rounds (two environment chunks): {msg}")

    # ------------------------------------------------------------------ 2. speed
    say(f"\n[2/2] speed on the lesson's table; the loop is timed on subsets and scaled to {runs:,} x {horizon:,}")
    say("  repeats interleaved (vectorised, loop (a), loop (b), then again) so that all three meet the same load; "
        "wall / CPU seconds")
    simulate_bandit("thompson", TABLE, 50, n_runs=runs, segment_shares=SHARES, rng=1)  # warm-up
    rows = []
    full = runs * horizon
    subsets = {"a": (sub_runs, horizon), "b": (runs, sub_rounds)}
    for policy in POLICIES:
        def vec_call(h=horizon, n=runs, p=policy):
            return simulate_bandit(p, TABLE, h, n_runs=n, segment_shares=SHARES, rng=SEED)

        times: dict[str, list[tuple[float, float]]] = {"vec": [], "a": [], "b": []}
        for i in range(max(rep_vec, rep_loop)):
            if i < rep_vec:
                times["vec"].append(clocked(vec_call)[:2])
            if i < rep_loop:
                for tag, (n_r, n_t) in subsets.items():
                    w_s, c_s, ref = clocked(lambda p=policy, n=n_r, h=n_t: loop_bandit(p, TABLE, h, n, SHARES, 0.1,
                                                                                       SEED, args.reference))
                    times[tag].append((w_s, c_s))
                    if i == 0:
                        good, msg = same(vec_call(n_t, n_r), ref)
                        ok[f"{policy} loop subset ({tag}) equal"] = good
                        say(f"  {policy} loop ({tag}) {n_r:,} x {n_t:,}: answers {msg}")
        med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
        m_vec, c_vec = med["vec"]
        say(f"  {policy}")
        say(f"    vectorised {runs:,} x {horizon:,}: {', '.join(f'{w:.3f}/{c:.3f}' for w, c in times['vec'])} s "
            f"-> median {m_vec:.3f} s wall, {c_vec:.3f} s CPU ({1e6 * m_vec / horizon:.1f} us a round)")
        per, per_cpu = {}, {}
        for tag, (n_r, n_t) in subsets.items():
            per[tag], per_cpu[tag] = med[tag][0] / (n_r * n_t), med[tag][1] / (n_r * n_t)
            say(f"    loop ({tag}) {n_r:,} x {n_t:,}: {', '.join(f'{w:.2f}/{c:.2f}' for w, c in times[tag])} s -> "
                f"median {med[tag][0]:.2f} s = {1e6 * per[tag]:.3f} us a run-round (CPU {1e6 * per_cpu[tag]:.3f}) "
                f"-> x {full / (n_r * n_t):,.0f} = {per[tag] * full:.0f} s at {runs:,} x {horizon:,} (extrapolated)")
        used, used_cpu = min(per.values()), min(per_cpu.values())
        ratio, ratio_cpu = used * full / m_vec, used_cpu * full / c_vec
        ok[f"{policy} speed"] = ratio >= TARGET_RATIO
        say(f"    linearity: (b) / (a) cost per run-round {per['b'] / per['a']:.2f} wall, "
            f"{per_cpu['b'] / per_cpu['a']:.2f} CPU; the cheaper gives {used * full:.0f} s extrapolated: "
            f"ratio {ratio:.0f}x wall, {ratio_cpu:.0f}x CPU")
        rows.append((policy, m_vec, per["a"], per["b"], used * full, ratio, ratio_cpu, c_vec))
    if args.profile:
        say(f"\n  where the vectorised time goes, {runs:,} runs (statements of the round loop timed one by one "
            f"with timeit on the state after {horizon // 2:,} rounds; us a round):")
        for policy, m_vec, *_, c_vec in rows:
            parts = breakdown(policy, horizon, runs)
            total = sum(us for _, us in parts)
            say(f"  {policy}: sum {total:.1f} us a round; measured whole (median above) {1e6 * m_vec / horizon:.1f} "
                f"us a round wall, {1e6 * c_vec / horizon:.1f} CPU")
            for label, us in sorted(parts, key=lambda x: -x[1]):
                say(f"      {label:52s} {us:8.1f} us {100 * us / total:5.1f} %")
        for policy in ("thompson", "thompson_by_segment"):
            say(f"\n  cProfile of one vectorised {policy} call, {runs:,} x {horizon:,} (sorted by own time; "
                f"Generator methods and ufunc operators are counted in simulate_bandit's own time):")
            say(profile(policy, horizon, runs))

    load_end = os.getloadavg()
    pf = {True: "PASS", False: "FAIL"}
    width = 132
    say("\n" + "=" * width)
    say(f"SUMMARY  ({cores()} cores, shared; load average {load_start[0]:.2f} at start, {load_end[0]:.2f} at end; "
        f"{versions}; loop: {args.reference}{', QUICK' if args.quick else ''})")
    say(f"  same answers: {sum(v for k, v in ok.items() if 'equal' in k)}/{sum('equal' in k for k in ok)} "
        f"comparisons equal (choices, rewards, regret), stream claims {'verified' if claims else 'FALSE'}")
    say(f"  {'policy':20s} {'vectorised':>11s} {'loop us/run-round':>22s} {'loop (extrapolated)':>20s} "
        f"{'ratio':>7s} {'(CPU)':>6s}  target on the wall-clock ratio")
    say(f"  {'':20s} {'median s':>11s} {f'(a) {sub_runs}x{horizon}':>11s}{f'(b) {runs}x{sub_rounds}':>11s} "
        f"{f'{runs:,} x {horizon:,}':>20s}")
    for policy, m_vec, pa, pb, loop_total, ratio, ratio_cpu, _ in rows:
        say(f"  {policy:20s} {m_vec:11.3f} {1e6 * pa:11.3f}{1e6 * pb:11.3f} {loop_total:18.0f} s {ratio:6.0f}x "
            f"{ratio_cpu:5.0f}x  >= {TARGET_RATIO:g}x {pf[ratio >= TARGET_RATIO]}")
    say(f"  loop totals are EXTRAPOLATED: the cheaper of (a) and (b) per run-round x {full:,} run-rounds")
    failed = [k for k, v in ok.items() if not v]
    say(f"  overall    {pf[not failed]}{'  (failed: ' + '; '.join(failed) + ')' if failed else ''}  "
        f"(benchmark wall time {time.perf_counter() - wall:.0f} s)")
    say("=" * width)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
