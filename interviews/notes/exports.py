"""Search, the race record book and its exports (PDF, JSON, CSV): every one filtered for the viewer."""

from __future__ import annotations

import re

from flask import Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from interviews.access import allow
from interviews.notes import search as fulltext
from interviews.notes.forms import SearchForm
from interviews.notes.pdf import record_book_pdf
from interviews.notes.polls import share
from interviews.notes.record import as_json, interviews_csv, load_record_book, notes_csv
from interviews.notes.views import READERS, bp, get_race_or_404


def _filename(title: str, suffix: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "race"
    return f"record-{slug}{suffix}"


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Exports carry notes: never let a shared cache keep them.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/search")
@allow(*READERS)
def search() -> ResponseReturnValue:
    form = SearchForm(request.args)
    results = fulltext.search(form.q.data or "", current_user) if form.validate() and form.q.data else None
    return render_template("notes/search.html", form=form, results=results)


@bp.get("/races/<int:race_id>/record")
@allow(*READERS)
def record_book(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    book = load_record_book(race, current_user)
    return render_template("notes/record_book.html", book=book, race=race, share=share)


@bp.get("/races/<int:race_id>/record.pdf")
@allow(*READERS)
def record_book_as_pdf(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    pdf = record_book_pdf(load_record_book(race, current_user), current_app.config["ORGANIZATION_NAME"])
    return _download(pdf, "application/pdf", _filename(race.title, ".pdf"))


@bp.get("/races/<int:race_id>/record.json")
@allow(*READERS)
def record_book_as_json(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    response = jsonify(as_json(load_record_book(race, current_user)))
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(race.title, ".json")}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/races/<int:race_id>/interviews.csv")
@allow(*READERS)
def interviews_as_csv(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    body = interviews_csv(load_record_book(race, current_user))
    return _download(body, "text/csv", _filename(race.title, "-interviews.csv"))


@bp.get("/races/<int:race_id>/notes.csv")
@allow(*READERS)
def notes_as_csv(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    body = notes_csv(load_record_book(race, current_user))
    return _download(body, "text/csv", _filename(race.title, "-notes.csv"))
