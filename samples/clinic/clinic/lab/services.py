"""Lab orders and results.

Results are always written as LabResult rows; records and notifications observe those
saves through ``post_save`` rather than being called from here.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinic.core.exceptions import Conflict, NotFound, ValidationFailed
from clinic.patients.services import get_patient_summary

from .models import Instrument, InstrumentRun, LabOrder, LabResult, LabTest
from .parsers import AnalyzerRow, ParseError, iter_rows

logger = logging.getLogger(__name__)

PDFTOTEXT_TIMEOUT_SECONDS = 300
RUN_COMMIT_EVERY = 1000


@transaction.atomic
def order_lab_test(patient_id: int, provider_id: int, loinc_code: str, *, appointment_id: int | None = None,
                   priority: str = LabOrder.Priority.ROUTINE) -> LabOrder:
    """Place an order; send-outs are transmitted to the reference lab by a worker."""
    summary = get_patient_summary(patient_id)
    if not summary["is_active"]:
        raise ValidationFailed("Cannot order tests for an inactive patient", details={"mrn": summary["mrn"]})
    test = LabTest.objects.filter(loinc_code=loinc_code).first()
    if test is None:
        raise ValidationFailed("Unknown lab test", details={"loinc": loinc_code})
    order = LabOrder.objects.create(patient_id=patient_id, ordering_provider_id=provider_id, test=test,
                                    appointment_id=appointment_id, priority=priority)
    if not test.performed_in_house:
        from .tasks import transmit_order

        transaction.on_commit(lambda: transmit_order.delay(order.pk))
    logger.info("Ordered %s for patient %s (order %s, %s)", test.name, summary["mrn"], order.pk, priority)
    return order


def classify(test: LabTest, value: str) -> str:
    """Flag a numeric value against the test's reference and critical ranges."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError):
        return LabResult.Flag.NORMAL
    if test.critical_low is not None and number <= test.critical_low:
        return LabResult.Flag.CRITICAL
    if test.critical_high is not None and number >= test.critical_high:
        return LabResult.Flag.CRITICAL
    if test.reference_low is not None and number < test.reference_low:
        return LabResult.Flag.LOW
    if test.reference_high is not None and number > test.reference_high:
        return LabResult.Flag.HIGH
    return LabResult.Flag.NORMAL


def record_result(order: LabOrder, value: str, *, unit: str = "", status: str = LabResult.Status.FINAL,
                  report_text: str = "", source_file: str = "") -> LabResult:
    """Store one result for an order and close the order when final."""
    if order.status == LabOrder.Status.CANCELLED:
        raise Conflict(f"Order {order.pk} was cancelled")
    result = LabResult.objects.create(
        order=order,
        patient_id=order.patient_id,
        value=value,
        unit=unit or order.test.unit,
        flag=classify(order.test, value),
        status=status,
        resulted_at=timezone.now(),
        report_text=report_text,
        source_file=source_file,
    )
    if status == LabResult.Status.FINAL and order.status != LabOrder.Status.RESULTED:
        order.status = LabOrder.Status.RESULTED
        order.save(update_fields=["status", "updated_at"])
    if result.flag == LabResult.Flag.CRITICAL:
        logger.warning("CRITICAL result %s for order %s: %s %s", result.pk, order.pk, value, result.unit)
    return result


@transaction.atomic
def amend_result(result_id: int, value: str, reason: str) -> LabResult:
    result = LabResult.objects.select_related("order__test").filter(pk=result_id).first()
    if result is None:
        raise NotFound(f"Lab result {result_id} does not exist")
    if not reason.strip():
        raise ValidationFailed("An amendment reason is required")
    result.value = value
    result.flag = classify(result.order.test, value)
    result.status = LabResult.Status.AMENDED
    result.amendment_reason = reason[:200]
    result.save()
    logger.info("Amended lab result %s: %s", result_id, reason)
    return result


def latest_results_for(patient_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """Most recent result per test, for the chart."""
    seen: set[int] = set()
    latest: list[dict[str, Any]] = []
    results = (
        LabResult.objects.filter(patient_id=patient_id)
        .exclude(status=LabResult.Status.PRELIMINARY)
        .select_related("order__test")
        .order_by("-resulted_at")
    )
    for result in results.iterator(chunk_size=200):
        if result.order.test_id in seen:
            continue
        seen.add(result.order.test_id)
        latest.append({"test": result.order.test.name, "value": result.value, "unit": result.unit,
                       "flag": result.flag, "resulted_at": result.resulted_at.isoformat()})
        if len(latest) >= limit:
            break
    return latest


def extract_pdf_report(pdf_path: Path) -> str:
    """Extract the text layer of a reference-lab PDF report with poppler's pdftotext."""
    if shutil.which("pdftotext") is None:
        raise RuntimeError("pdftotext (poppler-utils) is not installed")
    try:
        completed = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf_path), "-"],
            capture_output=True,
            check=True,
            timeout=PDFTOTEXT_TIMEOUT_SECONDS,
        )
    except subprocess.CalledProcessError as exc:
        logger.error("pdftotext failed on %s: %s", pdf_path, exc.stderr.decode(errors="replace")[:500])
        raise
    return completed.stdout.decode("utf-8", errors="replace")


def _apply_row(row: AnalyzerRow, source: str) -> None:
    order = (
        LabOrder.objects.select_related("test")
        .filter(accession_number=row.accession_number, test__loinc_code=row.loinc_code)
        .exclude(status=LabOrder.Status.CANCELLED)
        .first()
    )
    if order is None:
        raise ParseError(row.line_number, f"no open order for {row.accession_number}/{row.loinc_code}")
    record_result(order, row.value, unit=row.unit, source_file=source)


def parse_instrument_file(instrument_id: int, path: Path) -> InstrumentRun:
    """Stream an analyzer file into results, then archive it. Files can be very large."""
    instrument = Instrument.objects.get(pk=instrument_id)
    run = InstrumentRun.objects.create(instrument=instrument, file_path=str(path), started_at=timezone.now())
    errors: list[str] = []
    for item in iter_rows(path, instrument.file_format):
        if isinstance(item, ParseError):
            run.rows_failed += 1
            errors.append(str(item))
            continue
        try:
            _apply_row(item, path.name)
        except ParseError as exc:
            run.rows_failed += 1
            errors.append(str(exc))
        else:
            run.rows_processed += 1
        if (run.rows_processed + run.rows_failed) % RUN_COMMIT_EVERY == 0:
            run.save(update_fields=["rows_processed", "rows_failed", "updated_at"])
            logger.info("%s: %d rows processed, %d failed", path.name, run.rows_processed, run.rows_failed)
    run.finished_at = timezone.now()
    run.error_log = "\n".join(errors[:5000])
    run.save()
    archive = Path(settings.LAB_ARCHIVE_DIR) / f"{run.started_at:%Y/%m/%d}"
    archive.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), archive / path.name)
    return run
