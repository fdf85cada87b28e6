"""Pages that several features contribute to, without any of them editing the others' templates.

A feature registers a function for a page ("dashboard", "race", "interview", "record_book",
"record_book_positions" (what candidates answered and committed to, before the vote), "vote") with
`@section(page, order)`. It takes the page's object (None on the dashboard) and the viewer, and
returns rendered HTML, or None when it has nothing for that viewer. Templates call
`sections(page, obj)`; the parts appear in `order`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_login import current_user
from markupsafe import Markup

SectionFunction = Callable[[Any, Any], str | None]
PAGES = ("dashboard", "race", "interview", "record_book", "record_book_positions", "vote")
_registry: dict[str, list[tuple[int, SectionFunction]]] = defaultdict(list)


def section(page: str, order: int = 50) -> Callable[[SectionFunction], SectionFunction]:
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; pages are {PAGES}")

    def register(func: SectionFunction) -> SectionFunction:
        if all(f.__qualname__ != func.__qualname__ or f.__module__ != func.__module__ for _, f in _registry[page]):
            _registry[page].append((order, func))
        return func

    return register


def render_sections(page: str, obj: Any, viewer: Any) -> list[Markup]:
    parts = []
    for _, func in sorted(_registry[page], key=lambda item: item[0]):
        html = func(obj, viewer)
        if html:
            parts.append(Markup(html))  # noqa: S704  (rendered by our own autoescaped templates)
    return parts


def register(app: Flask) -> None:
    @app.context_processor
    def inject_sections() -> dict[str, object]:
        return {"sections": lambda page, obj=None: render_sections(page, obj, current_user)}
