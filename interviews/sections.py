"""Pages that several features contribute to, without any of them editing the others' templates.

A feature registers a function for a page ("dashboard", "race", "interview", "record_book",
"record_book_positions" (what candidates answered and committed to, before the vote), "vote") with
`@section(page, order)`. It takes the page's object (None on the dashboard) and the viewer, and
returns rendered HTML, or None when it has nothing for that viewer. Templates call
`sections(page, obj)`; the parts appear in `order`.

A feature's counts for a page are registered with `@figures(page)` and read with `read_figures(page)`:
every feature's figures for the page in one statement, read once per request (the staff dashboard
read its inbox and outbox counts in one statement each).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import Flask, current_app
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Select, select

from interviews.database import read_rows, request_memo
from interviews.reads import PlainRow

SectionFunction = Callable[[Any, Any], str | None]
PAGES = ("dashboard", "race", "interview", "record_book", "record_book_positions", "vote")
_registry: dict[str, list[tuple[int, SectionFunction]]] = defaultdict(list)


def section(page: str, order: int = 50) -> Callable[[SectionFunction], SectionFunction]:
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; pages are {PAGES}")

    def register(func: SectionFunction) -> SectionFunction:
        if not _registered(func, (f for _, f in _registry[page])):
            _registry[page].append((order, func))
        return func

    return register


def _registered(func: Callable[..., Any], funcs: Iterable[Callable[..., Any]]) -> bool:
    """Whether the same function (by module and name) is registered already: a module imported again
    (the tests build many apps) registers nothing twice."""
    return any(f.__qualname__ == func.__qualname__ and f.__module__ == func.__module__ for f in funcs)


def render_part(template_name: str, **context: Any) -> str:
    """`render_template` for a section: the template context that Flask's context processors give every
    template (the signed-in user, the settings, the navigation) is worked out once per request and shared
    by the page's parts, not again for each. The race page renders seven templates, the dashboard six."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    memo = request_memo()
    shared: dict[str, Any] | None = memo.get("template-context")
    if shared is None:
        shared = {}
        app.update_template_context(shared)
        memo["template-context"] = shared
    rendered: str = app.jinja_env.get_or_select_template(template_name).render({**shared, **context})
    return rendered


def render_sections(page: str, obj: Any, viewer: Any) -> list[Markup]:
    parts = []
    for _, func in sorted(_registry[page], key=lambda item: item[0]):
        html = func(obj, viewer)
        if html:
            parts.append(Markup(html))  # noqa: S704  (rendered by our own autoescaped templates)
    return parts


@dataclass(frozen=True)
class Figures:
    """A feature's figures for a page: labelled columns that need no FROM of the page's statement (scalar
    subqueries, EXISTS), labels prefixed with the feature's name, and a function that gives their bound
    values when the page is read (bound names prefixed the same way)."""

    columns: tuple[Any, ...]
    params: Callable[[], Mapping[str, Any]] = field(default=dict)


_figure_registry: dict[str, list[Callable[[], Figures]]] = defaultdict(list)


def figures(page: str) -> Callable[[Callable[[], Figures]], Callable[[], Figures]]:
    """Register a function that builds a feature's `Figures` for `page` (once per process)."""
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; pages are {PAGES}")

    def register(func: Callable[[], Figures]) -> Callable[[], Figures]:
        if not _registered(func, _figure_registry[page]):
            _figure_registry[page].append(func)
        return func

    return register


@cache
def _figures_statement(page: str) -> tuple[Select[Any], tuple[Figures, ...]]:
    """The page's one statement of figures, built on first use: every feature registered at import."""
    found = tuple(build() for build in _figure_registry[page])
    return select(*(column for figure in found for column in figure.columns)), found


def read_figures(page: str) -> PlainRow:
    """Every figure of `page`, named by its label, read in one statement once per request."""
    memo = request_memo()
    key = ("figures", page)
    if key not in memo:
        statement, found = _figures_statement(page)
        params: dict[str, Any] = {}
        for figure in found:
            params.update(figure.params())
        memo[key] = read_rows(statement, params).one()
    return memo[key]


def register(app: Flask) -> None:
    @app.context_processor
    def inject_sections() -> dict[str, object]:
        return {"sections": lambda page, obj=None: render_sections(page, obj, current_user)}
