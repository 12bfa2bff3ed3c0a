"""Queries over shipments, tracking events and shipping rates."""

from __future__ import annotations

from shop.models.shipment import Shipment, ShippingRate, TrackingEvent
from shop.repositories.base import BaseRepository


class ShipmentRepository(BaseRepository[Shipment]):
    model = Shipment

    def for_order(self, order_id: int) -> Shipment | None:
        return self.session.query(Shipment).filter(Shipment.order_id == order_id).one_or_none()

    def by_tracking_number(self, tracking_number: str) -> Shipment | None:
        return self.session.query(Shipment).filter(Shipment.tracking_number == tracking_number).one_or_none()

    def in_transit(self, limit: int = 500) -> list[Shipment]:
        return (
            self.session.query(Shipment)
            .filter(Shipment.status.in_(("dispatched", "in_transit")))
            .order_by(Shipment.dispatched_at)
            .limit(limit)
            .all()
        )

    def add_event(self, event: TrackingEvent) -> None:
        self.session.add(event)

    def has_event(self, shipment_id: int, code: str, occurred_at) -> bool:
        return (
            self.session.query(TrackingEvent.id)
            .filter(
                TrackingEvent.shipment_id == shipment_id,
                TrackingEvent.code == code,
                TrackingEvent.occurred_at == occurred_at,
            )
            .first()
            is not None
        )


class RateRepository(BaseRepository[ShippingRate]):
    model = ShippingRate

    def cheapest_for(self, zone: str, weight_grams: int) -> ShippingRate | None:
        return (
            self.session.query(ShippingRate)
            .filter(ShippingRate.zone == zone, ShippingRate.max_weight_grams >= weight_grams)
            .order_by(ShippingRate.price_cents)
            .first()
        )
