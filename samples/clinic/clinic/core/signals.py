"""Custom domain signals.

Apps send these instead of calling each other directly when a business event happens;
interested apps subscribe with ``@receiver`` in their ``receivers.py``.
"""
from django.dispatch import Signal

#: Sent by appointments when a visit is closed out.
#: kwargs: appointment, notes, diagnosis_codes, procedure_codes, medication_orders, lab_orders
appointment_completed = Signal()

#: Sent by billing when an invoice is paid in full.
#: kwargs: invoice, payment
invoice_paid = Signal()
