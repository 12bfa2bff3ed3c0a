"""Admin screens for the lab."""
from django.contrib import admin

from .models import Instrument, InstrumentRun, LabOrder, LabResult, LabTest


@admin.register(LabTest)
class LabTestAdmin(admin.ModelAdmin):
    list_display = ("loinc_code", "name", "specimen_type", "performed_in_house")
    search_fields = ("loinc_code", "name")


@admin.register(LabOrder)
class LabOrderAdmin(admin.ModelAdmin):
    list_display = ("id", "patient", "test", "status", "priority", "accession_number", "transmitted_at")
    list_filter = ("status", "priority")
    raw_id_fields = ("patient", "ordering_provider", "appointment")


@admin.register(LabResult)
class LabResultAdmin(admin.ModelAdmin):
    list_display = ("id", "order", "value", "unit", "flag", "status", "resulted_at")
    list_filter = ("flag", "status")


@admin.register(InstrumentRun)
class InstrumentRunAdmin(admin.ModelAdmin):
    list_display = ("instrument", "file_path", "started_at", "finished_at", "rows_processed", "rows_failed")


admin.site.register(Instrument)
