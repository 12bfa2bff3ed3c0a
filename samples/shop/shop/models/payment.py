"""Payments, refunds and the double-entry ledger."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import relationship

from shop.db import Base


class Payment(Base):
    __tablename__ = "payments"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, nullable=False, index=True)
    provider = Column(String(20), nullable=False, default="stripe")
    provider_ref = Column(String(64), unique=True)
    status = Column(String(16), nullable=False, default="authorised")
    amount_cents = Column(Integer, nullable=False)
    captured_cents = Column(Integer, nullable=False, default=0)
    refunded_cents = Column(Integer, nullable=False, default=0)
    currency = Column(String(3), nullable=False, default="EUR")
    created_at = Column(DateTime(timezone=True), server_default=func.now())
    captured_at = Column(DateTime(timezone=True))

    refunds = relationship("Refund", back_populates="payment", cascade="all, delete-orphan")

    @property
    def refundable_cents(self) -> int:
        return self.captured_cents - self.refunded_cents


class Refund(Base):
    __tablename__ = "refunds"

    id = Column(Integer, primary_key=True)
    payment_id = Column(Integer, ForeignKey("payments.id"), nullable=False, index=True)
    provider_ref = Column(String(64))
    amount_cents = Column(Integer, nullable=False)
    reason = Column(String(200))
    created_at = Column(DateTime(timezone=True), server_default=func.now())

    payment = relationship("Payment", back_populates="refunds")


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id = Column(Integer, primary_key=True)
    payment_id = Column(Integer, ForeignKey("payments.id"), index=True)
    account = Column(String(40), nullable=False, index=True)
    debit_cents = Column(Integer, nullable=False, default=0)
    credit_cents = Column(Integer, nullable=False, default=0)
    memo = Column(String(200))
    sequence = Column(Integer, nullable=False)
    created_at = Column(DateTime(timezone=True), server_default=func.now())


class Payout(Base):
    __tablename__ = "payouts"

    id = Column(Integer, primary_key=True)
    settlement_date = Column(DateTime(timezone=True), nullable=False, unique=True)
    gross_cents = Column(Integer, nullable=False)
    fees_cents = Column(Integer, nullable=False)
    net_cents = Column(Integer, nullable=False)
    provider_ref = Column(String(64))
