"""Export: the plan as adjusted, in every format; and an edited plan.xlsx read back as overrides."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from analyzer.errors import StranglerError
from analyzer.export import markdown, plan_json, sam, xlsx
from analyzer.export.overrides import MAX_WORKBOOK_BYTES, read_overrides
from analyzer.model import Plan
from analyzer.ui import edits, state
from analyzer.ui.views.common import feedback

PLACE = "export"
OVERRIDES_UPLOAD = "overrides_upload"


@dataclass(frozen=True)
class Download:
    key: str
    label: str
    file_name: str
    mime: str
    render: Callable[[Plan], str | bytes]
    what: str


DOWNLOADS = (
    Download("dl_xlsx", "Download plan.xlsx", "plan.xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.render_xlsx,
             "The plan as a workbook; edit the service column of the Modules sheet and upload it below."),
    Download("dl_json", "Download plan.json", "plan.json", "application/json", plan_json.render_json,
             "The versioned plan contract other tools read."),
    Download("dl_md", "Download report.md", "report.md", "text/markdown", markdown.render_markdown,
             "The plan as a readable report with its evidence."),
    Download("dl_sam", "Download template.yaml", "template.yaml", "application/x-yaml", sam.render_sam,
             "An AWS SAM template skeleton: one function or task per service, one queue or topic per "
             "async boundary."),
)


def render(plan: Plan) -> None:
    feedback(PLACE)
    if state.changed_from_proposal():
        st.caption("These files hold the plan **as adjusted** in this session.")
    columns = st.columns(len(DOWNLOADS))
    for column, download in zip(columns, DOWNLOADS, strict=True):
        with column:
            try:
                data = state.export_for(download.key, download.render)
            except StranglerError as exc:
                st.error(f"{download.file_name} could not be written: {exc}")
                continue
            st.download_button(download.label, data=data, file_name=download.file_name, mime=download.mime,
                               key=download.key, on_click="ignore", icon=":material/download:")
            st.caption(download.what)
    st.markdown("#### Bring back an edited plan.xlsx")
    st.caption("Change the service of any module in the workbook's Modules sheet, save it and upload it "
               "here: the moves are applied to this plan.")
    st.file_uploader("Edited plan.xlsx", type=["xlsx"], key=OVERRIDES_UPLOAD, on_change=_on_overrides_upload,
                     max_upload_size=max(1, MAX_WORKBOOK_BYTES // 1_000_000))


def _on_overrides_upload() -> None:
    upload = st.session_state.get(OVERRIDES_UPLOAD)
    if upload is None:
        return
    plan = state.current_plan()
    homes = plan.module_services()
    try:
        with tempfile.TemporaryDirectory(prefix="strangler-overrides-") as folder:
            path = Path(folder) / "plan.xlsx"
            path.write_bytes(upload.getvalue())
            wanted = read_overrides(path, set(homes), {s.name for s in plan.services}, changed_only=True,
                                    label=upload.name)
    except StranglerError as exc:
        state.refuse(PLACE, str(exc))
        return
    except Exception as exc:
        if state.debugging():
            raise
        state.refuse(PLACE, state.unexpected(exc))
        return
    moves = {module: service for module, service in sorted(wanted.items()) if homes.get(module) != service}
    if not moves:
        st.session_state[state.ERROR] = None
        st.session_state[state.NOTICE] = (PLACE, f"{upload.name}: every module is already where the workbook "
                                                 "puts it; nothing moved.")
        return
    try:
        adjusted = edits.move_modules(state.current(), plan, moves)
    except StranglerError as exc:
        state.refuse(PLACE, f"{upload.name}: {exc}")
        return
    count = f"{len(moves)} module{'s' if len(moves) != 1 else ''}"
    state.apply(PLACE, f"Applied {upload.name} ({count} moved)", adjusted,
                notice=f"Applied {upload.name}: {count} moved.")
