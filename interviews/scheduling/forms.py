"""Forms for scheduling by hand, moving, cancelling, panels and locations."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from interviews.races.forms import MultiCheckboxField
from interviews.scheduling.rules import check_times
from interviews.times import day_time_to_utc
from interviews.timezones import timezone_choices


class WhenWhereForm(FlaskForm):
    """The time and place of an interview, typed as wall-clock time in a chosen zone."""

    day = DateField("Date", validators=[DataRequired(message="Give the date.")])
    start_time = TimeField("Start time", validators=[DataRequired(message="Give the start time (HH:MM).")])
    timezone = SelectField(
        "Time zone", choices=timezone_choices, validate_choice=True, description="The zone the time above is in."
    )
    duration = IntegerField(
        "Length (minutes)",
        default=45,
        validators=[InputRequired(message="Give the length in minutes."), NumberRange(min=5, max=480)],
    )
    location = SelectField("Where", coerce=int, validate_choice=True)
    confirm_odd_hours = BooleanField("Yes, schedule it at this time anyway")

    def times(self) -> tuple[datetime, datetime] | None:
        """The start and end in UTC, or None with the error put on the form."""
        if self.day.data is None or self.start_time.data is None:
            return None
        try:
            starts_at = day_time_to_utc(self.day.data, self.start_time.data, self.timezone.data or "UTC")
        except ValueError as error:
            self.start_time.errors = [*self.start_time.errors, str(error)]
            return None
        return starts_at, starts_at + timedelta(minutes=self.duration.data or 0)

    def checked_times(self) -> tuple[datetime, datetime] | None:
        """`times()` that also pass the scheduling rules; odd hours need the box ticked. Errors go on the form."""
        times = self.times()
        if times is None:
            return None
        check = check_times(*times, self.timezone.data or "UTC")
        if check.errors:
            self.start_time.errors = [*self.start_time.errors, *check.errors]
            return None
        if check.warnings and not self.confirm_odd_hours.data:
            self.confirm_odd_hours.errors = [
                *check.warnings,
                "That is outside usual hours: tick the box to schedule it anyway.",
            ]
            return None
        return times


class InterviewForm(WhenWhereForm):
    candidate = SelectField("Candidate", coerce=int, validate_choice=True)
    panel = MultiCheckboxField("Panel", coerce=int, validate_choice=True)
    submit = SubmitField("Schedule interview")


class MoveForm(WhenWhereForm):
    submit = SubmitField("Move interview")


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[Optional(), Length(max=2000)],
        description="Kept in the record; not sent to the candidate.",
    )
    submit = SubmitField("Cancel interview")


class PanelForm(FlaskForm):
    members = MultiCheckboxField("Panel members", coerce=int, validate_choice=True)
    submit = SubmitField("Save panel")


class StatusForm(FlaskForm):
    status = SelectField(
        "Status", choices=lambda: [("completed", "Completed"), ("no_show", "No-show"), ("scheduled", "Scheduled")]
    )
    submit = SubmitField("Save")


class LocationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = RadioField("Kind", choices=lambda: [("room", "A room"), ("video", "A video meeting")], default="room")
    address = StringField("Address", validators=[Optional(), Length(max=500)], description="For a room.")
    capacity = IntegerField("Capacity", validators=[Optional(), NumberRange(min=1, max=100_000)])
    join_url = StringField(
        "Join link",
        validators=[Optional(), Length(max=500)],
        description="For a video meeting: the https:// link people click to join.",
    )
    submit = SubmitField("Save location")
