"""Demo: two interviews in the governor race scheduled by hand, one of them later today."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from interviews.demo import DemoContext
from interviews.races.services import refresh_stage
from interviews.scheduling.models import LocationKind
from interviews.scheduling.services import create_interview

GOVERNOR = "2026 Governor"


def load(ctx: DemoContext) -> None:
    race = ctx.races[GOVERNOR]
    by_name = {c.name: c for c in race.candidates}
    room = next(loc for loc in ctx.locations if loc.kind is LocationKind.room)
    video = next(loc for loc in ctx.locations if loc.kind is LocationKind.video)
    organiser = ctx.staff[0]

    # Today, three hours from now on a quarter hour, so the notes demo has "today's interview".
    soon = (ctx.now + timedelta(hours=3)).replace(second=0, microsecond=0)
    soon -= timedelta(minutes=soon.minute % 15)
    create_interview(
        race=race,
        candidate=by_name["Diane Kessler"],
        starts_at=soon,
        ends_at=soon + timedelta(minutes=45),
        timezone="America/New_York",
        location=room,
        panel=ctx.leaders[:5],
        organiser=organiser,
        actor=organiser,
    )

    # Arranged by phone with the Hale campaign: a video call at 11:00 New York time, three days on.
    zone = ZoneInfo("America/New_York")
    day = (ctx.now + timedelta(days=3)).astimezone(zone)
    later = day.replace(hour=11, minute=0, second=0, microsecond=0).astimezone(ZoneInfo("UTC"))
    create_interview(
        race=race,
        candidate=by_name["Gregory Hale"],
        starts_at=later,
        ends_at=later + timedelta(minutes=60),
        timezone="America/New_York",
        location=video,
        panel=list(race.panel),
        organiser=organiser,
        actor=organiser,
    )
    refresh_stage(race)
