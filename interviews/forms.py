"""Forms that every feature uses."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms 3.2 predates it
from wtforms.validators import InputRequired


class ConfirmForm(FlaskForm):
    """An empty form for buttons that change state: it carries only the CSRF token."""

    submit = SubmitField("Confirm")


def switch_form(name: str) -> type[FlaskForm]:
    """A button that turns something on or off, posting `name`=1 or 0; anything else is refused.

    Reading "anything but 1 means off" would let a missing or mangled field take a room out of use.
    """

    class SwitchForm(FlaskForm):
        pass

    setattr(
        SwitchForm,
        name,
        RadioField(
            choices=[SelectChoice("1", "On"), SelectChoice("0", "Off")],
            validators=[InputRequired()],
            validate_choice=True,
        ),
    )
    return SwitchForm
