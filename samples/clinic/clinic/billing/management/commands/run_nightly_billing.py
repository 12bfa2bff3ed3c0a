"""Nightly billing run (cron, 01:00).

1. Invoice every completed appointment that was not invoiced at completion time.
2. Flag those appointments as billed.
3. Build the A/R aging report straight from SQL and write the full export files.
4. Upload the 837 batch file to the clearinghouse and poll until it is accepted.
5. Email finance a summary.

On a busy month this touches tens of thousands of rows and runs for well over an hour.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import logging
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from clinic.appointments.models import Appointment
from clinic.billing.models import Invoice
from clinic.billing.services import InvoiceService
from clinic.core.exceptions import ClinicError
from clinic.core.utils import chunked
from clinic.notifications.services import send_email

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
POLL_INTERVAL_SECONDS = 60
POLL_TIMEOUT_SECONDS = 3 * 60 * 60
MAX_INVOICE_ATTEMPTS = 3

AGING_SQL = """
    SELECT i.id, i.number, p.mrn, p.last_name, p.first_name, a.starts_at,
           i.due_on, i.patient_portion - i.amount_paid AS balance,
           CASE
               WHEN i.due_on >= %(as_of)s THEN 'current'
               WHEN i.due_on >= %(as_of)s - INTERVAL '30 days' THEN '1-30'
               WHEN i.due_on >= %(as_of)s - INTERVAL '60 days' THEN '31-60'
               WHEN i.due_on >= %(as_of)s - INTERVAL '90 days' THEN '61-90'
               ELSE '90+'
           END AS bucket
      FROM billing_invoice i
      JOIN patients_patient p ON p.id = i.patient_id
 LEFT JOIN appointments_appointment a ON a.id = i.appointment_id
     WHERE i.status = 'open'
       AND i.patient_portion > i.amount_paid
  ORDER BY i.due_on
"""


class Command(BaseCommand):
    help = "Invoice unbilled visits, write A/R exports and submit the claims batch."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", help="Run date (ISO); defaults to today")
        parser.add_argument("--skip-upload", action="store_true", help="Do not send the batch to the clearinghouse")
        parser.add_argument("--export-dir", default=str(settings.BILLING_EXPORT_DIR))

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
        export_dir = Path(options["export_dir"]) / as_of.isoformat()
        export_dir.mkdir(parents=True, exist_ok=True)

        stats = self._invoice_backlog(as_of)
        aging_path, buckets = self._write_aging_report(as_of, export_dir)
        batch_path = self._write_claims_batch(as_of, export_dir)
        batch_status = "skipped"
        if not options["skip_upload"] and batch_path is not None:
            batch_status = self._upload_and_wait(batch_path)

        elapsed = dt.timedelta(seconds=int(time.monotonic() - started))
        self._email_summary(as_of, stats, buckets, batch_status, elapsed, aging_path)
        self.stdout.write(self.style.SUCCESS(
            f"Nightly billing for {as_of}: {stats['invoiced']} invoiced, {stats['failed']} failed, "
            f"batch {batch_status}, took {elapsed}"
        ))

    # -- step 1 & 2 ------------------------------------------------------------------
    def _invoice_backlog(self, as_of: dt.date) -> Counter:
        stats: Counter = Counter()
        service = InvoiceService()
        backlog = (
            Appointment.objects.filter(
                status=Appointment.Status.COMPLETED,
                billing_status=Appointment.BillingStatus.UNBILLED,
                completed_at__date__lte=as_of,
            )
            .select_related("patient", "appointment_type")
            .order_by("completed_at")
        )
        total = backlog.count()
        logger.info("Nightly billing: %d unbilled appointment(s)", total)
        for batch in chunked(backlog.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
            billed_ids: list[int] = []
            for appointment in batch:
                codes = [appointment.appointment_type.cpt_code] if appointment.appointment_type.cpt_code else []
                for attempt in range(1, MAX_INVOICE_ATTEMPTS + 1):
                    try:
                        service.create_for_appointment(appointment, codes)
                    except ClinicError as exc:
                        logger.warning("Appointment %s not invoiced: %s", appointment.pk, exc.message)
                        stats["failed"] += 1
                        break
                    except Exception:
                        if attempt == MAX_INVOICE_ATTEMPTS:
                            logger.exception("Giving up on appointment %s", appointment.pk)
                            stats["failed"] += 1
                            break
                        time.sleep(2 ** attempt)
                    else:
                        billed_ids.append(appointment.pk)
                        stats["invoiced"] += 1
                        break
            with transaction.atomic():
                Appointment.objects.filter(pk__in=billed_ids).update(
                    billing_status=Appointment.BillingStatus.BILLED
                )
            self.stdout.write(f"  ... {stats['invoiced'] + stats['failed']}/{total}")
        return stats

    # -- step 3 -------------------------------------------------------------------------
    def _write_aging_report(self, as_of: dt.date, export_dir: Path) -> tuple[Path, dict[str, Decimal]]:
        path = export_dir / f"ar-aging-{as_of:%Y%m%d}.csv.gz"
        buckets: dict[str, Decimal] = {}
        with connection.cursor() as cursor, gzip.open(path, "wt", newline="") as handle:
            cursor.execute(AGING_SQL, {"as_of": as_of})
            writer = csv.writer(handle)
            writer.writerow([col[0] for col in cursor.description])
            while True:
                rows = cursor.fetchmany(5000)
                if not rows:
                    break
                for row in rows:
                    writer.writerow(row)
                    buckets[row[-1]] = buckets.get(row[-1], Decimal("0")) + Decimal(row[7])
        logger.info("Wrote aging report %s", path)
        return path, buckets

    def _write_claims_batch(self, as_of: dt.date, export_dir: Path) -> Path | None:
        invoices = (
            Invoice.objects.filter(status=Invoice.Status.OPEN, insurance_portion__gt=0, issued_on=as_of)
            .select_related("patient")
            .prefetch_related("lines")
        )
        if not invoices.exists():
            return None
        path = export_dir / f"claims-{as_of:%Y%m%d}.837.txt"
        segments = 0
        with path.open("w", encoding="ascii", errors="replace") as handle:
            handle.write(f"ISA*00*RIVERSIDE*{as_of:%y%m%d}~\n")
            for invoice in invoices.iterator(chunk_size=BATCH_SIZE):
                handle.write(f"CLM*{invoice.number}*{invoice.subtotal}~\n")
                handle.write(f"NM1*QC*1*{invoice.patient.last_name}*{invoice.patient.first_name}~\n")
                segments += 2
                for line in invoice.lines.all():
                    handle.write(f"SV1*HC:{line.code}*{line.total}*UN*{line.quantity}~\n")
                    segments += 1
            handle.write(f"SE*{segments}~\nIEA*1~\n")
        logger.info("Wrote claims batch %s (%d segments)", path, segments)
        return path

    # -- step 4 -------------------------------------------------------------------------
    def _upload_and_wait(self, batch_path: Path) -> str:
        headers = {"Authorization": f"Bearer {settings.CLEARINGHOUSE_API_KEY}"}
        with batch_path.open("rb") as handle:
            response = requests.post(f"{settings.CLEARINGHOUSE_URL}/batches", files={"file": handle},
                                     headers=headers, timeout=300)
        if response.status_code >= 400:
            raise CommandError(f"Clearinghouse rejected upload: HTTP {response.status_code}")
        batch_id = response.json()["batch_id"]
        deadline = time.monotonic() + POLL_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL_SECONDS)
            try:
                status = requests.get(f"{settings.CLEARINGHOUSE_URL}/batches/{batch_id}", headers=headers,
                                      timeout=30).json().get("status", "unknown")
            except (requests.RequestException, ValueError) as exc:
                logger.warning("Polling batch %s failed: %s", batch_id, exc)
                continue
            if status in {"accepted", "rejected", "partially_accepted"}:
                logger.info("Clearinghouse batch %s finished: %s", batch_id, status)
                return status
        logger.error("Clearinghouse batch %s still pending after %ss", batch_id, POLL_TIMEOUT_SECONDS)
        return "timeout"

    # -- step 5 -------------------------------------------------------------------------
    def _email_summary(self, as_of: dt.date, stats: Counter, buckets: dict[str, Decimal], batch_status: str,
                       elapsed: dt.timedelta, aging_path: Path) -> None:
        lines: list[Any] = [
            f"Nightly billing run for {as_of}",
            f"Invoices created: {stats['invoiced']}",
            f"Failures: {stats['failed']}",
            f"Claims batch: {batch_status}",
            f"Runtime: {elapsed}",
            "",
            "A/R aging:",
        ]
        for bucket in ("current", "1-30", "31-60", "61-90", "90+"):
            lines.append(f"  {bucket:>8}: ${buckets.get(bucket, Decimal('0')):,.2f}")
        lines.append(f"\nFull report: {aging_path}")
        send_email(settings.FINANCE_EMAIL, f"Nightly billing {as_of}: {stats['invoiced']} invoiced",
                   "\n".join(str(line) for line in lines))
