"""Scheduling endpoints."""
from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from clinic.core.http import handle_clinic_errors, json_response, parse_json_body, require_fields
from clinic.core.permissions import CLINICIAN, FRONT_DESK, RoleRequiredMixin, role_required
from clinic.core.utils import parse_iso_date, parse_iso_datetime
from clinic.staff.services import get_provider_display, open_slots

from . import services
from .models import Appointment

logger = logging.getLogger(__name__)


def _serialize(appt: Appointment) -> dict:
    return {
        "id": appt.pk,
        "patient_id": appt.patient_id,
        "provider_id": appt.provider_id,
        "starts_at": appt.starts_at,
        "ends_at": appt.ends_at,
        "status": appt.status,
        "room": appt.room,
    }


@login_required
@require_GET
@handle_clinic_errors
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    details = services.get_appointment_details(pk)
    details["provider_display"] = get_provider_display(details["provider_id"])
    return json_response(details)


@login_required
@require_GET
def available_slots(request: HttpRequest, provider_id: int) -> HttpResponse:
    day = parse_iso_date(request.GET.get("day")) or timezone.localdate()
    if day < timezone.localdate():
        return json_response({"error": "day is in the past"}, status=422)
    slots = open_slots(provider_id, day, slot_minutes=int(request.GET.get("minutes", 20)))
    return json_response({"provider_id": provider_id, "day": day, "slots": slots})


@login_required
@require_POST
@role_required(FRONT_DESK)
@handle_clinic_errors
def book(request: HttpRequest) -> HttpResponse:
    data = parse_json_body(request)
    require_fields(data, "patient_id", "provider_id", "type", "starts_at")
    starts_at = parse_iso_datetime(data["starts_at"])
    if starts_at is None:
        return json_response({"error": "starts_at must be ISO-8601"}, status=422)
    appt = services.book_appointment(int(data["patient_id"]), int(data["provider_id"]), data["type"], starts_at,
                                     reason=data.get("reason", ""), booked_by=request.user.pk)
    return json_response(_serialize(appt), status=201)


@login_required
@require_POST
@handle_clinic_errors
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    data = parse_json_body(request)
    require_fields(data, "starts_at")
    new_start = parse_iso_datetime(data["starts_at"])
    if new_start is None:
        return json_response({"error": "starts_at must be ISO-8601"}, status=422)
    appt = services.reschedule_appointment(pk, new_start, by_user=request.user.pk)
    return json_response(_serialize(appt))


@login_required
@require_POST
@handle_clinic_errors
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    data = parse_json_body(request)
    appt = services.cancel_appointment(pk, data.get("reason", "Cancelled by clinic"), by_user=request.user.pk)
    return json_response(_serialize(appt))


@login_required
@require_POST
@role_required(FRONT_DESK)
@handle_clinic_errors
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    data = parse_json_body(request)
    appt = services.check_in_patient(pk, room=data.get("room", ""))
    return json_response(_serialize(appt))


@login_required
@require_POST
@role_required(CLINICIAN)
@handle_clinic_errors
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    data = parse_json_body(request)
    appt = services.complete_appointment(
        pk,
        notes=data.get("notes", ""),
        diagnosis_codes=data.get("diagnosis_codes", []),
        procedure_codes=data.get("procedure_codes", []),
        medication_orders=data.get("medication_orders", []),
        lab_orders=data.get("lab_orders", []),
    )
    return json_response(_serialize(appt))


class ProviderDayView(RoleRequiredMixin, ListView):
    """A provider's active appointments for one day (the clinician's worklist)."""

    required_roles = (CLINICIAN, FRONT_DESK)

    def get_queryset(self):
        day = parse_iso_date(self.request.GET.get("day")) or timezone.localdate()
        return services.upcoming_for_provider(self.kwargs["provider_id"], day)

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        rows = [_serialize(appt) for appt in context["object_list"]]
        return json_response({"results": rows, "generated_at": dt.datetime.now(dt.timezone.utc)})
