"""Where the code under review comes from (a folder or an uploaded zip) and the cached graph of it.

The page may be reached by people who must not read the server's files: the folder box accepts
only folders inside the allowed roots (STRANGLER_UI_ROOTS, by default the bundled samples and
the folder the page was started in). An upload is unpacked into a private temporary folder that
is deleted as soon as no session holds it any more (the session uploaded something else, went
back to a folder, or ended).

Scanning and graphing is the slow half of the pipeline, so its result is kept in a small
process-wide cache keyed by the source's identity: a folder's path plus a fingerprint of its
files (path, size, mtime), or an upload's SHA-256. Editing a file changes the fingerprint, so
a stale graph is never shown.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import streamlit as st

from analyzer.errors import ArchiveError, SourceNotFound
from analyzer.model import CodeGraph, Progress
from analyzer.options import AnalysisOptions, options_for
from analyzer.pipeline import build
from analyzer.ui.archive import ExtractResult, safe_extract

#: Files whose change means a new analysis: sources and the project's Strangler settings.
FINGERPRINT_SUFFIXES = (".py", ".pyi")
FINGERPRINT_NAMES = ("pyproject.toml", "strangler.toml")
#: A folder with more files than this is not one codebase (someone typed / or ~).
MAX_FOLDER_FILES = 200_000
GRAPH_CACHE_SIZE = 4
UPLOAD_DIR_PREFIX = "strangler-upload-"
#: Folders the folder box may open (os.pathsep-separated); unset: the samples and the working directory.
ROOTS_ENV = "STRANGLER_UI_ROOTS"


class UploadHold:
    """One session's claim on an unpacked upload. The folder is deleted when the last claim on it
    is released: the session uploaded something else or went back to a folder (release()), or
    the session ended (its state, and this object with it, is garbage-collected)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        registry = _uploads()
        with registry["lock"]:
            registry["holds"][source.key] = registry["holds"].get(source.key, 0) + 1
        self._release = weakref.finalize(self, _drop_hold, registry, source.key, source.extract_folder or source.root)

    def release(self) -> None:
        self._release()


def _drop_hold(registry: dict[str, Any], key: str, folder: Path) -> None:
    with registry["lock"]:
        left = registry["holds"].get(key, 1) - 1
        if left > 0:
            registry["holds"][key] = left
            return
        registry["holds"].pop(key, None)
        registry["by_key"].pop(key, None)
    shutil.rmtree(folder, ignore_errors=True)


def hold_upload(session: MutableMapping[str | int, Any], name: str, source: Source | None) -> None:
    """Make `source` (an upload, or None) the one `session[name]` holds, releasing the previous."""
    previous: UploadHold | None = session.get(name)
    if previous is not None and source is not None and previous.source.key == source.key:
        return
    session[name] = UploadHold(source) if source is not None else None
    if previous is not None:
        previous.release()


@dataclass(frozen=True)
class Source:
    """A codebase ready to analyze: its folder, a label for people and a key for caches."""

    root: Path
    label: str
    key: str
    extract: ExtractResult | None = None
    extract_folder: Path | None = None  # an upload's private folder (deleted with its last UploadHold)


def default_sample() -> Path:
    """The bundled sample monolith, found relative to this package (not the working directory)."""
    return Path(__file__).resolve().parents[2] / "samples" / "shop"


def allowed_roots() -> tuple[Path, ...]:
    """The folders (with everything below them) the folder box may open."""
    configured = os.environ.get(ROOTS_ENV, "")
    if configured.strip():
        folders = [Path(part).expanduser() for part in configured.split(os.pathsep) if part.strip()]
    else:
        folders = [default_sample().parent, Path.cwd()]
    return tuple(dict.fromkeys(folder.resolve() for folder in folders))


def _allowed(root: Path) -> bool:
    return any(root == allowed or allowed in root.parents for allowed in allowed_roots())


def folder_source(text: str) -> Source:
    path_text = text.strip().strip('"').strip("'")
    if not path_text:
        raise SourceNotFound("Enter the path of a folder holding a Python codebase, or upload a .zip of one.")
    try:
        root = Path(path_text).expanduser().resolve()
        allowed = _allowed(root)
        exists = allowed and root.is_dir()
    except (OSError, RuntimeError, ValueError):
        allowed = exists = False
    if not allowed:
        raise SourceNotFound(f"{path_text} is outside the folders this page may open (the bundled samples and the "
                             f"folder it was started in, or those in {ROOTS_ENV}); upload a .zip of the codebase "
                             "instead.")
    if not exists:
        raise SourceNotFound(f"Folder not found: {path_text}; enter a path to a Python codebase.")
    options = options_for(root)
    return Source(root=root, label=str(root), key=f"folder:{root}:{fingerprint(root, options)}")


def fingerprint(root: Path, options: AnalysisOptions) -> str:
    """A hash of (relative path, size, mtime) of every source and settings file under `root`."""
    digest = hashlib.sha256()
    excludes = options.excludes
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, pattern) for pattern in excludes))
        seen += len(files)
        if seen > MAX_FOLDER_FILES:
            raise SourceNotFound(f"{root} holds more than {MAX_FOLDER_FILES:,} files; enter the folder of "
                                 "one Python codebase.")
        for name in sorted(files):
            if not (name.endswith(FINGERPRINT_SUFFIXES) or name in FINGERPRINT_NAMES):
                continue
            path = Path(folder, name)
            try:
                info = path.stat()
            except OSError:
                continue
            digest.update(f"{path.relative_to(root).as_posix()}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def zip_source(name: str, data: bytes) -> Source:
    """Unpack an uploaded zip once per content into a private temporary folder, shared by the
    sessions reviewing the same upload; each holds it with hold_upload (the folder is deleted
    when the last lets go). A refused or failed archive leaves no folder behind."""
    sha = hashlib.sha256(data).hexdigest()
    key = f"zip:{sha}"
    registry = _uploads()
    with registry["lock"]:
        known: Source | None = registry["by_key"].get(key)
        if known is not None and known.root.is_dir():
            return known
        workdir = Path(tempfile.mkdtemp(prefix=UPLOAD_DIR_PREFIX))
        try:
            extract = safe_extract(data, workdir)
            if extract.files == 0:
                raise ArchiveError(f"{name} holds no files; zip the folder of the codebase.")
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        source = Source(root=_code_root(workdir), label=name, key=key, extract=extract, extract_folder=workdir)
        registry["by_key"][key] = source
        return source


def _code_root(folder: Path) -> Path:
    """Step into a lone top-level folder that is not itself a package (`repo-main/` from GitHub),
    so module names start at the project's packages."""
    entries = [p for p in folder.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir() and not (entries[0] / "__init__.py").exists():
        return entries[0]
    return folder


@st.cache_resource(show_spinner=False)
def _uploads() -> dict[str, Any]:
    """Process-wide: unpacked uploads by key, and how many sessions hold each."""
    return {"lock": threading.Lock(), "by_key": {}, "holds": {}}


@st.cache_resource(show_spinner=False)
def _graphs() -> dict[str, Any]:
    """Process-wide: graphs are shared by every session reviewing the same source."""
    return {"lock": threading.Lock(), "graphs": OrderedDict()}


def without_server_paths(message: str, source: Source | None) -> str:
    """An upload's private folder named as the upload in a message shown on the page."""
    if source is None or source.extract_folder is None:
        return message
    for folder in sorted({str(source.root), str(source.extract_folder)}, key=len, reverse=True):
        message = message.replace(folder, source.label)
    return message


def cached_graph(source: Source) -> CodeGraph | None:
    registry = _graphs()
    with registry["lock"]:
        graph: CodeGraph | None = registry["graphs"].get(source.key)
        if graph is not None:
            registry["graphs"].move_to_end(source.key)
        return graph


def load_graph(source: Source, options: AnalysisOptions, progress: Progress | None = None) -> CodeGraph:
    """The cached graph of `source`, building it (scan + graph, with progress) on a miss.
    Built outside any st.cache_* function so the progress bar is live, never replayed."""
    graph = cached_graph(source)
    if graph is not None:
        return graph
    graph = build(source.root, options, progress)
    if source.extract_folder is not None:  # plans and exports name the upload, not the server's folder
        graph = replace(graph, codebase=replace(graph.codebase, root=source.label))
    registry = _graphs()
    with registry["lock"]:
        registry["graphs"][source.key] = graph
        while len(registry["graphs"]) > GRAPH_CACHE_SIZE:
            registry["graphs"].popitem(last=False)
    return graph
