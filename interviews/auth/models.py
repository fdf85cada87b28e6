"""Accounts: staff, leaders (board members, some of them voting members) and admins."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from interviews.extensions import Model
from interviews.types import UTCDateTime, utcnow

_hasher = PasswordHasher()


class Role(enum.Enum):
    admin = "admin"
    staff = "staff"
    leader = "leader"

    @property
    def label(self) -> str:
        return {"admin": "Administrator", "staff": "Staff", "leader": "Leader"}[self.value]


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("vote_weight >= 0", name="vote_weight_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness holds whatever case people type.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    active: Mapped[bool] = mapped_column(default=True)
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    is_voting_member: Mapped[bool] = mapped_column(default=False)
    vote_weight: Mapped[int] = mapped_column(default=1)
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Feeds name this row's text; their validators watch when it last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_staff(self) -> bool:
        """Staff and admins administer races; admins can do everything staff can."""
        return self.role in (Role.staff, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def is_leader(self) -> bool:
        return self.role is Role.leader

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def rotate_feed_token(self) -> None:
        self.feed_token = new_feed_token()


def normalize_email(email: str) -> str:
    return email.strip().lower()
