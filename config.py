"""Configuration read from the environment, with defaults that work on one machine.

Every setting has the name a Flask user expects; the README documents each one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def development_secret_key() -> str:
    """A key generated once and kept in instance/, so sessions survive restarts."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'interviews.sqlite3'}"
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # The address links in e-mails and calendars point at. Unset, it follows PORT (what `make run` serves on).
    BASE_URL = (os.environ.get("BASE_URL") or f"http://127.0.0.1:{_int('PORT', 5000)}").rstrip("/")
    ORGANIZATION_NAME = os.environ.get("ORGANIZATION_NAME", "Riverside Labor Council")
    ORGANIZER_EMAIL = os.environ.get("ORGANIZER_EMAIL", "endorsements@riverside-labor.example.org")
    DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "America/New_York")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "")
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))
    # Back-off between attempts: base * 2^attempts seconds, capped.
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 30)
    MAIL_RETRY_MAX_SECONDS = _int("MAIL_RETRY_MAX_SECONDS", 3600)
    # How long a worker's claim on a message lasts before another worker may take it over.
    MAIL_CLAIM_SECONDS = _int("MAIL_CLAIM_SECONDS", 600)

    # Calendar answers (iTIP REPLY and COUNTER) read from the organiser's mailbox over IMAP: off while
    # IMAP_HOST is empty. The port defaults to 993 with IMAP_USE_SSL, else 143.
    IMAP_HOST = os.environ.get("IMAP_HOST", "")
    IMAP_PORT = _int("IMAP_PORT", 0)
    IMAP_USERNAME = os.environ.get("IMAP_USERNAME", "")
    IMAP_PASSWORD = os.environ.get("IMAP_PASSWORD", "")
    IMAP_FOLDER = os.environ.get("IMAP_FOLDER", "INBOX")
    IMAP_USE_SSL = _bool("IMAP_USE_SSL")
    IMAP_USE_STARTTLS = _bool("IMAP_USE_STARTTLS")
    IMAP_TIMEOUT = float(os.environ.get("IMAP_TIMEOUT", "30"))
    # `inbox work` waits this long after a failure (server down, login refused), doubling up to the cap.
    IMAP_RETRY_BASE_SECONDS = float(os.environ.get("IMAP_RETRY_BASE_SECONDS", "5"))
    IMAP_RETRY_MAX_SECONDS = float(os.environ.get("IMAP_RETRY_MAX_SECONDS", "300"))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True

    # How long a candidate's link stays valid after the response deadline.
    INVITATION_LINK_GRACE_DAYS = _int("INVITATION_LINK_GRACE_DAYS", 30)
    # Days before the deadline on which unanswered candidates get a reminder.
    INVITATION_REMINDER_DAYS = _int("INVITATION_REMINDER_DAYS", 3)
    # A booked campaign may move its interview to another free slot itself until this many hours before it.
    CAMPAIGN_RESCHEDULE_CUTOFF_HOURS = _int("CAMPAIGN_RESCHEDULE_CUTOFF_HOURS", 24)
    # Minutes kept free between two interviews of one panel member or room.
    SCHEDULING_BUFFER_MINUTES = _int("SCHEDULING_BUFFER_MINUTES", 15)
    NOTE_MAX_LENGTH = _int("NOTE_MAX_LENGTH", 20000)
    # Cancelled interviews stay in calendar feeds (STATUS:CANCELLED) this long, so subscribers drop them.
    CALENDAR_CANCELLED_RETENTION_DAYS = _int("CALENDAR_CANCELLED_RETENTION_DAYS", 30)

    # Requests larger than this are refused with a 413 page before they are read (the largest form, a
    # note or a roll CSV, is far smaller).
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 4 * 1024 * 1024)
    # How many reverse proxies (nginx, a load balancer) stand in front of the app; their
    # X-Forwarded-For then names the client, for the rate limits and the audit trail.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    # Roles (comma-separated) that must sign in with a code from an authenticator app; anyone may
    # choose to. Empty here, so the demo accounts of `make run` sign in with their password alone.
    TWO_FACTOR_REQUIRED_ROLES = os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "")
    # How long a password reset link works (it works once).
    PASSWORD_RESET_LINK_MINUTES = _int("PASSWORD_RESET_LINK_MINUTES", 60)
    # A record book with more readable notes than this gets its PDF from the worker
    # (`flask record-books work`) instead of in the request, so no request spends minutes in fpdf2.
    RECORD_PDF_AT_ONCE_MAX_NOTES = _int("RECORD_PDF_AT_ONCE_MAX_NOTES", 400)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, so an open form does not expire mid-interview
    TESTING = False
    PRODUCTION = False


class DevelopmentConfig(Config):
    SECRET_KEY = Config.SECRET_KEY or development_secret_key()


class ProductionConfig(Config):
    PRODUCTION = True
    TWO_FACTOR_REQUIRED_ROLES = os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "admin,staff")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105  (tests only)
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    BASE_URL = "http://interviews.example.org"
    ORGANIZATION_NAME = "Test Labor Council"
    ORGANIZER_EMAIL = "scheduling@labor.example.org"
    MAIL_SERVER = ""
    IMAP_HOST = ""
    DEFAULT_TIMEZONE = "America/New_York"
    TWO_FACTOR_REQUIRED_ROLES = ""
    PASSWORD_RESET_LINK_MINUTES = 60
    # The cheapest argon2id (tests only): the suite hashes a password for nearly every test.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 1024


def config_from_environment() -> type[Config]:
    env = os.environ.get("APP_ENV") or os.environ.get("FLASK_ENV") or "development"
    return ProductionConfig if env == "production" else DevelopmentConfig
