"""Queries over carts and cart items."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from shop.models.cart import Cart, CartItem
from shop.repositories.base import BaseRepository


class CartRepository(BaseRepository[Cart]):
    model = Cart

    def open_cart_for(self, user_id: int) -> Cart | None:
        return (
            self.session.query(Cart)
            .options(selectinload(Cart.items))
            .filter(Cart.user_id == user_id, Cart.status == "open")
            .order_by(Cart.id.desc())
            .first()
        )

    def item(self, cart_id: int, product_id: int) -> CartItem | None:
        return (
            self.session.query(CartItem)
            .filter(CartItem.cart_id == cart_id, CartItem.product_id == product_id)
            .one_or_none()
        )

    def remove_item(self, item: CartItem) -> None:
        self.session.delete(item)
        self.session.flush()
