"""Boundaries and Waves: the plan's cross-service calls and migration order as filterable tables."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from analyzer.export._document import md_text
from analyzer.model import Plan

#: Tables grow with their rows up to this height, then scroll.
MAX_TABLE_PX = 640
ROW_PX, HEADER_PX = 35, 38


def _options(values: Iterable[str]) -> list[str]:
    return sorted({v for v in values if v})


def fit_height(rows: int) -> int:
    return min(MAX_TABLE_PX, HEADER_PX + ROW_PX * max(rows, 1))


def render_data_boundaries(plan: Plan) -> None:
    """Relations, joins and queries across services, with the pattern for reaching the data after the split."""
    if not plan.data_boundaries:
        return
    with st.expander(f"Data boundaries: {len(plan.data_boundaries)} service pairs share data", expanded=False):
        st.dataframe(
            [{"from": b.source, "owner": b.target, "tables": ", ".join(b.tables), "pattern": b.pattern,
              "links": len(b.links), "why": "; ".join(b.reasons)} for b in plan.data_boundaries],
            hide_index=True, key="data_boundaries_table", height=fit_height(len(plan.data_boundaries)),
        )


def render_boundaries(plan: Plan) -> None:
    render_data_boundaries(plan)
    if not plan.boundaries:
        st.info("No call crosses a service boundary in this plan.")
        return
    services = _options([b.source for b in plan.boundaries] + [b.target for b in plan.boundaries])
    style_col, channel_col, service_col = st.columns(3)
    styles = style_col.multiselect("Style", _options(b.style for b in plan.boundaries), key="filter_style",
                                   placeholder="all styles")
    channels = channel_col.multiselect("Channel", _options(b.channel for b in plan.boundaries),
                                       key="filter_channel", placeholder="all channels")
    picked = service_col.multiselect("Service (either end)", services, key="filter_service",
                                     placeholder="all services")
    shown = [
        b for b in sorted(plan.boundaries, key=lambda b: (b.source, b.target))
        if (not styles or b.style in styles) and (not channels or b.channel in channels)
        and (not picked or b.source in picked or b.target in picked)
    ]
    st.caption(f"{len(shown)} of {len(plan.boundaries)} boundaries, "
               f"{sum(len(b.calls) for b in shown)} call sites.")
    st.dataframe(
        [{"from": b.source, "to": b.target, "style": b.style, "channel": b.channel, "calls": len(b.calls),
          "channels of its calls": b.channel_mix()}
         for b in shown],
        hide_index=True, key="boundaries_table", height=fit_height(len(shown)),
    )
    st.markdown("**Call sites**")
    calls = sum(len(b.calls) for b in shown)
    st.dataframe(
        [{"from": b.source, "to": b.target, "caller": c.caller, "callee": c.callee,
          "where": f"{c.path}:{c.line}", "style": c.style, "channel": c.channel, "why": "; ".join(c.reasons)}
         for b in shown for c in sorted(b.calls, key=lambda c: (c.path, c.line, c.caller, c.callee))],
        hide_index=True, key="boundary_calls_table", height=fit_height(calls),
    )


def render_waves(plan: Plan) -> None:
    if not plan.waves:
        st.info("The plan has no migration waves.")
        return
    by_name = {s.name: s for s in plan.services}
    services = _options(name for w in plan.waves for name in w.services)
    picked = st.multiselect("Service", services, key="filter_wave_service", placeholder="all services")
    waves = [w for w in sorted(plan.waves, key=lambda w: w.order)
             if not picked or set(picked) & set(w.services)]
    st.caption("Wave 1 is carved out of the monolith first; later waves follow in order.")
    for wave in waves:
        with st.container(border=True):
            st.markdown(f"**Wave {wave.order}:** {md_text(', '.join(wave.services))}")
            st.caption(wave.rationale)
    rows = []
    for wave in waves:
        for name in wave.services:
            if picked and name not in picked:
                continue
            service = by_name.get(name)
            rows.append({
                "wave": wave.order, "service": name,
                "target": service.target.compute if service is not None and service.target else "",
                "modules": len(service.modules) if service is not None else 0,
                "calls out (sync)": sum(1 for b in plan.boundaries if b.source == name and b.style == "sync"),
                "calls out (async)": sum(1 for b in plan.boundaries if b.source == name and b.style == "async"),
            })
    st.dataframe(rows, hide_index=True, key="wave_services_table", height=fit_height(len(rows)))
