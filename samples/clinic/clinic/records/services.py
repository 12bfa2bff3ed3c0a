"""The chart aggregates data owned by other apps through their service functions."""
from __future__ import annotations

import logging
from typing import Any, Iterable

from django.db import transaction
from django.utils import timezone

from clinic.appointments.services import visit_history
from clinic.core.exceptions import Conflict, NotFound
from clinic.lab.services import latest_results_for
from clinic.patients.services import get_allergies
from clinic.pharmacy.services import active_medications

from .models import AccessLog, Chart, ChartDocument, VisitNote

logger = logging.getLogger(__name__)

MAX_PROBLEMS = 50


def get_or_create_chart(patient_id: int) -> Chart:
    chart, created = Chart.objects.get_or_create(patient_id=patient_id)
    if created:
        logger.info("Opened chart for patient %s", patient_id)
    return chart


def build_chart(patient_id: int) -> dict[str, Any]:
    """Everything a clinician sees when opening a chart."""
    chart = get_or_create_chart(patient_id)
    notes = chart.notes.order_by("-created_at")[:10]
    documents = chart.documents.order_by("-created_at")[:20]
    visits = visit_history(patient_id)
    medications = active_medications(patient_id)
    labs = latest_results_for(patient_id)
    allergies = get_allergies(patient_id)
    return {
        "patient_id": patient_id,
        "problem_list": chart.problem_list,
        "allergies": allergies,
        "medications": medications,
        "recent_labs": labs,
        "visits": visits,
        "notes": [
            {"id": n.pk, "appointment_id": n.appointment_id, "diagnoses": n.diagnosis_codes,
             "signed": n.signed_at is not None, "excerpt": n.body[:280]}
            for n in notes
        ],
        "documents": [{"id": d.pk, "kind": d.kind, "title": d.title, "created_at": d.created_at}
                      for d in documents],
    }


def log_access(user_id: int | None, patient_id: int, action: str) -> None:
    """Append to the HIPAA access log; never raises into the caller."""
    try:
        AccessLog.objects.create(user_id=user_id, patient_id=patient_id, action=action[:40])
    except Exception:
        logger.exception("Failed to write access log for patient %s (%s)", patient_id, action)


@transaction.atomic
def add_visit_note(patient_id: int, appointment_id: int, author_id: int | None, body: str,
                   diagnosis_codes: Iterable[str]) -> VisitNote:
    chart = get_or_create_chart(patient_id)
    codes = sorted(set(diagnosis_codes))
    note, created = VisitNote.objects.get_or_create(
        appointment_id=appointment_id,
        defaults={"chart": chart, "author_id": author_id, "body": body, "diagnosis_codes": codes},
    )
    if not created:
        logger.info("Visit note for appointment %s already exists", appointment_id)
        return note
    problems = list(chart.problem_list)
    for code in codes:
        if code not in problems:
            problems.append(code)
    chart.problem_list = problems[-MAX_PROBLEMS:]
    chart.last_visit_at = timezone.now()
    chart.save(update_fields=["problem_list", "last_visit_at", "updated_at"])
    return note


def sign_note(note_id: int, provider_id: int) -> VisitNote:
    note = VisitNote.objects.filter(pk=note_id).first()
    if note is None:
        raise NotFound(f"Visit note {note_id} does not exist")
    if note.signed_at is not None:
        raise Conflict("Note is already signed")
    if note.author_id not in (None, provider_id):
        raise Conflict("Only the authoring provider can sign this note")
    note.author_id = provider_id
    note.signed_at = timezone.now()
    note.save(update_fields=["author", "signed_at", "updated_at"])
    return note


def attach_lab_document(patient_id: int, lab_result_id: int, title: str, body: str) -> ChartDocument:
    chart = get_or_create_chart(patient_id)
    document, _ = ChartDocument.objects.update_or_create(
        chart=chart, lab_result_id=lab_result_id,
        defaults={"kind": ChartDocument.Kind.LAB_REPORT, "title": title[:200], "body": body},
    )
    return document
