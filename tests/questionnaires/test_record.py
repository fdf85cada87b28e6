"""The questionnaire in the record: the record book page, its PDF, JSON (`questionnaire`, `commitments`)
and the answers CSV, visible to every reader of the record, hostile text kept as text, in a number of
queries that does not grow with the number of answers."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from interviews.extensions import db
from interviews.questionnaires import commitments
from interviews.questionnaires.models import PositionSource, Stance
from interviews.types import utcnow
from tests.notes.pdftext import pdf_text
from tests.questionnaires.conftest import good_answers, keys, response_of


def _answered(q_race, client, token, post_answers, *, candidates=2, amend_late=False, **kwargs):  # type: ignore[no-untyped-def]
    race, version, invitations = q_race(candidates=candidates, accept_late=amend_late, **kwargs)
    for invitation in invitations:
        post_answers(invitation, good_answers(version))
        client.post(
            f"/invitation/{token(invitation)}/questionnaire/submit",
            data={"revision": str(response_of(invitation).revision)},
        )
    return race, version, invitations


def _sought(race, staffer, n=2):  # type: ignore[no-untyped-def]
    made = [commitments.add_commitment(race, text=f"Commitment {k}", question_id=None, actor=staffer) for k in range(n)]
    for candidate in race.candidates:
        for k, commitment in enumerate(made):
            commitments.record_position(
                commitment,
                candidate,
                commitments.PositionInput(
                    [Stance.secured, Stance.refused, Stance.partly][k % 3],
                    PositionSource.interview,
                    date(2026, 3, 2),
                    quote="Said so at the roundtable.",
                ),
                actor=staffer,
            )
    db.session.commit()
    return made


def test_the_record_book_shows_the_answers_the_late_change_and_the_matrix(
    q_race, client, token, post_answers, auth, make_user, staffer
):
    race, version, (_, late) = _answered(q_race, client, token, post_answers, amend_late=True)
    k = keys(version)
    version.respond_by = utcnow() - timedelta(minutes=1)
    db.session.commit()
    post_answers(late, good_answers(version) | {k[0]: "no", f"{k[0]}-explanation": "Changed my mind."})
    client.post(f"/invitation/{token(late)}/questionnaire/submit", data={"revision": str(response_of(late).revision)})
    _sought(race, staffer)
    auth.login(make_user("leader"))  # any reader of the record, not only the panel
    page = client.get(f"/races/{race.id}/record").get_data(as_text=True)
    assert 'id="rb-questionnaire"' in page and "Version 1: Candidate questionnaire 2027" in page
    assert "I co-sponsored the card-check bill." in page and "Pensions; Social Security" in page
    assert "Changed after the deadline" in page and "Changed my mind." in page
    assert ">Secured</span>" in page and ">Refused</span>" in page
    assert f'<code class="digest">{version.digest}</code>' in page


def test_json_has_the_questionnaire_and_the_commitments(q_race, client, token, post_answers, auth, staffer):
    race, version, _ = _answered(q_race, client, token, post_answers)
    _sought(race, staffer, n=1)
    auth.login(staffer)
    data = client.get(f"/races/{race.id}/record.json").get_json()
    q = data["questionnaire"]
    assert [v["version"] for v in q["versions"]] == [1] and q["versions"][0]["digest"] == version.digest
    assert [r["candidate"] for r in q["responses"]] == ["Candidate A", "Candidate B"]
    submission = q["responses"][0]["submissions"][0]
    assert submission["in_record"] == "final" and submission["late"] is False
    assert submission["answers"][2] == {"question": 3, "answer": "20", "value": "20", "explanation": ""}
    assert data["commitments"]["commitments"] == [{"number": 1, "text": "Commitment 0", "question": None}]
    assert {p["candidate"]: p["stance"] for p in data["commitments"]["positions"]} == {
        "Candidate A": "secured",
        "Candidate B": "secured",
    }


def test_the_answers_csv_guards_every_cell_against_formulas(q_race, client, token, post_answers, auth):
    race, version, (invitation, _) = q_race()
    k = keys(version)
    post_answers(invitation, good_answers(version) | {k[5]: '=HYPERLINK("http://evil","x")', k[1]: "+1 cell"})
    client.post(f"/invitation/{token(invitation)}/questionnaire/submit", data={"revision": "1"})
    auth.login("leader")
    response = client.get(f"/races/{race.id}/answers.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 6  # one submission, six questions
    by_number = {row["question_number"]: row for row in rows}
    assert by_number["6"]["answer"] == '\'=HYPERLINK("http://evil","x")'
    assert by_number["2"]["answer"] == "'+1 cell"
    assert by_number["1"]["explanation"] == "I co-sponsored the card-check bill."
    assert {row["in_record"] for row in rows} == {"final"} and {row["late"] for row in rows} == {"no"}


def test_the_pdf_holds_the_answers_and_the_commitments(q_race, client, token, post_answers, auth, staffer):
    race, _, _ = _answered(q_race, client, token, post_answers)
    _sought(race, staffer, n=1)
    auth.login(staffer)
    text = pdf_text(client.get(f"/races/{race.id}/record.pdf").data)
    assert "Questionnaire" in text and "I co-sponsored the card-check bill." in text
    assert "Commitment 0: SECURED (Interview" in text


def test_hostile_answers_are_text_in_the_record_book(q_race, client, token, post_answers, auth):
    race, version, (invitation, _) = q_race()
    hostile = "<script>alert(1)</script>"
    post_answers(invitation, good_answers(version) | {keys(version)[1]: hostile})
    client.post(f"/invitation/{token(invitation)}/questionnaire/submit", data={"revision": "1"})
    auth.login("leader")
    page = client.get(f"/races/{race.id}/record").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_record_book_costs_the_same_queries_for_2_or_4_campaigns_answering(
    q_race, client, token, post_answers, auth, staffer, count_queries, make_race
):
    empty = make_race("A race without a questionnaire")
    small, _, _ = _answered(q_race, client, token, post_answers, candidates=2)
    _sought(small, staffer, n=1)
    big, version, invitations = _answered(q_race, client, token, post_answers, candidates=4, title="Bigger race")
    for invitation in invitations:  # every campaign amends once: twice the submissions
        post_answers(invitation, good_answers(version) | {keys(version)[2]: "21"})
        client.post(
            f"/invitation/{token(invitation)}/questionnaire/submit",
            data={"revision": str(response_of(invitation).revision)},
        )
    _sought(big, staffer, n=4)
    auth.login(staffer)
    counts = {}
    for name, race in (("none", empty), ("small", small), ("big", big)):
        for path in ("record", "record.json", "record.pdf", "answers.csv"):
            with count_queries() as q:
                response = client.get(f"/races/{race.id}/{path}")
                response.get_data()  # streamed exports run their queries as they are read
            assert response.status_code == 200, (path, response.status_code)
            counts[(name, path)] = q.count
    for path in ("record", "record.json", "record.pdf", "answers.csv"):
        assert counts[("small", path)] == counts[("big", path)], (path, counts)
    print("record book queries (no questionnaire / with):", counts)
