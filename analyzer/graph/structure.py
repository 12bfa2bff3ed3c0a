"""Structural graphs from scan facts: functions (calls, references, inheritance) and modules.

Edges are aggregated in plain dicts first and handed to networkx once, which keeps building
fast on large trees. The typed helpers at the bottom are the only places that touch networkx
attribute dictionaries, so callers get plain ints and floats back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import networkx as nx

from analyzer.model import STRUCTURAL_SIGNALS, CallSite, CodeBase, Reference
from analyzer.scan.records import gc_paused

#: When one function pair is linked several ways, the edge's `kind` is the strongest.
_KIND_ORDER = ("call", "reference", "inherit")


def function_graph(codebase: CodeBase, calls: Iterable[CallSite], extra_references: Iterable[Reference] = ()) -> nx.DiGraph[str]:
    """Nodes: every definition and every module (module-level code); edges caller -> callee."""
    with gc_paused():
        return _function_graph(codebase, calls, tuple(extra_references))


def _function_graph(codebase: CodeBase, calls: Iterable[CallSite], extra_references: tuple[Reference, ...]) -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = nx.DiGraph()
    for module in codebase.modules:
        graph.add_node(module.name, kind="module", module=module.name, path=module.path, line=1, loc=module.loc)
        graph.add_nodes_from((d.qualname, {"kind": d.kind, "module": d.module, "path": d.path, "line": d.line,
                                           "loc": d.loc}) for d in module.definitions)
    sites: dict[tuple[str, str], dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    nodes = graph.nodes
    for call in calls:
        if call.caller not in nodes:
            continue
        for callee in call.callees:
            if callee in nodes and callee != call.caller:
                sites[(call.caller, callee)]["call"].append((call.path, call.line))
    for ref in (*(r for m in codebase.modules for r in m.references), *extra_references):
        if ref.source in nodes and ref.target in nodes and ref.source != ref.target:
            sites[(ref.source, ref.target)]["reference"].append((ref.path, ref.line))
    for module in codebase.modules:
        for definition in module.definitions:
            for base in definition.bases:
                if base in nodes and base != definition.qualname:
                    sites[(definition.qualname, base)]["inherit"].append((definition.path, definition.line))
    graph.add_edges_from((caller, callee, _edge_attributes(kinds)) for (caller, callee), kinds in sites.items())
    return graph


def _edge_attributes(kinds: dict[str, list[tuple[str, int]]]) -> dict[str, object]:
    merged = sorted({site for found in kinds.values() for site in found})
    attributes: dict[str, object] = {name: len(kinds.get(name, ())) for name in _KIND_ORDER}
    attributes["kind"] = next(name for name in _KIND_ORDER if kinds.get(name))
    attributes["weight"] = sum(len(found) for found in kinds.values())
    attributes["sites"] = merged
    return attributes


def module_graph(codebase: CodeBase, calls: Iterable[CallSite], extra_references: Iterable[Reference] = ()) -> nx.DiGraph[str]:
    """Nodes: modules; edges carry one count per structural signal (self-loops left out)."""
    with gc_paused():
        return _module_graph(codebase, calls, tuple(extra_references))


def _module_graph(codebase: CodeBase, calls: Iterable[CallSite], extra_references: tuple[Reference, ...]) -> nx.DiGraph[str]:
    owners = codebase
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from((m.name, {"loc": m.loc, "path": m.path, "is_package": m.is_package})
                         for m in codebase.modules)
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(STRUCTURAL_SIGNALS, 0))
    type_only: dict[tuple[str, str], bool] = {}

    for call in calls:
        source = owners.module_of(call.caller)
        if source is None:
            continue
        targets = {t for t in map(owners.module_of, call.callees) if t is not None and t != source}
        for callee_module in sorted(targets):  # sorted: edges are added in the same order whatever the hash seed
            counts[(source, callee_module)]["call"] += 1
    for module in codebase.modules:
        for item in module.imports:
            if not item.internal:
                continue
            target = owners.module_of(item.resolved or item.target)
            if target is None or target == module.name:
                continue
            pair = (module.name, target)
            counts[pair]["import"] += 0 if item.type_checking else 1
            type_only[pair] = type_only.get(pair, True) and item.type_checking
        for definition in module.definitions:
            for base in definition.bases:
                parent = owners.module_of(base) if owners.defines(base) else None
                if parent is not None and parent != module.name:
                    counts[(module.name, parent)]["inherit"] += 1
        for ref in module.references:
            _count_reference(owners, ref, counts)
    for ref in extra_references:
        _count_reference(owners, ref, counts)
    for pair, signals in counts.items():
        attributes: dict[str, object] = dict(signals)
        if pair in type_only:
            attributes["type_only"] = type_only[pair]
        graph.add_edge(pair[0], pair[1], **attributes)
    return graph


def _count_reference(owners: CodeBase, ref: Reference, counts: dict[tuple[str, str], dict[str, int]]) -> None:
    source, target = owners.module_of(ref.source), owners.module_of(ref.target)
    if source is not None and target is not None and source != target:
        counts[(source, target)]["reference"] += 1


# --------------------------------------------------------------------------- typed helpers


def edge_count(attributes: Mapping[str, object], signal: str) -> float:
    value = attributes.get(signal, 0)
    return float(value) if isinstance(value, (int, float)) else 0.0


def edge_signal(graph: nx.DiGraph[str], source: str, target: str, signal: str) -> float:
    """One signal's weight on an edge, 0 when the edge or the signal is absent."""
    if not graph.has_edge(source, target):
        return 0.0
    return edge_count(graph.edges[source, target], signal)
