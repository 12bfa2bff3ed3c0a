"""The per-file and whole-tree cache: unchanged files are never parsed twice, the cache lives
outside the analyzed tree, holds plain data only, and deletes nothing it did not create."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import msgpack
import pytest

from analyzer import model
from analyzer.options import AnalysisOptions
from analyzer.scan import cache as cache_module
from analyzer.scan import codec, scan, worker
from analyzer.scan.facts import RawSkip

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


def entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob(f"*{cache_module.ENTRY_SUFFIX}"))


def test_a_second_scan_of_an_unchanged_tree_parses_nothing_and_the_tree_is_untouched(tree, parses, private_cache):
    root = tree(FILES)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    first = scan(root, AnalysisOptions())
    assert sorted(parses) == sorted(FILES)
    parses.clear()
    second = scan(root, AnalysisOptions())
    assert parses == []
    assert second == first
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert entries(private_cache) and (private_cache / "CACHEDIR.TAG").is_file()


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


def test_cache_off_parses_everything_and_writes_nothing(tree, parses, private_cache):
    root = tree(FILES)
    scan(root, AnalysisOptions(cache=False))
    scan(root, AnalysisOptions(cache=False))
    assert len(parses) == 2 * len(FILES)
    assert not private_cache.exists()


def test_a_configured_cache_dir_is_used(tree, tmp_path, parses, private_cache):
    root = tree(FILES)
    folder = tmp_path / "elsewhere"
    scan(root, AnalysisOptions(cache_dir=str(folder)))
    assert entries(folder) and not private_cache.exists()


def test_a_pickle_shipped_in_the_analyzed_tree_never_runs(tree, tmp_path, parses):
    """The old cache lived in <root>/.strangler-cache and was read with pickle.load."""
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    root = tree(FILES)
    for kind in ("files", "trees", "graphs"):
        crafted = root / ".strangler-cache" / cache_module.fingerprint() / kind / "00" / "x.pickle"
        crafted.parent.mkdir(parents=True)
        crafted.write_bytes(pickle.dumps(Payload()))
    for _ in range(2):
        scan(root, AnalysisOptions())
    assert not marker.exists()


def test_a_folder_holding_other_files_is_not_used_and_nothing_in_it_is_deleted(tree, tmp_path, parses, caplog):
    root = tree(FILES)
    folder = tmp_path / "data"
    database = folder / ("a" * 16)
    database.mkdir(parents=True)
    (database / "db.sqlite").write_bytes(b"precious")
    codebase = scan(root, AnalysisOptions(cache_dir=str(folder)))
    assert len(codebase.modules) == len(FILES)
    assert (database / "db.sqlite").read_bytes() == b"precious"
    assert sorted(p.name for p in folder.iterdir()) == ["a" * 16]
    assert "cache off for this run" in caplog.text and "did not create" in caplog.text


def test_only_version_folders_strangler_marked_are_removed(tree, parses, private_cache):
    root = tree(FILES)
    scan(root, AnalysisOptions())
    ours_stale = private_cache / ("0" * 16)
    (ours_stale / "files").mkdir(parents=True)
    (ours_stale / cache_module.VERSION_MARK).write_text("old\n")
    someone_elses = private_cache / ("1" * 16)
    someone_elses.mkdir()
    (someone_elses / "keep.txt").write_text("mine")
    scan(root, AnalysisOptions())
    assert not ours_stale.exists()
    assert (someone_elses / "keep.txt").read_text() == "mine"


def test_no_writable_folder_at_all_still_scans(tree, tmp_path, parses):
    root = tree(FILES)
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    codebase = scan(root, AnalysisOptions(cache_dir=str(blocker / "cache")))
    assert len(codebase.modules) == len(FILES)


def test_corrupt_cache_entries_are_misses(tree, parses, private_cache):
    root = tree(FILES)
    first = scan(root, AnalysisOptions())
    for entry in entries(private_cache):
        entry.write_bytes(b"not an entry")
    parses.clear()
    assert scan(root, AnalysisOptions()) == first
    assert sorted(parses) == sorted(FILES)


def test_a_valid_entry_of_the_wrong_type_is_a_miss_on_every_run(tree, parses, private_cache, caplog):
    root = tree(FILES)
    first = scan(root, AnalysisOptions())
    for entry in entries(private_cache):
        entry.write_bytes(codec.dumps(RawSkip("x.py", "wrong")) if "trees" in entry.parts
                          else codec.dumps(model.Skipped("x.py", "wrong")))
    for _ in range(2):
        assert scan(root, AnalysisOptions()) == first
    assert "ignored the cache entry" in caplog.text


def test_progress_counts_files_up_to_the_total_cold_and_warm(tree):
    root = tree(FILES)
    for _ in range(2):
        reports: list[tuple[str, int, int]] = []
        scan(root, AnalysisOptions(), progress=lambda *report, into=reports: into.append(report))
        assert {stage for stage, _, _ in reports} == {"scan"}
        assert {total for _, _, total in reports} == {len(FILES)}
        done = [count for _, count, _ in reports]
        assert done == sorted(done) and done[-1] == len(FILES)


def test_default_folder_follows_the_environment_then_the_platform(monkeypatch, tmp_path):
    monkeypatch.setenv(cache_module.ENV_VAR, str(tmp_path / "env"))
    assert cache_module.default_folder() == tmp_path / "env"
    monkeypatch.delenv(cache_module.ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_module.default_folder() == tmp_path / "xdg" / "strangler"


# --------------------------------------------------------------------------- the codec


def test_codec_round_trips_records_tuples_lists_and_dicts():
    value = model.CodeBase(root="r", modules=(model.ModuleFacts("m", "m.py", 3, definitions=(
        model.Definition("m.f", "function", "m", "m.py", 1, 2, 2, attributes=(("a", "b"),)),)),),
        skipped=(model.Skipped("x.py", "bad"),), cochange=(("a.py", "b.py", 2),))
    assert codec.loads(codec.dumps(value), model.CodeBase) == value
    mixed = {"list": [1, (2, [3])], "none": None, "float": 1.5, "text": "é", "names": frozenset({"b", "a"})}
    decoded = codec.loads(codec.dumps(mixed))
    assert decoded == mixed and type(decoded["list"]) is list and type(decoded["list"][1][1]) is list


@pytest.mark.parametrize("payload", [
    {b"Popen": ("touch", "x")},  # not a registered record
    {b"Skipped": ("only one field",)},  # wrong arity
    {1: "int key"},
])
def test_codec_refuses_unknown_records_wrong_arity_and_odd_keys(payload):
    data = codec.FORMAT + msgpack.packb(payload, use_bin_type=True)
    with pytest.raises(codec.CodecError):
        codec.loads(data)


@pytest.mark.parametrize("value", [{1: "x"}, {"set"}, object(), 2 ** 70])
def test_codec_refuses_to_store_what_it_cannot_read_back(value):
    with pytest.raises(codec.CodecError):
        codec.dumps(value)
