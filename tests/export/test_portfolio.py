from __future__ import annotations

import io

from openpyxl import load_workbook

from analyzer.export.portfolio import (
    PORTFOLIO_HEADERS,
    PortfolioRow,
    render_portfolio_markdown,
    render_portfolio_xlsx,
)


def rows(plan):
    return [
        PortfolioRow.failed("broken", "bench/broken", "SourceNotFound: bench/broken does not exist", 0.01),
        PortfolioRow.from_plan("shop", "samples/shop", plan, 2.345, report="shop/report.md"),
        PortfolioRow(name="clinic", path="samples/clinic", status="ok", loc=900, services=4, lambda_count=3,
                     fargate_count=1, async_boundaries=2, sync_boundaries=5, risk="medium", seconds=1.0),
    ]


def test_row_from_plan_counts_services_and_boundaries(plan):
    row = PortfolioRow.from_plan("shop", "samples/shop", plan, 1.5)
    assert (row.loc, row.services, row.lambda_count, row.fargate_count) == (1905, 3, 2, 1)
    assert (row.async_boundaries, row.sync_boundaries, row.risk, row.status) == (4, 2, "high", "ok")


def test_index_markdown_lists_codebases_totals_and_failures(plan):
    md = render_portfolio_markdown(rows(plan))
    assert "3 codebases analyzed: 2 ok, 1 failed; 2805 lines of code, 7 services (5 Lambda, 2 Fargate)." in md
    table = [line for line in md.splitlines() if line.startswith("| ")]
    assert table[2].startswith("| `broken` | failed |")
    assert table[3].startswith("| `clinic` | ok | 900 | 4 | 3 | 1 | 2 | 5 | medium | 1.0 |")
    assert "| [shop](shop/report.md) | ok | 1905 | 3 | 2 | 1 | 4 | 2 | high | 2.3 |" in md
    assert "## Failures" in md
    assert "SourceNotFound: bench/broken does not exist" in md
    assert render_portfolio_markdown(reversed(rows(plan))) == md


def test_portfolio_workbook_has_one_row_per_codebase_and_stable_bytes(plan):
    data = render_portfolio_xlsx(rows(plan))
    assert render_portfolio_xlsx(reversed(rows(plan))) == data
    ws = load_workbook(io.BytesIO(data))["Portfolio"]
    assert [c.value for c in ws[1]] == list(PORTFOLIO_HEADERS)
    body = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in body] == ["broken", "clinic", "shop"]
    assert body[0][2] == "failed" and body[0][-1].startswith("SourceNotFound")
    assert ws.auto_filter.ref == "A1:L4"


def test_libreoffice_opens_the_portfolio(plan, tmp_path, lo_convert):
    path = tmp_path / "portfolio.xlsx"
    path.write_bytes(render_portfolio_xlsx(rows(plan)))
    assert lo_convert(path, tmp_path / "out") is not None
