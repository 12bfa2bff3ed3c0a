"""Queries over payments, refunds, ledger entries and payouts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func

from shop.models.payment import LedgerEntry, Payment, Payout, Refund
from shop.repositories.base import BaseRepository


class PaymentRepository(BaseRepository[Payment]):
    model = Payment

    def for_order(self, order_id: int) -> Payment | None:
        return (
            self.session.query(Payment)
            .filter(Payment.order_id == order_id)
            .order_by(Payment.created_at.desc())
            .first()
        )

    def by_provider_ref(self, ref: str) -> Payment | None:
        return self.session.query(Payment).filter(Payment.provider_ref == ref).one_or_none()

    def captured_between(self, start: datetime, end: datetime) -> list[Payment]:
        return (
            self.session.query(Payment)
            .filter(Payment.captured_at >= start, Payment.captured_at < end)
            .order_by(Payment.captured_at)
            .all()
        )

    def add_refund(self, refund: Refund) -> Refund:
        self.session.add(refund)
        self.session.flush()
        return refund

    def add_payout(self, payout: Payout) -> None:
        self.session.add(payout)


class LedgerRepository(BaseRepository[LedgerEntry]):
    model = LedgerEntry

    def next_sequence(self) -> int:
        current = self.session.query(func.max(LedgerEntry.sequence)).scalar()
        return (current or 0) + 1

    def balance(self, account: str) -> int:
        debit, credit = (
            self.session.query(
                func.coalesce(func.sum(LedgerEntry.debit_cents), 0),
                func.coalesce(func.sum(LedgerEntry.credit_cents), 0),
            )
            .filter(LedgerEntry.account == account)
            .one()
        )
        return int(debit) - int(credit)
