"""Deferred execution helper on top of Celery.

``enqueue(task, *args)`` is the one sanctioned way for service code to hand
work to a worker without caring about Celery's calling conventions.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, countdown: int | None = None, queue: str | None = None, **kwargs: Any) -> str:
    """Schedule ``task`` with the given arguments and return the Celery task id."""
    if not hasattr(task, "apply_async"):
        raise TypeError(f"{task!r} is not a Celery task; decorate it with @celery.task")
    options: dict[str, Any] = {}
    if countdown is not None:
        options["countdown"] = countdown
    if queue is not None:
        options["queue"] = queue
    result = task.apply_async(args=args, kwargs=kwargs, **options)
    log.info("enqueued %s as %s", getattr(task, "name", task), result.id)
    return result.id
