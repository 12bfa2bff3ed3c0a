"""URL routes for notifications."""
from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("patients/<int:patient_id>/", views.patient_notifications, name="patient_notifications"),
    path("webhooks/delivery/", views.DeliveryStatusWebhookView.as_view(), name="delivery_webhook"),
]
