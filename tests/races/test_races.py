"""Races through HTTP and services: create, edit, read, the derived stage, the default panel, the dashboard."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.races import services
from interviews.races.models import Race, Stage
from interviews.races.stages import facts_of, stage_of, stages_of
from interviews.types import utcnow
from tests.conftest import changed_tables, stored_rows

RACE = {
    "title": "2026 Governor",
    "office": "Governor",
    "jurisdiction": "State of Columbia",
    "election_date": "2027-11-02",
    "description": "Open seat.",
}


def test_empty_list_tells_staff_what_to_do_and_leaders_what_to_expect(client, auth):
    auth.login("staff")
    assert "Create the first race" in client.get("/races").get_data(as_text=True)
    auth.logout()
    auth.login("leader")
    html = client.get("/races").get_data(as_text=True)
    assert "Staff have not set up any race yet" in html and "New race" not in html


def test_staff_create_and_edit_a_race_with_an_audit_trail(client, auth):
    auth.login("staff")
    response = client.post("/races/new", data={**RACE, "hide_notes_until_submitted": "y"})
    assert response.status_code == 302
    race = db.session.scalar(select(Race))
    assert response.headers["Location"] == f"/races/{race.id}"
    assert race.election_date == date(2027, 11, 2) and race.hide_notes_until_submitted
    assert stage_of(race) is Stage.planning
    assert client.post(f"/races/{race.id}/edit", data={**RACE, "office": "Governor of Columbia"}).status_code == 302
    db.session.refresh(race)
    assert race.office == "Governor of Columbia" and not race.hide_notes_until_submitted
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Race")).all()
    assert [e.action for e in events] == ["race.created", "race.updated"]
    assert events[1].changes["office"] == ["Governor", "Governor of Columbia"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"title": ""}, "This field is required."),
        ({"title": "   "}, "This field is required."),
        ({"election_date": "next autumn"}, "Give the election date."),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_race_input_is_a_clear_message_never_a_500(client, auth, change, message):
    auth.login("staff")
    before = stored_rows()
    response = client.post("/races/new", data={**RACE, **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Race)) is None
    assert changed_tables(before) == []


def test_leaders_read_races_but_cannot_change_them(client, auth, make_race):
    race = make_race()
    auth.login("leader")
    before = stored_rows()
    assert client.get(f"/races/{race.id}").status_code == 200
    assert client.get("/races/new").status_code == 403
    assert client.post(f"/races/{race.id}/edit", data=RACE).status_code == 403
    assert client.post(f"/races/{race.id}/panel").status_code == 403
    assert client.get("/races/987654").status_code == 404
    assert changed_tables(before) == []


def test_the_race_page_shows_facts_candidates_panel_and_interviews(client, auth, make_race, make_user):
    race = make_race("2026 Governor", candidates=2)
    race.panel = [make_user("leader", name="Angela Castellanos")]
    db.session.commit()
    auth.login("leader")
    html = client.get(f"/races/{race.id}").get_data(as_text=True)
    for text in ("2026 Governor", "Candidate A", "Candidate B", "Angela Castellanos", "Planning", "No interviews yet"):
        assert text in html


def test_staff_choose_the_default_panel_from_active_leaders(client, auth, make_race, make_user):
    race = make_race()
    ana, ben = make_user("leader", name="Ana Ruiz"), make_user("leader", name="Ben Ode")
    gone = make_user("leader", name="Gone Away")
    gone.active = False
    db.session.commit()
    staffer = auth.login("staff")
    page = client.get(f"/races/{race.id}/panel").get_data(as_text=True)
    assert "Ana Ruiz" in page and "Gone Away" not in page and f"{staffer.name}</label>" not in page
    assert client.post(f"/races/{race.id}/panel", data={"members": [ana.id, ben.id]}).status_code == 302
    db.session.refresh(race)
    assert [u.name for u in race.panel] == ["Ana Ruiz", "Ben Ode"]
    # A staff account is not a leader: refused, and the panel stays as it was.
    before = stored_rows()
    refused = client.post(f"/races/{race.id}/panel", data={"members": [staffer.id]})
    assert refused.status_code == 400 and "not an active leader any more" in refused.get_data(as_text=True)
    assert changed_tables(before) == []
    db.session.refresh(race)
    assert len(race.panel) == 2
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "race.panel_changed")).all()
    assert events == ["race.panel_changed"]


def test_the_stage_follows_the_records(app, make_race, make_user, count_queries):
    from interviews.invitations.models import Invitation, InvitationLetter
    from interviews.scheduling.services import create_interview
    from interviews.votes.models import Vote, VoteStatus

    race = make_race()
    staffer = make_user("staff")
    assert stage_of(race) is Stage.planning
    letter = InvitationLetter(race=race, subject="Invitation", body="Meet us", respond_by=utcnow(), timezone="UTC")
    db.session.add(letter)
    db.session.add(Invitation(letter=letter, candidate=race.candidates[0], content_digest="0" * 64))
    db.session.commit()
    # The stage follows the records: nothing stores it, so no feature can forget to.
    assert stage_of(race) is Stage.inviting
    start = utcnow() + timedelta(days=3)
    create_interview(
        race=race,
        candidate=race.candidates[0],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        timezone="UTC",
        location=None,
        panel=[make_user("leader")],
        actor=staffer,
    )
    assert stage_of(race) is Stage.interviewing
    vote = Vote(race=race, held_on=date.today(), motion="Endorse")
    db.session.add(vote)
    db.session.flush()
    assert stage_of(race) is Stage.deliberating
    vote.status = VoteStatus.final
    db.session.flush()
    assert stage_of(race) is Stage.decided
    services.close_race(race, actor=staffer)
    assert stage_of(race) is Stage.closed and race.closed_at is not None
    services.reopen_race(race, actor=staffer)
    assert stage_of(race) is Stage.decided and race.closed_at is None
    # Any number of races in one query (lists and the dashboard show many).
    others = [make_race(f"Race {n}") for n in range(3)]
    for loaded in (race, *others):
        db.session.refresh(loaded)
    with count_queries() as counter:
        stages = stages_of([race, *others])
    assert counter.count == 1
    assert stages == {race.id: Stage.decided, **{o.id: Stage.planning for o in others}}


def test_a_pages_parts_read_the_race_facts_once_and_anew_after_any_write(app, make_race, make_user, count_queries):
    from interviews.races.candidates import withdraw_candidate
    from interviews.votes.models import Vote, VoteStatus

    race = make_race(candidates=3)
    staffer = make_user("staff")
    db.session.refresh(race)
    with app.test_request_context():
        with count_queries() as counter:
            first = facts_of(race)
            again = facts_of(race)
        assert counter.count == 1 and again == first
        assert (first.stage, first.decided, first.running, first.has_path) == (Stage.planning, False, 3, False)
        withdraw_candidate(race.candidates[0], actor=staffer)
        db.session.flush()
        assert facts_of(race).running == 2  # the write emptied what this request had read
        db.session.add(Vote(race=race, held_on=date.today(), motion="Endorse", status=VoteStatus.final))
        db.session.commit()
        assert (facts_of(race).stage, facts_of(race).decided) == (Stage.decided, True)
    db.session.refresh(race)
    with app.test_request_context():
        with count_queries() as counter:
            facts_of(race)
        assert counter.count == 1  # a new request reads afresh


def test_staff_close_and_reopen_a_race(client, auth, make_race):
    race = make_race()
    auth.login("staff")
    assert client.post(f"/races/{race.id}/stage", data={"closed": "1"}).status_code == 302
    db.session.refresh(race)
    assert stage_of(race) is Stage.closed
    assert client.post(f"/races/{race.id}/stage", data={"closed": "0"}).status_code == 302
    db.session.refresh(race)
    assert stage_of(race) is Stage.planning


def test_the_race_list_counts_candidates_in_a_fixed_number_of_queries(
    client, auth, make_race, make_user, count_queries
):
    auth.login("staff")
    make_race("A race", candidates=2)
    with count_queries() as few:
        html = client.get("/races").get_data(as_text=True)
    assert "A race" in html
    for n in range(5):
        make_race(f"Race {n}", candidates=3)
    with count_queries() as many:
        html = client.get("/races").get_data(as_text=True)
    assert many.count == few.count and "Race 4" in html
    # Each row says the race's stage and counts its running and withdrawn candidates.
    from interviews.races.candidates import withdraw_candidate

    race = make_race("Crowded race", candidates=4)
    withdraw_candidate(race.candidates[0], actor=make_user("staff"))
    db.session.commit()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", client.get("/races").get_data(as_text=True), flags=re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]
    crowded = next(text for text in texts if text.startswith("Crowded race"))
    assert crowded.endswith("Planning 3 (+1 withdrawn)"), crowded  # the stage, then the counts


def test_staff_dashboard_lists_races_needing_attention(client, auth, make_race):
    make_race("2026 Governor", candidates=0)
    auth.login("staff")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Races needing attention" in html
    assert "No candidates yet" in html and "No default panel" in html
    auth.logout()
    auth.login("leader")
    assert "Races needing attention" not in client.get("/dashboard").get_data(as_text=True)


def test_the_race_page_does_not_query_per_candidate(client, auth, make_race, count_queries):
    auth.login("leader")
    few = make_race("Few", candidates=1)
    many = make_race("Many", candidates=8)
    with count_queries() as one:
        client.get(f"/races/{few.id}")
    with count_queries() as eight:
        client.get(f"/races/{many.id}")
    assert eight.count == one.count


@pytest.mark.parametrize("data", [{}, {"closed": "maybe"}, {"closed": "true"}])
def test_closing_a_race_needs_it_said_outright(client, auth, make_race, data):
    race = make_race()
    auth.login("staff")
    assert client.post(f"/races/{race.id}/stage", data={"closed": "1"}).status_code == 302
    before = stored_rows()
    # A mangled field used to mean "reopen"; now it is refused and the race stays closed.
    assert client.post(f"/races/{race.id}/stage", data=data).status_code == 400
    assert changed_tables(before) == []
    assert stage_of(race) is Stage.closed


def test_the_race_page_reads_votes_only_for_a_race_that_has_some(make_race, auth, race_page_reads):  # type: ignore[no-untyped-def]
    from interviews.votes.models import Vote, VoteStatus

    race = make_race(candidates=2)
    auth.login("staff")
    before = race_page_reads(race.id, "votes")
    assert "No vote yet." in before.page and before.reads == 0
    db.session.add(
        Vote(race=race, held_on=date(2027, 3, 4), motion="That the council endorse", status=VoteStatus.draft)
    )
    db.session.commit()
    after = race_page_reads(race.id, "votes")
    assert "No vote yet." not in after.page and "next: open it when the meeting starts" in after.page
    assert after.reads == 1
    assert after.count == before.count + 1
