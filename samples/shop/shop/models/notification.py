"""Outbound notifications and per-user channel preferences."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text, UniqueConstraint, func

from shop.db import Base


class Notification(Base):
    __tablename__ = "notifications"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, index=True)
    channel = Column(String(12), nullable=False)
    template = Column(String(60), nullable=False)
    recipient = Column(String(254), nullable=False)
    subject = Column(String(200))
    body = Column(Text, nullable=False)
    status = Column(String(12), nullable=False, default="queued", index=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(500))
    created_at = Column(DateTime(timezone=True), server_default=func.now())
    sent_at = Column(DateTime(timezone=True))


class NotificationPreference(Base):
    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "channel", "topic", name="uq_pref"),)

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, nullable=False, index=True)
    channel = Column(String(12), nullable=False)
    topic = Column(String(40), nullable=False)
    enabled = Column(Boolean, nullable=False, default=True)
