"""Overview: the headline figures and the service map, what the room looks at first."""

from __future__ import annotations

import streamlit as st

from analyzer.model import Plan
from analyzer.ui.changes import PlanChanges
from analyzer.ui.servicemap import service_map_dot
from analyzer.ui.views.common import changes_list, headline_metrics

SERVICE_PICK = "service_pick"


def render(plan: Plan, before: Plan | None, change_label: str | None, changes: PlanChanges | None) -> None:
    headline_metrics(plan, before)
    if change_label is not None:
        with st.container(border=True):
            changes_list(change_label, changes)
    st.subheader("Service map")
    st.graphviz_chart(service_map_dot(plan, highlight=st.session_state.get(SERVICE_PICK)))
    st.caption(
        "Orange: AWS Lambda · blue: ECS Fargate · grey dashed: shared kernel (vendored, not deployed). "
        "Solid arrows: synchronous HTTP calls · dashed purple: asynchronous messages "
        "(label: channel × call sites). The service picked in **Services** is drawn bold."
    )
    if plan.runtime is not None:
        runtime = plan.runtime
        st.caption(
            f"Weighted with runtime evidence: {runtime.calls_observed:,} calls observed between "
            f"{runtime.functions_observed:,} functions; arrow thickness is the calls observed across each boundary. "
            f"{runtime.observed_only} call(s) static analysis missed, {runtime.hot_paths} hot synchronous path(s) "
            "(see the report's Runtime evidence section)."
        )
    if plan.source.skipped:
        with st.expander(f"{len(plan.source.skipped)} file(s) not analyzed"):
            st.dataframe(
                [{"file": s.path, "reason": s.reason} for s in plan.source.skipped],
                hide_index=True, key="skipped_table",
            )
