"""Delete access-log rows older than the retention period."""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from clinic.records.models import AccessLog

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Prune the records access log (retention: RECORDS_ACCESS_LOG_RETENTION_DAYS)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=settings.RECORDS_ACCESS_LOG_RETENTION_DAYS)

    def handle(self, *args, **options) -> None:
        if options["days"] < 365:
            self.stderr.write("Refusing to keep less than one year of access logs.")
            return
        cutoff = timezone.now() - dt.timedelta(days=options["days"])
        deleted, _ = AccessLog.objects.filter(at__lt=cutoff).delete()
        logger.info("Pruned %d access-log row(s) before %s", deleted, cutoff.date())
        self.stdout.write(self.style.SUCCESS(f"Pruned {deleted} row(s)."))
