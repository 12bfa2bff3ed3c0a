"""URL routes for the patient registry."""
from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("", views.PatientListView.as_view(), name="patient_list"),
    path("register/", views.register, name="register"),
    path("<int:pk>/", views.patient_detail, name="patient_detail"),
    path("<int:pk>/chart/", views.patient_chart, name="patient_chart"),
    path("<int:pk>/contact/", views.update_contact, name="update_contact"),
    path("<int:pk>/allergies/", views.allergies, name="allergies"),
    path("<int:pk>/deactivate/", views.deactivate, name="deactivate"),
]
