"""Delete outbox rows older than the retention window."""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from clinic.notifications.models import Notification

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Purge sent/failed notifications older than NOTIFICATION_RETENTION_DAYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=settings.NOTIFICATION_RETENTION_DAYS)

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - dt.timedelta(days=options["days"])
        deleted, _ = Notification.objects.filter(created_at__lt=cutoff).exclude(
            status=Notification.Status.QUEUED
        ).delete()
        logger.info("Purged %d notification(s) older than %s", deleted, cutoff.date())
        self.stdout.write(self.style.SUCCESS(f"Purged {deleted} notification(s)."))
