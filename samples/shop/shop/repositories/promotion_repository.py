"""Queries over coupons and redemptions."""

from __future__ import annotations

from shop.models.promotion import Coupon, CouponRedemption
from shop.repositories.base import BaseRepository


class PromotionRepository(BaseRepository[Coupon]):
    model = Coupon

    def by_code(self, code: str) -> Coupon | None:
        return self.session.query(Coupon).filter(Coupon.code == code.upper()).one_or_none()

    def redemption_count(self, coupon_id: int) -> int:
        return self.session.query(CouponRedemption).filter(CouponRedemption.coupon_id == coupon_id).count()

    def redemption_for_order(self, order_id: int) -> CouponRedemption | None:
        return (
            self.session.query(CouponRedemption)
            .filter(CouponRedemption.order_id == order_id)
            .one_or_none()
        )

    def add_redemption(self, redemption: CouponRedemption) -> None:
        self.session.add(redemption)

    def active(self) -> list[Coupon]:
        return self.session.query(Coupon).filter(Coupon.is_active.is_(True)).order_by(Coupon.code).all()
