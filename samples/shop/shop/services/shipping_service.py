"""Shipping quotes, shipment creation, dispatch and tracking."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from shop.db import get_session, session_scope
from shop.events import order_placed
from shop.models.shipment import Shipment, TrackingEvent
from shop.repositories.base import NotFoundError
from shop.repositories.shipment_repository import RateRepository, ShipmentRepository
from shop.services import account_service, catalog_service
from shop.services.carrier_client import CarrierClient, CarrierError, TrackingUpdate
from shop.tasks import notification_tasks
from shop.utils.timeutil import utcnow

if TYPE_CHECKING:
    from shop.models.order import Order

log = logging.getLogger(__name__)

_ZONES = {
    "GB": "UK",
    "IE": "EU1",
    "FR": "EU1",
    "DE": "EU1",
    "NL": "EU1",
    "BE": "EU1",
    "ES": "EU2",
    "IT": "EU2",
    "PT": "EU2",
    "PL": "EU2",
}
PACKAGING_GRAMS = 250
FREE_SHIPPING_ZONES = {"UK"}


def zone_for(country: str) -> str:
    return _ZONES.get(country.upper(), "WORLD")


def quote_shipping(postcode: str, country: str, weight_grams: int) -> int:
    """Cheapest shipping price in cents for a parcel of the given weight."""
    parcel = weight_grams + PACKAGING_GRAMS
    zone = zone_for(country)
    rate = RateRepository(get_session()).cheapest_for(zone, parcel)
    if rate is not None:
        if zone in FREE_SHIPPING_ZONES and parcel <= 2_000:
            return 0
        return int(rate.price_cents)
    log.info("no table rate for %s/%dg; asking the carrier", zone, parcel)
    try:
        live = CarrierClient().rates(postcode, country, parcel)
    except CarrierError as exc:
        raise ValueError(f"cannot ship {parcel}g to {country}: {exc}") from exc
    if not live:
        raise ValueError(f"no carrier service to {country} for {parcel}g")
    return int(live[0]["price_cents"])


def build_packing_list(order: Order) -> tuple[list[dict[str, Any]], int]:
    """Pick list for the warehouse and the parcel weight for one order."""
    weights = catalog_service.get_product_weights([line.product_id for line in order.lines])
    packing: list[dict[str, Any]] = []
    total = PACKAGING_GRAMS
    for line in order.lines:
        unit_weight = weights.get(line.product_id, 0)
        if unit_weight == 0:
            log.warning("order %s: %s has no weight; label may be underpaid", order.number, line.sku)
        packing.append({"sku": line.sku, "title": line.title, "quantity": line.quantity})
        total += unit_weight * line.quantity
    return packing, total


@order_placed.connect
def on_order_placed(sender: object, *, order_id: int, user_id: int, **_: Any) -> None:
    """Open a draft shipment for every new order."""
    from shop.services import order_service

    order = order_service.get_order(order_id)
    address = account_service.get_address(user_id, order.address_id)
    packing, weight = build_packing_list(order)
    with session_scope() as session:
        shipments = ShipmentRepository(session)
        if shipments.for_order(order_id) is not None:
            log.info("shipment for order %s already exists", order_id)
            return
        shipments.add(
            Shipment(order_id=order_id, ship_to=address, packing_list=packing, weight_grams=weight, status="draft")
        )
    log.info("draft shipment created for order %s (%dg)", order_id, weight)


def dispatch_shipment(shipment_id: int, service_level: str = "standard") -> Shipment:
    """Buy a label from the carrier and mark the parcel as handed over."""
    session = get_session()
    shipment = ShipmentRepository(session).get(shipment_id)
    if shipment is None:
        raise NotFoundError(f"shipment {shipment_id} not found")
    if shipment.status != "draft":
        raise ValueError(f"shipment {shipment_id} is already {shipment.status}")
    label = CarrierClient().create_label(
        reference=f"order-{shipment.order_id}",
        ship_to=shipment.ship_to,
        weight_grams=shipment.weight_grams,
        service_level=service_level,
    )
    shipment.tracking_number = label.tracking_number
    shipment.label_url = label.label_url
    shipment.service_level = service_level
    shipment.status = "dispatched"
    shipment.dispatched_at = utcnow()
    session.commit()
    notification_tasks.send_shipping_update.apply_async(
        args=[shipment.order_id, "dispatched", label.tracking_number], countdown=60
    )
    return shipment


def record_tracking_event(shipment: Shipment, update: TrackingUpdate) -> bool:
    """Store a carrier event; returns True when it marks the parcel delivered."""
    shipments = ShipmentRepository(get_session())
    if shipments.has_event(shipment.id, update.code, update.occurred_at):
        return False
    shipments.add_event(
        TrackingEvent(
            shipment_id=shipment.id,
            code=update.code,
            description=update.description,
            location=update.location,
            occurred_at=update.occurred_at,
        )
    )
    if update.is_delivered:
        shipment.status = "delivered"
        shipment.delivered_at = update.occurred_at
        return True
    if shipment.status == "dispatched":
        shipment.status = "in_transit"
    return False


def tracking_for_order(order_id: int) -> dict[str, Any]:
    shipment = ShipmentRepository(get_session()).for_order(order_id)
    if shipment is None:
        raise NotFoundError(f"no shipment for order {order_id}")
    return {
        "status": shipment.status,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "events": [
            {"code": e.code, "description": e.description, "location": e.location, "at": e.occurred_at.isoformat()}
            for e in shipment.events
        ],
    }
