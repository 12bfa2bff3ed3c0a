"""Generic repository with the CRUD operations every aggregate needs."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

ModelT = TypeVar("ModelT")


class NotFoundError(LookupError):
    """Raised when a row looked up by primary key does not exist."""


class BaseRepository(Generic[ModelT]):
    """Thin wrapper around a session, bound to one model class."""

    model: type[ModelT]

    def __init__(self, session: Session):
        self.session = session

    def get(self, ident: Any) -> ModelT | None:
        return self.session.get(self.model, ident)

    def get_or_raise(self, ident: Any) -> ModelT:
        instance = self.get(ident)
        if instance is None:
            raise NotFoundError(f"{self.model.__name__} {ident} not found")
        return instance

    def get_many(self, idents: Iterable[Any]) -> list[ModelT]:
        ids = list(idents)
        if not ids:
            return []
        return self.session.query(self.model).filter(self.model.id.in_(ids)).all()  # type: ignore[attr-defined]

    def add(self, instance: ModelT) -> ModelT:
        self.session.add(instance)
        self.session.flush()
        return instance

    def add_all(self, instances: Sequence[ModelT]) -> None:
        self.session.add_all(list(instances))
        self.session.flush()

    def delete(self, instance: ModelT) -> None:
        log.debug("deleting %s", instance)
        self.session.delete(instance)

    def commit(self) -> None:
        self.session.commit()
