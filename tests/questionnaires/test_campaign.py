"""The campaign answers through its invitation link: drafts without JavaScript, a stale page refused with
the text kept, review, submit, amend, the deadline, and every kind of bad answer refused with a message."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.mail.models import OutboxMessage
from interviews.questionnaires.models import QuestionnaireSubmission, QuestionnaireVersion, ResponseStatus
from interviews.races.candidates import withdraw_candidate
from interviews.types import utcnow
from tests.conftest import changed_tables, stored_rows
from tests.questionnaires.conftest import good_answers, keys, response_of

NY = ZoneInfo("America/New_York")


def _expected_text(version: QuestionnaireVersion) -> str:
    """The questionnaire as every campaign receives it, written out by hand from the fixture's questions."""
    local, utc = version.respond_by.astimezone(NY), version.respond_by
    deadline = f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()} ({utc:%Y-%m-%d %H:%M} UTC)"
    return "\n".join(
        [
            "Candidate questionnaire 2027",
            "",
            "Please answer in writing before your interview.",
            "",
            "Organising",
            "1. Will you support card check? (required; yes, no or it depends, with an explanation)",
            "2. What penalties should union busting carry? (optional; a text)",
            "",
            "Wages",
            "3. What minimum wage will you fight for ($ an hour)? (required; a number from 7.25 to 50)",
            "4. Will you sign the PLA pledge? (required; one of: Yes; No; Undecided)",
            "5. Which will you protect? (optional; any of: Pensions; Social Security; Health care)",
            "6. Who should our staff follow up with? (optional; a short text)",
            "",
            f"Please answer by {deadline}.",
        ]
    )


def test_each_invitation_carries_the_questionnaire_frozen_with_one_digest(q_race, client, token):
    _, version, invitations = q_race(candidates=3)
    digest = hashlib.sha256(_expected_text(version).encode()).hexdigest()
    db.session.refresh(version)
    assert version.frozen_at is not None and version.digest == digest
    assert [response_of(i).digest for i in invitations] == [digest] * 3
    # The invitation e-mail names the questionnaire and its own link; the invitation page links to it.
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).first()
    assert "Candidate questionnaire 2027: Not started." in mail.text_body
    assert "/questionnaire" in mail.text_body
    link = token(invitations[0])  # once: a token made a second later is another (equally valid) string
    page = client.get(f"/invitation/{link}").get_data(as_text=True)
    assert "Answer the questionnaire" in page and f"/invitation/{link}/questionnaire" in page
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("questionnaire.frozen") == 1 and actions.count("questionnaire.issued") == 3


def test_a_draft_saved_without_javascript_comes_back_on_reload(q_race, client, token, post_answers):
    _, version, (invitation, _) = q_race()
    link = f"/invitation/{token(invitation)}/questionnaire"
    page = client.get(link).get_data(as_text=True)
    assert "Please answer by" in page and "Save draft" in page
    k = keys(version)
    response = post_answers(invitation, {k[1]: "Per-worker fines.", k[2]: "17.50"})
    # Back to the same form (its link carries the token the post was made with).
    assert response.status_code == 302 and response.headers["Location"].split("?")[0].endswith("/questionnaire")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your draft is saved" in page and "Per-worker fines.</textarea>" in page and 'value="17.50"' in page
    stored = response_of(invitation)
    assert stored.status is ResponseStatus.draft and stored.revision == 1 and stored.submissions == []
    # A draft is not something the campaign sent: no audit event, no e-mail.
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("questionnaire.sub%"))) is None


def test_the_autosave_endpoint_saves_and_names_the_new_revision(q_race, client, token):
    _, version, (invitation, _) = q_race()
    url = f"/invitation/{token(invitation)}/questionnaire/draft"
    answer = client.post(url, data={keys(version)[5]: "Tara Nguyen", "revision": "0"})
    assert answer.status_code == 200 and answer.get_json()["saved"] is True and answer.get_json()["revision"] == 1
    # The same page saving again without the new revision is someone else's older page: refused.
    stale = client.post(url, data={keys(version)[5]: "Someone else", "revision": "0"})
    assert stale.status_code == 409 and stale.get_json()["stale"] is True
    assert response_of(invitation).draft[keys(version)[5]]["value"] == "Tara Nguyen"


def test_a_save_from_a_stale_page_is_refused_with_both_texts_shown(q_race, post_answers):
    _, version, (invitation, _) = q_race()
    k = keys(version)
    assert post_answers(invitation, {k[1]: "Written by the field director."}, revision=0).status_code == 302
    before = stored_rows()
    # The campaign manager's page was opened before that save (revision 0).
    refused = post_answers(invitation, {k[1]: "Written by the campaign manager."}, revision=0)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else using your campaign&#39;s link saved these answers" in page
    assert "Written by the campaign manager.</textarea>" in page  # what this person typed, kept
    assert "Saved by someone else of your campaign" in page and "Written by the field director." in page
    assert changed_tables(before) == []
    # Saving again from that page (it now names the current revision) is a deliberate save on top.
    assert 'name="revision" type="hidden" value="1"' in page
    assert post_answers(invitation, {k[1]: "Merged text."}, revision=1).status_code == 302
    assert response_of(invitation).draft[k[1]]["value"] == "Merged text."


def test_review_then_submit_records_the_campaign_as_the_actor_and_sends_a_receipt(q_race, client, token, post_answers):
    _, version, (invitation, _) = q_race()
    saved = post_answers(invitation, good_answers(version), button="review")
    assert saved.status_code == 302 and "/questionnaire/review" in saved.headers["Location"]
    review = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Review your answers" in review and "Pensions; Social Security" in review and "Send our answers" in review
    sent = client.post(f"/invitation/{token(invitation)}/questionnaire/submit", data={"revision": "1"})
    assert sent.status_code == 302 and "/questionnaire/sent" in sent.headers["Location"]
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "What you sent: submission 1" in page and "I co-sponsored the card-check bill." in page
    submission = db.session.scalars(select(QuestionnaireSubmission)).one()
    assert submission.answers[keys(version)[2]] == {"value": "20"} and submission.late is False
    assert response_of(invitation).status is ResponseStatus.submitted
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "questionnaire.submitted")).one()
    assert event.actor_kind is ActorKind.campaign and event.actor_invitation_id == invitation.id
    assert event.actor_label.startswith("Campaign of Candidate A")
    kinds = {m.kind: m for m in db.session.scalars(select(OutboxMessage))}
    assert kinds["questionnaire_receipt"].to_addresses == "schedulera@campaign.example.com"
    assert "Jordan Ellis" in kinds["questionnaire_receipt"].text_body
    assert kinds["questionnaire_notice"].to_addresses == "scheduling@labor.example.org"


def _submit(client, token, invitation):  # type: ignore[no-untyped-def]
    revision = response_of(invitation).revision
    return client.post(f"/invitation/{token(invitation)}/questionnaire/submit", data={"revision": str(revision)})


def test_bad_answers_are_refused_at_submit_with_a_message_each_and_nothing_stored(q_race, client, token, post_answers):
    _, version, (invitation, _) = q_race()
    k = keys(version)
    answers = good_answers(version)
    answers.pop(k[0])  # a required answer missing
    answers[k[3]] = "Maybe later"  # a choice not offered
    answers[k[2]] = "500"  # a number out of range
    answers[k[5]] = "x" * 301  # over the 300 characters of a short text
    answers[k[4]] = ["Pensions", "Tax cuts"]  # a choice not offered among the ticks
    assert post_answers(invitation, answers).status_code == 302  # a draft keeps it all, to be corrected
    before = stored_rows()
    refused = _submit(client, token, invitation)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "5 answers must be completed or corrected before you can submit." in page
    assert "This question needs an answer." in page
    assert "“Maybe later” is not one of the choices offered." in page
    assert "“Tax cuts” is not one of the choices offered." in page
    assert "Give a number from 7.25 to 50." in page
    assert "At most 300 characters; this answer has 301." in page
    assert changed_tables(before) == []
    # The review page shows the problems and offers no submit button.
    review = client.get(f"/invitation/{token(invitation)}/questionnaire/review").get_data(as_text=True)
    assert "Send our answers" not in review and "Give a number from 7.25 to 50." in review


def test_it_depends_needs_an_explanation_and_numbers_must_be_numbers(q_race, client, token, post_answers):
    _, version, (invitation, _) = q_race()
    k = keys(version)
    answers = good_answers(version) | {k[0]: "depends", f"{k[0]}-explanation": "", k[2]: "twenty"}
    post_answers(invitation, answers)
    page = _submit(client, token, invitation).get_data(as_text=True)
    assert "Say what it depends on." in page and "Give a number, such as 42 or 3.5." in page


def test_an_amendment_is_a_new_version_and_the_same_answers_twice_are_refused(q_race, client, token, post_answers):
    _, version, (invitation, _) = q_race()
    k = keys(version)
    post_answers(invitation, good_answers(version))
    assert _submit(client, token, invitation).status_code == 302
    form = client.get(f"/invitation/{token(invitation)}/questionnaire").get_data(as_text=True)
    assert "You sent your answers on" in form and "I co-sponsored the card-check bill." in form  # starts from them
    post_answers(invitation, good_answers(version))
    before = stored_rows()
    same = _submit(client, token, invitation)
    assert same.status_code == 409 and "same as submission 1" in same.get_data(as_text=True)
    assert changed_tables(before) == []
    post_answers(invitation, good_answers(version) | {k[2]: "22"})
    assert _submit(client, token, invitation).status_code == 302
    stored = response_of(invitation)
    assert [s.number for s in stored.submissions] == [1, 2] and stored.record_submission.answers[k[2]]["value"] == "22"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "questionnaire.amended")).one()
    assert event.changes["questions_changed"] == [3]


def test_after_the_deadline_the_questionnaire_is_closed_unless_late_answers_are_accepted(
    q_race, client, token, post_answers
):
    _, version, (closed, _) = q_race()
    version.respond_by = utcnow() - timedelta(hours=1)
    db.session.commit()
    before = stored_rows()
    refused = post_answers(closed, good_answers(version))
    assert refused.status_code == 409
    assert "it no longer takes answers" in refused.get_data(as_text=True)
    page = refused.get_data(as_text=True)
    # What was typed is shown back (read-only) so that it can be copied: nothing typed is lost silently.
    assert "it was not saved" in page and "Fines per worker, and debarment from public contracts." in page
    assert changed_tables(before) == []


def test_late_answers_are_accepted_and_marked_when_staff_allow_them(q_race, client, token, post_answers):
    _, version, (invitation, _) = q_race(accept_late=True)
    k = keys(version)
    post_answers(invitation, good_answers(version))
    assert _submit(client, token, invitation).status_code == 302  # on time
    version.respond_by = utcnow() - timedelta(minutes=5)
    db.session.commit()
    post_answers(invitation, good_answers(version) | {k[0]: "no", f"{k[0]}-explanation": "Changed my mind."})
    sent = _submit(client, token, invitation)
    assert sent.status_code == 302
    assert "marked late" in client.get(sent.headers["Location"]).get_data(as_text=True)
    stored = response_of(invitation)
    assert [s.late for s in stored.submissions] == [False, True]
    assert stored.record_submission.number == 1 and [s.number for s in stored.late_submissions] == [2]
    assert stored.status is ResponseStatus.late


def test_a_withdrawn_candidates_link_and_a_made_up_link_open_nothing(q_race, client, token, staffer):
    _, version, (invitation, _) = q_race()
    assert client.get("/invitation/not-a-real-token/questionnaire").status_code == 403
    withdraw_candidate(invitation.candidate, reason="Left the race.", actor=staffer)
    db.session.commit()
    before = stored_rows()
    link = f"/invitation/{token(invitation)}/questionnaire"
    assert client.get(link).status_code == 410
    assert client.post(link, data={"revision": "0", keys(version)[1]: "x"}).status_code == 410
    assert changed_tables(before) == []


def test_hostile_answers_are_text_on_every_page_of_the_campaign_and_in_the_receipt(q_race, client, token, post_answers):
    _, version, (invitation, _) = q_race()
    k = keys(version)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post_answers(invitation, good_answers(version) | {k[1]: hostile, k[5]: '=HYPERLINK("http://evil")'})
    for path in ("questionnaire", "questionnaire/review"):
        page = client.get(f"/invitation/{token(invitation)}/{path}").get_data(as_text=True)
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    _submit(client, token, invitation)
    page = client.get(f"/invitation/{token(invitation)}/questionnaire/sent").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    receipt = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "questionnaire_receipt")).one()
    assert hostile in receipt.text_body  # plain text is text
    assert "<script>alert" not in receipt.html_body and "&lt;script&gt;" in receipt.html_body


def test_the_campaign_downloads_what_it_sent_as_a_pdf(q_race, client, token, post_answers):
    from tests.notes.pdftext import pdf_text

    _, version, (invitation, _) = q_race()
    post_answers(invitation, good_answers(version) | {keys(version)[1]: "Fines <per worker> & debarment."})
    _submit(client, token, invitation)
    pdf = client.get(f"/invitation/{token(invitation)}/questionnaire/sent.pdf?n=1")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Candidate questionnaire 2027" in text and "Fines <per worker> & debarment." in text
    assert "Submission 1, sent" in text and "Pensions; Social Security" in text


def _words(moment):  # type: ignore[no-untyped-def]
    """A moment as the invitation page writes it, by hand: in New York time."""
    local = moment.astimezone(NY)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"


def test_the_invitation_page_says_where_the_questionnaire_stands_at_every_step(q_race, client, token, post_answers):
    _, version, (invitation, _) = q_race(accept_late=True)
    k = keys(version)
    page_link = f"/invitation/{token(invitation)}"

    def task() -> str:
        page = client.get(page_link).get_data(as_text=True)
        card = page[page.index('class="card campaign-task"') :]
        return " ".join(card[: card.index("</section>")].split())

    deadline = _words(version.respond_by)
    assert f"Not started. Please answer it by {deadline}." in task() and "Answer the questionnaire" in task()
    post_answers(invitation, {k[1]: "Per-worker fines."})
    assert f"Draft saved, not sent yet. Please submit it by {deadline}." in task()
    post_answers(invitation, good_answers(version))
    assert _submit(client, token, invitation).status_code == 302
    first = db.session.scalars(select(QuestionnaireSubmission)).one()
    assert f"Sent {_words(first.submitted_at)} (submission 1)." in task() and "See or amend your answers" in task()
    post_answers(invitation, good_answers(version) | {k[2]: "21"})
    assert "(submission 1). You have changes saved but not sent." in task()
    version.respond_by = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert _submit(client, token, invitation).status_code == 302
    second = db.session.scalars(select(QuestionnaireSubmission).where(QuestionnaireSubmission.number == 2)).one()
    words = task()
    assert f"Sent {_words(second.submitted_at)} (submission 2), after the deadline." in words
    assert "changes saved but not sent" not in words and "See or amend your answers" in words  # late ones accepted


def test_after_the_deadline_the_page_says_the_questionnaire_is_closed(q_race, client, token):
    _, version, (invitation, _) = q_race()
    version.respond_by = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = client.get(f"/invitation/{token(invitation)}").get_data(as_text=True)
    deadline = _words(version.respond_by)
    assert f"The deadline ({deadline}) has passed; the questionnaire no longer takes answers." in page
    assert "See what you sent" in page and "Answer the questionnaire" not in page


def test_the_race_page_names_the_latest_version_and_counts_the_campaigns_by_status(q_race, client, auth, post_answers):
    race, version, _ = q_race(send=False, required=True)
    auth.login("staff")
    page = " ".join(client.get(f"/races/{race.id}").get_data(as_text=True).split())
    deadline = _words(version.respond_by)
    assert f"“Candidate questionnaire 2027”, version 1 (not sent yet) · answer by {deadline}" in page
    assert "<strong>required before booking</strong>" in page and "No campaign has received it yet." in page
    other_race, other_version, (first, _) = q_race()
    post_answers(first, {keys(other_version)[1]: "A draft."})
    page = " ".join(client.get(f"/races/{other_race.id}").get_data(as_text=True).split())
    assert f"“Candidate questionnaire 2027”, version 1 · answer by {_words(other_version.respond_by)}." in page
    assert "required before booking" not in page
    # One campaign has a draft, the other has not started: each status with its count.
    assert "Draft</span> 1</li>" in page and "Not started</span> 1</li>" in page
