"""Admin screens for appointments."""
from django.contrib import admin

from .models import Appointment, AppointmentType


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "default_minutes", "cpt_code", "is_telehealth")


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("id", "patient", "provider", "starts_at", "status", "billing_status")
    list_filter = ("status", "billing_status", "appointment_type")
    date_hierarchy = "starts_at"
    raw_id_fields = ("patient", "provider", "booked_by")
    search_fields = ("patient__last_name", "patient__mrn")
