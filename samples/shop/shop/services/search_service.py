"""Product search with simple relevance ranking."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from shop.models.product import Product
from shop.repositories.product_repository import ProductRepository
from . import inventory_service

log = logging.getLogger(__name__)

_TOKEN_RE = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset({"a", "an", "and", "for", "in", "of", "the", "with"})


@dataclass
class SearchHit:
    product: Product
    score: float
    available: int

    def as_dict(self) -> dict[str, object]:
        data = self.product.as_dict()
        data["score"] = round(self.score, 3)
        data["in_stock"] = self.available > 0
        return data


class ProductSearch:
    """Tokenise the query, pull candidates from the database and rank them."""

    def __init__(self, session: Session, max_candidates: int = 500):
        self.products = ProductRepository(session)
        self.max_candidates = max_candidates

    def tokenize(self, query: str) -> list[str]:
        tokens = [t for t in _TOKEN_RE.findall(query.lower()) if t not in _STOPWORDS]
        return tokens[:8]

    def score(self, product: Product, tokens: list[str]) -> float:
        title = product.title.lower()
        description = (product.description or "").lower()
        score = 0.0
        for token in tokens:
            if title.startswith(token):
                score += 3.0
            elif token in title:
                score += 2.0
            if token in description:
                score += 0.5
            if token == product.sku.lower():
                score += 10.0
        return score

    def search(self, query: str, in_stock_only: bool = False, limit: int = 20) -> list[SearchHit]:
        tokens = self.tokenize(query)
        if not tokens:
            return []
        candidates = self.products.text_search(tokens).limit(self.max_candidates).all()
        availability = inventory_service.get_available_quantities([p.sku for p in candidates])
        hits: list[SearchHit] = []
        for product in candidates:
            available = availability.get(product.sku, 0)
            if in_stock_only and available <= 0:
                continue
            hits.append(SearchHit(product=product, score=self.score(product, tokens), available=available))
        hits.sort(key=lambda hit: (-hit.score, -hit.available, hit.product.title))
        log.debug("search %r: %d candidates, %d hits", query, len(candidates), len(hits))
        return hits[:limit]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        tokens = self.tokenize(prefix)
        if not tokens:
            return []
        titles = [p.title for p in self.products.text_search(tokens).limit(limit * 4).all()]
        seen: set[str] = set()
        suggestions: list[str] = []
        for title in titles:
            key = title.lower()
            if key not in seen:
                seen.add(key)
                suggestions.append(title)
            if len(suggestions) >= limit:
                break
        return suggestions
