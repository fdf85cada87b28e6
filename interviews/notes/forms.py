"""Forms of the notes feature: notes, question lists, member polls, search."""

from __future__ import annotations

from decimal import Decimal

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
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms 3.2 predates it
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from interviews.notes.models import PollMethod, PollResultKind, Visibility
from interviews.notes.polls import PollError, PollInput
from interviews.notes.services import QuestionInput


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

    def base_version(self) -> int:
        """The version the form was opened on; -1 (matching no version) if the hidden field was tampered with."""
        try:
            return int(self.version.data or 0)
        except ValueError:
            return -1


class DraftForm(FlaskForm):
    """What notes.js posts while the author types (CSRF included)."""

    body = TextAreaField()
    version = HiddenField(default="0")

    def base_version(self) -> int:
        """The version the draft was started from; ValueError if the hidden field was tampered with."""
        return int(self.version.data or 0)


class QuestionRowForm(Form):
    position = IntegerField("Order", validators=[Optional(), NumberRange(min=1, max=999)])
    topic = StringField("Topic", validators=[Length(max=200)])
    text = TextAreaField("Question", validators=[Length(max=2000)])


class QuestionListForm(FlaskForm):
    questions = FieldList(FormField(QuestionRowForm), min_entries=1, max_entries=200)
    submit = SubmitField("Save as a new version")

    def question_inputs(self) -> list[QuestionInput]:
        """The rows ordered by their "Order" number; rows without one keep their place after those with one."""
        rows = sorted(
            enumerate(self.questions.data),
            key=lambda item: (item[1]["position"] is None, item[1]["position"] or 0, item[0]),
        )
        return [QuestionInput(row["topic"] or "", row["text"] or "") for _, row in rows]


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

    def poll_input(self) -> PollInput:
        """The poll as entered, with a result for each candidate ticked as in the field (PollError if one lacks it)."""
        results: dict[int, Decimal] = {}
        for row in self.results.entries:
            if row.form.in_field.data:
                if row.form.value.data is None:
                    raise PollError("Give a result for every candidate ticked as in the field.", "results")
                try:
                    candidate_id = int(row.form.candidate_id.data or "")
                except ValueError:
                    raise PollError("The list of candidates was incomplete; reload the page.", "results") from None
                if candidate_id in results:
                    raise PollError("A candidate appears twice in the results; reload the page.", "results")
                results[candidate_id] = Decimal(row.form.value.data)
        if self.opens_on.data is None or self.closes_on.data is None:
            raise PollError("Give the dates the poll opened and closed.", "opens_on")
        return PollInput(
            title=self.title.data or "",
            method=PollMethod(self.method.data),
            opens_on=self.opens_on.data,
            closes_on=self.closes_on.data,
            sample_size=self.sample_size.data or 0,
            overseen_by=self.overseen_by.data or "",
            result_kind=PollResultKind(self.result_kind.data),
            notes=self.notes.data or "",
            results=results,
        )


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search: nothing changes

    q = StringField("Search notes and candidates", validators=[Length(max=200)])
