"""Clips per second of MFCC extraction: serial, parallel and cached, on the FSDD twin.

    python benchmarks/bench_feature_extraction.py [--clips 1200] [--jobs 2] [--root DIR]

Builds (once, cached) a full-size FSDD twin (3,000 clips) and runs lesson 02's pipeline
(8 kHz, 40 MFCC, 64 frames) over the same clips four ways: serial, parallel (``--jobs`` loky
workers, pool started beforehand), cache cold (compute and write to an empty folder) and cache
warm (the same call again). Each mode runs ``--repeat`` times and keeps the best time. Prints
the figures and the ratios against the goals of issue 4 (parallel >= 1.7x serial, warm cache
>= 20x cold). It never fails on timings, machines differ; ``--strict`` exits with 1 when a
goal is missed. ``--root`` points at an FSDD root folder (e.g. the real one) instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from course_utils import audio  # noqa: E402

PIPELINE = audio.MFCCPipeline(sr=8000, top_db=30, n_mfcc=40, n_fft=512, hop_length=128,
                              n_mels=40, max_frames=64, pad_side="end")
PARALLEL_GOAL = 1.7
CACHE_GOAL = 20.0


def fsdd_paths(root: Path | None) -> list[Path]:
    """Recordings of the FSDD folder ``root``, else of a full-size FSDD twin (3,000 clips).

    The twin is built once with the lesson twin's generator and 50 takes per digit and
    speaker, like the real dataset, and cached next to the other datasets.
    """
    if root is None:
        from course_utils.data import build_twin, load_manifest

        root = build_twin(load_manifest("fsdd"), {"n_test": 5, "n_train": 45}, quiet=True)
    paths = sorted((Path(root) / "recordings").glob("*.wav"))
    if not paths:
        raise SystemExit(f"No hay grabaciones en {Path(root) / 'recordings'}")
    return paths


def timed(paths: list[Path], repeat: int = 1, **kwargs) -> tuple[float, np.ndarray]:
    """Best wall time of ``repeat`` runs (the least disturbed by other processes)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        features = audio.extract_features(paths, PIPELINE, progress=False, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, features


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=1200, help="clips to extract (default 1200)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel workers (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per mode, best kept (default 3)")
    parser.add_argument("--root", type=Path, default=None, help="FSDD root instead of the twin")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a goal is missed")
    args = parser.parse_args(argv)

    all_paths = fsdd_paths(args.root)
    rng = np.random.default_rng(0)
    paths = [all_paths[i] for i in rng.permutation(len(all_paths))[: args.clips]]
    n = len(paths)
    print(f"{n} clips de {len(all_paths)} · {args.jobs} procesos · {os.cpu_count()} CPU · "
          f"mejor de {args.repeat} · carga del sistema {os.getloadavg()[0]:.1f}\n{PIPELINE}")

    timed(paths[:20])  # warm-up: imports, first librosa calls, OS file cache
    timed(paths[: 4 * args.jobs], n_jobs=args.jobs)  # start the worker pool (reused below)

    serial_s, reference = timed(paths, args.repeat)
    parallel_s, parallel = timed(paths, args.repeat, n_jobs=args.jobs)
    cold_s, warm_s = float("inf"), float("inf")
    for _ in range(args.repeat):  # a fresh, empty cache folder for every cold run
        with tempfile.TemporaryDirectory() as folder:
            seconds, cold = timed(paths, cache=folder)
            cold_s = min(cold_s, seconds)
            seconds, warm = timed(paths, cache=folder)
            warm_s = min(warm_s, seconds)
    for name, result in (("paralelo", parallel), ("caché en frío", cold), ("caché en caliente", warm)):
        if not np.allclose(result, reference, atol=1e-5):
            print(f"ERROR: {name} no coincide con la extracción en serie")
            return 1

    rows = [("en serie", serial_s), (f"en paralelo ({args.jobs})", parallel_s),
            ("caché en frío", cold_s), ("caché en caliente", warm_s)]
    print(f"\n{'modo':<20}{'segundos':>10}{'clips/s':>12}")
    for name, seconds in rows:
        print(f"{name:<20}{seconds:>10.3f}{n / seconds:>12.1f}")
    parallel_ratio, cache_ratio = serial_s / parallel_s, cold_s / warm_s
    ok_parallel, ok_cache = parallel_ratio >= PARALLEL_GOAL, cache_ratio >= CACHE_GOAL
    print(f"\nparalelo / serie:      {parallel_ratio:6.2f}x  (meta >= {PARALLEL_GOAL}x) "
          f"{'cumplida' if ok_parallel else 'NO cumplida'}")
    print(f"caché caliente / frío: {cache_ratio:6.1f}x  (meta >= {CACHE_GOAL:.0f}x) "
          f"{'cumplida' if ok_cache else 'NO cumplida'}")
    print(f"caché caliente / serie sin caché: {serial_s / warm_s:.1f}x")
    return 1 if args.strict and not (ok_parallel and ok_cache) else 0


if __name__ == "__main__":
    sys.exit(main())
