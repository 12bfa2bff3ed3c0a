"""Where the reviewed code comes from: folder paths, their fingerprint, and uploaded zips."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from analyzer.errors import ArchiveError, SourceNotFound
from analyzer.options import AnalysisOptions
from analyzer.ui import source
from analyzer.ui.source import fingerprint, folder_source, zip_source


def test_missing_folder_is_one_sentence(tmp_path):
    with pytest.raises(SourceNotFound) as error:
        folder_source(str(tmp_path / "nope"))
    assert str(error.value) == f"Folder not found: {tmp_path / 'nope'}; enter a path to a Python codebase."


def test_blank_folder_asks_for_a_path():
    with pytest.raises(SourceNotFound, match="Enter the path of a folder"):
        folder_source("  ")


def test_fingerprint_follows_python_files_only(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / "README.md").write_text("hello\n")
    options = AnalysisOptions()
    before = fingerprint(tmp_path, options)
    (tmp_path / "README.md").write_text("hello again\n")
    assert fingerprint(tmp_path, options) == before
    (tmp_path / "app.py").write_text("x = 22\n")
    assert fingerprint(tmp_path, options) != before


def test_fingerprint_skips_excluded_folders(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    options = AnalysisOptions()
    before = fingerprint(tmp_path, options)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "lib.py").write_text("y = 1\n")
    assert fingerprint(tmp_path, options) == before


def test_a_huge_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "MAX_FOLDER_FILES", 5)
    for i in range(6):
        (tmp_path / f"m{i}.py").write_text("")
    with pytest.raises(SourceNotFound, match="holds more than 5 files"):
        fingerprint(tmp_path, AnalysisOptions())


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_zip_is_unpacked_once_per_content_and_steps_into_a_lone_folder(clear_streamlit_caches):
    data = zip_of({"kiosk-main/kiosk/__init__.py": "", "kiosk-main/kiosk/orders.py": "x = 1\n"})
    first = zip_source("kiosk.zip", data)
    assert first.root.name == "kiosk-main"
    assert (first.root / "kiosk" / "orders.py").read_text() == "x = 1\n"
    assert zip_source("again.zip", data) is first
    assert first.key.startswith("zip:")


def test_refused_zip_leaves_no_folder_behind(clear_streamlit_caches, tmp_path, monkeypatch):
    monkeypatch.setattr(source.tempfile, "tempdir", str(tmp_path))
    with pytest.raises(ArchiveError, match="'../evil.py'"):
        zip_source("evil.zip", zip_of({"../evil.py": "x"}))
    assert os.listdir(tmp_path) == []
