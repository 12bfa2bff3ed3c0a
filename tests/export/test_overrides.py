from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from analyzer.errors import OverridesError
from analyzer.export.overrides import read_overrides
from analyzer.export.xlsx import write_xlsx


@pytest.fixture
def known(plan):
    return set(plan.module_services()), {s.name for s in plan.services}


def edit_workbook(path, edits: dict[str, str | None]):
    """Change the service cell of the given modules, the way a reviewer does in Excel."""
    wb = load_workbook(path)
    ws = wb["Modules"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in edits:
            row[1].value = edits[row[0].value]
    wb.save(path)


def test_round_trip_reads_the_edited_service(plan, tmp_path, known):
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    edit_workbook(path, {"shop.orders.models": "reporting"})
    assignment = read_overrides(path, *known)
    assert assignment["shop.orders.models"] == "reporting"
    assert assignment["shop.api.orders"] == "orders"
    assert assignment == {**plan.module_services(), "shop.orders.models": "reporting"}


def test_changed_only_returns_just_the_moved_modules(plan, tmp_path, known):
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    edit_workbook(path, {"shop.orders.models": "reporting", "shop.utils.text": "billing"})
    assert read_overrides(path, *known, changed_only=True) == {
        "shop.orders.models": "reporting", "shop.utils.text": "billing"}


def test_a_new_service_name_is_allowed_and_known_names_are_respelled(plan, tmp_path, known):
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    edit_workbook(path, {"shop.orders.models": "  Billing ", "shop.api.orders": "REPORTING"})
    assignment = read_overrides(path, *known)
    assert assignment["shop.orders.models"] == "Billing"
    assert assignment["shop.api.orders"] == "reporting"


def test_blank_service_cells_are_listed_by_row(plan, tmp_path, known):
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    edit_workbook(path, {"shop.orders.models": None, "shop.utils.text": ""})
    with pytest.raises(OverridesError) as caught:
        read_overrides(path, *known)
    message = str(caught.value)
    assert "row 5" in message and "row 11" in message
    assert "nothing was changed" in message


def test_unknown_modules_are_listed_first_ten_and_counted(plan, tmp_path, known):
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    wb = load_workbook(path)
    ws = wb["Modules"]
    for n in range(12):
        ws.append([f"ghost.m{n:02d}", "orders"])
    wb.save(path)
    with pytest.raises(OverridesError) as caught:
        read_overrides(path, *known)
    message = str(caught.value)
    assert "12 module(s) that are not in the analyzed code" in message
    assert "ghost.m00" in message and "ghost.m09" in message and "ghost.m10" not in message
    assert "and 2 more" in message
    assert "nothing was changed" in message


def test_a_module_listed_twice_with_different_services_is_refused(plan, tmp_path, known):
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    wb = load_workbook(path)
    wb["Modules"].append(["shop.api.orders", "reporting"])
    wb.save(path)
    with pytest.raises(OverridesError, match="different services for the same module: shop.api.orders"):
        read_overrides(path, *known)


def test_workbook_without_modules_sheet_is_refused(plan, tmp_path, known):
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    wb = load_workbook(path)
    del wb["Modules"]
    wb.save(path)
    with pytest.raises(OverridesError, match="has no Modules sheet"):
        read_overrides(path, *known)


def test_json_with_assign_table_or_plain_mapping(tmp_path, known):
    wrapped = tmp_path / "over.json"
    wrapped.write_text(json.dumps({"assign": {"shop.api.orders": "reporting"}}))
    assert read_overrides(wrapped, *known) == {"shop.api.orders": "reporting"}
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"shop.utils.money": "orders"}))
    assert read_overrides(plain, *known) == {"shop.utils.money": "orders"}


def test_toml_assign_table(tmp_path, known):
    path = tmp_path / "over.toml"
    path.write_text('[assign]\n"shop.api.orders" = "reporting"\n')
    assert read_overrides(path, *known) == {"shop.api.orders": "reporting"}


@pytest.mark.parametrize("name, content, message", [
    ("bad.json", "{not json", "is not valid JSON"),
    ("bad.toml", "[assign\n", "is not valid TOML"),
    ("nested.json", json.dumps({"assign": {"shop.api.orders": ["x"]}}), "must map module names"),
    ("unknown.json", json.dumps({"nope.module": "x"}), "not in the analyzed code: nope.module"),
    ("plan.csv", "module,service\n", "unsupported type .csv"),
    ("broken.xlsx", "not a zip", "is not a readable Excel workbook"),
])
def test_bad_files_raise_overrides_error(tmp_path, known, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(OverridesError, match=message):
        read_overrides(path, *known)


def test_missing_file(tmp_path, known):
    with pytest.raises(OverridesError, match="does not exist"):
        read_overrides(tmp_path / "nope.xlsx", *known)


def test_a_workbook_saved_by_libreoffice_still_reads_back(plan, tmp_path, known, lo_convert):
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    edit_workbook(path, {"shop.orders.models": "reporting"})
    resaved = lo_convert(path, tmp_path / "resaved", "xlsx")
    assert resaved is not None, "LibreOffice could not load plan.xlsx"
    validation = load_workbook(resaved)["Modules"].data_validations.dataValidation[0]
    assert validation.formula1 == "Lists!$A$1:$A$4"
    assert read_overrides(resaved, *known, changed_only=True) == {"shop.orders.models": "reporting"}
