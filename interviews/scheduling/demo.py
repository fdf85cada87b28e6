"""Demo: the governor race's interview with Diane Kessler, arranged by phone for today (or tomorrow morning).

Her campaign asked for other times (see the invitations demo); staff booked this one by hand, just now,
so its calendar request is still waiting in the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from interviews.demo import DemoContext, local_time
from interviews.scheduling.models import LocationKind
from interviews.scheduling.services import create_interview

GOVERNOR = "2027 Governor"
ZONE = "America/New_York"


def todays_start(ctx: DemoContext) -> tuple[datetime, bool]:
    """14:00 New York time today if that is more than an hour away, else 10:00 tomorrow; (start, is today)."""
    today = local_time(ctx.now, 14, zone=ZONE)
    if today - ctx.now > timedelta(hours=1):
        return today, True
    return local_time(ctx.now + timedelta(days=1), 10, zone=ZONE), False


def load(ctx: DemoContext) -> None:
    race = ctx.races[GOVERNOR]
    kessler = next(c for c in race.candidates if c.name == "Diane Kessler")
    room = next(loc for loc in ctx.locations if loc.kind is LocationKind.room)
    start, _ = todays_start(ctx)
    create_interview(
        race=race,
        candidate=kessler,
        starts_at=start,
        ends_at=start + timedelta(minutes=45),
        timezone=ZONE,
        location=room,
        panel=list(race.panel),
        organiser=ctx.staff[0],
        actor=ctx.staff[0],
    )
