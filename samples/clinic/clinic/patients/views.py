"""Patient registry HTTP endpoints (front desk and clinician screens)."""
from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import ListView

from clinic.billing.services import get_outstanding_balance
from clinic.core.http import handle_clinic_errors, json_response, parse_json_body, require_fields
from clinic.core.permissions import CLINICIAN, FRONT_DESK, RoleRequiredMixin, role_required
from clinic.core.utils import parse_iso_date
from clinic.records import services as records_services

from . import services
from .forms import ContactUpdateForm, PatientRegistrationForm
from .models import Patient

logger = logging.getLogger(__name__)


@login_required
@require_GET
@handle_clinic_errors
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    summary = services.get_patient_summary(pk)
    summary["outstanding_balance"] = get_outstanding_balance(pk)
    records_services.log_access(request.user.pk, pk, "view_summary")
    return json_response(summary)


@login_required
@require_GET
@role_required(CLINICIAN)
@handle_clinic_errors
def patient_chart(request: HttpRequest, pk: int) -> HttpResponse:
    chart = records_services.build_chart(pk)
    records_services.log_access(request.user.pk, pk, "view_chart")
    return json_response(chart)


@login_required
@require_POST
@role_required(FRONT_DESK)
@handle_clinic_errors
def register(request: HttpRequest) -> HttpResponse:
    form = PatientRegistrationForm(parse_json_body(request))
    if not form.is_valid():
        return json_response({"errors": form.errors}, status=422)
    patient = services.register_patient(form.cleaned_data, registered_by=request.user.pk)
    return json_response({"id": patient.pk, "mrn": patient.mrn}, status=201)


@login_required
@require_http_methods(["PATCH", "POST"])
@handle_clinic_errors
def update_contact(request: HttpRequest, pk: int) -> HttpResponse:
    form = ContactUpdateForm(parse_json_body(request))
    if not form.is_valid():
        return json_response({"errors": form.errors}, status=422)
    data = form.cleaned_data
    patient = services.update_contact_info(
        pk,
        email=data.get("email") or None,
        phone=data.get("phone") or None,
        preferred_channel=data.get("preferred_channel") or None,
    )
    return json_response({"id": patient.pk, "email": patient.email, "phone": patient.phone})


@login_required
@require_http_methods(["GET", "POST"])
@handle_clinic_errors
def allergies(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return json_response({"allergies": services.get_allergies(pk)})
    data = parse_json_body(request)
    require_fields(data, "substance", "severity")
    allergy = services.record_allergy(pk, data["substance"], data["severity"], data.get("reaction", ""),
                                      recorded_by=data.get("recorded_by"))
    return json_response({"id": allergy.pk, "substance": allergy.substance}, status=201)


@login_required
@require_POST
@role_required(FRONT_DESK)
@handle_clinic_errors
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    data = parse_json_body(request)
    require_fields(data, "reason")
    patient = services.deactivate_patient(pk, data["reason"])
    return json_response({"id": patient.pk, "is_active": patient.is_active})


class PatientListView(RoleRequiredMixin, ListView):
    """Paginated patient list with optional search and date-of-birth filter."""

    model = Patient
    paginate_by = 50
    required_roles = (FRONT_DESK, CLINICIAN)

    def get_queryset(self):
        query = self.request.GET.get("q", "").strip()
        if query:
            return services.search_patients(query, limit=self.paginate_by)
        queryset = Patient.objects.filter(is_active=True).select_related("primary_provider")
        dob = parse_iso_date(self.request.GET.get("dob"))
        if dob is not None:
            queryset = queryset.filter(date_of_birth=dob)
        return queryset

    def render_to_response(self, context, **response_kwargs):
        rows = [
            {"id": p.pk, "mrn": p.mrn, "name": p.full_name, "dob": p.date_of_birth.isoformat()}
            for p in context["object_list"]
        ]
        return json_response({"results": rows, "count": len(rows)})
