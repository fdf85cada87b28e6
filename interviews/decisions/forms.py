"""Forms of a race's decision path: a preset, a stage (body and rule), a stage's vote, a rescission."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: types-WTForms 3.2 predates it
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from interviews.decisions.models import Body, OnFail, StageMode
from interviews.decisions.presets import PATH_PRESETS
from interviews.votes.forms import RuleForm
from interviews.votes.rules import Rule

MOTION_ROWS = 3  # endorsements on terms a choosing stage's ballot may offer beyond one per candidate
MAX_CONTRIBUTION_CENTS = 100_000_000_00  # a hundred million dollars: anything above is a typing slip


class PresetForm(FlaskForm):
    procedure = SelectField(
        "Procedure",
        choices=[SelectChoice(p.key, p.label) for p in PATH_PRESETS.values()],
        validators=[InputRequired(message="Choose a procedure.")],
        description="Replaces the stages below; bodies are found by name, or made empty for you to fill.",
    )


def body_choices(bodies: list[Body]) -> list[SelectChoice]:
    return [
        SelectChoice(str(b.id), b.name + (" (accounts marked voting member)" if b.is_default else "")) for b in bodies
    ]


class StageForm(RuleForm):
    name = StringField("Stage", validators=[DataRequired(message="Name the stage."), Length(max=200)])
    body = SelectField("Body that votes", coerce=int, validators=[InputRequired(message="Choose the body.")])
    mode = SelectField(
        "What the stage does",
        choices=[SelectChoice(m.value, m.label) for m in (StageMode.choose, StageMode.ratify)],
    )
    on_fail = SelectField("If its vote fails", choices=[SelectChoice(o.value, o.label) for o in OnFail])
    dual = BooleanField(
        "Allow a dual endorsement (several candidates endorsed for the seat; a tie at the top endorses each)"
    )

    def stage_rule(self) -> tuple[Rule, tuple[int, int]] | None:
        entered = self.rule()
        if entered is None:
            return None
        rule, spelled = entered
        return dataclasses.replace(rule, dual=bool(self.dual.data)), spelled


class MotionRow(Form):
    """An endorsement on terms: one or more candidates, conditions, a recommended contribution."""

    candidates = SelectMultipleField(
        "Candidates endorsed", coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    conditions = TextAreaField(
        "On condition that",
        validators=[Optional(), Length(max=2000)],
        description="For example: she co-sponsors the PRO Act. Leave empty for none.",
    )
    commitments = SelectMultipleField(
        "Linked to the commitments sought",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    contribution = StringField(
        "Recommended contribution ($)", validators=[Optional(), Length(max=20)], description="For example 5000."
    )
    fund = StringField("From the fund", validators=[Optional(), Length(max=200)], description="For example COPE fund.")

    def validate_contribution(self, field: StringField) -> None:
        if field.data and cents_of(field.data) is None:
            raise ValidationError("Write the amount in dollars, such as 5000 or 2500.50.")

    def is_empty(self) -> bool:
        return not (self.candidates.data or self.conditions.data or self.contribution.data or self.fund.data)


def cents_of(text: str) -> int | None:
    """'5,000' or '$2500.50' in cents; None for anything that is not a positive amount of dollars and cents."""
    cleaned = text.strip().lstrip("$").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    cents = int(amount * 100)
    return cents if cents <= MAX_CONTRIBUTION_CENTS else None


class PrepareStageForm(FlaskForm):
    held_on = DateField("Held on", validators=[DataRequired(message="Give the date of the vote.")])
    motion = TextAreaField(
        "Motion",
        validators=[DataRequired(message="Write the motion put to the vote."), Length(max=5000)],
        description='For example: "That the Committee recommend an endorsement for City Council, Ward 3."',
    )
    motions = FieldList(FormField(MotionRow), min_entries=MOTION_ROWS, max_entries=MOTION_ROWS)


class RescindForm(FlaskForm):
    body = SelectField("Body that votes on the rescission", coerce=int, validators=[InputRequired()])
    held_on = DateField("Held on", validators=[DataRequired(message="Give the date of the vote.")])
    motion = TextAreaField(
        "Motion",
        validators=[DataRequired(message="Write the motion put to the vote."), Length(max=5000)],
        description='For example: "That the endorsement of Rosa Delgado-Park be rescinded."',
    )
