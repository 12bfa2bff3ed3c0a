"""Admin screens for the pharmacy."""
from django.contrib import admin

from .models import InteractionRule, InventoryLot, Medication, Prescription


class InventoryLotInline(admin.TabularInline):
    model = InventoryLot
    extra = 0


@admin.register(Medication)
class MedicationAdmin(admin.ModelAdmin):
    list_display = ("ndc", "name", "strength", "form", "unit_price", "controlled_schedule")
    search_fields = ("ndc", "name")
    inlines = [InventoryLotInline]


@admin.register(Prescription)
class PrescriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "patient", "medication", "status", "expires_on")
    list_filter = ("status",)
    raw_id_fields = ("patient", "prescriber", "appointment", "dispensed_by")


admin.site.register(InteractionRule)
