"""URL routes for scheduling."""
from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("", views.book, name="book"),
    path("<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("providers/<int:provider_id>/slots/", views.available_slots, name="available_slots"),
    path("providers/<int:provider_id>/day/", views.ProviderDayView.as_view(), name="provider_day"),
]
