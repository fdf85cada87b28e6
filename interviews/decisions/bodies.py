"""Bodies and their members over time: add, end and re-weigh seats; keep the default body in step with accounts.

A seat is never edited in place once it has been sat in: a new weight ends the seat the day before
and opens a new one, so the body's history says who sat with what weight on any day. Every change
is audited. The default body's members are the accounts marked "voting member"; staff change those
on the account, and `sync_default_body` seats and unseats accordingly.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select

from interviews.audit.actors import Actor
from interviews.audit.services import record
from interviews.auth.models import User
from interviews.decisions.errors import DecisionError
from interviews.decisions.models import Body, BodyMember, seated_on
from interviews.decisions.roll_csv import RollReport, Sitting, parse_roll
from interviews.extensions import db

DEFAULT_BODY_NAME = "Voting members"
MAX_WEIGHT = 10_000_000  # a per-capita weight: the largest affiliates have a few million members


def default_body() -> Body | None:
    return db.session.scalars(select(Body).where(Body.is_default.is_(True))).first()


def bodies() -> list[Body]:
    return list(db.session.scalars(select(Body).order_by(Body.is_default.desc(), Body.name)))


def seat_counts(body_ids: list[int], day: date) -> dict[int, int]:
    """{body id: members sitting on `day`}, counted by the database (a convention roll has thousands)."""
    if not body_ids:
        return {}
    rows = db.session.execute(
        select(BodyMember.body_id, func.count())
        .where(BodyMember.body_id.in_(body_ids), seated_on(day))
        .group_by(BodyMember.body_id)
    )
    return dict.fromkeys(body_ids, 0) | {body_id: n for body_id, n in rows}


def seated(body: Body, day: date) -> list[BodyMember]:
    """The members sitting on `day`, by name: the roll a vote opening that day freezes."""
    return list(
        db.session.scalars(
            select(BodyMember).where(BodyMember.body_id == body.id, seated_on(day)).order_by(BodyMember.name)
        )
    )


def check_weight(weight: object) -> int:
    """A vote weight is a positive whole number (no zero, no fraction, nothing absurd)."""
    if isinstance(weight, bool) or not isinstance(weight, int):
        raise DecisionError("A weight is a whole number, such as 1 or 12500.")
    if weight <= 0:
        raise DecisionError(f"A weight must be 1 or more; {weight} would take the member's vote away.")
    if weight > MAX_WEIGHT:
        raise DecisionError(f"A weight of {weight:,} is more than {MAX_WEIGHT:,}; check the figure.")
    return weight


def create_body(name: str, description: str = "", *, actor: Actor) -> Body:
    name = " ".join(name.split())
    if not name:
        raise DecisionError("Give the body a name, such as Political Committee.")
    taken = db.session.scalar(select(Body.id).where(func.lower(Body.name) == name.lower()))
    if taken is not None:
        raise DecisionError(f"There is already a body named {name}.")
    body = Body(name=name, description=description.strip(), created_by=actor if isinstance(actor, User) else None)
    db.session.add(body)
    db.session.flush()
    record("body.created", body, changes={"name": name}, summary=f"Body {name} created", actor=actor)
    return body


def add_member(
    body: Body,
    *,
    name: str,
    weight: int,
    joined_on: date,
    actor: Actor,
    user: User | None = None,
    reference: str = "",
) -> BodyMember:
    """Seat someone on a body from `joined_on`: an account, or a person without one (name and reference)."""
    if body.is_default:
        raise DecisionError(
            f"{body.name} is the accounts marked as voting members: mark the account on its page instead."
        )
    name = " ".join((user.name if user is not None and not name.strip() else name).split())
    if not name:
        raise DecisionError("Give the member's name.")
    weight = check_weight(weight)
    if user is not None and any(m.user_id == user.id and m.left_on is None for m in body.members):
        raise DecisionError(f"{user.name} already sits on {body.name}.")
    member = BodyMember(
        body=body,
        user=user,
        name=name[:120],
        reference=" ".join(reference.split())[:120],
        weight=weight,
        joined_on=joined_on,
    )
    db.session.add(member)
    db.session.flush()
    record(
        "body.member_added",
        body,
        changes={"member": member.name, "weight": weight, "joined_on": joined_on, "reference": member.reference},
        summary=f"{member.name} joined {body.name} (weight {weight:,})",
        actor=actor,
    )
    return member


def end_membership(member: BodyMember, *, left_on: date, actor: Actor) -> None:
    """The member leaves the body on `left_on` (they no longer sit from that day)."""
    _refuse_default(member)
    if member.left_on is not None:
        raise DecisionError(f"{member.name} already left {member.body.name} on {member.left_on:%d %B %Y}.")
    if left_on < member.joined_on:
        raise DecisionError(f"{member.name} joined on {member.joined_on:%d %B %Y}; they cannot leave before that.")
    member.left_on = left_on
    record(
        "body.member_left",
        member.body,
        changes={"member": member.name, "left_on": left_on},
        summary=f"{member.name} left {member.body.name}",
        actor=actor,
    )


def change_weight(member: BodyMember, weight: int, *, on: date, actor: Actor) -> BodyMember:
    """From `on`, the member sits with `weight`: the old seat ends, a new one starts (history is kept)."""
    _refuse_default(member)
    return _reweigh(member, weight, on=on, actor=actor)


def _refuse_default(member: BodyMember) -> None:
    if member.body.is_default:
        raise DecisionError(
            f"{member.body.name} follows the accounts marked as voting members: change the account instead."
        )


def _reweigh(member: BodyMember, weight: int, *, on: date, actor: Actor) -> BodyMember:
    weight = check_weight(weight)
    if member.left_on is not None:
        raise DecisionError(f"{member.name} no longer sits on {member.body.name}.")
    if weight == member.weight:
        return member
    if on <= member.joined_on:  # not yet sat in with the old weight: correct it in place
        old, member.weight = member.weight, weight
        record(
            "body.member_weight",
            member.body,
            changes={"member": member.name, "weight": [old, weight]},
            summary=f"{member.name}'s weight on {member.body.name} is now {weight:,}",
            actor=actor,
        )
        return member
    member.left_on = on
    seat = BodyMember(
        body=member.body,
        user_id=member.user_id,
        name=member.name,
        reference=member.reference,
        weight=weight,
        joined_on=on,
    )
    db.session.add(seat)
    db.session.flush()
    record(
        "body.member_weight",
        member.body,
        changes={"member": member.name, "weight": [member.weight, weight], "from": on},
        summary=f"{member.name}'s weight on {member.body.name} is {weight:,} from {on:%d %B %Y}",
        actor=actor,
    )
    return seat


def sync_default_body(*, today: date, actor: Actor) -> Body:
    """Seat the active voting members with their account's weight, and unseat the others, from `today`."""
    body = default_body()
    if body is None:
        body = Body(
            name=DEFAULT_BODY_NAME,
            description="The accounts marked as voting members, with the weight their account gives.",
            is_default=True,
        )
        db.session.add(body)
        db.session.flush()
    voting = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.is_voting_member.is_(True), User.active.is_(True), User.vote_weight > 0)
        )
    }
    sitting = {m.user_id: m for m in body.members if m.left_on is None and m.user_id is not None}
    unseated: list[str] = []
    seated: list[str] = []
    for user_id, member in sitting.items():
        user = voting.get(user_id)
        if user is None:
            member.left_on = max(today, member.joined_on)
            unseated.append(member.name)
        elif user.vote_weight != member.weight:
            _reweigh(member, user.vote_weight, on=today, actor=actor)
    for user_id, user in voting.items():
        if user_id not in sitting:
            db.session.add(
                BodyMember(body=body, user_id=user.id, name=user.name, weight=user.vote_weight, joined_on=today)
            )
            seated.append(user.name)
    db.session.flush()
    if seated or unseated:  # a new weight has its own event (body.member_weight)
        record(
            "body.synced",
            body,
            changes={"seated": sorted(seated), "unseated": sorted(unseated), "from": today},
            summary=f"{body.name} brought up to date from the accounts: {len(seated)} seated, {len(unseated)} left",
            actor=actor,
        )
    db.session.refresh(body)
    return body


def import_roll(body: Body, csv_text: str | bytes, *, joined_on: date, actor: Actor) -> RollReport:
    """Seat the accepted rows of a roll CSV from `joined_on`; the refused ones are reported, not stored.

    The rows are held to add_member's rules (a name, a weight, an account seated once), and also
    refused when the same person already holds a seat from `joined_on` on (by account, reference, or
    name and reference). One audit event sums the import up: a convention roll has thousands of rows.
    A file refused as a whole raises RollRefused (a DecisionError) and seats nobody.
    """
    if body.is_default:
        raise DecisionError(
            f"{body.name} is the accounts marked as voting members: mark the accounts instead of importing a roll."
        )
    held = [m for m in body.members if m.left_on is None or m.left_on > joined_on]
    accounts = dict(db.session.execute(select(User.email, User.id).where(User.active.is_(True))).tuples().all())
    report = parse_roll(
        csv_text,
        accounts=accounts,
        sitting=Sitting.of((m.name, m.reference, m.user_id) for m in held),
        max_weight=MAX_WEIGHT,
    )
    if not report.accepted:
        return report
    # One bulk INSERT: a convention roll is thousands of seats, too many to flush one object at a time.
    db.session.execute(
        insert(BodyMember),
        [
            {
                "body_id": body.id,
                "user_id": seat.user_id,
                "name": seat.name,
                "reference": seat.reference,
                "weight": seat.weight,
                "joined_on": joined_on,
            }
            for seat in report.accepted
        ],
    )
    db.session.expire(body, ["members"])
    record(
        "body.roll_imported",
        body,
        changes={
            "joined_on": joined_on,
            "seated": len(report.accepted),
            "total_weight": report.total_weight,
            "refused": len(report.refused),
            "linked_to_accounts": sum(1 for seat in report.accepted if seat.user_id is not None),
        },
        summary=f"{len(report.accepted):,} joined {body.name} from a roll ({len(report.refused):,} rows refused)",
        actor=actor,
    )
    return report
