"""Benchmark of cxlib.survey (lesson 01) against pingouin and factor_analyzer on bfi.

Usage::

    python benchmarks/survey.py            # about a minute on 2 cores
    python benchmarks/survey.py --quick    # fewer timing repeats

pingouin and factor_analyzer are benchmark-only peers.  They are imported as installed; if
that fails, from a throwaway target directory (``$CXCOURSE_BENCH_PEERS``, default
``/tmp/benchpeers``), made with e.g.::

    .venv/bin/python -m pip install --target /tmp/benchpeers --no-deps \\
        pingouin==0.7.0 factor-analyzer==0.5.1 scikit-learn==1.7.2 pandas-flavor==0.8.1 \\
        xarray==2026.9.0 tabulate==0.10.0 joblib==1.6.0 threadpoolctl==3.8.0

(``--no-deps`` keeps .venv's numpy, pandas, scipy and statsmodels; scikit-learn must be
< 1.8, whose ``check_array`` no longer takes factor_analyzer 0.5.1's ``force_all_finite``).
A peer that still cannot be imported is skipped with a message.

What it compares, on the 25 bfi items (2,800 respondents; 2,436 complete), items reversed
with psych's keys (A1, C4, C5, E1, E2, O2, O5):

1. Cronbach's alpha of the five scales, listwise and pairwise: ``cxlib.survey.cronbach_alpha``
   vs ``pingouin.cronbach_alpha`` (same method).  Agreement: |alpha difference| <= 1e-6 and
   Feldt's interval equal after rounding to pingouin's 3 decimals.  Timing: the 10 calls.
2. Five-factor ML solutions (complete cases), oblimin, varimax and promax:
   ``cxlib.survey.factor_analysis`` vs ``factor_analyzer.FactorAnalyzer(method="ml")``.
   * rotation alone (same method): both rotate the *same* unrotated loadings (cxlib's), the
     peer's ``Rotator`` run to a tight tolerance; |loading| and |factor correlation|
     differences <= 1e-6 after matching factor order and signs (Tucker's congruence);
   * extraction (same model, different optimisers: statsmodels L-BFGS-B on loadings and
     uniquenesses vs factor_analyzer's L-BFGS-B on uniquenesses with its default
     tolerance): the ML discrepancy (must not be worse for cxlib) and max |uniqueness
     difference| are reported, with a 1e-4 bound;
   * the whole pipeline with each library's defaults: max |loading difference| reported;
     it is set by the peer's default stopping rule (tol=1e-5, as R's ``varimax`` eps), so
     the same rotation of the same loadings at the peer's default tolerance is reported too.
   Timing: median of repeated whole calls (correlations, fit, rotation).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

from cxlib import data, survey

REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
SCALES = {s: [f"{s}{j}" for j in range(1, 6)] for s in "ACENO"}
TOL_SAME = 1e-6
TOL_EXTRACTION = 1e-4


def say(msg: str = "") -> None:
    print(msg, flush=True)


def cores() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(len(os.sched_getaffinity(0)))


def peer(name: str):
    """Import a peer as installed, else from the throwaway target directory; None if missing."""
    try:
        return importlib.import_module(name)
    except ImportError:
        pass
    target = os.environ.get("CXCOURSE_BENCH_PEERS", "/tmp/benchpeers")
    if os.path.isdir(target) and target not in sys.path:
        sys.path.append(target)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except ImportError as exc:
        say(f"SKIP {name}: cannot be imported ({exc}); install it as the module docstring says")
        return None


def timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def aligned(reference: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, list[int], np.ndarray]:
    """``other``'s columns matched (order and sign) to ``reference``'s."""
    matched = survey.congruence(reference, other).matched
    order = [int(m[1:]) - 1 for m in matched["match"]]
    signs = matched["sign"].to_numpy()
    return other[:, order] * signs, order, signs


def discrepancy(corr: np.ndarray, load: np.ndarray, uniq: np.ndarray) -> float:
    sigma = load @ load.T + np.diag(uniq)
    return float(np.linalg.slogdet(sigma)[1] + np.trace(np.linalg.solve(sigma, corr)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer timing repeats")
    args = ap.parse_args(argv)
    rep_alpha, rep_fa = (5, 3) if args.quick else (15, 7)
    wall = time.perf_counter()
    pg = peer("pingouin")
    fa = peer("factor_analyzer")
    import statsmodels

    say("Survey scales (lesson 01): cxlib.survey vs pingouin (alpha) and factor_analyzer (EFA), on bfi")
    say(f"machine : {cores()} cores (nproc), {platform.machine()}, {platform.system()} {platform.release()}, "
        f"load average {os.getloadavg()[0]:.2f}")
    versions = (f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
                f"statsmodels {statsmodels.__version__}, pingouin {getattr(pg, '__version__', 'missing')}, "
                f"factor_analyzer {importlib.metadata.version('factor_analyzer') if fa else 'missing'}")
    say(f"versions: {versions}")
    bfi = data.load("bfi")
    items = bfi[[c for s in "ACENO" for c in SCALES[s]]]
    reversed_items = items.copy()
    reversed_items[REVERSED] = 7 - reversed_items[REVERSED]
    verdicts: list[tuple[str, bool]] = []
    summary: list[str] = []

    # ------------------------------------------------------------------ 1. alpha
    say("\n[1/2] Cronbach's alpha, 5 scales x listwise/pairwise (cxlib reverses with reverse=, pingouin gets 7 - x)")

    def cx_alphas():
        return {(s, m): survey.cronbach_alpha(items[SCALES[s]], missing=m, reverse=[i for i in REVERSED if i[0] == s],
                                              scale=(1, 6)) for s in "ACENO" for m in ("listwise", "pairwise")}

    t_cx, cx = timed(cx_alphas, rep_alpha)
    if pg is None:
        summary.append(f"  alpha      cxlib {1e3 * t_cx:7.1f} ms | pingouin SKIPPED (not installed)")
    else:
        def pg_alphas():
            return {(s, m): pg.cronbach_alpha(data=reversed_items[SCALES[s]], nan_policy=m)
                    for s in "ACENO" for m in ("listwise", "pairwise")}

        t_pg, ref = timed(pg_alphas, rep_alpha)
        say(f"    {'scale':6s} {'missing':9s} {'cxlib alpha':>12s} {'pingouin':>12s} {'|diff|':>9s}  "
            f"{'cxlib CI':>15s} {'pingouin CI':>15s}")
        worst, ci_ok = 0.0, True
        for key, res in cx.items():
            a_pg, ci_pg = ref[key]
            diff = abs(res.alpha - float(a_pg))
            worst = max(worst, diff)
            same_ci = tuple(np.round(res.ci, 3)) == tuple(np.round(ci_pg, 3))
            ci_ok &= same_ci
            say(f"    {key[0]:6s} {key[1]:9s} {res.alpha:12.9f} {float(a_pg):12.9f} {diff:9.1e}  "
                f"{res.ci[0]:7.4f}-{res.ci[1]:.4f} {ci_pg[0]:7.3f}-{ci_pg[1]:.3f}{'' if same_ci else '  DIFFERENT'}")
        ok = worst <= TOL_SAME and ci_ok
        verdicts.append(("alpha agreement", ok))
        summary.append(f"  alpha      cxlib {1e3 * t_cx:7.1f} ms | pingouin {1e3 * t_pg:7.1f} ms | ratio "
                       f"{t_pg / t_cx:5.2f}x | max |diff| {worst:.1e} (<= {TOL_SAME:g}), CIs equal to 3 d.p.: "
                       f"{'yes' if ci_ok else 'NO'}  {'PASS' if ok else 'FAIL'}")

    # ------------------------------------------------------------------ 2. factor analysis
    say("\n[2/2] five-factor ML solutions on the 2,436 complete respondents (items reversed as keyed)")
    complete = reversed_items.dropna()
    X = complete.to_numpy()
    corr = np.corrcoef(X, rowvar=False)
    base = survey.factor_analysis(complete, 5, None)
    A = base.unrotated.to_numpy()
    if fa is None:
        for rotation in ("oblimin", "varimax", "promax"):
            t_cx, _ = timed(lambda r=rotation: survey.factor_analysis(complete, 5, r), rep_fa)
            summary.append(f"  EFA {rotation:8s} cxlib {t_cx:6.3f} s | factor_analyzer SKIPPED (not installed)")
    else:
        from factor_analyzer import FactorAnalyzer
        from factor_analyzer.rotator import Rotator

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn's FutureWarning about force_all_finite
            peer_none = FactorAnalyzer(n_factors=5, rotation=None, method="ml").fit(X)
        d_cx = discrepancy(corr, A, base.uniquenesses.to_numpy())
        d_fa = discrepancy(corr, peer_none.loadings_, peer_none.get_uniquenesses())
        d_uniq = float(np.abs(base.uniquenesses.to_numpy() - peer_none.get_uniquenesses()).max())
        ok_ext = d_cx <= d_fa + 1e-12 and d_uniq <= TOL_EXTRACTION
        say(f"    extraction: ML discrepancy log|S|+tr(S^-1 R) cxlib {d_cx:.12f}, factor_analyzer {d_fa:.12f} "
            f"(cxlib lower by {d_fa - d_cx:.1e}); max |uniqueness diff| {d_uniq:.1e}")
        verdicts.append(("extraction", ok_ext))
        summary.append(f"  extraction ML discrepancy cxlib - peer {d_cx - d_fa:+.1e} (<= 0); max |uniqueness diff| "
                       f"{d_uniq:.1e} (<= {TOL_EXTRACTION:g})  {'PASS' if ok_ext else 'FAIL'}")
        for rotation in ("oblimin", "varimax", "promax"):
            ours = survey.rotate(base.unrotated, rotation)
            tight = 1e-7 if rotation == "oblimin" else 1e-12  # GPA stalls below ~1e-7; SVD varimax does not
            rot = Rotator(method=rotation, tol=tight, max_iter=100_000)
            theirs = rot.fit_transform(A)
            L_peer, order, signs = aligned(ours.loadings.to_numpy(), theirs)
            d_load = float(np.abs(ours.loadings.to_numpy() - L_peer).max())
            d_phi = 0.0
            if rot.phi_ is not None:
                phi_peer = rot.phi_[np.ix_(order, order)] * np.outer(signs, signs)
                d_phi = float(np.abs(ours.factor_correlation.to_numpy() - phi_peer).max())
            ok_rot = d_load <= TOL_SAME and d_phi <= TOL_SAME
            L_loose, _, _ = aligned(ours.loadings.to_numpy(), Rotator(method=rotation).fit_transform(A))
            d_loose = float(np.abs(ours.loadings.to_numpy() - L_loose).max())

            t_cx, fit = timed(lambda r=rotation: survey.factor_analysis(complete, 5, r), rep_fa)

            def peer_fit(r=rotation):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return FactorAnalyzer(n_factors=5, rotation=r, method="ml").fit(X)

            t_fa, default = timed(peer_fit, rep_fa)
            L_default, _, _ = aligned(fit.loadings.to_numpy(), default.loadings_)
            d_pipe = float(np.abs(fit.loadings.to_numpy() - L_default).max())
            say(f"    {rotation:8s} same unrotated loadings: max |loading diff| {d_load:.1e}, max |phi diff| "
                f"{d_phi:.1e} (peer at its default tol=1e-5: {d_loose:.1e}); whole pipeline, each library's "
                f"defaults: max |loading diff| {d_pipe:.1e}; median time cxlib {t_cx:.3f} s, "
                f"factor_analyzer {t_fa:.3f} s")
            verdicts.append((f"{rotation} rotation", ok_rot))
            summary.append(f"  EFA {rotation:8s} cxlib {t_cx:6.3f} s | factor_analyzer {t_fa:6.3f} s | ratio "
                           f"{t_fa / t_cx:5.2f}x | rotation max |diff| {max(d_load, d_phi):.1e} (<= {TOL_SAME:g}) "
                           f"{'PASS' if ok_rot else 'FAIL'} | pipeline max |diff| {d_pipe:.1e}")

    ok_all = all(ok for _, ok in verdicts)
    failed = [name for name, ok in verdicts if not ok]
    say("\n" + "=" * 110)
    say(f"SUMMARY  ({cores()} cores, {versions})")
    for line in summary:
        say(line)
    say(f"  overall    {'PASS' if ok_all else 'FAIL (' + ', '.join(failed) + ')'}  "
        f"(benchmark wall time {time.perf_counter() - wall:.0f} s)")
    say("=" * 110)
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
