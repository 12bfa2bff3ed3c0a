"""Shopping cart operations."""

from __future__ import annotations

import logging
from typing import Any

from shop.db import get_session, session_scope
from shop.models.cart import Cart, CartItem
from shop.repositories.base import NotFoundError
from shop.repositories.cart_repository import CartRepository
from shop.services import catalog_service
from shop.services.pricing import MAX_UNITS_PER_LINE, price_cart
from shop.utils.money import format_money
from shop.utils.validation import ValidationError, positive_int

log = logging.getLogger(__name__)


def get_or_create_cart(user_id: int) -> Cart:
    session = get_session()
    carts = CartRepository(session)
    cart = carts.open_cart_for(user_id)
    if cart is None:
        cart = carts.add(Cart(user_id=user_id, status="open"))
        session.commit()
    return cart


def add_item(user_id: int, product_id: int, quantity: int = 1) -> Cart:
    quantity = positive_int(quantity, "quantity", maximum=MAX_UNITS_PER_LINE)
    if not catalog_service.product_exists(product_id):
        raise NotFoundError(f"product {product_id} is not available")
    product = catalog_service.get_product(product_id)
    with session_scope() as session:
        carts = CartRepository(session)
        cart = carts.open_cart_for(user_id) or carts.add(Cart(user_id=user_id, status="open"))
        existing = carts.item(cart.id, product_id)
        if existing is not None:
            existing.quantity = min(existing.quantity + quantity, MAX_UNITS_PER_LINE)
        else:
            cart.items.append(CartItem(product_id=product_id, sku=str(product["sku"]), quantity=quantity))
        log.debug("cart %s: +%d x product %s", cart.id, quantity, product_id)
        return cart


def update_quantity(user_id: int, product_id: int, quantity: int) -> Cart:
    with session_scope() as session:
        carts = CartRepository(session)
        cart = carts.open_cart_for(user_id)
        if cart is None:
            raise NotFoundError("no open cart")
        item = carts.item(cart.id, product_id)
        if item is None:
            raise NotFoundError(f"product {product_id} is not in the cart")
        if quantity <= 0:
            carts.remove_item(item)
        else:
            item.quantity = positive_int(quantity, "quantity", maximum=MAX_UNITS_PER_LINE)
        return cart


def set_coupon(user_id: int, code: str | None) -> Cart:
    with session_scope() as session:
        cart = CartRepository(session).open_cart_for(user_id)
        if cart is None:
            raise NotFoundError("no open cart")
        if code is not None and not code.strip():
            raise ValidationError({"code": "must not be blank"})
        cart.coupon_code = code.strip().upper() if code else None
        return cart


def cart_view(user_id: int) -> dict[str, Any]:
    """Cart contents with live prices, as shown on the basket page."""
    cart = get_or_create_cart(user_id)
    if cart.is_empty():
        return {"id": cart.id, "lines": [], "subtotal": format_money(0), "discount": format_money(0)}
    quote = price_cart(cart, user_id, cart.coupon_code)
    return {
        "id": cart.id,
        "lines": [
            {
                "product_id": line.product_id,
                "sku": line.sku,
                "title": line.title,
                "quantity": line.quantity,
                "unit_price": format_money(line.unit_price_cents, quote.currency),
                "total": format_money(line.total_cents, quote.currency),
            }
            for line in quote.lines
        ],
        "coupon": quote.coupon_code,
        "coupon_error": quote.coupon_error,
        "subtotal": format_money(quote.subtotal_cents, quote.currency),
        "discount": format_money(quote.discount_cents, quote.currency),
        "total": format_money(quote.total_before_shipping_cents, quote.currency),
        "weight_grams": quote.weight_grams,
    }
