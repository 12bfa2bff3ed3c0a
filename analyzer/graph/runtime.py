"""The runtime signal: runtime evidence matched to the analyzed code, and weighed on the module graph.

Sites (what a trace or profile names) are matched to analyzed functions by file and line first
(cProfile, the recorder, OpenTelemetry's code.filepath/lineno), then by qualified name
(code.namespace + code.function), then through the entry points the scanner found (an HTTP
route, a task name), then by span name. What matches nothing (libraries, the standard library)
is counted per source, never guessed.

On the module graph each pair of modules gets `runtime_calls` (calls observed from one to the
other) and `runtime`, that count on a log scale against the busiest runtime link either module
has (1.0), the way co-change is scaled: a module's chattiest partner weighs most, a link called a
thousand times less weighs a third as much, and one hot pair elsewhere never flattens the rest.
A static call site whose caller was seen running many times yet never made the call is likely
dead or rare: it counts UNOBSERVED_CALL_WEIGHT of a call site (`call_unobserved` says how many).
With weight 0 for `runtime` the evidence is still matched and reported but changes no edge.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache

import networkx as nx

from analyzer.model import (
    CallSite,
    CodeBase,
    Definition,
    ModuleFacts,
    ObservedCall,
    Reference,
    RuntimeGraph,
    RuntimeSourceInfo,
    enclosing,
)
from analyzer.runtime import RuntimeEvidence, Site

#: A static call site never observed although its caller ran counts this share of a call site.
UNOBSERVED_CALL_WEIGHT = 0.1
#: Decorators sit above `def`: a profiler's first line of a decorated function may be this far above it.
DECORATOR_LINES = 20

_PARAMETER = re.compile(r"<[^>]*>|\{[^}]*\}|(?<=/):[A-Za-z_]\w*")


def match_evidence(codebase: CodeBase, evidence: RuntimeEvidence, calls: Iterable[CallSite],
                   references: Iterable[Reference]) -> RuntimeGraph:
    """Runs and caller → callee calls of analyzed functions, with each source's match counts."""
    matcher = SiteMatcher(codebase)
    names = [matcher.match(site) for site in evidence.sites]
    runs: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])  # [times seen running, seconds]
    for site, count, seconds, _ in evidence.functions:
        # a generator expression or comprehension runs inside its function's run (cProfile also
        # counts every resumption of a generator as a call): its calls count, its runs do not
        short = evidence.sites[site].function.rpartition(".")[2]
        inner = short.startswith("<") and short != "<module>"
        if names[site] and not inner:
            runs[names[site]][0] += count
            runs[names[site]][1] += seconds
    static = {(c.caller, callee) for c in calls for callee in c.callees} | {(r.source, r.target) for r in references}
    pairs: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])  # [calls, seconds]
    files: dict[tuple[str, str], set[str]] = defaultdict(set)
    for caller, callee, count, seconds, source in evidence.calls:
        a, b = names[caller], names[callee]
        if a and b and a != b and count:
            tally = pairs[(a, b)]
            tally[0] += count
            tally[1] += seconds
            files[(a, b)].add(evidence.sources[source].path)
    observed = tuple(ObservedCall(a, b, int(n), round(t, 6), tuple(sorted(files[(a, b)])), (a, b) in static)
                     for (a, b), (n, t) in sorted(pairs.items()))
    sources = []
    for index, runtime_source in enumerate(evidence.sources):
        used = {site for site, _, _, s in evidence.functions if s == index}
        used |= {site for a, b, _, _, s in evidence.calls if s == index for site in (a, b)}
        matched = sum(1 for site in used if names[site])
        sources.append(RuntimeSourceInfo(runtime_source.path, runtime_source.format, runtime_source.records, matched,
                                         len(used) - matched, runtime_source.notes))
    return RuntimeGraph(runs={q: (int(n), round(t, 6)) for q, (n, t) in sorted(runs.items())}, calls=observed,
                        sources=tuple(sources))


def add_runtime_signal(modules: nx.DiGraph[str], runtime: RuntimeGraph, calls: Iterable[CallSite],
                       module_names: Iterable[str]) -> None:
    """Put `runtime`/`runtime_calls` on module edges and discount static calls never observed."""
    owner = ModuleOwner(module_names)
    between: dict[tuple[str, str], int] = defaultdict(int)
    for call in runtime.calls:
        a, b = owner(call.caller), owner(call.callee)
        if a and b and a != b:
            between[(a, b)] += call.calls
    busiest: dict[str, int] = defaultdict(int)
    for (a, b), count in between.items():
        total = count + between.get((b, a), 0)
        busiest[a] = max(busiest[a], total)
        busiest[b] = max(busiest[b], total)
    for (a, b), count in sorted(between.items()):
        if not modules.has_edge(a, b):
            modules.add_edge(a, b)
        attrs = modules.edges[a, b]
        attrs["runtime_calls"] = count
        attrs["runtime"] = round(math.log1p(count) / math.log1p(max(busiest[a], busiest[b])), 6)
    for (a, b), count in sorted(unobserved_sites(runtime, calls, owner).items()):
        if modules.has_edge(a, b) and modules.edges[a, b].get("call"):
            attrs = modules.edges[a, b]
            attrs["call_unobserved"] = count
            attrs["call"] = attrs["call"] - (1.0 - UNOBSERVED_CALL_WEIGHT) * min(count, attrs["call"])


def unobserved_sites(runtime: RuntimeGraph, calls: Iterable[CallSite], owner: ModuleOwner) -> dict[tuple[str, str], int]:
    """Per module pair, static call sites across it whose caller ran but that were never observed."""
    seen = {(c.caller, c.callee) for c in runtime.calls}
    found: dict[tuple[str, str], int] = defaultdict(int)
    for call in calls:
        if not runtime.runs.get(call.caller, (0, 0.0))[0]:
            continue
        targets = [c for c in call.callees if owner(c)]
        if not targets or any((call.caller, c) in seen for c in targets):
            continue
        a = owner(call.caller)
        for b in {owner(c) for c in targets}:
            if a and b and a != b:
                found[(a, b)] += 1
    return dict(found)


class ModuleOwner:
    """The analyzed module a qualname belongs to (its longest module prefix), or ""."""

    def __init__(self, modules: Iterable[str]) -> None:
        self.modules = frozenset(modules)
        self._cache: dict[str, str] = {}

    def __call__(self, qualname: str) -> str:
        found = self._cache.get(qualname)
        if found is None:
            found = self._cache[qualname] = enclosing(qualname, self.modules) or ""
        return found


class SiteMatcher:
    """Finds the analyzed function (or module, for module-level code) a runtime Site names."""

    def __init__(self, codebase: CodeBase) -> None:
        self.by_path = {m.path: m for m in codebase.modules}
        self.depth = max((m.path.count("/") + 1 for m in codebase.modules), default=1)
        self.qualnames = {d.qualname for m in codebase.modules for d in m.definitions if d.kind != "class"}
        self.qualnames |= {m.name for m in codebase.modules}
        self.functions: dict[str, tuple[list[int], list[Definition]]] = {}
        for module in codebase.modules:
            defs = sorted((d for d in module.definitions if d.kind != "class"), key=lambda d: (d.line, -d.end_line))
            self.functions[module.path] = ([d.line for d in defs], defs)
        self.routes: dict[str, str] = {}
        self.tasks: dict[str, str] = {}
        for module in codebase.modules:
            for entry in module.entry_points:
                if entry.kind == "http":
                    self.routes.setdefault(route_key(entry.detail), entry.function)
                    self.routes.setdefault(route_key(entry.detail.partition(" ")[2]), entry.function)
                elif entry.kind == "task":
                    self.tasks.setdefault(entry.function, entry.function)
                    self.tasks.setdefault(entry.function.rpartition(".")[2], entry.function)

    def match(self, site: Site) -> str:
        return (self._by_location(site) or self._by_name(site) or self._by_entry(site)
                or (site.name if site.name in self.qualnames else ""))

    def _by_location(self, site: Site) -> str:
        module = self._module(site.path) if site.path else None
        if module is None:
            return ""
        if site.function == "<module>":
            return module.name
        if not site.line:
            return self._qualified(f"{module.name}.{site.function}") if site.function else ""
        lines, defs = self.functions[module.path]
        short = site.function.rpartition(".")[2]
        inside = [d for d in defs[:bisect_right(lines, site.line)] if d.end_line >= site.line]
        after = [d for d in defs[bisect_right(lines, site.line):bisect_right(lines, site.line + DECORATOR_LINES)]
                 if d.decorators]
        for candidate in [*sorted(inside, key=lambda d: -d.line), *after]:
            if not short or short.startswith("<") or candidate.qualname.rpartition(".")[2] == short:
                return candidate.qualname
        return ""

    def _module(self, path: str) -> ModuleFacts | None:
        parts = path.replace("\\", "/").split("/")
        for size in range(min(len(parts), self.depth), 0, -1):
            module = self.by_path.get("/".join(parts[-size:]))
            if module is not None:
                return module
        return None

    def _by_name(self, site: Site) -> str:
        if not site.function:
            return ""
        if site.namespace:
            found = self._qualified(f"{site.namespace}.{site.function}")
            if found:
                return found
        return self._qualified(site.function)

    def _qualified(self, name: str) -> str:
        name = name.replace(".<locals>", "")
        return name if name in self.qualnames else ""

    def _by_entry(self, site: Site) -> str:
        if site.route:
            found = self.routes.get(route_key(site.route)) or self.routes.get(route_key(site.route.partition(" ")[2]))
            if found:
                return found
        if site.task:
            return self.tasks.get(site.task) or self.tasks.get(site.task.rpartition(".")[2], "")
        return ""


@lru_cache(maxsize=4096)
def route_key(route: str) -> str:
    """'GET /orders/<int:id>', 'get /orders/{id}' and 'GET /orders/:id/' all give 'GET /orders/{}'."""
    method, _, path = route.strip().partition(" ") if " " in route.strip() else ("", "", route.strip())
    path = _PARAMETER.sub("{}", path).rstrip("/") or "/"
    return f"{method.upper()} {path}".strip()


def runtime_calls_between(modules: nx.DiGraph[str], a: str, b: str) -> int:
    """Calls observed between two modules, both directions."""
    return sum(int(modules.edges[u, v].get("runtime_calls", 0)) for u, v in ((a, b), (b, a)) if modules.has_edge(u, v))


def observed_modules(runtime: RuntimeGraph, module_names: Mapping[str, object] | Iterable[str]) -> set[str]:
    """Modules with a function seen running."""
    owner = ModuleOwner(module_names)
    return {owner(q) for q, (count, _) in runtime.runs.items() if count} - {""}
