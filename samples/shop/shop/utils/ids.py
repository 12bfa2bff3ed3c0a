"""Identifier generation."""

from __future__ import annotations

import secrets
import string
import uuid
from datetime import datetime, timezone

_ALPHABET = string.ascii_uppercase + string.digits
_AMBIGUOUS = set("O0I1")
_SAFE_ALPHABET = "".join(ch for ch in _ALPHABET if ch not in _AMBIGUOUS)


def new_uuid() -> str:
    return uuid.uuid4().hex


def short_code(length: int = 8) -> str:
    """Random code without look-alike characters, for coupons and references."""
    if length < 4:
        raise ValueError("codes shorter than 4 characters are too guessable")
    return "".join(secrets.choice(_SAFE_ALPHABET) for _ in range(length))


def order_number(now: datetime | None = None) -> str:
    """Customer-facing order number such as ``SH-240517-7KQ2M``."""
    stamp = (now or datetime.now(timezone.utc)).strftime("%y%m%d")
    return f"SH-{stamp}-{short_code(5)}"


def storage_key(prefix: str, filename: str) -> str:
    """Object-storage key that keeps the original extension."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{prefix.strip('/')}/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.{extension}"
