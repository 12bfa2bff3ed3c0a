"""Catalogue endpoints: browse, search, product admin and product images."""

from __future__ import annotations

import logging

from flask import Blueprint, request

from shop.db import get_session
from shop.repositories.base import NotFoundError
from shop.services import auth_service, catalog_service, inventory_service, media_service
from shop.services.search_service import ProductSearch
from shop.utils.http import ApiError, NotFound, created, json_body, ok, validation_failed
from shop.utils.pagination import page_args
from shop.utils.validation import ValidationError

log = logging.getLogger(__name__)

bp = Blueprint("catalog", __name__)


@bp.get("/products")
def list_products():
    page, per_page = page_args()
    result = catalog_service.list_products(request.args.get("category"), page, per_page)
    return ok(result.to_dict(lambda product: product.as_dict()))


@bp.get("/products/search")
def search_products():
    query = request.args.get("q", "").strip()
    if len(query) < 2:
        raise ApiError(400, "query_too_short", "search needs at least two characters")
    in_stock_only = request.args.get("in_stock") == "1"
    hits = ProductSearch(get_session()).search(query, in_stock_only=in_stock_only)
    return ok({"query": query, "items": [hit.as_dict() for hit in hits]})


@bp.get("/products/suggest")
def suggest():
    return ok({"suggestions": ProductSearch(get_session()).suggest(request.args.get("q", ""))})


@bp.get("/products/<int:pid>")
def get_product(pid: int):
    try:
        product = catalog_service.get_product(pid)
    except NotFoundError:
        raise NotFound("product", pid) from None
    available = inventory_service.get_available_quantity(str(product["sku"]))
    product["availability"] = "in_stock" if available > 5 else "low_stock" if available > 0 else "out_of_stock"
    return ok(product)


@bp.route("/products", methods=["POST"])
def create_product():
    admin_id = auth_service.require_role("catalog_admin")
    try:
        product = catalog_service.create_product(json_body())
    except ValidationError as err:
        return validation_failed(err)
    log.info("product %s created by %s", product.id, admin_id)
    return created(product.as_dict(), location=f"/api/v1/products/{product.id}")


@bp.patch("/products/<int:pid>")
def update_product(pid: int):
    admin_id = auth_service.require_role("catalog_admin")
    try:
        product = catalog_service.update_product(pid, json_body())
    except ValidationError as err:
        return validation_failed(err)
    except NotFoundError:
        raise NotFound("product", pid) from None
    log.info("product %s updated by %s", pid, admin_id)
    return ok(product.as_dict())


@bp.route("/products/<int:pid>/image", methods=["POST"])
def upload_product_image(pid: int):
    admin_id = auth_service.require_role("catalog_admin")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(400, "missing_file", "attach the image as multipart field 'file'")
    try:
        asset = media_service.store_upload(upload.stream, upload.filename, admin_id, upload.mimetype, product_id=pid)
    except ValidationError as err:
        return validation_failed(err)
    if asset["kind"] != "image":
        raise ApiError(422, "not_an_image", "product images must be images")
    catalog_service.set_primary_image(pid, asset["id"])
    return created({"asset_id": asset["id"], "status": "processing"})
