"""Pages of the races feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("races", __name__)
