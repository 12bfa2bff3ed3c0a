"""App config for the lab; registers signal receivers on startup."""
from django.apps import AppConfig


class LabConfig(AppConfig):
    name = "clinic.lab"
    label = "lab"
    verbose_name = "Laboratory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
