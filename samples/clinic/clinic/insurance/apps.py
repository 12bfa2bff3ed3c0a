"""App config for insurance; registers signal receivers on startup."""
from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "clinic.insurance"
    label = "insurance"
    verbose_name = "Insurance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
