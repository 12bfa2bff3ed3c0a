"""Admin screens for patient records."""
from django.contrib import admin

from .models import Allergy, ContactPreference, Patient


class AllergyInline(admin.TabularInline):
    model = Allergy
    extra = 0
    fields = ("substance", "severity", "reaction")


class ContactPreferenceInline(admin.StackedInline):
    model = ContactPreference
    can_delete = False


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("mrn", "last_name", "first_name", "date_of_birth", "is_active")
    list_filter = ("is_active", "sex")
    search_fields = ("mrn", "last_name", "first_name", "phone", "email")
    readonly_fields = ("public_id", "created_at", "updated_at")
    inlines = [ContactPreferenceInline, AllergyInline]
