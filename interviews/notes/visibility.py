"""Who may read a note: one rule, written once as SQL, used by every page, search and export.

The matrix (a row is the note's visibility, a column the viewer):

| visibility  | author | panel member | other leader | staff | admin | candidate |
|-------------|--------|--------------|--------------|-------|-------|-----------|
| panel       | yes    | yes          | no           | no    | no    | never     |
| leadership  | yes    | yes          | yes          | no    | no    | never     |
| staff       | yes    | yes          | yes          | yes   | yes   | never     |

- "panel member" means a seat on *that* interview's panel, whatever the account's role.
- Admins read what staff read: they administer accounts and races, and a "panel only" or
  "leadership" note was written for the board, not for the office. (Admin is not leadership.)
- Candidates have no account; no notes page is public and the candidate's page shows none.
- Hide until submitted (Race.hide_notes_until_submitted): a panel member of the interview who has
  not yet submitted their own notes on it sees none of their colleagues' notes on it. Viewers who
  are not on that panel are not affected. The author always sees their own.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from interviews.auth.models import Role, User
from interviews.extensions import db
from interviews.notes.models import Note, Visibility
from interviews.races.models import Race
from interviews.scheduling.models import Interview, PanelSeat


def on_panel(viewer: User, interview_id: ColumnElement[int] | InstrumentedAttribute[int] | int) -> ColumnElement[bool]:
    return exists().where(PanelSeat.interview_id == interview_id, PanelSeat.user_id == viewer.id)


def has_submitted(
    viewer: User, interview_id: ColumnElement[int] | InstrumentedAttribute[int] | int
) -> ColumnElement[bool]:
    own = aliased(Note)
    return exists().where(own.interview_id == interview_id, own.author_id == viewer.id, own.submitted_at.is_not(None))


def _role_reads(viewer: User) -> set[Visibility]:
    """The visibilities a viewer reads by role alone (without a seat on the panel)."""
    if viewer.role is Role.leader:
        return {Visibility.leadership, Visibility.staff}
    if viewer.role in (Role.staff, Role.admin):
        return {Visibility.staff}
    return set()


def visible_notes(viewer: User | None) -> ColumnElement[bool]:
    """A WHERE clause over Note: the notes this viewer may read."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return false()
    seated = on_panel(viewer, Note.interview_id)
    by_role = _role_reads(viewer)
    readable = or_(seated, Note.visibility.in_(by_role)) if by_role else seated
    hiding = exists().where(
        Interview.id == Note.interview_id, Race.id == Interview.race_id, Race.hide_notes_until_submitted.is_(True)
    )
    hidden = and_(seated, hiding, ~has_submitted(viewer, Note.interview_id))
    return or_(Note.author_id == viewer.id, and_(readable, ~hidden))


def may_write_notes(viewer: User | None, interview: Interview) -> bool:
    """Only the interview's panel members write notes on it."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return any(seat.user_id == viewer.id for seat in interview.panel_seats)


def notes_hidden_from(viewer: User | None, interview: Interview) -> bool:
    """True when hide-until-submitted keeps this viewer from colleagues' notes on the interview."""
    if viewer is None or not interview.race.hide_notes_until_submitted or not may_write_notes(viewer, interview):
        return False
    return not db.session.scalar(select(has_submitted(viewer, interview.id)))


def can_read_visibility(viewer: User, visibility: Visibility, *, seated: bool) -> bool:
    """The same rule in Python, for labels ("who can read this") on forms."""
    return seated or visibility in _role_reads(viewer)
