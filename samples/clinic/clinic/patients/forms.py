"""Forms used by the front-desk registration screens."""
from __future__ import annotations

import datetime as dt

from django import forms

from clinic.core.utils import normalize_phone

from .models import Patient


class PatientRegistrationForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "email",
            "phone",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
        ]

    def clean_date_of_birth(self) -> dt.date:
        dob = self.cleaned_data["date_of_birth"]
        if dob > dt.date.today():
            raise forms.ValidationError("Date of birth cannot be in the future.")
        if dob.year < 1900:
            raise forms.ValidationError("Please check the year of birth.")
        return dob

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "")
        if not raw:
            return ""
        phone = normalize_phone(raw)
        if phone is None:
            raise forms.ValidationError("Enter a 10-digit US phone number.")
        return phone


class ContactUpdateForm(forms.Form):
    email = forms.EmailField(required=False)
    phone = forms.CharField(required=False, max_length=20)
    preferred_channel = forms.ChoiceField(
        choices=[("sms", "Text message"), ("email", "Email"), ("none", "Do not contact")], required=False
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        channel = cleaned.get("preferred_channel")
        if channel == "sms" and not cleaned.get("phone"):
            self.add_error("phone", "A phone number is required for text reminders.")
        if channel == "email" and not cleaned.get("email"):
            self.add_error("email", "An email address is required for email reminders.")
        return cleaned
