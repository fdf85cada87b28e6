"""Forms of the notes feature: notes, question lists, member polls, search."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from interviews.notes.models import PollMethod, PollResultKind, Visibility


class NoteForm(FlaskForm):
    # No Length validator here: the service refuses an over-long note with the limit in the message,
    # and the text goes back into the form untouched.
    body = TextAreaField("Your note", validators=[DataRequired(message="The note is empty.")])
    visibility = RadioField(
        "Who can read it",
        choices=[SelectChoice(v.value, v.label) for v in Visibility],
        default=Visibility.panel.value,
        validators=[InputRequired()],
    )
    # The version the form was opened on (0: a new note): a save from an older one is refused.
    version = HiddenField(default="0")
    submit = SubmitField("Save note")


class DraftForm(FlaskForm):
    """What notes.js posts while the author types (CSRF included)."""

    body = TextAreaField()
    version = HiddenField(default="0")


class QuestionRowForm(Form):
    position = IntegerField("Order", validators=[Optional(), NumberRange(min=1, max=999)])
    topic = StringField("Topic", validators=[Length(max=200)])
    text = TextAreaField("Question", validators=[Length(max=2000)])


class QuestionListForm(FlaskForm):
    questions = FieldList(FormField(QuestionRowForm), min_entries=1, max_entries=200)
    submit = SubmitField("Save as a new version")


class PollResultRowForm(Form):
    candidate_id = HiddenField()
    in_field = BooleanField("In the field")
    value = DecimalField("Result", places=2, validators=[Optional(), NumberRange(min=0, message="Not negative.")])


class PollForm(FlaskForm):
    title = StringField("Name of the poll", validators=[DataRequired(message="Give the poll a name."), Length(max=200)])
    method = SelectField(
        "Method", choices=[SelectChoice(m.value, m.label) for m in PollMethod], validators=[InputRequired()]
    )
    opens_on = DateField("Opened on", validators=[InputRequired(message="Give the date the poll opened.")])
    closes_on = DateField("Closed on", validators=[InputRequired(message="Give the date the poll closed.")])
    sample_size = IntegerField(
        "Sample size (people who answered)",
        validators=[
            InputRequired(message="Give the sample size."),
            NumberRange(min=1, max=10_000_000, message="The sample size must be at least 1 (and at most 10,000,000)."),
        ],
    )
    overseen_by = StringField(
        "Run or overseen by",
        validators=[DataRequired(message="Say who ran or oversaw the poll."), Length(max=200)],
        description="Who ran the poll, or the independent firm or committee that oversaw it.",
    )
    result_kind = RadioField(
        "Results given as",
        choices=[
            SelectChoice(PollResultKind.counts.value, "Counts (people)"),
            SelectChoice(PollResultKind.percentages.value, "Percentages"),
        ],
        default=PollResultKind.percentages.value,
        validators=[InputRequired()],
    )
    results = FieldList(FormField(PollResultRowForm), min_entries=0)
    notes = TextAreaField("Notes", validators=[Length(max=5000)])
    submit = SubmitField("Save poll")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search: nothing changes

    q = StringField("Search notes and candidates", validators=[Length(max=200)])
