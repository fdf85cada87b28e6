"""Template filters: times are stored in UTC and shown in the viewer's own zone, named."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, g, has_request_context
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from interviews.invitations.models import InvitationStatus
from interviews.mail.models import OutboxStatus
from interviews.pagination import page_url
from interviews.races.models import Stage
from interviews.scheduling.models import InterviewStatus, LocationKind
from interviews.timezones import timezone_options
from interviews.urls import row_url
from interviews.votes.models import VoteStatus
from interviews.votes.stage_words import money


def _viewer() -> Any:
    """The request's user, as `current_user` gives it: read from where Flask-Login keeps it once loaded,
    because each time through the proxy costs more than formatting the time (a ledger formats hundreds)."""
    if has_request_context():
        user = g.get("_login_user")
        if user is not None:
            return user
    return current_user._get_current_object() if current_user else None


def viewer_timezone() -> str:
    user = _viewer()
    tz = getattr(user, "timezone", None) if user is not None and user.is_authenticated else None
    if tz:
        return str(tz)
    default: str = current_app.config["DEFAULT_TIMEZONE"]
    return default


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_zone(value: datetime, tz: str | None = None) -> datetime:
    return value.astimezone(_zone(tz or viewer_timezone()))


# English names, as the pages are written: strftime's %a and %b would follow the server's locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(value: date) -> str:
    return f"{_DAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None, tz: str | None = None, with_zone: bool = True) -> str:
    """'Mon 9 Mar 2026, 14:00 CET' in the viewer's zone (or the given one)."""
    if value is None:
        return ""
    local = to_zone(value, tz)
    text = f"{_day(local)}, {local.hour:02d}:{local.minute:02d}"
    return f"{text} {local.tzname()}" if with_zone else text


def format_time(value: datetime | None, tz: str | None = None) -> str:
    if value is None:
        return ""
    local = to_zone(value, tz)
    return f"{local:%H:%M} {local.tzname()}"


def zone_name(tz: str | None) -> str:
    """An IANA zone as people read it: 'America/Los Angeles'."""
    return (tz or viewer_timezone()).replace("_", " ")


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_zone(value).date()
    return _day(value)


def csrf_token() -> str:
    """Flask-WTF's `generate_csrf`, with the request's token read straight from `g`, where it keeps the
    token once made: a ledger page asks twice a row, and each full call reads the config through proxies."""
    token = g.get("csrf_token")
    return str(token) if token is not None else str(generate_csrf())


def register(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["zone_name"] = zone_name
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["reject_page"] = lambda args: {k: v for k, v in args.items() if k != "page"}
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["timezone_options"] = timezone_options
    # Flask-WTF sets its own both as a global and through a context processor; ours, registered later, wins.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["row_url"] = row_url
    # Templates compare with the enums themselves (`i.status == InterviewStatus.cancelled`), never their values.
    app.jinja_env.globals.update(
        InterviewStatus=InterviewStatus,
        InvitationStatus=InvitationStatus,
        LocationKind=LocationKind,
        OutboxStatus=OutboxStatus,
        Stage=Stage,
        VoteStatus=VoteStatus,
    )

    @app.context_processor
    def inject_settings() -> dict[str, object]:
        return {
            "organization_name": app.config["ORGANIZATION_NAME"],
            "viewer_timezone": viewer_timezone,
            "csrf_token": csrf_token,
        }
