"""Large data exports written to disk and waited on by polling."""

from __future__ import annotations

import csv
import gzip
import logging
import os
import time
from collections.abc import Iterator
from datetime import date, datetime, time as dtime, timedelta, timezone
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from shop.config import get_config
from shop.models.report import ExportJob
from shop.repositories.base import NotFoundError
from shop.repositories.report_repository import ExportJobRepository, ReportRepository
from shop.utils.timeutil import utcnow
from shop.utils.validation import one_of

log = logging.getLogger(__name__)

DATASETS = ("sales_lines", "daily_revenue")
FORMATS = ("csv", "parquet")
BATCH_ROWS = 20_000


class ExportTimeout(TimeoutError):
    pass


class ExportJobRunner:
    """Creates export jobs, runs them, and lets callers block until one finishes."""

    poll_interval_seconds = 5.0

    def __init__(self, session: Session, export_dir: str | None = None):
        self.session = session
        self.jobs = ExportJobRepository(session)
        self.reports = ReportRepository(session)
        self.export_dir = export_dir or os.path.join(get_config().export_dir, "adhoc")

    def request_export(self, user_id: int, dataset: str, file_format: str = "csv") -> ExportJob:
        job = ExportJob(
            requested_by=user_id,
            dataset=one_of(dataset, "dataset", DATASETS),
            file_format=one_of(file_format, "file_format", FORMATS),
            status="queued",
        )
        self.jobs.add(job)
        self.session.commit()
        return job

    def _rows(self, dataset: str, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        if dataset == "sales_lines":
            yield from self.reports.iter_sales_lines(start, end)
        else:
            yield from self.reports.revenue_by_day(start, end)

    def run(self, job_id: int, days: int = 365) -> ExportJob:
        job = self.jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"export job {job_id} not found")
        job.status = "running"
        self.session.commit()
        end = datetime.combine(date.today(), dtime.min, tzinfo=timezone.utc)
        start = end - timedelta(days=days)
        os.makedirs(self.export_dir, exist_ok=True)
        path = os.path.join(self.export_dir, f"{job.dataset}-{job.id}.{job.file_format}")
        try:
            rows = self._rows(job.dataset, start, end)
            if job.file_format == "csv":
                written = self._write_csv(job, path + ".gz", rows)
                path += ".gz"
            else:
                written = self._write_parquet(job, path, rows)
            job.output_path = path
            job.status = "done"
            job.progress = 100
            log.info("export %s wrote %d rows to %s", job.id, written, path)
        except Exception as exc:
            log.exception("export %s failed", job.id)
            job.status = "failed"
            job.error = str(exc)[:500]
            if os.path.exists(path):
                os.remove(path)
        finally:
            job.finished_at = utcnow()
            self.session.commit()
        return job

    def _write_csv(self, job: ExportJob, path: str, rows: Iterator[dict[str, Any]]) -> int:
        written = 0
        with gzip.open(path, "wt", newline="") as handle:
            writer: csv.DictWriter | None = None
            for row in rows:
                if writer is None:
                    writer = csv.DictWriter(handle, fieldnames=list(row.keys()))
                    writer.writeheader()
                writer.writerow(row)
                written += 1
                if written % BATCH_ROWS == 0:
                    job.progress = min(99, job.progress + 1)
                    self.session.commit()
        return written

    def _write_parquet(self, job: ExportJob, path: str, rows: Iterator[dict[str, Any]]) -> int:
        written = 0
        writer: pq.ParquetWriter | None = None
        batch: list[dict[str, Any]] = []
        try:
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH_ROWS:
                    table = pa.Table.from_pandas(pd.DataFrame.from_records(batch), preserve_index=False)
                    writer = writer or pq.ParquetWriter(path, table.schema, compression="zstd")
                    writer.write_table(table)
                    written += len(batch)
                    batch = []
                    job.progress = min(99, job.progress + 1)
                    self.session.commit()
            if batch:
                table = pa.Table.from_pandas(pd.DataFrame.from_records(batch), preserve_index=False)
                writer = writer or pq.ParquetWriter(path, table.schema, compression="zstd")
                writer.write_table(table)
                written += len(batch)
        finally:
            if writer is not None:
                writer.close()
        return written

    def wait_for(self, job_id: int, timeout_seconds: float = 3600) -> ExportJob:
        """Block until the job finishes, re-reading its row every few seconds."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            job = self.jobs.get(job_id)
            if job is None:
                raise NotFoundError(f"export job {job_id} not found")
            self.jobs.refresh(job)
            if job.status in ("done", "failed"):
                return job
            if time.monotonic() > deadline:
                raise ExportTimeout(f"export {job_id} still {job.status} after {timeout_seconds}s")
            log.debug("export %s at %d%%; sleeping", job_id, job.progress)
            time.sleep(self.poll_interval_seconds)
