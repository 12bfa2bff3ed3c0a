"""Notification preference endpoints."""

from __future__ import annotations

from flask import Blueprint

from shop.db import get_session
from shop.repositories.notification_repository import NotificationRepository
from shop.services import auth_service, notification_service
from shop.utils.http import ApiError, json_body, ok
from shop.utils.pagination import page_args, paginate

bp = Blueprint("notifications", __name__)


@bp.get("/me/notification-preferences")
def get_preferences():
    user_id = auth_service.current_user_id()
    return ok(notification_service.preferences(user_id))


@bp.put("/me/notification-preferences")
def put_preferences():
    user_id = auth_service.current_user_id()
    changes = json_body()
    if not all(isinstance(value, bool) for value in changes.values()):
        raise ApiError(422, "validation_failed", "preferences must be true or false")
    try:
        return ok(notification_service.update_preferences(user_id, changes))
    except ValueError as err:
        raise ApiError(422, "validation_failed", str(err)) from err


@bp.get("/me/notifications")
def list_notifications():
    user_id = auth_service.current_user_id()
    page, per_page = page_args()
    result = paginate(NotificationRepository(get_session()).for_user(user_id), page, per_page)
    return ok(
        result.to_dict(
            lambda n: {"id": n.id, "subject": n.subject, "status": n.status, "created_at": n.created_at.isoformat()}
        )
    )
