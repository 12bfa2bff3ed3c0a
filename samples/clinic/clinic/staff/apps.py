"""App config for staff; wires the schedule receiver to appointment saves."""
from django.apps import AppConfig
from django.db.models.signals import post_save


class StaffConfig(AppConfig):
    name = "clinic.staff"
    label = "staff"
    verbose_name = "Staff & scheduling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here so the app registry is fully loaded first.
        from clinic.appointments.models import Appointment

        from .receivers import update_provider_schedule

        post_save.connect(
            update_provider_schedule,
            sender=Appointment,
            dispatch_uid="staff.update_provider_schedule",
        )
