"""Helpers for scanner tests: write a small source tree, scan it, read its call graph."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.export.callgraph import pycg_edges
from analyzer.model import CodeBase
from analyzer.options import AnalysisOptions
from analyzer.scan import scan

NO_CACHE = AnalysisOptions(cache=False)


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """`tree({"pkg/mod.py": source})` writes the files under a fresh folder and returns it."""
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes]) -> Path:
        return write_tree(tmp_path / f"src{next(counter)}", files)

    return make


@pytest.fixture
def scanned(tree) -> Callable[..., CodeBase]:
    def run(files: dict[str, str | bytes], options: AnalysisOptions = NO_CACHE) -> CodeBase:
        return scan(tree(files), options)

    return run


@pytest.fixture
def callgraph(scanned) -> Callable[[dict[str, str | bytes]], dict[str, list[str]]]:
    """The PyCG-format call graph of a tree, with the empty entries dropped for readability."""

    def run(files: dict[str, str | bytes]) -> dict[str, list[str]]:
        return {caller: callees for caller, callees in pycg_edges(scanned(files)).items() if callees}

    return run
