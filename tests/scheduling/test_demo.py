"""The demo tells one story, relative to the moment it is loaded.

Presidential: over (every interview held, a final vote after them and after the polls). Governor: the live
round (deadline ahead, interviews ahead, today's with Diane Kessler at a sensible local hour). State Senate:
deliberating (both interviews held, a vote open).
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from interviews.demo import load_demo
from interviews.extensions import db
from interviews.invitations.models import InvitationStatus
from interviews.notes.models import MemberPoll, Note
from interviews.races.models import Race, Stage
from interviews.races.stages import stage_of
from interviews.scheduling.models import InterviewStatus
from interviews.types import stopped_clock, utcnow
from interviews.votes.models import Vote, VoteStatus

NEW_YORK = ZoneInfo("America/New_York")


def _race(title: str) -> Race:
    return db.session.scalars(select(Race).where(Race.title == title)).one()


def test_the_demo_is_one_story(app):  # type: ignore[no-untyped-def]
    _check_the_story()


# The story's days fall on weekdays by rule (a deadline on a weekend moves to Monday): loaded on each
# day of the coming week, with the clock stopped there, it tells the same story. A Saturday once broke it.
@pytest.mark.parametrize("days_ahead", range(1, 7))
def test_the_demo_is_one_story_on_every_day_of_the_week(app, days_ahead):  # type: ignore[no-untyped-def]
    with stopped_clock(utcnow() + timedelta(days=days_ahead)):
        _check_the_story()


def _check_the_story() -> None:
    before = utcnow()
    assert load_demo()
    now = utcnow()
    titles = set(db.session.scalars(select(Race.title)))
    # The city council race is the decisions demo's: it came to the convention without interviews here.
    assert titles == {
        "2028 Presidential endorsement",
        "2027 Governor",
        "State Senate District 12",
        "2027 Riverside City Council, Ward 3",
    }

    for race in db.session.scalars(select(Race).where(Race.title != "2027 Riverside City Council, Ward 3")):
        assert str(race.election_date.year) in race.title or "Senate" in race.title
        letter = race.letter
        assert letter is not None and letter.locked_at is not None
        for invitation in letter.invitations:
            assert letter.locked_at <= invitation.sent_at <= now
            for moment in (invitation.opened_at, invitation.answered_at):
                assert moment is None or invitation.sent_at <= moment <= now
        for interview in race.interviews:
            # The letters went out before any interview they led to, and before anything was booked.
            assert interview.starts_at > letter.locked_at
            if interview.starts_at < before:
                assert interview.status is InterviewStatus.completed, interview
            else:
                assert interview.status in (InterviewStatus.scheduled, InterviewStatus.cancelled), interview
        votes = db.session.scalars(select(Vote).where(Vote.race_id == race.id)).all()
        for vote in votes:
            assert all(vote.opened_at > i.ends_at for i in race.interviews if i.status is InterviewStatus.completed)
            assert vote.opened_at < before

    president = _race("2028 Presidential endorsement")
    assert stage_of(president) is Stage.decided
    assert president.letter.respond_by < now - timedelta(weeks=7)
    assert {i.status for i in president.letter.invitations} == {
        InvitationStatus.accepted,
        InvitationStatus.declined,
        InvitationStatus.no_reply,
        InvitationStatus.withdrawn,
    }
    delgado = next(i for i in president.letter.invitations if i.candidate.name == "Marcus Delgado")
    assert delgado.status is InvitationStatus.accepted and delgado.other_times_message
    assert [i.status for i in president.interviews] == [InterviewStatus.completed] * 3
    assert all(now - timedelta(weeks=8) < i.starts_at < now - timedelta(weeks=4) for i in president.interviews)
    # Decided in two stages: the Political Committee recommended, then the Executive Board voted.
    committee, final = db.session.scalars(select(Vote).where(Vote.race_id == president.id).order_by(Vote.id)).all()
    assert committee.is_final and committee.published_at is None
    assert now - timedelta(days=14) < committee.finalised_at < final.opened_at
    assert final.status is VoteStatus.final and final.published_at is not None
    assert now - timedelta(days=7) < final.opened_at < final.closed_at < final.finalised_at < final.published_at
    polls = db.session.scalars(select(MemberPoll).where(MemberPoll.race_id == president.id)).all()
    assert len(polls) == 2 and all(p.closes_on < final.held_on for p in polls)
    pryce = next(c for c in president.candidates if c.name == "Gordon Pryce")
    straw = next(p for p in polls if p.method.value == "town_hall")
    assert pryce.withdrawn and straw.closes_on <= pryce.withdrawn_at.astimezone(NEW_YORK).date()
    notes = db.session.scalars(select(Note)).all()
    assert notes and all(n.created_at > n.interview.ends_at for n in notes)

    governor = _race("2027 Governor")
    # The Political Committee has recommended; the board waits for the interviews still to come.
    assert stage_of(governor) is Stage.deliberating and governor.hide_notes_until_submitted
    # A week ahead at 17:00 in New York, moved to Monday when that day falls on a weekend.
    assert now + timedelta(days=6) < governor.letter.respond_by < now + timedelta(days=10)
    assert now - timedelta(days=8) < governor.letter.locked_at < now - timedelta(days=6)
    assert {i.status for i in governor.letter.invitations} == {
        InvitationStatus.sent,
        InvitationStatus.opened,
        InvitationStatus.accepted,
        InvitationStatus.declined,
        InvitationStatus.other_times,
    }
    # Only the committee has voted (an early recommendation of the incumbent, on her record).
    (recommended,) = db.session.scalars(select(Vote).where(Vote.race_id == governor.id)).all()
    assert recommended.stage_name == "Committee recommendation" and recommended.verdict == "carried"
    kessler = next(i for i in governor.interviews if i.candidate.name == "Diane Kessler")
    local = kessler.starts_at.astimezone(NEW_YORK)
    today = before.astimezone(NEW_YORK).date()
    assert kessler.status is InterviewStatus.scheduled and kessler.starts_at - before > timedelta(hours=1)
    assert (local.date(), local.hour) in {(today, 14), (today + timedelta(days=1), 10)}
    ahead = [i for i in governor.interviews if i.status is InterviewStatus.scheduled]
    assert len(ahead) == 2 and all(i.starts_at > now for i in ahead)

    senate = _race("State Senate District 12")
    assert stage_of(senate) is Stage.deliberating
    assert [i.status for i in senate.interviews] == [InterviewStatus.completed] * 2
    assert all(any(n.interview_id == i.id for n in notes) for i in senate.interviews)
    (open_vote,) = db.session.scalars(select(Vote).where(Vote.race_id == senate.id)).all()
    assert open_vote.status is VoteStatus.open and open_vote.secret is senate.secret_ballot
