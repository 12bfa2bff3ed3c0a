"""Where scan+graph spends its time: cProfile of analyzer.pipeline.build on a fetched codebase.

Runs with jobs=1 so parsing happens in this process and shows up in the profile (worker
processes are invisible to cProfile). Profiles a cold run (empty cache), then a warm run on
the cache it left, and prints the top functions of each by own time and by cumulative time.

    .venv/bin/python bench/profile_build.py [--only django] [--top 25] [--warm-only] [--save DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(REPO_ROOT))

from fetch import CACHE_DIR, CODEBASES, fetch  # noqa: E402


def profile(label: str, root: Path, cache_dir: Path, top: int, save: Path | None) -> None:
    from analyzer.options import AnalysisOptions
    from analyzer.pipeline import build

    options = AnalysisOptions(cache_dir=str(cache_dir), cache=True, jobs=1)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    build(root, options)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"\n===== {label}: {elapsed:.2f} s under cProfile (jobs=1) =====")
    if save:
        save.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(save / f"{label.replace(' ', '-')}.prof")
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.strip_dirs().sort_stats(order).print_stats(top)
        body = text.getvalue()
        print(f"--- by {order} ---")
        print(body[body.find("ncalls"):].rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="django", choices=sorted(CODEBASES))
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--warm-only", action="store_true", help="fill the cache unprofiled, profile warm only")
    parser.add_argument("--save", type=Path, help="also write .prof files here (for snakeviz and friends)")
    args = parser.parse_args(argv)
    root = fetch(CODEBASES[args.only], log=lambda message: print(message, file=sys.stderr))
    (CACHE_DIR / "strangler-cache").mkdir(parents=True, exist_ok=True)
    cache_dir = Path(tempfile.mkdtemp(prefix="profile-", dir=CACHE_DIR / "strangler-cache"))
    try:
        if args.warm_only:
            from analyzer.options import AnalysisOptions
            from analyzer.pipeline import build

            build(root, AnalysisOptions(cache_dir=str(cache_dir), cache=True))
        else:
            profile(f"{args.only} cold", root, cache_dir, args.top, args.save)
        profile(f"{args.only} warm", root, cache_dir, args.top, args.save)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
