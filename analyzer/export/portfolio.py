"""Batch (portfolio) outputs: one row per analyzed codebase, for reports/index.md and portfolio.xlsx."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl.formatting.rule import CellIsRule
from openpyxl.utils import get_column_letter

from analyzer.export import views
from analyzer.export._document import Block, Code, Heading, Link, Para, Table, text, to_markdown
from analyzer.export._workbook import (
    AMBER_FILL,
    GREEN_FILL,
    RED_FILL,
    data_sheet,
    new_workbook,
    workbook_bytes,
)
from analyzer.model import Plan

PORTFOLIO_HEADERS = ("name", "path", "status", "loc", "services", "lambda", "fargate",
                     "async boundaries", "sync boundaries", "risk", "seconds", "error")


@dataclass(frozen=True)
class PortfolioRow:
    name: str
    path: str
    status: str  # "ok" | "failed"
    error: str = ""
    loc: int = 0
    services: int = 0
    lambda_count: int = 0
    fargate_count: int = 0
    async_boundaries: int = 0
    sync_boundaries: int = 0
    risk: str = ""  # highest service risk
    seconds: float = 0.0
    report: str = ""  # the codebase's report.md, relative to the portfolio index (linked when set)
    notes: tuple[str, ...] = ()  # the plan's remarks (a service count that could not be reached, ...)

    @classmethod
    def from_plan(cls, name: str, path: str, plan: Plan, seconds: float, report: str = "") -> PortfolioRow:
        c = views.counts(plan)
        return cls(name=name, path=path, status="ok", loc=c.loc, services=c.services,
                   lambda_count=c.lambda_services, fargate_count=c.fargate_services,
                   async_boundaries=c.async_boundaries, sync_boundaries=c.sync_boundaries,
                   risk=views.highest_risk(plan), seconds=seconds, report=report, notes=plan.notes)

    @classmethod
    def failed(cls, name: str, path: str, error: str, seconds: float) -> PortfolioRow:
        return cls(name=name, path=path, status="failed", error=error, seconds=seconds)


def _ordered(rows: Iterable[PortfolioRow]) -> list[PortfolioRow]:
    return sorted(rows, key=lambda r: (r.name, r.path))


def _cells(row: PortfolioRow) -> list[object]:
    return [row.name, row.path, row.status, row.loc, row.services, row.lambda_count, row.fargate_count,
            row.async_boundaries, row.sync_boundaries, row.risk, round(row.seconds, 1), row.error]


def render_portfolio_markdown(rows: Iterable[PortfolioRow]) -> str:
    """reports/index.md: a table of every codebase, totals, and links to each report."""
    ordered = _ordered(rows)
    ok = [r for r in ordered if r.status == "ok"]
    blocks: list[Block] = [
        Heading(1, "Portfolio"),
        Para(text(f"{len(ordered)} codebases analyzed: {len(ok)} ok, {len(ordered) - len(ok)} failed; "
                  f"{sum(r.loc for r in ok)} lines of code, {sum(r.services for r in ok)} services "
                  f"({sum(r.lambda_count for r in ok)} Lambda, {sum(r.fargate_count for r in ok)} Fargate).")),
        Table(("codebase", "status", "LOC", "services", "Lambda", "Fargate", "async", "sync", "risk", "seconds"),
              tuple((text(Link(r.name, r.report) if r.report else Code(r.name)), text(r.status), text(str(r.loc)), text(str(r.services)),
                     text(str(r.lambda_count)), text(str(r.fargate_count)), text(str(r.async_boundaries)),
                     text(str(r.sync_boundaries)), text(r.risk), text(f"{r.seconds:.1f}"))
                    for r in ordered),
              numeric=(2, 3, 4, 5, 6, 7, 9)),
    ]
    failed = [r for r in ordered if r.status != "ok"]
    if failed:
        blocks.append(Heading(2, "Failures"))
        blocks.append(Table(("codebase", "path", "error"),
                            tuple((text(Code(r.name)), text(Code(r.path)), text(r.error)) for r in failed)))
    return to_markdown(blocks)


def render_portfolio_xlsx(rows: Iterable[PortfolioRow]) -> bytes:
    """portfolio.xlsx: the same table, filterable, risk and status coloured; stable bytes."""
    ordered = _ordered(rows)
    workbook = new_workbook("Strangler portfolio")
    ws = data_sheet(workbook, "Portfolio", PORTFOLIO_HEADERS, [_cells(r) for r in ordered])
    last = len(ordered) + 1
    if ordered:
        for header, fills in (("risk", {"high": RED_FILL, "medium": AMBER_FILL, "low": GREEN_FILL}),
                              ("status", {"failed": RED_FILL, "ok": GREEN_FILL})):
            letter = get_column_letter(PORTFOLIO_HEADERS.index(header) + 1)
            for value, fill in fills.items():
                ws.conditional_formatting.add(f"{letter}2:{letter}{last}",
                                              CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill))
    return workbook_bytes(workbook)
