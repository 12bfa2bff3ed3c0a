"""Customer accounts, roles and postal addresses."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, func
from sqlalchemy.orm import relationship

from shop.db import Base

user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", Integer, ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)


class Role(Base):
    __tablename__ = "roles"

    id = Column(Integer, primary_key=True)
    name = Column(String(40), unique=True, nullable=False)
    description = Column(String(200))

    def __repr__(self) -> str:
        return f"<Role {self.name}>"


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), unique=True, nullable=False, index=True)
    password_hash = Column(String(200), nullable=False)
    full_name = Column(String(120), nullable=False)
    phone = Column(String(32))
    is_active = Column(Boolean, nullable=False, default=True)
    marketing_opt_in = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), server_default=func.now())
    last_login_at = Column(DateTime(timezone=True))

    roles = relationship("Role", secondary=user_roles, lazy="selectin")
    addresses = relationship("Address", back_populates="user", cascade="all, delete-orphan")

    def has_role(self, name: str) -> bool:
        return any(role.name == name for role in self.roles)

    @property
    def default_address(self) -> "Address | None":
        for address in self.addresses:
            if address.is_default:
                return address
        return self.addresses[0] if self.addresses else None


class Address(Base):
    __tablename__ = "addresses"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    recipient = Column(String(120), nullable=False)
    line1 = Column(String(200), nullable=False)
    line2 = Column(String(200))
    city = Column(String(100), nullable=False)
    postcode = Column(String(12), nullable=False)
    country = Column(String(2), nullable=False, default="GB")
    is_default = Column(Boolean, nullable=False, default=False)

    user = relationship("User", back_populates="addresses")

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "recipient": self.recipient,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "postcode": self.postcode,
            "country": self.country,
        }
