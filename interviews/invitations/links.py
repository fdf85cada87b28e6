"""Candidates' personal links: signed, bound to one invitation, expiring, revocable.

The token carries the invitation id and its link version. Resending or withdrawing the invitation
raises the version, so older links stop working at once. Links expire a configured number of days
after the response deadline.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationLetter
from interviews.scheduling.models import Interview, PanelSeat
from interviews.types import utcnow
from interviews.urls import absolute_url

SALT = "candidate-invitation-link"


class LinkError(Exception):
    """Why a link does not open: kind is 'tampered', 'expired' or 'revoked'."""

    def __init__(self, kind: str, invitation: Invitation | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.invitation = invitation


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(invitation: Invitation) -> str:
    return _serializer().dumps({"i": invitation.id, "v": invitation.link_version})


def candidate_url(invitation: Invitation, endpoint: str = "invitations.candidate") -> str:
    """The absolute address of the candidate's page, built from BASE_URL (for e-mails and calendars)."""
    return absolute_url(endpoint, token=make_token(invitation))


def link_lifetime(invitation: Invitation) -> timedelta:
    grace = timedelta(days=current_app.config["INVITATION_LINK_GRACE_DAYS"])
    return invitation.letter.respond_by + grace - invitation.sent_at


@cache
def _invitation_with_what_pages_read() -> Select[tuple[Invitation]]:
    """What every page behind the link reads (letter, race, candidate, bookings) in one query, and the
    bookings' panels in a second when there are bookings: an invitation has a handful of interviews at
    most. Built once per process (bound: `id`), since building it cost more than running it."""
    return (
        select(Invitation)
        .where(Invitation.id == bindparam("id", type_=Integer))
        .options(
            joinedload(Invitation.letter).joinedload(InvitationLetter.race),
            joinedload(Invitation.candidate),
            joinedload(Invitation.interviews).options(
                joinedload(Interview.location), selectinload(Interview.panel_seats).joinedload(PanelSeat.user)
            ),
        )
    )


def link_payload(token: str) -> tuple[int, object]:
    """The invitation id and link version a token was signed with, or LinkError("tampered")."""
    if not token or len(token) > 500:
        raise LinkError("tampered")
    try:
        # Expiry is the deadline plus the grace period (checked by the callers), not the token's age.
        payload = _serializer().loads(token)
    except BadSignature:
        raise LinkError("tampered") from None
    if not isinstance(payload, dict) or type(payload.get("i")) is not int:
        raise LinkError("tampered")
    return payload["i"], payload.get("v")


def invitation_from_token(token: str) -> Invitation:
    """The invitation a token opens, or LinkError saying why not."""
    invitation_id, version = link_payload(token)
    invitation = db.session.scalars(_invitation_with_what_pages_read(), {"id": invitation_id}).unique().first()
    if invitation is None:
        raise LinkError("tampered")
    if (
        version != invitation.link_version
        or invitation.withdrawn_at is not None
        or invitation.candidate.withdrawn  # the candidate left the race: nothing left to answer
    ):
        raise LinkError("revoked", invitation)
    grace = timedelta(days=current_app.config["INVITATION_LINK_GRACE_DAYS"])
    if utcnow() > invitation.letter.respond_by + grace:
        raise LinkError("expired", invitation)
    return invitation
