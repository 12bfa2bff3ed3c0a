"""One order of options for every command: defaults < the project's config < --config < flags.

A batch (`strangler analyze A B`) must analyze each codebase exactly as a run on it alone would;
values that mean nothing are refused with one sentence; a service count that cannot be reached
is said, not passed over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.errors import ConfigError
from analyzer.options import AnalysisOptions, Flags, options_for, options_from_mapping
from analyzer.pipeline import analyze_batch

REPO = Path(__file__).resolve().parents[1]


def strangler(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "analyzer", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)


def write_tree(root: Path) -> Path:
    files = {
        "app/__init__.py": "",
        "app/orders.py": "from app.billing import total\n\n\ndef place(items):\n    return total(items)\n",
        "app/billing.py": "def total(items):\n    return sum(items)\n",
        "legacy/old.py": "def old():\n    return 1\n",
        "vendor_bits/lib.py": "def helper():\n    return 2\n",
        "tests/helpers.py": "from app.orders import place\n\n\ndef placed_one():\n    return place([1])\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "shop")


def test_a_batch_analyzes_each_codebase_with_the_flags_a_single_run_uses(tree: Path, tmp_path: Path) -> None:
    config = tmp_path / "team.toml"
    config.write_text('[tool.strangler]\nextra_exclude = ["vendor_bits"]\n')
    other = write_tree(tmp_path / "other")
    flags = ("--exclude", "legacy", "--include", "tests", "--config", str(config), "--seed", "0",
             "--format", "json")
    alone = strangler("analyze", str(tree), "--out", str(tmp_path / "alone"), *flags)
    batch = strangler("analyze", str(tree), str(other), "--out", str(tmp_path / "batch"), *flags)
    assert alone.returncode == 0 and batch.returncode == 0, alone.stderr + batch.stderr
    single = json.loads((tmp_path / "alone" / "plan.json").read_text())
    modules = sorted(m for s in single["services"] for m in s["modules"])
    assert modules == ["app", "app.billing", "app.orders", "tests.helpers"]  # legacy and vendor_bits out
    assert (tmp_path / "batch" / "shop" / "plan.json").read_bytes() == (tmp_path / "alone" / "plan.json").read_bytes()


def test_seed_zero_is_a_seed_not_an_absent_flag(tree: Path) -> None:
    assert options_for(tree, flags=Flags(seed=0)).seed == 0
    assert options_for(tree, flags=Flags()).seed == AnalysisOptions().seed


def test_batch_jobs_share_the_processes_between_codebases_and_their_scanners(tree: Path, tmp_path: Path,
                                                                              monkeypatch) -> None:
    from concurrent.futures import Future

    from analyzer import pipeline

    pools: list[int] = []
    scanners: list[int] = []

    class Inline:
        """Runs each submitted codebase at once, recording the pool size asked for."""

        def __init__(self, max_workers: int) -> None:
            pools.append(max_workers)

        def __enter__(self) -> Inline:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def submit(self, fn, *args):
            future: Future = Future()
            future.set_result(fn(*args))
            return future

    real = pipeline.analyze_one

    def spy(path, out_dir, options, **kwargs):
        scanners.append(options.jobs)
        return real(path, out_dir, options, **kwargs)

    monkeypatch.setattr(pipeline, "analyze_one", spy)
    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", Inline)
    other = write_tree(tmp_path / "other")
    analyze_batch([tree, other], tmp_path / "out", flags=Flags(jobs=4), formats=("json",))
    assert (pools, scanners) == ([2], [2, 2])  # two codebases side by side, two scanner processes each
    analyze_batch([tree, other], tmp_path / "out", flags=Flags(), formats=("json",))
    assert (pools, scanners[2:]) == ([2], [0, 0])  # without --jobs: one after the other, each on every core


@pytest.mark.parametrize("value", ["0", "-3"])
def test_services_zero_or_negative_is_refused_in_one_sentence(tree: Path, tmp_path: Path, value: str) -> None:
    result = strangler("analyze", str(tree), "--out", str(tmp_path / "out"), f"--services={value}")
    assert result.returncode == 2
    assert "give 1 or more, or leave --services out" in result.stderr or "is not a whole number" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("table, message", [
    ({"services": -1}, "Option 'services' from strangler.toml must be at least 0 (0 lets the resolution decide), not -1."),
    ({"resolution": 0}, "Option 'resolution' from strangler.toml must be greater than 0, not 0."),
    ({"weights": {"data": -1.0}}, "Option 'weights' from strangler.toml must not be negative (data)."),
    ({"max_file_bytes": 0}, "Option 'max_file_bytes' from strangler.toml must be at least 1 (a file size in bytes), not 0."),
])
def test_config_values_that_mean_nothing_are_refused(table: dict, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        options_from_mapping(table, origin="strangler.toml")
    assert str(raised.value) == message


def test_fewer_services_than_asked_is_said_on_the_command_line(tree: Path, tmp_path: Path) -> None:
    result = strangler("analyze", str(tree), "--out", str(tmp_path / "out"), "--services", "40", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "Note: asked for 40 services, reached " in result.stdout
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert any(note.startswith("asked for 40 services") for note in plan["notes"])
    batch = strangler("analyze", str(tree), str(tree), "--out", str(tmp_path / "batch"), "--services", "40",
                      "--format", "json")
    assert batch.returncode == 0, batch.stderr
    assert batch.stdout.count("note: asked for 40 services, reached ") == 2
