"""Order endpoints: checkout, order history and cancellation."""

from __future__ import annotations

import logging

from flask import Blueprint

from shop.repositories.base import NotFoundError
from shop.services import auth_service, order_service, shipping_service
from shop.utils.http import ApiError, Conflict, NotFound, created, json_body, ok
from shop.utils.money import format_money
from shop.utils.pagination import page_args

log = logging.getLogger(__name__)

bp = Blueprint("orders", __name__)


def _order_json(summary: order_service.OrderSummary) -> dict[str, object]:
    return {
        "id": summary.order_id,
        "number": summary.number,
        "status": summary.status,
        "total": summary.total_display,
        "placed_at": summary.placed_at.isoformat() if summary.placed_at else None,
        "lines": summary.lines,
    }


@bp.route("/orders", methods=["POST"])
def create_order():
    user_id = auth_service.current_user_id()
    body = json_body()
    token = body.get("payment_token")
    if not token:
        raise ApiError(400, "missing_payment", "payment_token is required")
    try:
        order = order_service.place_order(user_id, body.get("address_id"), token)
    except order_service.PaymentDeclined as err:
        raise ApiError(402, "payment_declined", str(err)) from err
    except order_service.OrderError as err:
        raise Conflict(str(err)) from err
    return created(
        {"id": order.id, "number": order.number, "status": order.status, "total": format_money(order.total_cents)},
        location=f"/api/v1/orders/{order.id}",
    )


@bp.get("/orders")
def list_my_orders():
    user_id = auth_service.current_user_id()
    page, per_page = page_args()
    result = order_service.list_orders_for_user(user_id, page, per_page)
    return ok(
        result.to_dict(
            lambda order: {
                "id": order.id,
                "number": order.number,
                "status": order.status,
                "total": format_money(order.total_cents, order.currency),
            }
        )
    )


@bp.get("/orders/<int:order_id>")
def get_order(order_id: int):
    user_id = auth_service.current_user_id()
    try:
        summary = order_service.get_order_summary(order_id)
    except NotFoundError:
        raise NotFound("order", order_id) from None
    if summary.user_id != user_id:
        raise NotFound("order", order_id)
    payload = _order_json(summary)
    if summary.status in ("paid", "shipped", "delivered"):
        try:
            payload["tracking"] = shipping_service.tracking_for_order(order_id)
        except NotFoundError:
            payload["tracking"] = None
    return ok(payload)


@bp.route("/orders/<int:order_id>/reorder", methods=["POST"])
def reorder(order_id: int):
    user_id = auth_service.current_user_id()
    try:
        skipped = order_service.reorder(order_id, user_id)
    except NotFoundError:
        raise NotFound("order", order_id) from None
    return ok({"cart": "/api/v1/cart", "unavailable_skus": skipped})


@bp.route("/orders/<int:order_id>/cancel", methods=["POST"])
def cancel_order(order_id: int):
    user_id = auth_service.current_user_id()
    reason = str(json_body().get("reason") or "cancelled by customer")
    try:
        order = order_service.cancel_order(order_id, reason, requested_by=user_id)
    except NotFoundError:
        raise NotFound("order", order_id) from None
    except order_service.OrderError as err:
        raise Conflict(str(err)) from err
    return ok({"id": order.id, "status": order.status})
