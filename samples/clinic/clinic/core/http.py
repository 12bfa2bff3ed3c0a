"""JSON helpers shared by the function and class-based views of every app."""
from __future__ import annotations

import json
import logging
from decimal import Decimal
from functools import wraps
from typing import Any, Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, JsonResponse

from .exceptions import ClinicError, ValidationFailed

logger = logging.getLogger(__name__)


class ClinicJSONEncoder(DjangoJSONEncoder):
    """Serialize Decimals as strings so money never loses precision in transit."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return str(o)
        return super().default(o)


def json_response(payload: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, encoder=ClinicJSONEncoder, safe=False)


def parse_json_body(request: HttpRequest) -> dict:
    """Decode a JSON object body or raise ValidationFailed."""
    if not request.body:
        return {}
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed("Request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise ValidationFailed("Request body must be a JSON object")
    return data


def require_fields(data: dict, *names: str) -> None:
    missing = [name for name in names if data.get(name) in (None, "")]
    if missing:
        raise ValidationFailed("Missing required fields", details={"missing": missing})


def handle_clinic_errors(view: Callable) -> Callable:
    """Decorator turning ClinicError subclasses into JSON error responses."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
        try:
            return view(request, *args, **kwargs)
        except ClinicError as exc:
            logger.info("%s %s -> %s: %s", request.method, request.path, exc.code, exc.message)
            return json_response(exc.as_dict(), status=exc.status_code)

    return wrapper
