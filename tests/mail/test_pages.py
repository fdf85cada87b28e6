"""The outbox pages: who may see them, what they show, retrying, the dashboard part, the demo."""

from __future__ import annotations

import html as html_module

import pytest
from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.mail.worker import deliver_due
from tests.conftest import changed_tables, stored_rows
from tests.mail.conftest import ICS, WORKER


def _fail(message: OutboxMessage, error: str = "550 5.1.1 Recipient address rejected") -> OutboxMessage:
    message.status = OutboxStatus.failed
    message.attempts = 8
    message.last_error = error
    db.session.commit()
    return message


@pytest.mark.parametrize("role, status", [("leader", 403), ("staff", 200), ("admin", 200)])
def test_only_staff_and_admins_see_the_outbox(client, auth, make_message, role, status):
    message = make_message(ics=ICS, ics_method="REQUEST")
    auth.login(role)
    for url in ("/outbox/", f"/outbox/{message.id}", f"/outbox/{message.id}/invite.ics"):
        assert client.get(url).status_code == status, url
    before = stored_rows()
    assert client.post(f"/outbox/{message.id}/retry").status_code == (403 if role == "leader" else 302)
    assert changed_tables(before) == []  # refused, or a waiting message: nothing to retry


def test_anonymous_visitors_are_asked_to_sign_in(client, make_message):
    message = make_message()
    response = client.get(f"/outbox/{message.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_unknown_ids_are_404(client, auth, make_message):
    auth.login("staff")
    plain = make_message()
    before = stored_rows()
    assert client.get("/outbox/987654").status_code == 404
    assert client.get("/outbox/987654/invite.ics").status_code == 404
    assert client.post("/outbox/987654/retry").status_code == 404
    assert client.get(f"/outbox/{plain.id}/invite.ics").status_code == 404  # no invitation in this one
    assert client.get("/outbox/?status=nonsense&page=-4").status_code == 200
    assert client.get("/outbox/?page=999").status_code == 200
    assert changed_tables(before) == []


def test_tabs_show_counts_and_the_messages_of_each(client, auth, make_message):
    auth.login("staff")
    waiting = make_message(subject="Invitation: Governor race")
    sent = make_message(subject="Sent one")
    sent.status = OutboxStatus.sent
    db.session.commit()
    failed = _fail(make_message(subject="Failed one"), "421 4.7.0 Too many connections")

    page = client.get("/outbox/").get_data(as_text=True)
    assert "Invitation: Governor race" in page and "Sent one" not in page and "Failed one" not in page
    assert "No SMTP server is configured" in page
    assert 'aria-current="page">Waiting' in page
    failed_page = client.get("/outbox/?status=failed").get_data(as_text=True)
    assert "Failed one" in failed_page and "421 4.7.0 Too many connections" in failed_page
    assert "Invitation: Governor race" not in failed_page
    assert "Sent one" in client.get("/outbox/?status=sent").get_data(as_text=True)
    assert f'href="/outbox/{waiting.id}"' in page and f"/outbox/{failed.id}" in failed_page


def test_pages_of_fifty(client, auth, make_message, count_queries):
    auth.login("staff")
    for n in range(55):
        make_message(subject=f"Message number {n:02d}")
    # Newest first: the first page holds 54 down to 05, the second the five oldest.
    first = client.get("/outbox/").get_data(as_text=True)
    assert "Message number 54" in first and "Message number 05" in first and "Message number 04" not in first
    assert first.index("Message number 54") < first.index("Message number 05")
    assert "Page 1 of 2" in first
    second = client.get("/outbox/?page=2").get_data(as_text=True)
    assert "Message number 04" in second and "Message number 00" in second and "Message number 05" not in second
    with count_queries() as q:
        client.get("/outbox/?page=2")
    assert q.count <= 8, q  # no query per row


def test_message_page_shows_it_as_it_will_be_sent_with_its_links(client, auth, make_message):
    auth.login("staff")
    message = make_message(
        to=["Jordan Ellis <j.ellis@campaign.example.com>"],
        text="Choose a time: http://interviews.example.org/c/abc.def\n",
        html='<p>Choose <a href="http://interviews.example.org/c/abc.def">here</a></p><script>alert("x")</script>',
        ics=ICS,
        ics_method="REQUEST",
    )
    page = client.get(f"/outbox/{message.id}").get_data(as_text=True)
    assert message.message_id.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "Jordan Ellis &lt;j.ellis@campaign.example.com&gt;" in page
    assert "Test Labor Council &lt;scheduling@labor.example.org&gt;" in page  # From
    assert '<a href="http://interviews.example.org/c/abc.def"' in page  # the link, clickable
    assert "<script>" not in page  # the HTML body is only inside the sandboxed frame, escaped
    assert "<iframe" in page and "sandbox" in page
    srcdoc = page.split('srcdoc="', 1)[1].split('"', 1)[0]
    assert "<script>" in html_module.unescape(srcdoc)
    assert "UID:interview-7@labor.example.org" in page  # the .ics as text
    assert "multipart/alternative" in page and "application/ics" in page  # the MIME structure
    assert 'text/calendar; charset="UTF-8"; method=REQUEST' in html_module.unescape(page)  # as on the wire
    assert "Content-Transfer-Encoding: base64" in page  # the source, as sent


def test_ics_download(client, auth, make_message):
    auth.login("admin")
    message = make_message(ics=ICS, ics_method="CANCEL")
    response = client.get(f"/outbox/{message.id}/invite.ics")
    assert response.data == ICS
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8; method=CANCEL"
    assert response.headers["Content-Disposition"] == 'attachment; filename="invite.ics"'


def test_retry_a_failed_message_from_the_page_then_it_is_delivered(
    app, client, auth, make_message, mail_settings, smtp_server
):
    staff = auth.login("staff")
    message = _fail(make_message())
    page = client.get(f"/outbox/{message.id}").get_data(as_text=True)
    assert f'action="/outbox/{message.id}/retry"' in page

    response = client.post(f"/outbox/{message.id}/retry")
    assert response.status_code == 302 and response.headers["Location"] == f"/outbox/{message.id}"
    db.session.refresh(message)
    assert message.status is OutboxStatus.pending and message.attempts == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail.retry"))
    assert event.actor_id == staff.id and event.entity_id == message.id
    assert event.changes == {"status": ["failed", "pending"], "attempts": [8, 0]}

    app.config.update(mail_settings)
    assert deliver_due(actor=WORKER).sent == 1
    assert smtp_server.wait_for(1)[0]["Message-ID"] == message.message_id


def test_retrying_a_message_that_did_not_fail_changes_nothing(client, auth, make_message):
    auth.login("staff")
    message = make_message()
    before = stored_rows()
    response = client.post(f"/outbox/{message.id}/retry", follow_redirects=True)
    assert "Only a failed message can be retried" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail.retry")) is None
    assert changed_tables(before) == []


def test_retry_needs_its_csrf_token(app, client, auth, make_message):
    auth.login("staff")
    message = _fail(make_message())
    before = stored_rows()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/outbox/{message.id}/retry")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (302, 400)
    db.session.refresh(message)
    assert message.status is OutboxStatus.failed
    assert changed_tables(before) == []


def test_dashboard_shows_staff_the_counts_and_the_way_to_failures(client, auth, make_message, make_user):
    make_message()
    _fail(make_message())
    auth.login("staff")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "1 waiting" in page and "1 failed" in page and "/outbox/?status=failed" in page
    auth.logout()
    auth.login("leader")
    assert "Outbox" not in client.get("/dashboard").get_data(as_text=True)


def test_demo_adds_a_failed_message_with_a_realistic_error(app, make_race, make_user):
    from interviews.demo import DemoContext
    from interviews.mail.demo import load

    race = make_race("2027 Governor")
    hale = race.candidates[0]
    hale.name = "Gregory Hale"
    admin = make_user("admin")
    load(DemoContext(admin=admin, staff=[], leaders=[], races={race.title: race}, locations=[]))
    db.session.commit()
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.failed)).all()
    assert len(failed) == 1 and "4.2.1" in failed[0].last_error and failed[0].attempts == 8
    assert failed[0].recipient_addresses == [hale.contact_email]


def test_a_message_that_cannot_be_sent_says_why_instead_of_failing(client, auth, make_message):
    auth.login("staff")
    message = make_message()
    message.to_addresses = "not-an-address"
    db.session.commit()
    response = client.get(f"/outbox/{message.id}")
    assert response.status_code == 200
    assert "This message cannot be sent as written" in response.get_data(as_text=True)


def test_the_dashboard_counts_sent_mail_up_to_a_limit_and_says_more_than(client, auth, make_message, monkeypatch):
    """Years of sent mail are not counted on every visit: past the limit the dashboard says "more than"."""
    from interviews.mail import services as mail_services
    from interviews.mail.models import OutboxStatus

    monkeypatch.setattr(mail_services, "DASHBOARD_SENT_COUNTED", 3)
    sent = [make_message() for _ in range(3)]
    for message in sent:
        message.status = OutboxStatus.sent
    make_message()  # one waiting
    db.session.commit()
    auth.login("staff")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "1 waiting" in page and " 3 sent" in page and "more than 3 sent" not in page
    extra = make_message()
    extra.status = OutboxStatus.sent
    db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert "more than 3 sent" in page and "1 waiting" in page and "0 failed" in page
