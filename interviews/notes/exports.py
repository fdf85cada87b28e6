"""Search, the race record book and its exports (PDF, JSON, CSV): every one filtered for the viewer."""

from __future__ import annotations

import re
from collections.abc import Iterator

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from interviews.access import allow, signed_in_user
from interviews.extensions import db
from interviews.forms import ConfirmForm
from interviews.notes import pdf_jobs
from interviews.notes import search as fulltext
from interviews.notes.forms import SearchForm
from interviews.notes.models import PdfJobStatus, RecordPdfJob
from interviews.notes.pdf import record_book_pdf
from interviews.notes.polls import share
from interviews.notes.record import (
    as_json,
    interviews_csv,
    interviews_page,
    json_chunks,
    ledger_page,
    load_record_book,
    notes_csv,
)
from interviews.notes.views import READERS, bp, get_race_or_404
from interviews.pagination import page_number


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
    results = (
        fulltext.search(form.q.data or "", current_user, page_number()) if form.validate() and form.q.data else None
    )
    return render_template("notes/search.html", form=form, results=results)


@bp.get("/races/<int:race_id>/record")
@allow(*READERS)
def record_book(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    book = load_record_book(race, current_user)
    return render_template(
        "notes/record_book.html",
        book=book,
        race=race,
        share=share,
        ledger=ledger_page(book),
        interviews=interviews_page(book),
    )


@bp.get("/races/<int:race_id>/record.pdf")
@allow(*READERS)
def record_book_as_pdf(race_id: int) -> ResponseReturnValue:
    """A small record book's PDF at once; a large one's is built by the worker (see pdf_jobs)."""
    race = get_race_or_404(race_id)
    book = load_record_book(race, current_user)
    if book.note_count <= current_app.config["RECORD_PDF_AT_ONCE_MAX_NOTES"]:
        pdf = record_book_pdf(book, current_app.config["ORGANIZATION_NAME"])
        return _download(pdf, "application/pdf", _filename(race.title, ".pdf"))
    job = pdf_jobs.latest_job(race, current_user)
    return render_template("notes/pdf_job.html", race=race, book=book, job=job, form=ConfirmForm())


@bp.post("/races/<int:race_id>/record.pdf")
@allow(*READERS)
def request_record_book_pdf(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    if not ConfirmForm().validate_on_submit():
        flash("The request was not sent from the page; press the button again.", "error")
    else:
        job = pdf_jobs.request_pdf(race, current_user, actor=signed_in_user())
        db.session.commit()
        flash(f"The PDF is {job.status.label.lower()}; this page shows when it is ready.", "success")
    return redirect(url_for("notes.record_book_as_pdf", race_id=race.id))


@bp.get("/races/<int:race_id>/record-pdfs/<int:job_id>.pdf")
@allow(*READERS)
def record_book_pdf_file(race_id: int, job_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    job = db.session.get(RecordPdfJob, job_id)
    # A PDF holds the notes its viewer may read: it is theirs alone.
    if job is None or job.race_id != race.id or job.viewer_id != current_user.id:
        abort(404)
    if job.status is not PdfJobStatus.done or job.pdf is None:
        return redirect(url_for("notes.record_book_as_pdf", race_id=race.id))
    return _download(job.pdf, "application/pdf", _filename(race.title, ".pdf"))


def _stream(chunks: Iterator[str], mimetype: str, filename: str) -> Response:
    """A download written as it is read (stream_with_context keeps the database session open)."""
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/races/<int:race_id>/record.json")
@allow(*READERS)
def record_book_as_json(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    book = load_record_book(race, current_user)
    return _stream(json_chunks(as_json(book)), "application/json", _filename(race.title, ".json"))


@bp.get("/races/<int:race_id>/interviews.csv")
@allow(*READERS)
def interviews_as_csv(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    # The CSVs need none of the record book's bounded parts: only the race and who is reading.
    return _stream(interviews_csv(race, current_user), "text/csv", _filename(race.title, "-interviews.csv"))


@bp.get("/races/<int:race_id>/notes.csv")
@allow(*READERS)
def notes_as_csv(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    return _stream(notes_csv(race, current_user), "text/csv", _filename(race.title, "-notes.csv"))
