"""Inventory endpoints for the warehouse team."""

from __future__ import annotations

import logging

from flask import Blueprint

from shop.services import auth_service, inventory_service
from shop.utils.http import json_body, ok, validation_failed
from shop.utils.validation import ValidationError, require_fields, validate_sku

log = logging.getLogger(__name__)

bp = Blueprint("inventory", __name__)


@bp.get("/stock/<sku>")
def stock_level(sku: str):
    try:
        sku = validate_sku(sku)
    except ValidationError as err:
        return validation_failed(err)
    return ok({"sku": sku, "available": inventory_service.get_available_quantity(sku)})


@bp.route("/stock/adjustments", methods=["POST"])
def adjust_stock():
    staff_id = auth_service.require_role("warehouse")
    body = json_body()
    try:
        require_fields(body, ("sku", "warehouse_id", "delta", "reason"))
        item = inventory_service.adjust_stock(
            body["sku"], int(body["warehouse_id"]), int(body["delta"]), body["reason"]
        )
    except ValidationError as err:
        return validation_failed(err)
    log.info("stock adjustment by %s: %s %+d (%s)", staff_id, item.sku, int(body["delta"]), body["reason"])
    return ok({"sku": item.sku, "on_hand": item.on_hand, "reserved": item.reserved, "available": item.available})


@bp.route("/stock/transfers", methods=["POST"])
def transfer_stock():
    staff_id = auth_service.require_role("warehouse")
    body = json_body()
    try:
        require_fields(body, ("sku", "from_warehouse_id", "to_warehouse_id", "quantity"))
        sku = validate_sku(body["sku"])
        inventory_service.transfer_stock(
            sku, int(body["from_warehouse_id"]), int(body["to_warehouse_id"]), int(body["quantity"])
        )
    except ValidationError as err:
        return validation_failed(err)
    log.info("stock transfer of %s by %s", sku, staff_id)
    return ok({"sku": sku, "available": inventory_service.get_available_quantity(sku)})


@bp.get("/warehouses")
def warehouses():
    return ok({"items": inventory_service.warehouse_summary()})
