"""Lab endpoints: orders, results, amendment and analyzer uploads."""
from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from clinic.core.http import handle_clinic_errors, json_response, parse_json_body, require_fields
from clinic.core.permissions import CLINICIAN, LAB_TECH, RoleRequiredMixin, role_required

from . import services
from .models import Instrument, LabOrder, LabResult
from .tasks import process_instrument_file

logger = logging.getLogger(__name__)


@login_required
@require_POST
@role_required(CLINICIAN)
@handle_clinic_errors
def place_order(request: HttpRequest) -> HttpResponse:
    data = parse_json_body(request)
    require_fields(data, "patient_id", "provider_id", "loinc_code")
    order = services.order_lab_test(int(data["patient_id"]), int(data["provider_id"]), data["loinc_code"],
                                    priority=data.get("priority", LabOrder.Priority.ROUTINE))
    return json_response({"id": order.pk, "status": order.status}, status=201)


@login_required
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(LabOrder.objects.select_related("test"), pk=pk)
    results = [{"id": r.pk, "value": r.value, "unit": r.unit, "flag": r.flag, "status": r.status}
               for r in order.results.order_by("-resulted_at")]
    return json_response({"id": order.pk, "test": order.test.name, "status": order.status,
                          "accession": order.accession_number, "results": results})


@login_required
@require_POST
@role_required(LAB_TECH)
@handle_clinic_errors
def amend(request: HttpRequest, pk: int) -> HttpResponse:
    data = parse_json_body(request)
    require_fields(data, "value", "reason")
    result = services.amend_result(pk, data["value"], data["reason"])
    return json_response({"id": result.pk, "flag": result.flag, "status": result.status})


class PendingResultsView(RoleRequiredMixin, ListView):
    """Preliminary results awaiting technician verification."""

    required_roles = (LAB_TECH,)

    def get_queryset(self):
        return LabResult.objects.filter(status=LabResult.Status.PRELIMINARY).select_related("order__test")[:500]

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        return json_response({"results": [
            {"id": r.pk, "test": r.order.test.name, "value": r.value, "flag": r.flag}
            for r in context["object_list"]
        ]})


class InstrumentUploadView(RoleRequiredMixin, View):
    """Analyzers (or their middleware PC) upload run files here; parsing happens on a worker."""

    required_roles = (LAB_TECH,)

    def post(self, request: HttpRequest, instrument_id: int) -> HttpResponse:
        instrument = get_object_or_404(Instrument, pk=instrument_id)
        upload = request.FILES.get("file")
        if upload is None:
            return json_response({"error": "file is required"}, status=400)
        inbox = Path(settings.LAB_INBOX_DIR) / instrument.serial_number
        inbox.mkdir(parents=True, exist_ok=True)
        target = inbox / f"{timezone.now():%Y%m%dT%H%M%S}-{Path(upload.name).name}"
        with target.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        process_instrument_file.delay(instrument.pk, str(target))
        logger.info("Queued %s (%d bytes) from %s", target.name, upload.size, instrument)
        return json_response({"queued": target.name}, status=202)
