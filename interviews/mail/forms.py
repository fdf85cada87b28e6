"""Forms of the outbox page (buttons are forms too: every change is a POST with its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField


class RetryForm(FlaskForm):
    submit = SubmitField("Retry")
