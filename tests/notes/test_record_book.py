"""The race record book: its contents, its exports, and a query count that does not grow with the race."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationLetter
from interviews.notes.models import Note, NoteRevision, PdfJobStatus, RecordPdfJob, Visibility
from interviews.scheduling.models import Interview, InterviewStatus, PanelSeat
from interviews.types import utcnow
from tests.notes.pdftext import pdf_text


def _send_letter(race, digests: list[str]) -> None:  # type: ignore[no-untyped-def]
    letter = InvitationLetter(
        race_id=race.id,
        subject="Endorsement interview",
        body="The same text for all.",
        respond_by=utcnow() + timedelta(days=7),
        timezone="America/New_York",
    )
    db.session.add(letter)
    db.session.flush()
    for candidate, digest in zip(race.candidates, digests, strict=True):
        db.session.add(Invitation(letter_id=letter.id, candidate_id=candidate.id, content_digest=digest))
    db.session.commit()


def test_the_record_book_tells_the_whole_story(
    client, auth, make_race, make_user, make_questions, make_interview, write_note
):  # type: ignore[no-untyped-def]
    race = make_race("2028 Presidential endorsement", candidates=2)
    make_questions(race)
    _send_letter(race, ["ab" * 32, "ab" * 32])
    leader = make_user("leader", name="Tomás Gutiérrez")
    interview = make_interview(race, [leader])
    write_note(interview, leader, "Łódź-born; backs the right to strike. =SUM(A1)", "staff")
    auth.login(leader)
    page = client.get(f"/races/{race.id}/record").get_data(as_text=True)
    for expected in (
        "2028 Presidential endorsement",
        "At least two-thirds of the votes cast",
        "Candidate A",
        "Same text",
        "ab" * 32,
        "Tomás Gutiérrez",
        "Łódź-born",
        "Member polls",
        "The vote",
    ):
        assert expected in page, expected
    record = client.get(f"/races/{race.id}/record.json")
    assert record.headers["Cache-Control"] == "private, no-store"
    data = record.get_json()
    assert data["invitation"]["same_text_for_every_candidate"] is True
    assert data["interviews"][0]["panel"] == ["Tomás Gutiérrez"]
    pdf = client.get(f"/races/{race.id}/record.pdf")
    assert pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]
    words = pdf_text(pdf.data)
    assert "Łódź-born" in words and "Tomás Gutiérrez" in words and "Every candidate received the same text" in words
    rows = list(csv.DictReader(io.StringIO(client.get(f"/races/{race.id}/notes.csv").get_data(as_text=True))))
    assert rows[0]["body"].startswith("Łódź-born")
    # A spreadsheet must not run a note as a formula.
    assert "'=SUM" not in rows[0]["body"]
    write_note(interview, leader, '=HYPERLINK("http://evil.example.com")', "staff", question=None, base_version=1)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/races/{race.id}/notes.csv").get_data(as_text=True))))
    assert rows[0]["body"].startswith("'=HYPERLINK")


def test_the_ledger_shows_when_copies_differ(client, auth, make_race):  # type: ignore[no-untyped-def]
    race = make_race(candidates=2)
    _send_letter(race, ["ab" * 32, "cd" * 32])
    auth.login("staff")
    page = client.get(f"/races/{race.id}/record").get_data(as_text=True)
    assert "Copies differ" in page and "2 different digests" in page


def _big_race(make_race, panel, interviews: int, notes: int):  # type: ignore[no-untyped-def]
    """Interviews and notes made in bulk (directly), spread over authors, questions and visibilities."""
    race = make_race(f"Race with {interviews} interviews", candidates=5)
    _send_letter(race, ["ef" * 32] * 5)
    now = utcnow()
    made = []
    for n in range(interviews):
        interview = Interview(
            race=race,
            candidate=race.candidates[n % 5],
            starts_at=now - timedelta(days=n + 1),
            ends_at=now - timedelta(days=n + 1) + timedelta(minutes=45),
            timezone="America/New_York",
            status=InterviewStatus.completed,
        )
        interview.panel_seats = [PanelSeat(user=u) for u in panel[:3]]
        made.append(interview)
    db.session.add_all(made)
    db.session.flush()
    visibilities = list(Visibility)
    for k in range(notes):
        interview = made[k % interviews]
        author = panel[k % 3]
        note = Note(
            interview_id=interview.id,
            author_id=author.id,
            question_id=None,
            body=f"Note {k} on the right to strike.",
            visibility=visibilities[k % 3],
            version=1,
        )
        note.revisions.append(
            NoteRevision(version=1, body=note.body, visibility=note.visibility, edited_by_id=author.id)
        )
        db.session.add(note)
    db.session.commit()
    return race


def test_the_record_book_costs_the_same_queries_for_5_or_30_interviews(
    app, client, auth, make_race, make_user, count_queries
):  # type: ignore[no-untyped-def]
    panel = [make_user("leader") for _ in range(3)]
    small = _big_race(make_race, panel, interviews=5, notes=60)
    big = _big_race(make_race, panel, interviews=30, notes=500)
    app.config["RECORD_PDF_AT_ONCE_MAX_NOTES"] = 1000  # both PDFs in the request, to count their queries
    auth.login(panel[0])
    counts = {}
    for name, race in (("small", small), ("big", big)):
        for path in ("record", "record.json", "notes.csv", "interviews.csv", "record.pdf"):
            with count_queries() as q:
                response = client.get(f"/races/{race.id}/{path}")
            assert response.status_code == 200
            counts[(name, path)] = q.count
    for path in ("record", "record.json", "notes.csv", "interviews.csv", "record.pdf"):
        assert counts[("small", path)] == counts[("big", path)], (path, counts)
    assert counts[("big", "record")] <= 30, counts
    print("record book queries:", counts)
    # The panel member reads all 500 (panel, leadership and staff notes alike).
    data = client.get(f"/races/{big.id}/record.json").get_json()
    assert sum(len(i["notes"]) for i in data["interviews"]) == 500


def test_a_large_record_books_pdf_is_built_by_the_worker_once_and_offered_to_its_viewer_alone(
    app, client, auth, make_race, make_user, runner
):  # type: ignore[no-untyped-def]
    panel = [make_user("leader") for _ in range(3)]
    race = _big_race(make_race, panel, interviews=6, notes=40)
    app.config["RECORD_PDF_AT_ONCE_MAX_NOTES"] = 10
    auth.login(panel[0])
    page = client.get(f"/races/{race.id}/record.pdf")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "built in the background" in page.get_data(as_text=True)
    # Two requests (a double click, two tabs) start one job.
    for _ in range(2):
        assert client.post(f"/races/{race.id}/record.pdf").status_code == 302
    jobs = db.session.scalars(select(RecordPdfJob)).all()
    assert len(jobs) == 1 and jobs[0].status is PdfJobStatus.queued
    assert "Waiting for the worker" in client.get(f"/races/{race.id}/record.pdf").get_data(as_text=True)

    result = runner.invoke(args=["record-books", "build"])
    assert result.exit_code == 0, result.output
    assert "1 built, 0 failed" in result.output
    page = client.get(f"/races/{race.id}/record.pdf").get_data(as_text=True)
    assert "Download the PDF" in page
    pdf = client.get(f"/races/{race.id}/record-pdfs/{jobs[0].id}.pdf")
    assert pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]
    # Worked by hand: the panel member reads all 40 notes (k = 0..39), spread over 6 interviews.
    words = pdf_text(pdf.data)
    assert "Note 0 on the right to strike." in words and "Note 39 on the right to strike." in words
    # The PDF holds what its viewer may read: another leader gets a 404, not the file.
    other = make_user("leader")
    auth.logout()
    auth.login(other)
    assert client.get(f"/races/{race.id}/record-pdfs/{jobs[0].id}.pdf").status_code == 404


def test_a_pdf_job_that_fails_says_so_and_can_be_asked_for_again(
    app, client, auth, make_race, make_user, runner, monkeypatch
):  # type: ignore[no-untyped-def]
    from interviews.notes import pdf_jobs

    panel = [make_user("leader") for _ in range(3)]
    race = _big_race(make_race, panel, interviews=3, notes=20)
    app.config["RECORD_PDF_AT_ONCE_MAX_NOTES"] = 10
    auth.login(panel[0])
    client.post(f"/races/{race.id}/record.pdf")

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("No space left on device")

    monkeypatch.setattr(pdf_jobs, "record_book_pdf", broken)  # a full disk, injected
    result = runner.invoke(args=["record-books", "build"])
    assert result.exit_code == 1 and "0 built, 1 failed" in result.output
    page = client.get(f"/races/{race.id}/record.pdf").get_data(as_text=True)
    assert "Building the PDF failed" in page and "No space left on device" in page and "Build it again" in page
    monkeypatch.undo()
    client.post(f"/races/{race.id}/record.pdf")
    assert runner.invoke(args=["record-books", "build"]).exit_code == 0
    statuses = [j.status for j in db.session.scalars(select(RecordPdfJob).order_by(RecordPdfJob.id))]
    assert statuses == [PdfJobStatus.failed, PdfJobStatus.done]
