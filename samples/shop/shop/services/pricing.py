"""Turns a cart into priced order lines, discounts and a shipping weight."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from shop.db import get_session
from shop.models.cart import Cart
from shop.services import catalog_service
from shop.services.promotion_service import CouponEngine, CouponRejected
from shop.utils.money import to_cents

log = logging.getLogger(__name__)

MAX_UNITS_PER_LINE = 50


@dataclass(frozen=True)
class PricedLine:
    product_id: int
    sku: str
    title: str
    quantity: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclass
class Quote:
    currency: str
    lines: list[PricedLine] = field(default_factory=list)
    discount_cents: int = 0
    weight_grams: int = 0
    coupon_code: str | None = None
    coupon_error: str | None = None

    @property
    def subtotal_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def total_before_shipping_cents(self) -> int:
        return max(self.subtotal_cents - self.discount_cents, 0)


def cart_weight_grams(cart: Cart) -> int:
    """Total parcel weight for the cart's contents."""
    weights = catalog_service.get_product_weights([item.product_id for item in cart.items])
    return sum(weights[item.product_id] * item.quantity for item in cart.items)


def price_cart(cart: Cart, user_id: int, coupon_code: str | None = None) -> Quote:
    """Price every cart item at today's catalogue price and apply a coupon."""
    quote = Quote(currency="EUR")
    for item in cart.items:
        if item.quantity > MAX_UNITS_PER_LINE:
            raise ValueError(f"at most {MAX_UNITS_PER_LINE} units of {item.sku} per order")
        product = catalog_service.get_product(item.product_id)
        unit_price = catalog_service.get_product_price(item.product_id)
        if quote.lines and product["currency"] != quote.currency:
            raise ValueError("mixed-currency carts are not supported")
        quote.currency = str(product["currency"])
        quote.lines.append(
            PricedLine(
                product_id=item.product_id,
                sku=item.sku,
                title=str(product["title"]),
                quantity=item.quantity,
                unit_price_cents=to_cents(unit_price),
            )
        )
    if coupon_code:
        engine = CouponEngine(get_session())
        try:
            quote.discount_cents = engine.apply(coupon_code, quote.subtotal_cents, user_id)
            quote.coupon_code = coupon_code.upper()
        except CouponRejected as exc:
            log.info("coupon %s rejected for user %s: %s", coupon_code, user_id, exc)
            quote.coupon_error = str(exc)
    quote.weight_grams = cart_weight_grams(cart)
    return quote
