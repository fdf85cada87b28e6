"""The Inbox page and the interview's "Calendar answers" card, with the feature on and off."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from interviews.extensions import db
from interviews.inbox.models import InboxMessage, KeptReason, Outcome
from interviews.types import utcnow


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page as a reader sees it: tags gone, white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_with_imap_off_the_pages_say_so(app, booked, client, auth, staffer):
    auth.login(staffer)
    inbox = text(client.get("/inbox/"))
    assert "Reading calendar answers is off:" in inbox
    assert "IMAP_HOST" in inbox and "flask --app wsgi inbox work" in inbox
    page = text(client.get(f"/interviews/{booked.interview.id}"))
    assert "Reading calendar answers is off: no IMAP mailbox is configured" in page
    # Nothing to act on, nothing kept: the dashboard has no inbox card.
    assert "Answers from calendars" not in client.get("/dashboard").get_data(as_text=True)


def test_with_imap_on_the_inbox_names_the_folder_read(imap_app, folder, client, auth, staffer):
    auth.login(staffer)
    inbox = text(client.get("/inbox/"))
    assert "Reading calendar answers is off" not in inbox
    assert f"Reading organiser@labor.example.org@127.0.0.1:{folder.server.port}/{folder.name} ." in inbox
    assert "No message has been read yet." in inbox


def test_a_host_without_a_user_name_is_explained(app, client, auth, staffer):
    app.config.update(IMAP_HOST="imap.example.org", IMAP_USERNAME="")
    auth.login(staffer)
    inbox = text(client.get("/inbox/"))
    assert "Reading calendar answers is not working: IMAP_HOST is set but IMAP_USERNAME is not" in inbox


def test_leaders_see_the_answers_card_but_not_the_inbox(imap_app, booked, client, auth):
    leader = booked.panel[0]
    db.session.commit()
    auth.login(leader)
    page = text(client.get(f"/interviews/{booked.interview.id}"))
    assert "Calendar answers" in page and "No answer yet" in page
    assert client.get("/inbox/").status_code == 403
    assert 'href="/inbox/"' not in client.get("/dashboard").get_data(as_text=True)  # not in their navigation


def test_an_unknown_message_is_a_404(app, client, auth, staffer):
    auth.login(staffer)
    assert client.get("/inbox/987654").status_code == 404


def test_the_dashboard_counts_the_messages_kept_in_the_last_two_weeks(app, client, auth, staffer):
    def message(uid: int, days_ago: float, outcome: Outcome) -> InboxMessage:
        return InboxMessage(
            mailbox="INBOX",
            uidvalidity=1,
            uid=uid,
            received_at=utcnow() - timedelta(days=days_ago),
            outcome=outcome,
            reason=KeptReason.unknown_uid if outcome is Outcome.kept else None,
        )

    # Two kept within the 14 days, one kept before them, one handled: the card counts two.
    db.session.add_all(
        [
            message(1, 1, Outcome.kept),
            message(2, 13, Outcome.kept),
            message(3, 15, Outcome.kept),
            message(4, 1, Outcome.handled),
        ]
    )
    db.session.commit()
    auth.login(staffer)
    page = text(client.get("/dashboard"))
    assert "Answers from calendars" in page
    assert "2 messages from the last 14 days could not be used : see why on the Inbox page." in page
