"""Commitments sought and each candidate's position: who may record, what a source needs, the matrix with a
word in every cell on the race page and beside the vote, every record kept, locked once the vote is final."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.questionnaires import commitments as services
from interviews.questionnaires.models import Commitment, CommitmentPosition, PositionSource, Stance
from interviews.questionnaires.record import load_matrix, load_small_matrix
from interviews.races.candidates import withdraw_candidate
from interviews.scheduling.services import create_interview
from interviews.types import utcnow
from interviews.votes import services as votes
from tests.conftest import changed_tables, stored_rows


@pytest.fixture
def sought(make_race, staffer):  # type: ignore[no-untyped-def]
    race = make_race(candidates=2)
    strike = services.add_commitment(race, text="Defend the right to strike", question_id=None, actor=staffer)
    organising = services.add_commitment(race, text="No interference in organising", question_id=None, actor=staffer)
    db.session.commit()
    return race, strike, organising


def _position(race, commitment, candidate, **fields):  # type: ignore[no-untyped-def]
    return {
        "candidate_id": str(candidate.id),
        "commitment_id": str(commitment.id),
        "stance": "secured",
        "source": "interview",
        "source_date": "2026-03-02",
        "source_url": "",
        "quote": "“I will walk the picket line with you.”",
        **fields,
    }


def test_staff_list_commitments_and_record_positions_shown_as_a_word_and_a_colour(client, auth, sought):
    race, strike, organising = sought
    staff = auth.login("staff")
    a, b = race.candidates
    url = f"/races/{race.id}/commitments/positions"
    assert client.post(url, data=_position(race, strike, a)).status_code == 302
    assert (
        client.post(
            url,
            data=_position(
                race,
                organising,
                a,
                stance="partly",
                source="public_statement",
                source_url="https://news.example.com/a",
                quote="",
            ),
        ).status_code
        == 302
    )
    assert client.post(url, data=_position(race, strike, b, stance="refused")).status_code == 302
    page = client.get(f"/races/{race.id}").get_data(as_text=True)
    # Every cell has its word; the colour comes with it, never alone.
    assert 'badge ok stance stance-secured">Secured</span>' in page
    assert 'badge warn stance stance-partly">Partly</span>' in page
    assert 'badge bad stance stance-refused">Refused</span>' in page
    assert "Not recorded" in page  # B on organising
    assert 'href="https://news.example.com/a"' in page
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "commitment.position_recorded")).first()
    assert event is not None and event.actor_id == staff.id
    recorded = db.session.scalars(select(CommitmentPosition).order_by(CommitmentPosition.id)).first()
    assert recorded is not None and recorded.recorded_by_id == staff.id


def test_a_new_position_supersedes_the_last_and_both_are_kept(app, sought, staffer):
    race, strike, _ = sought
    a = race.candidates[0]
    first = services.PositionInput(Stance.no_answer, PositionSource.questionnaire, date(2026, 2, 1))
    later = services.PositionInput(Stance.secured, PositionSource.interview, date(2026, 3, 1), quote="Yes, always.")
    services.record_position(strike, a, first, actor=staffer)
    services.record_position(strike, a, later, actor=staffer)
    db.session.commit()
    matrix = load_matrix(race)
    assert matrix.cell(a, strike).stance is Stance.secured
    assert [p.stance for p in matrix.earlier(a, strike)] == [Stance.no_answer]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quote": "", "source_url": ""}, "Give the source: a link, or a quote of what the candidate said."),
        ({"source_url": "javascript:alert(1)"}, "Give a web address starting with https://"),
        ({"source_date": "2099-01-01"}, "not in the future"),
        ({"stance": "maybe"}, "Not a valid choice"),
        ({"source_date": "2026-02-30"}, "Not a valid date value"),
    ],
)
def test_a_position_without_a_proper_source_is_refused_with_a_message(client, auth, sought, fields, message):
    race, strike, _ = sought
    auth.login("staff")
    before = stored_rows()
    response = client.post(
        f"/races/{race.id}/commitments/positions", data=_position(race, strike, race.candidates[0], **fields)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_a_leader_on_the_panel_records_a_position_and_one_off_it_may_not(client, auth, sought, make_user):
    race, strike, _ = sought
    member = make_user("leader", name="Panel Member")
    race.panel = [member]
    db.session.commit()
    outsider = make_user("leader", name="Not On The Panel")
    auth.login(outsider)
    before = stored_rows()
    url = f"/races/{race.id}/commitments/positions"
    assert client.post(url, data=_position(race, strike, race.candidates[0])).status_code == 403
    assert changed_tables(before) == []
    page = client.get(f"/races/{race.id}/commitments").get_data(as_text=True)
    assert "Record a position" not in page and "Add a commitment" not in page
    auth.logout()
    auth.login(member)
    assert client.post(url, data=_position(race, strike, race.candidates[0])).status_code == 302


def test_a_commitment_with_positions_stays_and_a_final_vote_locks_them(client, auth, sought, staffer, make_user):
    race, strike, organising = sought
    services.record_position(
        strike,
        race.candidates[0],
        services.PositionInput(Stance.refused, PositionSource.interview, date(2026, 3, 1), quote="No."),
        actor=staffer,
    )
    db.session.commit()
    auth.login("staff")
    before = stored_rows()
    client.post(f"/races/{race.id}/commitments/{strike.id}/remove")
    assert changed_tables(before) == []
    assert client.post(f"/races/{race.id}/commitments/{organising.id}/remove").status_code == 302
    assert db.session.scalars(select(Commitment.text)).all() == ["Defend the right to strike"]
    # The vote made final: nothing in the commitments record changes any more.
    members = [make_user("leader", is_voting_member=True, vote_weight=1) for _ in range(2)]
    vote = votes.prepare_vote(race, held_on=date(2026, 4, 1), motion="Endorse?", actor=staffer)
    votes.open_vote(vote, actor=staffer)
    from interviews.votes import ballots

    for m in members:
        ballots.cast_ballot(vote, m, None, actor=m)
    votes.close_vote(vote, actor=staffer)
    votes.finalise_vote(vote, actor=staffer)
    db.session.commit()
    before = stored_rows()
    refused = client.post(f"/races/{race.id}/commitments/positions", data=_position(race, strike, race.candidates[1]))
    assert refused.status_code == 400 and "its commitments record is locked" in refused.get_data(as_text=True)
    assert changed_tables(before) == []
    # Beside the vote, the decision page shows the matrix.
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "The commitments each candidate made" in page and ">Refused</span>" in page


def test_hostile_commitments_and_quotes_are_text(client, auth, sought, staffer):
    race, strike, _ = sought
    hostile = '<script>alert("x")</script>'
    services.add_commitment(race, text=hostile, question_id=None, actor=staffer)
    services.record_position(
        strike,
        race.candidates[0],
        services.PositionInput(Stance.partly, PositionSource.public_statement, date(2026, 3, 1), quote=hostile),
        actor=staffer,
    )
    db.session.commit()
    auth.login("staff")
    for path in (f"/races/{race.id}", f"/races/{race.id}/commitments"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_a_race_of_more_candidates_than_a_page_sends_its_positions_to_the_commitments_page(
    client, auth, make_race, staffer, count_queries
):  # type: ignore[no-untyped-def]
    """The race page reads the race at a glance: a matrix of every candidate would grow with the race."""
    small, big = make_race("Small field", candidates=3), make_race("Crowded field", candidates=51)
    for race in (small, big):
        services.add_commitment(race, text="Defend the right to strike", question_id=None, actor=staffer)
    db.session.commit()
    auth.login("staff")
    counts = []
    for race in (small, big):
        with count_queries() as q:
            page = client.get(f"/races/{race.id}").get_data(as_text=True)
        counts.append(q.count)
        crowded = race is big
        assert ("Commitments: each candidate" in page) is not crowded
        assert ("too many candidates to show every position here" in page) is crowded
    assert counts[1] <= counts[0]  # the crowded race costs no more than the small one
    # Every position is still one click away, a page of candidates at a time (names sort A-Z, then a-s).
    first = client.get(f"/races/{big.id}/commitments").get_data(as_text=True)
    assert "Defend the right to strike" in first and 'data-candidate="Candidate A"' in first
    assert 'data-candidate="Candidate s"' not in first and "Showing 1–50 of 51 candidates" in first
    second = client.get(f"/races/{big.id}/commitments?candidates=2").get_data(as_text=True)
    assert 'data-candidate="Candidate s"' in second and 'data-candidate="Candidate A"' not in second
    # A cell's "record" link for a candidate on another page still offers that candidate in the form.
    asked = client.get(f"/races/{big.id}/commitments?candidate={big.candidates[50].id}").get_data(as_text=True)
    assert f'<option selected value="{big.candidates[50].id}">Candidate s</option>' in asked
    # The commitments page reads a page of candidates and their positions: the same queries for 3 or 51.
    for race in (small, big):
        services.record_position(
            services.commitments_of(race)[0],
            race.candidates[0],
            services.PositionInput(
                stance=Stance.secured, source=PositionSource.public_statement, source_date=date.today(), quote="Yes."
            ),
            actor=staffer,
        )
    db.session.commit()
    matrix_queries = []
    for race in (small, big):
        with count_queries() as q:
            client.get(f"/races/{race.id}/commitments")
        matrix_queries.append(q.count)
    assert matrix_queries[0] == matrix_queries[1]
    # So does a vote's page: beside the vote of the crowded race, a link instead of a table of 51 rows.
    vote = votes.prepare_vote(big, held_on=date.today(), motion="That we endorse.", actor=staffer)
    db.session.commit()
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "too many candidates to show every position here" in page and 'data-candidate="Candidate A"' not in page


def test_a_leader_seated_on_one_of_the_races_interviews_records_a_position(client, auth, sought, make_user, staffer):
    race, strike, _ = sought
    seated = make_user("leader", name="Sat On An Interview")
    starts = utcnow() + timedelta(days=3)
    create_interview(
        race=race,
        candidate=race.candidates[0],
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="America/New_York",
        location=None,
        panel=[seated],
        actor=staffer,
    )
    db.session.commit()
    assert seated not in race.panel  # not on the race's default panel: the interview's seat is what counts
    auth.login(seated)
    url = f"/races/{race.id}/commitments/positions"
    assert client.post(url, data=_position(race, strike, race.candidates[0])).status_code == 302


def test_the_race_pages_matrix_read_as_rows_is_the_one_the_record_books_objects_give(app, sought, staffer):
    """The race page and the vote's page read the matrix as plain rows (load_small_matrix); it must render
    exactly as the objects the record book and the commitments page read (load_matrix) render."""
    race, strike, organising = sought
    a, b = race.candidates
    first = services.PositionInput(Stance.no_answer, PositionSource.questionnaire, date(2026, 2, 1))
    later = services.PositionInput(
        Stance.secured, PositionSource.interview, date(2026, 3, 1), source_url="https://x.example.org/a", quote="Yes."
    )
    services.record_position(strike, a, first, actor=staffer)
    services.record_position(strike, a, later, actor=staffer)
    services.record_position(organising, b, first, actor=staffer)
    withdraw_candidate(b, reason="Left the race.", actor=staffer)
    db.session.commit()
    with app.test_request_context("/"):
        macros = app.jinja_env.get_template("questionnaires/_macros.html").make_module({})
        by_rows = str(macros.matrix_table(load_small_matrix(race, most=50), "Positions", race, link_cells=True))
        by_objects = str(macros.matrix_table(load_matrix(race), "Positions", race, link_cells=True))
    assert by_rows == by_objects
    # Worked by hand: A's latest on the strike is secured, the no-answer before it kept; B withdrew.
    assert f"recorded by {staffer.name}" in by_rows and "earlier: no answer (Sun 1 Feb 2026)" in by_rows
    assert "(withdrawn)" in by_rows and 'href="https://x.example.org/a"' in by_rows
    assert by_rows.count("Not recorded") == 2  # A on organising, B on the strike
    with app.test_request_context("/"):
        assert load_small_matrix(race, most=1) is None  # more candidates than the page shows: no table
