"""App config for records; registers signal receivers on startup."""
from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "clinic.records"
    label = "records"
    verbose_name = "Medical records"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
