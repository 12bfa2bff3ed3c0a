"""Recommend stage: Decomposition -> Plan.

Turns clusters into services with a compute target (Lambda/Fargate) and entry-point triggers,
every cross-service call into a sync/async boundary with its channel, and the services into
strangler-fig migration waves with effort and risk. Policy lives in analyzer/rules/ as data.
"""

from __future__ import annotations

import dataclasses

from analyzer.model import Cluster, Decomposition, Plan, Service, SourceInfo
from analyzer.options import AnalysisOptions
from analyzer.recommend.boundaries import boundaries_and_events
from analyzer.recommend.data import find_data_boundaries
from analyzer.recommend.locate import Locator
from analyzer.recommend.runtime import summarise as runtime_summary
from analyzer.recommend.targets import choose_target
from analyzer.recommend.waves import ServiceFacts, effort, plan_waves, rank_sizes, risk
from analyzer.rules import load_limits

__all__ = ["recommend"]


def recommend(decomposition: Decomposition, options: AnalysisOptions | None = None) -> Plan:
    """The full migration plan for one decomposition; same input, same plan."""
    codebase = decomposition.graph.codebase
    locator = Locator.of(decomposition)
    boundaries, events = boundaries_and_events(decomposition, locator)
    usage = decomposition.tables
    clusters = sorted(decomposition.clusters, key=lambda c: (c.kind != "service", c.name))

    services: list[Service] = []
    facts: list[ServiceFacts] = []
    for cluster in clusters:
        owned = tuple(sorted(t for t, use in usage.items() if use.owner == cluster.name))
        shared = tuple(sorted(t for t, use in usage.items() if use.used_by and cluster.name in (use.owner, *use.used_by)))
        service = _described(Service(name=cluster.name, kind=cluster.kind, modules=tuple(sorted(cluster.modules)),
                                     loc=_loc(cluster, decomposition), tables=owned, tables_shared=shared),
                             cluster, decomposition)
        if cluster.kind != "service":
            services.append(service)
            continue
        choice = choose_target(cluster, codebase)
        facts.append(ServiceFacts(name=cluster.name, loc=service.loc, shared_tables=shared,
                                  confidence=choice.target.confidence, compute=choice.target.compute,
                                  owned_tables=tuple(t for t in owned if usage[t].used_by)))
        services.append(dataclasses.replace(service, entry_points=choice.entry_points, target=choice.target,
                                            triggers=choice.triggers, fargate_score=choice.fargate_score))

    data_boundaries = find_data_boundaries(decomposition, usage)
    wave_plan = plan_waves(facts, boundaries, data_boundaries)
    ranking = [e.score for e in wave_plan.entanglement.values()]
    efforts = rank_sizes({f.name: effort(f, boundaries) for f in facts})
    risks = {f.name: risk(f, wave_plan.entanglement[f.name], ranking) for f in facts}
    services = [dataclasses.replace(s, effort=efforts[s.name], risk=risks[s.name]) if s.kind == "service" else s
                for s in services]
    return Plan(
        source=SourceInfo(root=codebase.root, files_analyzed=codebase.files_analyzed, loc=codebase.loc,
                          skipped=tuple(sorted(codebase.skipped, key=lambda s: s.path)),
                          excluded=codebase.excluded, import_roots=codebase.roots, imports=codebase.imports),
        services=tuple(services),
        boundaries=boundaries,
        metrics=dict(sorted(decomposition.metrics.items())),
        waves=wave_plan.waves,
        data=usage,
        limits=load_limits(),
        verdict=wave_plan.verdict,
        notes=(*codebase.notes, *decomposition.notes),
        data_boundaries=data_boundaries,
        runtime=None if decomposition.graph.runtime is None else runtime_summary(decomposition.graph.runtime,
                                                                                  boundaries),
        events=events,
    )


def _described(service: Service, cluster: Cluster, decomposition: Decomposition) -> Service:
    """Per-module lines, how the package structure placed each module (or why it is shared
    kernel), and the decompose stage's strongest links, for reports and the review UI."""
    modules = sorted(cluster.modules)
    loc = {m.name: m.loc for m in decomposition.graph.codebase.modules}
    reasons = decomposition.shared_reasons if cluster.kind == "shared" else decomposition.placement
    return dataclasses.replace(
        service,
        module_loc={m: loc.get(m, 0) for m in modules},
        placement={m: reasons[m] for m in modules if m in reasons},
        why={m: decomposition.why[m] for m in modules if decomposition.why.get(m)},
    )


def _loc(cluster: Cluster, decomposition: Decomposition) -> int:
    if cluster.loc:
        return cluster.loc
    members = set(cluster.modules)
    return sum(m.loc for m in decomposition.graph.codebase.modules if m.name in members)
