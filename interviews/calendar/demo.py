"""Demo: today's changes in the governor race, so the outbox holds one of each calendar message, pending.

- a request: Diane Kessler's interview, booked by hand just now (the scheduling demo);
- an update (SEQUENCE 1): Thomas Reyes' interview moved to the next weekday at his campaign's request;
- a cancellation: Lawrence Pike's campaign cancelled the interview it had booked (he then counts as declined).
Everything older was delivered long ago (see interviews/demo.py).
"""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from interviews.demo import DemoContext
from interviews.invitations import candidate as campaign
from interviews.scheduling import services as scheduling

GOVERNOR = "2027 Governor"


def load(ctx: DemoContext) -> None:
    race = ctx.races[GOVERNOR]
    by_name = {c.name: c for c in race.candidates}
    # Cancelled first: the freed panel time is then there for Reyes' new slot whatever the weekday.

    pike = by_name["Lawrence Pike"].invitation
    assert pike is not None
    campaign.cancel_booking(pike, "Mr. Pike has decided not to seek organisational endorsements this year.")

    reyes = by_name["Thomas Reyes"].invitation
    assert reyes is not None and reyes.active_interview is not None
    interview = reyes.active_interview
    local = interview.starts_at.astimezone(ZoneInfo(interview.timezone)) + timedelta(days=1)
    while local.weekday() >= 5:  # the next weekday, same local hour
        local += timedelta(days=1)
    later = local.astimezone(UTC)
    scheduling.move_interview(
        interview,
        starts_at=later,
        ends_at=later + (interview.ends_at - interview.starts_at),
        timezone=interview.timezone,
        location=interview.location,
        actor=ctx.staff[0],
    )
