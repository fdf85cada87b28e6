"""Forms that every feature uses."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField


class ConfirmForm(FlaskForm):
    """An empty form for buttons that change state: it carries only the CSRF token."""

    submit = SubmitField("Confirm")
