"""Deactivate policies whose coverage end date has passed."""
from __future__ import annotations

import logging

from django.core.management.base import BaseCommand
from django.utils import timezone

from clinic.insurance.models import Policy

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Mark policies inactive once their effective_to date is in the past."

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        count = Policy.objects.filter(is_active=True, effective_to__lt=today).update(is_active=False)
        logger.info("Expired %d insurance policy(ies)", count)
        self.stdout.write(self.style.SUCCESS(f"Expired {count} policy(ies)."))
