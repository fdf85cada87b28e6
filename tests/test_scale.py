"""Pages that list what can grow show a page of it, and cost the same queries at any size.

Two races are built directly (not through the services, which would take minutes): a small one that
fits on one page, and one with more than two pages of candidates, interviews and invitations. Each
page must send the same number of SQL statements for both (a page number past the end of a list, asked
of the small race, a fixed two more), and show page links only for the big one.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.invitations.emails import content_digest
from interviews.invitations.models import Invitation, InvitationLetter, InvitationStatus, Slot
from interviews.races.models import Candidate
from interviews.scheduling.models import Interview, InterviewStatus, PanelSeat
from interviews.types import utcnow

BIG = 120  # candidates: more than two pages of 50


def _race(make_race, panel, title: str, candidates: int):  # type: ignore[no-untyped-def]
    """A race with `candidates` candidates, each invited and booked, a third of them asking for other times."""
    race = make_race(title, candidates=0)
    race.panel = list(panel)
    now = utcnow()
    letter = InvitationLetter(
        race=race,
        subject="Interview",
        body="Same for all.",
        topics="Organising",
        respond_by=now + timedelta(days=9),
        timezone="UTC",
    )
    db.session.add(letter)
    digest = content_digest(letter)  # what sending would have stored: every copy the same
    for n in range(candidates):
        candidate = Candidate(
            race=race,
            name=f"Candidate {n:04d}",
            contact_name=f"Scheduler {n}",
            contact_email=f"s{n}@campaign.example.com",
        )
        status = InvitationStatus.other_times if n % 3 == 0 else InvitationStatus.accepted
        invitation = Invitation(letter=letter, candidate=candidate, content_digest=digest, status=status)
        interview = Interview(
            race=race,
            candidate=candidate,
            invitation=invitation,
            starts_at=now + timedelta(days=1, hours=n),
            ends_at=now + timedelta(days=1, hours=n, minutes=45),
            timezone="America/New_York",
            status=InterviewStatus.scheduled,
        )
        interview.panel_seats = [PanelSeat(user=u) for u in panel]
        slot = Slot(
            letter=letter,
            starts_at=interview.starts_at,
            ends_at=interview.ends_at,
            timezone="America/New_York",
            taken_by=invitation,
        )
        db.session.add_all([candidate, invitation, interview, slot])
    db.session.commit()
    return race


@pytest.fixture
def two_races(make_race, make_user):  # type: ignore[no-untyped-def]
    panel = [make_user("leader", name=f"Leader {n}") for n in range(2)]
    small = _race(make_race, panel, "Small race", 4)
    big = _race(make_race, panel, "Big race", BIG)
    return small, big


PAGES = {
    "race page": "/races/{id}",
    "race page, page 2": "/races/{id}?candidates=2&interviews=2",
    "ledger": "/races/{id}/invitation/ledger",
    "letter and slots": "/races/{id}/invitation",
    "letter, slots page 2": "/races/{id}/invitation?slots=2",
    "ledger, filtered": "/races/{id}/invitation/ledger?status=other_times",
    "dashboard": "/dashboard",
    "races": "/races",
    "interviews": "/interviews?race={id}",
    "interviews, page 2": "/interviews?race={id}&upcoming=2",
    "record book": "/races/{id}/record",
    "record book, page 3": "/races/{id}/record?page=3&candidates=2",
    "search": "/search?q=Candidate",
    "commitments": "/races/{id}/commitments",
    "commitments, page 3": "/races/{id}/commitments?candidates=3",
}
# On the small race these pages ask for a page past the end of so many of their lists: each such
# list costs one count and one re-read of its last page more (the same whatever the size).
PAST_THE_END = {
    "race page, page 2": 2,
    "letter, slots page 2": 1,
    "interviews, page 2": 1,
    "record book, page 3": 2,
    "commitments, page 3": 1,
}


def test_each_page_costs_the_same_queries_for_4_or_120_candidates(client, auth, two_races, count_queries):  # type: ignore[no-untyped-def]
    small, big = two_races
    auth.login("staff")
    counts: dict[tuple[str, str], int] = {}
    for label, path in PAGES.items():
        for size, race in (("small", small), ("big", big)):
            with count_queries() as q:
                response = client.get(path.format(id=race.id))
            assert response.status_code == 200, (label, size)
            counts[(label, size)] = q.count
    for label in PAGES:
        extra = 2 * PAST_THE_END.get(label, 0)
        assert counts[(label, "small")] == counts[(label, "big")] + extra, (label, counts)


def test_a_small_race_reads_as_one_page_and_a_big_one_has_a_way_through(client, auth, two_races):  # type: ignore[no-untyped-def]
    small, big = two_races
    auth.login("staff")
    page = client.get(f"/races/{small.id}").get_data(as_text=True)
    assert "Candidate 0003" in page and 'class="pager"' not in page
    page = client.get(f"/races/{big.id}").get_data(as_text=True)
    # Worked by hand: 120 candidates at 50 a page are pages 1-50, 51-100 and 101-120.
    assert "Showing 1–50 of 120 candidates." in page and "Showing 1–50 of 120 interviews." in page
    assert "Candidate 0049" in page and "Candidate 0050" not in page
    page = client.get(f"/races/{big.id}?candidates=3").get_data(as_text=True)
    assert "Showing 101–120 of 120 candidates." in page and "Candidate 0119" in page and "Candidate 0099" not in page
    # The interviews keep their own page while the candidates move on.
    assert "Showing 1–50 of 120 interviews." in page
    page = client.get(f"/interviews?race={big.id}&upcoming=3").get_data(as_text=True)
    assert "Showing 101–120 of 120 upcoming interviews." in page
    # The record book: 20 interviews a page (120 make six pages), 50 ledger lines a page.
    page = client.get(f"/races/{big.id}/record?page=6").get_data(as_text=True)
    assert "Showing 101–120 of 120 interviews." in page and "Showing 1–50 of 120 candidates." in page


def test_the_ledger_filters_and_counts_in_the_page(client, auth, two_races):  # type: ignore[no-untyped-def]
    _small, big = two_races
    auth.login("staff")
    page = client.get(f"/races/{big.id}/invitation/ledger?status=other_times").get_data(as_text=True)
    # Every third candidate of 120 (0, 3, ..., 117) asked for other times: 40 of them, one page.
    assert "40 shown by this filter" in page
    assert 'data-candidate="Candidate 0117"' in page and 'data-candidate="Candidate 0001"' not in page
    assert 'class="pager"' not in page
    page = client.get(f"/races/{big.id}/invitation/ledger?status=nonsense").get_data(as_text=True)
    assert "Showing 1–50 of 120 candidates." in page


def test_the_dashboard_counts_what_waits_in_each_race(client, auth, two_races):  # type: ignore[no-untyped-def]
    auth.login("staff")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "40 candidate(s) asked for other times." in page  # the big race: 0, 3, ..., 117
    assert "2 candidate(s) asked for other times." in page  # the small race: 0 and 3


@pytest.mark.parametrize(
    ("query", "status", "shown"),
    [
        ("candidates=2", 200, "Showing 51–100 of 120 candidates."),
        ("candidates=999", 200, "Showing 101–120 of 120 candidates."),  # past the end: the last page
        ("candidates=0", 404, None),
        ("candidates=-1", 404, None),
        ("candidates=abc", 404, None),
        ("candidates=2.5", 404, None),
        ("candidates=%C2%B2", 404, None),  # a superscript two is a digit to Python, not a page
        ("candidates=99999999999999999999999", 404, None),
    ],
)
def test_page_numbers_out_of_range_or_junk_are_the_last_page_or_a_404(client, auth, two_races, query, status, shown):  # type: ignore[no-untyped-def]
    _small, big = two_races
    auth.login("staff")
    response = client.get(f"/races/{big.id}?{query}")
    assert response.status_code == status
    if shown:
        assert shown in response.get_data(as_text=True)


def test_the_audit_trail_pages_and_ignores_ids_that_cannot_exist(client, auth, make_user):  # type: ignore[no-untyped-def]
    admin = make_user("admin", name="Audrey Admin")
    db.session.add_all(
        AuditEvent(
            actor_kind=ActorKind.system,
            actor_label="test",
            action="test.seeded",
            entity_type="thing",
            entity_id=n,
        )
        for n in range(1, 121)
    )
    db.session.commit()
    auth.login(admin)
    page = client.get("/admin/audit/?action=test.&page=3").get_data(as_text=True)
    assert "Showing 101–120 of 120 events." in page
    for junk in ("99999999999999999999", "-3", "x"):
        response = client.get(f"/admin/audit/?action=test.&entity_id={junk}&actor={junk}")
        assert response.status_code == 200 and "Showing 1–50 of 120 events." in response.get_data(as_text=True)


def test_a_trail_longer_than_its_count_says_more_than_and_pages_on_to_its_end(client, auth, make_user, monkeypatch):  # type: ignore[no-untyped-def]
    """The audit trail keeps every event for years, so it counts up to a limit (60 here, 1,000 in use)."""
    from interviews.audit import views as audit_views

    monkeypatch.setattr(audit_views, "AUDIT_COUNTED", 60)
    admin = make_user("admin", name="Audrey Admin")
    db.session.add_all(
        AuditEvent(actor_kind=ActorKind.system, actor_label="test", action="test.seeded", entity_type="t", entity_id=n)
        for n in range(1, 121)
    )
    db.session.commit()
    auth.login(admin)

    def text(page: int) -> str:
        html = client.get(f"/admin/audit/?action=test.&page={page}").get_data(as_text=True)
        return " ".join(re.sub(r"<[^>]+>", " ", html).split())

    first = text(1)
    assert "More than 60 events." in first and "Showing 1–50 of more than 60 events." in first
    assert "Next" in first and "Previous" not in first
    second = text(2)
    assert "Showing 51–100 of more than 100 events." in second and "Next" in second
    third = text(3)  # the end: now the trail knows how long it is
    assert "Showing 101–120 of 120 events." in third and "Next" not in third and "120 events." in third
    assert "Showing 101–120 of 120 events." in text(9)  # past the end: the last page, as for any list


def test_the_staff_dashboards_figures_are_read_in_one_statement(client, auth, two_races, count_queries):  # type: ignore[no-untyped-def]
    """The inbox's and the outbox's counts are registered figures of the page, read together."""
    auth.login("staff")
    with count_queries() as q:
        page = client.get("/dashboard").get_data(as_text=True)
    assert "Outbox" in page
    counting = [s for s in q.statements if "outbox_messages" in s or "inbox_messages" in s]
    assert len(counting) == 1, counting
    assert "inbox_messages" in counting[0] and "outbox_messages" in counting[0]
