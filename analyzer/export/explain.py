"""`strangler explain PATH --service NAME`: one service's plan as readable text.

Pure: takes the Plan, returns the text; every claim carries its path:line so the reader can
check it in the code.
"""

from __future__ import annotations

from analyzer.errors import UnknownService
from analyzer.model import Boundary, Plan, Service


def render_explain(plan: Plan, service_name: str) -> str:
    """Modules, entry points, tables, target with reasons, and both directions of boundaries."""
    service = _find(plan, service_name)
    lines: list[str] = []
    title = f"Service {service.name}" + (" (shared kernel)" if service.kind == "shared" else "")
    lines += [title, "=" * len(title), ""]
    lines.append(f"{len(service.modules)} module(s), {service.loc:,} lines of code")
    lines += [f"  {module}" for module in service.modules]
    lines.append("")

    lines.append(_heading("Entry points", len(service.entry_points)))
    triggers = {t.kind: t.trigger for t in service.triggers}
    for entry in service.entry_points:
        via = f"  [{triggers[entry.kind]}]" if triggers.get(entry.kind) else ""
        lines.append(f"  {entry.kind:<9} {entry.detail}  {entry.path}:{entry.line}{via}")
    lines.append("")

    shared = [t for t in service.tables_shared if t not in service.tables]
    lines.append(_heading("Tables", len(service.tables) + len(shared)))
    for table in service.tables:
        others = plan.data[table].used_by if table in plan.data else ()
        note = f"  (also used by {', '.join(others)})" if others else ""
        lines.append(f"  owns    {table}{note}")
    for table in shared:
        owner = plan.data[table].owner if table in plan.data else "?"
        lines.append(f"  uses    {table}  (owned by {owner})")
    lines.append("")

    if service.target is not None:
        target = service.target
        lines.append(f"Target: {target.compute} (confidence {target.confidence:.2f})")
        for reason in target.reasons:
            lines.append(f"  - [{reason.rule}] {reason.detail}")
            lines += [f"      {ev.path}:{ev.line}" for ev in reason.evidence]
        lines.append("")

    inbound = [b for b in plan.boundaries if b.target == service.name]
    outbound = [b for b in plan.boundaries if b.source == service.name]
    lines.append(_heading("Inbound boundaries", sum(len(b.calls) for b in inbound), "call"))
    lines += _boundary_lines(inbound, "from")
    lines.append("")
    lines.append(_heading("Outbound boundaries", sum(len(b.calls) for b in outbound), "call"))
    lines += _boundary_lines(outbound, "to")

    if service.kind == "service":
        effort, risk = service.effort, service.risk
        wave = next((w.order for w in plan.waves if service.name in w.services), None)
        lines.append("")
        if wave is not None:
            lines.append(f"Migration wave: {wave}")
        if effort is not None:
            lines.append(f"Effort: {effort.size} ({effort.loc:,} LOC, {effort.call_sites_to_replace} call "
                         f"site(s) to replace, {len(effort.shared_tables_to_split)} shared table(s) to split)")
        if risk is not None:
            lines.append(f"Risk: {risk.level}")
            lines += [f"  - {cause}" for cause in risk.causes]
    return "\n".join(lines).rstrip() + "\n"


def _find(plan: Plan, name: str) -> Service:
    for service in plan.services:
        if service.name == name:
            return service
    valid = ", ".join(sorted(s.name for s in plan.services))
    raise UnknownService(f"No service named {name!r} in the plan; valid names are: {valid}.")


def _heading(label: str, count: int, noun: str = "") -> str:
    suffix = f" ({count} {noun}{'s' if count != 1 else ''})" if noun else f" ({count})"
    return label + suffix + ("" if count else ": none")


def _boundary_lines(boundaries: list[Boundary], direction: str) -> list[str]:
    lines = []
    for boundary in boundaries:
        other = boundary.source if direction == "from" else boundary.target
        lines.append(f"  {direction} {other}: {boundary.style}/{boundary.channel}")
        for call in boundary.calls:
            lines.append(f"    {call.caller} -> {call.callee}  {call.path}:{call.line}  {call.style}/{call.channel}")
            lines += [f"      · {reason}" for reason in call.reasons]
        for warning in boundary.payload_warnings:
            lines.append(f"    ! payload `{warning.argument}` at {warning.path}:{warning.line} may exceed "
                         f"{warning.limit_value} ({warning.limit}): {warning.remedy}")
    return lines
