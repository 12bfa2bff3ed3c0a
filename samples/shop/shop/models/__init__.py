"""SQLAlchemy declarative models, one module per aggregate."""
