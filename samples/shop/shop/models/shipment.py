"""Shipments, parcels and carrier tracking events."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import relationship

from shop.db import Base


class Shipment(Base):
    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, nullable=False, unique=True)
    carrier = Column(String(20), nullable=False, default="dpd")
    service_level = Column(String(20), nullable=False, default="standard")
    status = Column(String(16), nullable=False, default="draft", index=True)
    tracking_number = Column(String(64), index=True)
    label_url = Column(String(500))
    ship_to = Column(JSON, nullable=False)
    packing_list = Column(JSON, nullable=False, default=list)
    weight_grams = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime(timezone=True), server_default=func.now())
    dispatched_at = Column(DateTime(timezone=True))
    delivered_at = Column(DateTime(timezone=True))

    events = relationship("TrackingEvent", back_populates="shipment", order_by="TrackingEvent.occurred_at")


class TrackingEvent(Base):
    __tablename__ = "tracking_events"

    id = Column(Integer, primary_key=True)
    shipment_id = Column(Integer, ForeignKey("shipments.id"), nullable=False, index=True)
    code = Column(String(24), nullable=False)
    description = Column(String(200))
    location = Column(String(120))
    occurred_at = Column(DateTime(timezone=True), nullable=False)

    shipment = relationship("Shipment", back_populates="events")


class ShippingRate(Base):
    __tablename__ = "shipping_rates"

    id = Column(Integer, primary_key=True)
    zone = Column(String(8), nullable=False, index=True)
    max_weight_grams = Column(Integer, nullable=False)
    price_cents = Column(Integer, nullable=False)
