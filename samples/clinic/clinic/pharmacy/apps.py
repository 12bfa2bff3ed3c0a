"""App config for the pharmacy; registers signal receivers on startup."""
from django.apps import AppConfig


class PharmacyConfig(AppConfig):
    name = "clinic.pharmacy"
    label = "pharmacy"
    verbose_name = "Pharmacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
