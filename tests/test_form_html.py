"""The form macros that write a field's HTML themselves give what WTForms' own rendering gives.

`textarea_field` (templates/_forms.html) replaces `field` for the campaign page's text areas. Both are
rendered for each of those fields, empty, filled in and refused, and compared element by element:
tags, attributes (class as a set of names) and text.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict

from interviews.invitations.forms import CancelForm, DeclineForm, OtherTimesForm, RescheduleForm

MACROS = '{% from "_forms.html" import field, textarea_field %}'


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[Any, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: (frozenset((v or "").split()) if k == "class" else v) for k, v in attrs}
        self.items.append(("start", tag, named))

    def handle_endtag(self, tag: str) -> None:
        self.items.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.items.append(("text", data.strip()))


def _elements(html: str) -> list[tuple[Any, ...]]:
    parser = _Elements()
    parser.feed(html)
    return parser.items


FIELDS = [
    (OtherTimesForm, "other", "message"),
    (DeclineForm, "decline", "reason"),
    (RescheduleForm, "reschedule", "message"),
    (CancelForm, "cancel", "reason"),
]


@pytest.mark.parametrize(("form_class", "prefix", "name"), FIELDS)
@pytest.mark.parametrize("state", ["empty", "filled in", "refused"])
def test_a_text_area_is_written_as_wtforms_writes_it(
    app: Flask, form_class: Any, prefix: str, name: str, state: str
) -> None:
    key = f"{prefix}-{name}"
    sent = {"empty": None, "filled in": {key: "Tuesday <after> 5 & later"}, "refused": {key: "x" * 2001}}[state]
    with app.test_request_context("/", method="POST" if sent else "GET"):
        form = form_class(formdata=MultiDict(sent) if sent else None, prefix=prefix, meta={"csrf": False})
        if sent:
            form.validate()
        f = getattr(form, name)
        ours = render_template_string(MACROS + "{{ textarea_field(f) }}", f=f)
        theirs = render_template_string(MACROS + "{{ field(f) }}", f=f)

    assert _elements(ours) == _elements(theirs)
    if state == "refused":
        assert 'aria-invalid="true"' in ours and "has-error" in ours
    if state == "filled in":
        assert "Tuesday &lt;after&gt; 5 &amp; later" in ours
