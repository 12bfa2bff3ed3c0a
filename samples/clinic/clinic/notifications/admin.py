"""Admin screens for templates and the outbox."""
from django.contrib import admin

from .models import Notification, NotificationTemplate


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("key", "channel", "language", "is_active")
    list_filter = ("channel", "language", "is_active")
    search_fields = ("key", "subject")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "template_key", "status", "attempts", "sent_at")
    list_filter = ("channel", "status")
    readonly_fields = ("body", "provider_message_id", "error")
