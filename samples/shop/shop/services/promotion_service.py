"""Coupons: validation, discount calculation and redemption."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.db import get_session, session_scope
from shop.models.promotion import Coupon, CouponRedemption
from shop.repositories.promotion_repository import PromotionRepository
from shop.utils.ids import short_code
from shop.utils.money import percent_of, to_cents
from shop.utils.timeutil import utcnow
from shop.utils.validation import ValidationError, one_of

log = logging.getLogger(__name__)


class CouponRejected(ValueError):
    """The coupon exists but cannot be used for this basket."""


class CouponEngine:
    """Evaluates coupons against a basket; bound to one session."""

    def __init__(self, session: Session):
        self.session = session
        self.coupons = PromotionRepository(session)

    def _load(self, code: str) -> Coupon:
        coupon = self.coupons.by_code(code)
        if coupon is None or not coupon.is_active:
            raise CouponRejected(f"coupon {code} does not exist")
        return coupon

    def validate(self, coupon: Coupon, subtotal_cents: int, user_id: int) -> None:
        from shop.services import order_service

        now = utcnow()
        if coupon.valid_from and now < coupon.valid_from:
            raise CouponRejected("coupon is not valid yet")
        if coupon.valid_until and now > coupon.valid_until:
            raise CouponRejected("coupon has expired")
        if subtotal_cents < coupon.min_subtotal_cents:
            raise CouponRejected("basket is below the coupon minimum")
        if coupon.max_redemptions is not None and self.coupons.redemption_count(coupon.id) >= coupon.max_redemptions:
            raise CouponRejected("coupon has been used up")
        if coupon.first_order_only and order_service.count_orders_for_user(user_id) > 0:
            raise CouponRejected("coupon is only valid on a first order")

    def discount_for(self, coupon: Coupon, subtotal_cents: int) -> int:
        if coupon.kind == "percent":
            return min(percent_of(subtotal_cents, Decimal(coupon.percent_off)), subtotal_cents)
        return min(int(coupon.amount_off_cents or 0), subtotal_cents)

    def apply(self, code: str, subtotal_cents: int, user_id: int) -> int:
        """Discount in cents that ``code`` gives on this basket."""
        coupon = self._load(code)
        self.validate(coupon, subtotal_cents, user_id)
        return self.discount_for(coupon, subtotal_cents)

    def redeem(self, code: str, order_id: int, user_id: int) -> None:
        """Record that an order used the coupon (idempotent per order)."""
        coupon = self._load(code)
        if self.coupons.redemption_for_order(order_id) is not None:
            log.info("order %s already redeemed a coupon", order_id)
            return
        self.coupons.add_redemption(CouponRedemption(coupon_id=coupon.id, order_id=order_id, user_id=user_id))
        try:
            self.session.commit()
        except IntegrityError:
            self.session.rollback()
            log.warning("duplicate redemption of %s for order %s ignored", code, order_id)


def redeem_coupon(code: str, order_id: int, user_id: int) -> None:
    """Record a coupon redemption for a placed order."""
    with session_scope() as session:
        CouponEngine(session).redeem(code, order_id, user_id)


def create_coupon(payload: dict[str, Any]) -> Coupon:
    kind = one_of(payload.get("kind", ""), "kind", ("percent", "fixed"))
    coupon = Coupon(
        code=(payload.get("code") or short_code(8)).upper(),
        kind=kind,
        min_subtotal_cents=to_cents(payload.get("min_subtotal", 0)),
        max_redemptions=payload.get("max_redemptions"),
        first_order_only=bool(payload.get("first_order_only", False)),
        valid_from=payload.get("valid_from"),
        valid_until=payload.get("valid_until"),
    )
    if kind == "percent":
        percent = Decimal(str(payload.get("percent_off", 0)))
        if not Decimal(0) < percent <= Decimal(100):
            raise ValidationError({"percent_off": "must be between 0 and 100"})
        coupon.percent_off = percent
    else:
        coupon.amount_off_cents = to_cents(payload.get("amount_off", 0))
        if coupon.amount_off_cents <= 0:
            raise ValidationError({"amount_off": "must be positive"})
    with session_scope() as session:
        repo = PromotionRepository(session)
        if repo.by_code(coupon.code) is not None:
            raise ValidationError({"code": "already exists"})
        repo.add(coupon)
    log.info("created coupon %s (%s)", coupon.code, kind)
    return coupon


def deactivate_coupon(code: str) -> None:
    with session_scope() as session:
        coupon = PromotionRepository(session).by_code(code)
        if coupon is None:
            raise ValidationError({"code": "unknown coupon"})
        coupon.is_active = False


def list_active_coupons() -> list[dict[str, Any]]:
    repo = PromotionRepository(get_session())
    return [
        {
            "code": coupon.code,
            "kind": coupon.kind,
            "percent_off": str(coupon.percent_off) if coupon.percent_off is not None else None,
            "amount_off_cents": coupon.amount_off_cents,
            "redemptions": repo.redemption_count(coupon.id),
            "max_redemptions": coupon.max_redemptions,
        }
        for coupon in repo.active()
    ]
