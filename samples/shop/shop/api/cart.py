"""Basket endpoints."""

from __future__ import annotations

from flask import Blueprint

from shop.repositories.base import NotFoundError
from shop.services import auth_service, cart_service
from shop.utils.http import ApiError, json_body, ok, validation_failed
from shop.utils.validation import ValidationError, require_fields

bp = Blueprint("cart", __name__)


@bp.get("/cart")
def view_cart():
    user_id = auth_service.current_user_id()
    return ok(cart_service.cart_view(user_id))


@bp.route("/cart/items", methods=["POST"])
def add_to_cart():
    user_id = auth_service.current_user_id()
    body = json_body()
    try:
        require_fields(body, ("product_id",))
        cart_service.add_item(user_id, int(body["product_id"]), int(body.get("quantity", 1)))
    except ValidationError as err:
        return validation_failed(err)
    except NotFoundError as err:
        raise ApiError(404, "not_found", str(err)) from err
    return ok(cart_service.cart_view(user_id))


@bp.patch("/cart/items/<int:product_id>")
def update_cart_item(product_id: int):
    user_id = auth_service.current_user_id()
    try:
        cart_service.update_quantity(user_id, product_id, int(json_body().get("quantity", 0)))
    except (ValidationError, ValueError) as err:
        raise ApiError(422, "bad_quantity", str(err)) from err
    except NotFoundError as err:
        raise ApiError(404, "not_found", str(err)) from err
    return ok(cart_service.cart_view(user_id))


@bp.put("/cart/coupon")
def apply_coupon_code():
    user_id = auth_service.current_user_id()
    try:
        cart_service.set_coupon(user_id, json_body().get("code"))
    except ValidationError as err:
        return validation_failed(err)
    return ok(cart_service.cart_view(user_id))
