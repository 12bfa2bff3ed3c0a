"""The per-file and whole-tree cache: unchanged files are never parsed twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.options import AnalysisOptions
from analyzer.scan import cache as cache_module
from analyzer.scan import scan, worker

FILES = {
    "shop/__init__.py": "",
    "shop/models.py": "class Order:\n    def save(self):\n        pass\n",
    "shop/service.py": "from shop.models import Order\n\ndef place():\n    Order().save()\n",
    "shop/util.py": "def fmt():\n    pass\n",
}


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Paths handed to the parser during the test."""
    seen: list[str] = []
    real = worker.parse

    def counting(source: str, path: str = "<file>"):
        seen.append(path)
        return real(source, path)

    monkeypatch.setattr(worker, "parse", counting)
    return seen


def test_a_second_scan_of_an_unchanged_tree_parses_nothing(tree, parses):
    root = tree(FILES)
    first = scan(root, AnalysisOptions())
    assert sorted(parses) == sorted(FILES)
    parses.clear()
    second = scan(root, AnalysisOptions())
    assert parses == []
    assert second == first
    assert (root / ".strangler-cache").is_dir()


def test_only_a_changed_file_is_parsed_again(tree, parses):
    root = tree(FILES)
    scan(root, AnalysisOptions())
    parses.clear()
    (root / "shop/util.py").write_text("def fmt():\n    print('changed')\n")
    codebase = scan(root, AnalysisOptions())
    assert parses == ["shop/util.py"]
    assert [c.callees for c in codebase.module("shop.util").calls] == [("<builtin>.print",)]
    assert [c.callees for c in codebase.module("shop.service").calls] == [
        ("shop.models.Order",), ("shop.models.Order.save",)]


def test_cache_off_parses_everything_and_writes_nothing(tree, parses):
    root = tree(FILES)
    scan(root, AnalysisOptions(cache=False))
    scan(root, AnalysisOptions(cache=False))
    assert len(parses) == 2 * len(FILES)
    assert not (root / ".strangler-cache").exists()


def test_a_configured_cache_dir_is_used(tree, tmp_path, parses):
    root = tree(FILES)
    folder = tmp_path / "elsewhere"
    scan(root, AnalysisOptions(cache_dir=str(folder)))
    assert list(folder.glob("*/files")) and not (root / ".strangler-cache").exists()


def test_an_unwritable_root_falls_back_to_a_user_cache_folder(tree, tmp_path, monkeypatch, parses):
    root = tree(FILES)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    real_usable = cache_module._usable
    monkeypatch.setattr(cache_module, "_usable",
                        lambda folder: not str(folder).startswith(str(root)) and real_usable(folder))
    scan(root, AnalysisOptions())
    parses.clear()
    scan(root, AnalysisOptions())
    assert parses == []
    assert list((tmp_path / "user-cache" / "strangler").iterdir())


def test_no_writable_folder_at_all_still_scans(tree, monkeypatch, parses):
    root = tree(FILES)
    monkeypatch.setattr(cache_module, "_usable", lambda folder: False)
    codebase = scan(root, AnalysisOptions())
    assert len(codebase.modules) == len(FILES)


def test_corrupt_cache_entries_are_misses(tree, parses):
    root = tree(FILES)
    first = scan(root, AnalysisOptions())
    for entry in Path(root / ".strangler-cache").rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    parses.clear()
    assert scan(root, AnalysisOptions()) == first
    assert sorted(parses) == sorted(FILES)


def test_progress_counts_files_up_to_the_total_cold_and_warm(tree):
    root = tree(FILES)
    for _ in range(2):
        reports: list[tuple[str, int, int]] = []
        scan(root, AnalysisOptions(), progress=lambda *report, into=reports: into.append(report))
        assert {stage for stage, _, _ in reports} == {"scan"}
        assert {total for _, _, total in reports} == {len(FILES)}
        done = [count for _, count, _ in reports]
        assert done == sorted(done) and done[-1] == len(FILES)


def test_entries_of_another_scanner_version_are_removed(tree, parses):
    root = tree(FILES)
    stale = root / ".strangler-cache" / ("0" * len(cache_module.fingerprint())) / "files"
    stale.mkdir(parents=True)
    scan(root, AnalysisOptions())
    assert not stale.exists()
    assert (root / ".strangler-cache" / cache_module.fingerprint() / "files").is_dir()
