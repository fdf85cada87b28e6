"""The navigation bar, by role. Entries whose page does not exist are left out."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[str]


ALL = frozenset({"leader", "staff", "admin"})
STAFF = frozenset({"staff", "admin"})

NAV: tuple[NavItem, ...] = (
    NavItem("Dashboard", "main.dashboard", ALL),
    NavItem("Races", "races.index", ALL),
    NavItem("Interviews", "scheduling.index", ALL),
    NavItem("Search", "notes.search", ALL),
    NavItem("My calendar", "calendar.my_feed", ALL),
    NavItem("Locations", "scheduling.locations", STAFF),
    NavItem("Bodies", "bodies.index", STAFF),
    NavItem("Outbox", "mail.outbox", STAFF),
    NavItem("Inbox", "inbox.index", STAFF),
    NavItem("Accounts", "auth.users", frozenset({"admin"})),
    NavItem("Audit trail", "audit.index", frozenset({"admin"})),
)


def nav_items() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    role = current_user.role.value
    return [i for i in NAV if role in i.roles and i.endpoint in current_app.view_functions]


def is_current(item: NavItem) -> bool:
    endpoint = request.endpoint or ""
    return endpoint == item.endpoint or (
        item.endpoint.endswith(".index") and endpoint.split(".")[0] == item.endpoint.split(".")[0]
    )


def register(app: Flask) -> None:
    @app.context_processor
    def inject_navigation() -> dict[str, object]:
        return {"nav_items": nav_items, "nav_is_current": is_current}
