"""Writing a race's questionnaire, freezing it when a campaign receives it, and staff's settings.

Each function changes objects and records an audit event; the view commits once. A version is
edited in place until the first campaign receives it; from then on a change is a new version, so
every campaign keeps exactly the text it got (its copy carries the digest, as the letter's does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Integer, Select, and_, bindparam, delete, func, select, update
from sqlalchemy.orm import joinedload

from interviews.audit.actors import Actor, user_of
from interviews.audit.services import record
from interviews.database import read_rows, rows_changed
from interviews.extensions import db
from interviews.filters import format_datetime
from interviews.invitations.models import Invitation
from interviews.questionnaires.models import (
    QuestionKind,
    Questionnaire,
    QuestionnaireQuestion,
    QuestionnaireResponse,
    QuestionnaireSection,
    QuestionnaireSubmission,
    QuestionnaireVersion,
    ResponseStatus,
    draft_pending,
    status_of,
)
from interviews.races.models import Race
from interviews.timezones import is_valid_timezone
from interviews.types import utcnow

MAX_QUESTIONS = 150
MAX_CHOICES = 30
TEXT_MAX = 2_000
NUMBER_LIMIT = Decimal(10) ** 12
CENTS = Decimal("0.01")


class QuestionnaireError(Exception):
    """A change that cannot be made; str() is fit to show to staff. `field` names the form field, if one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleEdit(QuestionnaireError):
    """Someone saved the questionnaire after this editor was opened."""


@dataclass(frozen=True)
class QuestionInput:
    section: str
    kind: QuestionKind
    text: str
    help: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    min_value: Decimal | None = None
    max_value: Decimal | None = None


@dataclass(frozen=True)
class QuestionnaireInput:
    title: str
    intro: str
    respond_by: datetime
    timezone: str
    questions: list[QuestionInput] = field(default_factory=list)


@dataclass(frozen=True)
class Saved:
    version: QuestionnaireVersion
    message: str


# --- reading --------------------------------------------------------------------------------


def questionnaire_of(race: Race | int) -> Questionnaire | None:
    race_id = race if isinstance(race, int) else race.id
    return db.session.scalar(select(Questionnaire).where(Questionnaire.race_id == race_id))


def latest_version(questionnaire: Questionnaire | None) -> QuestionnaireVersion | None:
    if questionnaire is None:
        return None
    return db.session.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire.id)
        .order_by(QuestionnaireVersion.version.desc())
        .limit(1)
    )


@cache
def _response_with_status() -> Select[tuple[QuestionnaireResponse]]:
    """Built once per process (bound: `invitation_id`): the campaign's page reads it on every visit."""
    return (
        select(QuestionnaireResponse)
        .where(QuestionnaireResponse.invitation_id == bindparam("invitation_id", type_=Integer))
        .options(
            joinedload(QuestionnaireResponse.version).joinedload(QuestionnaireVersion.questionnaire),
            joinedload(QuestionnaireResponse.submissions),
        )
    )


def response_of(invitation: Invitation) -> QuestionnaireResponse | None:
    """The campaign's copy, with what its status reads (version, settings, submissions) in one query."""
    return db.session.scalars(_response_with_status(), {"invitation_id": invitation.id}).unique().first()


@dataclass(frozen=True)
class LastSubmission:
    number: int
    submitted_at: datetime
    late: bool


@dataclass(frozen=True)
class CopyFacts:
    """What the campaign's invitation page says of its copy, read as one row (see `copy_facts`)."""

    title: str
    respond_by: datetime
    timezone: str
    required_before_booking: bool
    accept_late: bool
    draft_saved_at: datetime | None
    last: LastSubmission | None

    @property
    def status(self) -> ResponseStatus:
        return status_of(self.draft_saved_at, self.last)

    @property
    def has_draft(self) -> bool:
        return draft_pending(self.draft_saved_at, self.last)


@cache
def _copy_facts() -> Select[Any]:
    """Built once per process (bound: `invitation_id`). The last submission is the one of the highest number."""
    last = (
        select(func.max(QuestionnaireSubmission.number))
        .where(QuestionnaireSubmission.response_id == QuestionnaireResponse.id)
        .correlate(QuestionnaireResponse)
        .scalar_subquery()
    )
    return (
        select(
            QuestionnaireVersion.title,
            QuestionnaireVersion.respond_by,
            QuestionnaireVersion.timezone,
            Questionnaire.required_before_booking,
            Questionnaire.accept_late,
            QuestionnaireResponse.draft_saved_at,
            QuestionnaireSubmission.number,
            QuestionnaireSubmission.submitted_at,
            QuestionnaireSubmission.late,
        )
        .join(QuestionnaireVersion, QuestionnaireVersion.id == QuestionnaireResponse.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .outerjoin(
            QuestionnaireSubmission,
            and_(
                QuestionnaireSubmission.response_id == QuestionnaireResponse.id, QuestionnaireSubmission.number == last
            ),
        )
        .where(QuestionnaireResponse.invitation_id == bindparam("invitation_id", type_=Integer))
    )


def copy_facts(invitation_id: int) -> CopyFacts | None:
    """The campaign's copy as its invitation page shows it, in one statement of plain rows: that page is
    the one campaigns open most, and loading the copy's objects cost more than the page's other reads."""
    row = read_rows(_copy_facts(), {"invitation_id": invitation_id}).first()
    if row is None:
        return None
    last = LastSubmission(row.number, row.submitted_at, row.late) if row.number is not None else None
    return CopyFacts(
        row.title,
        row.respond_by,
        row.timezone,
        row.required_before_booking,
        row.accept_late,
        row.draft_saved_at,
        last,
    )


# --- checking what staff wrote -------------------------------------------------------------------


def _link_expiry(race: Race) -> datetime | None:
    """When the campaigns' links stop working: the invitation's deadline plus the grace days."""
    if race.letter is None:
        return None
    return race.letter.respond_by + timedelta(days=current_app.config["INVITATION_LINK_GRACE_DAYS"])


def _clean_question(row: QuestionInput, number: int) -> QuestionInput:
    where = f"Question {number}: "
    text = row.text.strip()
    if len(text) > TEXT_MAX or len(row.help) > TEXT_MAX:
        raise QuestionnaireError(where + f"the question and its help can be at most {TEXT_MAX:,} characters each.")
    choices: tuple[str, ...] = ()
    if row.kind.has_choices:
        choices = tuple(dict.fromkeys(c.strip() for c in row.choices if c.strip()))
        if len(choices) < 2:
            raise QuestionnaireError(where + "a choice question needs at least two choices, one a line.")
        if len(choices) > MAX_CHOICES or any(len(c) > 200 for c in choices):
            raise QuestionnaireError(where + f"at most {MAX_CHOICES} choices, of at most 200 characters each.")
    low = high = None
    if row.kind is QuestionKind.number:
        low, high = row.min_value, row.max_value
        for limit in (low, high):
            if limit is not None and (not limit.is_finite() or abs(limit) >= NUMBER_LIMIT):
                raise QuestionnaireError(where + "the lowest and highest numbers must be ordinary numbers.")
        # The column keeps two decimals: round here, so the text frozen and digested is the text stored.
        low = low.quantize(CENTS) if low is not None else None
        high = high.quantize(CENTS) if high is not None else None
        if low is not None and high is not None and low > high:
            raise QuestionnaireError(where + "the lowest number allowed is above the highest.")
    return QuestionInput(
        section=" ".join(row.section.split())[:200],
        kind=row.kind,
        text=text,
        help=row.help.strip(),
        required=row.required,
        choices=choices,
        min_value=low,
        max_value=high,
    )


def _clean(race: Race, data: QuestionnaireInput) -> QuestionnaireInput:
    title = " ".join(data.title.split())
    if not title or len(title) > 200:
        raise QuestionnaireError("Give the questionnaire a title (at most 200 characters).", "title")
    if len(data.intro) > 20_000:
        raise QuestionnaireError("The introduction can be at most 20,000 characters.", "intro")
    if not is_valid_timezone(data.timezone):
        raise QuestionnaireError("Choose a time zone from the list.", "timezone")
    if data.respond_by <= utcnow():
        raise QuestionnaireError("The deadline must be in the future.", "respond_by")
    expiry = _link_expiry(race)
    if expiry is not None and data.respond_by > expiry:
        raise QuestionnaireError(
            "The campaigns' links stop working on "
            f"{format_datetime(expiry, data.timezone)} (after the invitation's deadline): "
            "choose a deadline before then.",
            "respond_by",
        )
    rows = [row for row in data.questions if row.text.strip()]
    if not rows:
        raise QuestionnaireError("A questionnaire needs at least one question.", "questions")
    if len(rows) > MAX_QUESTIONS:
        raise QuestionnaireError(f"A questionnaire can have at most {MAX_QUESTIONS} questions.", "questions")
    questions = [_clean_question(row, n) for n, row in enumerate(rows, start=1)]
    return QuestionnaireInput(title, data.intro.strip(), data.respond_by, data.timezone, questions)


def _same(version: QuestionnaireVersion, data: QuestionnaireInput) -> bool:
    existing = [
        QuestionInput(
            q.section.title, q.kind, q.text, q.help, q.required, tuple(q.choices or ()), q.min_value, q.max_value
        )
        for q in version.questions
    ]
    head = (version.title, version.intro, version.respond_by, version.timezone)
    return head == (data.title, data.intro, data.respond_by, data.timezone) and existing == _grouped(data.questions)


def _grouped(questions: list[QuestionInput]) -> list[QuestionInput]:
    """Questions in the order they will be numbered: by section (in order of first appearance), then as typed."""
    order = list(dict.fromkeys(q.section for q in questions))
    return sorted(questions, key=lambda q: order.index(q.section))


def _fill(version: QuestionnaireVersion, data: QuestionnaireInput) -> None:
    version.title, version.intro = data.title, data.intro
    version.respond_by, version.timezone = data.respond_by, data.timezone
    version.updated_at = utcnow()
    sections: dict[str, QuestionnaireSection] = {}
    # No flush half-way through: a question goes in with its section.
    with db.session.no_autoflush:
        for position, row in enumerate(_grouped(data.questions), start=1):
            section = sections.get(row.section)
            if section is None:
                section = QuestionnaireSection(version=version, position=len(sections) + 1, title=row.section)
                sections[row.section] = section
                db.session.add(section)
            question = QuestionnaireQuestion(
                version=version,
                section=section,
                position=position,
                kind=row.kind,
                text=row.text,
                help=row.help,
                required=row.required,
                choices=list(row.choices),
                min_value=row.min_value,
                max_value=row.max_value,
            )
            db.session.add(question)


def _empty(version: QuestionnaireVersion) -> None:
    """Take out an unfrozen version's questions, so the edited ones can take their numbers."""
    db.session.execute(delete(QuestionnaireQuestion).where(QuestionnaireQuestion.version_id == version.id))
    db.session.execute(delete(QuestionnaireSection).where(QuestionnaireSection.version_id == version.id))
    db.session.expire(version, ["sections", "questions"])


def _summary(data: QuestionnaireInput) -> dict[str, object]:
    return {
        "title": data.title,
        "respond_by": data.respond_by,
        "timezone": data.timezone,
        "questions": [f"[{q.section}] {q.text}" if q.section else q.text for q in _grouped(data.questions)],
    }


# --- saving ----------------------------------------------------------------------------------------


def save_questionnaire(
    race: Race,
    data: QuestionnaireInput,
    *,
    base: tuple[int, int],
    copied_from: Race | None = None,
    actor: Actor,
) -> Saved:
    """Save what staff wrote. `base` is (version, revision) the editor was opened on; (0, 0): none yet.

    A frozen version is never changed: the edit becomes the next version. An editor opened before
    someone else saved is refused (StaleEdit), so no saved text is silently overwritten.
    """
    data = _clean(race, data)
    questionnaire = questionnaire_of(race)
    latest = latest_version(questionnaire)
    changes = _summary(data) | ({"copied_from": copied_from.title} if copied_from else {})
    if latest is None:
        if base != (0, 0):
            raise StaleEdit("This questionnaire no longer exists as you opened it. Reload the page.")
        if questionnaire is None:
            questionnaire = Questionnaire(race=race)
            db.session.add(questionnaire)
        version = QuestionnaireVersion(questionnaire=questionnaire, version=1, created_by=user_of(actor))
        db.session.add(version)
        _fill(version, data)
        db.session.flush()
        record(
            "questionnaire.created", version, changes=changes, summary=f"Questionnaire for {race.title}", actor=actor
        )
        return Saved(version, "The questionnaire is saved as version 1. It is frozen when the first campaign gets it.")
    if base[0] != latest.version or (not latest.frozen and base[1] != latest.revision):
        raise StaleEdit(
            f"Someone saved the questionnaire (version {latest.version}) on "
            f"{format_datetime(latest.updated_at)} after you opened this page. Your changes are kept below: "
            "compare them with the saved questionnaire, then save again."
        )
    if _same(latest, data):
        raise QuestionnaireError(f"Nothing changed: this is version {latest.version} as saved.")
    if latest.frozen:
        return _new_version(race, latest, data, changes, actor)
    # Claim the edit: it only succeeds while the version is still unfrozen and as the editor saw it.
    claimed = rows_changed(
        db.session,
        update(QuestionnaireVersion)
        .where(
            QuestionnaireVersion.id == latest.id,
            QuestionnaireVersion.revision == latest.revision,
            QuestionnaireVersion.frozen_at.is_(None),
        )
        .values(revision=QuestionnaireVersion.revision + 1)
        .execution_options(synchronize_session=False),
    )
    if claimed != 1:
        db.session.refresh(latest)
        if latest.frozen:
            return _new_version(race, latest, data, changes, actor)
        raise StaleEdit("Someone saved the questionnaire while you were saving. Reload the page and try again.")
    db.session.refresh(latest, ["revision"])
    _empty(latest)
    _fill(latest, data)
    db.session.flush()
    record(
        "questionnaire.edited",
        latest,
        changes=changes | {"version": latest.version, "revision": latest.revision},
        summary=f"Questionnaire version {latest.version} edited for {race.title}",
        actor=actor,
    )
    return Saved(latest, f"Version {latest.version} is saved. It is frozen when the first campaign gets it.")


def _new_version(
    race: Race, frozen: QuestionnaireVersion, data: QuestionnaireInput, changes: dict[str, object], actor: Actor
) -> Saved:
    number = (
        db.session.scalar(
            select(func.max(QuestionnaireVersion.version)).where(
                QuestionnaireVersion.questionnaire_id == frozen.questionnaire_id
            )
        )
        or 0
    ) + 1
    version = QuestionnaireVersion(questionnaire_id=frozen.questionnaire_id, version=number, created_by=user_of(actor))
    db.session.add(version)
    _fill(version, data)
    db.session.flush()
    record(
        "questionnaire.versioned",
        version,
        changes=changes | {"version": number, "previous": frozen.version, "previous_digest": frozen.digest},
        summary=f"Questionnaire version {number} for {race.title} (version {frozen.version} was already sent)",
        actor=actor,
    )
    return Saved(
        version,
        f"Version {frozen.version} has been sent to campaigns, so it stays exactly as they received it. "
        f"Your changes are saved as version {number}, which goes to campaigns that get the questionnaire from now on.",
    )


# --- settings --------------------------------------------------------------------------------------


def save_settings(
    questionnaire: Questionnaire,
    *,
    required_before_booking: bool,
    accept_late: bool,
    reminder_days: int,
    actor: Actor,
) -> dict[str, list[object]]:
    if not 0 <= reminder_days <= 60:
        raise QuestionnaireError("Remind between 0 (no reminder) and 60 days before the deadline.", "reminder_days")
    changed: dict[str, list[object]] = {}
    for name, value in (
        ("required_before_booking", required_before_booking),
        ("accept_late", accept_late),
        ("reminder_days", reminder_days),
    ):
        old = getattr(questionnaire, name)
        if old != value:
            changed[name] = [old, value]
            setattr(questionnaire, name, value)
    if changed:
        db.session.flush()
        record(
            "questionnaire.settings_changed",
            questionnaire,
            changes=changed,
            summary=f"Questionnaire settings changed for {questionnaire.race.title}",
            actor=actor,
        )
    return changed
