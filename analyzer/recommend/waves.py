"""Migration waves (strangler-fig order), effort and risk per service.

Order: a service is ready once every service that calls it synchronously has been extracted
(until then those callers would reach it in-process); each wave takes all ready services. Services
that call each other synchronously (a strongly connected component of the sync-call graph) move
in the same wave. Within a wave, services are listed by shared tables, lines, name: easiest first.
Effort and risk thresholds are in analyzer/rules/recommend.yml (waves section).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx

from analyzer.model import Boundary, Wave
from analyzer.rules import load_policy


@dataclass(frozen=True)
class ServiceFacts:
    """What waves, effort and risk need to know about one service."""

    name: str
    loc: int
    shared_tables: tuple[str, ...]
    confidence: float
    compute: str


def inbound_sync_callers(boundaries: tuple[Boundary, ...]) -> dict[str, set[str]]:
    """target service -> services that call it synchronously at least once."""
    callers: dict[str, set[str]] = defaultdict(set)
    for boundary in boundaries:
        if any(call.style == "sync" for call in boundary.calls):
            callers[boundary.target].add(boundary.source)
    return callers


def plan_waves(services: list[ServiceFacts], boundaries: tuple[Boundary, ...]) -> tuple[Wave, ...]:
    """Waves of the condensed synchronous-call graph, callers before the services they call."""
    callers = inbound_sync_callers(boundaries)
    facts = {s.name: s for s in services}
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(facts))
    graph.add_edges_from(sorted((caller, target) for target, sources in callers.items() for caller in sources
                                if caller in facts and target in facts))
    condensed = nx.condensation(graph)

    def ease(name: str) -> tuple:
        return (len(facts[name].shared_tables), facts[name].loc, name)

    waves: list[Wave] = []
    for generation in nx.topological_generations(condensed):
        groups = [sorted(condensed.nodes[node]["members"], key=ease) for node in generation]
        groups.sort(key=lambda group: ease(group[0]))
        members = [name for group in groups for name in group]
        cycles = [group for group in groups if len(group) > 1]
        rationale = _rationale(members, cycles, callers, facts, first=not waves)
        waves.append(Wave(order=len(waves) + 1, services=tuple(members), rationale=rationale))
    return tuple(waves)


def _rationale(members: list[str], cycles: list[list[str]], callers: dict[str, set[str]],
               facts: dict[str, ServiceFacts], first: bool) -> str:
    in_cycle = {name for group in cycles for name in group}
    none = [s for s in members if not callers.get(s) and s not in in_cycle]
    done = [s for s in members if callers.get(s) and s not in in_cycle]
    parts = []
    if none:
        parts.append(f"{', '.join(none)}: no service calls {'it' if len(none) == 1 else 'them'} synchronously")
    for name in done:
        parts.append(f"{name}: its synchronous callers ({', '.join(sorted(callers[name]))}) move in earlier waves")
    for group in cycles:
        outside = sorted(set().union(*(callers.get(n, set()) for n in group)) - set(group))
        parts.append(f"{', '.join(group)} call each other synchronously (a cycle): move them together, or make one "
                     "direction asynchronous first"
                     + (f"; their other synchronous callers ({', '.join(outside)}) move earlier" if outside else ""))
    lead = "; ".join(parts)
    return f"{lead}. {_numbers(members, facts)}." + (" Start here: nothing still in the monolith waits on "
                                                      "these services' answers." if first else "")


def _numbers(names: list[str], facts: dict[str, ServiceFacts]) -> str:
    shared = ", ".join(f"{n} {len(facts[n].shared_tables)}" for n in names)
    loc = ", ".join(f"{n} {facts[n].loc:,}" for n in names)
    return f"Shared tables: {shared}; LOC: {loc}"


# --------------------------------------------------------------------------- effort and risk


def effort(service: ServiceFacts, boundaries: tuple[Boundary, ...]) -> dict[str, Any]:
    """Lines, call sites to replace, tables to split, and a T-shirt size from recommend.yml."""
    policy = load_policy()["waves"]["effort"]
    touching = [b for b in boundaries if service.name in (b.source, b.target)]
    call_sites = sum(len(b.calls) for b in touching)
    sync_sites = sum(1 for b in touching for c in b.calls if c.style == "sync")
    points = (service.loc * policy["per_loc"] + call_sites * policy["per_call_site"]
              + len(service.shared_tables) * policy["per_shared_table"])
    size = next(label for floor, label in reversed(policy["sizes"]) if points >= floor)
    return {
        "loc": service.loc,
        "call_sites_to_replace": call_sites,
        "sync_call_sites": sync_sites,
        "shared_tables_to_split": list(service.shared_tables),
        "points": round(points, 2),
        "size": size,
    }


def risk(service: ServiceFacts, boundaries: tuple[Boundary, ...]) -> dict[str, Any]:
    """low/medium/high with every cause that raised it."""
    policy = load_policy()["waves"]["risk"]
    sync_callers = sorted(inbound_sync_callers(boundaries).get(service.name, set()))
    touching = [b for b in boundaries if service.name in (b.source, b.target)]
    sync_sites = sum(1 for b in touching for c in b.calls if c.style == "sync")
    warnings = sum(len(b.extra.get("payload_warnings", ())) for b in touching)
    measures = [
        ("shared_tables", len(service.shared_tables),
         f"{len(service.shared_tables)} shared table(s) to split: {', '.join(service.shared_tables)}"),
        ("inbound_sync_services", len(sync_callers),
         f"called synchronously by {len(sync_callers)} service(s): {', '.join(sync_callers)}"),
        ("sync_call_sites", sync_sites, f"{sync_sites} synchronous call site(s) become network calls"),
        ("payload_warnings", warnings, f"{warnings} call(s) may carry payloads over the channel limit"),
    ]
    levels: list[str] = []
    causes: list[str] = []
    for key, value, text in measures:
        thresholds = policy[key]
        if value >= thresholds["high"]:
            levels.append("high")
            causes.append(text)
        elif value >= thresholds["medium"]:
            levels.append("medium")
            causes.append(text)
    if service.compute and service.confidence < policy["low_confidence_target"]["below"]:
        levels.append("medium")
        causes.append(f"{service.compute} is a borderline choice (confidence {service.confidence:.2f})")
    level = "high" if "high" in levels else "medium" if levels else "low"
    return {"level": level, "causes": causes}
