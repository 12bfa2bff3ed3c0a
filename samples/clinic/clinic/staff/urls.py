"""URL routes for staff and provider schedules."""
from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/<int:pk>/schedule/", views.ProviderScheduleView.as_view(), name="provider_schedule"),
    path("providers/<int:pk>/block/", views.block_time, name="block_time"),
]
