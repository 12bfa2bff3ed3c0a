"""Per-session review state: the history of adjustments, the plans they give, the last change.

The current plan is always plan_from_graph(graph, adjustments) for the newest adjustments.
Widget callbacks (which run before the page script) compute the new plan first: if the
pipeline refuses it, the error is kept for display and nothing else changes.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from analyzer.errors import StranglerError
from analyzer.model import CodeGraph, Plan
from analyzer.options import AnalysisOptions
from analyzer.pipeline import plan_from_graph
from analyzer.ui.changes import PlanChanges, diff_plans
from analyzer.ui.edits import Adjustments

PLAN_CACHE_SIZE = 24
# Session-state keys (widget keys live with their widgets in views).
SOURCE_KEY = "review_source_key"
GRAPH = "review_graph"
BASE_OPTIONS = "review_base_options"
HISTORY = "review_history"
PLANS = "review_plans"
EXPORTS = "review_exports"
LAST_CHANGE = "review_last_change"
ERROR = "review_error"
NOTICE = "review_notice"
EXTRA_NAMES = "review_extra_service_names"
VERSION = "review_plan_version"
VARIANT = "review_graph_variant"  # which runtime evidence the graph was weighted with ("" for none)
#: Set STRANGLER_DEBUG=1 to let unexpected errors through with their traceback.
DEBUG_ENV = "STRANGLER_DEBUG"
# Widget keys whose value mirrors the adjustments (set when undoing or resetting).
RESOLUTION_WIDGET = "resolution"
SERVICES_WIDGET = "n_services"


@dataclass(frozen=True)
class LastChange:
    label: str
    before: Adjustments
    after: Adjustments


def start_review(source_key: str, graph: CodeGraph, base: AnalysisOptions, variant: str = "") -> None:
    """Begin a fresh review when the source changes; keep the history when it does not. A new
    variant of the same source (runtime evidence added, or toggled off) keeps the reviewer's
    changes and re-plans them on the new graph."""
    state = st.session_state
    if state.get(SOURCE_KEY) == source_key:
        state[GRAPH] = graph
        if state.get(VARIANT) != variant:
            state[VARIANT] = variant
            state[PLANS] = OrderedDict()
            state[EXPORTS] = {}
            state[LAST_CHANGE] = None
            _bump()
        return
    initial = Adjustments.from_options(base)
    state[SOURCE_KEY] = source_key
    state[VARIANT] = variant
    state[GRAPH] = graph
    state[BASE_OPTIONS] = base
    state[HISTORY] = [initial]
    state[PLANS] = OrderedDict()
    state[EXPORTS] = {}
    state[LAST_CHANGE] = None
    state[ERROR] = None
    state[NOTICE] = None
    state[EXTRA_NAMES] = []
    state[VERSION] = state.get(VERSION, 0) + 1
    _mirror_widgets(initial)


def _mirror_widgets(adjustments: Adjustments) -> None:
    st.session_state[RESOLUTION_WIDGET] = float(adjustments.resolution)
    st.session_state[SERVICES_WIDGET] = int(adjustments.services)


def plan_version() -> int:
    """Counts plan changes in this session (new source, adjustment, undo, reset)."""
    version: int = st.session_state.get(VERSION, 0)
    return version


def _bump() -> None:
    st.session_state[VERSION] = plan_version() + 1


def current() -> Adjustments:
    history: list[Adjustments] = st.session_state[HISTORY]
    return history[-1]


def initial() -> Adjustments:
    """The adjustments the review started from (the project's own configuration)."""
    history: list[Adjustments] = st.session_state[HISTORY]
    return history[0]


def plan_for(adjustments: Adjustments) -> Plan:
    """The plan for these adjustments (cached per session; raises StranglerError if refused)."""
    plans: OrderedDict[Adjustments, Plan] = st.session_state[PLANS]
    plan = plans.get(adjustments)
    if plan is None:
        plan = plan_from_graph(st.session_state[GRAPH], adjustments.options(st.session_state[BASE_OPTIONS]))
        plans[adjustments] = plan
        while len(plans) > PLAN_CACHE_SIZE:
            plans.popitem(last=False)
    else:
        plans.move_to_end(adjustments)
    return plan


def current_plan() -> Plan:
    return plan_for(current())


def export_for(name: str, render: Callable[[Plan], str | bytes]) -> str | bytes:
    """`render(current plan)`, kept until the plan changes (exports are redrawn on every rerun)."""
    adjustments = current()
    exports: dict[tuple[Adjustments, str], str | bytes] = st.session_state[EXPORTS]
    key = (adjustments, name)
    if key not in exports:
        for stale in [k for k in exports if k[0] != adjustments]:
            del exports[stale]
        exports[key] = render(plan_for(adjustments))
    return exports[key]


def last_change() -> tuple[LastChange, Plan, PlanChanges] | None:
    """The newest change, the plan before it and what it changed."""
    change: LastChange | None = st.session_state.get(LAST_CHANGE)
    if change is None:
        return None
    before = plan_for(change.before)
    return change, before, diff_plans(before, plan_for(change.after))


def apply(place: str, label: str, adjustments: Adjustments, notice: str | None = None) -> bool:
    """Make `adjustments` current if the pipeline can plan them; else keep the error for display
    in `place` (the tab the action came from) and change nothing."""
    state = st.session_state
    state[ERROR] = None
    state[NOTICE] = None
    before = current()
    if adjustments == before:
        state[NOTICE] = (place, "Nothing to change: the plan already looks like that.")
        return False
    try:
        plan_for(adjustments)
    except StranglerError as exc:
        state[ERROR] = (place, str(exc))
        _mirror_widgets(before)
        return False
    except Exception as exc:
        if debugging():
            raise
        state[ERROR] = (place, unexpected(exc))
        _mirror_widgets(before)
        return False
    state[HISTORY] = [*state[HISTORY], adjustments]
    state[LAST_CHANGE] = LastChange(label, before, adjustments)
    _bump()
    state[NOTICE] = (place, notice) if notice else None
    return True


def debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def unexpected(exc: BaseException) -> str:
    """One sentence for an error Strangler did not foresee (a bug, not the user's doing). Only the
    kind of error is shown: its message may hold server paths the person at the page should not see."""
    return (f"Strangler hit an internal error ({type(exc).__name__}); nothing was changed. "
            f"Please report it; the server can set {DEBUG_ENV}=1 to see the traceback.")


def refuse(place: str, message: str) -> None:
    st.session_state[ERROR] = (place, message)
    st.session_state[NOTICE] = None


def undo() -> None:
    state = st.session_state
    history = state[HISTORY]
    if len(history) < 2:
        return
    state[HISTORY] = history[:-1]
    state[LAST_CHANGE] = LastChange("Undo", history[-1], history[-2])
    _bump()
    state[ERROR] = None
    state[NOTICE] = None
    _mirror_widgets(history[-2])


def reset() -> None:
    state = st.session_state
    history = state[HISTORY]
    if len(history) < 2:
        return
    initial = history[0]
    state[HISTORY] = [*history, initial]
    state[LAST_CHANGE] = LastChange("Reset to the proposed plan", history[-1], initial)
    _bump()
    state[ERROR] = None
    state[NOTICE] = None
    _mirror_widgets(initial)


def can_undo() -> bool:
    return len(st.session_state.get(HISTORY, ())) > 1


def changed_from_proposal() -> bool:
    history = st.session_state.get(HISTORY, ())
    return bool(history) and history[-1] != history[0]


def with_values(**changes: Any) -> Adjustments:
    return replace(current(), **changes)
