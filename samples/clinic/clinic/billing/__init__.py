"""Billing: fee schedule, invoices, payments and the nightly billing run."""
