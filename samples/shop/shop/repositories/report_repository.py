"""Reporting queries.

Most of these read the reporting tables.  The sales extracts, however, go
straight at the order and payment tables with hand-written SQL because the
ORM round-trip was too slow for a year of orders.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import text

from shop.models.report import ExportJob, ReportRun, SalesCounter
from shop.repositories.base import BaseRepository

SALES_LINES_SQL = text(
    """
    SELECT o.id            AS order_id,
           o.number        AS order_number,
           o.placed_at     AS placed_at,
           o.currency      AS currency,
           o.status        AS status,
           l.product_id    AS product_id,
           l.sku           AS sku,
           l.quantity      AS quantity,
           l.unit_price_cents AS unit_price_cents,
           o.discount_cents AS order_discount_cents
      FROM orders o
      JOIN order_lines l ON l.order_id = o.id
     WHERE o.placed_at >= :start
       AND o.placed_at <  :end
       AND o.status <> 'cancelled'
  ORDER BY o.placed_at, o.id, l.position
    """
)

REVENUE_BY_DAY_SQL = text(
    """
    SELECT CAST(p.captured_at AS DATE) AS day,
           p.currency                  AS currency,
           COUNT(DISTINCT o.id)        AS orders,
           SUM(p.captured_cents)       AS captured_cents,
           SUM(p.refunded_cents)       AS refunded_cents
      FROM payments p
      JOIN orders o ON o.id = p.order_id
     WHERE p.captured_at >= :start
       AND p.captured_at <  :end
  GROUP BY CAST(p.captured_at AS DATE), p.currency
  ORDER BY day
    """
)


class ReportRepository(BaseRepository[ReportRun]):
    model = ReportRun

    def iter_sales_lines(self, start: datetime, end: datetime, batch_size: int = 5000) -> Iterator[dict[str, Any]]:
        """Stream every non-cancelled order line placed in ``[start, end)``."""
        result = self.session.execute(
            SALES_LINES_SQL.execution_options(stream_results=True, max_row_buffer=batch_size),
            {"start": start, "end": end},
        )
        for partition in result.mappings().partitions(batch_size):
            for row in partition:
                yield dict(row)

    def revenue_by_day(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        rows = self.session.execute(REVENUE_BY_DAY_SQL, {"start": start, "end": end}).mappings().all()
        return [dict(row) for row in rows]

    def latest_run(self, kind: str) -> ReportRun | None:
        return (
            self.session.query(ReportRun)
            .filter(ReportRun.kind == kind, ReportRun.status == "done")
            .order_by(ReportRun.finished_at.desc())
            .first()
        )

    def counter(self, day: date, currency: str) -> SalesCounter:
        counter = (
            self.session.query(SalesCounter)
            .filter(SalesCounter.day == day, SalesCounter.currency == currency)
            .with_for_update()
            .one_or_none()
        )
        if counter is None:
            counter = SalesCounter(day=day, currency=currency, orders=0, gross_cents=0)
            self.session.add(counter)
        return counter

    def counters_between(self, start: date, end: date) -> list[SalesCounter]:
        return (
            self.session.query(SalesCounter)
            .filter(SalesCounter.day >= start, SalesCounter.day <= end)
            .order_by(SalesCounter.day)
            .all()
        )


class ExportJobRepository(BaseRepository[ExportJob]):
    model = ExportJob

    def refresh(self, job: ExportJob) -> ExportJob:
        self.session.refresh(job)
        return job

    def queued(self) -> list[ExportJob]:
        return self.session.query(ExportJob).filter(ExportJob.status == "queued").order_by(ExportJob.id).all()
