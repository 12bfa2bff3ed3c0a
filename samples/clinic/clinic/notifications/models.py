"""Message templates and the outbound message log."""
from __future__ import annotations

from django.db import models

from clinic.core.models import TimeStampedModel


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"


class NotificationTemplate(TimeStampedModel):
    key = models.SlugField(max_length=60)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=5, default="en")
    subject = models.CharField(max_length=150, blank=True)
    body = models.TextField(help_text="str.format-style placeholders, e.g. {first_name}")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "channel", "language"], name="uniq_template_variant"),
        ]

    def __str__(self) -> str:
        return f"{self.key} [{self.channel}/{self.language}]"


class Notification(TimeStampedModel):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="notifications")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    template_key = models.CharField(max_length=60, blank=True)
    subject = models.CharField(max_length=150, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    provider_message_id = models.CharField(max_length=80, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        db_table = "notifications_outbox"
        indexes = [models.Index(fields=["status", "created_at"])]
