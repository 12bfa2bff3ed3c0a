"""Deactivate providers whose state license has expired and tell credentialing."""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clinic.notifications.services import send_email
from clinic.staff.models import Provider

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Mark providers with an expired license inactive (run daily by cron)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        expired = Provider.objects.filter(is_active=True, license_expires__lt=today)
        names = [f"{p} (license {p.license_state}-{p.license_number}, expired {p.license_expires})"
                 for p in expired]
        if not names:
            self.stdout.write("No expired licenses.")
            return
        if options["dry_run"]:
            self.stdout.write("\n".join(names))
            return
        with transaction.atomic():
            count = expired.update(is_active=False, is_accepting_patients=False)
        logger.warning("Deactivated %d provider(s) with expired licenses", count)
        send_email(
            settings.CREDENTIALING_EMAIL,
            f"{count} provider license(s) expired",
            "The following providers were deactivated:\n\n" + "\n".join(names),
        )
        self.stdout.write(self.style.WARNING(f"Deactivated {count} provider(s)."))
