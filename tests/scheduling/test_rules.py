"""The time checks and the conflict rules, without HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from interviews.extensions import db
from interviews.scheduling import services
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.scheduling.rules import check_times, find_conflicts
from interviews.times import day_time_to_utc
from interviews.types import utcnow

NY = "America/New_York"


def test_sensible_times_pass_without_warnings(at):
    start = at(10)
    check = check_times(start, start + timedelta(minutes=45), NY)
    assert check.ok and check.errors == [] and check.warnings == []


def test_impossible_times_are_refused_with_clear_messages(at):
    start = at(10)
    assert "end must be after the start" in check_times(start, start, NY).errors[0]
    assert "end must be after the start" in check_times(start, start - timedelta(minutes=5), NY).errors[0]
    past = utcnow() - timedelta(hours=1)
    assert "in the past" in check_times(past, past + timedelta(minutes=30), NY).errors[0]
    assert "not a time zone we know" in check_times(start, start + timedelta(hours=1), "Mars/Olympus").errors[0]
    assert "12 hours" in check_times(start, start + timedelta(hours=13), NY).errors[0]
    naive = datetime(2030, 1, 1, 10)
    assert "time zone" in check_times(naive, naive + timedelta(hours=1), NY).errors[0]


def test_odd_hours_and_weekends_are_warnings_in_the_chosen_zone(at):
    early = at(6, 30)
    warnings = check_times(early, early + timedelta(minutes=45), NY).warnings
    assert warnings == ["It starts at 06:30 in America/New York, before 07:00."]
    late = at(20, 30)
    assert "after 21:00" in check_times(late, late + timedelta(minutes=45), NY).warnings[0]
    # 10:00 in New York is 07:00 in Los Angeles: fine there. 10:00 New York is 16:00 in Berlin: fine too.
    assert check_times(at(10), at(10) + timedelta(hours=1), "America/Los_Angeles").warnings == []
    assert "before 07:00" in check_times(at(9), at(10), "America/Los_Angeles").warnings[0]
    saturday = at(10)
    while saturday.astimezone(UTC).weekday() != 5:
        saturday += timedelta(days=1)
    assert any("Saturday" in w for w in check_times(saturday, saturday + timedelta(hours=1), "UTC").warnings)


def test_local_to_utc_refuses_a_time_the_clocks_skip():
    assert day_time_to_utc(date(2031, 1, 15), time(14, 0), NY) == datetime(2031, 1, 15, 19, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="clocks go forward"):
        day_time_to_utc(date(2031, 3, 9), time(2, 30), NY)


@pytest.fixture
def booked(app, make_race, make_user, make_location, at, staffer):
    """One interview 10:00-10:45 New York with leader `a` in Boardroom A."""
    race = make_race()
    a, b = make_user("leader", name="Ana Ruiz"), make_user("leader", name="Ben Ode")
    room, other_room = make_location(), make_location("Union Hall, Auditorium")
    video = make_location("Board video call", kind="video")
    start = at(10)
    interview = services.create_interview(
        race=race,
        candidate=race.candidates[0],
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        timezone=NY,
        location=room,
        panel=[a],
        actor=staffer,
    )
    db.session.commit()
    return dict(race=race, a=a, b=b, room=room, other_room=other_room, video=video, start=start, interview=interview)


def test_a_panel_member_cannot_sit_in_two_overlapping_interviews(booked):
    s = booked["start"]
    found = find_conflicts(
        s + timedelta(minutes=30), s + timedelta(minutes=90), panel_user_ids=[booked["a"].id], location_id=None
    )
    assert len(found) == 1
    assert found[0].startswith("Ana Ruiz is already on the panel for the interview with Candidate A")
    assert "10:00–10:45" in found[0]


def test_the_buffer_keeps_a_gap_between_interviews(booked, app):
    s, a = booked["start"], booked["a"]
    end = s + timedelta(minutes=45)
    # Ends 10:45; the buffer is 15 minutes: 10:55 clashes, 11:00 is fine.
    within = find_conflicts(
        end + timedelta(minutes=10), end + timedelta(minutes=60), panel_user_ids=[a.id], location_id=None
    )
    assert len(within) == 1 and "15 minutes between them" in within[0]
    assert (
        find_conflicts(
            end + timedelta(minutes=15), end + timedelta(minutes=60), panel_user_ids=[a.id], location_id=None
        )
        == []
    )
    # ...and before: an interview ending at 09:50 is too close to 10:00.
    assert find_conflicts(s - timedelta(minutes=60), s - timedelta(minutes=10), panel_user_ids=[a.id], location_id=None)
    app.config["SCHEDULING_BUFFER_MINUTES"] = 0
    assert find_conflicts(end, end + timedelta(minutes=60), panel_user_ids=[a.id], location_id=None) == []


def test_a_room_holds_one_interview_but_a_video_meeting_many(booked):
    s, b = booked["start"], booked["b"]
    same_time = (s, s + timedelta(minutes=45))
    room_clash = find_conflicts(*same_time, panel_user_ids=[b.id], location_id=booked["room"].id)
    assert room_clash == [room_clash[0]] and room_clash[0].startswith("Union Hall, Boardroom A is already booked")
    assert find_conflicts(*same_time, panel_user_ids=[b.id], location_id=booked["other_room"].id) == []
    assert find_conflicts(*same_time, panel_user_ids=[b.id], location_id=booked["video"].id) == []


def test_two_interviews_in_one_video_meeting_at_once_are_allowed(booked, staffer):
    s, race = booked["start"], booked["race"]
    later = s + timedelta(days=1)
    for candidate, leader in zip(race.candidates, (booked["a"], booked["b"]), strict=True):
        services.create_interview(
            race=race,
            candidate=candidate,
            starts_at=later,
            ends_at=later + timedelta(minutes=45),
            timezone=NY,
            location=booked["video"],
            panel=[leader],
            actor=staffer,
        )
    db.session.commit()
    at_once = db.session.scalars(
        select(Interview).where(Interview.location_id == booked["video"].id, Interview.starts_at == later)
    ).all()
    assert sorted(i.candidate.name for i in at_once) == ["Candidate A", "Candidate B"]
    assert {i.status for i in at_once} == {InterviewStatus.scheduled}


def test_cancelled_interviews_and_the_interview_itself_do_not_conflict(booked, staffer):
    s, a, interview = booked["start"], booked["a"], booked["interview"]
    window = (s, s + timedelta(minutes=45))
    assert find_conflicts(*window, panel_user_ids=[a.id], location_id=None, exclude_interview_id=interview.id) == []
    services.cancel_interview(interview, reason="Candidate ill", actor=staffer)
    db.session.commit()
    assert find_conflicts(*window, panel_user_ids=[a.id], location_id=booked["room"].id) == []
