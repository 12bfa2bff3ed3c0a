"""Where the code under review comes from (a folder or an uploaded zip) and the cached graph of it.

Scanning and graphing is the slow half of the pipeline, so its result is kept in a small
process-wide cache keyed by the source's identity: a folder's path plus a fingerprint of its
files (path, size, mtime), or an upload's SHA-256. Editing a file changes the fingerprint, so
a stale graph is never shown.
"""

from __future__ import annotations

import atexit
import fnmatch
import hashlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from analyzer.errors import ArchiveError, SourceNotFound
from analyzer.model import CodeGraph, Progress
from analyzer.options import AnalysisOptions, load_project_options
from analyzer.pipeline import build
from analyzer.ui.archive import ExtractResult, safe_extract

#: Files whose change means a new analysis: sources and the project's Strangler settings.
FINGERPRINT_SUFFIXES = (".py", ".pyi")
FINGERPRINT_NAMES = ("pyproject.toml", "strangler.toml")
#: A folder with more files than this is not one codebase (someone typed / or ~).
MAX_FOLDER_FILES = 200_000
GRAPH_CACHE_SIZE = 4
UPLOAD_DIR_PREFIX = "strangler-upload-"


@dataclass(frozen=True)
class Source:
    """A codebase ready to analyze: its folder, a label for people and a key for caches."""

    root: Path
    label: str
    key: str
    extract: ExtractResult | None = None


def default_sample() -> Path:
    """The bundled sample monolith, found relative to this package (not the working directory)."""
    return Path(__file__).resolve().parents[2] / "samples" / "shop"


def folder_source(text: str) -> Source:
    path_text = text.strip().strip('"').strip("'")
    if not path_text:
        raise SourceNotFound("Enter the path of a folder holding a Python codebase, or upload a .zip of one.")
    root = Path(path_text).expanduser()
    if not root.is_dir():
        raise SourceNotFound(f"Folder not found: {path_text}; enter a path to a Python codebase.")
    root = root.resolve()
    options = load_project_options(root)
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
    """Unpack an uploaded zip once per content into a private temporary folder."""
    sha = hashlib.sha256(data).hexdigest()
    registry = _uploads()
    with registry["lock"]:
        known = registry["by_sha"].get(sha)
        if known is not None and known.root.is_dir():
            return known
        workdir = Path(tempfile.mkdtemp(prefix=UPLOAD_DIR_PREFIX))
        atexit.register(shutil.rmtree, workdir, True)
        try:
            extract = safe_extract(data, workdir)
        except ArchiveError:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        if extract.files == 0:
            shutil.rmtree(workdir, ignore_errors=True)
            raise ArchiveError(f"{name} holds no files; zip the folder of the codebase.")
        source = Source(root=_code_root(workdir), label=name, key=f"zip:{sha}", extract=extract)
        registry["by_sha"][sha] = source
        return source


def _code_root(folder: Path) -> Path:
    """Step into a lone top-level folder that is not itself a package (`repo-main/` from GitHub),
    so module names start at the project's packages."""
    entries = [p for p in folder.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir() and not (entries[0] / "__init__.py").exists():
        return entries[0]
    return folder


@st.cache_resource(show_spinner=False)
def _uploads() -> dict:
    return {"lock": threading.Lock(), "by_sha": {}}


@st.cache_resource(show_spinner=False)
def _graphs() -> dict:
    """Process-wide: graphs are shared by every session reviewing the same source."""
    return {"lock": threading.Lock(), "graphs": OrderedDict()}


def cached_graph(source: Source) -> CodeGraph | None:
    registry = _graphs()
    with registry["lock"]:
        graph = registry["graphs"].get(source.key)
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
    registry = _graphs()
    with registry["lock"]:
        registry["graphs"][source.key] = graph
        while len(registry["graphs"]) > GRAPH_CACHE_SIZE:
            registry["graphs"].popitem(last=False)
    return graph
