"""Provider directory and availability queries."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.core.exceptions import Conflict, NotFound, ValidationFailed

from .models import Provider, ScheduleBlock, Shift

logger = logging.getLogger(__name__)


def _provider(provider_id: int) -> Provider:
    try:
        return Provider.objects.get(pk=provider_id)
    except Provider.DoesNotExist as exc:
        raise NotFound(f"Provider {provider_id} does not exist") from exc


def _overlapping_blocks(provider_id: int, starts_at: dt.datetime, ends_at: dt.datetime,
                        exclude_appointment: int | None = None):
    blocks = ScheduleBlock.objects.filter(provider_id=provider_id, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_appointment is not None:
        blocks = blocks.exclude(appointment_id=exclude_appointment)
    return blocks


def is_provider_available(provider_id: int, starts_at: dt.datetime, ends_at: dt.datetime,
                          *, exclude_appointment: int | None = None) -> bool:
    """True when the provider is on shift for the whole window and nothing overlaps it."""
    if ends_at <= starts_at:
        raise ValidationFailed("Appointment must end after it starts")
    provider = _provider(provider_id)
    if not provider.is_active:
        return False
    on_shift = Shift.objects.filter(provider=provider, starts_at__lte=starts_at, ends_at__gte=ends_at).exists()
    if not on_shift:
        logger.debug("Provider %s is not on shift %s-%s", provider_id, starts_at, ends_at)
        return False
    return not _overlapping_blocks(provider_id, starts_at, ends_at, exclude_appointment).exists()


def open_slots(provider_id: int, day: dt.date, slot_minutes: int = 20) -> list[dt.datetime]:
    """Bookable slot start times for a provider on a given day."""
    tz = timezone.get_current_timezone()
    day_start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    day_end = day_start + dt.timedelta(days=1)
    shifts = Shift.objects.filter(provider_id=provider_id, starts_at__lt=day_end, ends_at__gt=day_start)
    blocks = list(
        ScheduleBlock.objects.filter(provider_id=provider_id, starts_at__lt=day_end, ends_at__gt=day_start)
        .values_list("starts_at", "ends_at")
    )
    step = dt.timedelta(minutes=slot_minutes)
    now = timezone.now()
    slots: list[dt.datetime] = []
    for shift in shifts:
        cursor = max(shift.starts_at, day_start)
        while cursor + step <= min(shift.ends_at, day_end):
            slot_end = cursor + step
            busy = any(start < slot_end and end > cursor for start, end in blocks)
            if not busy and cursor > now:
                slots.append(cursor)
            cursor = slot_end
    return slots


def get_prescriber_license(provider_id: int) -> dict[str, Any] | None:
    """License facts pharmacy needs before accepting a prescription; None if not a prescriber."""
    provider = _provider(provider_id)
    if provider.specialty == Provider.Specialty.PHARMACY:
        return None
    return {
        "npi": provider.npi,
        "license_number": provider.license_number,
        "license_state": provider.license_state,
        "license_valid": provider.license_expires >= timezone.localdate(),
        "dea_number": provider.dea_number,
    }


def get_provider_display(provider_id: int) -> str:
    """Name as printed on appointment cards, e.g. "Dana Whitfield, MD"."""
    return str(_provider(provider_id))


@transaction.atomic
def block_time(provider_id: int, starts_at: dt.datetime, ends_at: dt.datetime, reason: str) -> ScheduleBlock:
    """Reserve time that cannot be booked (meetings, admin time, vacation)."""
    if _overlapping_blocks(provider_id, starts_at, ends_at).filter(kind=ScheduleBlock.Kind.APPOINTMENT).exists():
        raise Conflict("Cannot block time that already holds appointments")
    block = ScheduleBlock.objects.create(provider_id=provider_id, starts_at=starts_at, ends_at=ends_at,
                                         kind=ScheduleBlock.Kind.BLOCKED, reason=reason[:120])
    logger.info("Blocked %s-%s for provider %s: %s", starts_at, ends_at, provider_id, reason)
    return block


def upsert_appointment_block(appointment_id: int, provider_id: int, starts_at: dt.datetime,
                             ends_at: dt.datetime) -> ScheduleBlock:
    block, created = ScheduleBlock.objects.update_or_create(
        appointment_id=appointment_id,
        defaults={"provider_id": provider_id, "starts_at": starts_at, "ends_at": ends_at,
                  "kind": ScheduleBlock.Kind.APPOINTMENT},
    )
    logger.debug("%s schedule block for appointment %s", "Created" if created else "Moved", appointment_id)
    return block


def release_appointment_block(appointment_id: int) -> int:
    deleted, _ = ScheduleBlock.objects.filter(appointment_id=appointment_id).delete()
    return deleted
