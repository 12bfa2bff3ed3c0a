"""Shipping endpoints: quotes and dispatch."""

from __future__ import annotations

import logging

from flask import Blueprint, request

from shop.repositories.base import NotFoundError
from ..services import auth_service, shipping_service
from ..services.carrier_client import CarrierError
from shop.utils.http import ApiError, NotFound, json_body, ok
from shop.utils.money import format_money
from shop.utils.validation import ValidationError, positive_int, validate_postcode

log = logging.getLogger(__name__)

bp = Blueprint("shipping", __name__)


@bp.get("/shipping/quote")
def quote():
    try:
        postcode = validate_postcode(request.args.get("postcode", ""))
        weight = positive_int(request.args.get("weight_grams"), "weight_grams", maximum=30_000)
    except ValidationError as err:
        raise ApiError(422, "validation_failed", str(err)) from err
    country = request.args.get("country", "GB").upper()
    try:
        cents = shipping_service.quote_shipping(postcode, country, weight)
    except ValueError as err:
        raise ApiError(422, "not_shippable", str(err)) from err
    return ok({"country": country, "price_cents": cents, "price": format_money(cents)})


@bp.route("/shipments/<int:shipment_id>/dispatch", methods=["POST"])
def dispatch(shipment_id: int):
    staff_id = auth_service.require_role("warehouse")
    service_level = str(json_body().get("service_level", "standard"))
    try:
        shipment = shipping_service.dispatch_shipment(shipment_id, service_level)
    except NotFoundError:
        raise NotFound("shipment", shipment_id) from None
    except CarrierError as err:
        raise ApiError(502, "carrier_error", str(err)) from err
    except ValueError as err:
        raise ApiError(409, "conflict", str(err)) from err
    log.info("shipment %s dispatched by %s", shipment_id, staff_id)
    return ok({"id": shipment.id, "tracking_number": shipment.tracking_number, "label_url": shipment.label_url})
