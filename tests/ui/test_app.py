"""The review page driven through AppTest on the bundled sample: every control, and what it changes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from unittest.mock import patch

import openpyxl
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
TIMEOUT = 240
EDITOR_ROWS = "review_move_editor_rows"


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def app(clear_streamlit_caches) -> AppTest:
    at = start()
    assert not at.error, [e.value for e in at.error]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def metric_delta(at: AppTest, label: str) -> str | None:
    return next(m.proto.delta for m in at.metric if m.label == label)


def page_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def services(at: AppTest) -> list[str]:
    """Service names as the merge control offers them (the shared kernel is not offered)."""
    return list(at.selectbox(key="merge_from").options)


def service_map(at: AppTest) -> str:
    return at.get("graphviz_chart")[0].proto.spec


def table(at: AppTest, *columns: str):
    """The first table whose columns start with `columns` (AppTest keys only widgets)."""
    return next(df.value for df in at.dataframe
                if tuple(df.value.columns)[:len(columns)] == columns and not str(df.key).startswith("move_editor"))


def editor_rows(at: AppTest) -> list[tuple[str, str]]:
    return [tuple(row) for row in at.session_state[EDITOR_ROWS]]


def move(at: AppTest, module: str, service: str) -> AppTest:
    row = next(i for i, (m, _) in enumerate(editor_rows(at)) if m == module)
    at.session_state[at.session_state["review_move_editor_key"]] = {"edited_rows": {row: {"service": service}}, "added_rows": [],
                                       "deleted_rows": []}
    at.button(key="apply_moves").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def movable(at: AppTest) -> tuple[str, str, str]:
    """A module, its service and another service to move it to (both real services)."""
    names = services(at)
    module, home = next((m, s) for m, s in editor_rows(at) if s in names)
    return module, home, next(n for n in names if n != home)


# --------------------------------------------------------------------------- load


def test_sample_loads_with_figures_tabs_and_service_map(app):
    assert [t.label for t in app.tabs] == ["Overview", "Services", "Adjust", "Boundaries", "Waves", "Export"]
    assert int(metric(app, "Files").replace(",", "")) > 20
    assert int(metric(app, "Services")) == len(services(app)) >= 3
    assert int(metric(app, "Lambda")) + int(metric(app, "Fargate")) == len(services(app))
    for label in ("Modularity", "SM", "ICP", "IFN", "NED"):
        assert float(metric(app, label)) >= 0.0
    dot = service_map(app)
    assert dot.startswith("digraph services {")
    assert all(f'"{name}" [' in dot for name in services(app))


def test_bad_folder_shows_one_sentence_and_nothing_else(app, tmp_path):
    app.text_input(key="source_folder").input(str(tmp_path / "nope")).run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        f"Folder not found: {tmp_path / 'nope'}; enter a path to a Python codebase."]
    assert not app.tabs


def test_folder_without_python_says_so(app, tmp_path):
    (tmp_path / "README.md").write_text("no code here\n")
    app.text_input(key="source_folder").input(str(tmp_path)).run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and "no python files" in errors[0].lower() and str(tmp_path) in errors[0]


def test_an_internal_error_is_one_sentence_and_changes_nothing(app, monkeypatch):
    names = services(app)

    def broken(graph, options):
        raise RuntimeError("boom")

    monkeypatch.setattr("analyzer.ui.state.plan_from_graph", broken)
    app.selectbox(key="merge_from").select(names[0])
    app.selectbox(key="merge_into").select(names[1])
    app.button(key="merge").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "Strangler hit an internal error (RuntimeError); nothing was changed. "
        "Please report it; the server can set STRANGLER_DEBUG=1 to see the traceback."]
    assert services(app) == names


def test_service_detail_shows_modules_target_and_evidence(app):
    pick = app.selectbox(key="service_pick")
    name = services(app)[0]
    label = next(option for option in pick.options if option.startswith(f"{name} ("))
    pick.select(label).run()
    text = page_text(app)
    assert f"### {name}" in text
    assert "Runs on **Lambda**" in text or "Runs on **Fargate**" in text
    modules = table(app, "module", "LOC", "why here")
    assert set(modules["module"]) == {m for m, s in editor_rows(app) if s == name}
    assert any(block.language == "python" and ">" in block.value for block in app.code)


# --------------------------------------------------------------------------- adjust


def test_number_of_services_reclusters_and_reports_it(app):
    before = int(metric(app, "Services"))
    wanted = before + 2
    app.number_input(key="n_services").set_value(wanted).run()
    assert not app.exception and not app.error
    after = int(metric(app, "Services"))
    assert after != before
    assert metric_delta(app, "Services") == f"{after - before:+d}"
    assert f"Last change: Asked for {wanted} services" in page_text(app)


def test_resolution_slider_replans(app):
    before = int(metric(app, "Services"))
    start = app.slider(key="resolution").value
    app.slider(key="resolution").set_value(3.0).run()
    assert not app.exception and not app.error
    assert f"Last change: Resolution {start:g} → 3" in page_text(app)
    assert int(metric(app, "Services")) >= before


def test_moving_a_module_moves_it_and_lists_the_change(app):
    module, home, target = movable(app)
    move(app, module, target)
    assert not app.error, [e.value for e in app.error]
    assert (module, target) in editor_rows(app)
    assert f"Moved `{module}` from **{home}** to **{target}**" in page_text(app)
    assert f"Last change: Moved {module} to {target}" in page_text(app)


def test_applying_without_edits_says_what_to_do(app):
    app.button(key="apply_moves").click().run()
    assert [e.value for e in app.error] == [
        "No module has a new service yet: pick one in the service column first."]


def test_moving_into_a_new_service_creates_it(app):
    app.text_input(key="new_service_name").input("reporting-desk").run()
    app.button(key="add_service_name").click().run()
    count = int(metric(app, "Services"))
    module, home, _ = movable(app)
    move(app, module, "reporting-desk")
    assert "reporting-desk" in services(app)
    assert int(metric(app, "Services")) == count + 1
    assert metric_delta(app, "Services") == "+1"
    assert '"reporting-desk" [' in service_map(app)
    assert f"Moved `{module}` from **{home}** to **reporting-desk**" in page_text(app)


def test_merge_removes_a_service(app):
    count = int(metric(app, "Services"))
    first, second = services(app)[:2]
    app.selectbox(key="merge_from").select(first)
    app.selectbox(key="merge_into").select(second)
    app.button(key="merge").click().run()
    assert not app.error, [e.value for e in app.error]
    assert first not in services(app)
    assert int(metric(app, "Services")) == count - 1
    assert metric_delta(app, "Services") == "-1"
    assert f"Last change: Merged {first} into {second}" in page_text(app)


def test_rename_shows_the_new_name_everywhere(app):
    old = services(app)[0]
    app.selectbox(key="rename_from").select(old)
    app.text_input(key="rename_to").input("checkout-desk")
    app.button(key="rename").click().run()
    assert not app.error, [e.value for e in app.error]
    assert "checkout-desk" in services(app) and old not in services(app)
    assert '"checkout-desk" [' in service_map(app)
    assert f"Renamed **{old}** to **checkout-desk**" in page_text(app)


def test_bad_rename_is_refused_and_nothing_changes(app):
    names = services(app)
    app.selectbox(key="rename_from").select(names[0])
    app.text_input(key="rename_to").input(names[1])
    app.button(key="rename").click().run()
    assert [e.value for e in app.error] == [
        f"A service named {names[1]!r} already exists; merge the two services instead."]
    assert services(app) == names


def test_undo_and_reset_restore_the_proposal(app):
    names = services(app)
    first, second = names[:2]
    app.selectbox(key="merge_from").select(first)
    app.selectbox(key="merge_into").select(second)
    app.button(key="merge").click().run()
    assert first not in services(app)
    app.button(key="undo").click().run()
    assert services(app) == names
    assert "Last change: Undo" in page_text(app)
    assert app.button(key="undo").disabled  # nothing left to undo
    app.selectbox(key="merge_from").select(first)
    app.selectbox(key="merge_into").select(second)
    app.button(key="merge").click().run()
    app.button(key="reset").click().run()
    assert services(app) == names
    assert "Last change: Reset to the proposed plan" in page_text(app)


# --------------------------------------------------------------------------- tables


def test_boundary_filters_narrow_the_table(app):
    boundaries = table(app, "from", "to", "style", "channel", "calls")
    assert len(boundaries) >= 1
    style = boundaries["style"].iloc[0]
    app.multiselect(key="filter_style").select(style).run()
    filtered = table(app, "from", "to", "style", "channel", "calls")
    assert set(filtered["style"]) == {style}
    name = services(app)[0]
    app.multiselect(key="filter_style").unselect(style)
    app.multiselect(key="filter_service").select(name).run()
    by_service = table(app, "from", "to", "style", "channel", "calls")
    assert all(name in (row["from"], row["to"]) for _, row in by_service.iterrows())


def test_waves_table_lists_every_service_once(app):
    waves = table(app, "wave", "service")
    assert sorted(waves["service"]) == sorted(services(app))
    name = services(app)[0]
    app.multiselect(key="filter_wave_service").select(name).run()
    assert list(table(app, "wave", "service")["service"]) == [name]


# --------------------------------------------------------------------------- export


class CapturingStorage(MemoryMediaFileStorage):
    """The media storage AppTest uses, keeping each file's name and bytes for the test."""

    files: dict[str, tuple[str | None, bytes]] = {}

    def load_and_get_id(self, data, mimetype, kind, filename=None):
        file_id = super().load_and_get_id(data, mimetype, kind, filename)
        CapturingStorage.files[file_id] = (filename, self._files_by_id[file_id].content)
        return file_id


def downloaded(at: AppTest, key: str) -> tuple[str | None, bytes]:
    file_id = at.download_button(key=key).proto.url.rsplit("/", 1)[-1].split(".")[0]
    return CapturingStorage.files[file_id]


@pytest.fixture
def capturing_app(clear_streamlit_caches):
    CapturingStorage.files = {}
    with patch.object(app_test_module, "MemoryMediaFileStorage", CapturingStorage):
        yield start()


def test_download_buttons_offer_the_four_files(app):
    expected = {"dl_xlsx": ("Download plan.xlsx", ".xlsx"), "dl_json": ("Download plan.json", ".json"),
                "dl_md": ("Download report.md", ".md"), "dl_sam": ("Download template.yaml", "")}
    for key, (label, suffix) in expected.items():
        button = app.download_button(key=key)
        assert button.label == label
        assert button.proto.url.startswith("/mock/media/") and button.proto.url.endswith(suffix)


def test_downloads_hold_the_plan_as_adjusted(capturing_app):
    at = capturing_app
    module, _, target = movable(at)
    move(at, module, target)
    name, data = downloaded(at, "dl_xlsx")
    assert name == "plan.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Modules"]
    header = [c.value for c in sheet[1]]
    rows = {row[header.index("module")]: row[header.index("service")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[module] == target
    name, data = downloaded(at, "dl_json")
    assert name == "plan.json" and f'"{module}"' in data.decode()
    assert downloaded(at, "dl_sam")[0] == "template.yaml"
    assert downloaded(at, "dl_md")[0] == "report.md"


def edited_workbook(data: bytes, changes: dict[str, str]) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Modules"]
    header = [c.value for c in sheet[1]]
    module_col, service_col = header.index("module") + 1, header.index("service") + 1
    for row in range(2, sheet.max_row + 1):
        module = sheet.cell(row=row, column=module_col).value
        if module in changes:
            sheet.cell(row=row, column=service_col).value = changes[module]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_uploading_an_edited_workbook_applies_its_moves(capturing_app):
    at = capturing_app
    module, home, target = movable(at)
    _, data = downloaded(at, "dl_xlsx")
    at.file_uploader(key="overrides_upload").upload("plan.xlsx", edited_workbook(data, {module: target})).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Applied plan.xlsx: 1 module moved." in [s.value for s in at.success]
    assert (module, target) in editor_rows(at)
    assert f"Moved `{module}` from **{home}** to **{target}**" in page_text(at)


def test_an_edited_workbook_naming_unknown_modules_changes_nothing(capturing_app):
    at = capturing_app
    names = services(at)
    _, data = downloaded(at, "dl_xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["Modules"]
    sheet.append(["shop.does_not_exist", names[0]])
    out = io.BytesIO()
    workbook.save(out)
    at.file_uploader(key="overrides_upload").upload("plan.xlsx", out.getvalue()).run()
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "shop.does_not_exist" in errors[0] and "nothing was changed" in errors[0]
    assert services(at) == names
    assert not at.session_state["review_last_change"]


# --------------------------------------------------------------------------- zip upload


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


SMALL_PACKAGE = {
    "kiosk/__init__.py": "",
    "kiosk/orders.py": "from kiosk import billing\n\n\ndef place(total):\n    return billing.charge(total)\n",
    "kiosk/billing.py": "def charge(total):\n    return round(total * 1.2, 2)\n",
    "kiosk/reports.py": "from kiosk import orders\n\n\ndef nightly():\n    return orders.place(10)\n",
}


def test_a_good_zip_is_analyzed(app):
    app.file_uploader(key="source_zip").upload("kiosk.zip", zip_of(SMALL_PACKAGE), "application/zip").run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert metric(app, "Files") == "4"
    modules = {m for m, _ in editor_rows(app)}
    assert {"kiosk.orders", "kiosk.billing", "kiosk.reports"} <= modules


def test_a_malicious_zip_is_refused_with_its_reason(app):
    bad = zip_of({"kiosk/__init__.py": "", "../evil.py": "import os\n"})
    app.file_uploader(key="source_zip").upload("evil.zip", bad, "application/zip").run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "Refused archive member '../evil.py': '..' would write outside the upload folder."]
    assert not app.tabs
