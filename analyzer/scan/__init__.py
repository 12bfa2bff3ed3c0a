"""Scan stage: a source tree -> CodeBase (per-file facts with every name resolved).

    discover files -> read bytes -> cached raw facts, or parse in worker processes
                   -> one whole-program resolution pass -> CodeBase

Nothing from the analyzed tree is imported or executed: files are read as bytes and parsed.
Entry point: `scan(root, options, progress)`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from analyzer.errors import NoPythonFiles, SourceNotFound
from analyzer.model import CodeBase, Progress, Skipped
from analyzer.options import AnalysisOptions
from analyzer.scan import codec
from analyzer.scan.cache import FactCache, codebase_key, file_key, tree_key
from analyzer.scan.discover import SourceFile, discover
from analyzer.scan.emit import resolve
from analyzer.scan.facts import RawModule, RawResult, RawSkip
from analyzer.scan.records import gc_paused
from analyzer.scan.roots import import_resolution
from analyzer.scan.worker import Task, parse_batch, parse_file

__all__ = ["scan", "scan_keyed", "parse_file", "MIN_FILES_FOR_PROCESSES"]

#: Below this many files to parse, starting worker processes costs more than it saves.
MIN_FILES_FOR_PROCESSES = 40
_BATCH = 12


def _jobs(options: AnalysisOptions) -> int:
    return options.jobs if options.jobs > 0 else (os.cpu_count() or 1)


def _pool_context() -> multiprocessing.context.BaseContext:
    """fork when this process has a single thread (cheapest, nothing re-imported); forkserver in
    threaded hosts such as Streamlit, where forking a threaded process can deadlock."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["analyzer.scan.worker"])
        return context
    return multiprocessing.get_context("spawn")


def _parse_all(tasks: list[Task], store: Callable[[int, RawResult, bytes | None], None], jobs: int,
               progress: Progress | None, done: int, total: int) -> list[RawResult]:
    """Parse every task, in worker processes when it pays off; results in task order.

    Each result goes to `store(index, result, encoded)` as soon as it arrives (so caching it
    overlaps the parsing still going on), with its bytes when a worker encoded it already.
    """
    results: list[RawResult | None] = [None] * len(tasks)
    if jobs > 1 and len(tasks) >= MIN_FILES_FOR_PROCESSES:
        # largest files first, so that no worker is left with a big file while the other idles
        order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i].data))
        batches = [order[i:i + _BATCH] for i in range(0, len(order), _BATCH)]
        try:
            with ProcessPoolExecutor(max_workers=min(jobs, len(batches)), mp_context=_pool_context()) as pool:
                futures = {pool.submit(parse_batch, [tasks[i] for i in batch]): batch for batch in batches}
                for future in as_completed(futures):
                    batch = futures[future]
                    for index, sent in zip(batch, future.result(), strict=True):
                        if isinstance(sent, bytes):
                            result: RawResult = codec.loads(sent, (RawModule, RawSkip))
                            store(index, result, sent)
                        else:
                            result = sent
                            store(index, result, None)
                        results[index] = result
                    done += len(batch)
                    if progress:
                        progress("scan", done, total)
            return [r for r in results if r is not None]
        except (BrokenProcessPool, OSError, PermissionError, RuntimeError):
            done -= sum(1 for r in results if r is not None)
            results = [None] * len(tasks)
    for index, task in enumerate(tasks):
        results[index] = result = parse_file(task)
        store(index, result, None)
        done += 1
        if progress:
            progress("scan", done, total)
    return [r for r in results if r is not None]


def _cochange(root: Path, paths: list[str], options: AnalysisOptions) -> tuple[tuple[tuple[str, str, int], ...],
                                                                             tuple[str, ...]]:
    """Co-change pairs and notes from git history (analyzer.scan.git)."""
    try:
        from analyzer.scan.git import read_cochange
    except ImportError:
        return (), ()
    pairs, notes = read_cochange(root, paths, options.cochange_commits)
    return tuple(pairs), tuple(notes)


def scan(root: Path, options: AnalysisOptions | None = None, progress: Progress | None = None) -> CodeBase:
    """Discover, parse (in parallel, cached) and resolve every Python file under `root`."""
    return scan_keyed(root, options, progress)[0]


def scan_keyed(root: Path, options: AnalysisOptions | None = None,
               progress: Progress | None = None) -> tuple[CodeBase, str]:
    """`scan`, plus a key naming the CodeBase it returns: the same key means an equal CodeBase
    (up to `root` as given). It covers every file's bytes and path, the scanner's code and
    options, and the co-change history read this time, so later stages can cache what they
    derive from the CodeBase under it."""
    with gc_paused():
        return _scan(root, options or AnalysisOptions(), progress)


def _scan(root: Path, options: AnalysisOptions, progress: Progress | None) -> tuple[CodeBase, str]:
    given = str(root)
    root = Path(root)
    if not root.exists():
        raise SourceNotFound(f"{root} does not exist; pass the folder of the codebase to analyze.")
    if not root.is_dir():
        raise SourceNotFound(f"{root} is not a folder; pass the folder of the codebase to analyze.")
    root = root.resolve()
    cache = FactCache.open(options)
    found = discover(root, options, ignore=(str(cache.folder),) if cache.folder else ())
    if not found.files and found.excluded:
        left_out = ", ".join(f"{e.path} ({e.reason})" for e in found.excluded[:3])
        raise NoPythonFiles(f"Every Python file in {given} is left out as not the application ({left_out}); "
                            f"pass --include PATTERN to analyze such files.")
    if not found.files:
        raise NoPythonFiles(f"No Python files found in {given}; check the path and the exclude patterns.")
    total = len(found.files)
    skipped: list[Skipped] = list(found.skipped)
    keyed: list[tuple[SourceFile, bytes, str]] = []
    for source in found.files:
        sha = hashlib.sha256(source.data).hexdigest()
        keyed.append((source, source.data, file_key(sha, source.module, source.is_package, source.path)))
    whole = tree_key([k for _, _, k in keyed], [(s.path, s.reason) for s in skipped], options,
                     [(e.path, e.reason, e.files) for e in found.excluded])
    codebase = cache.get_codebase(whole)
    if codebase is None:
        codebase = _build(keyed, skipped, cache, options, progress, given, total)
        cache.put_codebase(whole, codebase)
    elif progress:
        progress("scan", total, total)
    pairs, notes = _cochange(root, [m.path for m in codebase.modules], options)
    codebase = dataclasses.replace(codebase, root=given, cochange=pairs, excluded=found.excluded, roots=found.roots,
                                   notes=tuple(dict.fromkeys((*codebase.notes, *notes))))
    codebase = dataclasses.replace(codebase, imports=import_resolution(codebase))
    if not codebase.modules:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in codebase.skipped[:3])
        raise NoPythonFiles(f"No Python file in {given} could be analyzed ({len(codebase.skipped)} skipped: "
                            f"{reasons}); fix or exclude them.")
    return codebase, codebase_key(whole, codebase.cochange, codebase.notes)


def _build(keyed: list[tuple[SourceFile, bytes, str]], skipped: list[Skipped], cache: FactCache,
           options: AnalysisOptions, progress: Progress | None, given: str, total: int) -> CodeBase:
    results: dict[str, RawResult] = {}
    pending: list[tuple[str, Task]] = []
    done = total - len(keyed)
    for source, data, key in keyed:
        cached = cache.get_file(key)
        if cached is not None:
            results[key] = cached
            done += 1
        else:
            pending.append((key, Task(source.path, source.module, source.is_package, data)))
    if progress:
        progress("scan", done, total)
    def store(index: int, result: RawResult, encoded: bytes | None) -> None:
        cache.put_file(pending[index][0], result, encoded)

    parsed = _parse_all([task for _, task in pending], store, _jobs(options), progress, done, total)
    for (key, _), result in zip(pending, parsed, strict=True):
        results[key] = result
    raws: list[RawModule] = []
    problems: list[str] = []
    for _, _, key in keyed:
        result = results[key]
        if isinstance(result, RawSkip):
            skipped.append(Skipped(result.path, result.reason))
        else:
            raws.append(result)
            problems.extend(result.problems)
    codebase = resolve(raws, skipped, given)
    return dataclasses.replace(codebase, notes=tuple(problems)) if problems else codebase
