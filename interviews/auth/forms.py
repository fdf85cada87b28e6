"""Sign-in, password and account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, ValidationError

from interviews.auth.models import Role
from interviews.timezones import timezone_choices


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=10, max=200, message="Use at least 10 characters.")],
    )
    confirm = PasswordField("Repeat the new password", validators=[EqualTo("new_password", "The two do not match.")])
    submit = SubmitField("Change password")


class PreferencesForm(FlaskForm):
    timezone = SelectField("Your time zone", choices=timezone_choices, validate_choice=True)
    submit = SubmitField("Save")


def _role_choices() -> list[tuple[str, str]]:
    return [(r.value, r.label) for r in Role]


class UserForm(FlaskForm):
    """Create or edit an account (admins only)."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    title = StringField("Title", validators=[Length(max=120)], description="For example Secretary-Treasurer.")
    role = SelectField("Role", choices=_role_choices)
    timezone = SelectField("Time zone", choices=timezone_choices)
    is_voting_member = BooleanField("Voting member of the board")
    vote_weight = IntegerField(
        "Vote weight",
        default=1,
        validators=[InputRequired(), NumberRange(min=0, max=10_000_000)],
        description="1 for one member, one vote; the per-capita membership for weighted votes.",
    )
    password = PasswordField(
        "Password",
        validators=[Length(max=200)],
        description="At least 10 characters. Leave empty when editing to keep the current one.",
    )
    submit = SubmitField("Save account")

    def __init__(self, *args: object, creating: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating

    def validate_password(self, field: PasswordField) -> None:
        if self.creating and not field.data:
            raise ValidationError("A new account needs a password.")
        if field.data and len(field.data) < 10:
            raise ValidationError("Use at least 10 characters.")
