"""Stock levels, reservations and adjustments across warehouses."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from shop.config import get_config
from shop.db import get_session, session_scope
from shop.models.stock import Reservation, StockItem
from shop.repositories.stock_repository import ReservationRepository, StockRepository
from shop.utils.timeutil import minutes_ago
from shop.utils.validation import ValidationError, validate_sku

log = logging.getLogger(__name__)

ADJUSTMENT_REASONS = ("receipt", "count", "damage", "return", "correction")


@dataclass(frozen=True)
class LowStockItem:
    sku: str
    available: int
    threshold: int


def get_available_quantity(sku: str) -> int:
    """Units of ``sku`` that can still be sold across all warehouses."""
    return StockRepository(get_session()).available_by_sku([sku]).get(sku, 0)


def get_available_quantities(skus: Iterable[str]) -> dict[str, int]:
    return StockRepository(get_session()).available_by_sku(skus)


def reserve_stock(sku: str, quantity: int, order_id: int) -> None:
    """Hold ``quantity`` units for an order, warehouse by warehouse.

    Whatever cannot be held is recorded as a backorder on the highest
    priority warehouse; the order is never rejected here.
    """
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    with session_scope() as session:
        stock = StockRepository(session)
        reservations = ReservationRepository(session)
        items = stock.items_for_sku(sku, for_update=True)
        if not items:
            log.error("reserve %s x%d for order %s: sku not stocked anywhere", sku, quantity, order_id)
            return
        remaining = quantity
        for item in items:
            if remaining == 0:
                break
            take = min(item.available, remaining)
            if take <= 0:
                continue
            item.reserved += take
            reservations.add(
                Reservation(sku=sku, order_id=order_id, stock_item_id=item.id, quantity=take, status="held")
            )
            remaining -= take
        if remaining:
            items[0].backordered += remaining
            log.warning("order %s: %d x %s backordered", order_id, remaining, sku)
        stock.record_movement(sku, -quantity, "reservation", reference=f"order:{order_id}")


def release_stock(sku: str, quantity: int, order_id: int) -> None:
    """Give back units held for an order (cancellation or expiry)."""
    with session_scope() as session:
        reservations = ReservationRepository(session)
        stock = StockRepository(session)
        to_release = quantity
        for reservation in reservations.held_for_order(order_id, sku=sku):
            if to_release <= 0:
                break
            amount = min(reservation.quantity, to_release)
            if reservation.stock_item is not None:
                reservation.stock_item.reserved = max(reservation.stock_item.reserved - amount, 0)
            reservation.quantity -= amount
            if reservation.quantity == 0:
                reservation.status = "released"
            to_release -= amount
        if to_release:
            log.warning("order %s: %d x %s was never reserved; nothing to release", order_id, to_release, sku)
        stock.record_movement(sku, quantity - to_release, "release", reference=f"order:{order_id}")


def adjust_stock(sku: str, warehouse_id: int, delta: int, reason: str) -> StockItem:
    """Manual stock correction by warehouse staff."""
    sku = validate_sku(sku)
    if reason not in ADJUSTMENT_REASONS:
        raise ValidationError({"reason": f"must be one of {', '.join(ADJUSTMENT_REASONS)}"})
    with session_scope() as session:
        stock = StockRepository(session)
        item = next((i for i in stock.items_for_sku(sku, for_update=True) if i.warehouse_id == warehouse_id), None)
        if item is None:
            item = StockItem(sku=sku, warehouse_id=warehouse_id, on_hand=0, reserved=0)
            stock.add(item)
        if item.on_hand + delta < item.reserved:
            raise ValidationError({"delta": "would leave fewer units on hand than are reserved"})
        item.on_hand += delta
        if delta > 0 and item.backordered:
            filled = min(item.backordered, delta)
            item.backordered -= filled
            log.info("%s: %d backordered units can now be filled", sku, filled)
        stock.record_movement(sku, delta, reason)
        return item


def transfer_stock(sku: str, from_warehouse_id: int, to_warehouse_id: int, quantity: int) -> None:
    """Move unreserved units between warehouses (recorded as two movements)."""
    if from_warehouse_id == to_warehouse_id:
        raise ValidationError({"to_warehouse_id": "must differ from the source warehouse"})
    if quantity <= 0:
        raise ValidationError({"quantity": "must be positive"})
    with session_scope() as session:
        stock = StockRepository(session)
        items = {item.warehouse_id: item for item in stock.items_for_sku(sku, for_update=True)}
        source = items.get(from_warehouse_id)
        if source is None or source.available < quantity:
            raise ValidationError({"quantity": f"only {source.available if source else 0} unreserved units to move"})
        target = items.get(to_warehouse_id)
        if target is None:
            target = StockItem(sku=sku, warehouse_id=to_warehouse_id, on_hand=0, reserved=0)
            stock.add(target)
        source.on_hand -= quantity
        target.on_hand += quantity
        reference = f"transfer:{from_warehouse_id}->{to_warehouse_id}"
        stock.record_movement(sku, -quantity, "transfer_out", reference)
        stock.record_movement(sku, quantity, "transfer_in", reference)
    log.info("moved %d x %s from warehouse %s to %s", quantity, sku, from_warehouse_id, to_warehouse_id)


def find_low_stock() -> list[LowStockItem]:
    threshold = get_config().low_stock_threshold
    rows = StockRepository(get_session()).below_threshold(threshold)
    return [LowStockItem(sku=sku, available=available, threshold=threshold) for sku, available in rows]


def release_stale_reservations() -> int:
    """Free reservations whose order never got paid; returns how many were released."""
    cutoff = minutes_ago(get_config().reservation_ttl_minutes)
    released = 0
    with session_scope() as session:
        for reservation in ReservationRepository(session).stale(cutoff):
            if reservation.stock_item is not None:
                reservation.stock_item.reserved = max(reservation.stock_item.reserved - reservation.quantity, 0)
            reservation.status = "expired"
            released += 1
    if released:
        log.info("expired %d stale reservations", released)
    return released


def warehouse_summary() -> list[dict[str, object]]:
    summary = []
    for warehouse in StockRepository(get_session()).warehouses():
        units = sum(item.on_hand for item in warehouse.stock_items)
        held = sum(item.reserved for item in warehouse.stock_items)
        summary.append({"code": warehouse.code, "name": warehouse.name, "on_hand": units, "reserved": held})
    return summary
