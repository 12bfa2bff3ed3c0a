"""Queries over orders and their lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import selectinload

from shop.models.order import Order, OrderLine
from .base import BaseRepository


class OrderRepository(BaseRepository[Order]):
    model = Order

    def with_lines(self, order_id: int) -> Order | None:
        return (
            self.session.query(Order)
            .options(selectinload(Order.lines))
            .filter(Order.id == order_id)
            .one_or_none()
        )

    def by_number(self, number: str) -> Order | None:
        return self.session.query(Order).filter(Order.number == number).one_or_none()

    def for_user(self, user_id: int):
        return self.session.query(Order).filter(Order.user_id == user_id).order_by(Order.placed_at.desc())

    def count_for_user(self, user_id: int, exclude_cancelled: bool = True) -> int:
        query = self.session.query(Order).filter(Order.user_id == user_id)
        if exclude_cancelled:
            query = query.filter(Order.status != "cancelled")
        return query.count()

    def unpaid_before(self, cutoff: datetime) -> list[Order]:
        return (
            self.session.query(Order)
            .filter(Order.status.in_(("pending", "authorised")), Order.placed_at < cutoff)
            .all()
        )

    def add_line(self, order: Order, line: OrderLine) -> None:
        line.position = len(order.lines) + 1
        order.lines.append(line)
        self.session.flush()
