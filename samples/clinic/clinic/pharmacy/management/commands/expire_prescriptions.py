"""Expire prescriptions past their validity date (daily cron).

Uses a single ``UPDATE``; no per-row ``save()`` so no ``post_save`` handlers run.
"""
from __future__ import annotations

import logging

from django.core.management.base import BaseCommand
from django.utils import timezone

from clinic.pharmacy.models import Prescription

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Mark undispensed prescriptions past expires_on as expired."

    def handle(self, *args, **options) -> None:
        count = Prescription.objects.filter(
            status__in=[Prescription.Status.PENDING, Prescription.Status.READY],
            expires_on__lt=timezone.localdate(),
        ).update(status=Prescription.Status.EXPIRED, updated_at=timezone.now())
        logger.info("Expired %d prescription(s)", count)
        self.stdout.write(self.style.SUCCESS(f"Expired {count} prescription(s)."))
