"""Reporting jobs: the nightly sales pack and ad-hoc exports."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task

from shop.celery_app import celery
from shop.db import SessionLocal, get_session
from shop.services import report_service
from shop.services.export_jobs import DATASETS, ExportJobRunner, ExportTimeout
from shop.utils.timeutil import utcnow

log = logging.getLogger(__name__)


@celery.task(name="reports.nightly_sales_report", ignore_result=True, time_limit=4 * 3600)
def nightly_sales_report() -> int:
    """Rebuild yesterday's and month-to-date sales packs."""
    yesterday = utcnow().date() - timedelta(days=1)
    try:
        daily = report_service.build_sales_report(yesterday, yesterday)
        month = report_service.build_sales_report(yesterday.replace(day=1), yesterday)
    finally:
        SessionLocal.remove()
    log.info("nightly sales: %s rows (day), %s rows (month)", daily.row_count, month.row_count)
    return int(month.id)


@shared_task(name="reports.run_export", ignore_result=True, time_limit=6 * 3600)
def run_export(job_id: int) -> None:
    try:
        ExportJobRunner(get_session()).run(job_id)
    finally:
        SessionLocal.remove()


@celery.task(name="reports.month_end_pack", time_limit=8 * 3600)
def month_end_pack(requested_by: int) -> dict[str, str]:
    """Kick off every export and wait for all of them (finance's month-end bundle)."""
    runner = ExportJobRunner(get_session())
    outputs: dict[str, str] = {}
    try:
        jobs = [runner.request_export(requested_by, dataset, "parquet") for dataset in DATASETS]
        for job in jobs:
            run_export.delay(job.id)
        for job in jobs:
            try:
                finished = runner.wait_for(job.id, timeout_seconds=6 * 3600)
            except ExportTimeout:
                log.error("month-end export %s timed out", job.id)
                outputs[job.dataset] = "timeout"
                continue
            outputs[job.dataset] = finished.output_path or finished.status
    finally:
        SessionLocal.remove()
    return outputs
