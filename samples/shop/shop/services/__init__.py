"""Business logic layer."""
