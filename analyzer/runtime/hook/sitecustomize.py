"""Strangler's call recorder, started in every Python process that `strangler record` runs.

`strangler record` puts this folder first on PYTHONPATH, so Python imports this file at start-up
(the `sitecustomize` hook), then the project's own sitecustomize, if any. It uses the standard
library only: the command may run any Python, without Strangler installed. Calls are counted in
C: by cProfile's profiler hook before Python 3.12, by a sys.monitoring PY_START callback that
switches itself off for every code object outside the analyzed folder on 3.12 and later. At
exit each process writes one plain JSON file of call counts between functions whose files lie
under the analyzed folder; nothing else is recorded.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the aliases exist for the type checker only: the hook runs on any Python 3
    from collections.abc import Callable

    Key = tuple[str, int, str]  # (path under the folder, first line, qualified name)
    Figures = tuple[int, float]  # (count, seconds)
    Collect = Callable[[], tuple[dict[Key, Figures], dict[tuple[Key, Key], Figures]]]
    Relative = Callable[[str], "str | None"]


def _start() -> None:
    root = os.environ.get("STRANGLER_RECORD_ROOT", "")
    folder = os.environ.get("STRANGLER_RECORD_DIR", "")
    if not root or not folder:
        return
    root = os.path.realpath(root)
    prefix = root.rstrip(os.sep) + os.sep
    inside: dict[str, str] = {}

    def relative(filename: str) -> str | None:
        """The file's path under the analyzed folder (POSIX), or None for code elsewhere."""
        known = inside.get(filename)
        if known is None:
            real = os.path.realpath(filename) if filename and not filename.startswith("<") else ""
            known = inside[filename] = real[len(prefix):].replace(os.sep, "/") if real.startswith(prefix) else ""
        return known or None

    if sys.version_info >= (3, 12):
        collect = _monitor(relative)
        hook = "sys.monitoring"
    else:
        collect = _profile(relative)
        hook = "cProfile"

    def write() -> None:
        functions, calls = collect()
        index: dict[Key, int] = {}
        rows: list[list[Any]] = []
        for key in sorted(set(functions) | {k for pair in calls for k in pair}):
            index[key] = len(rows)
            runs, seconds = functions.get(key, (0, 0.0))
            rows.append([key[0], key[1], key[2], runs, round(seconds, 6)])
        data = {
            "format": "strangler-record", "version": 1, "hook": hook,
            "python": ".".join(map(str, sys.version_info[:3])), "pid": os.getpid(),
            "functions": rows,
            "calls": [[index[a], index[b], n, round(t, 6)] for (a, b), (n, t) in sorted(calls.items())],
        }
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"part-{os.getpid()}-{id(data)}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(path + ".tmp", path)

    atexit.register(write)


def _profile(relative: Relative) -> Collect:
    """cProfile's C hook (the one sys.setprofile installs) counts every call; kept: calls inside the folder."""
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()

    def collect() -> tuple[dict[Key, Figures], dict[tuple[Key, Key], Figures]]:
        profiler.disable()
        profiler.create_stats()
        functions: dict[Key, Figures] = {}
        calls: dict[tuple[Key, Key], Figures] = {}
        stats: dict[Key, Any] = getattr(profiler, "stats")  # noqa: B009 (create_stats sets it; typeshed omits it)
        for (file, line, name), (_, count, _, cumulative, callers) in stats.items():
            path = relative(file)
            if path is None:
                continue
            key = (path, line, name)
            functions[key] = (count, cumulative)
            for (caller_file, caller_line, caller_name), figures in callers.items():
                caller_path = relative(caller_file)
                if caller_path is not None:
                    calls[((caller_path, caller_line, caller_name), key)] = (figures[1], figures[3])
        return functions, calls

    return collect


def _monitor(relative: Relative) -> Collect:
    """A PY_START callback that returns DISABLE for code outside the folder, so only the
    project's own functions cost anything; the caller is the nearest project frame above."""
    monitoring: Any = getattr(sys, "monitoring")  # noqa: B009 (3.12+; the type checker targets 3.10)
    tool = monitoring.PROFILER_ID
    monitoring.use_tool_id(tool, "strangler-record")
    runs: dict[Key, int] = {}
    calls: dict[tuple[Key, Key], int] = {}
    keys: dict[Any, Key] = {}
    outside: Key = ("", 0, "")  # the key of code outside the folder: its path is empty
    disable = monitoring.DISABLE
    getframe = sys._getframe

    def key_of(code: Any) -> Key:
        key = keys.get(code)
        if key is None:
            path = relative(code.co_filename)
            key = keys[code] = (path, code.co_firstlineno, code.co_qualname) if path else outside
        return key

    def started(code: Any, offset: int) -> Any:
        key = key_of(code)
        if not key[0]:
            return disable
        runs[key] = runs.get(key, 0) + 1
        frame = getframe(1).f_back
        while frame is not None:
            caller = key_of(frame.f_code)
            if caller[0]:
                pair = (caller, key)
                calls[pair] = calls.get(pair, 0) + 1
                break
            frame = frame.f_back
        return None

    monitoring.register_callback(tool, monitoring.events.PY_START, started)
    monitoring.set_events(tool, monitoring.events.PY_START)

    def collect() -> tuple[dict[Key, Figures], dict[tuple[Key, Key], Figures]]:
        monitoring.set_events(tool, 0)
        monitoring.free_tool_id(tool)
        return ({k: (n, 0.0) for k, n in runs.items()}, {pair: (n, 0.0) for pair, n in calls.items()})

    return collect


def _chain() -> None:
    """Run the sitecustomize this one shadows, if the environment has one."""
    import importlib.machinery
    import importlib.util

    here = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    rest = [p for p in sys.path if os.path.realpath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_start()
_chain()
