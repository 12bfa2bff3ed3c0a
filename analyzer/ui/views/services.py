"""Service detail: what one service holds, where it runs and why, and who it talks to."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analyzer.export import views as plan_views
from analyzer.export._document import md_code, md_text
from analyzer.model import Boundary, Plan, Service
from analyzer.ui.servicemap import plural
from analyzer.ui.views.common import excerpt
from analyzer.ui.views.overview import SERVICE_PICK

#: Evidence excerpts shown per reason or boundary before "and N more".
EXCERPTS_SHOWN = 3


def render(plan: Plan, root: Path) -> None:
    services = plan_views.services_in_order(plan)
    if not services:
        st.info("The plan has no services.")
        return
    by_name = {s.name: s for s in services}
    names = list(by_name)
    if st.session_state.get(SERVICE_PICK) not in by_name:
        st.session_state[SERVICE_PICK] = names[0]
    picked = st.selectbox("Service", names, key=SERVICE_PICK, format_func=lambda n: _choice_label(by_name[n]))
    service = by_name[picked or names[0]]
    st.markdown(_headline(service))
    _modules(service)
    _data_and_entry_points(service, plan)
    _target(service, root)
    _boundaries(service, plan, root)


def _choice_label(service: Service) -> str:
    if service.kind == "shared":
        return f"{service.name} (shared kernel, {plural(len(service.modules), 'module')})"
    compute = service.target.compute.capitalize() if service.target else "?"
    return f"{service.name} ({compute}, {plural(len(service.modules), 'module')})"


def _headline(service: Service) -> str:
    size = f"{plural(len(service.modules), 'module')} · {plural(service.loc, 'line')}"
    if service.kind == "shared":
        return (f"### {md_text(service.name)}\nShared kernel · {size}. These modules are used by several services "
                "and are vendored into each as a library, not deployed.")
    target = service.target
    where = f"**{target.compute.capitalize()}** (confidence {target.confidence:.0%})" if target else "no target"
    risk = plan_views.risk_of(service)
    risk_text = f" · risk {risk}" if risk else ""
    return f"### {md_text(service.name)}\nRuns on {where} · {size}{risk_text}"


def _modules(service: Service) -> None:
    st.markdown("**Modules and why they are here**")
    rows = [{"module": m, "LOC": plan_views.module_loc(service, m), "why here": _why(service, m)}
            for m in service.modules]
    st.dataframe(rows, hide_index=True, key="service_modules", column_config={
        "module": st.column_config.TextColumn("Module", width=290),
        "LOC": st.column_config.NumberColumn("LOC", width=60),
        "why here": st.column_config.TextColumn(
            "Why here (strongest links inside the service)", width=900,
            help="The modules it is most coupled to, with the signal that weighs most (call, import, "
                 "data, co-change, ...) and the link weight."),
    })


def _why(service: Service, module: str) -> str:
    """Strongest links as `neighbour (signal weight)`, short enough to read in a table cell."""
    links = service.why.get(module)
    if not links:
        return plan_views.why_here(service, module)
    return " · ".join(f"{_short(link.neighbour)} ({link.signal} {link.weight:.1f})" for link in links)


def _short(module: str) -> str:
    """`shop.services.order_service` → `services.order_service`: the project prefix is noise."""
    return module.split(".", 1)[1] if module.count(".") >= 2 else module


def _data_and_entry_points(service: Service, plan: Plan) -> None:
    shared_tables = [t for t in service.tables_shared if t not in service.tables]
    data_column, entry_column = st.columns([2, 3], gap="large")
    with data_column:
        _tables(service, shared_tables, plan)
    with entry_column:
        _entry_points(service)


def _tables(service: Service, shared_tables: list[str], plan: Plan) -> None:
    st.markdown("**Data**")
    if service.tables or shared_tables:
        owners = {use.table: use for use in plan_views.table_uses(plan)}
        rows = [{"table": t, "access": "owns",
                 "other services": f"also used by {', '.join(owners[t].others)}" if owners.get(t) and owners[t].others
                 else ""}
                for t in service.tables]
        rows += [{"table": t, "access": "uses",
                  "other services": f"owned by {owners[t].owner}" if owners.get(t) else ""}
                 for t in shared_tables]
        st.dataframe(rows, hide_index=True, key="service_tables")
    else:
        st.caption("No database tables found for this service.")


def _entry_points(service: Service) -> None:
    st.markdown("**Entry points**")
    if service.entry_points:
        st.dataframe(
            [{"kind": e.kind, "detail": e.detail, "where": f"{e.path}:{e.line}"}
             for e in sorted(service.entry_points, key=lambda e: (e.kind, e.detail, e.path, e.line))],
            hide_index=True, key="service_entry_points",
        )
    else:
        st.caption("No HTTP route, schedule, queue consumer or command found.")


def _target(service: Service, root: Path) -> None:
    if service.target is None:
        return
    st.markdown(f"**Why {service.target.compute.capitalize()}**")
    if not service.target.reasons:
        st.caption("No rule fired: the default target applies.")
    for index, reason in enumerate(service.target.reasons):
        label = md_text(f"{reason.rule}: {reason.detail}" if reason.detail else reason.rule)
        places = plural(len(reason.evidence), "place")
        with st.expander(f"{label} ({places} in the code)", expanded=index == 0):
            for evidence in reason.evidence[:EXCERPTS_SHOWN]:
                excerpt(root, evidence.path, evidence.line)
            if len(reason.evidence) > EXCERPTS_SHOWN:
                more = ", ".join(f"{e.path}:{e.line}" for e in reason.evidence[EXCERPTS_SHOWN:])
                st.caption(f"Also: {md_text(more)}")


def _boundaries(service: Service, plan: Plan, root: Path) -> None:
    outbound = [b for b in plan.boundaries if b.source == service.name]
    inbound = [b for b in plan.boundaries if b.target == service.name]
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**Calls out to** ({len(outbound)})")
        _boundary_table(outbound, "target", "service_outbound")
    with right:
        st.markdown(f"**Called by** ({len(inbound)})")
        _boundary_table(inbound, "source", "service_inbound")
    for boundary in sorted(outbound + inbound, key=lambda b: (b.source, b.target)):
        title = md_text(f"{boundary.source} → {boundary.target}: {boundary.style} over {boundary.channel}, "
                        f"{plural(len(boundary.calls), 'call site')}")
        with st.expander(title):
            for call in boundary.calls[:EXCERPTS_SHOWN]:
                reasons = md_text("; ".join(call.reasons))
                st.markdown(f"{md_code(call.caller)} → {md_code(call.callee)}" + (f": {reasons}" if reasons else ""))
                excerpt(root, call.path, call.line)
            if len(boundary.calls) > EXCERPTS_SHOWN:
                st.caption(f"And {len(boundary.calls) - EXCERPTS_SHOWN} more call site(s): see the Boundaries tab.")


def _boundary_table(boundaries: list[Boundary], peer: str, key: str) -> None:
    if not boundaries:
        st.caption("None.")
        return
    st.dataframe(
        [{"service": getattr(b, peer), "style": b.style, "channel": b.channel, "calls": len(b.calls)}
         for b in sorted(boundaries, key=lambda b: getattr(b, peer))],
        hide_index=True, key=key,
    )
