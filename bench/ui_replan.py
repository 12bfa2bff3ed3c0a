"""How long the review page waits after a module is moved: one plan_from_graph with one more pin.

Run from the repository root: `.venv/bin/python bench/ui_replan.py [folder] [--runs N]`.
The UI caches the scanned graph, so a move only pays for decompose + recommend; this prints
that time (median and worst of N runs) next to the one-off scan + graph time. Budget: 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.options import load_project_options  # noqa: E402
from analyzer.pipeline import build, plan_from_graph  # noqa: E402
from analyzer.ui.edits import Adjustments, module_homes, move_modules  # noqa: E402

BUDGET_SECONDS = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(Path(__file__).resolve().parents[1] / "samples" / "shop"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    options = load_project_options(Path(args.folder)).replace(cache=False)
    started = time.perf_counter()
    graph = build(args.folder, options)
    build_seconds = time.perf_counter() - started

    adjustments = Adjustments.from_options(options)
    started = time.perf_counter()
    plan = plan_from_graph(graph, adjustments.options(options))
    first_plan_seconds = time.perf_counter() - started
    services = sorted(s.name for s in plan.services if s.kind == "service")
    homes = module_homes(plan)
    module = next(m for m, s in sorted(homes.items()) if s in services)
    target = next(s for s in services if s != homes[module])
    moved = move_modules(adjustments, plan, {module: target})

    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        replanned = plan_from_graph(graph, moved.options(options))
        timings.append(time.perf_counter() - started)
    landed = module_homes(replanned)[module]

    median, worst = statistics.median(timings), max(timings)
    print(f"codebase: {args.folder} ({plan.source.files_analyzed} files, {plan.source.loc} LOC, "
          f"{len(services)} services)")
    print(f"scan + graph (once, cached by the UI): {build_seconds:.3f} s")
    print(f"proposed plan (decompose + recommend, no pins): {first_plan_seconds:.3f} s")
    print(f"move {module} -> {target}: landed in {landed}")
    print(f"re-plan after the move, {args.runs} runs: median {median:.3f} s, worst {worst:.3f} s "
          f"(budget {BUDGET_SECONDS:.1f} s: {'OK' if worst < BUDGET_SECONDS else 'OVER'})")
    return 0 if worst < BUDGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
