"""URL routes for medical records."""
from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("patients/<int:patient_id>/chart/", views.chart_view, name="chart"),
    path("notes/<int:pk>/", views.VisitNoteDetailView.as_view(), name="note_detail"),
    path("notes/<int:pk>/sign/", views.sign_note, name="sign_note"),
]
