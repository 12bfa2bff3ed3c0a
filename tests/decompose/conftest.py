"""Decompose tests: helper modules beside this file are importable; the layered graph fixture."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # scoring.py, decompose_fixtures.py

from decompose_fixtures import build_graph, layered_codebase  # noqa: E402

from analyzer.model import CodeGraph  # noqa: E402


@pytest.fixture
def layered_graph() -> CodeGraph:
    return build_graph(layered_codebase())
