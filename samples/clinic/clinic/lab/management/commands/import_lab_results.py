"""Import results from the reference lab (cron every night, or ``--watch`` as a daemon).

For every transmitted order the reference lab is polled for results. Finished reports
arrive as PDFs, whose text layer is extracted with ``pdftotext`` and stored with the
result. The reference lab's API is slow and rate-limited, so a full sweep over the open
orders routinely takes hours; with ``--watch`` the sweep repeats forever.
"""
from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clinic.lab.models import LabOrder, LabResult
from clinic.lab.services import classify, extract_pdf_report

logger = logging.getLogger(__name__)

RATE_LIMIT_PAUSE_SECONDS = 1.5
MAX_POLL_ATTEMPTS = 6
WATCH_INTERVAL_SECONDS = 15 * 60
STALE_AFTER = dt.timedelta(days=21)


class Command(BaseCommand):
    help = "Poll the reference lab for results of every transmitted order and store them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--watch", action="store_true", help="Run forever, sweeping every 15 minutes")
        parser.add_argument("--since-days", type=int, default=21)

    def handle(self, *args, **options) -> None:
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {settings.REFERENCE_LAB_API_KEY}"
        while True:
            started = time.monotonic()
            stats = self._sweep(options["since_days"])
            logger.info("Lab import sweep: %(stored)d stored, %(pending)d pending, %(failed)d failed", stats)
            self.stdout.write(f"Sweep finished in {time.monotonic() - started:.0f}s: {stats}")
            if not options["watch"]:
                break
            time.sleep(WATCH_INTERVAL_SECONDS)

    def _sweep(self, since_days: int) -> dict[str, int]:
        stats = {"stored": 0, "pending": 0, "failed": 0, "stale": 0}
        cutoff = timezone.now() - dt.timedelta(days=since_days)
        orders = (
            LabOrder.objects.filter(status__in=[LabOrder.Status.TRANSMITTED, LabOrder.Status.IN_PROGRESS],
                                    transmitted_at__gte=cutoff)
            .select_related("test")
            .order_by("transmitted_at")
        )
        for order in orders.iterator(chunk_size=200):
            payload = self._poll(order.accession_number)
            time.sleep(RATE_LIMIT_PAUSE_SECONDS)
            if payload is None:
                stats["failed"] += 1
                continue
            if payload.get("status") in {"received", "in_process"}:
                if order.transmitted_at and timezone.now() - order.transmitted_at > STALE_AFTER:
                    stats["stale"] += 1
                    logger.warning("Order %s pending for over %s days", order.pk, STALE_AFTER.days)
                if order.status != LabOrder.Status.IN_PROGRESS:
                    order.status = LabOrder.Status.IN_PROGRESS
                    order.save(update_fields=["status", "updated_at"])
                stats["pending"] += 1
                continue
            try:
                self._store_result(order, payload)
            except Exception:
                logger.exception("Could not store result for order %s", order.pk)
                stats["failed"] += 1
            else:
                stats["stored"] += 1
        return stats

    def _poll(self, accession: str) -> dict[str, Any] | None:
        url = f"{settings.REFERENCE_LAB_URL}/results/{accession}"
        for attempt in range(1, MAX_POLL_ATTEMPTS + 1):
            try:
                response = self.session.get(url, timeout=30)
            except requests.RequestException as exc:
                logger.info("Poll %s failed (attempt %d): %s", accession, attempt, exc)
            else:
                if response.status_code == 200:
                    return response.json()
                if response.status_code == 429:
                    retry_after = int(response.headers.get("Retry-After", "30"))
                    time.sleep(retry_after)
                    continue
                if response.status_code == 404:
                    return None
            time.sleep(min(2 ** attempt, 120))
        return None

    def _download_report_text(self, report_url: str) -> str:
        with tempfile.TemporaryDirectory(prefix="labreport-") as tmp:
            pdf_path = Path(tmp) / "report.pdf"
            with self.session.get(report_url, stream=True, timeout=120) as response:
                response.raise_for_status()
                with pdf_path.open("wb") as handle:
                    for chunk in response.iter_content(chunk_size=1 << 16):
                        handle.write(chunk)
            return extract_pdf_report(pdf_path)

    @transaction.atomic
    def _store_result(self, order: LabOrder, payload: dict[str, Any]) -> None:
        report_text = ""
        if payload.get("report_url"):
            report_text = self._download_report_text(payload["report_url"])
        status = LabResult.Status.FINAL if payload.get("final") else LabResult.Status.PRELIMINARY
        existing = LabResult.objects.filter(order=order).order_by("-resulted_at").first()
        if existing is not None and existing.value == payload["value"] and existing.status == status:
            return
        if existing is not None and existing.status == LabResult.Status.FINAL:
            existing.value = payload["value"]
            existing.flag = classify(order.test, payload["value"])
            existing.status = LabResult.Status.AMENDED
            existing.amendment_reason = payload.get("amendment_reason", "Corrected by reference lab")[:200]
            existing.report_text = report_text or existing.report_text
            existing.save()
        else:
            LabResult.objects.create(
                order=order,
                patient_id=order.patient_id,
                value=payload["value"],
                unit=payload.get("unit", order.test.unit),
                flag=classify(order.test, payload["value"]),
                status=status,
                resulted_at=timezone.now(),
                report_text=report_text,
                source_file=payload.get("report_url", ""),
            )
        if status == LabResult.Status.FINAL:
            order.status = LabOrder.Status.RESULTED
            order.save(update_fields=["status", "updated_at"])
