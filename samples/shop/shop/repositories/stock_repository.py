"""Queries over stock levels, reservations and stock movements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func

from shop.models.stock import Reservation, StockItem, StockMovement, Warehouse
from shop.repositories.base import BaseRepository


class StockRepository(BaseRepository[StockItem]):
    model = StockItem

    def items_for_sku(self, sku: str, for_update: bool = False) -> list[StockItem]:
        query = (
            self.session.query(StockItem)
            .join(Warehouse, Warehouse.id == StockItem.warehouse_id)
            .filter(StockItem.sku == sku)
            .order_by(Warehouse.priority)
        )
        if for_update:
            query = query.with_for_update()
        return query.all()

    def available_by_sku(self, skus: Iterable[str]) -> dict[str, int]:
        wanted = list(skus)
        if not wanted:
            return {}
        rows = (
            self.session.query(StockItem.sku, func.sum(StockItem.on_hand - StockItem.reserved).label("available"))
            .filter(StockItem.sku.in_(wanted))
            .group_by(StockItem.sku)
            .all()
        )
        found = {row.sku: max(int(row.available or 0), 0) for row in rows}
        return {sku: found.get(sku, 0) for sku in wanted}

    def below_threshold(self, threshold: int) -> list[tuple[str, int]]:
        rows = (
            self.session.query(StockItem.sku, func.sum(StockItem.on_hand - StockItem.reserved).label("available"))
            .group_by(StockItem.sku)
            .having(func.sum(StockItem.on_hand - StockItem.reserved) < threshold)
            .all()
        )
        return [(row.sku, int(row.available)) for row in rows]

    def record_movement(self, sku: str, delta: int, reason: str, reference: str | None = None) -> None:
        self.session.add(StockMovement(sku=sku, delta=delta, reason=reason, reference=reference))

    def warehouses(self) -> list[Warehouse]:
        return self.session.query(Warehouse).order_by(Warehouse.priority).all()


class ReservationRepository(BaseRepository[Reservation]):
    model = Reservation

    def held_for_order(self, order_id: int, sku: str | None = None) -> list[Reservation]:
        query = self.session.query(Reservation).filter(
            Reservation.order_id == order_id, Reservation.status == "held"
        )
        if sku is not None:
            query = query.filter(Reservation.sku == sku)
        return query.all()

    def stale(self, older_than: datetime) -> list[Reservation]:
        return (
            self.session.query(Reservation)
            .filter(Reservation.status == "held", Reservation.created_at < older_than)
            .all()
        )
