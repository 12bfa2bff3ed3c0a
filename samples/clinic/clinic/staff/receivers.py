"""Keeps provider schedule blocks in step with appointment rows.

Connected to ``post_save`` for ``appointments.Appointment`` in :meth:`StaffConfig.ready`.
"""
from __future__ import annotations

import logging

from . import services

logger = logging.getLogger(__name__)

RELEASING_STATUSES = {"cancelled", "no_show"}


def update_provider_schedule(sender, instance, created: bool = False, **kwargs) -> None:
    """Create, move or release the schedule block that mirrors an appointment."""
    if kwargs.get("raw"):
        return  # loading fixtures
    if instance.status in RELEASING_STATUSES:
        released = services.release_appointment_block(instance.pk)
        logger.info("Released %d block(s) for appointment %s (%s)", released, instance.pk, instance.status)
        return
    services.upsert_appointment_block(instance.pk, instance.provider_id, instance.starts_at, instance.ends_at)
