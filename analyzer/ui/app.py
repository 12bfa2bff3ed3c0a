"""The Streamlit review page: pick a codebase, look at the proposed services, adjust, export.

This is the UI's one error boundary: every StranglerError becomes one st.error sentence.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analyzer.errors import StranglerError
from analyzer.export._document import md_text
from analyzer.model import CodeGraph, Plan
from analyzer.options import AnalysisOptions, options_for
from analyzer.ui import runtime as runtime_inputs
from analyzer.ui import source as sources
from analyzer.ui import state
from analyzer.ui.views import adjust, export, overview, services, tables

FOLDER_INPUT = "source_folder"
ZIP_UPLOAD = "source_zip"
#: The session's current upload: holding it keeps its unpacked folder; replacing it frees that.
UPLOADED_SOURCE = "review_uploaded_source"
TABS = ("Overview", "Services", "Adjust", "Boundaries", "Waves", "Export")


def main() -> None:
    st.set_page_config(page_title="Strangler · service review", page_icon=":material/account_tree:",
                       layout="wide")
    st.title("Strangler service review")
    # One fixed slot for the progress bar, so the tabs below keep their place in the page
    # (and the tab the room is on) whether or not this run had to analyze.
    progress_slot = st.empty()
    source = None
    try:
        source = _pick_source()
        if source is None:
            return
        _runtime_sidebar(progress_slot)
        base = options_for(source.root)
        graph = sources.cached_graph(source) or _build_with_progress(source, base, progress_slot)
        graph, variant = runtime_inputs.weigh(graph, base)
        state.start_review(source.key, graph, base, variant)
        plan = state.current_plan()
        last = state.last_change()
    except StranglerError as exc:
        st.error(sources.without_server_paths(str(exc), source))
        return
    except Exception as exc:
        if state.debugging():
            raise
        st.error(state.unexpected(exc))
        return
    before, label, changes = (last[1], last[0].label, last[2]) if last else (None, None, None)
    _review_sidebar(plan, source)
    overview_tab, services_tab, adjust_tab, boundaries_tab, waves_tab, export_tab = st.tabs(TABS, key="tabs")
    with overview_tab:
        overview.render(plan, before, label, changes)
    with services_tab:
        services.render(plan, source.root)
    with adjust_tab:
        adjust.render(plan, before, label, changes)
    with boundaries_tab:
        tables.render_boundaries(plan)
    with waves_tab:
        tables.render_waves(plan)
    with export_tab:
        export.render(plan)


def _pick_source() -> sources.Source | None:
    with st.sidebar:
        st.header("Codebase")
        folder = st.text_input(
            "Folder to analyze", value=str(sources.default_sample()), key=FOLDER_INPUT,
            help="A folder on this machine holding a Python codebase (the bundled sample by default).",
        )
        upload = st.file_uploader(
            "…or upload a .zip of it", type=["zip"], key=ZIP_UPLOAD,
            help="Unpacked into a private temporary folder; unsafe archives are refused.",
        )
    if upload is not None:
        source = sources.zip_source(upload.name, upload.getvalue())
        sources.hold_upload(st.session_state, UPLOADED_SOURCE, source)
        if source.extract is not None and source.extract.skipped:
            st.sidebar.caption(f"{len(source.extract.skipped)} nested archive(s) in the upload were not unpacked.")
        return source
    sources.hold_upload(st.session_state, UPLOADED_SOURCE, None)
    return sources.folder_source(folder)


def _runtime_sidebar(slot: DeltaGenerator) -> None:
    with st.sidebar:
        runtime_inputs.sidebar(slot)


def _build_with_progress(source: sources.Source, options: AnalysisOptions, slot: DeltaGenerator) -> CodeGraph:
    bar = slot.progress(0.0, text=f"Analyzing {source.label} …")

    def progress(stage: str, done: int, total: int) -> None:
        fraction = min(max(done / total, 0.0), 1.0) if total else 0.0
        bar.progress(fraction, text=f"{stage}: {done:,} of {total:,}" if total else stage)

    try:
        return sources.load_graph(source, options, progress)
    finally:
        slot.empty()


def _review_sidebar(plan: Plan, source: sources.Source) -> None:
    with st.sidebar:
        st.caption(f"{plan.source.files_analyzed:,} files · {plan.source.loc:,} lines from {md_text(source.label)}")
        st.header("Review")
        undo_column, reset_column = st.columns(2)
        undo_column.button("Undo", key="undo", on_click=state.undo, disabled=not state.can_undo(),
                           icon=":material/undo:", width="stretch")
        reset_column.button("Reset", key="reset", on_click=state.reset, disabled=not state.changed_from_proposal(),
                            icon=":material/restart_alt:", width="stretch",
                            help="Back to the proposed plan (Undo brings your changes back).")
        steps = len(st.session_state.get(state.HISTORY, ())) - 1
        if steps:
            st.caption(f"{steps} change(s) this session.")
