"""Writing notes: only the author edits, every version kept, stale saves refused, limits, escaping, drafts."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.notes.models import Note, NoteDraft
from interviews.votes.models import Vote, VoteStatus
from tests.conftest import changed_tables, stored_rows
from tests.notes.pdftext import pdf_text


@pytest.fixture
def panel(make_race, make_user, make_questions, make_interview):  # type: ignore[no-untyped-def]
    race = make_race()
    questions = make_questions(race)
    author = make_user("leader", name="Angela Author")
    colleague = make_user("leader", name="Peter Panel")
    interview = make_interview(race, [author, colleague])
    return race, questions.questions, interview, author, colleague


def _write_url(interview, question=None) -> str:  # type: ignore[no-untyped-def]
    if question is None:
        return f"/interviews/{interview.id}/notes/general"
    return f"/interviews/{interview.id}/notes/questions/{question.id}"


def _textarea(html: str) -> str:
    import html as htmllib

    match = re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", html, re.S)
    assert match, "no textarea in the page"
    return htmllib.unescape(match.group(1))


def test_a_panel_member_writes_and_edits_a_note_under_a_question(client, auth, panel):  # type: ignore[no-untyped-def]
    _race, questions, interview, author, _ = panel
    auth.login(author)
    form = client.get(_write_url(interview, questions[0]))
    assert form.status_code == 200 and 'name="version" type="hidden" value="0"' in form.get_data(as_text=True)
    saved = client.post(
        _write_url(interview, questions[0]),
        data={"body": "First line\nSecond line", "visibility": "leadership", "version": "0"},
    )
    assert saved.status_code == 302
    note = db.session.scalar(select(Note))
    assert (note.body, note.version, note.question_id, note.visibility.value) == (
        "First line\nSecond line",
        1,
        questions[0].id,
        "leadership",
    )
    again = client.post(
        _write_url(interview, questions[0]), data={"body": "Edited", "visibility": "staff", "version": "1"}
    )
    assert again.status_code == 302
    db.session.refresh(note)
    assert (note.body, note.version) == ("Edited", 2)
    assert [r.body for r in note.revisions] == ["First line\nSecond line", "Edited"]
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["note.created", "note.edited"]
    # The note's words stay out of the audit trail, which staff read.
    assert not any("Edited" in str(e.changes) for e in db.session.scalars(select(AuditEvent)))


def test_the_general_note_is_one_per_author(client, auth, panel):  # type: ignore[no-untyped-def]
    _race, _questions, interview, author, _ = panel
    auth.login(author)
    assert (
        client.post(
            _write_url(interview), data={"body": "Overall: strong.", "visibility": "panel", "version": "0"}
        ).status_code
        == 302
    )
    # A second "new" general note (from another tab) is refused rather than making a duplicate.
    before = stored_rows()
    second = client.post(_write_url(interview), data={"body": "Another", "visibility": "panel", "version": "0"})
    assert second.status_code == 409
    assert changed_tables(before) == []
    assert db.session.scalar(select(db.func.count(Note.id))) == 1


def test_a_stale_save_is_refused_and_the_text_kept(client, auth, panel, write_note):  # type: ignore[no-untyped-def]
    _race, questions, interview, author, _ = panel
    write_note(interview, author, "Version one", "panel", question=questions[0])
    auth.login(author)
    # Two tabs open the note at version 1; the first saves version 2.
    assert 'value="1"' in client.get(_write_url(interview, questions[0])).get_data(as_text=True)
    client.post(
        _write_url(interview, questions[0]), data={"body": "From tab one", "visibility": "panel", "version": "1"}
    )
    before = stored_rows()
    stale = client.post(
        _write_url(interview, questions[0]),
        data={"body": "From tab two <keep me>", "visibility": "panel", "version": "1"},
    )
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert changed_tables(before) == []
    assert "saved elsewhere" in html
    assert _textarea(html) == "From tab two <keep me>"
    assert "From tab one" in html  # the saved version is shown beside it to compare
    note = db.session.scalar(select(Note))
    assert (note.body, note.version) == ("From tab one", 2)


def test_revisions_show_every_earlier_version_with_who_and_when(client, auth, panel, write_note):  # type: ignore[no-untyped-def]
    _race, questions, interview, author, colleague = panel
    note = write_note(interview, author, "Draft thoughts", "leadership", question=questions[1])
    write_note(interview, author, "Better thoughts", "leadership", question=questions[1], base_version=1)
    auth.login(colleague)
    history = client.get(f"/notes/{note.id}/history").get_data(as_text=True)
    assert "Version 1" in history and "Version 2" in history and "Angela Author" in history
    old = client.get(f"/notes/{note.id}/versions/1").get_data(as_text=True)
    assert "Draft thoughts" in old and "the current version is 2" in old
    assert client.get(f"/notes/{note.id}/versions/9").status_code == 404


def test_only_the_author_edits_and_only_panel_members_write(client, auth, panel, make_user, write_note):  # type: ignore[no-untyped-def]
    _race, questions, interview, author, colleague = panel
    note = write_note(interview, author, "Mine", "leadership", question=questions[0])
    auth.login(colleague)
    # The colleague's form is for their own note: saving makes theirs, never changes the author's.
    client.post(_write_url(interview, questions[0]), data={"body": "Theirs", "visibility": "panel", "version": "0"})
    db.session.refresh(note)
    assert note.body == "Mine"
    auth.logout()
    auth.login(make_user("leader"))
    before = stored_rows()
    assert client.get(_write_url(interview, questions[0])).status_code == 403
    assert (
        client.post(_write_url(interview), data={"body": "x", "visibility": "panel", "version": "0"}).status_code == 403
    )
    assert changed_tables(before) == []
    auth.logout()
    auth.login("staff")
    assert client.get(_write_url(interview)).status_code == 403


def test_a_question_from_another_race_is_not_found(client, auth, panel, make_race, make_questions):  # type: ignore[no-untyped-def]
    _race, _questions, interview, author, _ = panel
    other = make_questions(make_race("Other race"), ["Elsewhere?"])
    auth.login(author)
    assert client.get(_write_url(interview, other.questions[0])).status_code == 404
    assert client.get("/interviews/987654/notes").status_code == 404


def test_a_note_over_the_limit_is_refused_with_its_text_kept(client, auth, panel, app):  # type: ignore[no-untyped-def]
    _race, _questions, interview, author, _ = panel
    # The limit is set here, so the figures below are the test's own rather than read back from the app.
    app.config["NOTE_MAX_LENGTH"] = 1000
    limit = app.config["NOTE_MAX_LENGTH"]
    auth.login(author)
    long_text = "strike " * (limit // 7 + 1)
    assert len(long_text) == 1001
    before = stored_rows()
    response = client.post(_write_url(interview), data={"body": long_text, "visibility": "panel", "version": "0"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"at most {limit:,} characters" in html
    assert "at most 1,000 characters" in html
    assert _textarea(html) == long_text
    assert db.session.scalar(select(db.func.count(Note.id))) == 0
    assert changed_tables(before) == []
    # One character less is exactly the limit, and is kept.
    exact = client.post(_write_url(interview), data={"body": "x" * 1000, "visibility": "panel", "version": "0"})
    assert exact.status_code == 302
    assert len(db.session.scalar(select(Note.body))) == 1000


def test_notes_are_plain_text_with_line_breaks_and_html_shown_as_text(client, auth, panel, write_note):  # type: ignore[no-untyped-def]
    race, questions, interview, author, colleague = panel
    write_note(interview, author, '<script>alert("x")</script>\n<b>bold?</b>', "leadership", question=questions[0])
    auth.login(colleague)
    for url in (f"/interviews/{interview.id}/notes", f"/races/{race.id}/record"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>bold?</b>" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;\n&lt;b&gt;bold?&lt;/b&gt;" in html


def test_hide_until_submitted(client, auth, make_race, make_user, make_questions, make_interview, write_note):  # type: ignore[no-untyped-def]
    race = make_race(hide_notes_until_submitted=True)
    questions = make_questions(race).questions
    first, second, outsider = make_user("leader"), make_user("leader"), make_user("leader")
    interview = make_interview(race, [first, second])
    write_note(interview, first, "Anchoring opinion", "leadership", question=questions[0], submit=True)
    auth.login(second)
    page = client.get(f"/interviews/{interview.id}/notes").get_data(as_text=True)
    assert "Anchoring opinion" not in page and "hides colleagues' notes" in page
    assert "Anchoring opinion" not in client.get(f"/races/{race.id}/record").get_data(as_text=True)
    assert "Anchoring" not in client.get("/search?q=anchoring").get_data(as_text=True)
    for export in ("record.json", "notes.csv"):
        assert b"Anchoring" not in client.get(f"/races/{race.id}/{export}").data
    assert "Anchoring" not in pdf_text(client.get(f"/races/{race.id}/record.pdf").data)
    # Submitting needs a note of one's own first.
    assert client.post(f"/interviews/{interview.id}/notes/submit").status_code == 302
    assert "Anchoring opinion" not in client.get(f"/interviews/{interview.id}/notes").get_data(as_text=True)
    client.post(
        _write_url(interview, questions[0]), data={"body": "My own view", "visibility": "panel", "version": "0"}
    )
    assert "Anchoring opinion" not in client.get(f"/interviews/{interview.id}/notes").get_data(as_text=True)
    client.post(f"/interviews/{interview.id}/notes/submit")
    assert "Anchoring opinion" in client.get(f"/interviews/{interview.id}/notes").get_data(as_text=True)
    assert "Anchoring opinion" in pdf_text(client.get(f"/races/{race.id}/record.pdf").data)
    # A leader who is not on the panel is not held back: they read leadership notes as usual.
    auth.logout()
    auth.login(outsider)
    assert "Anchoring opinion" in client.get(f"/interviews/{interview.id}/notes").get_data(as_text=True)


def test_a_final_vote_locks_notes_and_the_question_list(client, auth, panel, write_note, make_user):  # type: ignore[no-untyped-def]
    race, questions, interview, author, _ = panel
    write_note(interview, author, "Before the vote", "leadership", question=questions[0])
    db.session.add(Vote(race_id=race.id, held_on=date(2026, 9, 1), motion="Endorse?", status=VoteStatus.final))
    db.session.commit()
    auth.login(author)
    page = client.get(f"/interviews/{interview.id}/notes").get_data(as_text=True)
    assert "read-only" in page and "Edit your note" not in page and "Write a note" not in page
    before = stored_rows()
    refused = client.post(
        _write_url(interview, questions[0]), data={"body": "After", "visibility": "panel", "version": "1"}
    )
    assert refused.status_code == 409 and "read-only" in refused.get_data(as_text=True)
    assert client.post(f"/interviews/{interview.id}/notes/draft", data={"body": "x", "version": "1"}).status_code == 409
    assert db.session.scalar(select(Note.body)) == "Before the vote"
    assert changed_tables(before) == []
    auth.logout()
    auth.login("staff")
    assert "Edit the list" not in client.get(f"/races/{race.id}/questions").get_data(as_text=True)
    before = stored_rows()
    edit = client.post(
        f"/races/{race.id}/questions/edit",
        data={"questions-0-position": "1", "questions-0-topic": "", "questions-0-text": "New?"},
    )
    assert edit.status_code == 409 and "read-only" in edit.get_data(as_text=True)
    assert changed_tables(before) == []


def test_a_draft_is_kept_while_typing_and_restored_on_reopening(client, auth, panel, write_note):  # type: ignore[no-untyped-def]
    _race, questions, interview, author, colleague = panel
    write_note(interview, author, "Saved text", "panel", question=questions[0])
    auth.login(author)
    answer = client.post(
        f"/interviews/{interview.id}/notes/draft",
        data={"body": "Saved text and more I typed", "version": "1", "question_id": str(questions[0].id)},
    )
    assert answer.status_code == 200 and answer.get_json() == {"saved": True}
    reopened = client.get(_write_url(interview, questions[0])).get_data(as_text=True)
    assert _textarea(reopened) == "Saved text and more I typed" and "Restored your unsaved draft" in reopened
    # Saving the note clears the draft.
    client.post(
        _write_url(interview, questions[0]), data={"body": "Saved text and more", "visibility": "panel", "version": "1"}
    )
    assert db.session.scalar(select(db.func.count(NoteDraft.id))) == 0
    # Drafts are the author's alone: a colleague cannot post into the author's and never sees it.
    auth.logout()
    auth.login(colleague)
    client.post(f"/interviews/{interview.id}/notes/draft", data={"body": "Colleague draft", "version": "0"})
    assert db.session.scalar(select(NoteDraft.author_id)) == colleague.id


def test_the_draft_endpoint_needs_the_csrf_token(app_factory, make_race, make_user, make_questions, make_interview):  # type: ignore[no-untyped-def]
    race = make_race()
    author = make_user("leader")
    interview = make_interview(race, [author])
    strict = app_factory(WTF_CSRF_ENABLED=True).test_client()
    with strict.session_transaction() as session:
        session["_user_id"] = str(author.id)
        session["_fresh"] = True
    before = stored_rows()
    response = strict.post(f"/interviews/{interview.id}/notes/draft", data={"body": "x", "version": "0"})
    assert response.status_code == 400
    assert changed_tables(before) == []


def test_two_simultaneous_saves_from_the_same_version_never_lose_one(app_factory, panel, write_note):  # type: ignore[no-untyped-def]
    import threading

    _race, questions, interview, author, _ = panel
    write_note(interview, author, "Version one", "panel", question=questions[0])
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    url, author_id = _write_url(interview, questions[0]), str(author.id)
    apps = [app_factory(), app_factory()]  # two browser tabs, two server workers

    def save(tab: int) -> None:
        client = apps[tab].test_client()
        with client.session_transaction() as session:
            session["_user_id"] = author_id
            session["_fresh"] = True
        client.get(url)
        barrier.wait()
        response = client.post(url, data={"body": f"Tab {tab}", "visibility": "panel", "version": "1"})
        statuses.append(response.status_code)

    db.session.commit()
    threads = [threading.Thread(target=save, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [302, 409]
    db.session.expire_all()
    note = db.session.scalar(select(Note))
    assert note.version == 2 and [r.version for r in note.revisions] == [1, 2]


def test_the_interview_page_carries_the_notes_part(client, auth, panel, write_note, make_user):  # type: ignore[no-untyped-def]
    _race, questions, interview, author, colleague = panel
    write_note(interview, author, "Said yes on transit funding.", "staff", question=questions[1])
    auth.login(colleague)
    page = client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert "Will you support the right to strike?" in page and "Said yes on transit funding." in page
    assert f"/interviews/{interview.id}/notes/questions/{questions[0].id}" in page
    auth.logout()
    auth.login("staff")
    page = client.get(f"/interviews/{interview.id}").get_data(as_text=True)
    assert "Said yes on transit funding." in page and "/notes/questions/" not in page
