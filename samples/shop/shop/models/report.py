"""Reporting: report runs, export jobs and live sales counters."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Date, DateTime, Integer, String, UniqueConstraint, func

from shop.db import Base


class ReportRun(Base):
    __tablename__ = "report_runs"

    id = Column(Integer, primary_key=True)
    kind = Column(String(40), nullable=False)
    period_start = Column(Date, nullable=False)
    period_end = Column(Date, nullable=False)
    status = Column(String(12), nullable=False, default="running")
    row_count = Column(Integer)
    output_path = Column(String(500))
    summary = Column(JSON)
    started_at = Column(DateTime(timezone=True), server_default=func.now())
    finished_at = Column(DateTime(timezone=True))


class ExportJob(Base):
    __tablename__ = "export_jobs"

    id = Column(Integer, primary_key=True)
    requested_by = Column(Integer, nullable=False)
    dataset = Column(String(40), nullable=False)
    file_format = Column(String(8), nullable=False, default="csv")
    status = Column(String(12), nullable=False, default="queued", index=True)
    progress = Column(Integer, nullable=False, default=0)
    output_path = Column(String(500))
    error = Column(String(500))
    created_at = Column(DateTime(timezone=True), server_default=func.now())
    finished_at = Column(DateTime(timezone=True))


class SalesCounter(Base):
    __tablename__ = "sales_counters"
    __table_args__ = (UniqueConstraint("day", "currency", name="uq_sales_day_currency"),)

    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False)
    currency = Column(String(3), nullable=False)
    orders = Column(Integer, nullable=False, default=0)
    gross_cents = Column(BigInteger, nullable=False, default=0)
