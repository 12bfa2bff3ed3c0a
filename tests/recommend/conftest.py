"""Fixtures for the recommend stage; the hand-built shop lives in shop_fixture.py beside this file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from shop_fixture import make_decomposition  # noqa: E402

from analyzer.model import Decomposition  # noqa: E402


@pytest.fixture
def shop_decomposition() -> Decomposition:
    return make_decomposition()
