"""Small display pieces several tabs share: headline metrics, the changes list, feedback, excerpts."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analyzer.export._document import md_code, md_text
from analyzer.model import Plan
from analyzer.ui import state
from analyzer.ui.changes import PlanChanges
from analyzer.ui.excerpt import read_excerpt
from analyzer.ui.summary import Figure, deltas, headline


def metric_row(figures: list[Figure], changed: dict[str, float | int]) -> None:
    for column, figure in zip(st.columns(len(figures)), figures, strict=True):
        delta = changed.get(figure.key)
        column.metric(
            figure.label,
            figure.shown(),
            delta=None if delta is None else (f"{delta:+,.{figure.decimals}f}"),
            delta_color=figure.delta_color,
            help=figure.help,
        )


def headline_metrics(plan: Plan, before: Plan | None, keys: tuple[str, ...] | None = None) -> None:
    """The plan's headline figures with their change since the last adjustment."""
    figures = [f for f in headline(plan) if keys is None or f.key in keys]
    changed = deltas(before, plan)
    counts = [f for f in figures if f.decimals == 0]
    quality = [f for f in figures if f.decimals > 0]
    if counts:
        metric_row(counts, changed)
    if quality:
        metric_row(quality, changed)


def changes_list(label: str, changes: PlanChanges | None, shown: int = 6) -> None:
    """The last change: a one-line count, the first few changes, the rest folded away."""
    if changes is None:
        return
    lines = changes.lines(limit=10_000)
    if not lines:
        st.caption(f"Last change: {md_text(label)}. The plan came out the same.")
        return
    st.markdown(f"**Last change: {md_text(label)}** · {changes.summary()}")
    st.markdown("\n".join(f"- {line}" for line in lines[:shown]))
    if len(lines) > shown:
        with st.expander(f"{len(lines) - shown} more change(s)"):
            st.markdown("\n".join(f"- {line}" for line in lines[shown:]))


def feedback(place: str) -> None:
    """The error or notice left by the last action taken in `place` (one sentence, no traceback)."""
    error = st.session_state.get(state.ERROR)
    notice = st.session_state.get(state.NOTICE)
    if error and error[0] == place:
        st.error(error[1])
    elif notice and notice[0] == place:
        st.success(notice[1])


def excerpt(root: Path, path: str, line: int) -> None:
    """Evidence as `path:line` and the lines around it."""
    found = read_excerpt(root, path, line)
    if found is None:
        st.markdown(f"{md_code(f'{path}:{line}')} (source not available)")
        return
    st.markdown(md_code(found.where))
    st.code(found.text, language="python")
