"""The per-file job run in parser processes: bytes -> RawModule (or a reason to skip).

Kept import-light and free of global state so `ProcessPoolExecutor` workers start quickly.
"""

from __future__ import annotations

from typing import NamedTuple

from analyzer.scan import codec
from analyzer.scan.extract import extract
from analyzer.scan.facts import RawResult, RawSkip
from analyzer.scan.records import gc_paused
from analyzer.scan.source import Unreadable, decode, parse
from analyzer.scan.traits import detect_traits


class Task(NamedTuple):
    path: str  # relative, for messages and facts
    module: str
    is_package: bool
    data: bytes


def parse_file(task: Task) -> RawResult:
    with gc_paused():
        return _parse_file(task)


def _parse_file(task: Task) -> RawResult:
    try:
        source = decode(task.data)
        parsed = parse(source, task.path)
    except Unreadable as exc:
        return RawSkip(task.path, str(exc))
    problems: list[str] = []
    try:
        hits = [(h.rule, h.line, h.detail, h.entry_kind) for h in detect_traits(source, task.path)]
    except Exception as exc:  # noqa: BLE001 - a rule bug must not lose the file's structure
        hits = []
        problems.append(f"trait rules failed on {task.path}: {type(exc).__name__}: {exc}")
    try:
        module = extract(parsed.tree, parsed.source, task.module, task.path, task.is_package, parsed.parser, hits)
    except RecursionError:
        return RawSkip(task.path, "too deeply nested to analyze (RecursionError)")
    except Exception as exc:  # noqa: BLE001 - one file the extractor trips on must not stop the run
        return RawSkip(task.path, f"could not be analyzed ({type(exc).__name__}: {exc}); please report this file")
    return module._replace(problems=tuple(problems)) if problems else module


def parse_batch(tasks: list[Task]) -> list[bytes | RawResult]:
    """Each task's result, encoded here in the cache format: the parent stores these bytes in
    the cache as they are and decodes them once, instead of decoding and encoding again. A
    result the cache cannot hold is sent as it is (and not cached)."""
    with gc_paused():
        return [_encoded(_parse_file(task)) for task in tasks]


def _encoded(result: RawResult) -> bytes | RawResult:
    try:
        return codec.dumps(result)
    except codec.CodecError:
        return result
