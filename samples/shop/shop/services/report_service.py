"""Sales reporting: live counters and the nightly sales pack."""

from __future__ import annotations

import logging
import os
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd

from shop.config import get_config
from shop.db import get_session, session_scope
from shop.events import order_placed
from shop.models.report import ReportRun
from shop.repositories.report_repository import ReportRepository
from shop.services import catalog_service
from shop.utils.timeutil import utcnow

if TYPE_CHECKING:
    from shop.models.product import Product

log = logging.getLogger(__name__)

CHUNK_ROWS = 50_000


def on_order_placed(
    sender: object, *, order_id: int, total_cents: int, currency: str, placed_at: datetime | None, **_: Any
) -> None:
    """Bump today's live sales counter for the dashboard."""
    day = (placed_at or utcnow()).date()
    with session_scope() as session:
        counter = ReportRepository(session).counter(day, currency)
        counter.orders += 1
        counter.gross_cents += total_cents
    log.debug("sales counter %s/%s += order %s", day, currency, order_id)


order_placed.connect(on_order_placed)


def _category_label(product: Product) -> str:
    if not product.categories:
        return "uncategorised"
    return " / ".join(product.categories[0].path())


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise ValueError("report period ends before it starts")
    begin = datetime.combine(start, time.min, tzinfo=timezone.utc)
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc)
    return begin, finish


def _load_sales_lines(repo: ReportRepository, start: datetime, end: datetime) -> pd.DataFrame:
    """Stream every order line in the period into one DataFrame, chunk by chunk."""
    frames: list[pd.DataFrame] = []
    chunk: list[dict[str, Any]] = []
    seen = 0
    for row in repo.iter_sales_lines(start, end):
        row["revenue_cents"] = row["quantity"] * row["unit_price_cents"]
        chunk.append(row)
        seen += 1
        if len(chunk) >= CHUNK_ROWS:
            frames.append(pd.DataFrame.from_records(chunk))
            chunk = []
            log.info("loaded %d sales lines so far", seen)
    if chunk:
        frames.append(pd.DataFrame.from_records(chunk))
    if not frames:
        return pd.DataFrame(
            columns=["order_id", "placed_at", "currency", "product_id", "sku", "quantity", "revenue_cents"]
        )
    return pd.concat(frames, ignore_index=True)


def build_sales_report(start: date, end: date) -> ReportRun:
    """Build the sales pack (daily, by category, top products, reconciliation)."""
    session = get_session()
    repo = ReportRepository(session)
    run = repo.add(ReportRun(kind="sales", period_start=start, period_end=end, status="running"))
    session.commit()
    begin, finish = _period(start, end)
    try:
        lines = _load_sales_lines(repo, begin, finish)
        if lines.empty:
            run.status = "done"
            run.row_count = 0
            run.summary = {"orders": 0}
            run.finished_at = utcnow()
            session.commit()
            return run

        products = catalog_service.get_products(lines["product_id"].unique().tolist())
        labels = {product.id: _category_label(product) for product in products}
        titles = {product.id: product.title for product in products}
        lines["category"] = lines["product_id"].map(labels).fillna("unknown")
        lines["title"] = lines["product_id"].map(titles).fillna("(deleted product)")
        lines["day"] = pd.to_datetime(lines["placed_at"], utc=True).dt.date

        daily = (
            lines.groupby(["day", "currency"])
            .agg(orders=("order_id", "nunique"), units=("quantity", "sum"), revenue_cents=("revenue_cents", "sum"))
            .reset_index()
        )
        by_category = lines.pivot_table(
            index="day", columns="category", values="revenue_cents", aggfunc="sum", fill_value=0
        )
        top_products = (
            lines.groupby(["product_id", "sku", "title"])
            .agg(units=("quantity", "sum"), revenue_cents=("revenue_cents", "sum"))
            .nlargest(100, "revenue_cents")
            .reset_index()
        )

        captured = pd.DataFrame(repo.revenue_by_day(begin, finish))
        if not captured.empty:
            reconciliation = daily.merge(captured, on=["day", "currency"], how="outer", suffixes=("", "_psp"))
            reconciliation = reconciliation.fillna(0)
            reconciliation["gap_cents"] = reconciliation["revenue_cents"] - reconciliation["captured_cents"]
        else:
            reconciliation = daily.assign(captured_cents=0, refunded_cents=0, gap_cents=daily["revenue_cents"])

        out_dir = os.path.join(get_config().export_dir, "sales", f"{start:%Y%m%d}-{end:%Y%m%d}")
        os.makedirs(out_dir, exist_ok=True)
        lines.to_parquet(os.path.join(out_dir, "lines.parquet"), index=False)
        daily.to_csv(os.path.join(out_dir, "daily.csv"), index=False)
        by_category.to_csv(os.path.join(out_dir, "by_category.csv"))
        top_products.to_csv(os.path.join(out_dir, "top_products.csv"), index=False)
        reconciliation.to_csv(os.path.join(out_dir, "reconciliation.csv"), index=False)

        large_gaps = reconciliation[reconciliation["gap_cents"].abs() > 10_000]
        run.row_count = int(len(lines))
        run.output_path = out_dir
        run.summary = {
            "orders": int(lines["order_id"].nunique()),
            "units": int(lines["quantity"].sum()),
            "revenue_cents": int(lines["revenue_cents"].sum()),
            "days_with_gaps": int(len(large_gaps)),
        }
        run.status = "done"
    except Exception as exc:
        log.exception("sales report %s failed", run.id)
        run.status = "failed"
        run.summary = {"error": str(exc)[:500]}
        raise
    finally:
        run.finished_at = utcnow()
        session.commit()
    return run


def dashboard(days: int = 30) -> dict[str, Any]:
    """Live figures for the admin dashboard from the sales counters."""
    end = utcnow().date()
    start = end - timedelta(days=days - 1)
    counters = ReportRepository(get_session()).counters_between(start, end)
    series: dict[str, list[dict[str, Any]]] = {}
    for counter in counters:
        series.setdefault(counter.currency, []).append(
            {"day": counter.day.isoformat(), "orders": counter.orders, "gross_cents": int(counter.gross_cents)}
        )
    totals = {
        currency: {"orders": sum(p["orders"] for p in points), "gross_cents": sum(p["gross_cents"] for p in points)}
        for currency, points in series.items()
    }
    return {"from": start.isoformat(), "to": end.isoformat(), "series": series, "totals": totals}


def latest_sales_run() -> ReportRun | None:
    return ReportRepository(get_session()).latest_run("sales")
