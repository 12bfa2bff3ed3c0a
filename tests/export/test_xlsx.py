from __future__ import annotations

import dataclasses
import io
import zipfile

from openpyxl import load_workbook

from analyzer.export.xlsx import (
    BOUNDARIES_HEADERS,
    DATA_HEADERS,
    MODULES_HEADERS,
    SERVICES_HEADERS,
    WAVES_HEADERS,
    render_xlsx,
    write_xlsx,
)
from analyzer.model import Risk, Service

SHEETS = ["Summary", "Services", "Modules", "Boundaries", "Data", "Waves", "Entry points", "Evidence",
          "Limits", "Skipped", "Data boundaries", "Not the application", "Lists"]


def workbook(plan):
    return load_workbook(io.BytesIO(render_xlsx(plan)))


def rows(ws):
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def headers(ws):
    return [c.value for c in ws[1]]


def test_sheets_in_order_with_the_lists_sheet_hidden(plan):
    wb = workbook(plan)
    assert wb.sheetnames == SHEETS
    assert wb["Lists"].sheet_state == "hidden"
    assert wb.active.title == "Summary"


def test_same_plan_gives_identical_bytes_with_pinned_timestamps(plan):
    first = render_xlsx(plan)
    assert render_xlsx(plan) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2024-01-01T00:00:00Z" in core
    props = load_workbook(io.BytesIO(first)).properties
    assert props.created == props.modified


def test_summary_has_figures_metrics_and_a_bar_chart(plan):
    ws = workbook(plan)["Summary"]
    figures = {r[0]: r[1] for r in ws.iter_rows(min_row=2, max_col=2, values_only=True) if r[0]}
    assert figures["Files analyzed"] == 11
    assert figures["Lines of code"] == 1905
    assert figures["Services"] == 3
    assert figures["Lambda services"] == 2 and figures["Fargate services"] == 1
    assert figures["Sync boundaries"] == 2 and figures["Async boundaries"] == 4
    assert figures["Skipped files"] == 2
    assert figures["Highest risk"] == "high"
    assert figures["Note"] == "no git history: co-change signal off"
    assert figures["modularity"] == 0.41234567
    assert len(ws._charts) == 1


def test_services_sheet_one_row_per_service(plan):
    ws = workbook(plan)["Services"]
    assert headers(ws) == list(SERVICES_HEADERS)
    body = rows(ws)
    assert [r[0] for r in body] == ["notifications", "orders", "reporting", "shared-kernel"]
    orders = dict(zip(SERVICES_HEADERS, body[1], strict=True))
    assert orders["compute"] == "lambda"
    assert orders["confidence"] == 0.85
    assert orders["modules"] == 3 and orders["entry points"] == 3
    assert orders["tables"] == "order_lines, orders"
    assert orders["risk"] == "medium" and orders["effort"] == "M"
    assert orders["top reasons"].startswith("short-request-handlers: every entry point")
    assert orders["risk causes"] == "called synchronously by 2 service(s): notifications, reporting"
    kernel = dict(zip(SERVICES_HEADERS, body[3], strict=True))
    assert kernel["compute"] == "shared kernel" and kernel["confidence"] is None


def test_services_sheet_colours_risk_and_compute(plan):
    ws = workbook(plan)["Services"]
    rules = {str(rng.sqref): [r.formula for r in rng.rules] for rng in ws.conditional_formatting}
    assert rules["I2:I5"] == [['"high"'], ['"medium"'], ['"low"']]
    assert ['"lambda"'] in rules["C2:C5"] and ['"fargate"'] in rules["C2:C5"]


def test_modules_sheet_has_a_dropdown_of_service_names(plan):
    wb = workbook(plan)
    ws = wb["Modules"]
    assert headers(ws) == list(MODULES_HEADERS)
    body = rows(ws)
    assert len(body) == sum(len(s.modules) for s in plan.services) == 10
    by_module = {r[0]: r for r in body}
    assert by_module["shop.orders.service"][1:4] == ["orders", "orders", 320]
    assert by_module["shop.orders.service"][4] == "data link to shop.orders.models (4)"
    assert by_module["shop.api.orders"][4] == "call link to shop.orders.service (7)"
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    dv = validations[0]
    assert dv.type == "list"
    assert dv.formula1 == "Lists!$A$1:$A$4"
    assert str(dv.sqref) == "B2:B11"
    assert dv.errorStyle == "warning"  # a new service name is allowed after a warning
    listed = [r[0] for r in wb["Lists"].iter_rows(values_only=True)]
    assert listed == ["notifications", "orders", "reporting", "shared-kernel"]


def test_boundaries_sheet_one_row_per_call_site(plan):
    ws = workbook(plan)["Boundaries"]
    assert headers(ws) == list(BOUNDARIES_HEADERS)
    body = rows(ws)
    assert len(body) == sum(len(b.calls) for b in plan.boundaries) == 7
    assert ["reporting", "orders", "shop.reporting.export.build", "shop.orders.models.Order.total",
            "shop/reporting/export.py", 22, "sync", "http", "return value used; called in a loop", None] in body
    warned = next(r for r in body if r[5] == 50)
    assert warned[-1] == ("argument rows may exceed the http limit of 6 MB "
                          "(claim check: put it in S3, send the key)")
    assert ws.auto_filter.ref == "A1:J8"
    assert ws.freeze_panes == "B2"


def test_data_sheet_flags_tables_touched_by_other_services(plan):
    ws = workbook(plan)["Data"]
    assert headers(ws) == list(DATA_HEADERS)
    body = {r[0]: r[1:] for r in rows(ws)}
    assert body["orders"] == ["orders", "reporting", "yes"]
    assert body["customers"] == ["reporting", "orders", "yes"]
    assert body["outbox"] == ["notifications", None, "no"]


def test_waves_limits_and_skipped_sheets(plan):
    wb = workbook(plan)
    assert headers(wb["Waves"]) == list(WAVES_HEADERS)
    assert rows(wb["Waves"]) == [[1, "notifications", "fewest inbound calls; consumes only events"],
                                 [2, "reporting", "heavy batch work leaves the request path"],
                                 [3, "orders", "core domain: most callers, moves last"]]
    limits = wb["Limits"]
    assert headers(limits) == ["key", "value", "unit", "applies_to", "description", "source", "checked", "note",
                               "conservative"]
    assert [r[0] for r in rows(limits)] == ["lambda.memory.max", "lambda.timeout"]
    assert [r[0] for r in rows(wb["Skipped"])] == ["shop/generated/big.py", "shop/legacy/py2.py"]
    entry = rows(wb["Entry points"])
    assert ["reporting", "schedule", "crontab(minute=0, hour=2)", "shop/reporting/jobs.py", 5,
            "EventBridge Scheduler (ECS RunTask)"] in entry


def test_limits_sheet_falls_back_to_the_rules_table(plan):
    from analyzer.rules import load_limits

    ws = workbook(dataclasses.replace(plan, limits=()))["Limits"]
    assert headers(ws)[:2] == ["key", "value"]
    assert "source" in headers(ws)
    assert len(rows(ws)) == len(load_limits())
    assert "lambda.timeout" in [r[0] for r in rows(ws)]


def test_headers_are_styled_and_columns_sized(plan):
    ws = workbook(plan)["Modules"]
    cell = ws["A1"]
    assert cell.font.bold and cell.fill.fgColor.rgb.endswith("305496")
    assert ws.column_dimensions["A"].width == len("shop.notifications.email") + 2
    assert ws.column_dimensions["E"].width <= 60


def test_text_that_looks_like_a_formula_stays_text(plan):
    tricky = dataclasses.replace(plan, services=(
        Service(name="=cmd|' /C calc'!A0", kind="service", modules=("x",), loc=1),))
    ws = workbook(tricky)["Services"]
    assert ws["A2"].value == "=cmd|' /C calc'!A0"
    assert ws["A2"].data_type == "s"


def test_libreoffice_opens_the_workbook(plan, tmp_path, lo_convert):
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    pdf = lo_convert(path, tmp_path / "out")
    assert pdf is not None, "LibreOffice could not load plan.xlsx"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_libreoffice_reads_the_cells_back(plan, tmp_path, lo_convert):
    """The CSV export of the first sheet proves LibreOffice parsed the cells, not just the zip."""
    path = write_xlsx(plan, tmp_path / "plan.xlsx")
    csv = lo_convert(path, tmp_path / "out", "csv")
    assert csv is not None, "LibreOffice could not load plan.xlsx"
    cells = [line.split(",")[:2] for line in csv.read_text(encoding="utf-8", errors="replace").splitlines()]
    assert ["Files analyzed", "11"] in cells
    assert ["Highest risk", "high"] in cells


def test_entry_points_and_evidence_sheets_row_counts(plan):
    wb = workbook(plan)
    assert headers(wb["Entry points"]) == ["service", "kind", "detail", "path", "line", "trigger"]
    assert len(rows(wb["Entry points"])) == sum(len(s.entry_points) for s in plan.services) == 7
    evidence = rows(wb["Evidence"])
    assert len(evidence) == sum(len(s.target.reasons) for s in plan.services if s.target) == 5
    assert ["reporting", "fargate", 0.7, "heavy-dependency", "imports pandas and calls ffmpeg",
            "shop/reporting/export.py:1, shop/reporting/video.py:3"] in evidence


def test_long_text_wraps_and_its_row_grows(plan):
    long_reason = "x" * 200
    services = tuple(dataclasses.replace(s, risk=Risk("low", (long_reason,), 0.0, "")) if s.name == "orders" else s
                     for s in plan.services)
    ws = workbook(dataclasses.replace(plan, services=services))["Services"]
    cell = ws.cell(row=3, column=len(SERVICES_HEADERS))
    assert cell.value == long_reason
    assert cell.alignment.wrap_text
    assert ws.row_dimensions[3].height >= 45
