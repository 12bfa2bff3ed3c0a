"""Adjust: re-cluster, move modules, merge and rename services; every change re-plans at once.

Each control acts in a callback (before the page script runs), so the page that follows
already shows the new plan, its metric deltas and the list of what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import streamlit as st

from analyzer.errors import OverridesError
from analyzer.model import Plan
from analyzer.ui import edits, state
from analyzer.ui.changes import PlanChanges
from analyzer.ui.edits import Adjustments
from analyzer.ui.views.common import changes_list, feedback, headline_metrics
from analyzer.ui.views.overview import SERVICE_PICK

PLACE = "adjust"
MOVE_EDITOR_PREFIX = "move_editor"
#: Session key holding the editor's current widget key (tests read it to stage edits).
MOVE_EDITOR_KEY = "review_move_editor_key"
EDITOR_ROWS = "review_move_editor_rows"
NEW_NAME = "new_service_name"
MERGE_FROM, MERGE_INTO = "merge_from", "merge_into"
RENAME_FROM, RENAME_TO = "rename_from", "rename_to"
ADJUST_FIGURES = ("services", "lambda", "fargate", "sync", "async", "modularity", "sm", "icp", "ifn", "ned")
RESOLUTION_RANGE = (0.1, 4.0)
MAX_SERVICES = 40
#: Fixed column widths keep the table readable and let browser tests find a cell on the canvas.
MODULE_COLUMN_PX, SERVICE_COLUMN_PX = 420, 240


def render(plan: Plan, before: Plan | None, change_label: str | None, changes: PlanChanges | None) -> None:
    feedback(PLACE)
    headline_metrics(plan, before, ADJUST_FIGURES)
    if change_label is not None:
        changes_list(change_label, changes)
    names = _service_names(plan)
    st.markdown("#### Clustering")
    pinned = edits.pinned_modules(state.current(), state.initial())
    left, right = st.columns(2, gap="large")
    left.slider(
        "Resolution", min_value=RESOLUTION_RANGE[0], max_value=RESOLUTION_RANGE[1], step=0.1,
        key=state.RESOLUTION_WIDGET, on_change=_on_resolution, disabled=bool(pinned),
        help="Louvain resolution: higher gives more, smaller services. Ignored while a number of services is set.",
    )
    right.number_input(
        "Number of services (0 = let the resolution decide)", min_value=0, max_value=MAX_SERVICES, step=1,
        key=state.SERVICES_WIDGET, on_change=_on_services, disabled=bool(pinned),
        help="Searches the resolution that gives this many services.",
    )
    if pinned:
        st.caption(f"Your moves pin all {pinned} modules where you see them, so re-clustering is off: "
                   "the plan changes only where you change it. Undo the moves or Reset to re-cluster.")
    st.markdown("#### Move modules")
    _move_editor(plan, names)
    merge_column, rename_column = st.columns(2, gap="large")
    with merge_column:
        st.markdown("#### Merge two services")
        services = [n for n in names if n not in edits.shared_kernel_names(plan)]
        st.selectbox("Merge", services, key=MERGE_FROM)
        st.selectbox("into", services, key=MERGE_INTO, index=min(1, len(services) - 1) if services else 0)
        st.button("Merge services", key="merge", on_click=_on_merge, disabled=len(services) < 2)
    with rename_column:
        st.markdown("#### Rename a service")
        st.selectbox("Service", services, key=RENAME_FROM)
        st.text_input("New name", key=RENAME_TO, placeholder="e.g. checkout",
                      help="Lower-case letters, digits and dashes.")
        st.button("Rename service", key="rename", on_click=_on_rename, disabled=not services)


def _service_names(plan: Plan) -> list[str]:
    services = sorted(s.name for s in plan.services if s.kind == "service")
    return services + sorted(s.name for s in plan.services if s.kind == "shared")


def _move_editor(plan: Plan, names: list[str]) -> None:
    homes = plan.module_services()
    order = {name: i for i, name in enumerate(names)}
    rows = sorted(homes.items(), key=lambda item: (order.get(item[1], len(order)), item[0]))
    st.session_state[EDITOR_ROWS] = rows
    extra = [n for n in st.session_state.get(state.EXTRA_NAMES, []) if n not in order]
    frame = pd.DataFrame(rows, columns=["module", "service"])
    table, controls = st.columns([2, 1], gap="medium")
    with table:
        st.data_editor(
            # Edits wait for "Apply moves" (no rerun per cell), so several moves land as one change.
            frame, key=editor_key(), hide_index=True, disabled=["module"], num_rows="fixed", on_change="ignore",
            width=MODULE_COLUMN_PX + SERVICE_COLUMN_PX + 4, height=min(456, 38 + 35 * len(rows)),
            column_config={
                "module": st.column_config.TextColumn("module", width=MODULE_COLUMN_PX),
                "service": st.column_config.SelectboxColumn("service", options=names + extra, required=True,
                                                            width=SERVICE_COLUMN_PX),
            },
        )
    with controls:
        st.button("Apply moves", key="apply_moves", type="primary", on_click=_on_apply_moves, width="stretch")
        st.caption("Double-click a cell in the **service** column to pick another service; make as "
                   "many picks as you like, then apply them as one change. Applying pins every "
                   "module where the table shows it, so the plan changes only where you changed it.")
        st.text_input("New service to move modules into", key=NEW_NAME, placeholder="e.g. reporting",
                      help="Adds the name to the choices in the service column.")
        st.button("Add name", key="add_service_name", on_click=_on_add_name)


def _on_add_name() -> None:
    name = (st.session_state.get(NEW_NAME) or "").strip()
    try:
        edits.check_service_name(name)
    except OverridesError as exc:
        state.refuse(PLACE, str(exc))
        return
    known = st.session_state.get(state.EXTRA_NAMES, [])
    if name not in known:
        st.session_state[state.EXTRA_NAMES] = [*known, name]
    st.session_state[NEW_NAME] = ""
    st.session_state[state.ERROR] = None
    st.session_state[state.NOTICE] = (PLACE, f"{name!r} is now a choice in the service column.")


def _on_apply_moves() -> None:
    rows = st.session_state.get(EDITOR_ROWS, [])
    edited = (st.session_state.get(editor_key()) or {}).get("edited_rows", {})
    moves: dict[str, str] = {}
    for row, change in edited.items():
        index = int(row)
        service = change.get("service")
        if 0 <= index < len(rows) and service and service != rows[index][1]:
            moves[rows[index][0]] = service
    if not moves:
        state.refuse(PLACE, "No module has a new service yet: pick one in the service column first.")
        return
    _adjust(lambda adjustments, plan: edits.move_modules(adjustments, plan, moves),
            _moves_label(moves))


def _moves_label(moves: dict[str, str]) -> str:
    if len(moves) == 1:
        module, service = next(iter(moves.items()))
        return f"moved {module} to {service}"
    return f"moved {len(moves)} modules"


def editor_key() -> str:
    """A new key for every plan: the browser keeps unapplied cell edits per widget and would
    replay them onto the re-sorted rows of the next plan."""
    key = f"{MOVE_EDITOR_PREFIX}_{state.plan_version()}"
    st.session_state[MOVE_EDITOR_KEY] = key
    return key


def _on_merge() -> None:
    source, into = str(st.session_state.get(MERGE_FROM)), str(st.session_state.get(MERGE_INTO))
    _adjust(lambda adjustments, plan: edits.merge_services(adjustments, plan, source, into),
            f"merged {source} into {into}")


def _on_rename() -> None:
    old, new = str(st.session_state.get(RENAME_FROM)), str(st.session_state.get(RENAME_TO) or "").strip()

    def follow_rename() -> None:
        st.session_state[RENAME_TO] = ""
        if st.session_state.get(SERVICE_PICK) == old:
            st.session_state[SERVICE_PICK] = new

    _adjust(lambda adjustments, plan: edits.rename_service(adjustments, plan, old, new),
            f"renamed {old} to {new}", on_success=follow_rename)


def _on_resolution() -> None:
    value = round(float(st.session_state[state.RESOLUTION_WIDGET]), 2)
    _adjust(lambda adjustments, plan: replace(adjustments, resolution=value),
            f"resolution {state.current().resolution:g} → {value:g}")


def _on_services() -> None:
    value = int(st.session_state[state.SERVICES_WIDGET])
    label = "let the resolution decide the number of services" if value == 0 else f"asked for {value} services"
    _adjust(lambda adjustments, plan: replace(adjustments, services=value), label)


def _adjust(change: Callable[[Adjustments, Plan], Adjustments], label: str,
            on_success: Callable[[], None] | None = None) -> None:
    """Build the new adjustments from the current ones and apply them, or show why not."""
    try:
        adjusted = change(state.current(), state.current_plan())
    except OverridesError as exc:
        state.refuse(PLACE, str(exc))
        return
    if state.apply(PLACE, label[:1].upper() + label[1:], adjusted) and on_success is not None:
        on_success()
