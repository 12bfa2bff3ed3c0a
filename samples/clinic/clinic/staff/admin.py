"""Admin screens for providers and shifts."""
from django.contrib import admin

from .models import Provider, ScheduleBlock, Shift


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 1


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("display_name", "credentials", "specialty", "npi", "license_expires", "is_active")
    list_filter = ("specialty", "is_active", "is_accepting_patients")
    search_fields = ("display_name", "npi", "license_number")
    inlines = [ShiftInline]


@admin.register(ScheduleBlock)
class ScheduleBlockAdmin(admin.ModelAdmin):
    list_display = ("provider", "starts_at", "ends_at", "kind", "appointment_id")
    list_filter = ("kind",)
    date_hierarchy = "starts_at"
