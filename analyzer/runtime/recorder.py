"""`strangler record`: run the user's own command with the call recorder, and read what it wrote.

This is the one place Strangler executes code, and only the command the user typed: it is run
as given (no shell), with the recorder (analyzer/runtime/hook/sitecustomize.py) put first on
PYTHONPATH so that every Python process the command starts loads it. Each process writes its
counts to a private temporary folder at exit; they are merged into one plain JSON file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from analyzer.errors import RuntimeInputError
from analyzer.inputs import check_nesting, read_limited
from analyzer.runtime.evidence import EvidenceBuilder, RuntimeSource, Site

#: A recording holds counts per function pair; a test suite's is well under a few MB.
MAX_RECORD_BYTES = 256_000_000
FORMAT = "strangler-record"


@dataclass(frozen=True)
class Recording:
    returncode: int  # the command's own exit code
    data: dict[str, Any]  # the merged counts, as written to the recording file

    @property
    def processes(self) -> int:
        return int(self.data["processes"])


def run_recorded(command: list[str], source: Path) -> Recording:
    """Run `command` with the recorder on; the merged counts for functions under `source`."""
    with tempfile.TemporaryDirectory(prefix="strangler-record-") as temporary:
        hook = Path(temporary) / "hook"
        parts = Path(temporary) / "parts"
        hook.mkdir()
        with resources.as_file(resources.files("analyzer.runtime").joinpath("hook/sitecustomize.py")) as file:
            shutil.copyfile(file, hook / "sitecustomize.py")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook), env.get("PYTHONPATH", "")) if p)
        env["STRANGLER_RECORD_ROOT"] = str(source.resolve())
        env["STRANGLER_RECORD_DIR"] = str(parts)
        try:
            completed = subprocess.run(command, env=env, check=False)  # noqa: S603 - the user's own command
        except FileNotFoundError:
            raise RuntimeInputError(f"Command {command[0]} was not found; give the command to record after --, "
                                    "as you would type it.") from None
        files = sorted(parts.glob("part-*.json")) if parts.is_dir() else []
        merged = merge_parts([json.loads(f.read_text(encoding="utf-8")) for f in files])
    return Recording(completed.returncode, merged)


def merge_parts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One recording from each process's counts: functions keyed by (path, line, name), summed."""
    functions: dict[tuple[Any, ...], list[float]] = {}  # [calls, seconds]
    calls: dict[tuple[tuple[Any, ...], tuple[Any, ...]], list[float]] = {}
    hooks = set()
    for part in parts:
        hooks.add(str(part.get("hook", "")))
        keys = [tuple(row[:3]) for row in part["functions"]]
        for key, row in zip(keys, part["functions"], strict=True):
            tally = functions.setdefault(key, [0, 0.0])
            tally[0] += row[3]
            tally[1] += row[4]
        for caller, callee, count, seconds in part["calls"]:
            tally = calls.setdefault((keys[caller], keys[callee]), [0, 0.0])
            tally[0] += count
            tally[1] += seconds
    ordered = sorted(functions)
    index = {key: position for position, key in enumerate(ordered)}
    return {
        "format": FORMAT, "version": 1, "hooks": sorted(hooks), "processes": len(parts),
        "functions": [[*key, functions[key][0], round(functions[key][1], 6)] for key in ordered],
        "calls": [[index[a], index[b], n, round(t, 6)] for (a, b), (n, t) in sorted(calls.items())],
    }


def read_record(path: Path, builder: EvidenceBuilder, source: int) -> RuntimeSource:
    """Fold a `strangler record` file into `builder`; raises ValueError when it is not one."""
    text = read_limited(path, MAX_RECORD_BYTES)
    check_nesting(text)
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("is not a strangler record file")
    rows, pairs = data.get("functions"), data.get("calls")
    if not isinstance(rows, list) or not isinstance(pairs, list):
        raise ValueError("is not a strangler record file (no functions and calls tables)")
    sites = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 5 and isinstance(row[0], str) and _whole(row[1])
                and isinstance(row[2], str) and _whole(row[3]) and _number(row[4])):
            raise ValueError(f"is not a strangler record file (function row {str(row)[:80]})")
        index = builder.site(Site(path=row[0][:1024], line=row[1], function=row[2][:512]))
        sites.append(index)
        builder.add_function(index, row[3], float(row[4]), source)
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 4 and all(_whole(v) for v in pair[:3]) and _number(pair[3])
                and pair[0] < len(sites) and pair[1] < len(sites)):
            raise ValueError(f"is not a strangler record file (call row {str(pair)[:80]})")
        builder.add_call(sites[pair[0]], sites[pair[1]], pair[2], float(pair[3]), source)
    return RuntimeSource(path=str(path), format=FORMAT, records=len(rows))


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
