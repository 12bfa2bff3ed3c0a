"""Shared openpyxl plumbing: styled data sheets and byte-stable workbook bytes.

openpyxl stamps docProps/core.xml with the save time and zip entries with the wall clock; both
are pinned here so the same plan always gives the same plan.xlsx bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

#: Written as created/modified so workbooks do not change with the clock.
FIXED_TIMESTAMP = datetime(2024, 1, 1, 0, 0, 0)
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
RED_FILL = PatternFill("solid", fgColor="F8CBAD")
AMBER_FILL = PatternFill("solid", fgColor="FFE699")
GREEN_FILL = PatternFill("solid", fgColor="C6EFCE")
LAMBDA_FILL = PatternFill("solid", fgColor="FCE4D6")
FARGATE_FILL = PatternFill("solid", fgColor="DDEBF7")
SHARED_FILL = PatternFill("solid", fgColor="EDEDED")

MIN_WIDTH = 8
MAX_WIDTH = 60
MAX_CELL_CHARS = 32_767


def new_workbook(title: str) -> Workbook:
    workbook = Workbook()
    for sheet in list(workbook.worksheets):
        workbook.remove(sheet)
    workbook.properties.creator = "strangler"
    workbook.properties.title = title
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    return workbook


def clean(value: Any) -> Any:
    """A cell-safe value: no control characters, within Excel's cell size."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_CHARS]
    return value


def put(ws: Worksheet, row: int, column: int, value: Any) -> None:
    """Write a value; text is always stored as text, so '=…' from source code never becomes a formula."""
    cell = ws.cell(row=row, column=column, value=clean(value))
    if isinstance(value, str):
        cell.data_type = "s"


def data_sheet(workbook: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
               freeze: str = "B2") -> Worksheet:
    """A sheet with a styled header, frozen panes, an auto-filter and widths fitted to the content;
    text longer than the widest column wraps."""
    ws: Worksheet = workbook.create_sheet(title)
    for column, header in enumerate(headers, start=1):
        put(ws, 1, column, header)
        ws.cell(row=1, column=column).font = HEADER_FONT
        ws.cell(row=1, column=column).fill = HEADER_FILL
    count = 0
    for row_number, row in enumerate(rows, start=2):
        count += 1
        for column, value in enumerate(row, start=1):
            put(ws, row_number, column, value)
    ws.freeze_panes = freeze
    print_landscape(ws)
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last}{count + 1}"
    fit_columns(ws)
    wrap_long_text(ws)
    return ws


def wrap_long_text(ws: Worksheet) -> None:
    """Wrap cells wider than MAX_WIDTH and give their rows the height they need (neither
    Excel nor LibreOffice grows rows of generated files on open)."""
    for row_number, row in enumerate(ws.iter_rows(min_row=2), start=2):
        lines = 1
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > MAX_WIDTH - 2:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                lines = max(lines, -(-len(cell.value) // (MAX_WIDTH - 4)))
        if lines > 1:
            ws.row_dimensions[row_number].height = 15 * min(lines, 20)


def print_landscape(ws: Worksheet) -> None:
    """Print (and PDF) all columns of a sheet on one page width, landscape."""
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def fit_columns(ws: Worksheet) -> None:
    """Excel has no auto-fit on open: size each column to its longest line, capped."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            longest = max(len(line) for line in str(cell.value).splitlines() or [""])
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for column, width in sorted(widths.items()):
        ws.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))


def workbook_bytes(workbook: Workbook) -> bytes:
    """Serialize with pinned timestamps (core properties and zip entries) for stable bytes."""
    workbook.properties.created = FIXED_TIMESTAMP
    workbook.properties.modified = FIXED_TIMESTAMP
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).write_data()
    stable = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, \
            zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # the same header bytes whichever OS writes the file
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return stable.getvalue()
