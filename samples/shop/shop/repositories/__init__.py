"""Data-access layer: repositories over the SQLAlchemy models."""
