"""Migration waves (strangler-fig order), effort and risk per service, and the plan's verdict.

A plan that rates every service the same tells the reviewer nothing, so everything here is
relative to the codebase at hand:

* **entanglement** of a service: synchronous call sites across its boundaries, services calling
  it synchronously, tables it shares, and whether it sits in a synchronous cycle;
* **waves**: cycles of synchronous calls are broken first (the calls to make asynchronous are
  listed, fewest call sites first); then services are extracted from the least entangled
  outward, a few per wave (services only ever called asynchronously lead); a service whose
  synchronous dependencies are still in the monolith calls back into it until they move;
* **hold**: the most entangled service(s), the transactional core others wait on, are marked
  "do not extract yet" with their figures;
* **risk** and **effort**: ranked against the other services (thresholds in recommend.yml are
  shares of the ranking, not absolute counts that saturate on a large codebase);
* **verdict**: when coupling is so dense that no split is cheap, the plan says so plainly.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from analyzer.model import Boundary, DataBoundary, Effort, Risk, Verdict, VerdictFigures, Wave
from analyzer.rules import load_policy
from analyzer.rules.policy import EffortRule, HoldRule, VerdictRule


@dataclass(frozen=True)
class ServiceFacts:
    """What waves, effort and risk need to know about one service."""

    name: str
    loc: int
    shared_tables: tuple[str, ...]
    confidence: float
    compute: str
    owned_tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entanglement:
    """How tied a service is to the rest, measured from its boundaries and tables."""

    inbound_sync_services: tuple[str, ...] = ()
    outbound_sync_services: tuple[str, ...] = ()
    sync_call_sites: int = 0
    async_call_sites: int = 0
    shared_tables: int = 0
    in_cycle: bool = False
    payload_warnings: int = 0
    data_links: int = 0  # relations, joins and queries into or out of its tables across services
    score: float = 0.0


@dataclass(frozen=True)
class WavePlan:
    waves: tuple[Wave, ...]
    entanglement: dict[str, Entanglement] = field(default_factory=dict)
    cycle_breaks: tuple[tuple[str, str, int], ...] = ()  # (caller service, callee service, sync call sites)
    hold: tuple[str, ...] = ()
    verdict: Verdict | None = None


def inbound_sync_callers(boundaries: tuple[Boundary, ...]) -> dict[str, set[str]]:
    """target service -> services that call it synchronously at least once."""
    callers: dict[str, set[str]] = defaultdict(set)
    for boundary in boundaries:
        if any(call.style == "sync" for call in boundary.calls):
            callers[boundary.target].add(boundary.source)
    return callers


def measure(services: list[ServiceFacts], boundaries: tuple[Boundary, ...],
            data: tuple[DataBoundary, ...] = ()) -> dict[str, Entanglement]:
    """Each service's entanglement; `score` weighs its parts as recommend.yml says."""
    weights = load_policy().waves.entanglement
    inbound: dict[str, set[str]] = defaultdict(set)
    outbound: dict[str, set[str]] = defaultdict(set)
    sync_sites: dict[str, int] = defaultdict(int)
    async_sites: dict[str, int] = defaultdict(int)
    warnings: dict[str, int] = defaultdict(int)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(s.name for s in services)
    for boundary in boundaries:
        sync = sum(1 for call in boundary.calls if call.style == "sync")
        for name in (boundary.source, boundary.target):
            sync_sites[name] += sync
            async_sites[name] += len(boundary.calls) - sync
            warnings[name] += len(boundary.payload_warnings)
        if sync:
            inbound[boundary.target].add(boundary.source)
            outbound[boundary.source].add(boundary.target)
            graph.add_edge(boundary.source, boundary.target)
    cyclic = {n for component in nx.strongly_connected_components(graph) if len(component) > 1 for n in component}
    data_links: dict[str, int] = defaultdict(int)
    for data_boundary in data:
        data_links[data_boundary.source] += len(data_boundary.links)
        data_links[data_boundary.target] += len(data_boundary.links)
    found = {}
    for service in services:
        name = service.name
        score = (weights.sync_call_site * math.sqrt(sync_sites[name])
                 + weights.inbound_sync_service * len(inbound[name])
                 + weights.shared_table * len(service.shared_tables)
                 + weights.data_link * math.sqrt(data_links[name])
                 + (weights.in_cycle if name in cyclic else 0.0))
        found[name] = Entanglement(tuple(sorted(inbound[name])), tuple(sorted(outbound[name])), sync_sites[name],
                                   async_sites[name], len(service.shared_tables), name in cyclic, warnings[name],
                                   data_links[name], round(score, 2))
    return found


def break_cycles(services: list[ServiceFacts], boundaries: tuple[Boundary, ...]) -> tuple[nx.DiGraph[str], list[tuple[str, str, int]]]:
    """The synchronous dependency graph made acyclic, and the dependencies removed to do it.

    Greedy: inside each cycle, the dependency with the fewest synchronous call sites goes first
    (ties by name), until no cycle is left; those calls are the ones to make asynchronous (or to
    invert) before the services can move apart.
    """
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(sorted(s.name for s in services))
    for boundary in boundaries:
        sync = sum(1 for call in boundary.calls if call.style == "sync")
        if sync and boundary.source in graph and boundary.target in graph:
            current = graph.get_edge_data(boundary.source, boundary.target, {"sites": 0})["sites"]
            graph.add_edge(boundary.source, boundary.target, sites=current + sync)
    removed: list[tuple[str, str, int]] = []
    while True:
        cycles = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
        if not cycles:
            return graph, removed
        component = min(cycles, key=lambda c: sorted(c))
        edges = sorted(((data["sites"], a, b) for a, b, data in graph.subgraph(component).edges(data=True)))
        sites, a, b = edges[0]
        graph.remove_edge(a, b)
        removed.append((a, b, sites))


def plan_waves(services: list[ServiceFacts], boundaries: tuple[Boundary, ...],
               data: tuple[DataBoundary, ...] = ()) -> WavePlan:
    """Waves: cycles broken first, then from the least entangled outward; the core held back."""
    policy = load_policy().waves
    if not services:
        return WavePlan(())
    entangled = measure(services, boundaries, data)
    facts = {s.name: s for s in services}
    acyclic, breaks = break_cycles(services, boundaries)
    hold = _hold(entangled, policy.hold)
    waves: list[Wave] = []
    if breaks:
        shown = ", ".join(f"{a} → {b} ({n} call site{'s' if n != 1 else ''})" for a, b, n in breaks)
        waves.append(Wave(order=1, services=(), rationale=(
            f"Break the synchronous cycles first: make these calls asynchronous (events or queues) or invert them, "
            f"fewest call sites first: {shown}."), kind="break-cycles",
            steps=tuple(f"make {a} → {b} asynchronous ({n} call sites)" for a, b, n in breaks)))
    ordered = sorted((n for n in facts if n not in hold), key=lambda n: (entangled[n].score, facts[n].loc, n))
    count = max(1, min(policy.max_waves, math.ceil(len(ordered) / policy.services_per_wave)))
    done: set[str] = set()
    for index in range(count):
        members = ordered[index * len(ordered) // count:(index + 1) * len(ordered) // count]
        waves.append(Wave(order=len(waves) + 1, services=tuple(members),
                          rationale=_rationale(members, entangled, acyclic, done, first=not done),
                          kind="extract", steps=_data_steps(members, facts, data)))
        done.update(members)
    if hold:
        waves.append(Wave(order=len(waves) + 1, services=tuple(hold), kind="hold", rationale=(
            "Do not extract yet: the transactional core the other services wait on. "
            + "; ".join(_hold_reason(n, entangled[n], len(services)) for n in hold)
            + ". Modularise it in place (one owner per table, calls through an explicit interface) and extract "
              "it last."), steps=_data_steps(list(hold), facts, data)))
    return WavePlan(tuple(waves), entangled, tuple(breaks), hold,
                    _verdict(entangled, breaks, hold, facts, policy.verdict))


def _hold(entangled: dict[str, Entanglement], policy: HoldRule) -> tuple[str, ...]:
    """The services far more entangled than the rest: at least `score_over_median` times the median
    score and called synchronously by at least `min_inbound_share` of the services."""
    scores = sorted(e.score for e in entangled.values())
    if len(scores) < policy.min_services:
        return ()
    median = scores[len(scores) // 2] or 1e-9
    inbound_needed = policy.min_inbound_share * (len(entangled) - 1)
    return tuple(sorted(n for n, e in entangled.items()
                        if e.score >= policy.score_over_median * median
                        and len(e.inbound_sync_services) >= inbound_needed))


def _hold_reason(name: str, e: Entanglement, total: int) -> str:
    return (f"{name} is called synchronously by {len(e.inbound_sync_services)} of {total - 1} services over "
            f"{e.sync_call_sites} call sites and shares {e.shared_tables} tables")


def _rationale(members: list[str], entangled: dict[str, Entanglement], acyclic: nx.DiGraph[str], done: set[str],
               first: bool) -> str:
    parts = []
    for name in members:
        e = entangled[name]
        waiting = sorted(d for d in acyclic.successors(name) if d not in done and d not in members)
        if not e.inbound_sync_services and not e.outbound_sync_services:
            what = "no synchronous calls in or out" + (" (only asynchronous callers)" if e.async_call_sites else "")
        else:
            what = f"called synchronously by {len(e.inbound_sync_services)} service(s)"
        if waiting:
            what += f"; calls back into the monolith for {', '.join(waiting)} until they move"
        parts.append(f"{name}: entanglement {e.score:g}, {what}")
    lead = "; ".join(parts)
    return lead + "." + (" Start here: the least entangled services." if first else "")


def _data_steps(members: list[str], facts: dict[str, ServiceFacts], data: tuple[DataBoundary, ...]) -> tuple[str, ...]:
    """The data split each service of a wave needs: the tables it takes over, and how it stops
    reaching into other services' tables (the data boundaries' patterns)."""
    steps = []
    for name in members:
        service = facts[name]
        if service.owned_tables:
            steps.append(f"{name}: move tables {', '.join(service.owned_tables)} to its own database")
        for boundary in (b for b in data if b.source == name):
            steps.append(f"{name} → {boundary.target} data ({', '.join(boundary.tables)}): {boundary.pattern}")
        covered = {t for b in data if b.source == name for t in b.tables}
        others = sorted(set(service.shared_tables) - set(service.owned_tables) - covered)
        if others:
            steps.append(f"{name}: stop using other services' tables {', '.join(others)} directly "
                         "(call the owner's API or keep a read model fed by its events)")
    return tuple(steps)


def _verdict(entangled: dict[str, Entanglement], breaks: list[tuple[str, str, int]], hold: tuple[str, ...],
             facts: dict[str, ServiceFacts], rules: VerdictRule) -> Verdict:
    """'extract' or 'modularise in place first', with the figures behind it."""
    total = len(entangled)
    cyclic = sorted(n for n, e in entangled.items() if e.in_cycle)
    shared = sorted({t for f in facts.values() for t in f.shared_tables})
    figures = VerdictFigures(services=total, services_in_sync_cycles=len(cyclic), calls_to_make_async=len(breaks),
                             shared_tables=len(shared), held_back=hold)
    dense = total and (len(cyclic) >= rules.cycle_share * total or len(hold) >= rules.hold_share * total)
    if dense:
        summary = (f"Modularise in place first: {len(cyclic)} of {total} services call each other synchronously in "
                   f"cycles and {len(shared)} tables are shared; no split is cheap until the {len(breaks)} calls "
                   "listed in wave 1 are made asynchronous and each table has one owner.")
        return Verdict(kind="modularise-first", summary=summary, figures=figures)
    summary = (f"Extract in waves: {total - len(hold)} of {total} services can move out"
               + (f" once {len(breaks)} synchronous calls are made asynchronous" if breaks else "")
               + (f"; hold back {', '.join(hold)}" if hold else "") + ".")
    return Verdict(kind="extract", summary=summary, figures=figures)


# --------------------------------------------------------------------------- effort and risk


def effort(service: ServiceFacts, boundaries: tuple[Boundary, ...]) -> Effort:
    """Lines, call sites to replace, tables to split, and the points they add up to (recommend.yml).
    The size (S/M/L/XL) and its basis are given by `rank_sizes` against the other services."""
    policy = load_policy().waves.effort
    touching = [b for b in boundaries if service.name in (b.source, b.target)]
    call_sites = sum(len(b.calls) for b in touching)
    sync_sites = sum(1 for b in touching for c in b.calls if c.style == "sync")
    points = (service.loc * policy.per_loc + call_sites * policy.per_call_site
              + len(service.shared_tables) * policy.per_shared_table)
    return Effort(size="", points=round(points, 2), loc=service.loc, call_sites_to_replace=call_sites,
                  sync_call_sites=sync_sites, shared_tables_to_split=service.shared_tables, basis="")


def rank_sizes(efforts: dict[str, Effort]) -> dict[str, Effort]:
    """Each effort with its size: the quartile of its points among this codebase's services, never
    above what its points are worth on the absolute scale of recommend.yml (a small codebase has no XL)."""
    policy: EffortRule = load_policy().waves.effort
    labels = [label for _, label in policy.sizes]
    points = sorted(e.points for e in efforts.values())
    ranked = {}
    for name, e in efforts.items():
        position = sum(1 for p in points if p < e.points) / max(1, len(points))
        relative = labels[min(len(labels) - 1, int(position * len(labels)))]
        absolute = next(label for floor, label in reversed(policy.sizes) if e.points >= floor)
        size = min(relative, absolute, key=labels.index)
        ranked[name] = dataclasses.replace(
            e, size=size, basis=f"{e.points:g} points, more than {position:.0%} of this codebase's services")
    return ranked


def risk(service: ServiceFacts, entanglement: Entanglement, ranking: list[float]) -> Risk:
    """low/medium/high from the service's entanglement ranked against the others, with its causes."""
    policy = load_policy().waves.risk
    position = sum(1 for s in ranking if s < entanglement.score) / max(1, len(ranking))
    if entanglement.score <= 0:
        level = "low"
    elif position >= policy.high_share:
        level = "high"
    elif position >= policy.medium_share:
        level = "medium"
    else:
        level = "low"
    causes = []
    e = entanglement
    if e.inbound_sync_services:
        causes.append(f"called synchronously by {len(e.inbound_sync_services)} service(s): "
                      f"{', '.join(e.inbound_sync_services)}")
    if e.sync_call_sites:
        causes.append(f"{e.sync_call_sites} synchronous call site(s) become network calls")
    if e.shared_tables:
        causes.append(f"{e.shared_tables} shared table(s) to split: {', '.join(service.shared_tables)}")
    if e.in_cycle:
        causes.append("in a cycle of synchronous calls")
    if e.payload_warnings:
        causes.append(f"{e.payload_warnings} call(s) may carry payloads over the channel limit")
    if service.compute and service.confidence < policy.low_confidence_below:
        causes.append(f"{service.compute} is a borderline choice (confidence {service.confidence:.2f})")
    summary = f"entanglement {e.score:g}, more than {position:.0%} of this codebase's services"
    return Risk(level=level, causes=tuple(causes), score=e.score, basis=summary)
