"""Abstract base models. Concrete apps inherit from these; no tables are created here."""
from __future__ import annotations

import uuid

from django.db import models


class TimeStampedModel(models.Model):
    """Adds ``created_at``/``updated_at`` audit columns to every row."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        get_latest_by = "created_at"


class PublicIdModel(TimeStampedModel):
    """Timestamped model with an opaque public identifier safe to show in URLs and emails."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class AddressMixin(models.Model):
    """Postal address columns shared by patients, payers and staff."""

    address_line1 = models.CharField(max_length=120, blank=True)
    address_line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)

    class Meta:
        abstract = True

    def formatted_address(self) -> str:
        """Return the address as a single comma-separated line, skipping empty parts."""
        parts = [self.address_line1, self.address_line2, self.city, self.state, self.postal_code]
        return ", ".join(part for part in parts if part)
