"""URL routes for insurance."""
from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views

app_name = "insurance"

urlpatterns = [
    path("patients/<int:patient_id>/policies/", views.policy_list, name="policy_list"),
    path("patients/<int:patient_id>/eligibility/", login_required(views.EligibilityView.as_view()),
         name="eligibility"),
    path("claims/<int:invoice_id>/", views.claim_detail, name="claim_detail"),
]
