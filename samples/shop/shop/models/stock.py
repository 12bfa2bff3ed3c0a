"""Inventory: warehouses, stock levels and reservations."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import relationship

from shop.db import Base


class Warehouse(Base):
    __tablename__ = "warehouses"

    id = Column(Integer, primary_key=True)
    code = Column(String(12), unique=True, nullable=False)
    name = Column(String(120), nullable=False)
    country = Column(String(2), nullable=False)
    priority = Column(Integer, nullable=False, default=100)

    stock_items = relationship("StockItem", back_populates="warehouse")


class StockItem(Base):
    __tablename__ = "stock_items"
    __table_args__ = (UniqueConstraint("sku", "warehouse_id", name="uq_stock_sku_warehouse"),)

    id = Column(Integer, primary_key=True)
    sku = Column(String(32), nullable=False, index=True)
    warehouse_id = Column(Integer, ForeignKey("warehouses.id"), nullable=False)
    on_hand = Column(Integer, nullable=False, default=0)
    reserved = Column(Integer, nullable=False, default=0)
    backordered = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())

    warehouse = relationship("Warehouse", back_populates="stock_items")

    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved, 0)


class Reservation(Base):
    __tablename__ = "stock_reservations"

    id = Column(Integer, primary_key=True)
    sku = Column(String(32), nullable=False, index=True)
    order_id = Column(Integer, nullable=False, index=True)
    stock_item_id = Column(Integer, ForeignKey("stock_items.id"))
    quantity = Column(Integer, nullable=False)
    status = Column(String(16), nullable=False, default="held")
    created_at = Column(DateTime(timezone=True), server_default=func.now())

    stock_item = relationship("StockItem")


class StockMovement(Base):
    __tablename__ = "stock_movements"

    id = Column(Integer, primary_key=True)
    sku = Column(String(32), nullable=False, index=True)
    delta = Column(Integer, nullable=False)
    reason = Column(String(40), nullable=False)
    reference = Column(String(64))
    created_at = Column(DateTime(timezone=True), server_default=func.now())
