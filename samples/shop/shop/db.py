"""Database plumbing shared by every repository: engine, session and Base."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, declarative_base, scoped_session, sessionmaker

from shop.config import get_config

log = logging.getLogger(__name__)

Base = declarative_base()

engine = create_engine(
    get_config().database_url,
    pool_size=10,
    max_overflow=20,
    pool_pre_ping=True,
    future=True,
)

SessionLocal = scoped_session(sessionmaker(bind=engine, autoflush=False, expire_on_commit=False))


def get_session() -> Session:
    """Return the session bound to the current thread / request."""
    return SessionLocal()


@contextmanager
def session_scope() -> Iterator[Session]:
    """Provide a transactional scope around a series of operations."""
    session = SessionLocal()
    try:
        yield session
        session.commit()
    except Exception:
        log.exception("rolling back transaction")
        session.rollback()
        raise
    finally:
        SessionLocal.remove()


def remove_session(exc: BaseException | None = None) -> None:
    """Flask teardown hook: discard the thread-local session."""
    if exc is not None:
        log.warning("request ended with %r; discarding session", exc)
        SessionLocal.rollback()
    SessionLocal.remove()
