"""One measured run, in a fresh interpreter; bench/scan_bench.py starts it as a child process.

Running every measurement in its own process keeps them independent (no warm imports, no
memory left over from the previous run) and lets the parent read the child's peak RSS from
the kernel. The child times only the measured call (imports and interpreter start are
reported separately) and writes its figures as JSON to OUT. It imports `analyzer` from
$STRANGLER_BENCH_CODE_ROOT when set (the parent's frozen copy), else from the repository.

    python bench/measure.py strangler-build   ROOT OUT --cache-dir DIR [--files-out FILE] [--jobs N]
    python bench/measure.py strangler-analyze ROOT OUT --cache-dir DIR [--jobs N]
    python bench/measure.py pyan3             ROOT OUT --files FILE
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYAN_RECURSION_LIMIT = 100_000
PYAN_STACK_BYTES = 1024 * 1024 * 1024


def _strangler_options(cache_dir: str, jobs: int):
    from analyzer.options import AnalysisOptions

    return AnalysisOptions(cache_dir=cache_dir, cache=True, jobs=jobs)


def _graph_figures(graph) -> dict:
    codebase = graph.codebase
    return {
        "files": codebase.files_analyzed,
        "loc": codebase.loc,
        "skipped": len(codebase.skipped),
        "skipped_files": [[item.path, item.reason] for item in sorted(codebase.skipped, key=lambda s: s.path)[:20]],
        "functions": graph.functions.number_of_nodes(),
        "function_edges": graph.functions.number_of_edges(),
        "modules": graph.modules.number_of_nodes(),
        "module_edges": graph.modules.number_of_edges(),
        "call_sites": len(graph.calls),
    }


def strangler_build(root: Path, cache_dir: str, jobs: int, files_out: str | None) -> dict:
    """Scan + graph, exactly what `analyzer.pipeline.build` does."""
    started = time.perf_counter()
    from analyzer.pipeline import build

    options = _strangler_options(cache_dir, jobs)
    imported = time.perf_counter()
    graph = build(root, options)
    finished = time.perf_counter()
    if files_out:
        paths = sorted(module.path for module in graph.codebase.modules)
        Path(files_out).write_text("\n".join(paths) + "\n", encoding="utf-8")
    return {"import_seconds": imported - started, "seconds": finished - imported, **_graph_figures(graph)}


def strangler_analyze(root: Path, cache_dir: str, jobs: int) -> dict:
    """The whole analysis, timing scan+graph, decompose and recommend separately."""
    started = time.perf_counter()
    from analyzer.decompose import decompose
    from analyzer.pipeline import build
    from analyzer.recommend import recommend

    options = _strangler_options(cache_dir, jobs)
    imported = time.perf_counter()
    graph = build(root, options)
    built = time.perf_counter()
    decomposition = decompose(graph, options)
    decomposed = time.perf_counter()
    plan = recommend(decomposition, options)
    finished = time.perf_counter()
    return {
        "import_seconds": imported - started,
        "seconds": finished - imported,
        "build_seconds": built - imported,
        "decompose_seconds": decomposed - built,
        "recommend_seconds": finished - decomposed,
        "services": sum(1 for service in plan.services if service.kind == "service"),
        "boundaries": len(plan.boundaries),
        **_graph_figures(graph),
    }


def pyan3(root: Path, files_list: str) -> dict:
    """pyan3's own analysis of the same files: building its CallGraphVisitor (no rendering).

    pyan3 recurses over the syntax tree and overflows Python's default recursion limit on deeply
    nested expressions (sympy has some), so it runs with a higher limit on a big-stack thread.
    """
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["figures"] = _pyan3(root, files_list)
        except BaseException as exc:  # reported by the parent, like any child failure
            outcome["error"] = exc

    sys.setrecursionlimit(PYAN_RECURSION_LIMIT)
    threading.stack_size(PYAN_STACK_BYTES)
    worker = threading.Thread(target=work, name="pyan3")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["figures"]


def _pyan3(root: Path, files_list: str) -> dict:
    started = time.perf_counter()
    from pyan.analyzer import CallGraphVisitor

    quiet = logging.getLogger("bench.pyan3")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    relative = [line for line in Path(files_list).read_text(encoding="utf-8").splitlines() if line]
    filenames = [str(root / path) for path in relative]
    imported = time.perf_counter()
    visitor = CallGraphVisitor(filenames, root=str(root), logger=quiet)
    finished = time.perf_counter()
    return {
        "import_seconds": imported - started,
        "seconds": finished - imported,
        "files": len(visitor.filenames),
        "files_given": len(filenames),
        "nodes": sum(len(nodes) for nodes in visitor.nodes.values()),
        "uses_edges": sum(len(targets) for targets in visitor.uses_edges.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one measured run (started by bench/scan_bench.py)")
    parser.add_argument("kind", choices=("strangler-build", "strangler-analyze", "pyan3"))
    parser.add_argument("root", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--cache-dir", default="")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--files", help="pyan3: file listing the paths to analyze, relative to ROOT")
    parser.add_argument("--files-out", help="strangler-build: write the analyzed paths here")
    args = parser.parse_args(argv)
    # scan_bench.py measures a copy of analyzer/ taken when it started (others may be editing it)
    sys.path.insert(0, os.environ.get("STRANGLER_BENCH_CODE_ROOT") or str(REPO_ROOT))
    root = args.root.resolve()
    if args.kind == "strangler-build":
        figures = strangler_build(root, args.cache_dir, args.jobs, args.files_out)
    elif args.kind == "strangler-analyze":
        figures = strangler_analyze(root, args.cache_dir, args.jobs)
    else:
        figures = pyan3(root, args.files)
    figures["self_maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures["children_maxrss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    args.out.write_text(json.dumps(figures, indent=1, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
