"""Pages of the votes feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("votes", __name__)
