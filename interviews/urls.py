"""Absolute addresses for e-mails, calendars and feeds, built the same way inside a request or not."""

from __future__ import annotations

from flask import current_app


def absolute_url(endpoint: str, **values: object) -> str:
    """An address built from BASE_URL, also outside a request (the tick command, the demo loader).

    url_for needs a request or SERVER_NAME; binding the URL map directly needs neither, and BASE_URL
    (which may carry a path prefix behind a proxy) is the one place the public address is set.
    """
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    base: str = current_app.config["BASE_URL"]
    return base.rstrip("/") + path
