"""The dashboard is made of panels that each feature contributes.

A feature registers a function taking the signed-in user and returning rendered HTML (or None
when it has nothing for that user). Panels appear in the order of their `order`.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from interviews.auth.models import User

PanelFunction = Callable[[User], str | None]
_panels: list[tuple[int, PanelFunction]] = []


def dashboard_panel(order: int = 50) -> Callable[[PanelFunction], PanelFunction]:
    def register(func: PanelFunction) -> PanelFunction:
        if all(f is not func for _, f in _panels):
            _panels.append((order, func))
        return func

    return register


def render_panels(user: User) -> list[Markup]:
    rendered = []
    for _, func in sorted(_panels, key=lambda p: p[0]):
        html = func(user)
        if html:
            rendered.append(Markup(html))  # noqa: S704  (rendered by our own autoescaped templates)
    return rendered
