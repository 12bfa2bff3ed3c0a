"""Display-ready views of a Plan shared by the spreadsheet and the reports, so both always agree.

Plan fields follow the contract; a few optional facts come from the `extra` dicts the recommend
stage fills (all optional, shown blank when absent):

- service.extra["risk"]            {"level": "low"|"medium"|"high", "causes": [text]} (or the level alone)
- service.extra["effort"]          {"size": "S"|"M"|"L"|"XL", "points": n, ...} (or the size alone)
- service.extra["triggers"]        [{"kind": entry kind, "trigger": "API Gateway HTTP API", ...}]
- service.extra["module_loc"]      {module: lines of code}
- service.extra["why"]             {module: text, or [{"neighbour", "signal", "weight"}, ...]}
- service.extra["tables_shared"]   tables the service shares with another service
- boundary.extra["payload_warnings"]  [{"caller", "callee", "path", "line", "argument", "limit_value", "remedy"}]
- plan.extra["data"]               {table: {"owner": service, "used_by": [services]}}
- plan.extra["limits"]             the limits table the recommendation used (else the rules loader)
- plan.extra["notes"]              [text]: non-fatal remarks from the analysis

With runtime evidence the typed fields plan.runtime, boundary.runtime and call.observed are set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyzer.decompose.metrics import NED_MAX_SIZE, NED_MIN_SIZE
from analyzer.model import Boundary, HotPath, Observed, ObservedOnlyCall, Plan, RuntimeSourceInfo, Service

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
    value = service.extra.get("risk")
    if isinstance(value, Mapping):
        value = value.get("level")
    return "" if value is None else str(value)


def risk_causes(service: Service) -> list[str]:
    value = service.extra.get("risk")
    causes = value.get("causes", ()) if isinstance(value, Mapping) else ()
    return [str(c) for c in causes] if isinstance(causes, (list, tuple)) else []


def effort_of(service: Service) -> str:
    value = service.extra.get("effort")
    if isinstance(value, Mapping):
        value = value.get("size")
    return "" if value is None else str(value)


def trigger_of(service: Service, entry_kind: str) -> str:
    """How an entry point of this kind is triggered on the service's compute target."""
    triggers = service.extra.get("triggers")
    if not isinstance(triggers, (list, tuple)):
        return ""
    return next((str(t.get("trigger", "")) for t in triggers
                 if isinstance(t, Mapping) and t.get("kind") == entry_kind), "")


def payload_warnings(boundary: Boundary) -> dict[tuple[str, str, str, int], list[str]]:
    """(caller, callee, path, line) → one-line warnings about payloads over the channel limit."""
    found: dict[tuple[str, str, str, int], list[str]] = {}
    warnings = boundary.extra.get("payload_warnings")
    if not isinstance(warnings, (list, tuple)):
        return found
    for w in warnings:
        if not isinstance(w, Mapping):
            continue
        key = (str(w.get("caller", "")), str(w.get("callee", "")), str(w.get("path", "")), int(w.get("line", 0)))
        text = f"argument {w.get('argument', '')} may exceed the {w.get('channel', '')} limit of " \
               f"{w.get('limit_value', '?')}"
        if w.get("remedy"):
            text += f" ({w['remedy']})"
        found.setdefault(key, []).append(text)
    return found


def notes(plan: Plan) -> list[str]:
    value = plan.extra.get("notes")
    return [str(n) for n in value] if isinstance(value, (list, tuple)) else []


def highest_risk(plan: Plan) -> str:
    risks = {risk_of(s) for s in plan.services}
    return next((level for level in RISK_LEVELS if level in risks), "")


def top_reasons(service: Service, limit: int = 3) -> str:
    if service.target is None:
        return ""
    return "; ".join(f"{r.rule}: {r.detail}" if r.detail else r.rule for r in service.target.reasons[:limit])


def module_loc(service: Service, module: str) -> int | None:
    table = service.extra.get("module_loc")
    if isinstance(table, Mapping) and isinstance(table.get(module), int):
        return table[module]
    return None


def why_here(service: Service, module: str) -> str:
    """Why a module sits in its service: how the package structure placed it (or why it is shared
    kernel), then the decompose stage's strongest links."""
    placed = placement_of(service, module)
    table = service.extra.get("why")
    links = _describe_why(table[module]) if isinstance(table, Mapping) and module in table else ""
    return "; ".join(part for part in (placed, links) if part)


def placement_of(service: Service, module: str) -> str:
    table = service.extra.get("placement")
    return str(table[module]) if isinstance(table, Mapping) and module in table else ""


def placement_groups(service: Service) -> list[tuple[str, tuple[str, ...]]]:
    """(reason, modules) for the modules placed other than as plain members of their app, by reason."""
    table = service.extra.get("placement")
    if not isinstance(table, Mapping):
        return []
    groups: dict[str, list[str]] = {}
    for module, reason in sorted(table.items()):
        if service.kind == "shared" or not str(reason).startswith("app package "):
            groups.setdefault(str(reason), []).append(module)
    return sorted(((reason, tuple(modules)) for reason, modules in groups.items()), key=lambda g: (-len(g[1]), g[0]))


def _describe_why(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        neighbour = value.get("neighbour", "")
        signal = value.get("signal", "")
        weight = value.get("weight")
        strength = f" ({weight:g})" if isinstance(weight, (int, float)) else ""
        observed = value.get("calls_observed")
        seen = "" if not isinstance(observed, int) else (", never observed at run time" if observed == 0
                                                          else f", {observed:,} calls observed")
        return f"{signal} link to {neighbour}{strength}{seen}" if signal else str(neighbour)
    if isinstance(value, Sequence):
        return "; ".join(_describe_why(v) for v in value)
    return str(value)


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
class TableUse:
    table: str
    owners: tuple[str, ...]
    others: tuple[str, ...]  # services that touch the table without owning it

    @property
    def conflict(self) -> bool:
        return len(self.owners) != 1 or bool(self.others)


def table_uses(plan: Plan) -> list[TableUse]:
    """Every table with its owning service(s) and the other services that touch it.

    The recommend stage's table usage (plan.extra["data"]) wins; without it, ownership is read
    from each service's `tables` and `tables_shared`.
    """
    data = plan.extra.get("data")
    if isinstance(data, Mapping) and all(isinstance(v, Mapping) for v in data.values()):
        return [
            TableUse(table=str(table),
                     owners=(str(row["owner"]),) if row.get("owner") else (),
                     others=tuple(sorted({str(o) for o in row.get("used_by", ())} - {str(row.get("owner"))})))
            for table, row in sorted(data.items())
        ]
    owners: dict[str, set[str]] = {}
    touchers: dict[str, set[str]] = {}
    for service in plan.services:
        for table in service.tables:
            owners.setdefault(table, set()).add(service.name)
        shared = service.extra.get("tables_shared", ())
        if isinstance(shared, (list, tuple, set, frozenset)):
            for table in shared:
                touchers.setdefault(str(table), set()).add(service.name)
    return [
        TableUse(table=table,
                 owners=tuple(sorted(owners.get(table, ()))),
                 others=tuple(sorted(touchers.get(table, set()) - owners.get(table, set()))))
        for table in sorted(set(owners) | set(touchers))
    ]


LIMIT_COLUMNS = ("key", "name", "value", "unit", "applies_to", "description", "source", "checked", "note",
                 "conservative")


def limit_rows(plan: Plan) -> tuple[list[str], list[list[Any]]]:
    """The limits table as (headers, rows): what the plan carries, else the rules loader's table."""
    records = _limit_records(plan.extra.get("limits"))
    if not records:
        records = _limit_records(_load_rules_limits())
    keys = {k for r in records for k in r}
    headers = [k for k in LIMIT_COLUMNS if k in keys] + sorted(keys - set(LIMIT_COLUMNS))
    if not headers:
        headers = ["key", "value", "unit", "source", "checked"]
    return headers, [[_cell_value(r.get(h)) for h in headers] for r in records]


def _load_rules_limits() -> Any:
    try:
        from analyzer.rules import load_limits  # type: ignore[attr-defined]
    except ImportError:
        return None
    return load_limits()


def _limit_records(raw: Any) -> list[dict[str, Any]]:
    """Accept a list of records or a (nested) mapping name → record/value; flatten to sorted records."""
    if raw is None:
        return []
    if isinstance(raw, Mapping):
        items = [r for name, value in raw.items() for r in _as_records(str(name), value)]
    elif isinstance(raw, (list, tuple)):
        items = [r for value in raw for r in _as_records(None, value)]
    else:
        items = _as_records(None, raw)
    return sorted(items, key=lambda r: str(r.get("key", r.get("name", ""))))


def _as_records(name: str | None, value: Any) -> list[dict[str, Any]]:
    if hasattr(value, "__dataclass_fields__"):
        value = {f: getattr(value, f) for f in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        if value and all(isinstance(v, Mapping) for v in value.values()):
            prefix = f"{name}." if name else ""
            return [r for k, v in value.items() for r in _as_records(f"{prefix}{k}", v)]
        record = {str(k): v for k, v in value.items()}
        if name is not None and "key" not in record:
            record.setdefault("name", name)
        return [record]
    return [{"key": name or "", "value": value}]


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return str(value)


def module_of(qualname: str, modules: Sequence[str] | set[str]) -> str | None:
    """The longest analyzed module that `qualname` (a module, function or method) lives in."""
    candidate = qualname
    while candidate:
        if candidate in modules:
            return candidate
        if "." not in candidate:
            return None
        candidate = candidate.rsplit(".", 1)[0]
    return None


def module_service_map(plan: Plan) -> dict[str, str]:
    return {m: s.name for s in plan.services for m in s.modules}


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
