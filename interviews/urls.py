"""Absolute addresses for e-mails, calendars and feeds, built the same way inside a request or not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for

# A number no id can be (ids stop at security.MAX_ID, ten digits): it marks where each row's id goes.
_MARK = 9_876_543_210_123


def absolute_url(endpoint: str, **values: object) -> str:
    """An address built from BASE_URL, also outside a request (the tick command, the demo loader).

    url_for needs a request or SERVER_NAME; binding the URL map directly needs neither, and BASE_URL
    (which may carry a path prefix behind a proxy) is the one place the public address is set.
    """
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    base: str = current_app.config["BASE_URL"]
    return base.rstrip("/") + path


def row_url(endpoint: str, field: str, **values: Any) -> Callable[[int], str]:
    """The address of a link every row of a list repeats with only `field` changing, for the template to
    fill in per row: `url_for` runs once, with a marker where the row's id goes. A call costs 10 to
    20 µs, and a race page's 50 rows with three such links each spent 2 ms on them."""
    values[field] = _MARK
    head, _, tail = url_for(endpoint, **values).partition(str(_MARK))
    return lambda value: f"{head}{int(value)}{tail}"


# Links remembered per process: the pages' links name a few hundred endpoints and ids, a list's rows
# more; past this many the memo starts again rather than grow with every id ever linked.
_MOST_LINKS = 20_000


class App(Flask):
    """Flask, remembering the in-page links it built. A race page builds 45 links and the dashboards
    20 to 30, at 4 to 10 µs each in werkzeug's URL map; the same endpoint and values give the same
    address for as long as the process runs, so each is built once.

    Only what cannot differ between two requests is remembered: a link inside a request (relative to
    the request's script root, which is part of the key), not external, no scheme or method given, an
    absolute endpoint, values that are plain ints and strings (a bool or a list goes to Flask as
    before), and no `url_defaults` function registered (none is: one could depend on the request).
    A link Flask cannot build raises as before and is not remembered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._links: dict[tuple[Any, ...], str] = {}

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        key = self._link_key(endpoint, _anchor, _method, _scheme, _external, values)
        if key is None:
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
            )
        link = self._links.get(key)
        if link is None:
            link = super().url_for(endpoint, _anchor=_anchor, **values)
            if len(self._links) >= _MOST_LINKS:
                self._links.clear()
            self._links[key] = link
        return link

    def _link_key(
        self,
        endpoint: str,
        anchor: str | None,
        method: str | None,
        scheme: str | None,
        external: bool | None,
        values: dict[str, Any],
    ) -> tuple[Any, ...] | None:
        if external or scheme is not None or method is not None or endpoint[:1] == ".":
            return None
        if not has_request_context() or any(self.url_default_functions.values()):
            return None
        for value in values.values():
            # Exactly int or str: not a bool, which equals 1 as a key but builds "True".
            if type(value) is not int and type(value) is not str:
                return None
        # Values in the caller's order: another order is another key for the same address, never a wrong one.
        return (endpoint, request.script_root, anchor, *values.items())
