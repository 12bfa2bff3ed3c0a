"""Queries over products and categories."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_

from shop.models.product import Category, Product, product_categories
from shop.repositories.base import BaseRepository


class ProductRepository(BaseRepository[Product]):
    model = Product

    def by_sku(self, sku: str) -> Product | None:
        return self.session.query(Product).filter(Product.sku == sku).one_or_none()

    def published(self):
        return self.session.query(Product).filter(Product.is_published.is_(True)).order_by(Product.title)

    def in_category(self, slug: str):
        return (
            self.published()
            .join(product_categories, product_categories.c.product_id == Product.id)
            .join(Category, Category.id == product_categories.c.category_id)
            .filter(Category.slug == slug)
        )

    def text_search(self, terms: Iterable[str]):
        query = self.published()
        for term in terms:
            pattern = f"%{term}%"
            query = query.filter(or_(Product.title.ilike(pattern), Product.description.ilike(pattern)))
        return query

    def weights(self, product_ids: Iterable[int]) -> dict[int, int]:
        ids = list(product_ids)
        if not ids:
            return {}
        rows = self.session.query(Product.id, Product.weight_grams).filter(Product.id.in_(ids)).all()
        return {row.id: row.weight_grams for row in rows}


class CategoryRepository(BaseRepository[Category]):
    model = Category

    def by_slug(self, slug: str) -> Category | None:
        return self.session.query(Category).filter(Category.slug == slug).one_or_none()

    def roots(self) -> list[Category]:
        return self.session.query(Category).filter(Category.parent_id.is_(None)).order_by(Category.name).all()
