"""Who reads which note, as a matrix: each visibility × each kind of viewer, on every page and export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from interviews.extensions import db
from interviews.invitations.links import candidate_url
from interviews.invitations.models import Invitation, InvitationLetter
from interviews.types import utcnow
from tests.notes.pdftext import pdf_text

VIEWERS = ("author", "panel_member", "other_leader", "staff", "admin")
# visibility -> the viewers who read it (the rule in interviews/notes/visibility.py)
READS = {
    "panel": {"author", "panel_member"},
    "leadership": {"author", "panel_member", "other_leader"},
    "staff": {"author", "panel_member", "other_leader", "staff", "admin"},
}
SECRET = "Zephyrine"  # one word, so full-text search, CSV and PDF can all look for it


@pytest.fixture
def setting(make_race, make_user, make_questions, make_interview, write_note):  # type: ignore[no-untyped-def]
    def build(visibility: str):  # type: ignore[no-untyped-def]
        race = make_race()
        questions = make_questions(race)
        people = {
            "author": make_user("leader", name="Angela Author"),
            "panel_member": make_user("leader", name="Peter Panel"),
            "other_leader": make_user("leader", name="Olga Other"),
            "staff": make_user("staff", name="Sam Staff"),
            "admin": make_user("admin", name="Ada Admin"),
        }
        interview = make_interview(race, [people["author"], people["panel_member"]])
        note = write_note(
            interview,
            people["author"],
            f"{SECRET} said yes to the right to strike.",
            visibility,
            question=questions.questions[0],
        )
        return race, interview, note, people

    return build


def _everything_a_viewer_gets(client, race, interview, note) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    seen = {}
    page = client.get(f"/interviews/{interview.id}/notes")
    assert page.status_code == 200
    seen["note page"] = SECRET in page.get_data(as_text=True)
    history = client.get(f"/notes/{note.id}/history")
    assert history.status_code in (200, 404)
    seen["history"] = history.status_code == 200
    seen["revision"] = client.get(f"/notes/{note.id}/versions/1").status_code == 200
    search = client.get(f"/search?q={SECRET.lower()}")
    assert search.status_code == 200
    seen["search"] = SECRET in search.get_data(as_text=True)
    book = client.get(f"/races/{race.id}/record")
    assert book.status_code == 200
    seen["record book"] = SECRET in book.get_data(as_text=True)
    exported = client.get(f"/races/{race.id}/record.json").get_json()
    seen["json"] = any(SECRET in n["body"] for i in exported["interviews"] for n in i["notes"])
    rows = list(csv.DictReader(io.StringIO(client.get(f"/races/{race.id}/notes.csv").get_data(as_text=True))))
    seen["notes csv"] = any(SECRET in r["body"] for r in rows)
    interviews = list(
        csv.DictReader(io.StringIO(client.get(f"/races/{race.id}/interviews.csv").get_data(as_text=True)))
    )
    seen["interviews csv"] = interviews[0]["notes_you_can_read"] == "1"
    pdf = client.get(f"/races/{race.id}/record.pdf")
    assert pdf.mimetype == "application/pdf"
    seen["pdf"] = SECRET in pdf_text(pdf.data)
    return seen


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("visibility", sorted(READS))
def test_each_viewer_sees_exactly_what_the_visibility_allows(client, auth, setting, visibility, viewer):  # type: ignore[no-untyped-def]
    race, interview, note, people = setting(visibility)
    auth.login(people[viewer])
    seen = _everything_a_viewer_gets(client, race, interview, note)
    expected = viewer in READS[visibility]
    assert seen == dict.fromkeys(seen, expected), f"{viewer} reading a {visibility} note"


@pytest.mark.parametrize("visibility", sorted(READS))
def test_a_candidate_never_sees_notes(app, client, setting, visibility):  # type: ignore[no-untyped-def]
    race, interview, note, _ = setting(visibility)
    # Through their signed link, the candidate's own page shows their invitation and nothing of the notes.
    letter = InvitationLetter(
        race_id=race.id,
        subject="Invitation to our endorsement interview",
        body="Dear candidate, the board invites you.",
        respond_by=utcnow() + timedelta(days=10),
        timezone="America/New_York",
    )
    db.session.add(letter)
    db.session.flush()
    invitation = Invitation(letter_id=letter.id, candidate_id=interview.candidate_id, content_digest="a" * 64)
    db.session.add(invitation)
    db.session.commit()
    with app.test_request_context():
        url = candidate_url(invitation).replace(app.config["BASE_URL"], "")
    page = client.get(url)
    assert page.status_code == 200
    assert SECRET not in page.get_data(as_text=True)
    # And without an account no notes page, search or export opens at all.
    for path in (
        f"/interviews/{interview.id}/notes",
        f"/notes/{note.id}/history",
        f"/notes/{note.id}/versions/1",
        f"/search?q={SECRET}",
        f"/races/{race.id}/record",
        f"/races/{race.id}/record.json",
        f"/races/{race.id}/record.pdf",
        f"/races/{race.id}/notes.csv",
        f"/races/{race.id}/interviews.csv",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_the_author_always_reads_their_own_even_off_the_panel(client, auth, setting):  # type: ignore[no-untyped-def]
    from interviews.scheduling.models import PanelSeat

    race, _interview, _note, people = setting("panel")
    # Taken off the panel after writing: the note is still theirs to read.
    db.session.query(PanelSeat).filter_by(user_id=people["author"].id).delete()
    db.session.commit()
    auth.login(people["author"])
    assert SECRET in client.get(f"/races/{race.id}/record").get_data(as_text=True)


def test_an_older_version_written_for_the_panel_stays_with_the_panel(client, auth, setting, write_note):  # type: ignore[no-untyped-def]
    _race, interview, note, people = setting("panel")
    # The author opens the note to all leadership in version 2: version 1 stays panel-only.
    write_note(interview, people["author"], "Now for everyone.", "leadership", question=note.question, base_version=1)
    auth.login(people["other_leader"])
    assert client.get(f"/notes/{note.id}/versions/2").status_code == 200
    assert client.get(f"/notes/{note.id}/versions/1").status_code == 404
    assert SECRET not in client.get(f"/notes/{note.id}/history").get_data(as_text=True)
