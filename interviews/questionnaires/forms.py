"""Forms of the questionnaire: staff's editor and settings, the campaign's answers, commitments and positions.

The campaign's questions differ per version, so their inputs are read from the posted form by
`raw_answers` against the version it answers (only that version's questions are read); the FlaskForm
around them carries the CSRF token, the revision the page was opened on and the campaign's zone.
"""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
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
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from interviews.questionnaires.answers import Raw
from interviews.questionnaires.models import (
    PositionSource,
    QuestionKind,
    QuestionnaireVersion,
    Stance,
)
from interviews.questionnaires.services import QuestionInput, QuestionnaireInput
from interviews.times import LocalTimeError, local_to_utc, utc_to_local
from interviews.timezones import timezone_choices

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
BLANK_ROWS = 3


def _int(value: str | None, default: int = -1) -> int:
    """A hidden number as the page gave it; `default` (matching nothing) if it was tampered with."""
    try:
        return int(value or 0)
    except ValueError:
        return default


# --- staff: the editor -------------------------------------------------------------------------------


class QuestionRowForm(Form):
    section = StringField("Section", validators=[Length(max=200)])
    kind = SelectField(
        "Kind of answer",
        choices=[SelectChoice(k.value, k.label) for k in QuestionKind],
        default=QuestionKind.long_text.value,
    )
    text = TextAreaField("Question", validators=[Length(max=2000)], render_kw={"rows": 2})
    help = TextAreaField("Help text (optional)", validators=[Length(max=2000)], render_kw={"rows": 1})
    required = BooleanField("Required")
    choices = TextAreaField(
        "Choices (one a line, for a choice question)", validators=[Length(max=7000)], render_kw={"rows": 2}
    )
    min_value = DecimalField("Lowest number (optional)", places=None, validators=[Optional()])
    max_value = DecimalField("Highest number (optional)", places=None, validators=[Optional()])


class QuestionnaireForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired("Give the questionnaire a title."), Length(max=200)])
    intro = TextAreaField(
        "Introduction",
        validators=[Length(max=20000)],
        description="Shown above the questions: what the union asks and how the answers are used.",
        render_kw={"rows": 5},
    )
    respond_by = DateTimeLocalField(
        "Answer by", format=LOCAL_FORMATS, validators=[InputRequired("Give the questionnaire's deadline.")]
    )
    timezone = SelectField("Time zone of the deadline", choices=timezone_choices)
    questions = FieldList(FormField(QuestionRowForm), min_entries=1, max_entries=200)
    # The version and revision this editor was opened on: a save from an older one is refused.
    base_version = HiddenField(default="0")
    base_revision = HiddenField(default="0")
    copied_from = HiddenField(default="")
    submit = SubmitField("Save the questionnaire")

    def base(self) -> tuple[int, int]:
        return _int(self.base_version.data), _int(self.base_revision.data)

    def fill(self, version: QuestionnaireVersion, *, blank: int = BLANK_ROWS) -> None:
        self.title.data, self.intro.data, self.timezone.data = version.title, version.intro, version.timezone
        self.respond_by.data = utc_to_local(version.respond_by, version.timezone)
        while len(self.questions.entries):
            self.questions.pop_entry()
        for q in version.questions:
            self.questions.append_entry(
                {
                    "section": q.section.title,
                    "kind": q.kind.value,
                    "text": q.text,
                    "help": q.help,
                    "required": q.required,
                    "choices": "\n".join(q.choices or []),
                    "min_value": q.min_value,
                    "max_value": q.max_value,
                }
            )
        for _ in range(blank):
            self.questions.append_entry({"section": version.questions[-1].section.title if version.questions else ""})

    def questionnaire_input(self) -> QuestionnaireInput | None:
        """What staff typed as the service takes it, or None with the error put on the form."""
        timezone = self.timezone.data or "UTC"
        if self.respond_by.data is None:
            return None
        try:
            respond_by = local_to_utc(self.respond_by.data, timezone)
        except LocalTimeError as error:
            self.respond_by.errors = [*self.respond_by.errors, str(error)]
            return None
        rows = []
        for row in self.questions.data:
            try:
                kind = QuestionKind(row["kind"])
            except ValueError:
                self.form_errors.append("Choose a kind of answer from the list for every question.")
                return None
            rows.append(
                QuestionInput(
                    section=row["section"] or "",
                    kind=kind,
                    text=row["text"] or "",
                    help=row["help"] or "",
                    required=bool(row["required"]),
                    choices=tuple((row["choices"] or "").splitlines()),
                    min_value=_decimal(row["min_value"]),
                    max_value=_decimal(row["max_value"]),
                )
            )
        return QuestionnaireInput(
            title=self.title.data or "",
            intro=(self.intro.data or "").replace("\r\n", "\n"),
            respond_by=respond_by,
            timezone=timezone,
            questions=rows,
        )


def _decimal(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


class SettingsForm(FlaskForm):
    required_before_booking = BooleanField("Campaigns must submit the questionnaire before they can book a time")
    accept_late = BooleanField("Accept answers after the deadline (marked late in the record)")
    reminder_days = IntegerField(
        "Remind campaigns that have not submitted, this many days before the deadline",
        validators=[
            InputRequired("Give a number of days (0: no reminder)."),
            NumberRange(min=0, max=60, message="Between 0 (no reminder) and 60 days."),
        ],
    )
    submit = SubmitField("Save the settings")


class CopyForm(FlaskForm):
    """Which race's questionnaire to copy into the editor (a GET: nothing is saved until staff save)."""

    class Meta:
        csrf = False

    copy_from = SelectField("Copy the questionnaire of", coerce=int, choices=[])


# --- the campaign ------------------------------------------------------------------------------------


class AnswersForm(FlaskForm):
    revision = HiddenField(default="0")
    tz = HiddenField()
    save = SubmitField("Save draft")
    review = SubmitField("Review and submit")

    def base_revision(self) -> int:
        return _int(self.revision.data)


class SubmitAnswersForm(FlaskForm):
    revision = HiddenField(default="0")
    tz = HiddenField()
    submit = SubmitField("Send our answers")

    def base_revision(self) -> int:
        return _int(self.revision.data)


def raw_answers(version: QuestionnaireVersion, formdata: MultiDict[str, str]) -> Raw:
    """The posted answer to each of the version's questions, as typed (checked by the service)."""
    raw: Raw = {}
    for question in version.questions:
        key = question.key
        if question.kind is QuestionKind.multiple_choice:
            raw[key] = {"value": formdata.getlist(key)}
        else:
            raw[key] = {"value": formdata.get(key, "")}
        if question.kind is QuestionKind.yes_no:
            raw[key]["explanation"] = formdata.get(f"{key}-explanation", "")
    return raw


# --- commitments ------------------------------------------------------------------------------------


class CommitmentForm(FlaskForm):
    text = StringField(
        "The commitment", validators=[InputRequired("Say what the union asks of the candidates."), Length(max=500)]
    )
    question_id = SelectField("Asked by the questionnaire's question", coerce=int, choices=[], default=0)
    submit = SubmitField("Add the commitment")


class PositionForm(FlaskForm):
    candidate_id = SelectField("Candidate", coerce=int, choices=[], validators=[InputRequired()])
    commitment_id = SelectField("Commitment", coerce=int, choices=[], validators=[InputRequired()])
    stance = RadioField(
        "Position",
        choices=[SelectChoice(s.value, s.label) for s in Stance],
        validators=[InputRequired("Choose the candidate's position.")],
    )
    source = SelectField(
        "Source",
        choices=[SelectChoice(s.value, s.label) for s in PositionSource],
        validators=[InputRequired()],
    )
    source_date = DateField("Date said", validators=[InputRequired("Give the date the candidate said it.")])
    source_url = StringField("Link (optional)", validators=[Length(max=500)])
    quote = TextAreaField("Quote or note (a link or a quote is needed)", validators=[Length(max=5000)])
    submit = SubmitField("Record the position")
