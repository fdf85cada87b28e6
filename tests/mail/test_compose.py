"""The e-mail built from an outbox row: headers, bodies, the calendar form, no header injection."""

from __future__ import annotations

import email
import email.policy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviews.mail.compose import build_email, email_bytes, links
from interviews.mail.services import enqueue, normalize_recipient
from tests.mail.conftest import ICS


def _parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def _header_block(raw: bytes) -> str:
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii")


def test_plain_message_has_text_and_html_and_every_header(app, make_message):
    app.config["MAIL_DEFAULT_SENDER"] = "Test Labor Council <scheduling@labor.example.org>"
    message = make_message(to=["Jordan Ellis <j.ellis@campaign.example.com>", "b.team@campaign.example.com"])
    raw = email_bytes(build_email(message))
    parsed = _parse(raw)

    assert parsed["From"] == "Test Labor Council <scheduling@labor.example.org>"
    assert parsed["Reply-To"] == "Test Labor Council <scheduling@labor.example.org>"
    assert parsed["To"] == "Jordan Ellis <j.ellis@campaign.example.com>, b.team@campaign.example.com"
    assert parsed["Subject"] == message.subject
    assert parsed["Message-ID"] == message.message_id
    assert parsed["Date"].datetime == message.created_at.replace(microsecond=0)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == message.text_body
    html = parsed.get_body(("html",)).get_content()
    link = "http://interviews.example.org/c/token-1"
    assert f'<a href="{link}">{link}</a>' in html  # a text-only message gets an HTML body with its link
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # SMTP line endings throughout


def test_sender_defaults_to_the_organisation_and_its_scheduling_address(app, make_message):
    app.config["MAIL_DEFAULT_SENDER"] = ""
    parsed = _parse(email_bytes(build_email(make_message())))
    assert parsed["From"] == "Test Labor Council <scheduling@labor.example.org>"


def test_an_html_fragment_is_put_in_the_layout_and_a_full_document_is_kept(app, make_message):
    fragment = make_message(html="<p>Dear scheduler, <a href='https://x.example.org/a'>choose</a></p>")
    html = _parse(email_bytes(build_email(fragment))).get_body(("html",)).get_content()
    assert "<p>Dear scheduler," in html and "<!doctype html>" in html and "Test Labor Council" in html
    document = make_message(html="<html><body><p>Whole</p></body></html>")
    html = _parse(email_bytes(build_email(document))).get_body(("html",)).get_content()
    assert html.strip() == "<html><body><p>Whole</p></body></html>"


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_calendar_invitation_takes_the_form_mail_clients_act_on(app, make_message, method):
    message = make_message(ics=ICS, ics_method=method.lower())
    raw = email_bytes(build_email(message))
    parsed = _parse(raw)

    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = list(parsed.iter_parts())
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, calendar = list(alternative.iter_parts())
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == method
    assert calendar.get_content_charset() == "utf-8"
    # Written exactly as Gmail writes it: the method unquoted on the MIME type.
    assert f'Content-Type: text/calendar; charset="UTF-8"; method={method}\r\n'.encode() in raw
    assert calendar.get_content_disposition() is None  # inline
    assert calendar["Content-Transfer-Encoding"] == "base64"
    assert calendar.get_payload(decode=True) == ICS  # not re-folded, not re-encoded

    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == ICS


def test_ics_without_a_method_is_only_an_attachment(app, make_message):
    parsed = _parse(email_bytes(build_email(make_message(ics=ICS))))
    alternative, attachment = list(parsed.iter_parts())
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_payload(decode=True) == ICS


HOSTILE = [
    "Interview\r\nBcc: everyone@evil.example.com",
    "Interview\nBcc: everyone@evil.example.com",
    "Interview\rBcc: everyone@evil.example.com",
    "Interview\u2028Bcc: everyone@evil.example.com",
    "Interview\x00\x0bBcc: everyone@evil.example.com",
    "=?utf-8?q?Interview=0D=0ABcc:_everyone@evil.example.com?=",
]


# Exactly the headers compose writes, in order: anything else got in through a value.
OUR_HEADERS = [
    "From",
    "Reply-To",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Auto-Submitted",
    "MIME-Version",
    "Content-Type",
]


def _header_names(head: str) -> list[str]:
    return [line.split(":", 1)[0] for line in head.split("\r\n") if line and not line[0].isspace()]


@pytest.mark.parametrize("subject", HOSTILE)
def test_hostile_subjects_and_names_cannot_add_headers(app, subject):
    app.config["ORGANIZATION_NAME"] = "Local 9\r\nBcc: org@evil.example.com"
    app.config["MAIL_DEFAULT_SENDER"] = ""
    message = enqueue(
        to=[f'"Jo {subject}" <jo@campaign.example.com>'],
        subject=subject,
        text="Body\r\nBcc: x@evil.example.com",
        kind="t",
    )
    raw = email_bytes(build_email(message))
    head = _header_block(raw)
    assert _header_names(head) == OUR_HEADERS
    parsed = _parse(raw)
    assert parsed["Bcc"] is None
    assert "\n" not in parsed["Subject"] and "\r" not in parsed["Subject"]
    assert [a.addr_spec for a in parsed["To"].addresses] == ["jo@campaign.example.com"]


def test_a_row_written_around_enqueue_is_still_made_safe(app, make_message):
    message = make_message()
    message.subject = "Sneaky\r\nBcc: evil@evil.example.com"
    message.to_addresses = '"Sneaky\r\nBcc: evil@evil.example.com" <jo@campaign.example.com>'
    parsed = _parse(email_bytes(build_email(message)))
    assert parsed["Bcc"] is None and parsed["Subject"] == "Sneaky Bcc: evil@evil.example.com"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=st.text(min_size=1, max_size=300), name=st.text(max_size=80))
def test_no_subject_or_name_adds_a_header(app, subject, name):
    message = enqueue(
        to=[f'"{name}" <jo@campaign.example.com>']
        if '"' not in name and "\\" not in name
        else ["jo@campaign.example.com"],
        subject=subject,
        text="x",
        kind="t",
    )
    raw = email_bytes(build_email(message))
    head = _header_block(raw)
    assert _header_names(head) == OUR_HEADERS
    assert all(len(line) <= 998 for line in head.split("\r\n"))


@pytest.mark.parametrize(
    "raw",
    ["", "not an address", "a@b.org, c@d.org", "a@b.org\r\nBcc: c@evil.example.com", "jo@", "<>", "a b@c.org"],
)
def test_enqueue_refuses_anything_but_one_address_per_recipient(app, raw):
    with pytest.raises(ValueError):
        enqueue(to=[raw or "  "], subject="s", text="t", kind="k")


def test_recipients_are_normalised_and_kept_apart(app):
    assert normalize_recipient(' "Doe,  Jo"   <JO@campaign.example.com> ') == '"Doe, Jo" <JO@campaign.example.com>'
    message = enqueue(
        to=['"Doe, Jo" <jo@campaign.example.com>', "jo@campaign.example.com "], subject="s", text="t", kind="k"
    )
    assert message.recipient_addresses == ["jo@campaign.example.com"]
    assert message.recipients == ['"Doe, Jo" <jo@campaign.example.com>']
    with pytest.raises(ValueError):
        normalize_recipient("Doe, Jo <jo@campaign.example.com>")  # unquoted comma: two addresses


def test_links_are_found_in_text_and_html_once_each(app, make_message):
    message = make_message(
        text="Pick a time: https://interviews.example.org/c/abc?x=1&y=2.\nOr (https://x.example.org/b).",
        html='<a href="https://interviews.example.org/c/abc?x=1&amp;y=2">pick</a> <a href="javascript:alert(1)">x</a>',
    )
    assert links(message) == ["https://interviews.example.org/c/abc?x=1&y=2", "https://x.example.org/b"]
