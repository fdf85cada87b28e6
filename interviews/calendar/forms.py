"""Forms of the calendar feature."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField


class RotateFeedForm(FlaskForm):
    """Replace the secret in one's feed links (a button: the CSRF token is the whole form)."""

    submit = SubmitField("Replace my feed link")
