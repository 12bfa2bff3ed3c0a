"""Double-entry bookkeeping for money movements."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from shop.models.payment import LedgerEntry, Payment, Payout, Refund
from shop.repositories.payment_repository import LedgerRepository

log = logging.getLogger(__name__)

CASH_AT_PSP = "asset:psp_balance"
BANK = "asset:bank"
CUSTOMER_RECEIPTS = "liability:customer_receipts"
PSP_FEES = "expense:psp_fees"
REFUNDS = "contra:refunds"


class UnbalancedPosting(ValueError):
    """Debits and credits of a posting do not add up."""


@dataclass(frozen=True)
class Leg:
    account: str
    debit_cents: int = 0
    credit_cents: int = 0


class Ledger:
    """Appends balanced postings; entries are never updated or deleted."""

    def __init__(self, session: Session):
        self.session = session
        self.entries = LedgerRepository(session)

    def post(self, legs: list[Leg], memo: str, payment_id: int | None = None) -> list[LedgerEntry]:
        debits = sum(leg.debit_cents for leg in legs)
        credits = sum(leg.credit_cents for leg in legs)
        if debits != credits:
            raise UnbalancedPosting(f"{memo}: debits {debits} != credits {credits}")
        if debits == 0:
            raise UnbalancedPosting(f"{memo}: empty posting")
        sequence = self.entries.next_sequence()
        created: list[LedgerEntry] = []
        for offset, leg in enumerate(legs):
            entry = LedgerEntry(
                payment_id=payment_id,
                account=leg.account,
                debit_cents=leg.debit_cents,
                credit_cents=leg.credit_cents,
                memo=memo,
                sequence=sequence + offset,
            )
            self.session.add(entry)
            created.append(entry)
        log.debug("posted %s (%d legs, %d cents)", memo, len(legs), debits)
        return created

    def record_capture(self, payment: Payment, amount_cents: int) -> None:
        self.post(
            [Leg(CASH_AT_PSP, debit_cents=amount_cents), Leg(CUSTOMER_RECEIPTS, credit_cents=amount_cents)],
            memo=f"capture payment {payment.id} order {payment.order_id}",
            payment_id=payment.id,
        )

    def record_refund(self, refund: Refund) -> None:
        self.post(
            [Leg(REFUNDS, debit_cents=refund.amount_cents), Leg(CASH_AT_PSP, credit_cents=refund.amount_cents)],
            memo=f"refund {refund.id} of payment {refund.payment_id}",
            payment_id=refund.payment_id,
        )

    def record_payout(self, payout: Payout) -> None:
        legs = [Leg(BANK, debit_cents=payout.net_cents)]
        if payout.fees_cents:
            legs.append(Leg(PSP_FEES, debit_cents=payout.fees_cents))
        legs.append(Leg(CASH_AT_PSP, credit_cents=payout.gross_cents))
        self.post(legs, memo=f"payout {payout.settlement_date:%Y-%m-%d}")

    def balance(self, account: str) -> int:
        return self.entries.balance(account)
