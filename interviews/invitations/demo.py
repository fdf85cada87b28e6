"""Demo: the three races' letters, slots and invitations, each answered when the story says it was.

- Presidential (over): letter ten weeks ago, deadline eight weeks ago. Whitcombe and Abernathy booked,
  Delgado asked for other times and then booked the Saturday staff added, Osei declined, Lindgren never
  replied (no reply by the deadline), Gordon Pryce dropped out (his invitation withdrawn).
- Governor (live): letter a week ago, deadline in a week. Reyes booked an interview next week, Hale opened
  the link without answering, Kessler asked for other times (staff then booked her by hand, see the
  scheduling demo), Pike booked and today cancelled (calendar demo), Samira Qureshi qualified yesterday and
  was sent hers just now.
- State Senate (deliberating): letter five weeks ago; both candidates booked and were interviewed.

Each step runs under `clock(...)`, so every stored time, e-mail and audit entry is the app's own record.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import update

from interviews.audit.actors import System
from interviews.audit.services import record
from interviews.auth.models import User
from interviews.demo import DemoContext, clock, local_time, weekday_at
from interviews.extensions import db
from interviews.invitations import candidate as campaign
from interviews.invitations import services
from interviews.invitations.models import Invitation, InvitationLetter, InvitationStatus
from interviews.races.candidates import add_candidate, withdraw_candidate
from interviews.races.models import Race
from interviews.scheduling.models import Location, LocationKind

PRESIDENTIAL = "2028 Presidential endorsement"
GOVERNOR = "2027 Governor"
STATE_SENATE = "State Senate District 12"
ZONE = "America/New_York"
MINUTES = 45

LETTER_BODY = "\n\n".join(
    [
        "Dear candidate,",
        "On behalf of the {org} and its affiliated locals, representing working families across the region, "
        "we invite you to an endorsement interview with our Executive Board for the office of {office}.",
        "Every declared candidate receives this same invitation and the same topics. The interview lasts about "
        "{minutes} minutes: a short opening statement from you, then questions from the board. Afterwards the "
        "board deliberates, members are polled, and the board votes; it may endorse one candidate or none.",
        "Please choose one of the times offered through the link in this e-mail, or tell us which other times "
        "would suit you. We look forward to the conversation.",
    ]
)

TOPICS = [
    "The right to organise: card check, first-contract arbitration, penalties for union busting",
    "Wages and the minimum wage; enforcement against wage theft",
    "Retirement security: protecting pensions and Social Security",
    "Infrastructure, transit and project labour agreements",
    "Health care costs in collective bargaining",
]


def _letter(race: Race, respond_by: datetime, actor: User) -> InvitationLetter:
    org = current_app.config["ORGANIZATION_NAME"]
    return services.save_letter(
        race,
        {
            "subject": f"Invitation: {org} endorsement interview, {race.office}",
            "body": LETTER_BODY.format(org=org, office=race.office, minutes=MINUTES),
            "topics": "\n".join(TOPICS),
            "respond_by": respond_by,
            "timezone": ZONE,
            "duration_minutes": MINUTES,
        },
        actor=actor,
    )


def _slots(letter: InvitationLetter, times: list[tuple[datetime, Location]], actor: User) -> None:
    for start, location in times:
        services.add_slot(
            letter,
            starts_at=start,
            ends_at=start + timedelta(minutes=MINUTES),
            timezone=ZONE,
            location=location,
            confirmed=True,  # a panel member's other interview nearby is a warning the organiser accepted
            actor=actor,
        )


def _send(letter: InvitationLetter, actor: User) -> dict[str, Invitation]:
    return {c.name: services.invite(letter, c, actor=actor) for c in letter.race.candidates if not c.withdrawn}


def _on_weekdays(first: datetime, plan: list[tuple[int, int, Location]]) -> list[tuple[datetime, Location]]:
    """Slots on the first weekday from `first` and the weekdays after it: (weekdays later, hour, place)."""
    days = [weekday_at(first, 12)]
    while len(days) <= max(later for later, _, _ in plan):
        days.append(weekday_at(days[-1] + timedelta(days=1), 12))
    return [(local_time(days[later], hour), place) for later, hour, place in plan]


def _book(invitation: Invitation, start: datetime) -> None:
    slot = next(s for s in invitation.letter.slots if s.starts_at == start)
    campaign.book_slot(invitation, slot.id)


def _no_reply(letter: InvitationLetter) -> None:
    """What the hourly tick records once the deadline passes (its own pass commits, so it is mirrored here)."""
    now = letter.respond_by + timedelta(minutes=5)
    for invitation in letter.invitations:
        if invitation.status in (InvitationStatus.sent, InvitationStatus.opened):
            db.session.execute(
                update(Invitation)
                .where(Invitation.id == invitation.id)
                .values(status=InvitationStatus.no_reply, no_reply_at=now)
            )
            with clock(now):
                record(
                    "invitation.no_reply",
                    invitation,
                    changes={"status": ["unanswered", "no_reply"]},
                    summary=f"No reply from {invitation.candidate.name} by the deadline",
                    actor=System("deadline tick"),
                )
    db.session.flush()
    db.session.expire_all()


def _presidential(ctx: DemoContext, room: Location, video: Location) -> None:
    race = ctx.races[PRESIDENTIAL]
    n = ctx.now
    with clock(n - timedelta(days=84)):
        # Entered the race in the summer; dropped out before the deadline (see below).
        add_candidate(
            race,
            {
                "name": "Gordon Pryce",
                "party": "Democratic",
                "contact_name": "Alex Morrow",
                "contact_email": "scheduling@pryce2028.example.com",
                "website": "https://pryce2028.example.com",
            },
            actor=ctx.staff[0],
        )
    sent = local_time(n - timedelta(days=70), 10)  # a weekday morning's mailing
    roundtables = _on_weekdays(
        n - timedelta(days=49),
        [(0, 10, room), (2, 14, video), (5, 10, room), (7, 15, video), (10, 10, room), (11, 14, room)],
    )
    with clock(sent):
        letter = _letter(race, weekday_at(n - timedelta(days=56), 17), ctx.staff[0])
        _slots(letter, roundtables, ctx.staff[0])
        invitations = _send(letter, ctx.staff[0])

    whitcombe, delgado, abernathy, osei = (
        invitations[name] for name in ("Eleanor Whitcombe", "Marcus Delgado", "Ruth Abernathy", "Franklin Osei")
    )
    with clock(sent + timedelta(hours=20)):
        campaign.mark_opened(whitcombe)
    with clock(sent + timedelta(hours=21)):
        _book(whitcombe, roundtables[0][0])
    with clock(sent + timedelta(days=2)):
        campaign.mark_opened(delgado)
    with clock(sent + timedelta(days=2, hours=3)):
        campaign.ask_for_other_times(
            delgado,
            "The Senator is in committee hearings on every weekday morning offered. Could the board meet on a "
            "Saturday, or any afternoon in the week after?",
        )
    saturday = local_time(roundtables[2][0] + timedelta(days=(5 - _weekday(roundtables[2][0])) % 7), 11)
    with clock(sent + timedelta(days=3)):
        # Staff offered a Saturday and marked the request handled; the Senator took it the next day.
        _slots(letter, [(saturday, room)], ctx.staff[0])
        for request in delgado.requests:
            services.mark_request_handled(request, actor=ctx.staff[1])
    with clock(sent + timedelta(days=4)):
        _book(delgado, saturday)
    with clock(sent + timedelta(days=3, hours=2)):
        campaign.mark_opened(osei)
    with clock(sent + timedelta(days=3, hours=6)):
        campaign.decline(osei, "The campaign is not seeking organisational endorsements in the primary.")
    with clock(sent + timedelta(days=5)):
        campaign.mark_opened(abernathy)
    with clock(sent + timedelta(days=5, hours=1)):
        _book(abernathy, roundtables[4][0])
    pryce = next(c for c in race.candidates if c.name == "Gordon Pryce")
    with clock(sent + timedelta(days=9)):  # after the town-hall straw poll that still listed him
        withdraw_candidate(pryce, reason="Left the race and endorsed Marcus Delgado.", actor=ctx.staff[0])
    # Harriet Lindgren never opened hers: "no reply" once the deadline passed.
    _no_reply(letter)


def _governor(ctx: DemoContext, room: Location, video: Location) -> None:
    race = ctx.races[GOVERNOR]
    n = ctx.now
    sent = local_time(n - timedelta(days=7), 10)
    slots = _on_weekdays(
        n + timedelta(days=2), [(0, 10, room), (1, 10, room), (1, 14, video), (3, 10, room), (4, 15, video)]
    )
    with clock(sent):
        letter = _letter(race, weekday_at(n + timedelta(days=7), 17), ctx.staff[0])
        _slots(letter, slots, ctx.staff[0])
        invitations = _send(letter, ctx.staff[0])
    reyes, hale, kessler, pike = (
        invitations[name] for name in ("Thomas Reyes", "Gregory Hale", "Diane Kessler", "Lawrence Pike")
    )
    with clock(sent + timedelta(days=1)):
        campaign.mark_opened(kessler)
    with clock(sent + timedelta(days=2)):
        campaign.ask_for_other_times(
            kessler,
            "The Governor is in the capital for the budget session every day offered. She could come to the "
            "union hall on " + slots[0][0].strftime("%A") + " or earlier; her scheduler will call Marcus.",
        )
    with clock(sent + timedelta(days=3)):
        for request in kessler.requests:  # Marcus called her scheduler and booked her by hand
            services.mark_request_handled(request, actor=ctx.staff[0])
    with clock(sent + timedelta(days=1, hours=5)):
        campaign.mark_opened(reyes)
    with clock(sent + timedelta(days=2, hours=1)):
        _book(reyes, slots[1][0])
    with clock(sent + timedelta(days=2, hours=4)):
        campaign.mark_opened(pike)
    with clock(sent + timedelta(days=2, hours=5)):
        _book(pike, slots[-1][0])
    with clock(n - timedelta(days=3)):
        campaign.mark_opened(hale)
    with clock(n - timedelta(days=1)):
        qureshi = add_candidate(
            race,
            {
                "name": "Samira Qureshi",
                "party": "Green",
                "contact_name": "Imani Cole",
                "contact_email": "hello@qureshiforcolumbia.example.com",
                "website": "https://qureshiforcolumbia.example.com",
            },
            actor=ctx.staff[1],
        )
    # She qualified for the ballot yesterday; her invitation goes out now (still in the outbox).
    services.invite(letter, qureshi, actor=ctx.staff[1])


def _state_senate(ctx: DemoContext, video: Location) -> None:
    race = ctx.races[STATE_SENATE]
    n = ctx.now
    sent = local_time(n - timedelta(days=35), 10)
    slots = _on_weekdays(n - timedelta(days=28), [(0, 11, video), (2, 11, video), (4, 16, video)])
    with clock(sent):
        letter = _letter(race, weekday_at(n - timedelta(days=21), 17), ctx.staff[0])
        _slots(letter, slots, ctx.staff[0])
        invitations = _send(letter, ctx.staff[0])
    moreno, ward = invitations["Alicia Moreno"], invitations["Kenneth Ward"]
    with clock(sent + timedelta(hours=3)):
        campaign.mark_opened(moreno)
        _book(moreno, slots[0][0])
    with clock(sent + timedelta(days=4)):
        campaign.mark_opened(ward)
    with clock(sent + timedelta(days=4, hours=2)):
        _book(ward, slots[2][0])


def _weekday(moment: datetime) -> int:
    return moment.astimezone(ZoneInfo(ZONE)).weekday()


def load(ctx: DemoContext) -> None:
    room = next(loc for loc in ctx.locations if loc.kind is LocationKind.room)
    video = next(loc for loc in ctx.locations if loc.kind is LocationKind.video)
    _presidential(ctx, room, video)
    _governor(ctx, room, video)
    _state_senate(ctx, video)
    db.session.flush()
