"""Forms of the bodies pages: a new body, a seat, its end or new weight, a roll to import, a day to look at."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: types-WTForms 3.2 predates it
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from interviews.auth.models import User
from interviews.decisions.bodies import MAX_WEIGHT

MAX_ROLL_BYTES = 2 * 1024 * 1024  # 20,000 delegates with references and e-mails fit in about 1.5 MB
NO_ACCOUNT = ""


def _weight_field(label: str, description: str = "") -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(message="Give the weight: a whole number, 1 or more."),
            NumberRange(min=1, max=MAX_WEIGHT, message=f"A weight is a whole number from 1 to {MAX_WEIGHT:,}."),
        ],
        default=1,
        description=description,
    )


class BodyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(message="Give the body a name."), Length(max=200)])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=2000)],
        description="What the body is and how its members are chosen, for those who read the decision.",
    )
    submit = SubmitField("Create the body")


class MemberForm(FlaskForm):
    account = SelectField("Account", default=NO_ACCOUNT, validate_choice=True)
    name = StringField(
        "Name",
        validators=[Optional(), Length(max=120)],
        description="For a person without an account; for an account, leave it blank to use the account's name.",
    )
    reference = StringField(
        "Reference", validators=[Optional(), Length(max=120)], description="A delegate number, or the local."
    )
    weight = _weight_field("Weight", "Per-capita weight, or 1 for one member one vote.")
    joined_on = DateField(
        "Sits from", validators=[InputRequired(message="Give the date they join.")], default=date.today
    )
    submit = SubmitField("Add the member")

    def __init__(self, *args: Any, accounts: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account.choices = [SelectChoice(NO_ACCOUNT, "A person without an account")] + [
            SelectChoice(str(u.id), f"{u.name} <{u.email}>") for u in accounts
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.account.data == NO_ACCOUNT and not (self.name.data or "").strip():
            self.name.errors = [*self.name.errors, "Choose an account, or give the name of a person without one."]
            return False
        return True


class EndMemberForm(FlaskForm):
    left_on = DateField(
        "Leaves on",
        validators=[InputRequired(message="Give the day they leave.")],
        default=date.today,
        description="The first day they no longer sit.",
    )
    submit = SubmitField("End the membership")


class WeightForm(FlaskForm):
    weight = _weight_field("New weight")
    on = DateField(
        "From", validators=[InputRequired(message="Give the day the new weight applies.")], default=date.today
    )
    submit = SubmitField("Change the weight")


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[
            Optional(),
            FileAllowed(["csv", "txt"], "Upload a .csv file: in the spreadsheet, save it as “CSV UTF-8”."),
            FileSize(max_size=MAX_ROLL_BYTES, message=f"The file is larger than {MAX_ROLL_BYTES // 1024 // 1024} MB."),
        ],
    )
    text = TextAreaField(
        "Or paste the roll",
        validators=[Optional(), Length(max=400_000, message="That is too much to paste: upload it as a file.")],
        description="The same columns as the file, the header line first.",
    )
    joined_on = DateField(
        "They sit from", validators=[InputRequired(message="Give the date they join.")], default=date.today
    )
    submit = SubmitField("Import the roll")

    def roll(self) -> bytes | str | None:
        """The uploaded file's bytes or the pasted text; None, with the error put on the form, for neither or both."""
        upload = self.file.data
        pasted = (self.text.data or "").strip()
        if upload and pasted:
            self.file.errors = [*self.file.errors, "Upload a file or paste the roll, not both."]
            return None
        if upload:
            data: bytes = upload.read()
            return data
        if pasted:
            return pasted
        self.file.errors = [*self.file.errors, "Choose a CSV file to upload, or paste the roll below."]
        return None


class AsOfForm(FlaskForm):
    """The day to show the body on (a GET filter: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    on = DateField("Who sat on the body on", validators=[Optional()], format="%Y-%m-%d")
