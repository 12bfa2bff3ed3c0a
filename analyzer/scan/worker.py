"""The per-file job run in parser processes: bytes -> RawModule (or a reason to skip).

Kept import-light and free of global state so `ProcessPoolExecutor` workers start quickly.
"""

from __future__ import annotations

import io
import pickle
from typing import Any, NamedTuple

from analyzer.scan.extract import extract
from analyzer.scan.facts import RECORD_CLASSES, RawResult, RawSkip
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


def parse_batch(tasks: list[Task]) -> list[bytes]:
    """Each task's result, pickled here: the parent stores these bytes in the cache as they are
    and unpickles them once, instead of unpickling the results and pickling them again."""
    with gc_paused():
        return [dumps(_parse_file(task)) for task in tasks]


def _reduce_record(record: tuple[Any, ...]) -> tuple[Any, ...]:
    return (tuple.__new__, (type(record), tuple(record)))


class _FactPickler(pickle.Pickler):
    """Pickles the fact NamedTuples as `tuple.__new__(cls, fields)`: a NamedTuple's default
    reduction calls its Python-level __getnewargs__ and, on loading, its Python-level __new__,
    which made pickling a Django-sized tree's facts take about 60% longer. Plain `pickle.loads`
    reads the result."""

    dispatch_table = {cls: _reduce_record for cls in RECORD_CLASSES}


def dumps(result: RawResult) -> bytes:
    buffer = io.BytesIO()
    _FactPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(result)
    return buffer.getvalue()
