"""Orders and order lines."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import relationship

from shop.db import Base

ORDER_STATUSES = ("pending", "authorised", "paid", "shipped", "delivered", "cancelled")


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    number = Column(String(20), unique=True, nullable=False)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    address_id = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False, default="pending", index=True)
    currency = Column(String(3), nullable=False, default="EUR")
    subtotal_cents = Column(Integer, nullable=False)
    discount_cents = Column(Integer, nullable=False, default=0)
    shipping_cents = Column(Integer, nullable=False, default=0)
    total_cents = Column(Integer, nullable=False)
    coupon_code = Column(String(32))
    placed_at = Column(DateTime(timezone=True), server_default=func.now(), index=True)
    paid_at = Column(DateTime(timezone=True))
    cancelled_at = Column(DateTime(timezone=True))
    cancel_reason = Column(String(200))

    lines = relationship(
        "OrderLine", back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.position"
    )

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    def is_cancellable(self) -> bool:
        return self.status in ("pending", "authorised", "paid")


class OrderLine(Base):
    __tablename__ = "order_lines"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    product_id = Column(Integer, nullable=False)
    sku = Column(String(32), nullable=False)
    title = Column(String(200), nullable=False)
    quantity = Column(Integer, nullable=False)
    unit_price_cents = Column(Integer, nullable=False)

    order = relationship("Order", back_populates="lines")

    @property
    def line_total_cents(self) -> int:
        return self.quantity * self.unit_price_cents
