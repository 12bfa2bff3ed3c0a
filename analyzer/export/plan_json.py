"""plan.json: the versioned contract other tools read, and the reverse (plan.json → Plan).

Field names and nesting follow the contract (plan.schema.json beside this module); the fields beyond the
contract (effort, risk, triggers, table use, ...) follow the contract keys of their object in
name order, as plan.schema.json describes them. Lists whose order carries no meaning are sorted,
floats are rounded to 4 places, so the same plan always gives byte-identical JSON. Reading a
plan.json back ignores keys this version does not know.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from analyzer.errors import PlanError
from analyzer.export.atomic import write_file
from analyzer.inputs import MAX_PLAN_BYTES, InputRefused, check_nesting, read_limited
from analyzer.model import (
    Boundary,
    BoundaryCall,
    BoundaryRuntime,
    ChannelCount,
    DataBoundary,
    DataLink,
    Effort,
    Event,
    Evidence,
    Excluded,
    HotPath,
    ImportRoot,
    ImportStats,
    Limit,
    Observed,
    ObservedOnlyCall,
    PayloadWarning,
    Plan,
    PlanEntryPoint,
    Reason,
    Risk,
    RuntimeSourceInfo,
    RuntimeSummary,
    Service,
    Skipped,
    SourceInfo,
    TableUse,
    Target,
    Trigger,
    Verdict,
    VerdictFigures,
    Wave,
    WhyLink,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

SCHEMA_VERSION = 1
FLOAT_PLACES = 4
METRIC_KEYS = ("modularity", "sm", "icp", "ifn", "ned")


# --------------------------------------------------------------------------- Plan → dict


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as plain JSON data, in contract order, with extras merged in."""
    data: dict[str, Any] = {
        "schema_version": plan.schema_version,
        "tool": _plain(dict(plan.tool)),
        "source": _source_dict(plan.source),
        "services": [_service_dict(s) for s in sorted(plan.services, key=_service_order)],
        "boundaries": [_boundary_dict(b) for b in sorted(plan.boundaries, key=_boundary_order)],
        "metrics": _metrics_dict(plan.metrics),
        "waves": [_wave_dict(w) for w in sorted(plan.waves, key=lambda w: (w.order, w.services))],
    }
    risks = [{"service": s.name, **_plain(s.risk)} for s in sorted(plan.services, key=lambda s: s.name)
             if s.kind == "service" and s.risk is not None]
    return _beyond(data, {
        "data": plan.data,
        "data_boundaries": [_data_boundary_dict(d) for d in plan.data_boundaries],
        **({"events": [_event_dict(e) for e in plan.events]} if plan.events else {}),
        "limits": plan.limits,
        "risks": risks,
        **({"verdict": plan.verdict} if plan.verdict is not None else {}),
        **({"notes": plan.notes} if plan.notes else {}),
        **({"runtime": _runtime_summary_dict(plan.runtime)} if plan.runtime is not None else {}),
    })


def _data_boundary_dict(boundary: DataBoundary) -> dict[str, Any]:
    return {"source": boundary.source, "target": boundary.target, "tables": list(boundary.tables),
            "pattern": boundary.pattern, "reasons": list(boundary.reasons),
            "links": [{"kind": link.kind, "table": link.table, "accessor": link.accessor, "path": link.path,
                       "line": link.line, "via": link.via} for link in boundary.links]}


def _event_dict(event: Event) -> dict[str, Any]:
    return {"publisher": event.publisher, "source": event.source, "path": event.path, "line": event.line,
            "channel": event.channel, "consumers": list(event.consumers), "shape": event.shape,
            "payload": list(event.payload), "lines": list(event.lines)}


def _event_from(data: Mapping[str, Any]) -> Event:
    return Event(publisher=data["publisher"], source=data["source"], path=data["path"], line=data["line"],
                 channel=data["channel"], consumers=tuple(data["consumers"]), shape=data["shape"],
                 payload=tuple(data["payload"]), lines=tuple(data["lines"]))


def _data_boundary_from(data: Mapping[str, Any]) -> DataBoundary:
    return DataBoundary(data["source"], data["target"], tuple(data["tables"]), data["pattern"],
                        tuple(data["reasons"]),
                        tuple(DataLink(link["kind"], link["table"], link["accessor"], link["path"], link["line"],
                                       link["via"]) for link in data["links"]))


def render_json(plan: Plan) -> str:
    """plan.json text: indented, trailing newline, byte-identical for the same plan."""
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(plan: Plan, path: Path) -> Path:
    write_file(path, render_json(plan).encode("utf-8"))
    return path


def _service_order(service: Service) -> tuple[bool, str]:
    """Services by name, the shared kernel last."""
    return (service.kind == "shared", service.name)


def _boundary_order(boundary: Boundary) -> tuple[str, str, str, str]:
    return (boundary.source, boundary.target, boundary.style, boundary.channel)


def _call_order(call: BoundaryCall) -> tuple[str, int, str, str]:
    return (call.path, call.line, call.caller, call.callee)


def _source_dict(source: SourceInfo) -> dict[str, Any]:
    return {
        "root": source.root,
        "files_analyzed": source.files_analyzed,
        "loc": source.loc,
        "skipped": [{"path": s.path, "reason": s.reason}
                    for s in sorted(source.skipped, key=lambda s: (s.path, s.reason))],
        "excluded": [{"path": e.path, "reason": e.reason, "files": e.files} for e in source.excluded],
        "import_roots": [{"path": r.path, "reason": r.reason, "evidence": r.evidence} for r in source.import_roots],
        **({"imports": {"project": source.imports.project, "resolved": source.imports.resolved,
                        "unresolved": [{"target": t, "statements": n} for t, n in source.imports.unresolved]}}
           if source.imports is not None else {}),
    }


def _service_dict(service: Service) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": service.name,
        "kind": service.kind,
        "modules": sorted(service.modules),
        "loc": service.loc,
        "tables": sorted(service.tables),
        "entry_points": [
            {"kind": e.kind, "detail": e.detail, "path": e.path, "line": e.line}
            for e in sorted(service.entry_points, key=lambda e: (e.path, e.line, e.kind, e.detail))
        ],
    }
    if service.target is not None:
        data["target"] = _target_dict(service.target)
    beyond: dict[str, Any] = {"tables_shared": sorted(service.tables_shared), "module_loc": service.module_loc,
                              "placement": service.placement, "why": _why_dict(service.why)}
    if service.kind == "service":
        beyond["triggers"] = service.triggers
    for key, value in (("fargate_score", service.fargate_score), ("effort", service.effort), ("risk", service.risk)):
        if value is not None:
            beyond[key] = value
    return _beyond(data, beyond)


def _why_dict(why: Mapping[str, tuple[WhyLink, ...]]) -> dict[str, list[dict[str, Any]]]:
    """Each link's calls observed at run time only when runtime evidence covers it."""
    return {module: [{"neighbour": link.neighbour, "signal": link.signal, "weight": link.weight,
                      **({} if link.calls_observed is None else {"calls_observed": link.calls_observed})}
                     for link in links]
            for module, links in why.items()}


def _target_dict(target: Target) -> dict[str, Any]:
    """Reasons keep their order (strongest first); evidence is sorted by location."""
    return {
        "compute": target.compute,
        "confidence": _round(target.confidence),
        "reasons": [
            {"rule": r.rule, "detail": r.detail,
             "evidence": [{"path": e.path, "line": e.line}
                          for e in sorted(r.evidence, key=lambda e: (e.path, e.line))]}
            for r in target.reasons
        ],
    }


def _boundary_dict(boundary: Boundary) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": boundary.source,
        "target": boundary.target,
        "style": boundary.style,
        "channel": boundary.channel,
        "calls": [
            {"caller": c.caller, "callee": c.callee, "path": c.path, "line": c.line,
             "style": c.style, "channel": c.channel, "reasons": list(c.reasons),
             **({} if c.observed is None else {"observed": _observed_dict(c.observed)})}
            for c in sorted(boundary.calls, key=_call_order)
        ],
        "channels": [{"style": c.style, "channel": c.channel, "calls": c.calls} for c in boundary.channels],
    }
    beyond: dict[str, Any] = {}
    if boundary.payload_warnings:
        beyond["payload_warnings"] = boundary.payload_warnings
    if boundary.runtime is not None:
        beyond["runtime"] = _boundary_runtime_dict(boundary.runtime)
    return _beyond(data, beyond)


# runtime evidence (issue 15): present only in plans weighted with runtime files


def _observed_dict(observed: Observed) -> dict[str, Any]:
    return {"calls": observed.calls, "seconds": _round(observed.seconds), "caller_runs": observed.caller_runs,
            "sources": sorted(observed.sources)}


def _boundary_runtime_dict(runtime: BoundaryRuntime) -> dict[str, Any]:
    return {
        "calls": runtime.calls,
        "seconds": _round(runtime.seconds),
        "never_observed": runtime.never_observed,
        "observed_only": [{"caller": c.caller, "callee": c.callee, "path": c.path, "line": c.line,
                           "observed": _observed_dict(c.observed)}
                          for c in sorted(runtime.observed_only, key=lambda c: (c.caller, c.callee))],
        "hot_paths": [{"caller": h.caller, "callee": h.callee, "per_request": _round(h.per_request),
                       "remedy": h.remedy, "detail": h.detail,
                       "evidence": [{"path": e.path, "line": e.line} for e in h.evidence],
                       "observed": _observed_dict(h.observed)}
                      for h in sorted(runtime.hot_paths, key=lambda h: (h.caller, h.callee))],
    }


def _runtime_summary_dict(runtime: RuntimeSummary) -> dict[str, Any]:
    return {
        "sources": [{"path": s.path, "format": s.format, "records": s.records, "matched": s.matched,
                     "unmatched": s.unmatched, "notes": list(s.notes)} for s in runtime.sources],
        "functions_observed": runtime.functions_observed,
        "calls_observed": runtime.calls_observed,
        "observed_only": runtime.observed_only,
        "never_observed": runtime.never_observed,
        "hot_paths": runtime.hot_paths,
    }


def _observed_from(data: Mapping[str, Any]) -> Observed:
    return Observed(calls=data["calls"], seconds=data["seconds"], caller_runs=data["caller_runs"],
                    sources=tuple(data.get("sources", ())))


def _boundary_runtime_from(data: Mapping[str, Any] | None) -> BoundaryRuntime | None:
    if data is None:
        return None
    return BoundaryRuntime(
        calls=data["calls"], seconds=data["seconds"], never_observed=data["never_observed"],
        observed_only=tuple(ObservedOnlyCall(c["caller"], c["callee"], _observed_from(c["observed"]), c["path"],
                                             c["line"]) for c in data.get("observed_only", ())),
        hot_paths=tuple(HotPath(caller=h["caller"], callee=h["callee"], per_request=h["per_request"],
                                observed=_observed_from(h["observed"]), remedy=h["remedy"], detail=h["detail"],
                                evidence=tuple(Evidence(e["path"], e["line"]) for e in h.get("evidence", ())))
                        for h in data.get("hot_paths", ())),
    )


def _runtime_summary_from(data: Mapping[str, Any] | None) -> RuntimeSummary | None:
    if data is None:
        return None
    return RuntimeSummary(
        sources=tuple(RuntimeSourceInfo(s["path"], s["format"], s["records"], s["matched"], s["unmatched"],
                                        tuple(s.get("notes", ()))) for s in data["sources"]),
        functions_observed=data["functions_observed"], calls_observed=data["calls_observed"],
        observed_only=data["observed_only"], never_observed=data["never_observed"], hot_paths=data["hot_paths"],
    )


def _metrics_dict(metrics: Mapping[str, float]) -> dict[str, Any]:
    ordered = [k for k in METRIC_KEYS if k in metrics] + sorted(set(metrics) - set(METRIC_KEYS))
    return {k: _plain(metrics[k]) for k in ordered}


def _wave_dict(wave: Wave) -> dict[str, Any]:
    return {"order": wave.order, "services": sorted(wave.services), "rationale": wave.rationale,
            "kind": wave.kind, "steps": list(wave.steps)}


def _beyond(data: dict[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields beyond the contract follow its keys, in name order."""
    for key in sorted(fields):
        data[key] = _plain(fields[key])
    return data


def _round(value: float) -> float | None:
    if math.isnan(value) or math.isinf(value):
        return None
    rounded = round(float(value), FLOAT_PLACES)
    return 0.0 if rounded == 0 else rounded


def _plain(value: Any) -> Any:
    """A model value as JSON data: dataclasses and mappings → objects with sorted keys, tuples →
    lists, floats rounded."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return _round(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, Mapping):
        return {str(k): _plain(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    raise TypeError(f"{type(value).__name__} has no plan.json form")


# --------------------------------------------------------------------------- dict → Plan


@cache
def plan_schema() -> dict[str, Any]:
    """The published JSON Schema of plan.json (analyzer/export/plan.schema.json)."""
    text = resources.files("analyzer.export").joinpath("plan.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_plan_dict(data: Any, origin: str = "plan.json") -> None:
    """Raise PlanError (one sentence) when `data` does not follow the contract."""
    if not isinstance(data, dict):
        raise PlanError(f"{origin} is not a plan: expected a JSON object at the top level.")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise PlanError(
            f"{origin} has schema_version {version!r} but this strangler reads schema_version "
            f"{SCHEMA_VERSION}; regenerate it with `strangler analyze`."
        )
    # Imported on use: writing plan.json never needs the validator.
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(plan_schema()).iter_errors(data))
    if error is not None:
        where = _json_path(error.absolute_path)
        raise PlanError(f"{origin} does not follow the plan contract at {where}: {error.message}.")


def plan_from_dict(data: Mapping[str, Any], origin: str = "plan.json") -> Plan:
    """Rebuild a Plan from plan.json data (validated first); keys this version does not know are ignored."""
    validate_plan_dict(data, origin)
    return Plan(
        schema_version=data["schema_version"],
        tool={str(k): str(v) for k, v in data["tool"].items()},
        source=SourceInfo(
            root=data["source"]["root"],
            files_analyzed=data["source"]["files_analyzed"],
            loc=data["source"]["loc"],
            skipped=tuple(Skipped(path=s["path"], reason=s["reason"])
                          for s in data["source"]["skipped"]),
            excluded=tuple(Excluded(e["path"], e["reason"], e["files"]) for e in data["source"].get("excluded", ())),
            import_roots=tuple(ImportRoot(r["path"], r["reason"], r.get("evidence", 0))
                               for r in data["source"].get("import_roots", ())),
            imports=_imports_from(data["source"].get("imports")),
        ),
        services=tuple(_service_from(s) for s in data["services"]),
        boundaries=tuple(_boundary_from(b) for b in data["boundaries"]),
        metrics={k: v for k, v in data["metrics"].items()},
        waves=tuple(Wave(order=w["order"], services=tuple(w["services"]), rationale=w["rationale"],
                         kind=w.get("kind", "extract"), steps=tuple(w.get("steps", ())))
                    for w in data["waves"]),
        data={table: TableUse(use["owner"], tuple(use["used_by"])) for table, use in data.get("data", {}).items()},
        limits=tuple(_record(Limit, row) for row in data.get("limits", ())),
        verdict=_verdict_from(data.get("verdict")),
        notes=tuple(data.get("notes", ())),
        data_boundaries=tuple(_data_boundary_from(d) for d in data.get("data_boundaries", ())),
        runtime=_runtime_summary_from(data.get("runtime")),
        events=tuple(_event_from(e) for e in data.get("events", ())),
    )


def _verdict_from(data: Mapping[str, Any] | None) -> Verdict | None:
    if data is None:
        return None
    figures = data["figures"]
    return Verdict(kind=data["kind"], summary=data["summary"], figures=VerdictFigures(
        services=figures["services"], services_in_sync_cycles=figures["services_in_sync_cycles"],
        calls_to_make_async=figures["calls_to_make_async"], shared_tables=figures["shared_tables"],
        held_back=tuple(figures["held_back"])))


def _imports_from(data: Mapping[str, Any] | None) -> ImportStats | None:
    if data is None:
        return None
    return ImportStats(data["project"], data["resolved"],
                       tuple((u["target"], u["statements"]) for u in data.get("unresolved", ())))


def read_plan(path: Path) -> Plan:
    """Read plan.json written by `render_json` (or edited by hand)."""
    try:
        text = read_limited(Path(path), MAX_PLAN_BYTES)
        check_nesting(text)
    except FileNotFoundError as exc:
        raise PlanError(f"{path} does not exist; pass the plan.json written by `strangler analyze`.") from exc
    except InputRefused as exc:
        raise PlanError(f"{path} {exc}; pass the plan.json written by `strangler analyze`.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path} could not be read ({exc}); pass a plan.json file.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "regenerate it with `strangler analyze`."
        ) from exc
    return plan_from_dict(data, origin=str(path))


def _service_from(data: Mapping[str, Any]) -> Service:
    target = data.get("target")
    return Service(
        name=data["name"],
        kind=data["kind"],
        modules=tuple(data["modules"]),
        loc=data.get("loc", 0),
        tables=tuple(data.get("tables", ())),
        entry_points=tuple(PlanEntryPoint(kind=e["kind"], detail=e["detail"], path=e["path"], line=e["line"])
                           for e in data.get("entry_points", ())),
        target=None if target is None else Target(
            compute=target["compute"],
            confidence=target["confidence"],
            reasons=tuple(
                Reason(rule=r["rule"], detail=r["detail"],
                       evidence=tuple(Evidence(path=e["path"], line=e["line"]) for e in r.get("evidence", ())))
                for r in target.get("reasons", ())
            ),
        ),
        tables_shared=tuple(data.get("tables_shared", ())),
        module_loc=dict(data.get("module_loc", {})),
        placement=dict(data.get("placement", {})),
        why={module: tuple(WhyLink(link["neighbour"], link["signal"], link["weight"], link.get("calls_observed"))
                           for link in links)
             for module, links in data.get("why", {}).items()},
        triggers=tuple(Trigger(t["kind"], t["count"], t["trigger"]) for t in data.get("triggers", ())),
        fargate_score=data.get("fargate_score"),
        effort=None if "effort" not in data else _record(Effort, data["effort"]),
        risk=None if "risk" not in data else _record(Risk, data["risk"]),
    )


def _boundary_from(data: Mapping[str, Any]) -> Boundary:
    return Boundary(
        source=data["source"],
        target=data["target"],
        style=data["style"],
        channel=data["channel"],
        calls=tuple(
            BoundaryCall(caller=c["caller"], callee=c["callee"], path=c["path"], line=c["line"],
                         style=c["style"], channel=c["channel"], reasons=tuple(c.get("reasons", ())),
                         observed=_observed_from(c["observed"]) if "observed" in c else None)
            for c in data["calls"]
        ),
        payload_warnings=tuple(_record(PayloadWarning, w) for w in data.get("payload_warnings", ())),
        channels=tuple(ChannelCount(c["style"], c["channel"], c["calls"]) for c in data.get("channels", ())),
        runtime=_boundary_runtime_from(data.get("runtime")),
    )


_R = TypeVar("_R", bound="DataclassInstance")


def _record(cls: type[_R], data: Mapping[str, Any]) -> _R:
    """One of the model's flat records from its JSON object: lists become tuples, unknown keys are ignored."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names})


def _json_path(parts: Any) -> str:
    path = "plan"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path
