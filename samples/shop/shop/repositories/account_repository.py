"""Queries over users, roles and addresses."""

from __future__ import annotations

from sqlalchemy import func

from shop.models.account import Address, Role, User
from shop.repositories.base import BaseRepository


class UserRepository(BaseRepository[User]):
    model = User

    def by_email(self, email: str) -> User | None:
        return self.session.query(User).filter(func.lower(User.email) == email.lower()).one_or_none()

    def email_taken(self, email: str) -> bool:
        return self.session.query(User.id).filter(func.lower(User.email) == email.lower()).first() is not None

    def role(self, name: str) -> Role:
        role = self.session.query(Role).filter(Role.name == name).one_or_none()
        if role is None:
            role = Role(name=name, description=f"auto-created role {name}")
            self.session.add(role)
            self.session.flush()
        return role

    def marketing_audience(self) -> list[User]:
        return (
            self.session.query(User)
            .filter(User.is_active.is_(True), User.marketing_opt_in.is_(True))
            .order_by(User.id)
            .all()
        )


class AddressRepository(BaseRepository[Address]):
    model = Address

    def for_user(self, user_id: int) -> list[Address]:
        return (
            self.session.query(Address)
            .filter(Address.user_id == user_id)
            .order_by(Address.is_default.desc(), Address.id)
            .all()
        )

    def owned(self, user_id: int, address_id: int) -> Address | None:
        return (
            self.session.query(Address)
            .filter(Address.id == address_id, Address.user_id == user_id)
            .one_or_none()
        )

    def clear_default(self, user_id: int) -> None:
        self.session.query(Address).filter(Address.user_id == user_id).update({Address.is_default: False})
