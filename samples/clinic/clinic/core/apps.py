"""App config for the shared kernel."""
from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinic.core"
    label = "core"
    verbose_name = "Clinic core"
    default_auto_field = "django.db.models.BigAutoField"
