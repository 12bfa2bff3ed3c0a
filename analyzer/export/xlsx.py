"""plan.xlsx: the plan as a workbook that architects and teams review, edit and feed back.

The Modules sheet's `service` column is the editable one (a drop-down of service names that
still accepts a new name after a warning); `strangler analyze --overrides plan.xlsx` reads it
back through analyzer.export.overrides.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analyzer.export import views
from analyzer.export._workbook import (
    AMBER_FILL,
    FARGATE_FILL,
    GREEN_FILL,
    HEADER_FILL,
    HEADER_FONT,
    LAMBDA_FILL,
    RED_FILL,
    SHARED_FILL,
    data_sheet,
    fit_columns,
    new_workbook,
    print_landscape,
    put,
    workbook_bytes,
)
from analyzer.export.atomic import write_file
from analyzer.model import Plan

SERVICES_HEADERS = ("name", "kind", "compute", "confidence", "loc", "modules", "tables",
                    "entry points", "risk", "effort", "top reasons", "risk causes")
MODULES_HEADERS = ("module", "service", "proposed service", "loc", "why here")
BOUNDARIES_HEADERS = ("source", "target", "caller", "callee", "path", "line", "style", "channel", "reasons",
                      "payload warning")
DATA_HEADERS = ("table", "owner service", "other services", "conflict")
RUNTIME_BOUNDARY_HEADERS = ("observed calls", "observed")
RUNTIME_HEADERS = ("what", "value / caller", "records / callee", "matched / per request", "outside the code / remedy",
                   "notes / detail", "evidence")
WAVES_HEADERS = ("order", "services", "rationale")
ENTRY_HEADERS = ("service", "kind", "detail", "path", "line", "trigger")
EVIDENCE_HEADERS = ("service", "compute", "confidence", "rule", "detail", "evidence")
SKIPPED_HEADERS = ("path", "reason")
EXCLUDED_HEADERS = ("path", "reason", "Python files")
DATA_BOUNDARY_HEADERS = ("source", "owner", "table", "kind", "accessor", "path", "line", "via", "pattern", "why")

#: Column (1-based) of the editable service name on the Modules sheet; overrides.py reads it.
MODULES_SERVICE_COLUMN = MODULES_HEADERS.index("service") + 1
LISTS_SHEET = "Lists"


def render_xlsx(plan: Plan) -> bytes:
    """plan.xlsx bytes; the same plan always gives the same bytes."""
    workbook = new_workbook(f"Migration plan for {plan.source.root}")
    _summary_sheet(workbook, plan)
    _services_sheet(workbook, plan)
    _modules_sheet(workbook, plan)
    _boundaries_sheet(workbook, plan)
    _runtime_sheet(workbook, plan)
    _data_sheet(workbook, plan)
    data_sheet(workbook, "Waves", WAVES_HEADERS,
               ([w.order, ", ".join(sorted(w.services)), w.rationale]
                for w in sorted(plan.waves, key=lambda w: w.order)), freeze="A2")
    _entry_points_sheet(workbook, plan)
    _evidence_sheet(workbook, plan)
    limit_headers, limit_rows = views.limit_rows(plan)
    data_sheet(workbook, "Limits", limit_headers, limit_rows)
    data_sheet(workbook, "Skipped", SKIPPED_HEADERS,
               ([s.path, s.reason] for s in sorted(plan.source.skipped, key=lambda s: s.path)))
    data_sheet(workbook, "Data boundaries", DATA_BOUNDARY_HEADERS,
               ([b.source, b.target, link.table, link.kind, link.accessor, link.path, link.line, link.via, b.pattern,
                 "; ".join(b.reasons)] for b in plan.data_boundaries for link in b.links), freeze="A2")
    data_sheet(workbook, "Not the application", EXCLUDED_HEADERS,
               ([e.path, e.reason, e.files] for e in plan.source.excluded))
    _lists_sheet(workbook, plan)
    workbook.active = 0
    return workbook_bytes(workbook)


def write_xlsx(plan: Plan, path: Path) -> Path:
    write_file(path, render_xlsx(plan))
    return path


def _header(ws: Worksheet, row: int, labels: tuple[str, ...]) -> None:
    for column, label in enumerate(labels, start=1):
        put(ws, row, column, label)
        ws.cell(row=row, column=column).font = HEADER_FONT
        ws.cell(row=row, column=column).fill = HEADER_FILL


def _summary_sheet(workbook: Workbook, plan: Plan) -> None:
    """Figures, metrics with their meaning, and LOC per service with a bar chart."""
    ws = workbook.create_sheet("Summary")
    _header(ws, 1, ("figure", "value"))
    row = 2
    figures: list[tuple[str, int | str]] = [("Source", plan.source.root),
                         ("Tool", f"{plan.tool.get('name', '')} {plan.tool.get('version', '')}".strip()),
                         *views.summary_figures(plan),
                         *(("Note", note) for note in plan.notes)]
    for label, figure in figures:
        put(ws, row, 1, label)
        put(ws, row, 2, figure)
        row += 1

    row += 1
    _header(ws, row, ("metric", "value", "meaning"))
    for key, value in _ordered_metrics(plan):
        row += 1
        put(ws, row, 1, key)
        put(ws, row, 2, value)
        ws.cell(row=row, column=2).number_format = "0.000"
        put(ws, row, 3, views.METRIC_MEANINGS.get(key, ""))
        ws.cell(row=row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 15 * -(-len(views.METRIC_MEANINGS.get(key, "x")) // 80)

    row += 2
    _header(ws, row, ("service", "compute", "loc"))
    first = row + 1
    for service in views.services_in_order(plan):
        row += 1
        put(ws, row, 1, service.name)
        put(ws, row, 2, views.compute_of(service))
        put(ws, row, 3, service.loc)
    last = row
    fit_columns(ws)
    ws.column_dimensions["C"].width = 70
    print_landscape(ws)

    if last >= first:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Lines of code per service"
        chart.legend = None
        chart.x_axis.delete = False
        chart.x_axis.scaling.orientation = "maxMin"
        chart.y_axis.delete = False
        chart.y_axis.title = "lines of code"
        chart.add_data(Reference(ws, min_col=3, min_row=first, max_row=last), titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.height = max(6.0, 1.2 * (last - first + 1))
        chart.width = 16
        ws.add_chart(chart, f"A{last + 2}")


def _ordered_metrics(plan: Plan) -> list[tuple[str, float | None]]:
    keys = [k for k in views.METRIC_MEANINGS if k in plan.metrics]
    keys += sorted(set(plan.metrics) - set(keys))
    return [(k, plan.metrics[k]) for k in keys]


def _services_sheet(workbook: Workbook, plan: Plan) -> None:
    services = views.services_in_order(plan)
    rows = [
        [s.name, s.kind, views.compute_of(s),
         s.target.confidence if s.target is not None else None,
         s.loc, len(s.modules), ", ".join(sorted(s.tables)), len(s.entry_points),
         views.risk_of(s), views.effort_of(s), views.top_reasons(s), "; ".join(views.risk_causes(s))]
        for s in services
    ]
    ws = data_sheet(workbook, "Services", SERVICES_HEADERS, rows)
    last = len(rows) + 1
    for row in range(2, last + 1):
        ws.cell(row=row, column=SERVICES_HEADERS.index("confidence") + 1).number_format = "0%"
    _colour_values(ws, SERVICES_HEADERS.index("risk") + 1, last,
                   {"high": RED_FILL, "medium": AMBER_FILL, "low": GREEN_FILL})
    _colour_values(ws, SERVICES_HEADERS.index("compute") + 1, last,
                   {"lambda": LAMBDA_FILL, "fargate": FARGATE_FILL, views.SHARED_LABEL: SHARED_FILL})


def _colour_values(ws: Worksheet, column: int, last_row: int, fills: dict[str, PatternFill]) -> None:
    if last_row < 2:
        return
    letter = get_column_letter(column)
    for value, fill in fills.items():
        ws.conditional_formatting.add(
            f"{letter}2:{letter}{last_row}",
            CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill))


def _modules_sheet(workbook: Workbook, plan: Plan) -> None:
    """One row per module; `service` is editable (drop-down), `proposed service` is the plan's."""
    rows = [
        [module, service.name, service.name, views.module_loc(service, module), views.why_here(service, module)]
        for service in views.services_in_order(plan)
        for module in sorted(service.modules)
    ]
    ws = data_sheet(workbook, "Modules", MODULES_HEADERS, rows)
    last = len(rows) + 1
    grey = Font(color="808080")
    for row in range(2, last + 1):
        ws.cell(row=row, column=3).font = grey
    if rows:
        service_col = get_column_letter(MODULES_SERVICE_COLUMN)
        names = len(plan.services)
        validation = DataValidation(
            type="list", formula1=f"{LISTS_SHEET}!$A$1:$A${max(1, names)}", allow_blank=False,
            showDropDown=False, showErrorMessage=True, errorStyle="warning",
            errorTitle="New service?",
            error="This is not one of the plan's services. Keep it to create a new service.",
            showInputMessage=True, promptTitle="Service",
            prompt="Pick the service this module belongs to (or type a new name).")
        ws.add_data_validation(validation)
        validation.add(f"{service_col}2:{service_col}{last}")
        ws.conditional_formatting.add(
            f"A2:{get_column_letter(len(MODULES_HEADERS))}{last}",
            FormulaRule(formula=[f"${service_col}2<>$C2"], fill=AMBER_FILL))


def _boundaries_sheet(workbook: Workbook, plan: Plan) -> None:
    rows: list[list[str | int | None]] = []
    for boundary in sorted(plan.boundaries, key=lambda b: (b.source, b.target, b.style, b.channel)):
        calls = sorted(boundary.calls, key=lambda c: (c.path, c.line, c.caller, c.callee))
        warnings = views.payload_warnings(boundary)
        observed: list[str | int | None] = [] if plan.runtime is None else [None, ""]
        if not calls and not (boundary.runtime and boundary.runtime.observed_only):
            rows.append([boundary.source, boundary.target, "", "", "", None,
                         boundary.style, boundary.channel, "", "", *observed])
        for c in calls:
            if plan.runtime is not None:
                observed = [c.observed.calls if c.observed else None, views.observed_text(c.observed)]
            rows.append([boundary.source, boundary.target, c.caller, c.callee, c.path, c.line,
                         c.style, c.channel, "; ".join(c.reasons),
                         "; ".join(warnings.get((c.caller, c.callee, c.path, c.line), ())), *observed])
        if boundary.runtime is not None:
            for o in boundary.runtime.observed_only:
                rows.append([boundary.source, boundary.target, o.caller, o.callee, o.path, o.line, "sync", "http",
                             f"observed in {', '.join(o.observed.sources)}; static analysis missed this call",
                             "", o.observed.calls, views.observed_text(o.observed)])
    headers = BOUNDARIES_HEADERS if plan.runtime is None else (*BOUNDARIES_HEADERS, *RUNTIME_BOUNDARY_HEADERS)
    ws = data_sheet(workbook, "Boundaries", headers, rows)
    last = len(rows) + 1
    style_col = BOUNDARIES_HEADERS.index("style") + 1
    _colour_values(ws, style_col, last, {"sync": AMBER_FILL, "async": GREEN_FILL})


def _runtime_sheet(workbook: Workbook, plan: Plan) -> None:
    """Only with runtime files: the figures, the files, and the hot synchronous paths with their remedy."""
    if plan.runtime is None:
        return
    rows: list[list[str | int | float]] = [[label, value, "", "", "", "", ""]
                                           for label, value in views.runtime_figures(plan)]
    rows += [[f"runtime file {s.path}", s.format, s.records, s.matched, s.unmatched, "; ".join(s.notes), ""]
             for s in views.runtime_sources(plan)]
    rows += [[f"hot path {b.source} → {b.target}", h.caller, h.callee, h.per_request, h.remedy, h.detail,
              ", ".join(f"{e.path}:{e.line}" for e in h.evidence)]
             for b, h in views.hot_paths(plan)]
    data_sheet(workbook, "Runtime", RUNTIME_HEADERS, rows, freeze="A2")


def _data_sheet(workbook: Workbook, plan: Plan) -> None:
    uses = views.table_uses(plan)
    rows = [[u.table, u.owner, ", ".join(u.others), "yes" if u.conflict else "no"] for u in uses]
    ws = data_sheet(workbook, "Data", DATA_HEADERS, rows, freeze="A2")
    _colour_values(ws, DATA_HEADERS.index("conflict") + 1, len(rows) + 1, {"yes": RED_FILL})


def _entry_points_sheet(workbook: Workbook, plan: Plan) -> None:
    rows = [
        [s.name, e.kind, e.detail, e.path, e.line, views.trigger_of(s, e.kind)]
        for s in views.services_in_order(plan)
        for e in sorted(s.entry_points, key=lambda e: (e.path, e.line, e.kind, e.detail))
    ]
    data_sheet(workbook, "Entry points", ENTRY_HEADERS, rows)


def _evidence_sheet(workbook: Workbook, plan: Plan) -> None:
    """Why each compute target was chosen, one row per reason, with file:line evidence."""
    rows = [
        [s.name, s.target.compute, s.target.confidence, r.rule, r.detail,
         ", ".join(f"{e.path}:{e.line}" for e in sorted(r.evidence, key=lambda e: (e.path, e.line)))]
        for s in views.services_in_order(plan) if s.target is not None
        for r in s.target.reasons
    ]
    ws = data_sheet(workbook, "Evidence", EVIDENCE_HEADERS, rows)
    for row in range(2, len(rows) + 2):
        ws.cell(row=row, column=3).number_format = "0%"


def _lists_sheet(workbook: Workbook, plan: Plan) -> None:
    """Hidden source of the Modules drop-down."""
    ws = workbook.create_sheet(LISTS_SHEET)
    for row, service in enumerate(views.services_in_order(plan), start=1):
        put(ws, row, 1, service.name)
    ws.sheet_state = "hidden"
