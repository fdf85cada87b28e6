"""Forms of the votes feature."""

from __future__ import annotations

from fractions import Fraction

from flask_wtf import FlaskForm
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: types-WTForms 3.2 predates it
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
from interviews.votes.models import Vote
from interviews.votes.rules import BASE_WORDS, PRESETS, Rule, apply_preset

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

    def rule(self) -> tuple[Rule, tuple[int, int]] | None:
        """The rule entered, with its threshold as typed; or None, with the error put on the form.

        A preset overrides the threshold, the base and the weighting. Valid numbers can still make no
        rule (3 out of 2). The threshold is kept as typed because 58/100 reads better than 29/50.
        """
        kind = QuorumKind(self.quorum_kind.data)
        q_num, q_den = self.quorum_numerator.data or 0, self.quorum_denominator.data or 1
        spelled = (self.threshold_numerator.data or 0, self.threshold_denominator.data or 1)
        try:
            rule = Rule(
                threshold=Fraction(*spelled),
                inclusive=self.comparison.data == "at_least",
                base=VoteBase(self.vote_base.data),
                quorum_kind=kind,
                quorum=Fraction(q_num) if kind is QuorumKind.count else Fraction(q_num, q_den),
                weighted=bool(self.weighted.data),
                secret=bool(self.secret_ballot.data),
            )
            if self.preset.data in PRESETS:
                rule = apply_preset(rule, self.preset.data)
                spelled = PRESETS[self.preset.data].spelled
        except ValueError as error:
            self.threshold_numerator.errors = [*self.threshold_numerator.errors, str(error).capitalize() + "."]
            return None
        return rule, spelled


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


class _ChoiceMixin:
    choice: RadioField

    def option_id(self) -> int | None:
        """The chosen option's id, or None for an abstention."""
        value = self.choice.data
        return None if value in (None, "", ABSTAIN) else int(value)


class BallotForm(_ChoiceMixin, FlaskForm):
    choice = RadioField("Your choice", validators=[InputRequired(message="Choose an option, or abstain.")])
    submit = SubmitField("Cast my ballot")


class PaperBallotForm(_ChoiceMixin, FlaskForm):
    member = SelectField("Member", validators=[InputRequired()])
    choice = RadioField("Ballot", validators=[InputRequired(message="Choose what the ballot says.")])
    submit = SubmitField("Record the ballot")


class PublishForm(FlaskForm):
    statement = TextAreaField(
        "Public statement (optional)",
        validators=[Optional(), Length(max=5000)],
        description="Shown on the public result page with the result.",
    )
    submit = SubmitField("Publish the result")


def choice_list(vote: Vote) -> list[SelectChoice]:
    options = sorted(vote.options, key=lambda o: o.position)
    return [SelectChoice(str(o.id), o.label) for o in options] + [SelectChoice(ABSTAIN, "Abstain")]
