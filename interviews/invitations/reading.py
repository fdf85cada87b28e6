"""The campaign's page before it has booked, read as plain rows in one statement.

Most visits to a campaign's link are to choose a time: the invitation is open, nothing is booked yet,
and the page only shows what it reads. For that state the invitation, its letter, race and candidate
come as one row of the columns the page shows, not as four ORM objects with their relationships (which
cost more than the rest of the page's reads together). Every other state (a booking, cancelled or not;
the first visit, which records the opening; a link that does not open) is read the full way, by
`links.invitation_from_token`, which also says why a link does not open.

The row objects carry the same names as the models for what the page reads, and borrow the models'
own rules (`topic_list`, `is_past_deadline`, `active_interview`...), so the template and the features
answering `campaign_tasks` read either the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Integer, Select, bindparam, exists, select

from interviews.database import read_rows
from interviews.invitations.links import LinkError, link_payload
from interviews.invitations.models import (
    Invitation,
    InvitationLetter,
    InvitationStatus,
    active_among,
    deadline_passed,
    staff_cancelled_among,
    topics_of,
)
from interviews.races.models import Candidate, Race
from interviews.scheduling.models import Interview
from interviews.types import utcnow


@dataclass(frozen=True, slots=True)
class RaceRow:
    id: int
    title: str
    office: str
    jurisdiction: str


@dataclass(frozen=True, slots=True)
class CandidateRow:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class LetterRow:
    id: int
    race_id: int
    subject: str
    body: str
    topics: str
    respond_by: datetime
    timezone: str
    duration_minutes: int
    race: RaceRow

    # The model's own rules, under its names.
    @property
    def topic_list(self) -> list[str]:
        return topics_of(self.topics)

    def is_past_deadline(self, now: datetime | None = None) -> bool:
        return deadline_passed(self.respond_by, now)


@dataclass(frozen=True, slots=True)
class InvitationRow:
    """An open invitation with no booking: `interviews` is empty by how it was read (see `_page_row`)."""

    id: int
    letter_id: int
    candidate_id: int
    status: InvitationStatus
    opened_at: datetime | None
    answered_at: datetime | None
    letter: LetterRow
    candidate: CandidateRow
    interviews: tuple[Any, ...] = ()

    @property
    def active_interview(self) -> Interview | None:
        return active_among(self.interviews)

    @property
    def staff_cancelled_interview(self) -> Interview | None:
        return staff_cancelled_among(self.status, self.interviews)


@cache
def _page_row() -> Select[Any]:
    """Built once per process (bound: `id`). `booked`: whether any interview was ever booked through it."""
    booked = exists().where(Interview.invitation_id == Invitation.id)
    return (
        select(
            Invitation.id,
            Invitation.letter_id,
            Invitation.candidate_id,
            Invitation.status,
            Invitation.opened_at,
            Invitation.answered_at,
            Invitation.link_version,
            Invitation.withdrawn_at,
            booked.label("booked"),
            InvitationLetter.race_id,
            InvitationLetter.subject,
            InvitationLetter.body,
            InvitationLetter.topics,
            InvitationLetter.respond_by,
            InvitationLetter.timezone,
            InvitationLetter.duration_minutes,
            Race.title.label("race_title"),
            Race.office.label("race_office"),
            Race.jurisdiction.label("race_jurisdiction"),
            Candidate.name.label("candidate_name"),
            Candidate.withdrawn_at.label("candidate_withdrawn_at"),
        )
        .join(InvitationLetter, InvitationLetter.id == Invitation.letter_id)
        .join(Race, Race.id == InvitationLetter.race_id)
        .join(Candidate, Candidate.id == Invitation.candidate_id)
        .where(Invitation.id == bindparam("id", type_=Integer))
    )


def open_unbooked(token: str) -> InvitationRow | None:
    """The invitation a token opens, as rows, when it opens, has never been booked and was opened before.

    None in every other case, for the caller to open it with `invitation_from_token`: the same checks
    as there (signature, link version, withdrawal, expiry), so a link this opens, that opens too."""
    try:
        invitation_id, version = link_payload(token)
    except LinkError:
        return None
    row = read_rows(_page_row(), {"id": invitation_id}).first()
    if (
        row is None
        or row.link_version != version
        or row.withdrawn_at is not None
        or row.candidate_withdrawn_at is not None
        or row.booked
        or row.opened_at is None  # the first visit is recorded, on the invitation itself
    ):
        return None
    grace = timedelta(days=current_app.config["INVITATION_LINK_GRACE_DAYS"])
    if utcnow() > row.respond_by + grace:
        return None
    race = RaceRow(row.race_id, row.race_title, row.race_office, row.race_jurisdiction)
    letter = LetterRow(
        row.letter_id,
        row.race_id,
        row.subject,
        row.body,
        row.topics,
        row.respond_by,
        row.timezone,
        row.duration_minutes,
        race,
    )
    return InvitationRow(
        row.id,
        row.letter_id,
        row.candidate_id,
        row.status,
        row.opened_at,
        row.answered_at,
        letter,
        CandidateRow(row.candidate_id, row.candidate_name),
    )
