"""Outbound patient messaging: SMS and email, templates and a delivery log."""
