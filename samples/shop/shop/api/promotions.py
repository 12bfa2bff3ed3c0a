"""Coupon administration and coupon checks."""

from __future__ import annotations

import logging

from flask import Blueprint

from shop.db import get_session
from shop.services import auth_service, promotion_service
from shop.services.promotion_service import CouponEngine, CouponRejected
from shop.utils.http import created, json_body, ok, validation_failed
from shop.utils.money import format_money, to_cents
from shop.utils.validation import ValidationError, require_fields

log = logging.getLogger(__name__)

bp = Blueprint("promotions", __name__)


def _marketer() -> int:
    """Coupon administration is limited to the marketing team."""
    return auth_service.require_role("marketing")


@bp.get("/coupons")
def list_coupons():
    marketer_id = _marketer()
    log.debug("coupon list viewed by %s", marketer_id)
    return ok({"items": promotion_service.list_active_coupons()})


@bp.route("/coupons", methods=["POST"])
def create_coupon():
    marketer_id = _marketer()
    try:
        coupon = promotion_service.create_coupon(json_body())
    except ValidationError as err:
        return validation_failed(err)
    log.info("coupon %s created by %s", coupon.code, marketer_id)
    return created({"code": coupon.code, "kind": coupon.kind})


@bp.delete("/coupons/<code>")
def deactivate_coupon(code: str):
    marketer_id = _marketer()
    try:
        promotion_service.deactivate_coupon(code)
    except ValidationError as err:
        return validation_failed(err)
    log.info("coupon %s deactivated by %s", code, marketer_id)
    return ok({"code": code.upper(), "active": False})


@bp.route("/coupons/check", methods=["POST"])
def check_coupon():
    user_id = auth_service.current_user_id()
    body = json_body()
    try:
        require_fields(body, ("code", "subtotal"))
    except ValidationError as err:
        return validation_failed(err)
    subtotal = to_cents(body["subtotal"])
    try:
        discount = CouponEngine(get_session()).apply(str(body["code"]), subtotal, user_id)
    except CouponRejected as err:
        return ok({"valid": False, "reason": str(err)})
    return ok({"valid": True, "discount": format_money(discount), "discount_cents": discount})
