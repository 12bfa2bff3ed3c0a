"""Chart and visit-note endpoints."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView

from clinic.core.http import handle_clinic_errors, json_response
from clinic.core.permissions import CLINICIAN, RoleRequiredMixin, role_required

from . import services
from .models import VisitNote


@login_required
@require_GET
@role_required(CLINICIAN)
@handle_clinic_errors
def chart_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    chart = services.build_chart(patient_id)
    services.log_access(request.user.pk, patient_id, "records.chart")
    return json_response(chart)


class VisitNoteDetailView(RoleRequiredMixin, DetailView):
    required_roles = (CLINICIAN,)
    model = VisitNote

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        note = context["object"]
        services.log_access(self.request.user.pk, note.chart.patient_id, "records.note")
        return json_response({"id": note.pk, "appointment_id": note.appointment_id, "body": note.body,
                              "diagnoses": note.diagnosis_codes, "signed_at": note.signed_at})


@login_required
@require_POST
@role_required(CLINICIAN)
@handle_clinic_errors
def sign_note(request: HttpRequest, pk: int) -> HttpResponse:
    note = services.sign_note(pk, request.user.provider.pk)
    return json_response({"id": note.pk, "signed_at": note.signed_at})
