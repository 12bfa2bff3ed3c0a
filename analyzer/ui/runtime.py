"""Runtime evidence on the review page: upload traces or profiles, toggle static-only / with runtime.

Uploads are read here, on this machine, and aggregated at once (the files themselves are deleted
after reading and never sent anywhere); the evidence is held in the session. The toggle re-plans
the reviewer's current adjustments on the static graph or on the graph weighted with the evidence.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from analyzer.errors import RuntimeInputError
from analyzer.graph import with_runtime
from analyzer.model import CodeGraph
from analyzer.options import AnalysisOptions
from analyzer.runtime import RuntimeEvidence, load_runtime

RUNTIME_UPLOAD = "runtime_files"
RUNTIME_TOGGLE = "with_runtime"
#: (upload key, evidence or None, error sentence) of the files last read in this session.
RUNTIME_EVIDENCE = "review_runtime_evidence"


def sidebar(slot: DeltaGenerator) -> None:
    """The upload, read at once (progress in `slot`), then the toggle or the one-sentence error."""
    st.header("Runtime evidence")
    st.file_uploader(
        "Traces or profiles (optional)", accept_multiple_files=True, key=RUNTIME_UPLOAD,
        help="OpenTelemetry traces as OTLP JSON, cProfile/pstats files, or `strangler record` files: the plan "
        "is weighted with the calls they show. Read on this machine, never uploaded anywhere.",
    )
    held = _evidence(slot)
    if held and held[1] is not None:
        st.toggle("With runtime evidence", value=True, key=RUNTIME_TOGGLE,
                  help="Off: the plan from static analysis alone, with the same adjustments.")
    if held and held[2]:
        st.error(held[2])


def weigh(graph: CodeGraph, options: AnalysisOptions) -> tuple[CodeGraph, str]:
    """The graph to plan from and a key naming the evidence it carries ("" for static only)."""
    held = st.session_state.get(RUNTIME_EVIDENCE)
    if not held or held[1] is None or not st.session_state.get(RUNTIME_TOGGLE, True):
        return graph, ""
    return with_runtime(graph, held[1], options), held[0]


def _evidence(slot: DeltaGenerator) -> tuple[str, RuntimeEvidence | None, str] | None:
    """The uploads' evidence, read once per set of files and held in the session."""
    uploads: list[UploadedFile] = st.session_state.get(RUNTIME_UPLOAD) or []
    if not uploads:
        st.session_state.pop(RUNTIME_EVIDENCE, None)
        return None
    key = "|".join(f"{u.name}:{hashlib.sha256(u.getvalue()).hexdigest()[:16]}" for u in uploads)
    held = st.session_state.get(RUNTIME_EVIDENCE)
    if held is None or held[0] != key:
        held = (key, *_read(uploads, slot))
        st.session_state[RUNTIME_EVIDENCE] = held
    return held


def _read(uploads: list[UploadedFile], slot: DeltaGenerator) -> tuple[RuntimeEvidence | None, str]:
    bar = slot.progress(0.0, text="Reading runtime evidence …")

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(max(done / total, 0.0), 1.0) if total else 0.0, text=stage)

    try:
        with tempfile.TemporaryDirectory(prefix="strangler-runtime-") as folder:
            paths = []
            for position, upload in enumerate(uploads):
                path = Path(folder) / f"{position}.runtime"
                path.write_bytes(upload.getvalue())
                paths.append(path)
            return load_runtime(paths, progress, names=[u.name for u in uploads]), ""
    except RuntimeInputError as exc:
        return None, str(exc)
    finally:
        slot.empty()
