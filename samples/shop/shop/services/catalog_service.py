"""Catalogue management and product look-ups."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from shop.db import get_session, session_scope
from shop.models.product import Product
from shop.repositories.base import NotFoundError
from shop.repositories.product_repository import CategoryRepository, ProductRepository
from shop.tasks import media_tasks
from shop.utils.money import check_currency, to_decimal
from shop.utils.pagination import Page, paginate
from shop.utils.validation import ValidationError, positive_int, require_fields, validate_sku

log = logging.getLogger(__name__)


class ProductUnavailable(LookupError):
    """The product exists but cannot currently be sold."""


def _repo() -> ProductRepository:
    return ProductRepository(get_session())


def get_product(product_id: int) -> dict[str, Any]:
    product = _repo().get(product_id)
    if product is None:
        raise NotFoundError(f"product {product_id} not found")
    return product.as_dict()


def product_exists(product_id: int) -> bool:
    product = _repo().get(product_id)
    return product is not None and bool(product.is_published)


def get_product_price(product_id: int) -> Decimal:
    """Current unit price of a sellable product."""
    product = _repo().get(product_id)
    if product is None:
        raise NotFoundError(f"product {product_id} not found")
    if not product.is_published:
        raise ProductUnavailable(f"product {product_id} is not on sale")
    return to_decimal(product.price)


def get_product_weights(product_ids: Iterable[int]) -> dict[int, int]:
    """Shipping weight in grams for each product id (0 when unknown)."""
    ids = list(product_ids)
    weights = _repo().weights(ids)
    missing = [pid for pid in ids if pid not in weights]
    if missing:
        log.warning("no weight recorded for products %s", missing)
    return {pid: weights.get(pid, 0) for pid in ids}


def get_products(product_ids: Iterable[int]) -> list[Product]:
    return _repo().get_many(product_ids)


def list_products(category: str | None, page: int, per_page: int) -> Page[Product]:
    repo = _repo()
    query = repo.in_category(category) if category else repo.published()
    return paginate(query, page, per_page)


def create_product(payload: dict[str, Any]) -> Product:
    require_fields(payload, ("sku", "title", "price"))
    sku = validate_sku(payload["sku"])
    price = to_decimal(payload["price"])
    if price <= 0:
        raise ValidationError({"price": "must be positive"})
    with session_scope() as session:
        products = ProductRepository(session)
        if products.by_sku(sku) is not None:
            raise ValidationError({"sku": "already in use"})
        product = Product(
            sku=sku,
            title=payload["title"].strip(),
            description=payload.get("description", ""),
            price=price,
            currency=check_currency(payload.get("currency", "EUR")),
            weight_grams=positive_int(payload.get("weight_grams", 1), "weight_grams", maximum=70_000),
            is_published=bool(payload.get("is_published", False)),
        )
        categories = CategoryRepository(session)
        for slug in payload.get("categories", []):
            category = categories.by_slug(slug)
            if category is None:
                raise ValidationError({"categories": f"unknown category {slug}"})
            product.categories.append(category)
        products.add(product)
        log.info("created product %s (%s)", product.id, sku)
        return product


def update_product(product_id: int, changes: dict[str, Any]) -> Product:
    editable = {"title", "description", "price", "weight_grams", "is_published"}
    with session_scope() as session:
        product = ProductRepository(session).get_or_raise(product_id)
        for name, value in changes.items():
            if name not in editable:
                raise ValidationError({name: "is not editable"})
            if name == "price":
                value = to_decimal(value)
            setattr(product, name, value)
        return product


def set_primary_image(product_id: int, asset_id: int) -> None:
    """Point the product at an uploaded image and have renditions generated."""
    with session_scope() as session:
        product = ProductRepository(session).get_or_raise(product_id)
        previous = product.primary_image_asset_id
        product.primary_image_asset_id = asset_id
    log.info("product %s image %s -> %s", product_id, previous, asset_id)
    media_tasks.generate_thumbnails.delay(asset_id, product_id)
