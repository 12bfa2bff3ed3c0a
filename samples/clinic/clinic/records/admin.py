"""Admin screens for medical records (read-mostly)."""
from django.contrib import admin

from .models import AccessLog, Chart, ChartDocument, VisitNote


@admin.register(Chart)
class ChartAdmin(admin.ModelAdmin):
    list_display = ("patient", "last_visit_at")
    raw_id_fields = ("patient",)


@admin.register(VisitNote)
class VisitNoteAdmin(admin.ModelAdmin):
    list_display = ("id", "appointment_id", "author", "signed_at")
    list_filter = ("signed_at",)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user_id", "patient_id", "action")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(ChartDocument)
