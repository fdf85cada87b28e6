"""Accounts: staff, leaders (board members, some of them voting members) and admins."""

from __future__ import annotations

import enum
import functools
import secrets
from datetime import datetime

import argon2
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interviews.extensions import Model
from interviews.types import UTCDateTime, utcnow


def _hasher() -> PasswordHasher:
    """argon2id with the configured cost: the library's defaults (RFC 9106) unless the config lowers
    them, which only the test configuration does, since the suite hashes thousands of passwords."""
    config = current_app.config if has_app_context() else {}
    return _hasher_with(
        config.get("PASSWORD_HASH_TIME_COST", argon2.DEFAULT_TIME_COST),
        config.get("PASSWORD_HASH_MEMORY_KIB", argon2.DEFAULT_MEMORY_COST),
    )


@functools.cache
def _hasher_with(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


class Role(enum.Enum):
    admin = "admin"
    staff = "staff"
    leader = "leader"

    @property
    def label(self) -> str:
        return {"admin": "Administrator", "staff": "Staff", "leader": "Leader"}[self.value]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("vote_weight >= 0", name="vote_weight_not_negative"),
        # Two-factor sign-in is on exactly when both are set: a secret and when it was confirmed.
        CheckConstraint("(totp_secret IS NULL) = (two_factor_since IS NULL)", name="two_factor_complete"),
    )

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
    # Part of every session and remember-me cookie; raising it ends them all (interviews/auth/sessions.py).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The authenticator app's shared secret (base32), set once the account holder confirmed a code.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last TOTP time step accepted, so a code seen over someone's shoulder cannot be used again.
    totp_last_step: Mapped[int | None] = mapped_column()
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RecoveryCode.id"
    )

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: the id and the session version."""
        return f"{self.id}:{self.session_version}"

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret is not None

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
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        try:
            return _hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def rotate_feed_token(self) -> None:
        self.feed_token = new_feed_token()


class RecoveryCode(Model):
    """One of an account's single-use recovery codes, for signing in without the authenticator app.

    Only a salted SHA-256 of the code is kept ("salt$digest"): the codes are random and long, so a
    slow hash would add nothing but time to each sign-in.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="recovery_codes")

    @property
    def is_used(self) -> bool:
        return self.used_at is not None


def normalize_email(email: str) -> str:
    return email.strip().lower()
