"""Large record-book PDFs are built by a worker, off the request.

A request asks for the PDF (`request_pdf`), which queues a job for that viewer and race, or finds the
one already waiting; the page shows its progress and offers the file when it is ready. The worker
(`flask record-books work`, shaped like `flask outbox work`, safe to run in several processes) claims
one job at a time with an atomic UPDATE, builds the PDF in batches, and records progress as it goes.
A job whose worker died is taken again once its lease has run out; a job that fails says why and can
be asked for again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from interviews.audit.actors import Actor
from interviews.audit.services import record
from interviews.auth.models import User
from interviews.database import rows_changed
from interviews.extensions import db
from interviews.notes.models import PdfJobStatus, RecordPdfJob
from interviews.notes.pdf import record_book_pdf
from interviews.notes.record import load_record_book
from interviews.races.models import Race
from interviews.types import utcnow

# How long a worker holds a job before another may take it over (it renews the lease as it goes).
LEASE = timedelta(minutes=5)


def _key(race: Race, viewer: User) -> str:
    return f"{race.id}:{viewer.id}"


def latest_job(race: Race, viewer: User) -> RecordPdfJob | None:
    return db.session.scalar(
        select(RecordPdfJob)
        .where(RecordPdfJob.race_id == race.id, RecordPdfJob.viewer_id == viewer.id)
        .order_by(RecordPdfJob.id.desc())
        .limit(1)
    )


def request_pdf(race: Race, viewer: User, *, actor: Actor) -> RecordPdfJob:
    """Queue the PDF of this race's record book for this viewer, or return the job already waiting."""
    waiting = db.session.scalar(select(RecordPdfJob).where(RecordPdfJob.active_key == _key(race, viewer)))
    if waiting is not None:
        return waiting
    job = RecordPdfJob(race_id=race.id, viewer_id=viewer.id, active_key=_key(race, viewer))
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        # Another request queued the same PDF a moment ago: that job is this request's job too.
        found = db.session.scalar(select(RecordPdfJob).where(RecordPdfJob.active_key == _key(race, viewer)))
        if found is None:  # it has already finished in between: ask again
            return request_pdf(race, viewer, actor=actor)
        return found
    record("record_pdf.requested", job, actor=actor, summary=f"PDF of the record book of {race.title} asked for")
    return job


def claim_next(now: datetime | None = None) -> RecordPdfJob | None:
    """Take the oldest waiting job (or one whose worker's lease ran out) for this worker, atomically."""
    now = now or utcnow()
    takeable = or_(
        RecordPdfJob.status == PdfJobStatus.queued,
        (RecordPdfJob.status == PdfJobStatus.running) & (RecordPdfJob.claimed_until < now),
    )
    for job_id in db.session.scalars(select(RecordPdfJob.id).where(takeable).order_by(RecordPdfJob.id).limit(5)):
        taken = rows_changed(
            db.session,
            update(RecordPdfJob)
            .where(RecordPdfJob.id == job_id, takeable)
            .values(status=PdfJobStatus.running, started_at=now, claimed_until=now + LEASE, progress=0),
        )
        db.session.commit()
        if taken:
            return db.session.get(RecordPdfJob, job_id)
    return None


def build(job: RecordPdfJob, *, actor: Actor) -> None:
    """Build the job's PDF and store it; on any error, record the failure so the page can say so."""
    race, viewer = job.race, job.viewer
    job_id = job.id

    def progress(done: int, total: int) -> None:
        db.session.execute(
            update(RecordPdfJob)
            .where(RecordPdfJob.id == job_id)
            .values(progress=done, total=total, claimed_until=utcnow() + LEASE)
        )
        db.session.commit()

    try:
        book = load_record_book(race, viewer)
        progress(0, book.interview_count)
        pdf = record_book_pdf(book, current_app.config["ORGANIZATION_NAME"], progress=progress)
    except Exception as error:  # noqa: BLE001  (whatever broke, the page must say it failed)
        db.session.rollback()
        job = db.session.get(RecordPdfJob, job_id) or job
        job.status = PdfJobStatus.failed
        job.error = f"{type(error).__name__}: {error}"[:1000]
        job.active_key = None
        job.finished_at = utcnow()
        record("record_pdf.failed", job, actor=actor, summary=job.error)
        db.session.commit()
        return
    job = db.session.get(RecordPdfJob, job_id) or job
    job.pdf = pdf
    job.size = len(pdf)
    job.status = PdfJobStatus.done
    job.active_key = None
    job.finished_at = utcnow()
    record("record_pdf.built", job, actor=actor, summary=f"{len(pdf):,} bytes")
    db.session.commit()


@dataclass
class WorkReport:
    built: int = 0
    failed: int = 0

    def summary(self) -> str:
        return f"Record-book PDFs: {self.built} built, {self.failed} failed."


def build_due(*, actor: Actor, limit: int | None = None, stop: Callable[[], bool] = lambda: False) -> WorkReport:
    """Build waiting PDFs one after another until none waits (or `limit`, or `stop()`)."""
    report = WorkReport()
    while (limit is None or report.built + report.failed < limit) and not stop():
        job = claim_next()
        if job is None:
            break
        build(job, actor=actor)
        if job.status is PdfJobStatus.done:
            report.built += 1
        else:
            report.failed += 1
    return report
