"""Scheduling: booking, check-in, rescheduling, cancellation and visit completion."""
