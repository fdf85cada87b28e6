"""Forms of the invitations feature: the letter, slots, sending, and the candidate's answers."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from interviews.invitations.bulk import BulkInputError, LocalSlot, from_lines, from_range
from interviews.invitations.models import InvitationLetter
from interviews.times import LocalTimeError, exists_locally, local_to_utc, utc_to_local
from interviews.timezones import timezone_choices
from interviews.types import utcnow

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class LetterForm(FlaskForm):
    subject = StringField("Subject", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        "Text of the letter",
        validators=[DataRequired(), Length(max=20000)],
        description="Every candidate receives exactly this text, with their own link to answer.",
        render_kw={"rows": 12},
    )
    topics = TextAreaField(
        "Topics",
        validators=[Length(max=5000)],
        description="One topic a line; they are listed in the letter.",
        render_kw={"rows": 6},
    )
    respond_by = DateTimeLocalField(
        "Respond by", format=LOCAL_FORMATS, validators=[InputRequired("Give the response deadline.")]
    )
    timezone = SelectField(
        "Time zone",
        choices=timezone_choices,
        description="The deadline is in this zone; it is also the default for new slots and for the candidate page.",
    )
    duration_minutes = IntegerField(
        "Interview length (minutes)", default=45, validators=[InputRequired(), NumberRange(min=5, max=480)]
    )
    submit = SubmitField("Save the invitation")

    def fill(self, letter: InvitationLetter) -> None:
        self.subject.data = letter.subject
        self.body.data = letter.body
        self.topics.data = letter.topics
        self.timezone.data = letter.timezone
        self.duration_minutes.data = letter.duration_minutes
        self.respond_by.data = utc_to_local(letter.respond_by, letter.timezone)

    def letter_data(self, existing: InvitationLetter | None) -> dict[str, Any] | None:
        """The letter as the service takes it, or None with the errors put on the form.

        The deadline is typed in the letter's zone; the form shows minutes, so an unchanged deadline
        keeps its stored seconds (and does not count as a change to a sent letter).
        """
        timezone = self.timezone.data or "UTC"
        if self.respond_by.data is None:
            return None
        try:
            respond_by = local_to_utc(self.respond_by.data, timezone)
        except LocalTimeError as error:
            self.respond_by.errors = [*self.respond_by.errors, str(error)]
            return None
        if existing is not None and respond_by == existing.respond_by.replace(second=0, microsecond=0):
            respond_by = existing.respond_by
        if existing is None and respond_by <= utcnow():
            self.respond_by.errors = [*self.respond_by.errors, "The deadline must be in the future."]
            return None
        return {
            "subject": (self.subject.data or "").strip(),
            "body": (self.body.data or "").strip(),
            "topics": "\n".join(line.strip() for line in (self.topics.data or "").splitlines() if line.strip()),
            "respond_by": respond_by,
            "timezone": timezone,
            "duration_minutes": self.duration_minutes.data,
        }


class SlotForm(FlaskForm):
    starts_at = DateTimeLocalField("Starts", format=LOCAL_FORMATS, validators=[InputRequired("Give the start.")])
    ends_at = TimeField(
        "Ends (optional)",
        validators=[Optional()],
        description="Leave empty to use the interview length.",
    )
    timezone = SelectField("Time zone of the slot", choices=timezone_choices)
    location_id = SelectField("Location", coerce=int, choices=[])
    confirm = BooleanField("Yes, offer this time anyway")
    submit = SubmitField("Add the slot")

    def times(self, letter: InvitationLetter) -> tuple[datetime, datetime, str] | None:
        """(start, end, zone) in UTC, or None with the error put on the form.

        Without an end the slot lasts the letter's interview length. An end the clocks skip gives an
        empty slot, which the slot rules then refuse with their own message (the end must be after the start).
        """
        timezone = self.timezone.data or letter.timezone
        if self.starts_at.data is None:
            return None
        try:
            starts_at = local_to_utc(self.starts_at.data, timezone)
        except LocalTimeError as error:
            self.starts_at.errors = [*self.starts_at.errors, str(error)]
            return None
        if self.ends_at.data is None:
            return starts_at, starts_at + timedelta(minutes=letter.duration_minutes), timezone
        local_end = datetime.combine(self.starts_at.data.date(), self.ends_at.data)
        ends_at = local_to_utc(local_end, timezone) if exists_locally(local_end, timezone) else starts_at
        return starts_at, ends_at, timezone


class BulkSlotForm(FlaskForm):
    """Many slots at once: days and times, or pasted lines (or both). Preview first, then save."""

    first_day = DateField("First day", validators=[Optional()])
    last_day = DateField("Last day", validators=[Optional()])
    weekdays_only = BooleanField("Weekdays only", default=True)
    times = StringField(
        "Times each day",
        validators=[Optional(), Length(max=500)],
        description="For example 10:00, 13:00, 15:30 (or 10:00-11:00 to set the end).",
    )
    lines = TextAreaField(
        "Or paste one day a line",
        validators=[Optional(), Length(max=20000)],
        description="For example 2026-03-09 10:00, 14:00-14:45",
        render_kw={"rows": 4},
    )
    length = IntegerField(
        "Length (minutes)",
        validators=[InputRequired("Give the length of each slot."), NumberRange(min=5, max=480)],
        description="For times given without an end.",
    )
    timezone = SelectField("Time zone of these slots", choices=timezone_choices)
    # Not "Location": the single slot's field above it on the same page has that label.
    location_id = SelectField("Where", coerce=int, choices=[])
    confirm = BooleanField("Offer the slots with warnings too")
    # The fingerprint of the input last previewed: saving anything else shows it again first.
    previewed = HiddenField()
    preview = SubmitField("Preview the slots")
    save = SubmitField("Save these slots")

    def fingerprint(self) -> str:
        """What the slots are made from, so a save can tell whether it is exactly what was previewed."""
        parts = (
            self.first_day.data,
            self.last_day.data,
            bool(self.weekdays_only.data),
            (self.times.data or "").strip(),
            (self.lines.data or "").strip(),
            self.length.data,
            self.timezone.data,
            self.location_id.data,
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    def typed(self) -> tuple[list[LocalSlot], list[str]]:
        """The slots as typed and a message for each part that could not be read."""
        slots: list[LocalSlot] = []
        problems: list[str] = []
        days = (self.first_day.data, self.last_day.data)
        if any(days) or (self.times.data or "").strip():
            first, last = days[0] or days[1], days[1] or days[0]
            if first is None or last is None:
                problems.append("Give the first day (and the last, for more than one day).")
            else:
                try:
                    slots += from_range(first, last, self.times.data or "", weekdays_only=bool(self.weekdays_only.data))
                except BulkInputError as error:
                    problems.append(str(error))
        pasted, unreadable = from_lines(self.lines.data or "")
        slots += pasted
        problems += unreadable
        if not slots and not problems:
            problems.append("Give a range of days and the times of each day, or paste one day a line.")
        return slots, problems


class SendForm(FlaskForm):
    to = HiddenField(default="new")
    submit = SubmitField("Send")


class WithdrawForm(FlaskForm):
    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Withdraw")


# --- the candidate's side ---------------------------------------------------------------------


class BookForm(FlaskForm):
    slot_id = IntegerField("Slot", validators=[InputRequired("Choose a time.")])
    tz = HiddenField()


class DeclineForm(FlaskForm):
    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
    tz = HiddenField()
    submit = SubmitField("Decline the invitation")


class OtherTimesForm(FlaskForm):
    message = TextAreaField(
        "Which times would suit you?",
        validators=[DataRequired("Tell us which times would suit you."), Length(max=2000)],
        render_kw={"rows": 3},
    )
    tz = HiddenField()
    submit = SubmitField("Ask for other times")


class RescheduleForm(FlaskForm):
    message = TextAreaField(
        "Which times would suit you better?",
        validators=[DataRequired("Tell us which times would suit you better."), Length(max=2000)],
        render_kw={"rows": 3},
    )
    tz = HiddenField()
    submit = SubmitField("Ask to reschedule")


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    tz = HiddenField()
    submit = SubmitField("Cancel the interview")
