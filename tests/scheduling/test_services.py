"""The scheduling services: what they store, what they refuse, what they tell the calendar, what they audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from interviews.extensions import db
from interviews.scheduling import services
from interviews.scheduling.models import InterviewStatus
from tests.scheduling.conftest import audit_actions

NY = "America/New_York"


@pytest.fixture
def setting(app, make_race, make_user, make_location, at):
    race = make_race()
    leaders = [make_user("leader", name=n) for n in ("Ana Ruiz", "Ben Ode", "Cy Lam")]
    staff = make_user("staff", name="Sol Staff")
    return dict(race=race, leaders=leaders, staff=staff, room=make_location(), start=at(10))


def _book(s, *, candidate=0, start=None, minutes=45, panel=None, location="room", **kw):
    start = start or s["start"]
    return services.create_interview(
        race=s["race"],
        candidate=s["race"].candidates[candidate],
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        timezone=NY,
        location=s[location] if location else None,
        panel=panel if panel is not None else s["leaders"][:2],
        **{"actor": s["staff"], **kw},
    )


def test_create_interview_stores_panel_question_list_audit_and_tells_the_calendar(setting, calendar_calls):
    from interviews.notes.models import QuestionList

    race = setting["race"]
    db.session.add_all([QuestionList(race=race, version=1), QuestionList(race=race, version=2)])
    db.session.commit()
    interview = _book(setting, organiser=setting["staff"], actor=setting["staff"])
    db.session.commit()
    assert interview.status is InterviewStatus.scheduled
    assert [u.name for u in interview.panel] == ["Ana Ruiz", "Ben Ode"]
    assert interview.question_list.version == 2
    assert interview.uid and interview.sequence == 0
    assert audit_actions(interview) == ["interview.scheduled"]
    assert [c[0] for c in calendar_calls] == ["interview_booked"]


def test_create_interview_refuses_bad_times_withdrawn_candidates_and_other_races(
    setting, make_race, calendar_calls, staffer
):
    with pytest.raises(services.InvalidTimes, match="end must be after"):
        _book(setting, minutes=0)
    other = make_race("Mayor")
    with pytest.raises(services.SchedulingError, match="not a candidate in"):
        services.create_interview(
            race=setting["race"],
            candidate=other.candidates[0],
            starts_at=setting["start"],
            ends_at=setting["start"] + timedelta(hours=1),
            timezone=NY,
            location=None,
            panel=[],
            actor=staffer,
        )
    setting["race"].candidates[0].withdrawn_at = setting["start"]
    with pytest.raises(services.SchedulingError, match="has withdrawn"):
        _book(setting)
    assert calendar_calls == []


def test_a_double_booking_is_refused_and_names_who_and_when(setting):
    _book(setting)
    db.session.commit()
    with pytest.raises(services.SchedulingConflict) as refused:
        _book(
            setting,
            candidate=1,
            start=setting["start"] + timedelta(minutes=20),
            panel=setting["leaders"][1:],
            location=None,
        )
    assert str(refused.value).startswith("Ben Ode is already on the panel for the interview with Candidate A")


def test_move_checks_conflicts_but_not_against_itself(setting, calendar_calls, staffer):
    first = _book(setting)
    second = _book(setting, candidate=1, start=setting["start"] + timedelta(hours=2))
    db.session.commit()
    # Later by 30 minutes overlaps only itself: fine.
    services.move_interview(
        first,
        starts_at=setting["start"] + timedelta(minutes=30),
        ends_at=setting["start"] + timedelta(minutes=75),
        timezone=NY,
        location=setting["room"],
        actor=staffer,
    )
    db.session.commit()
    with pytest.raises(services.SchedulingConflict, match="Boardroom A is already booked"):
        services.move_interview(
            second,
            starts_at=first.starts_at,
            ends_at=first.ends_at,
            timezone=NY,
            location=setting["room"],
            actor=staffer,
        )
    db.session.rollback()
    assert audit_actions(first) == ["interview.scheduled", "interview.moved"]
    assert first.sequence == 1  # raised by the calendar feature, once
    assert [c[0] for c in calendar_calls] == ["interview_booked", "interview_booked", "interview_moved"]


def test_moving_to_the_same_time_and_place_changes_nothing(setting, calendar_calls, staffer):
    interview = _book(setting)
    db.session.commit()
    services.move_interview(
        interview,
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
        timezone=NY,
        location=setting["room"],
        actor=staffer,
    )
    assert audit_actions(interview) == ["interview.scheduled"]
    assert [c[0] for c in calendar_calls] == ["interview_booked"]


def test_cancel_frees_the_slot_so_it_can_be_booked_again(setting, offered_slot, calendar_calls, staffer):
    race, candidate = setting["race"], setting["race"].candidates[0]
    invitation, slot = offered_slot(race, candidate, setting["start"])
    interview = _book(setting, invitation=invitation, slot=slot)
    db.session.commit()
    services.cancel_interview(interview, reason="The candidate is ill", actor=setting["staff"])
    db.session.commit()
    assert interview.status is InterviewStatus.cancelled and interview.cancelled_at is not None
    assert interview.slot_id is None and slot.taken_by_id is None and slot.taken_at is None
    assert audit_actions(interview) == ["interview.scheduled", "interview.cancelled"]
    assert calendar_calls[-1][0] == "interview_cancelled"
    with pytest.raises(services.SchedulingError, match="is cancelled"):
        services.cancel_interview(interview, actor=staffer)
    # The same slot can be taken again, by the same candidate.
    slot.taken_by_id = invitation.id
    again = _book(setting, invitation=invitation, slot=slot)
    db.session.commit()
    assert again.slot_id == slot.id


def test_set_panel_checks_only_the_members_added(setting, calendar_calls, staffer):
    ana, ben, cy = setting["leaders"]
    first = _book(setting, panel=[ana, ben])
    other = _book(setting, candidate=1, start=setting["start"] + timedelta(minutes=30), panel=[cy], location=None)
    db.session.commit()
    with pytest.raises(services.SchedulingConflict, match="Cy Lam is already on the panel"):
        services.set_panel(first, [ana, ben, cy], actor=staffer)
    db.session.rollback()
    services.set_panel(first, [ana], actor=staffer)
    db.session.commit()
    assert [u.name for u in first.panel] == ["Ana Ruiz"]
    assert audit_actions(first)[-1] == "interview.panel_changed"
    name, interview, added, removed = calendar_calls[-1]
    assert (name, interview, list(added), [u.name for u in removed]) == ("panel_changed", first, [], ["Ben Ode"])
    services.set_panel(other, [cy, ben], actor=staffer)  # Ben is free now
    db.session.commit()
    assert [u.name for u in other.panel] == ["Cy Lam", "Ben Ode"]


def test_set_status_by_staff_or_the_panel_only_once_started(setting):
    ana, _ben, cy = setting["leaders"]
    interview = _book(setting, panel=[ana])
    db.session.commit()
    with pytest.raises(PermissionError):
        services.set_status(interview, InterviewStatus.completed, actor=cy)
    with pytest.raises(services.SchedulingError, match="has not started yet"):
        services.set_status(interview, InterviewStatus.completed, actor=ana)
    with pytest.raises(services.SchedulingError, match="use Cancel"):
        services.set_status(interview, InterviewStatus.cancelled, actor=setting["staff"])
    interview.starts_at -= timedelta(days=30)
    interview.ends_at -= timedelta(days=30)
    services.set_status(interview, InterviewStatus.no_show, actor=ana)
    services.set_status(interview, InterviewStatus.completed, actor=setting["staff"])
    db.session.commit()
    assert interview.status is InterviewStatus.completed
    assert audit_actions(interview)[-2:] == ["interview.status_changed", "interview.status_changed"]
