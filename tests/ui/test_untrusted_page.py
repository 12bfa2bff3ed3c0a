"""Issue 11 on the review page: it binds to this machine, opens only folders inside its allowed
roots, shows code only from inside the analyzed folder, deletes uploads when a session lets go of
them, and answers every error with one sentence without a traceback or a server path."""

from __future__ import annotations

import gc
import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analyzer.errors import ArchiveError
from analyzer.ui import archive, source
from analyzer.ui.excerpt import read_excerpt

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
TIMEOUT = 240
SMALL = {
    "kiosk/__init__.py": "",
    "kiosk/orders.py": "from kiosk import billing\n\n\ndef place(total):\n    return billing.charge(total)\n",
    "kiosk/billing.py": "def charge(total):\n    return round(total * 1.2, 2)\n",
}


@pytest.fixture
def app(clear_streamlit_caches) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def zip_of(files: dict[str, str], directories: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name in directories:
            zipped.writestr(zipfile.ZipInfo(name), "")
        for name, text in files.items():
            zipped.writestr(name, text)
    return buffer.getvalue()


def uploads() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("strangler-upload-*")}


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_the_page_listens_on_this_machine_only():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"


@pytest.mark.parametrize("typed", ["/etc", "/root", "/proc/self", "/", "~", "../../.."])
def test_folders_outside_the_allowed_roots_are_refused_in_one_sentence(app, monkeypatch, typed):
    monkeypatch.delenv("STRANGLER_UI_ROOTS")
    app.text_input(key="source_folder").input(typed).run()
    assert not app.exception
    assert errors(app) == [f"{typed} is outside the folders this page may open (the bundled samples and the folder "
                           "it was started in, or those in STRANGLER_UI_ROOTS); upload a .zip of the codebase instead."]
    assert not app.tabs and not app.code


def test_a_link_inside_an_allowed_root_pointing_outside_is_refused(app, tmp_path):
    (tmp_path / "escape").symlink_to("/etc")
    app.text_input(key="source_folder").input(str(tmp_path / "escape")).run()
    assert len(errors(app)) == 1 and "is outside the folders this page may open" in errors(app)[0]


def test_analyzing_a_folder_writes_nothing_into_it(app, tmp_path):
    for name, text in SMALL.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    app.text_input(key="source_folder").input(str(tmp_path)).run()
    assert not app.exception and not app.error
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_excerpts_come_only_from_files_inside_the_analyzed_folder(tmp_path):
    root = tmp_path / "code"
    root.mkdir()
    (root / "ok.py").write_text("a = 1\n")
    (root / "passwd.py").symlink_to("/etc/passwd")
    assert read_excerpt(root, "ok.py", 1) is not None
    assert read_excerpt(root, "passwd.py", 1) is None
    assert read_excerpt(root, "../../../../etc/passwd", 1) is None
    assert read_excerpt(root, "/etc/passwd", 1) is None


def test_an_upload_is_deleted_when_replaced_or_left_for_a_folder(app):
    before = uploads()
    app.file_uploader(key="source_zip").upload("a.zip", zip_of(SMALL), "application/zip").run()
    assert not app.error
    first = uploads() - before
    assert len(first) == 1
    changed = {**SMALL, "kiosk/extra.py": "def more():\n    pass\n"}
    app.file_uploader(key="source_zip").upload("b.zip", zip_of(changed), "application/zip").run()
    assert not app.error
    second = uploads() - before
    assert len(second) == 1 and second != first
    app.file_uploader(key="source_zip").clear().run()
    assert not app.error
    assert uploads() - before == set()


def test_an_upload_is_deleted_when_the_last_session_holding_it_ends(clear_streamlit_caches):
    """Streamlit drops a session's state when the session closes; the hold goes with it."""
    before = uploads()
    upload = source.zip_source("a.zip", zip_of(SMALL))
    first_session: dict = {}
    second_session: dict = {}
    source.hold_upload(first_session, "upload", upload)
    source.hold_upload(second_session, "upload", source.zip_source("a.zip", zip_of(SMALL)))
    assert len(uploads() - before) == 1
    del first_session
    gc.collect()
    assert len(uploads() - before) == 1
    del second_session, upload
    gc.collect()
    assert uploads() - before == set()


def test_an_upload_that_fails_midway_leaves_no_folder(app):
    before = uploads()
    clash = zip_of({"kiosk/__init__.py": "", "kiosk/a": "a file", "kiosk/a/b.py": "x = 1\n"})
    app.file_uploader(key="source_zip").upload("clash.zip", clash, "application/zip").run()
    assert not app.exception
    assert len(errors(app)) == 1 and errors(app)[0].startswith("Could not unpack archive member 'kiosk/a/b.py'")
    assert uploads() == before


def test_folder_entries_count_toward_the_member_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_FILES", 100)
    folders = tuple(f"d{i}/" for i in range(200))
    with pytest.raises(ArchiveError, match="201 files and folders, more than the limit of 100"):
        archive.safe_extract(zip_of({"a.py": "x = 1\n"}, folders), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_bomb_workbook_uploaded_for_overrides_is_one_sentence_without_server_paths(app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as workbook, \
            workbook.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
        for _ in range(300):
            member.write(b" " * (1 << 20))
    app.file_uploader(key="overrides_upload").upload("plan.xlsx", buffer.getvalue(),
                                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    app.run()
    assert not app.exception
    shown = errors(app)
    assert len(shown) == 1 and shown[0].startswith("plan.xlsx unpacks to 314,572,800 bytes")
    assert tempfile.gettempdir() not in shown[0] and "strangler-overrides" not in shown[0]
    assert os.sep + "tmp" not in shown[0]


def test_an_upload_without_python_names_the_upload_not_the_server_folder(app):
    app.file_uploader(key="source_zip").upload("docs.zip", zip_of({"docs/readme.txt": "hello\n"}),
                                               "application/zip").run()
    assert not app.exception
    shown = errors(app)
    assert len(shown) == 1 and "docs.zip" in shown[0]
    assert tempfile.gettempdir() not in shown[0] and "strangler-upload" not in shown[0]


def test_plans_of_an_upload_name_the_upload(app):
    app.file_uploader(key="source_zip").upload("kiosk.zip", zip_of(SMALL), "application/zip").run()
    assert not app.error
    assert app.session_state["review_graph"].codebase.root == "kiosk.zip"
