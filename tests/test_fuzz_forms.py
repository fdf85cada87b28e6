"""Junk posted to every form of the app, as every kind of visitor, with real CSRF tokens: never a 5xx.

The demo organisation is loaded, each visitor walks the pages a person would reach by links from the
dashboard (a candidate from their link), and every POST form found is sent three kinds of junk:
its fields missing, its hidden fields (ids, versions) missing, its fields repeated with conflicting
values, and values of the wrong kind
(numbers that are not numbers, impossible dates, choices not offered, text past any limit).
A refusal (4xx) must leave every stored row as it was; nothing may answer 5xx.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from interviews.auth.models import User
from interviews.demo import DEMO_DOMAIN, demo_password, load_demo
from interviews.extensions import db
from interviews.invitations.links import make_token
from interviews.invitations.models import Invitation, InvitationStatus
from interviews.notes.models import MemberPoll
from interviews.races.models import Race
from interviews.scheduling.models import Interview, PanelSeat
from interviews.votes.models import Vote
from tests.conftest import changed_tables, stored_rows

# Links a person would not follow while filling in forms: leaving, downloads, feeds.
SKIP_LINK = re.compile(r"^/(logout|static/)|\.(pdf|ics|csv|json|atom)(\?|$)|/feed/|/calendar/.*\.ics")
MAX_PAGES = 300
# Forms the walk must have found, so a change that hides them from it fails here rather than going untested.
MUST_REACH = {
    "admin": {"/admin/users/N", "/races/N/invitation", "/interviews/N/move", "/polls/N/edit", "/votes/N/paper"},
    "staff": {
        "/races/new",
        "/races/N/invitation/slots",
        "/races/N/invitation/slots/bulk",
        "/interviews/N/panel",
        "/races/N/rule",
        "/locations/new",
        "/races/N/questionnaire/edit",
        "/races/N/commitments/positions",
        "/bodies",
        "/bodies/default/sync",
        "/bodies/N/members",
        "/bodies/members/N/end",
        "/bodies/members/N/weight",
        "/bodies/N/import",
        "/races/N/path/preset",
        "/races/N/path/stages",
        "/stages/N/edit",
        "/stages/N/remove",
        "/stages/N/prepare",
        "/races/N/rescind",
    },
    "leader": {"/interviews/N/notes/general", "/interviews/N/notes/questions/N", "/votes/N/ballot", "/account"},
    "campaign": {
        "/invitation/T/book",
        "/invitation/T/decline",
        "/invitation/T/other-times",
        "/invitation/T/questionnaire",
    },
}


# Refusals that keep a record on purpose: a slot a campaign could not take (someone took it first, or a
# booking would clash) is kept for the ledger, with its audit line; nothing else may change.
KEPT_WHEN_REFUSED: dict[tuple[str, int], set[str]] = {
    ("/invitation/T/book", 409): {"audit_events", "booking_failures"},
    ("/invitation/T/move", 409): {"audit_events", "booking_failures"},
}


def _route(action: str, status: int) -> tuple[str, int]:
    return re.sub(r"^/invitation/[^/]+", "/invitation/T", urlsplit(action).path), status


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (name, kind, value)


class _Page(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.base, a["href"]))
        elif tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(action=urljoin(self.base, a.get("action") or self.base))
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            self._form.fields.append((a["name"], kind, a.get("value", "")))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.fields.append((a["name"], "select", ""))
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form.fields.append((a["name"], "textarea", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _csrf(form: Form) -> list[tuple[str, str]]:
    """The form's token field (prefixed forms name it `prefix-csrf_token`), as the page gave it."""
    return [(name, value) for name, _, value in form.fields if name.endswith("csrf_token")]


def _junk_values(kind: str) -> list[str]:
    return {
        "number": ["NaN", "1e309", "-1", "99999999999999999999999"],
        "date": ["2026-13-45"],
        "datetime-local": ["2026-02-30T25:61"],
        "time": ["25:99"],
        "email": ["not an address"],
        "checkbox": ["maybe"],
        "radio": ["not-a-choice"],
        "select": ["not-a-choice", "99999999999"],
        "hidden": ["not-a-number", "-99999999999999999999"],
    }.get(kind, ["x" * 60_000])


def _variants(form: Form) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    token = _csrf(form)
    real = [(n, k, v) for n, k, v in form.fields if not n.endswith("csrf_token") and k != "submit"]
    if real:  # a button (a token and nothing else) has nothing to leave out
        yield "missing", token
    repeated = (
        [(n, v or "1") for n, _, v in real] + [(n, "") for n, _, _ in real] + [(n, "x" * 300) for n, _, _ in real]
    )
    yield "repeated", token + repeated
    hidden = {n for n, k, _ in real if k == "hidden"}
    if hidden:  # the page's own values, with the hidden fields (ids, versions) taken out
        yield "hidden-dropped", token + [(n, v) for n, _, v in real if n not in hidden]
    junk = [(n, value) for n, k, _ in real for value in _junk_values(k)[:1]]
    if junk:
        yield "wrong-kind", token + junk


def _walk(client: Any, start: list[str]) -> dict[str, Form]:
    """Pages reachable by links from `start`; one form per (endpoint path shape, field names)."""
    seen: set[str] = set()
    shapes: dict[str, int] = {}  # a few pages of a kind (each race, some interviews) show its forms
    queue = deque(start)
    forms: dict[str, Form] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        shape = re.sub(r"/\d+", "/N", path.split("?")[0])
        if path in seen or SKIP_LINK.search(path) or not path.startswith("/") or shapes.get(shape, 0) >= 4:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(path)
        assert response.status_code < 500, f"GET {path} answered {response.status_code}"
        if "text/html" not in response.content_type:
            continue
        page = _Page("http://localhost" + path)
        page.feed(response.get_data(as_text=True))
        for link in page.links:
            parts = urlsplit(link)
            if parts.netloc in ("", "localhost"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        for form in page.forms:
            shape = (
                re.sub(r"/\d+", "/N", urlsplit(form.action).path) + "|" + ",".join(sorted(n for n, _, _ in form.fields))
            )
            forms.setdefault(shape, form)
    return forms


def _sign_in(client: Any, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/login", data={"csrf_token": token.group(1) or token.group(2), "email": email, "password": demo_password()}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def demo_app(app, app_factory):  # type: ignore[no-untyped-def]
    """The demo organisation on a CSRF-checking app (`app` empties the tables afterwards)."""
    fuzz = app_factory(WTF_CSRF_ENABLED=True)
    with fuzz.app_context():
        assert load_demo() is True
        db.session.remove()
    return fuzz


@pytest.mark.parametrize(
    "who", ["admin", "staff", "leader", "campaign"], ids=["admin", "staff", "leader", "campaign (no account)"]
)
def test_junk_in_every_form_is_never_a_5xx_and_a_refusal_changes_nothing(demo_app, who):
    client = demo_app.test_client()
    with demo_app.app_context():
        if who == "campaign":
            # A booked campaign and one that has not answered yet: their pages offer different forms.
            start = [
                f"/invitation/{make_token(invitation)}"
                for status in (InvitationStatus.accepted, InvitationStatus.opened, InvitationStatus.sent)
                for invitation in db.session.scalars(
                    select(Invitation).where(Invitation.status == status).order_by(Invitation.id.desc()).limit(2)
                )
            ]
        else:
            # The leader on the most panels of the governor's race, which is still interviewing.
            busiest = db.session.scalar(
                select(User.email)
                .join(PanelSeat, PanelSeat.user_id == User.id)
                .join(Interview, Interview.id == PanelSeat.interview_id)
                .join(Race, Race.id == Interview.race_id)
                .where(Race.title == "2027 Governor")
                .group_by(User.email)
                .order_by(func.count().desc(), User.email)
                .limit(1)
            )
            emails = {"admin": f"admin@{DEMO_DOMAIN}", "staff": "m.oyelaran@" + DEMO_DOMAIN, "leader": busiest}
            _sign_in(client, emails[who])
            # The dashboard, and the pages whose forms sit a few links deep: every vote, poll and the
            # notes of the interviews this person may write on.
            me = db.session.scalar(select(User).where(User.email == emails[who]))
            assert me is not None
            start = ["/", "/outbox"]
            start += [f"/votes/{v}" for v in db.session.scalars(select(Vote.id))]
            start += [f"/polls/{p}/edit" for p in db.session.scalars(select(MemberPoll.id))]
            seats = select(PanelSeat.interview_id).where(PanelSeat.user_id == me.id) if who == "leader" else None
            start += [
                f"/interviews/{i}/notes/general"
                for i in db.session.scalars(
                    select(Interview.id).where(Interview.id.in_(seats)) if seats is not None else select(Interview.id)
                )
            ]
        forms = _walk(client, start)
        reached = {re.sub(r"^/invitation/[^/]+", "/invitation/T", shape.split("|")[0]) for shape in forms}
        assert MUST_REACH[who] <= reached, sorted(reached)
        problems: list[str] = []
        posted = 0
        for shape, form in sorted(forms.items()):
            if urlsplit(form.action).path == "/logout":
                continue
            for variant, data in _variants(form):
                before = stored_rows()
                response = client.post(urlsplit(form.action).path, data=MultiDict(data))
                posted += 1
                where = f"{variant} to {shape} as {who}"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                elif 400 <= response.status_code < 500 and (changed := changed_tables(before)):
                    if set(changed) <= KEPT_WHEN_REFUSED.get(_route(form.action, response.status_code), set()):
                        continue
                    problems.append(f"{where}: refused with {response.status_code} but changed {changed}")
        db.session.remove()
    assert posted >= len(forms) and problems == []
