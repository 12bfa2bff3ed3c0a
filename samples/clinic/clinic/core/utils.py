"""Small pure helpers used everywhere: identifiers, phone numbers, money and dates."""
from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Iterator, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

CENT = Decimal("0.01")
_PHONE_DIGITS = re.compile(r"\D+")
_MRN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_mrn(prefix: str = "RFC") -> str:
    """Return a new medical record number such as ``RFC-7KQ2M9XA``."""
    body = "".join(secrets.choice(_MRN_ALPHABET) for _ in range(8))
    return f"{prefix}-{body}"


def normalize_phone(raw: str | None, default_country: str = "1") -> str | None:
    """Normalize a North American phone number to E.164, or return None if unusable."""
    if not raw:
        return None
    digits = _PHONE_DIGITS.sub("", raw)
    if len(digits) == 10:
        digits = default_country + digits
    if len(digits) != 11 or not digits.startswith(default_country):
        logger.debug("Discarding unparseable phone number %r", raw)
        return None
    return f"+{digits}"


def mask_phone(phone: str | None) -> str:
    """Mask all but the last four digits for logs and audit trails."""
    if not phone:
        return ""
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def money(value: Decimal | int | float | str) -> Decimal:
    """Round to cents using banker-safe half-up rounding."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, rate: Decimal | float) -> Decimal:
    """Return ``rate`` (0..1) of ``amount`` rounded to cents."""
    return money(Decimal(amount) * Decimal(str(rate)))


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield lists of at most ``size`` items from any iterable."""
    if size <= 0:
        raise ValueError("size must be positive")
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def business_days_after(start: dt.date, days: int) -> dt.date:
    """Return the date ``days`` business days after ``start`` (weekends skipped)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def age_on(birth_date: dt.date, on: dt.date | None = None) -> int:
    """Whole years between ``birth_date`` and ``on`` (default: today)."""
    on = on or dt.date.today()
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def parse_iso_date(value: str | None) -> dt.date | None:
    """Parse ``YYYY-MM-DD``; return None for empty or malformed input."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        logger.info("Ignoring malformed date parameter %r", value)
        return None


def parse_iso_datetime(value: str | None) -> dt.datetime | None:
    """Parse an ISO-8601 timestamp; return None for empty or malformed input."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        logger.info("Ignoring malformed datetime parameter %r", value)
        return None
