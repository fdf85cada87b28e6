"""IANA time zone names for forms."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from markupsafe import Markup, escape


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/")))
    return [("UTC", "UTC"), *((n, n.replace("_", " ")) for n in names)]


@cache
def _options() -> tuple[dict[str, str], str]:
    each = {value: f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in timezone_choices()}
    return each, "".join(each.values())


def timezone_options(selected: str) -> Markup:
    """The <option>s of a time-zone <select>, `selected` marked. Rendered once per process: a loop
    in the template over the 400-odd zones was most of the campaign page's CPU."""
    each, html = _options()
    option = each.get(selected)
    if option is not None:
        html = html.replace(option, option.replace("<option ", "<option selected ", 1), 1)
    return Markup(html)  # noqa: S704  (every value and label was escaped above)


def is_valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
