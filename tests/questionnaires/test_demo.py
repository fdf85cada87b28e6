"""The demo tells the questionnaire's story: who returned it, who never did, who amended it late, the
matrix behind "no endorsement", and drafts in progress in the governor's race; every page of it opens."""

from __future__ import annotations

from sqlalchemy import select

from interviews.auth.models import User
from interviews.demo import load_demo
from interviews.extensions import db
from interviews.invitations.links import make_token
from interviews.questionnaires.models import ResponseStatus, Stance
from interviews.questionnaires.record import load_record, race_summary
from interviews.races.models import Race
from interviews.votes.models import Vote


def _race(title: str) -> Race:
    race = db.session.scalar(select(Race).where(Race.title == title))
    assert race is not None
    return race


def test_the_demo_questionnaires_tell_the_story_and_their_pages_open(app, client, auth):
    assert load_demo()
    president = load_record(_race("2028 Presidential endorsement"))
    statuses = {c.name: r.status for c in president.candidates if (r := president.responses.get(c.id))}
    assert statuses == {
        "Eleanor Whitcombe": ResponseStatus.submitted,
        "Marcus Delgado": ResponseStatus.late,  # amended after the deadline
        "Ruth Abernathy": ResponseStatus.submitted,
        "Franklin Osei": ResponseStatus.not_started,
        "Harriet Lindgren": ResponseStatus.not_started,  # never did
    }
    assert president.questionnaire is not None and president.questionnaire.required_before_booking
    # The race page's figures, counted by the database, tell the same story (the module docstring's).
    assert race_summary(_race("2028 Presidential endorsement")).counts == {"submitted": 2, "late": 1, "not_started": 2}
    assert race_summary(_race("2027 Governor")).counts == {"submitted": 1, "draft": 2, "not_started": 2}
    # Each returned it before booking, as the rule required.
    for candidate in president.candidates:
        response = president.responses.get(candidate.id)
        if response and response.submissions and candidate.invitation and candidate.invitation.interviews:
            assert response.submissions[0].submitted_at < candidate.invitation.interviews[0].created_at
    # The matrix explains "no endorsement": nobody secured both organising and the right to strike.
    matrix = president.matrix
    organising, strike = matrix.commitments[0], matrix.commitments[1]
    both = [
        c.name
        for c in matrix.candidates
        if (a := matrix.cell(c, organising))
        and a.stance is Stance.secured
        and (b := matrix.cell(c, strike))
        and b.stance is Stance.secured
    ]
    assert both == []
    governor = load_record(_race("2027 Governor"))
    assert sorted(r.status.value for r in governor.responses.values()) == [
        "draft",
        "draft",
        "not_started",
        "not_started",
        "submitted",
    ]
    # Every race of the interviewing story has one (the city council race only shows a decision in stages).
    story = select(Race).where(Race.title != "2027 Riverside City Council, Ward 3")
    assert all(load_record(race).exists for race in db.session.scalars(story))

    staff = db.session.scalar(select(User).where(User.name == "Marcus Oyelaran"))
    auth.login(staff, password="union-demo-2026")
    race = _race("2028 Presidential endorsement")
    for path in (
        f"/races/{race.id}",
        f"/races/{race.id}/questionnaire",
        f"/races/{race.id}/questionnaire/edit",
        f"/races/{race.id}/questionnaire/versions/1",
        f"/races/{race.id}/commitments",
        f"/races/{race.id}/record",
        f"/races/{race.id}/invitation/ledger",
        f"/votes/{db.session.scalar(select(Vote.id).where(Vote.race_id == race.id))}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    record_page = client.get(f"/races/{race.id}/record").get_data(as_text=True)
    assert "Changed after the deadline" in record_page and "sympathy strikes" in record_page
    auth.logout()
    hale = next(c for c in _race("2027 Governor").candidates if c.name == "Gregory Hale")
    assert hale.invitation is not None
    page = client.get(f"/invitation/{make_token(hale.invitation)}/questionnaire").get_data(as_text=True)
    assert "Draft saved" in page and "We are still working this out" in page
