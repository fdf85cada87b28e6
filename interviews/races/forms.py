"""Forms for races, candidates and default panels."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (easier on a phone and for screen readers than a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault(
            "invalid_choice_message", "Someone ticked is not an active leader any more. Choose again from the list."
        )
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class RaceForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[DataRequired(), Length(max=200)],
        description="How the race is called here, e.g. 2026 Governor.",
    )
    office = StringField("Office", validators=[DataRequired(), Length(max=200)])
    jurisdiction = StringField("Jurisdiction", validators=[DataRequired(), Length(max=200)])
    election_date = DateField("Election date", validators=[DataRequired(message="Give the election date.")])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    hide_notes_until_submitted = BooleanField(
        "Hide colleagues' notes on an interview until a panel member has submitted their own",
        description="Keeps first impressions independent.",
    )
    submit = SubmitField("Save race")


class CandidateForm(FlaskForm):
    name = StringField("Candidate's name", validators=[DataRequired(), Length(max=200)])
    party = StringField("Party", validators=[Optional(), Length(max=100)])
    incumbent = BooleanField("Incumbent")
    contact_name = StringField(
        "Campaign contact", validators=[DataRequired(), Length(max=200)], description="Who schedules for the campaign."
    )
    contact_email = StringField("Contact e-mail", validators=[DataRequired(), Length(max=254)])
    contact_phone = StringField("Contact phone", validators=[Optional(), Length(max=50)])
    website = StringField("Campaign website", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Save candidate")


class PanelForm(FlaskForm):
    members = MultiCheckboxField("Panel members", coerce=int, validate_choice=True)
    submit = SubmitField("Save panel")


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Reason (kept in the record)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Withdraw candidate")
