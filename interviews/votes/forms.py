"""Forms of the votes feature."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from interviews.races.models import QuorumKind, VoteBase
from interviews.votes.rules import BASE_WORDS, PRESETS

ABSTAIN = "abstain"


class RuleForm(FlaskForm):
    preset = SelectField(
        "Start from a preset",
        choices=[SelectChoice("", "No preset: use the fields below")]
        + [SelectChoice(p.key, p.label) for p in PRESETS.values()],
        default="",
        description="A preset sets the threshold, the base and the weighting; quorum and secrecy stay as set below.",
    )
    comparison = SelectField(
        "Threshold", choices=[SelectChoice("at_least", "At least"), SelectChoice("more_than", "More than")]
    )
    threshold_numerator = IntegerField("Numerator", validators=[InputRequired(), NumberRange(min=1, max=1000)])
    threshold_denominator = IntegerField(
        "Denominator",
        validators=[InputRequired(), NumberRange(min=1, max=1000)],
        description="For example 2 and 3 for two-thirds, 58 and 100 for 58%.",
    )
    vote_base = SelectField("Of", choices=[SelectChoice(b.value, BASE_WORDS[b]) for b in VoteBase])
    weighted = BooleanField("Weight each vote by the member's per-capita weight")
    quorum_kind = SelectField(
        "Quorum",
        choices=[
            SelectChoice(QuorumKind.none.value, "No quorum"),
            SelectChoice(QuorumKind.count.value, "A number of members present"),
            SelectChoice(QuorumKind.fraction.value, "A fraction of the entitled members present"),
        ],
    )
    quorum_numerator = IntegerField(
        "Quorum: members, or numerator", validators=[InputRequired(), NumberRange(min=0, max=100_000)], default=1
    )
    quorum_denominator = IntegerField(
        "Quorum denominator",
        validators=[InputRequired(), NumberRange(min=1, max=100_000)],
        default=2,
        description="Used for a fraction quorum only (1 and 2: half the entitled members).",
    )
    secret_ballot = BooleanField("Secret ballot (who voted is recorded; what they chose is not linked to them)")
    submit = SubmitField("Save the rule")


class PrepareForm(FlaskForm):
    held_on = DateField("Held on", validators=[DataRequired(message="Give the date of the vote.")])
    motion = TextAreaField(
        "Motion",
        validators=[DataRequired(message="Write the motion put to the vote."), Length(max=5000)],
        description='For example: "That the Council endorse a candidate for Governor."',
    )
    submit = SubmitField("Save")


class PresenceForm(FlaskForm):
    present = SelectMultipleField(
        "Members present", coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    submit = SubmitField("Save who is present")


class BallotForm(FlaskForm):
    choice = RadioField("Your choice", validators=[InputRequired(message="Choose an option, or abstain.")])
    submit = SubmitField("Cast my ballot")


class PaperBallotForm(FlaskForm):
    member = SelectField("Member", coerce=int, validators=[InputRequired()])
    choice = RadioField("Ballot", validators=[InputRequired(message="Choose what the ballot says.")])
    submit = SubmitField("Record the ballot")


class PublishForm(FlaskForm):
    statement = TextAreaField(
        "Public statement (optional)",
        validators=[Optional(), Length(max=5000)],
        description="Shown on the public result page with the result.",
    )
    submit = SubmitField("Publish the result")


def choice_list(vote) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    options = sorted(vote.options, key=lambda o: o.position)
    return [SelectChoice(str(o.id), o.label) for o in options] + [SelectChoice(ABSTAIN, "Abstain")]
