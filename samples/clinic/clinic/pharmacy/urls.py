"""URL routes for the pharmacy."""
from django.urls import path

from . import views

app_name = "pharmacy"

urlpatterns = [
    path("prescriptions/", views.prescribe, name="prescribe"),
    path("prescriptions/queue/", views.DispensingQueueView.as_view(), name="queue"),
    path("prescriptions/<int:pk>/", views.prescription_detail, name="prescription_detail"),
    path("prescriptions/<int:pk>/dispense/", views.dispense, name="dispense"),
    path("prescriptions/<int:pk>/cancel/", views.cancel, name="cancel"),
]
