"""Session fixtures: the layered fixture run under cProfile and under strangler record."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from runtime_fixtures import DRIVER, HERE, LAYERED, QUANTITY  # noqa: E402


@pytest.fixture(scope="session")
def recording(tmp_path_factory) -> Path:
    """`strangler record` around the layered fixture's driver (one run for the whole session)."""
    out = tmp_path_factory.mktemp("record") / "calls.json"
    done = subprocess.run([sys.executable, "-m", "analyzer", "record", "--out", str(out), "--source", str(LAYERED),
                           "--", sys.executable, str(DRIVER), str(QUANTITY)],
                          capture_output=True, text=True, cwd=HERE, check=False)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="session")
def profile(tmp_path_factory) -> Path:
    """`python -m cProfile -o run.pstats` around the same driver."""
    out = tmp_path_factory.mktemp("pstats") / "run.pstats"
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), str(DRIVER), str(QUANTITY)], check=True,
                   cwd=HERE, capture_output=True)
    return out
