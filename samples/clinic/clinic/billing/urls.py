"""URL routes for billing."""
from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("invoices/", views.InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pay/", views.pay_invoice, name="pay_invoice"),
    path("invoices/<int:pk>/void/", views.void_invoice, name="void_invoice"),
    path("patients/<int:patient_id>/statement/", views.request_statement, name="request_statement"),
    path("webhooks/payments/", views.PaymentWebhookView.as_view(), name="payment_webhook"),
]
