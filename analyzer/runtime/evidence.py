"""RuntimeEvidence: what a monolith was seen doing, as plain data, before it is matched to code.

Every reader (OTLP traces, cProfile/pstats files, `strangler record` files) aggregates what it
reads into one Tally per observed function (a Site) and per caller → callee pair, so that a
multi-GB trace becomes a few thousand numbers. Matching Sites to the analyzed code's qualnames
is the graph stage's job (analyzer.graph.runtime): a reader knows nothing about the CodeBase.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Distinct Sites kept; past this (span names carrying ids, say) new ones share one OVERFLOW Site,
#: so memory stays bounded whatever the file holds.
MAX_SITES = 200_000
OVERFLOW = "<more functions than Strangler keeps>"

#: Formats the readers recognise from a file's content (never from its name).
FORMATS = ("otlp-json", "pstats", "strangler-record")


@dataclass(frozen=True, slots=True)
class Site:
    """Code as a runtime file names it; any field may be empty."""

    path: str = ""  # file as recorded: absolute, or relative to wherever the program ran
    line: int = 0  # first line of the function (cProfile, the recorder) or code.lineno
    function: str = ""  # function name or qualname as recorded
    namespace: str = ""  # OpenTelemetry code.namespace: the module or class
    route: str = ""  # "GET /orders/{id}" from an HTTP server span
    task: str = ""  # a task queue's task name
    name: str = ""  # the span's own name (a last resort)


@dataclass(frozen=True, slots=True)
class RuntimeSource:
    """One runtime file read: its name as given, its format, how much it held, what was dropped."""

    path: str
    format: str  # one of FORMATS
    records: int  # spans, profiled functions or recorded functions read
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuntimeEvidence:
    """Observed calls aggregated over one or more runtime files.

    `functions` counts how often each Site ran (and its time); `calls` how often a caller Site
    called a callee Site directly (and the time spent in the callee). Each row names the source
    (an index into `sources`) so that a plan can say where a figure was observed.
    """

    sites: tuple[Site, ...]
    functions: tuple[tuple[int, int, float, int], ...]  # (site, calls, seconds, source)
    calls: tuple[tuple[int, int, int, float, int], ...]  # (caller site, callee site, calls, seconds, source)
    sources: tuple[RuntimeSource, ...]


class EvidenceBuilder:
    """Interns Sites and sums tallies while a reader streams; memory grows with distinct Sites only."""

    def __init__(self) -> None:
        self._index: dict[Site, int] = {}
        self.sites: list[Site] = []
        self._functions: dict[tuple[int, int], list[float]] = {}  # [calls, seconds]
        self._calls: dict[tuple[int, int, int], list[float]] = {}
        self.sources: list[RuntimeSource] = []
        self.overflowed = 0  # distinct Sites folded into the OVERFLOW one

    def site(self, site: Site) -> int:
        index = self._index.get(site)
        if index is None:
            if len(self.sites) >= MAX_SITES:
                site = Site(name=OVERFLOW)
                self.overflowed += 1
                index = self._index.get(site)
                if index is not None:
                    return index
            index = self._index[site] = len(self.sites)
            self.sites.append(site)
        return index

    def add_function(self, site: int, calls: int, seconds: float, source: int) -> None:
        tally = self._functions.get((site, source))
        if tally is None:
            self._functions[(site, source)] = [calls, seconds]
        else:
            tally[0] += calls
            tally[1] += seconds

    def add_call(self, caller: int, callee: int, calls: int, seconds: float, source: int) -> None:
        tally = self._calls.get((caller, callee, source))
        if tally is None:
            self._calls[(caller, callee, source)] = [calls, seconds]
        else:
            tally[0] += calls
            tally[1] += seconds

    def build(self) -> RuntimeEvidence:
        return RuntimeEvidence(
            sites=tuple(self.sites),
            functions=tuple((s, int(c), t, src) for (s, src), (c, t) in sorted(self._functions.items())),
            calls=tuple((a, b, int(c), t, src) for (a, b, src), (c, t) in sorted(self._calls.items())),
            sources=tuple(self.sources),
        )
