"""Provider directory and schedule endpoints."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView

from clinic.core.http import handle_clinic_errors, json_response, parse_json_body, require_fields
from clinic.core.permissions import ADMIN, role_required
from clinic.core.utils import parse_iso_datetime

from . import services
from .models import Provider, ScheduleBlock


@login_required
@require_GET
def provider_list(request: HttpRequest) -> HttpResponse:
    providers = Provider.objects.filter(is_active=True)
    specialty = request.GET.get("specialty")
    if specialty:
        providers = providers.filter(specialty=specialty)
    if request.GET.get("accepting") == "1":
        providers = providers.filter(is_accepting_patients=True)
    rows = [{"id": p.pk, "name": str(p), "specialty": p.specialty} for p in providers]
    return json_response({"results": rows})


class ProviderScheduleView(DetailView):
    """A provider's blocks for the next week."""

    model = Provider

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        provider = context["object"]
        blocks = ScheduleBlock.objects.filter(provider=provider).order_by("starts_at")[:200]
        return json_response({
            "provider": str(provider),
            "blocks": [
                {"start": b.starts_at, "end": b.ends_at, "kind": b.kind, "appointment_id": b.appointment_id}
                for b in blocks
            ],
        })


@login_required
@require_POST
@role_required(ADMIN)
@handle_clinic_errors
def block_time(request: HttpRequest, pk: int) -> HttpResponse:
    data = parse_json_body(request)
    require_fields(data, "starts_at", "ends_at")
    starts_at = parse_iso_datetime(data["starts_at"])
    ends_at = parse_iso_datetime(data["ends_at"])
    if starts_at is None or ends_at is None:
        return json_response({"error": "invalid timestamps"}, status=422)
    block = services.block_time(pk, starts_at, ends_at, data.get("reason", ""))
    return json_response({"id": block.pk}, status=201)
