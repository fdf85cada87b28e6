"""Two-factor sign-in: a TOTP authenticator app, and ten single-use recovery codes for a lost phone.

Enrolment shows a secret that is derived, not stored, until the person proves their app has it by
typing a code: the page can be reloaded without a write, and no secret sits in the session cookie.
A lost device is reset by an admin. Every change is audited with its actor; every change to how an
account signs in, except new recovery codes, ends the account's other sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, or_, update

from interviews.audit.actors import Actor
from interviews.audit.services import record
from interviews.auth.models import RecoveryCode, Role, User
from interviews.auth.sessions import end_every_session
from interviews.database import rows_changed
from interviews.extensions import db
from interviews.types import utcnow

# Codes of the step before and after the current one are accepted too: phones' clocks drift.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: the codes are copied by hand from paper. 31 symbols, 12 of them: about 59 bits.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 12
_TOTP_CODE = re.compile(r"[0-9]{6}")


class TwoFactorError(ValueError):
    """A two-factor step that cannot be done; the message is fit to show."""


def required_roles() -> frozenset[Role]:
    """The roles that must sign in with a second factor (TWO_FACTOR_REQUIRED_ROLES)."""
    return parse_roles(current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ""))


def parse_roles(setting: str) -> frozenset[Role]:
    names = [name.strip().lower() for name in (setting or "").split(",") if name.strip()]
    unknown = [name for name in names if name not in Role.__members__]
    if unknown:
        raise ValueError(f"TWO_FACTOR_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}")
    return frozenset(Role(name) for name in names)


def is_required_for(user: User) -> bool:
    return user.role in required_roles()


# --- the authenticator app ------------------------------------------------------------------------


def new_enrolment_nonce() -> str:
    return secrets.token_urlsafe(16)


def enrolment_secret(user: User, nonce: str) -> str:
    """The secret offered to `user` for the enrolment `nonce` (kept in their session until they confirm).

    Derived with the app's SECRET_KEY, so the nonce alone, which the session cookie shows, reveals nothing.
    """
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"totp-enrolment:{user.id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config["ORGANIZATION_NAME"]
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_svg(uri: str) -> Markup:
    """The otpauth:// address as an inline SVG QR code: drawn here, no image service, nothing to fetch."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title="QR code for your authenticator app"
    )
    return Markup(svg)  # noqa: S704  (segno's own markup; the only text in it is our fixed title)


def _current_step() -> int:
    return int(utcnow().timestamp()) // 30


def _matching_step(secret: str, code: str) -> int | None:
    """The time step whose code `code` is, within the window around now, or None."""
    totp = pyotp.TOTP(secret)
    now = _current_step()
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Use the code of time step `step` once: one UPDATE that succeeds only for a later step than any used.

    A code read over someone's shoulder, or two requests racing with the same code, get in once.
    """
    claimed = rows_changed(
        db.session,
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step, updated_at=User.updated_at)
        .execution_options(synchronize_session=False),
    )
    db.session.expire(user, ["totp_last_step"])
    return claimed == 1


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


# --- recovery codes ------------------------------------------------------------------------------


def _hash_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def _code_matches(stored: str, code: str) -> bool:
    salt, _, _digest = stored.partition("$")
    return hmac.compare_digest(_hash_code(code, salt), stored)


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with ten new ones; the plain codes, to show once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.expire(user, ["recovery_codes"])
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH)) for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(code)) for code in codes)
    return [f"{code[:4]}-{code[4:8]}-{code[8:]}" for code in codes]


def unused_recovery_codes(user: User) -> int:
    return sum(1 for code in user.recovery_codes if not code.is_used)


def _use_recovery_code(user: User, code: str) -> bool:
    """Spend a recovery code: one UPDATE that succeeds only while the code is unused."""
    for stored in user.recovery_codes:
        if stored.used_at is None and _code_matches(stored.code_hash, code):
            spent = rows_changed(
                db.session,
                update(RecoveryCode)
                .where(RecoveryCode.id == stored.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False),
            )
            db.session.expire(stored)
            return spent == 1
    return False


# --- what the account holder and admins do ---------------------------------------------------------


def check_code(user: User, code: str) -> str | None:
    """Sign-in's second step: "app" or "recovery code" for the kind of code that was right, else None.

    A right code is used up (a TOTP step, or the recovery code) in the caller's transaction.
    """
    if user.totp_secret is None:
        return None
    cleaned = _clean(code)
    if _TOTP_CODE.fullmatch(cleaned):
        step = _matching_step(user.totp_secret, cleaned)
        return "app" if step is not None and _claim_step(user, step) else None
    if len(cleaned) == _RECOVERY_LENGTH and _use_recovery_code(user, cleaned):
        left = unused_recovery_codes(user)
        record(
            "account.recovery_code_used",
            user,
            actor=user,
            changes={"recovery_codes_left": left},
            summary=f"Signed in with a recovery code ({left} left)",
        )
        return "recovery code"
    return None


def enable(user: User, secret: str, code: str, *, actor: Actor) -> list[str]:
    """Turn two-factor sign-in on with `secret`, once `code` shows the app has it; the recovery codes."""
    if user.totp_secret is not None:
        raise TwoFactorError("Two-factor sign-in is already on for this account.")
    step = _matching_step(secret, _clean(code))
    if step is None:
        raise TwoFactorError("That code is not right. Enter the 6-digit code your app shows now.")
    user.totp_secret = secret
    user.two_factor_since = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    end_every_session(user)
    record("account.two_factor_enabled", user, actor=actor, summary="Two-factor sign-in turned on")
    return codes


def regenerate_recovery_codes(user: User, code: str, *, actor: Actor) -> list[str]:
    """Ten new recovery codes (the old ones stop working), after a code from the app."""
    if user.totp_secret is None:
        raise TwoFactorError("Two-factor sign-in is not on for this account.")
    step = _matching_step(user.totp_secret, _clean(code))
    if step is None or not _claim_step(user, step):
        raise TwoFactorError("That code is not right. Enter the 6-digit code your app shows now.")
    codes = _new_recovery_codes(user)
    record("account.recovery_codes_replaced", user, actor=actor, summary="New recovery codes made")
    return codes


def _turn_off(user: User) -> None:
    user.totp_secret = None
    user.two_factor_since = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.expire(user, ["recovery_codes"])
    end_every_session(user)


def disable(user: User, password: str, code: str, *, actor: User) -> None:
    """The account holder turns two-factor sign-in off, with their password and a code (or a recovery code)."""
    if user.totp_secret is None:
        raise TwoFactorError("Two-factor sign-in is not on for this account.")
    if is_required_for(user):
        raise TwoFactorError(f"Two-factor sign-in is required for the {user.role.label} role.")
    if not user.check_password(password):
        raise TwoFactorError("The password is not right.")
    if check_code(user, code) is None:
        raise TwoFactorError("That code is not right.")
    _turn_off(user)
    record("account.two_factor_disabled", user, actor=actor, summary="Two-factor sign-in turned off")


def reset(user: User, *, actor: User) -> None:
    """An admin clears another account's two-factor sign-in (a lost phone); its sessions end."""
    if actor.id == user.id:
        raise TwoFactorError("Another admin must reset your own two-factor sign-in.")
    if user.totp_secret is None:
        raise TwoFactorError(f"{user.name} does not use two-factor sign-in.")
    _turn_off(user)
    record(
        "account.two_factor_reset",
        user,
        actor=actor,
        summary=f"Two-factor sign-in of {user.name} reset (a lost or replaced device)",
    )
