"""Anonymize one inactive patient whose record-retention period has lapsed."""
from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError

from clinic.core.exceptions import ClinicError
from clinic.patients import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Scrub direct identifiers from an inactive patient record."

    def add_arguments(self, parser) -> None:
        parser.add_argument("patient_id", type=int)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, **options) -> None:
        patient_id: int = options["patient_id"]
        if not options["yes"]:
            answer = input(f"Anonymize patient {patient_id}? This cannot be undone [y/N] ")
            if answer.strip().lower() != "y":
                self.stdout.write("Aborted.")
                return
        try:
            patient = services.anonymize_patient(patient_id)
        except ClinicError as exc:
            raise CommandError(exc.message) from exc
        logger.info("Anonymized patient %s from the command line", patient.pk)
        self.stdout.write(self.style.SUCCESS(f"Patient {patient.pk} anonymized."))
