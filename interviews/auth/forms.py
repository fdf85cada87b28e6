"""Sign-in, password and account forms."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, ValidationError

from interviews.auth.models import Role
from interviews.auth.passwords import MAX_LENGTH, MIN_LENGTH, check_password_rules
from interviews.timezones import timezone_choices


def show_errors(field: Field, messages: Iterable[str]) -> None:
    """Put a service's refusal beside the field it is about."""
    field.errors = [*field.errors, *messages]


PASSWORD_HELP = f"At least {MIN_LENGTH} characters and hard to guess: a few unrelated words work well."


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    # The rules themselves (length, guessability) are checked by the service, which knows whose password it is.
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=MAX_LENGTH)], description=PASSWORD_HELP
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
        # A vote weight is a positive whole number: 0 would put a member on the roll whose vote counts for nothing.
        validators=[InputRequired(), NumberRange(min=1, max=10_000_000, message="A weight is a whole number from 1.")],
        description="1 for one member, one vote; the per-capita membership for weighted votes.",
    )
    password = PasswordField(
        "Password",
        validators=[Length(max=MAX_LENGTH)],
        description=f"{PASSWORD_HELP} Leave empty when editing to keep the current one.",
    )
    submit = SubmitField("Save account")

    def __init__(self, *args: object, creating: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating

    def validate_password(self, field: PasswordField) -> None:
        if self.creating and not field.data:
            raise ValidationError("A new account needs a password.")
        # Shown with the form's other errors; the service checks again, whoever calls it.
        problems = check_password_rules(field.data or "", email=self.email.data or "", name=self.name.data or "")
        if field.data and problems:
            raise ValidationError(" ".join(problems))


class CodeForm(FlaskForm):
    """The second step of signing in, and every other place that asks for a code from the app."""

    code = StringField(
        "Code",
        validators=[DataRequired(), Length(max=32)],
        description="The 6-digit code your authenticator app shows, or one of your recovery codes.",
    )
    submit = SubmitField("Continue")


class AppCodeForm(FlaskForm):
    """A code from the app alone, where a recovery code will not do (making new recovery codes)."""

    code = StringField(
        "Code from the app",
        validators=[DataRequired(), Length(max=32)],
        description="The 6-digit code your authenticator app shows now.",
    )
    submit = SubmitField("Make new recovery codes")


class EnrolForm(FlaskForm):
    code = StringField(
        "Code from the app",
        validators=[DataRequired(), Length(max=32)],
        description="The 6-digit code the app shows once it has the account.",
    )
    submit = SubmitField("Turn on two-factor sign-in")


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    code = StringField("Code from the app, or a recovery code", validators=[DataRequired(), Length(max=32)])
    submit = SubmitField("Turn off two-factor sign-in")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Send me a link")


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=MAX_LENGTH)], description=PASSWORD_HELP
    )
    confirm = PasswordField("Repeat the new password", validators=[EqualTo("new_password", "The two do not match.")])
    submit = SubmitField("Set the new password")
