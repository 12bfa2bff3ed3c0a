"""Carrier tracking poller."""

from __future__ import annotations

import json
import logging

import boto3
from sqlalchemy import text

from shop.celery_app import celery
from shop.config import get_config
from shop.db import SessionLocal, get_session
from shop.repositories.shipment_repository import ShipmentRepository
from shop.services import shipping_service
from shop.services.carrier_client import CarrierClient, CarrierError

log = logging.getLogger(__name__)

BATCH_SIZE = 200

_MARK_ORDER_DELIVERED = text(
    "UPDATE orders SET status = 'delivered' WHERE id = :order_id AND status IN ('paid', 'shipped')"
)

_sqs = boto3.client("sqs")


def _publish_tracking(order_id: int, status: str, description: str) -> None:
    """Feed the live-tracking queue read by the websocket gateway."""
    _sqs.send_message(
        QueueUrl=get_config().tracking_queue_url,
        MessageBody=json.dumps({"order_id": order_id, "status": status, "description": description}),
    )


@celery.task(name="shipping.poll_carrier_tracking", ignore_result=True, soft_time_limit=600)
def poll_carrier_tracking() -> dict[str, int]:
    """Fetch new carrier events for parcels in transit (one bounded batch)."""
    session = get_session()
    client = CarrierClient(timeout=5.0)
    stats = {"checked": 0, "events": 0, "delivered": 0, "errors": 0}
    try:
        for shipment in ShipmentRepository(session).in_transit(limit=BATCH_SIZE):
            stats["checked"] += 1
            try:
                updates = client.tracking(shipment.tracking_number)
            except CarrierError as exc:
                stats["errors"] += 1
                log.warning("tracking %s failed: %s", shipment.tracking_number, exc)
                continue
            for update in updates:
                delivered = shipping_service.record_tracking_event(shipment, update)
                stats["events"] += 1
                _publish_tracking(shipment.order_id, shipment.status, update.description)
                if delivered:
                    # The orders table is updated directly so the order page flips
                    # to "delivered" without waiting for the nightly sync.
                    session.execute(_MARK_ORDER_DELIVERED, {"order_id": shipment.order_id})
                    stats["delivered"] += 1
            session.commit()
    finally:
        SessionLocal.remove()
    log.info("tracking poll: %s", stats)
    return stats
