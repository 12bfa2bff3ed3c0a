"""Recommend stage: Decomposition -> Plan.

Turns clusters into services with a compute target (Lambda/Fargate) and entry-point triggers,
every cross-service call into a sync/async boundary with its channel, and the services into
strangler-fig migration waves with effort and risk. Policy lives in analyzer/rules/ as data.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from typing import Any

from analyzer.model import Cluster, Decomposition, Plan, Service, SourceInfo
from analyzer.options import AnalysisOptions
from analyzer.recommend.boundaries import find_boundaries
from analyzer.recommend.locate import Locator
from analyzer.recommend.runtime import summarise as runtime_summary
from analyzer.recommend.targets import choose_target
from analyzer.recommend.waves import ServiceFacts, effort, plan_waves, rank_sizes, risk
from analyzer.rules import load_limits

__all__ = ["recommend", "table_usage"]


def recommend(decomposition: Decomposition, options: AnalysisOptions | None = None) -> Plan:
    """The full migration plan for one decomposition; same input, same plan."""
    codebase = decomposition.graph.codebase
    locator = Locator.of(decomposition)
    boundaries = find_boundaries(decomposition, locator)
    usage = table_usage(decomposition)
    clusters = sorted(decomposition.clusters, key=lambda c: (c.kind != "service", c.name))

    services: list[Service] = []
    facts: list[ServiceFacts] = []
    for cluster in clusters:
        owned = tuple(sorted(t for t, row in usage.items() if row["owner"] == cluster.name))
        shared = tuple(sorted(t for t, row in usage.items()
                              if row["used_by"] and cluster.name in (row["owner"], *row["used_by"])))
        placement = _placement(cluster, decomposition)
        if cluster.kind != "service":
            services.append(Service(name=cluster.name, kind=cluster.kind, modules=tuple(sorted(cluster.modules)),
                                    loc=_loc(cluster, decomposition), tables=owned,
                                    extra={"tables_shared": list(shared), **placement}))
            continue
        choice = choose_target(cluster, codebase)
        fact = ServiceFacts(name=cluster.name, loc=_loc(cluster, decomposition), shared_tables=shared,
                            confidence=choice.target.confidence, compute=choice.target.compute,
                            owned_tables=tuple(t for t in owned if usage[t]["used_by"]))
        facts.append(fact)
        services.append(Service(name=cluster.name, kind="service", modules=tuple(sorted(cluster.modules)),
                                loc=fact.loc, tables=owned, entry_points=choice.entry_points,
                                target=choice.target, extra={**choice.extra, "tables_shared": list(shared), **placement}))

    wave_plan = plan_waves(facts, boundaries)
    ranking = [e.score for e in wave_plan.entanglement.values()]
    efforts = rank_sizes({f.name: effort(f, boundaries) for f in facts})
    risks = {f.name: risk(f, wave_plan.entanglement[f.name], ranking) for f in facts}
    services = [dataclasses.replace(s, extra={**s.extra, "effort": efforts[s.name], "risk": risks[s.name]})
                if s.kind == "service" else s for s in services]
    extra: dict[str, Any] = {
        "risks": [{"service": s.name, **s.extra["risk"]} for s in services if s.kind == "service"],
        "data": usage,
        "limits": [dataclasses.asdict(item) for item in load_limits()],
        "verdict": wave_plan.verdict,
    }
    notes = [*codebase.notes, *decomposition.notes]
    if notes:
        extra["notes"] = notes
    return Plan(
        source=SourceInfo(root=codebase.root, files_analyzed=codebase.files_analyzed, loc=codebase.loc,
                          skipped=tuple(sorted(codebase.skipped, key=lambda s: s.path)),
                          excluded=codebase.excluded, import_roots=codebase.roots, imports=codebase.imports),
        services=tuple(services),
        boundaries=boundaries,
        metrics=dict(sorted(decomposition.metrics.items())),
        waves=wave_plan.waves,
        extra=extra,
        runtime=None if decomposition.graph.runtime is None else runtime_summary(decomposition.graph.runtime,
                                                                                  boundaries),
    )


def table_usage(decomposition: Decomposition) -> dict[str, dict[str, Any]]:
    """table -> {"owner": cluster, "used_by": [other clusters touching it]}, sorted by table.

    The owner is the cluster decompose assigned the table to; failing that, the cluster whose
    module defines the model; failing that, the cluster writing it most (then touching it most).
    """
    writes: dict[str, Counter[str]] = defaultdict(Counter)
    touches: dict[str, Counter[str]] = defaultdict(Counter)
    definers: dict[str, set[str]] = defaultdict(set)
    for access in decomposition.graph.data_access:
        cluster = decomposition.assignment.get(access.module, "")
        if not cluster:
            continue
        touches[access.table][cluster] += 1
        if access.via == "define":
            definers[access.table].add(cluster)
        elif access.mode == "write":
            writes[access.table][cluster] += 1
    claimed = {table: c.name for c in sorted(decomposition.clusters, key=lambda c: c.name) for table in c.tables}
    usage: dict[str, dict[str, Any]] = {}
    for table in sorted(set(touches) | set(claimed)):
        owner = claimed.get(table) or _owner(table, definers, writes, touches)
        others = sorted(set(touches[table]) - {owner})
        usage[table] = {"owner": owner, "used_by": others}
    return usage


def _owner(table: str, definers: dict[str, set[str]], writes: dict[str, Counter[str]],
           touches: dict[str, Counter[str]]) -> str:
    if definers.get(table):
        return sorted(definers[table])[0]
    return min(touches[table], key=lambda c: (-writes[table][c], -touches[table][c], c))


def _placement(cluster: Cluster, decomposition: Decomposition) -> dict[str, Any]:
    """Per-module lines, how the package structure placed each module (or why it is shared
    kernel), and the decompose stage's strongest links, for reports and the review UI."""
    loc = {m.name: m.loc for m in decomposition.graph.codebase.modules}
    why = {module: [{"neighbour": link.neighbour, "signal": link.signal, "weight": link.weight,
                     **({} if link.calls_observed is None else {"calls_observed": link.calls_observed})}
                    for link in decomposition.why.get(module, ())]
           for module in sorted(cluster.modules) if decomposition.why.get(module)}
    reasons = decomposition.shared_reasons if cluster.kind == "shared" else decomposition.placement
    placement = {module: reasons[module] for module in sorted(cluster.modules) if module in reasons}
    return {"module_loc": {module: loc.get(module, 0) for module in sorted(cluster.modules)}, "why": why,
            "placement": placement}


def _loc(cluster: Cluster, decomposition: Decomposition) -> int:
    if cluster.loc:
        return cluster.loc
    members = set(cluster.modules)
    return sum(m.loc for m in decomposition.graph.codebase.modules if m.name in members)
