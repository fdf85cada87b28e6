"""Pages of the notes feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notes", __name__)
