"""Error pages: every failure a person can meet gets a page that says what to do."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from interviews.extensions import db, login_manager

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your account may not see this page. If you think it should, ask an administrator."),
    404: ("Not found", "There is nothing at this address. It may have been removed, or the link is mistyped."),
    405: ("Not allowed", "This page cannot be used that way. Go back and use the buttons on the page."),
    410: ("Gone", "This link is no longer valid."),
    413: (
        "Too large",
        "What you sent is larger than this app accepts. Send less at a time (a shorter text, a smaller file).",
    ),
    429: ("Too many attempts", "Too many attempts in a short time. Wait a minute and try again."),
    500: ("Something went wrong", "An unexpected error happened. Nothing you saved was lost; try again."),
    503: ("Temporarily unavailable", "The database cannot be reached right now. Try again in a minute."),
}


def wants_json() -> bool:
    return request.path.startswith("/healthz") or request.accept_mimetypes.best == "application/json"


def render_error(code: int, message: str | None = None, title: str | None = None) -> ResponseReturnValue:
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    title = title or default_title
    message = message or default_message
    if wants_json():
        return jsonify(error=title, message=message), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400,
            "This form had expired or was sent without its security token. Reload the page and send it again; "
            "nothing was changed.",
            "Please reload the page",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        # A view may abort with its own explanation: abort(410, description="...").
        custom = error.description if error.description != type(error).description else None
        return render_error(code, custom)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError) -> ResponseReturnValue:
        log.error("database error: %s", error)
        with contextlib.suppress(Exception):
            db.session.rollback()
        # The page must render without the database: a signed-in visitor's account would be loaded
        # from it again (and fail again) when the header names them, so this page shows nobody.
        g._login_user = login_manager.anonymous_user()
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        log.exception("unhandled error")
        # The session may itself be broken; the error page must still render.
        with contextlib.suppress(Exception):
            db.session.rollback()
        return render_error(500)
