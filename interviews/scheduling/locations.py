"""Rooms and video meetings: creating, editing and taking them out of use (never deleted: interviews point at them)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from interviews.audit.services import diff, record
from interviews.auth.models import User
from interviews.extensions import db
from interviews.scheduling.models import Location, LocationKind

LOCATION_FIELDS = ("name", "kind", "address", "join_url", "capacity")


class LocationError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def check_join_url(value: str) -> str:
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or " " in value:
        raise LocationError("Give the meeting's https:// join link, e.g. https://meet.example.org/board.", "join_url")
    return value


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: data[k] for k in LOCATION_FIELDS if k in data}
    clean["name"] = (clean.get("name") or "").strip()
    if not clean["name"]:
        raise LocationError("Give the location a name.", "name")
    kind = LocationKind(clean.get("kind") or "room")
    clean["kind"] = kind
    clean["address"] = (clean.get("address") or "").strip()
    if kind is LocationKind.video:
        clean["join_url"] = check_join_url(clean.get("join_url") or "")
        clean["capacity"] = None
    else:
        clean["join_url"] = ""
        capacity = clean.get("capacity")
        if capacity is not None and capacity < 1:
            raise LocationError("The capacity is at least 1, or leave it empty.", "capacity")
    return clean


def create_location(data: dict[str, Any], *, actor: User) -> Location:
    clean = _clean(data)
    location = Location(**clean, active=True)
    db.session.add(location)
    db.session.flush()
    record("location.created", location, changes=clean, summary=f"Location added: {location.name}", actor=actor)
    return location


def update_location(location: Location, data: dict[str, Any], *, actor: User) -> dict[str, Any]:
    changes = diff(location, _clean(data))
    if changes:
        record("location.updated", location, changes=changes, summary=f"Location edited: {location.name}", actor=actor)
    return changes


def set_location_active(location: Location, active: bool, *, actor: User) -> None:
    """Take a location out of use (existing interviews keep it) or put it back."""
    if location.active == active:
        return
    location.active = active
    record(
        "location.activated" if active else "location.deactivated",
        location,
        changes={"active": [not active, active]},
        summary=f"Location {'back in use' if active else 'taken out of use'}: {location.name}",
        actor=actor,
    )
