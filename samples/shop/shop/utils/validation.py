"""Request-payload validation helpers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_SKU_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{2,31}$")
_POSTCODE_RE = re.compile(r"^[A-Z0-9 \-]{3,10}$", re.IGNORECASE)


class ValidationError(ValueError):
    """Invalid client input; carries a per-field error map."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def require_fields(payload: Mapping[str, Any], fields: Iterable[str]) -> None:
    missing = {name: "is required" for name in fields if payload.get(name) in (None, "")}
    if missing:
        raise ValidationError(missing)


def validate_email(value: str) -> str:
    email = (value or "").strip().lower()
    if not _EMAIL_RE.match(email):
        raise ValidationError({"email": "is not a valid address"})
    return email


def validate_sku(value: str) -> str:
    sku = (value or "").strip().upper()
    if not _SKU_RE.match(sku):
        raise ValidationError({"sku": "must be 3-32 upper-case letters, digits or dashes"})
    return sku


def validate_postcode(value: str) -> str:
    postcode = (value or "").strip().upper()
    if not _POSTCODE_RE.match(postcode):
        raise ValidationError({"postcode": "is not a valid postcode"})
    return postcode


def positive_int(value: Any, field: str, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: "must be an integer"}) from exc
    if number <= 0:
        raise ValidationError({field: "must be positive"})
    if maximum is not None and number > maximum:
        raise ValidationError({field: f"must be at most {maximum}"})
    return number


def one_of(value: str, field: str, allowed: Iterable[str]) -> str:
    options = set(allowed)
    if value not in options:
        raise ValidationError({field: f"must be one of {', '.join(sorted(options))}"})
    return value
