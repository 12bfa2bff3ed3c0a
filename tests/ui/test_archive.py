"""Uploaded zips are untrusted: each unsafe archive is refused with a message naming the problem."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from analyzer.errors import ArchiveError
from analyzer.ui import archive
from analyzer.ui.archive import safe_extract


def make_zip(members: list[tuple[str | zipfile.ZipInfo, bytes]], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buffer.getvalue()


def test_good_zip_extracts_files_inside_destination(tmp_path):
    data = make_zip([("shop/__init__.py", b""), ("shop/orders.py", b"def place():\n    return 1\n")])
    result = safe_extract(data, tmp_path)
    assert (tmp_path / "shop" / "orders.py").read_text() == "def place():\n    return 1\n"
    assert result.files == 2
    assert result.bytes == len(b"def place():\n    return 1\n")
    assert result.skipped == ()


def test_parent_directory_member_is_refused(tmp_path):
    data = make_zip([("shop/ok.py", b""), ("../evil.py", b"import os")])
    with pytest.raises(ArchiveError, match=r"'\.\./evil\.py'.*'\.\.' would write outside"):
        safe_extract(data, tmp_path / "dest")
    assert not (tmp_path / "evil.py").exists()


def test_hidden_parent_directory_inside_path_is_refused(tmp_path):
    data = make_zip([("shop/../../evil.py", b"x")])
    with pytest.raises(ArchiveError, match="would write outside"):
        safe_extract(data, tmp_path)


def test_absolute_member_is_refused(tmp_path):
    data = make_zip([("/etc/x", b"root")])
    with pytest.raises(ArchiveError, match=r"'/etc/x'.*absolute paths are not allowed"):
        safe_extract(data, tmp_path)


def test_windows_drive_member_is_refused(tmp_path):
    data = make_zip([("C:\\windows\\evil.py", b"x")])
    with pytest.raises(ArchiveError, match="absolute paths are not allowed"):
        safe_extract(data, tmp_path)


def test_nothing_is_written_when_an_unsafe_member_comes_last(tmp_path):
    data = make_zip([("shop/a.py", b"a = 1"), ("../evil.py", b"x")])
    with pytest.raises(ArchiveError):
        safe_extract(data, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_symlink_member_is_refused(tmp_path):
    link = zipfile.ZipInfo("shop/passwd")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = make_zip([("shop/a.py", b""), (link, b"/etc/passwd")])
    with pytest.raises(ArchiveError, match=r"'shop/passwd'.*symbolic links are not allowed"):
        safe_extract(data, tmp_path)
    assert not (tmp_path / "shop" / "passwd").exists()


def test_zip_bomb_member_is_refused_by_its_ratio(tmp_path):
    bomb = b"\0" * (8 * 1024 * 1024)  # compresses about 1000:1
    data = make_zip([("shop/bomb.py", bomb)])
    assert len(data) < 100_000
    with pytest.raises(ArchiveError, match=r"'shop/bomb\.py'.*expands more than 100:1"):
        safe_extract(data, tmp_path)


def test_total_size_limit_counts_real_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 1000)
    data = make_zip([("shop/a.py", b"a" * 600), ("shop/b.py", b"b" * 600)], compression=zipfile.ZIP_STORED)
    with pytest.raises(ArchiveError, match=r"'shop/b\.py'.*unpacks to more than"):
        safe_extract(data, tmp_path)


def test_lying_header_size_does_not_bypass_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 1000)
    data = bytearray(make_zip([("shop/a.py", b"a" * 5000)], compression=zipfile.ZIP_STORED))
    # Rewrite the uncompressed size in the central directory to claim 10 bytes.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ArchiveError):
        safe_extract(bytes(data), tmp_path)
    assert sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file()) <= 1000


def test_too_many_files_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_FILES", 50)
    data = make_zip([(f"shop/m{i}.py", b"") for i in range(51)])
    with pytest.raises(ArchiveError, match="51 files and folders, more than the limit of 50"):
        safe_extract(data, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_default_file_limit_refuses_twenty_thousand_and_one(tmp_path):
    data = make_zip([(f"m{i}.py", b"") for i in range(archive.MAX_FILES + 1)], compression=zipfile.ZIP_STORED)
    with pytest.raises(ArchiveError, match="20,001 files and folders, more than the limit of 20,000"):
        safe_extract(data, tmp_path)


def test_nested_archive_is_skipped_not_unpacked(tmp_path):
    inner = make_zip([("inner.py", b"x = 1")])
    data = make_zip([("shop/a.py", b"a = 1"), ("vendor/lib.zip", inner)])
    result = safe_extract(data, tmp_path)
    assert not (tmp_path / "vendor" / "lib.zip").exists()
    assert result.skipped == (("vendor/lib.zip", "nested archive not unpacked"),)


def test_not_a_zip_is_refused_with_a_sentence(tmp_path):
    with pytest.raises(ArchiveError, match="not a valid .zip archive"):
        safe_extract(b"this is not a zip", tmp_path)
