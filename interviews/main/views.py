"""The dashboard and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from interviews.access import PUBLIC, SIGNED_IN, allow
from interviews.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
@allow(PUBLIC)
def index() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.get("/dashboard")
@allow(SIGNED_IN)
def dashboard() -> ResponseReturnValue:
    return render_template("main/dashboard.html")


@bp.get("/healthz")
@allow(PUBLIC)
def healthz() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable", detail=type(error).__name__), 503
    return jsonify(status="ok", database="ok", dialect=db.engine.dialect.name)
