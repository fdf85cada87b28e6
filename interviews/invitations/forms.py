"""Forms of the invitations feature: the letter, slots, sending, and the candidate's answers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
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

from interviews.timezones import timezone_choices

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def no_nul(value: object) -> object:
    """PostgreSQL cannot store NUL characters in text; nobody types them on purpose."""
    return value.replace("\x00", "") if isinstance(value, str) else value


TEXT = {"filters": [no_nul]}


class LetterForm(FlaskForm):
    subject = StringField("Subject", **TEXT, validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        "Text of the letter",
        **TEXT,
        validators=[DataRequired(), Length(max=20000)],
        description="Every candidate receives exactly this text, with their own link to answer.",
        render_kw={"rows": 12},
    )
    topics = TextAreaField(
        "Topics",
        **TEXT,
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


class SendForm(FlaskForm):
    to = HiddenField(default="new", **TEXT)
    submit = SubmitField("Send")


class WithdrawForm(FlaskForm):
    reason = StringField("Reason (optional)", **TEXT, validators=[Optional(), Length(max=500)])
    submit = SubmitField("Withdraw")


# --- the candidate's side ---------------------------------------------------------------------


class BookForm(FlaskForm):
    slot_id = IntegerField("Slot", validators=[InputRequired("Choose a time.")])
    tz = HiddenField(**TEXT)


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)", **TEXT, validators=[Optional(), Length(max=2000)], render_kw={"rows": 3}
    )
    tz = HiddenField(**TEXT)
    submit = SubmitField("Decline the invitation")


class OtherTimesForm(FlaskForm):
    message = TextAreaField(
        "Which times would suit you?",
        **TEXT,
        validators=[DataRequired("Tell us which times would suit you."), Length(max=2000)],
        render_kw={"rows": 3},
    )
    tz = HiddenField(**TEXT)
    submit = SubmitField("Ask for other times")


class RescheduleForm(FlaskForm):
    message = TextAreaField(
        "Which times would suit you better?",
        **TEXT,
        validators=[DataRequired("Tell us which times would suit you better."), Length(max=2000)],
        render_kw={"rows": 3},
    )
    tz = HiddenField(**TEXT)
    submit = SubmitField("Ask to reschedule")


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)", **TEXT, validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    tz = HiddenField(**TEXT)
    submit = SubmitField("Cancel the interview")
