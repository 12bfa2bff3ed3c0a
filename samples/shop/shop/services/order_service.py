"""Checkout and the order lifecycle."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shop.config import get_config
from shop.db import get_session
from shop.events import order_placed, payment_captured
from shop.models.cart import Cart, CartItem
from shop.models.order import Order, OrderLine
from shop.repositories.base import NotFoundError
from shop.repositories.cart_repository import CartRepository
from shop.repositories.order_repository import OrderRepository
from shop.services import (
    account_service,
    catalog_service,
    inventory_service,
    notification_service,
    payment_service,
    pricing,
    promotion_service,
    shipping_service,
)
from shop.tasks import payment_tasks
from shop.utils.ids import order_number
from shop.utils.money import format_money
from shop.utils.pagination import Page, paginate
from shop.utils.queueing import enqueue
from shop.utils.timeutil import minutes_ago, utcnow

log = logging.getLogger(__name__)


class OrderError(Exception):
    """The order cannot be placed or changed as requested."""


class PaymentDeclined(OrderError):
    pass


@dataclass(frozen=True)
class OrderSummary:
    """Read model of an order handed to other parts of the system."""

    order_id: int
    number: str
    user_id: int
    address_id: int
    status: str
    currency: str
    total_cents: int
    placed_at: datetime
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_display(self) -> str:
        return format_money(self.total_cents, self.currency)


def place_order(user_id: int, address_id: int | None, payment_token: str) -> Order:
    """Convert the user's open cart into an authorised order."""
    session = get_session()
    orders = OrderRepository(session)
    cart = CartRepository(session).open_cart_for(user_id)
    if cart is None or cart.is_empty():
        raise OrderError("cart is empty")

    quote = pricing.price_cart(cart, user_id, cart.coupon_code)
    address = account_service.get_address(user_id, address_id)
    shipping_cents = shipping_service.quote_shipping(address["postcode"], address["country"], quote.weight_grams)

    order = Order(
        number=order_number(),
        user_id=user_id,
        address_id=address["id"],
        currency=quote.currency,
        subtotal_cents=quote.subtotal_cents,
        discount_cents=quote.discount_cents,
        shipping_cents=shipping_cents,
        total_cents=quote.total_before_shipping_cents + shipping_cents,
        coupon_code=quote.coupon_code,
        status="pending",
    )
    orders.add(order)
    for priced in quote.lines:
        orders.add_line(
            order,
            OrderLine(
                product_id=priced.product_id,
                sku=priced.sku,
                title=priced.title,
                quantity=priced.quantity,
                unit_price_cents=priced.unit_price_cents,
            ),
        )

    authorisation = payment_service.authorize_payment(order.id, order.total_cents, order.currency, payment_token)
    if not authorisation.approved:
        order.status = "cancelled"
        order.cancelled_at = utcnow()
        order.cancel_reason = f"payment declined: {authorisation.decline_reason}"
        session.commit()
        raise PaymentDeclined(authorisation.decline_reason or "declined")

    order.status = "authorised"
    cart.status = "converted"
    session.commit()
    log.info("order %s placed by user %s for %s", order.number, user_id, format_money(order.total_cents))

    # Stock is held line by line, in line order, so a partial backorder always
    # lands on the last lines of the order.
    for line in order.lines:
        inventory_service.reserve_stock(line.sku, line.quantity, order.id)

    if order.coupon_code:
        promotion_service.redeem_coupon(order.coupon_code, order.id, user_id)

    order_placed.send(
        order_id=order.id,
        user_id=user_id,
        total_cents=order.total_cents,
        currency=order.currency,
        placed_at=order.placed_at,
    )
    return order


def get_order(order_id: int) -> Order:
    order = OrderRepository(get_session()).with_lines(order_id)
    if order is None:
        raise NotFoundError(f"order {order_id} not found")
    return order


def get_order_summary(order_id: int) -> OrderSummary:
    order = get_order(order_id)
    return OrderSummary(
        order_id=order.id,
        number=order.number,
        user_id=order.user_id,
        address_id=order.address_id,
        status=order.status,
        currency=order.currency,
        total_cents=order.total_cents,
        placed_at=order.placed_at,
        lines=[
            {
                "product_id": line.product_id,
                "sku": line.sku,
                "title": line.title,
                "quantity": line.quantity,
                "unit_price_cents": line.unit_price_cents,
            }
            for line in order.lines
        ],
    )


def count_orders_for_user(user_id: int) -> int:
    return OrderRepository(get_session()).count_for_user(user_id)


def list_orders_for_user(user_id: int, page: int, per_page: int) -> Page[Order]:
    return paginate(OrderRepository(get_session()).for_user(user_id), page, per_page)


def cancel_order(order_id: int, reason: str, requested_by: int | None = None) -> Order:
    """Cancel an order, give its stock back and refund any captured money."""
    session = get_session()
    order = OrderRepository(session).with_lines(order_id)
    if order is None:
        raise NotFoundError(f"order {order_id} not found")
    if requested_by is not None and order.user_id != requested_by:
        raise OrderError("you can only cancel your own orders")
    if not order.is_cancellable():
        raise OrderError(f"an order that is {order.status} cannot be cancelled")

    had_money = order.status in ("authorised", "paid")
    order.status = "cancelled"
    order.cancelled_at = utcnow()
    order.cancel_reason = reason[:200]
    session.commit()
    log.info("order %s cancelled: %s", order.number, reason)

    for line in order.lines:
        inventory_service.release_stock(line.sku, line.quantity, order.id)
    if had_money:
        enqueue(payment_tasks.refund_order_payment, order.id, reason=reason)
    notification_service.send_cancellation_notice(order.id, reason)
    return order


def reorder(order_id: int, user_id: int) -> list[str]:
    """Copy a past order's lines into the user's open cart.

    Returns the SKUs that could not be re-added because they are no longer sold.
    """
    session = get_session()
    order = OrderRepository(session).with_lines(order_id)
    if order is None or order.user_id != user_id:
        raise NotFoundError(f"order {order_id} not found")
    carts = CartRepository(session)
    cart = carts.open_cart_for(user_id) or carts.add(Cart(user_id=user_id, status="open"))
    skipped: list[str] = []
    for line in order.lines:
        if not catalog_service.product_exists(line.product_id):
            skipped.append(line.sku)
            continue
        existing = carts.item(cart.id, line.product_id)
        if existing is not None:
            existing.quantity += line.quantity
        else:
            cart.items.append(CartItem(product_id=line.product_id, sku=line.sku, quantity=line.quantity))
    session.commit()
    if skipped:
        log.info("reorder of %s skipped discontinued SKUs %s", order.number, skipped)
    return skipped


def expire_unpaid_orders() -> int:
    """Cancel orders whose payment was never captured in time."""
    cutoff = minutes_ago(get_config().unpaid_order_ttl_minutes)
    expired = 0
    for order in OrderRepository(get_session()).unpaid_before(cutoff):
        try:
            cancel_order(order.id, "payment not completed in time")
            expired += 1
        except OrderError as exc:
            log.warning("could not expire order %s: %s", order.id, exc)
    return expired


@payment_captured.connect
def _on_payment_captured(sender: object, *, order_id: int, payment_id: int, amount_cents: int, **_: Any) -> None:
    """Mark the order paid once its payment has been captured."""
    session = get_session()
    order = OrderRepository(session).get(order_id)
    if order is None:
        log.error("payment %s captured for unknown order %s", payment_id, order_id)
        return
    if order.status == "cancelled":
        log.warning("payment %s captured for cancelled order %s", payment_id, order.number)
        return
    if amount_cents < order.total_cents:
        log.warning("order %s only partially captured (%d of %d)", order.number, amount_cents, order.total_cents)
        return
    order.status = "paid"
    order.paid_at = utcnow()
    session.commit()
