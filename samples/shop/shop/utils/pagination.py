"""Offset pagination for list endpoints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request

T = TypeVar("T")

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200


@dataclass
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        if self.per_page <= 0:
            return 0
        return (self.total + self.per_page - 1) // self.per_page

    def to_dict(self, serialize: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
        return {
            "items": [serialize(item) for item in self.items],
            "page": self.page,
            "per_page": self.per_page,
            "total": self.total,
            "pages": self.pages,
        }


def page_args() -> tuple[int, int]:
    """Read ``page`` / ``per_page`` from the query string, clamped to sane values."""
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    try:
        per_page = int(request.args.get("per_page", DEFAULT_PER_PAGE))
    except ValueError:
        per_page = DEFAULT_PER_PAGE
    return page, min(max(per_page, 1), MAX_PER_PAGE)


def paginate(query: Any, page: int, per_page: int) -> Page[Any]:
    """Apply LIMIT/OFFSET to a SQLAlchemy query and count the total."""
    total = query.order_by(None).count()
    items = query.limit(per_page).offset((page - 1) * per_page).all()
    return Page(items=items, page=page, per_page=per_page, total=total)
