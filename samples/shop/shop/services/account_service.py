"""Customer accounts: registration, profiles and address book."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from shop.db import get_session, session_scope
from shop.models.account import Address, User
from shop.repositories.account_repository import AddressRepository, UserRepository
from shop.repositories.base import NotFoundError
from shop.services import notification_service
from shop.services.auth_service import hash_password
from shop.tasks import media_tasks
from shop.utils.http import Conflict
from shop.utils.validation import ValidationError, require_fields, validate_email, validate_postcode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ContactInfo:
    user_id: int
    email: str
    full_name: str
    phone: str | None
    marketing_opt_in: bool

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ", 1)[0]


def register_user(email: str, password: str, full_name: str, marketing_opt_in: bool = False) -> User:
    """Create a customer account and send the welcome e-mail."""
    email = validate_email(email)
    if not full_name.strip():
        raise ValidationError({"full_name": "is required"})
    with session_scope() as session:
        users = UserRepository(session)
        if users.email_taken(email):
            raise Conflict(f"an account already exists for {email}")
        user = User(
            email=email,
            password_hash=hash_password(password),
            full_name=full_name.strip(),
            marketing_opt_in=marketing_opt_in,
        )
        user.roles.append(users.role("customer"))
        users.add(user)
        user_id = user.id
    log.info("registered user %s", user_id)
    notification_service.send_welcome_email(user_id)
    return user


def get_user(user_id: int) -> User:
    user = UserRepository(get_session()).get(user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    return user


def get_contact(user_id: int) -> ContactInfo:
    """Contact details for messaging; the only view of a user other code needs."""
    user = get_user(user_id)
    return ContactInfo(
        user_id=user.id,
        email=user.email,
        full_name=user.full_name,
        phone=user.phone,
        marketing_opt_in=bool(user.marketing_opt_in),
    )


def get_address(user_id: int, address_id: int | None = None) -> dict[str, Any]:
    """Return one of the user's addresses (the default one if no id given)."""
    addresses = AddressRepository(get_session())
    if address_id is not None:
        address = addresses.owned(user_id, address_id)
        if address is None:
            raise NotFoundError(f"address {address_id} does not belong to user {user_id}")
        return address.as_dict()
    candidates = addresses.for_user(user_id)
    if not candidates:
        raise NotFoundError(f"user {user_id} has no address on file")
    return candidates[0].as_dict()


def list_addresses(user_id: int) -> list[dict[str, Any]]:
    return [address.as_dict() for address in AddressRepository(get_session()).for_user(user_id)]


def add_address(user_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    require_fields(payload, ("recipient", "line1", "city", "postcode"))
    with session_scope() as session:
        addresses = AddressRepository(session)
        make_default = bool(payload.get("is_default")) or not addresses.for_user(user_id)
        if make_default:
            addresses.clear_default(user_id)
        address = Address(
            user_id=user_id,
            recipient=payload["recipient"].strip(),
            line1=payload["line1"].strip(),
            line2=(payload.get("line2") or "").strip() or None,
            city=payload["city"].strip(),
            postcode=validate_postcode(payload["postcode"]),
            country=(payload.get("country") or "GB").upper()[:2],
            is_default=make_default,
        )
        addresses.add(address)
        return address.as_dict()


def update_profile(user_id: int, changes: dict[str, Any]) -> User:
    allowed = {"full_name", "phone", "marketing_opt_in"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: "cannot be changed here" for name in unknown})
    with session_scope() as session:
        user = UserRepository(session).get_or_raise(user_id)
        for name, value in changes.items():
            setattr(user, name, value)
        return user


def delete_account(user_id: int) -> None:
    """GDPR erasure: deactivate and scrub the account, purge uploaded media."""
    with session_scope() as session:
        users = UserRepository(session)
        user = users.get_or_raise(user_id)
        user.is_active = False
        user.email = f"deleted-{user.id}@invalid"
        user.full_name = "Deleted user"
        user.phone = None
        for address in list(user.addresses):
            session.delete(address)
    log.info("account %s erased; scheduling media purge", user_id)
    media_tasks.purge_user_uploads.delay(user_id)
