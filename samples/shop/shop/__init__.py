"""Shop backend: a layered Flask + SQLAlchemy monolith.

The package is organised by technical layer (``api``, ``services``,
``repositories``, ``models``, ``tasks``, ``utils``).  The application object
is built by :func:`shop.app.create_app`; background work runs on the Celery
instance in :mod:`shop.celery_app`.
"""

__version__ = "3.14.2"
