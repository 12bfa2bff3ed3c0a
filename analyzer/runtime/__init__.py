"""Runtime evidence: what the monolith was seen doing, read from files handed to Strangler.

An input at the edge, like git history: OTLP JSON traces (analyzer.runtime.otlp), cProfile /
pstats files (analyzer.runtime.pstats_reader) and `strangler record` files
(analyzer.runtime.recorder) are read, their format told from their content, and aggregated into
one RuntimeEvidence. The graph stage matches it to the code (analyzer.graph.runtime).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from analyzer.errors import RuntimeInputError
from analyzer.inputs import InputRefused
from analyzer.model import Progress
from analyzer.runtime.evidence import MAX_SITES, EvidenceBuilder, RuntimeEvidence, RuntimeSource, Site
from analyzer.runtime.otlp import read_otlp
from analyzer.runtime.pstats_reader import looks_like_pstats, read_pstats
from analyzer.runtime.recorder import FORMAT as RECORD_FORMAT
from analyzer.runtime.recorder import read_record

__all__ = ["RuntimeEvidence", "RuntimeSource", "Site", "detect_format", "load_runtime"]

#: How much of a file is looked at to tell its format.
HEAD_BYTES = 65_536
_WHAT = "pass OpenTelemetry traces as OTLP JSON, a cProfile/pstats file or a `strangler record` file"


def detect_format(head: bytes) -> str:
    """"otlp-json", "pstats" or "strangler-record" from a file's first bytes; "" when none."""
    if looks_like_pstats(head):
        return "pstats"
    text = head.lstrip()
    if text[:1] in (b"{", b"["):
        if b'"resourceSpans"' in head:
            return "otlp-json"
        if f'"{RECORD_FORMAT}"'.encode() in head:
            return RECORD_FORMAT
    return ""


def load_runtime(paths: Sequence[str | Path], progress: Progress | None = None,
                 names: Sequence[str] | None = None) -> RuntimeEvidence:
    """Read and aggregate runtime files; one bad file raises RuntimeInputError naming it.

    `names` are what messages and the plan call each file (an upload's own name rather than
    the server folder it was saved in); by default the path as given.
    """
    builder = EvidenceBuilder()
    for position, path in enumerate(map(Path, paths)):
        name = names[position] if names else str(path)
        before = builder.overflowed
        source = _read_one(path, name, builder, len(builder.sources), progress)
        if builder.overflowed > before:
            source = replace(source, notes=(*source.notes, f"over {MAX_SITES:,} distinct functions or span names: "
                                            f"{builder.overflowed - before:,} more were counted together, unmatched"))
        builder.sources.append(source)
    return builder.build()


def _read_one(path: Path, name: str, builder: EvidenceBuilder, source: int,
              progress: Progress | None) -> RuntimeSource:
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except FileNotFoundError:
        raise RuntimeInputError(f"Runtime file {name} does not exist; {_WHAT}.") from None
    except IsADirectoryError:
        raise RuntimeInputError(f"Runtime file {name} is a folder; {_WHAT}.") from None
    except OSError as exc:
        raise RuntimeInputError(f"Runtime file {name} could not be read ({exc.strerror}); {_WHAT}.") from None
    kind = detect_format(head)
    if not kind:
        raise RuntimeInputError(f"Runtime file {name} is in no format Strangler reads; {_WHAT}.")
    label = f"reading {Path(name).name}"
    try:
        if kind == "otlp-json":
            read = read_otlp(path, builder, source, (lambda done, total: progress(label, done, total))
                             if progress else None)
        elif kind == "pstats":
            read = read_pstats(path, builder, source)
        else:
            read = read_record(path, builder, source)
    except (InputRefused, ValueError, UnicodeDecodeError) as exc:
        raise RuntimeInputError(f"Runtime file {name} {exc}; {_WHAT}.") from None
    return RuntimeSource(path=name, format=read.format, records=read.records, notes=read.notes)
