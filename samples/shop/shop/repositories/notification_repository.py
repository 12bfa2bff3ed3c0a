"""Queries over notifications and notification preferences."""

from __future__ import annotations

from shop.models.notification import Notification, NotificationPreference
from shop.repositories.base import BaseRepository


class NotificationRepository(BaseRepository[Notification]):
    model = Notification

    def queued(self, limit: int = 100) -> list[Notification]:
        return (
            self.session.query(Notification)
            .filter(Notification.status == "queued")
            .order_by(Notification.created_at)
            .limit(limit)
            .all()
        )

    def for_user(self, user_id: int):
        return (
            self.session.query(Notification)
            .filter(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc())
        )


class PreferenceRepository(BaseRepository[NotificationPreference]):
    model = NotificationPreference

    def for_user(self, user_id: int) -> list[NotificationPreference]:
        return self.session.query(NotificationPreference).filter(NotificationPreference.user_id == user_id).all()

    def is_enabled(self, user_id: int, channel: str, topic: str) -> bool:
        pref = (
            self.session.query(NotificationPreference)
            .filter(
                NotificationPreference.user_id == user_id,
                NotificationPreference.channel == channel,
                NotificationPreference.topic == topic,
            )
            .one_or_none()
        )
        return True if pref is None else bool(pref.enabled)

    def upsert(self, user_id: int, channel: str, topic: str, enabled: bool) -> NotificationPreference:
        pref = (
            self.session.query(NotificationPreference)
            .filter_by(user_id=user_id, channel=channel, topic=topic)
            .one_or_none()
        )
        if pref is None:
            pref = NotificationPreference(user_id=user_id, channel=channel, topic=topic)
            self.session.add(pref)
        pref.enabled = enabled
        return pref
