"""Notification log endpoints and the SMS gateway delivery webhook."""
from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from clinic.core.http import json_response

from . import services
from .models import Notification

logger = logging.getLogger(__name__)


@login_required
@require_GET
def patient_notifications(request: HttpRequest, patient_id: int) -> HttpResponse:
    rows = Notification.objects.filter(patient_id=patient_id).order_by("-created_at")[:100]
    return json_response({"results": [
        {"id": n.pk, "channel": n.channel, "template": n.template_key, "status": n.status, "sent_at": n.sent_at}
        for n in rows
    ]})


@method_decorator(csrf_exempt, name="dispatch")
class DeliveryStatusWebhookView(View):
    """Delivery receipts from the SMS gateway, authenticated with a shared token."""

    def post(self, request: HttpRequest) -> HttpResponse:
        token = request.headers.get("X-Gateway-Token", "")
        if not hmac.compare_digest(token, settings.SMS_GATEWAY_TOKEN):
            logger.warning("Rejected delivery webhook with bad token from %s", request.META.get("REMOTE_ADDR"))
            return HttpResponseForbidden()
        message_id = request.POST.get("MessageSid", "")
        status = request.POST.get("MessageStatus", "")
        if not message_id or not status:
            return json_response({"error": "missing fields"}, status=400)
        matched = services.record_delivery_status(message_id, status)
        return json_response({"matched": matched})
