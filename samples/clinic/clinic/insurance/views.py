"""Insurance endpoints: policies, on-demand eligibility and claim status."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View
from django.views.decorators.http import require_GET

from clinic.core.http import handle_clinic_errors, json_response
from clinic.core.utils import parse_iso_date

from . import services
from .models import Claim


@login_required
@require_GET
@handle_clinic_errors
def policy_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    return json_response({"results": services.policies_for_patient(patient_id)})


class EligibilityView(View):
    """GET /insurance/patients/<id>/eligibility/?date=YYYY-MM-DD"""

    def get(self, request: HttpRequest, patient_id: int) -> HttpResponse:
        service_date = parse_iso_date(request.GET.get("date")) or timezone.localdate()
        eligible = services.check_eligibility(patient_id, service_date)
        return json_response({"patient_id": patient_id, "date": service_date, "eligible": eligible})


@login_required
@require_GET
def claim_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("policy__payer"), invoice_id=invoice_id)
    return json_response({
        "invoice_id": claim.invoice_id,
        "payer": claim.policy.payer.name,
        "status": claim.status,
        "payer_claim_number": claim.payer_claim_number,
        "amount_billed": claim.amount_billed,
        "amount_paid": claim.amount_paid,
        "last_error": claim.last_error,
    })
