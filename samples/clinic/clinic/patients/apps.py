"""App config for the patient registry."""
from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "clinic.patients"
    label = "patients"
    verbose_name = "Patients"
    default_auto_field = "django.db.models.BigAutoField"
