"""Admin screens for insurance."""
from django.contrib import admin

from .models import Claim, Payer, Policy


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    list_display = ("name", "payer_code", "supports_realtime_eligibility")
    search_fields = ("name", "payer_code")


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("patient", "payer", "member_id", "is_primary", "is_active", "effective_from", "effective_to")
    list_filter = ("is_primary", "is_active", "payer")
    raw_id_fields = ("patient",)


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("invoice_id", "policy", "status", "amount_billed", "amount_paid", "submitted_at")
    list_filter = ("status",)
