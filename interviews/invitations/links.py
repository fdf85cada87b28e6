"""Candidates' personal links: signed, bound to one invitation, expiring, revocable.

The token carries the invitation id and its link version. Resending or withdrawing the invitation
raises the version, so older links stop working at once. Links expire a configured number of days
after the response deadline.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from interviews.extensions import db
from interviews.invitations.models import Invitation
from interviews.types import utcnow

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


def candidate_url(invitation: Invitation) -> str:
    """The absolute address of the candidate's page, built from BASE_URL (for e-mails and calendars)."""
    path = url_for("invitations.candidate", token=make_token(invitation))
    return current_app.config["BASE_URL"] + path


def link_lifetime(invitation: Invitation) -> timedelta:
    grace = timedelta(days=current_app.config["INVITATION_LINK_GRACE_DAYS"])
    return invitation.letter.respond_by + grace - invitation.sent_at


def invitation_from_token(token: str) -> Invitation:
    """The invitation a token opens, or LinkError saying why not."""
    serializer = _serializer()
    try:
        # Expiry is the deadline plus the grace period (checked below), not the token's age.
        payload = serializer.loads(token)
    except BadSignature:
        raise LinkError("tampered") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int):
        raise LinkError("tampered")
    invitation = db.session.get(Invitation, payload["i"])
    if invitation is None:
        raise LinkError("tampered")
    if payload.get("v") != invitation.link_version or invitation.withdrawn_at is not None:
        raise LinkError("revoked", invitation)
    grace = timedelta(days=current_app.config["INVITATION_LINK_GRACE_DAYS"])
    if utcnow() > invitation.letter.respond_by + grace:
        raise LinkError("expired", invitation)
    return invitation
