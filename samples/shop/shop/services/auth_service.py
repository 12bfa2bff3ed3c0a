"""Authentication: password hashing, login and bearer tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import time

from flask import g, request

from shop.config import get_config
from shop.db import get_session
from shop.repositories.account_repository import UserRepository
from shop.utils.http import ApiError
from shop.utils.timeutil import utcnow

log = logging.getLogger(__name__)

_PBKDF2_ROUNDS = 260_000


class AuthError(ApiError):
    def __init__(self, message: str = "authentication required"):
        super().__init__(401, "unauthorised", message)


def hash_password(password: str) -> str:
    """PBKDF2-SHA256 hash in ``rounds$salt$digest`` form."""
    if len(password) < 10:
        raise ValueError("password must be at least 10 characters")
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _PBKDF2_ROUNDS)
    return f"{_PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        rounds_text, salt_hex, digest_hex = stored.split("$")
        rounds = int(rounds_text)
    except ValueError:
        log.error("malformed password hash in database")
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt_hex), rounds)
    return hmac.compare_digest(candidate.hex(), digest_hex)


def _sign(payload: bytes) -> str:
    key = get_config().secret_key.encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def issue_token(user_id: int, ttl_seconds: int | None = None) -> str:
    ttl = ttl_seconds or get_config().token_ttl_seconds
    body = json.dumps({"uid": user_id, "exp": int(time.time()) + ttl}, separators=(",", ":")).encode()
    encoded = base64.urlsafe_b64encode(body).decode().rstrip("=")
    return f"{encoded}.{_sign(body)}"


def decode_token(token: str) -> int:
    """Return the user id carried by ``token`` or raise :class:`AuthError`."""
    try:
        encoded, signature = token.split(".", 1)
        padded = encoded + "=" * (-len(encoded) % 4)
        body = base64.urlsafe_b64decode(padded.encode())
    except (ValueError, TypeError) as exc:
        raise AuthError("malformed token") from exc
    if not hmac.compare_digest(_sign(body), signature):
        raise AuthError("bad token signature")
    claims = json.loads(body)
    if claims.get("exp", 0) < time.time():
        raise AuthError("token expired")
    return int(claims["uid"])


def login(email: str, password: str) -> str:
    """Check credentials and return a fresh bearer token."""
    session = get_session()
    users = UserRepository(session)
    user = users.by_email(email)
    if user is None or not user.is_active or not verify_password(password, user.password_hash):
        log.info("failed login for %s", email)
        raise AuthError("invalid email or password")
    user.last_login_at = utcnow()
    session.commit()
    return issue_token(user.id)


def current_user_id() -> int:
    """The authenticated user for this request (cached on ``flask.g``)."""
    cached = getattr(g, "user_id", None)
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise AuthError()
    user_id = decode_token(header.removeprefix("Bearer ").strip())
    g.user_id = user_id
    return user_id


def require_role(role: str) -> int:
    """Return the current user id if that user has ``role``; 403 otherwise."""
    user_id = current_user_id()
    user = UserRepository(get_session()).get(user_id)
    if user is None or not user.has_role(role):
        raise ApiError(403, "forbidden", f"requires role {role}")
    return user_id
