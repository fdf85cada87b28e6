"""Demo: the presidential race's letter, its slots, and an invitation in every state, with their e-mails.

A "no reply" needs a deadline that has passed, which the presidential letter's has not: the State
Senate race's letter, sent earlier with a deadline two days ago, shows that state.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from interviews.demo import DemoContext
from interviews.extensions import db
from interviews.invitations import candidate as campaign
from interviews.invitations import services
from interviews.invitations.models import Invitation, InvitationLetter, InvitationStatus
from interviews.races.models import Candidate, Race
from interviews.scheduling.models import LocationKind

PRESIDENTIAL = "2028 Presidential endorsement"
STATE_SENATE = "State Senate District 12"
ZONE = "America/New_York"

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


def _weekday_at(ctx: DemoContext, days: int, hour: int) -> datetime:
    local = (ctx.now + timedelta(days=days)).astimezone(ZoneInfo(ZONE))
    while local.weekday() >= 5:
        local += timedelta(days=1)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(ZoneInfo("UTC"))


def _letter(race: Race, respond_by: datetime, org: str) -> InvitationLetter:
    return services.save_letter(
        race,
        {
            "subject": f"Invitation: {org} endorsement interview, {race.office}",
            "body": LETTER_BODY.format(org=org, office=race.office, minutes=45),
            "topics": "\n".join(TOPICS),
            "respond_by": respond_by.replace(second=0, microsecond=0),
            "timezone": ZONE,
            "duration_minutes": 45,
        },
    )


def _backdate(invitation: Invitation, sent: datetime) -> None:
    invitation.sent_at = sent
    invitation.last_sent_at = sent
    invitation.letter.locked_at = min(invitation.letter.locked_at or sent, sent)


def _at(invitation: Invitation, *, opened: datetime, answered: datetime | None = None) -> None:
    """Spread the demo's answers over the days since sending, as a real week would."""
    invitation.opened_at = opened
    if answered is not None:
        invitation.answered_at = answered
        for request in invitation.requests:
            request.created_at = answered


def load(ctx: DemoContext) -> None:
    from flask import current_app

    org = current_app.config["ORGANIZATION_NAME"]
    room = next(loc for loc in ctx.locations if loc.kind is LocationKind.room)
    video = next(loc for loc in ctx.locations if loc.kind is LocationKind.video)

    # --- the presidential race: answers of every kind, deadline in ten days -------------------
    race = ctx.races[PRESIDENTIAL]
    # A candidate who entered, was invited, and dropped out: the invitation was withdrawn.
    dropped = Candidate(
        name="Gordon Pryce",
        party="Democratic",
        contact_name="Alex Morrow",
        contact_email="scheduling@pryce2028.example.com",
        website="https://pryce2028.example.com",
    )
    race.candidates.append(dropped)
    db.session.flush()
    letter = _letter(race, _weekday_at(ctx, 10, 17), org)
    for days, hour, location in [
        (5, 10, room),
        (5, 14, video),
        (6, 10, room),
        (7, 15, video),
        (8, 10, room),
        (8, 14, room),
    ]:
        start = _weekday_at(ctx, days, hour)
        services.add_slot(
            letter, starts_at=start, ends_at=start + timedelta(minutes=45), timezone=ZONE, location=location
        )
    by_name = {c.name: c for c in race.candidates}
    sent_on = ctx.now - timedelta(days=4)
    invitations = {name: services.invite(letter, candidate) for name, candidate in by_name.items()}
    for invitation in invitations.values():
        _backdate(invitation, sent_on)

    # Opened and booked the first room slot.
    whitcombe = invitations["Eleanor Whitcombe"]
    campaign.mark_opened(whitcombe)
    campaign.book_slot(whitcombe, letter.slots[0].id)
    _at(whitcombe, opened=ctx.now - timedelta(days=3, hours=20), answered=ctx.now - timedelta(days=3, hours=19))
    # Opened, asked for other times.
    delgado = invitations["Marcus Delgado"]
    campaign.mark_opened(delgado)
    campaign.ask_for_other_times(
        delgado,
        "The Senator is in committee hearings on every weekday morning offered. Could the board meet on a "
        "Saturday, or any afternoon in the week after?",
    )
    _at(delgado, opened=ctx.now - timedelta(days=2, hours=6), answered=ctx.now - timedelta(days=1, hours=3))
    # Opened, not answered yet.
    campaign.mark_opened(invitations["Ruth Abernathy"])
    _at(invitations["Ruth Abernathy"], opened=ctx.now - timedelta(hours=30))
    # Declined with a reason.
    osei = invitations["Franklin Osei"]
    campaign.mark_opened(osei)
    campaign.decline(osei, "The campaign is not seeking organisational endorsements in the primary.")
    _at(osei, opened=ctx.now - timedelta(days=3, hours=2), answered=ctx.now - timedelta(days=2, hours=22))
    # Lindgren: sent, not opened. Pryce: withdrawn after dropping out.
    services.withdraw(invitations["Gordon Pryce"], reason="Left the race.")
    invitations["Gordon Pryce"].withdrawn_at = ctx.now - timedelta(days=1)
    dropped.withdrawn_at = ctx.now - timedelta(days=1)

    # --- the State Senate race: deadline passed, one no reply ---------------------------------
    senate = ctx.races.get(STATE_SENATE)
    if senate is None:
        return
    old = _letter(senate, (ctx.now - timedelta(days=2)).replace(minute=0), org)
    start = _weekday_at(ctx, 9, 11)
    services.add_slot(old, starts_at=start, ends_at=start + timedelta(minutes=45), timezone=ZONE, location=video)
    for candidate in senate.candidates:
        invitation = services.invite(old, candidate)
        _backdate(invitation, ctx.now - timedelta(days=16))
    moreno, ward = (
        next(i for i in old.invitations if i.candidate.name == n) for n in ("Alicia Moreno", "Kenneth Ward")
    )
    campaign.decline(ward, "Senator Ward is not taking part in endorsement interviews this cycle.")
    _at(ward, opened=ctx.now - timedelta(days=12), answered=ctx.now - timedelta(days=11))
    moreno.status = InvitationStatus.no_reply
    moreno.reminded_at = ctx.now - timedelta(days=5)
    moreno.no_reply_at = old.respond_by + timedelta(minutes=1)
    db.session.flush()
