"""Admin screens for billing."""
from django.contrib import admin

from .models import FeeSchedule, Invoice, InvoiceLine, Payment


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    readonly_fields = ("received_at", "processor_reference")


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "patient", "status", "issued_on", "due_on", "patient_portion", "amount_paid")
    list_filter = ("status",)
    search_fields = ("number", "patient__mrn", "patient__last_name")
    raw_id_fields = ("patient", "appointment")
    inlines = [InvoiceLineInline, PaymentInline]


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    list_display = ("code", "description", "amount", "effective_from", "effective_to")
    search_fields = ("code", "description")
