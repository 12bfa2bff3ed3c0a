"""Display-ready views of a Plan shared by the spreadsheet and the reports, so both always agree.

Fields the recommend stage leaves empty (a shared kernel has no risk, effort or triggers) show blank.
With runtime evidence plan.runtime, boundary.runtime, call.observed and each why link's calls_observed are set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analyzer.decompose.metrics import NED_MAX_SIZE, NED_MIN_SIZE
from analyzer.model import (
    Boundary,
    HotPath,
    Observed,
    ObservedOnlyCall,
    Plan,
    RuntimeSourceInfo,
    Service,
    WhyLink,
)
from analyzer.rules import load_limits

#: One line each: what the metric measures and which direction is better.
METRIC_MEANINGS: dict[str, str] = {
    "modularity": "Newman modularity of the module graph split: dependencies inside services vs. between them (higher is better; above 0.3 shows real structure).",
    "sm": "Structural modularity: cohesion inside services minus coupling between them (higher is better).",
    "icp": "Inter-partition call percentage: share of calls between services' functions that cross services (lower is better).",
    "ifn": "Interface number: average count of a service's functions called from other services (lower is better).",
    "ned": f"Non-extreme distribution: share of modules in services of {NED_MIN_SIZE}-{NED_MAX_SIZE} modules, "
           "neither tiny nor huge (higher is better).",
}

RISK_LEVELS = ("high", "medium", "low")
COMPUTES = ("lambda", "fargate")
SHARED_LABEL = "shared kernel"


def services_in_order(plan: Plan) -> list[Service]:
    """Services by name, the shared kernel last (the order plan.json uses)."""
    return sorted(plan.services, key=lambda s: (s.kind == "shared", s.name))


def compute_of(service: Service) -> str:
    if service.target is not None:
        return service.target.compute
    return SHARED_LABEL if service.kind == "shared" else ""


def risk_of(service: Service) -> str:
    return service.risk.level if service.risk else ""


def risk_causes(service: Service) -> list[str]:
    return list(service.risk.causes) if service.risk else []


def effort_of(service: Service) -> str:
    return service.effort.size if service.effort else ""


def trigger_of(service: Service, entry_kind: str) -> str:
    """How an entry point of this kind is triggered on the service's compute target."""
    return next((t.trigger for t in service.triggers if t.kind == entry_kind), "")


def payload_warnings(boundary: Boundary) -> dict[tuple[str, str, str, int], list[str]]:
    """(caller, callee, path, line) → one-line warnings about payloads over the channel limit."""
    found: dict[tuple[str, str, str, int], list[str]] = {}
    for w in boundary.payload_warnings:
        text = f"argument {w.argument} may exceed the {w.channel} limit of {w.limit_value}"
        if w.remedy:
            text += f" ({w.remedy})"
        found.setdefault((w.caller, w.callee, w.path, w.line), []).append(text)
    return found


def highest_risk(plan: Plan) -> str:
    risks = {risk_of(s) for s in plan.services}
    return next((level for level in RISK_LEVELS if level in risks), "")


def top_reasons(service: Service, limit: int = 3) -> str:
    if service.target is None:
        return ""
    return "; ".join(f"{r.rule}: {r.detail}" if r.detail else r.rule for r in service.target.reasons[:limit])


def module_loc(service: Service, module: str) -> int | None:
    return service.module_loc.get(module)


def why_here(service: Service, module: str) -> str:
    """Why a module sits in its service: how the package structure placed it (or why it is shared
    kernel), then the decompose stage's strongest links."""
    links = "; ".join(_describe(link) for link in service.why.get(module, ()))
    return "; ".join(part for part in (service.placement.get(module, ""), links) if part)


def placement_groups(service: Service) -> list[tuple[str, tuple[str, ...]]]:
    """(reason, modules) for the modules placed other than as plain members of their app, by reason."""
    groups: dict[str, list[str]] = {}
    for module, reason in sorted(service.placement.items()):
        if service.kind == "shared" or not reason.startswith("app package "):
            groups.setdefault(reason, []).append(module)
    return sorted(((reason, tuple(modules)) for reason, modules in groups.items()), key=lambda g: (-len(g[1]), g[0]))


def _describe(link: WhyLink) -> str:
    seen = ("" if link.calls_observed is None else ", never observed at run time" if link.calls_observed == 0
            else f", {link.calls_observed:,} calls observed")
    return f"{link.signal} link to {link.neighbour} ({link.weight:g}){seen}"


@dataclass(frozen=True)
class Counts:
    files: int
    loc: int
    services: int
    lambda_services: int
    fargate_services: int
    shared_modules: int
    modules: int
    sync_boundaries: int
    async_boundaries: int
    call_sites: int
    skipped_files: int
    waves: int


def counts(plan: Plan) -> Counts:
    computes = [compute_of(s) for s in plan.services if s.kind != "shared"]
    return Counts(
        files=plan.source.files_analyzed,
        loc=plan.source.loc,
        services=sum(1 for s in plan.services if s.kind != "shared"),
        lambda_services=computes.count("lambda"),
        fargate_services=computes.count("fargate"),
        shared_modules=sum(len(s.modules) for s in plan.services if s.kind == "shared"),
        modules=sum(len(s.modules) for s in plan.services),
        sync_boundaries=sum(1 for b in plan.boundaries if b.style == "sync"),
        async_boundaries=sum(1 for b in plan.boundaries if b.style == "async"),
        call_sites=sum(len(b.calls) for b in plan.boundaries),
        skipped_files=len(plan.source.skipped),
        waves=len(plan.waves),
    )


def summary_figures(plan: Plan) -> list[tuple[str, int | str]]:
    """The headline figures, labelled, in reading order (Summary sheet and report)."""
    c = counts(plan)
    return [
        ("Files analyzed", c.files),
        ("Lines of code", c.loc),
        ("Modules", c.modules),
        ("Services", c.services),
        ("Lambda services", c.lambda_services),
        ("Fargate services", c.fargate_services),
        ("Shared-kernel modules", c.shared_modules),
        ("Sync boundaries", c.sync_boundaries),
        ("Async boundaries", c.async_boundaries),
        ("Cross-service call sites", c.call_sites),
        ("Migration waves", c.waves),
        ("Skipped files", c.skipped_files),
        ("Not the application (files left out)", sum(e.files for e in plan.source.excluded)),
        ("Project imports resolved", import_share(plan)),
        ("Highest risk", highest_risk(plan) or "n/a"),
    ]


def import_share(plan: Plan) -> str:
    """'3,046 of 3,046 (100.0%)': imports of project modules that resolved (a wrong root shows here)."""
    stats = plan.source.imports
    if stats is None:
        return "n/a"
    return f"{stats.resolved:,} of {stats.project:,} ({stats.share:.1%})"


def excluded_by_reason(plan: Plan) -> list[tuple[str, int, tuple[str, ...]]]:
    """(reason, Python files, paths) for what was left out as not the application, most files first."""
    files: dict[str, int] = {}
    paths: dict[str, list[str]] = {}
    for item in plan.source.excluded:
        files[item.reason] = files.get(item.reason, 0) + item.files
        paths.setdefault(item.reason, []).append(item.path)
    return [(reason, files[reason], tuple(paths[reason])) for reason in sorted(files, key=lambda r: (-files[r], r))]


@dataclass(frozen=True)
class TableRow:
    table: str
    owner: str
    others: tuple[str, ...]  # services that touch the table without owning it

    @property
    def conflict(self) -> bool:
        return bool(self.others)


def table_uses(plan: Plan) -> list[TableRow]:
    """Every table with its owning service and the other services that touch it."""
    return [TableRow(table, use.owner, use.used_by) for table, use in sorted(plan.data.items())]


#: The limits table's columns, in the order the spreadsheet and the report show them.
LIMIT_COLUMNS = ("key", "value", "unit", "applies_to", "description", "source", "checked", "note", "conservative")


def limit_rows(plan: Plan) -> tuple[list[str], list[list[str | float | bool]]]:
    """The limits table as (headers, rows): what the plan carries, else the rules' table."""
    limits = sorted(plan.limits or load_limits(), key=lambda item: item.key)
    return list(LIMIT_COLUMNS), [[getattr(item, column) for column in LIMIT_COLUMNS] for item in limits]


# --------------------------------------------------------------------------- runtime evidence


#: Edge thickness on the service map: 1 for no observed calls, up to this for the busiest boundary.
MAX_PENWIDTH = 8


def observed_calls(boundary: Boundary) -> int | None:
    """Calls observed across a boundary; None when the plan has no runtime evidence."""
    return None if boundary.runtime is None else boundary.runtime.calls


def observed_text(observed: Observed | None) -> str:
    """'1,200 calls in 40 runs of the caller', 'never observed (the caller ran 5 times)', or ''."""
    if observed is None:
        return ""
    if observed.calls:
        return f"{observed.calls:,} calls in {observed.caller_runs:,} runs of the caller"
    if observed.caller_runs:
        return f"never observed (the caller ran {observed.caller_runs:,} times)"
    return "not covered (the caller never ran)"


def penwidth(boundary: Boundary, busiest: int) -> float:
    """Service-map edge thickness on a log scale of observed calls (1 when none or no evidence)."""
    calls = observed_calls(boundary) or 0
    if not calls or busiest <= 0:
        return 1.0
    return round(1 + (MAX_PENWIDTH - 1) * math.log1p(calls) / math.log1p(busiest), 2)


def busiest_boundary(plan: Plan) -> int:
    return max((observed_calls(b) or 0 for b in plan.boundaries), default=0)


def runtime_sources(plan: Plan) -> list[RuntimeSourceInfo]:
    return list(plan.runtime.sources) if plan.runtime is not None else []


def hot_paths(plan: Plan) -> list[tuple[Boundary, HotPath]]:
    return [(b, h) for b in sorted(plan.boundaries, key=lambda b: (b.source, b.target))
            if b.runtime is not None for h in b.runtime.hot_paths]


def observed_only_calls(plan: Plan) -> list[tuple[Boundary, ObservedOnlyCall]]:
    return [(b, c) for b in sorted(plan.boundaries, key=lambda b: (b.source, b.target))
            if b.runtime is not None for c in b.runtime.observed_only]


def runtime_figures(plan: Plan) -> list[tuple[str, str]]:
    """(label, value) lines summarising the runtime evidence, for the report and the workbook."""
    runtime = plan.runtime
    if runtime is None:
        return []
    return [
        ("runtime files", ", ".join(f"{s.path} ({s.format})" for s in runtime.sources)),
        ("functions seen running", f"{runtime.functions_observed:,}"),
        ("calls observed between them", f"{runtime.calls_observed:,}"),
        ("calls static analysis missed (caller → callee pairs)", f"{runtime.observed_only:,}"),
        ("cross-service call sites never observed although their caller ran", f"{runtime.never_observed:,}"),
        ("hot synchronous paths", f"{runtime.hot_paths:,}"),
    ]
