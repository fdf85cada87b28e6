"""Question list versions, and member polls: their checks, their chart and their table."""

from __future__ import annotations

from sqlalchemy import select

from interviews.extensions import db
from interviews.notes.models import MemberPoll, QuestionList
from interviews.notes.views import race_notes_section
from tests.conftest import changed_tables, stored_rows


def _rows(*questions: tuple[str, str, str]) -> dict[str, str]:
    data = {}
    for i, (position, topic, text) in enumerate(questions):
        data.update({f"questions-{i}-position": position, f"questions-{i}-topic": topic, f"questions-{i}-text": text})
    return data


def test_editing_the_list_makes_a_new_version_and_keeps_the_old(client, auth, make_race, make_user, make_interview):  # type: ignore[no-untyped-def]
    race = make_race()
    auth.login("staff")
    first = client.post(
        f"/races/{race.id}/questions/edit", data=_rows(("1", "Labour", "Right to strike?"), ("2", "Transit", "Fares?"))
    )
    assert first.status_code == 302
    leader = make_user("leader")
    interview = make_interview(race, [leader])  # booked now: records version 1
    # Reordered, one dropped (empty), one added.
    second = client.post(
        f"/races/{race.id}/questions/edit",
        data=_rows(("2", "Labour", "Right to strike?"), ("", "", ""), ("1", "Housing", "Rent control?")),
    )
    assert second.status_code == 302
    versions = db.session.scalars(select(QuestionList).order_by(QuestionList.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert [q.text for q in versions[0].questions] == ["Right to strike?", "Fares?"]
    assert [(q.position, q.text) for q in versions[1].questions] == [(1, "Rent control?"), (2, "Right to strike?")]
    assert interview.question_list_id == versions[0].id
    page = client.get(f"/races/{race.id}/questions").get_data(as_text=True)
    assert "Version 2 (current)" in page and "Version 1" in page and "Fares?" in page
    # The interview's notes page still asks the questions of the version it used.
    auth.logout()
    auth.login(leader)
    notes_page = client.get(f"/interviews/{interview.id}/notes").get_data(as_text=True)
    assert "Fares?" in notes_page and "Rent control?" not in notes_page


def test_question_list_edits_are_for_staff_and_checked(client, auth, make_race):  # type: ignore[no-untyped-def]
    race = make_race()
    auth.login("leader")
    assert client.get(f"/races/{race.id}/questions/edit").status_code == 403
    auth.logout()
    auth.login("admin")
    before = stored_rows()
    empty = client.post(f"/races/{race.id}/questions/edit", data=_rows(("", "", "")))
    assert empty.status_code == 400 and "at least one question" in empty.get_data(as_text=True)
    assert changed_tables(before) == []
    assert client.post(f"/races/{race.id}/questions/edit", data=_rows(("1", "", "Same?"))).status_code == 302
    before = stored_rows()
    same = client.post(f"/races/{race.id}/questions/edit", data=_rows(("1", "", "Same?")))
    assert same.status_code == 400 and "Nothing changed" in same.get_data(as_text=True)
    assert changed_tables(before) == []
    assert db.session.scalars(select(QuestionList.version)).all() == [1]


def _poll(race, **overrides: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {
        "title": "Town hall straw poll",
        "method": "town_hall",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-01",
        "sample_size": "400",
        "overseen_by": "Recording Secretary",
        "result_kind": "counts",
        "notes": "",
    }
    for i, candidate in enumerate(race.candidates):
        data[f"results-{i}-candidate_id"] = str(candidate.id)
        data[f"results-{i}-in_field"] = "y"
        data[f"results-{i}-value"] = "150"
    data.update(overrides)
    return data


def test_a_poll_is_recorded_and_drawn_with_its_figures_as_text(client, auth, app, make_race):  # type: ignore[no-untyped-def]
    race = make_race(candidates=3)
    auth.login("staff")
    assert client.get(f"/races/{race.id}/polls/new").status_code == 200
    created = client.post(f"/races/{race.id}/polls/new", data=_poll(race, **{"results-2-in_field": ""}))
    assert created.status_code == 302
    client.post(
        f"/races/{race.id}/polls/new",
        data=_poll(
            race,
            title="Independent electronic poll",
            method="electronic",
            result_kind="percentages",
            **{"results-0-value": "48.5", "results-1-value": "31", "results-2-value": "12.5"},
        ),
    )
    polls = db.session.scalars(select(MemberPoll).order_by(MemberPoll.id)).all()
    assert [len(p.results) for p in polls] == [2, 3]  # Candidate C was not in the field of the first
    with app.test_request_context():
        from flask_login import login_user

        from interviews.auth.models import User

        viewer = db.session.scalar(select(User).where(User.role == "staff"))
        login_user(viewer)
        html = race_notes_section(race, viewer)
    assert "<svg" in html and html.count("<rect") == 5
    assert "Independent electronic poll" in html and "48.50%" in html and "37.5%" in html  # 150 of 400
    assert '<th scope="row">Candidate A</th>' in html  # the figures, as a table for screen readers
    book = client.get(f"/races/{race.id}/record").get_data(as_text=True)
    assert "Town hall straw poll" in book and "<svg" in book


def test_poll_figures_that_cannot_be_true_are_refused(client, auth, make_race):  # type: ignore[no-untyped-def]
    race = make_race(candidates=2)
    auth.login("staff")
    before = stored_rows()
    cases = [
        (
            {"result_kind": "percentages", "results-0-value": "60", "results-1-value": "45"},
            "add up to 105%, more than 100%",
        ),
        ({"results-0-value": "300", "results-1-value": "101"}, "more than the sample size of 400"),
        ({"opens_on": "2026-03-05", "closes_on": "2026-03-01"}, "cannot close before it opens"),
        ({"results-0-in_field": "", "results-1-in_field": ""}, "at least one candidate"),
        ({"results-0-value": ""}, "Give a result for every candidate"),
        ({"results-0-value": "-3"}, "Not negative"),
        ({"results-0-value": "10.5"}, "whole numbers"),
        ({"sample_size": "0"}, "sample size must be at least 1"),
        ({"results-0-candidate_id": "987654"}, "not in this race"),
    ]
    for overrides, message in cases:
        response = client.post(f"/races/{race.id}/polls/new", data=_poll(race, **overrides))
        html = response.get_data(as_text=True)
        assert response.status_code == 400, overrides
        assert message in html, (overrides, message)
        assert 'value="Town hall straw poll"' in html  # what was typed stays in the form
    assert db.session.scalar(select(db.func.count(MemberPoll.id))) == 0
    assert changed_tables(before) == []


def test_a_poll_is_edited_and_deleted_by_staff_only(client, auth, make_race):  # type: ignore[no-untyped-def]
    race = make_race(candidates=2)
    auth.login("staff")
    client.post(f"/races/{race.id}/polls/new", data=_poll(race))
    poll = db.session.scalar(select(MemberPoll))
    assert 'value="Town hall straw poll"' in client.get(f"/polls/{poll.id}/edit").get_data(as_text=True)
    client.post(f"/polls/{poll.id}/edit", data=_poll(race, title="Renamed", **{"results-1-in_field": ""}))
    db.session.refresh(poll)
    assert poll.title == "Renamed" and len(poll.results) == 1
    auth.logout()
    auth.login("leader")
    before = stored_rows()
    assert client.post(f"/polls/{poll.id}/delete").status_code == 403
    assert changed_tables(before) == []
    auth.logout()
    auth.login("admin")
    assert client.post(f"/polls/{poll.id}/delete").status_code == 302
    assert db.session.scalar(select(db.func.count(MemberPoll.id))) == 0


def test_the_race_page_links_questions_polls_and_record_book(client, auth, make_race, make_questions, race_page_reads):  # type: ignore[no-untyped-def]
    race = make_race()
    auth.login("staff")
    assert "Question list</a> (none yet)" in " ".join(client.get(f"/races/{race.id}").get_data(as_text=True).split())
    make_questions(race, ["First?"])
    make_questions(race, ["One?", "Two?", "Three?"])
    shown = race_page_reads(race.id, "question_lists")
    page = shown.page
    assert "(version 2, 3 questions)" in page  # the newest list, counted
    assert shown.reads == 0  # its figures come with the race's facts (races.stages.race_figures)
    # Another race's lists are its own: newer versions there change nothing here, and the reverse.
    other = make_race("Another race")
    for questions in (["A?"], ["B?"], ["C?", "D?"], ["E?"]):
        make_questions(other, questions)
    assert "(version 4, 1 question)" in client.get(f"/races/{other.id}").get_data(as_text=True)
    assert "(version 2, 3 questions)" in client.get(f"/races/{race.id}").get_data(as_text=True)
    assert f"/races/{race.id}/questions" in page and f"/races/{race.id}/record" in page
    assert "Member polls" in page and f"/races/{race.id}/polls/new" in page
    auth.logout()
    auth.login("leader")
    page = client.get(f"/races/{race.id}").get_data(as_text=True)
    assert f"/races/{race.id}/record" in page and "/polls/new" not in page and "/questions/edit" not in page


def test_an_interview_without_a_list_is_pinned_to_the_one_its_notes_answer(
    client, auth, make_race, make_user, make_questions, make_interview, write_note
):  # type: ignore[no-untyped-def]
    race = make_race()
    leader = make_user("leader")
    interview = make_interview(race, [leader], question_list=None)
    first = make_questions(race, ["Old question?"])
    write_note(interview, leader, "Answer to the old question", "panel", question=first.questions[0])
    assert interview.question_list_id == first.id
    make_questions(race, ["New question?"])
    auth.login(leader)
    page = client.get(f"/interviews/{interview.id}/notes").get_data(as_text=True)
    assert "Old question?" in page and "Answer to the old question" in page and "New question?" not in page


def test_a_poll_edit_missing_or_naming_the_wrong_candidates_is_refused_and_keeps_the_poll(client, auth, make_race):  # type: ignore[no-untyped-def]
    race = make_race(candidates=2)
    other = make_race("Another race", candidates=1)
    auth.login("staff")
    client.post(f"/races/{race.id}/polls/new", data=_poll(race))
    poll = db.session.scalar(select(MemberPoll))
    missing = _poll(race, title="Renamed")
    del missing["results-0-candidate_id"]  # the page's fields, one hidden id left out
    repeated = _poll(race, title="Renamed", **{"results-1-candidate_id": str(race.candidates[0].id)})
    foreign = _poll(race, title="Renamed", **{"results-1-candidate_id": str(other.candidates[0].id)})
    for data in (missing, repeated, foreign):
        before = stored_rows()
        response = client.post(f"/polls/{poll.id}/edit", data=data)
        assert response.status_code == 400, response.status_code
        assert "error" in response.get_data(as_text=True)
        assert changed_tables(before) == []
    db.session.refresh(poll)
    assert poll.title == "Town hall straw poll" and len(poll.results) == 2


def test_the_race_page_reads_polls_only_for_a_race_that_has_some(client, auth, make_race, race_page_reads):  # type: ignore[no-untyped-def]
    race = make_race(candidates=2)
    auth.login("staff")
    before = race_page_reads(race.id, "member_polls")
    assert "No member polls recorded." in before.page and before.reads == 0
    assert client.post(f"/races/{race.id}/polls/new", data=_poll(race)).status_code == 302
    after = race_page_reads(race.id, "member_polls")
    assert "Town hall straw poll" in after.page and after.reads == 1
    assert after.count == before.count + 1
