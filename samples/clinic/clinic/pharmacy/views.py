"""Pharmacy endpoints: prescribing, the dispensing queue and dispensing."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from clinic.core.http import handle_clinic_errors, json_response, parse_json_body, require_fields
from clinic.core.permissions import CLINICIAN, PHARMACIST, RoleRequiredMixin, role_required

from . import services
from .models import Prescription


def _rx_dict(rx: Prescription) -> dict:
    return {"id": rx.pk, "patient_id": rx.patient_id, "medication": str(rx.medication), "sig": rx.sig,
            "quantity": rx.quantity, "status": rx.status, "expires_on": rx.expires_on}


@login_required
@require_GET
def prescription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rx = get_object_or_404(Prescription.objects.select_related("medication"), pk=pk)
    return json_response(_rx_dict(rx))


@login_required
@require_POST
@role_required(CLINICIAN)
@handle_clinic_errors
def prescribe(request: HttpRequest) -> HttpResponse:
    data = parse_json_body(request)
    require_fields(data, "patient_id", "prescriber_id", "ndc", "sig", "quantity")
    rx = services.create_prescription(int(data["patient_id"]), int(data["prescriber_id"]), data["ndc"],
                                      data["sig"], int(data["quantity"]), refills=int(data.get("refills", 0)),
                                      override_warnings=bool(data.get("override_warnings")))
    return json_response(_rx_dict(rx), status=201)


@login_required
@require_POST
@role_required(PHARMACIST)
@handle_clinic_errors
def dispense(request: HttpRequest, pk: int) -> HttpResponse:
    rx = services.dispense_prescription(pk, request.user.provider.pk)
    return json_response(_rx_dict(rx))


@login_required
@require_POST
@handle_clinic_errors
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    rx = services.cancel_prescription(pk, parse_json_body(request).get("reason", ""))
    return json_response(_rx_dict(rx))


class DispensingQueueView(RoleRequiredMixin, ListView):
    """Prescriptions waiting for the pharmacist, oldest first."""

    required_roles = (PHARMACIST,)

    def get_queryset(self):
        return (
            Prescription.objects.filter(status__in=[Prescription.Status.READY, Prescription.Status.PENDING])
            .select_related("medication")
            .order_by("created_at")[:200]
        )

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        return json_response({"results": [_rx_dict(rx) for rx in context["object_list"]]})
