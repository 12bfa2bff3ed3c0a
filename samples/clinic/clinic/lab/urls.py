"""URL routes for the lab."""
from django.urls import path

from . import views

app_name = "lab"

urlpatterns = [
    path("orders/", views.place_order, name="place_order"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("results/pending/", views.PendingResultsView.as_view(), name="pending_results"),
    path("results/<int:pk>/amend/", views.amend, name="amend_result"),
    path("instruments/<int:instrument_id>/upload/", views.InstrumentUploadView.as_view(), name="instrument_upload"),
]
