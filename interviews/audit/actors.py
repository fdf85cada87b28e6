"""Who did something: an account, a campaign acting through its invitation link, or the system.

Every service that writes takes `actor=` as a required keyword and passes it on to the audit
trail, so the record never has to guess who acted from the request that happened to be running.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from interviews.auth.models import User

if TYPE_CHECKING:
    from interviews.invitations.models import Invitation


class ActorKind(enum.Enum):
    user = "user"
    campaign = "campaign"
    system = "system"

    @property
    def label(self) -> str:
        return {"user": "Account", "campaign": "Campaign (invitation link)", "system": "System"}[self.value]

    @property
    def badge(self) -> str:
        return {"campaign": "warn", "system": ""}.get(self.value, "ok")


@dataclass(frozen=True)
class Campaign:
    """A candidate's campaign acting through its signed link: it has no account, the invitation is its key."""

    invitation_id: int
    candidate_name: str
    contact_email: str

    @classmethod
    def of(cls, invitation: Invitation) -> Campaign:
        candidate = invitation.candidate
        return cls(invitation.id, candidate.name, candidate.contact_email)

    @property
    def label(self) -> str:
        return f"Campaign of {self.candidate_name} <{self.contact_email}> (invitation link)"


@dataclass(frozen=True)
class System:
    """The app itself: a command, the outbox worker, the deadline tick, the demo loader."""

    job: str

    @property
    def label(self) -> str:
        return f"system ({self.job})"


Actor = User | Campaign | System


def actor_kind(actor: Actor) -> ActorKind:
    if isinstance(actor, User):
        return ActorKind.user
    if isinstance(actor, Campaign):
        return ActorKind.campaign
    return ActorKind.system


def actor_label(actor: Actor) -> str:
    if isinstance(actor, User):
        return f"{actor.name} <{actor.email}>"
    return actor.label


def user_of(actor: Actor) -> User | None:
    """The account behind an actor, for columns such as `recorded_by` that name one."""
    return actor if isinstance(actor, User) else None
