"""Queue reminder messages for tomorrow's appointments (cron, 5 pm daily)."""
from __future__ import annotations

import datetime as dt
import logging

from django.core.management.base import BaseCommand
from django.utils import timezone

from clinic.appointments.models import Appointment
from clinic.notifications.tasks import send_reminder

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Enqueue a reminder for every scheduled appointment on the next clinic day."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--day", help="ISO date to remind for (default: tomorrow)")

    def handle(self, *args, **options) -> None:
        day = dt.date.fromisoformat(options["day"]) if options["day"] else timezone.localdate() + dt.timedelta(days=1)
        ids = list(
            Appointment.objects.on_day(day)
            .filter(status=Appointment.Status.SCHEDULED)
            .values_list("id", flat=True)
        )
        for appointment_id in ids:
            send_reminder.delay(appointment_id)
        logger.info("Queued %d reminder(s) for %s", len(ids), day)
        self.stdout.write(self.style.SUCCESS(f"Queued {len(ids)} reminder(s) for {day}."))
