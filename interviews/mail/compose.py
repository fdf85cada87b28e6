"""Turning an outbox row into the e-mail that goes on the wire (and that the outbox page shows).

Calendar invitations take the shape Gmail sends and Outlook, Gmail and Apple Mail act on:

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; charset="UTF-8"; method=REQUEST    (inline: what clients turn into buttons)
      application/ics; name="invite.ics"                  (attachment: the same bytes, for the rest)

The calendar parts are base64, so no mail system re-folds or re-encodes the .ics lines.
"""

from __future__ import annotations

import email.policy
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app, render_template
from markupsafe import Markup, escape

from interviews.mail.models import OutboxMessage
from interviews.mail.services import CALENDAR_METHODS, one_line, parse_mailbox
from interviews.types import utcnow

POLICY = email.policy.SMTP
ICS_FILENAME = "invite.ics"
_URL = re.compile(r"""(?:https?|webcal)://[^\s<>"']+""")


class UnsendableMessage(ValueError):
    """The row cannot become an e-mail (a malformed address): retrying will not help."""


def _address(raw: str) -> Address:
    try:
        return parse_mailbox(raw)
    except ValueError as error:
        raise UnsendableMessage(str(error)) from error


def sender() -> Address:
    """MAIL_DEFAULT_SENDER, or the organisation's name with its scheduling address."""
    config = current_app.config
    configured = config.get("MAIL_DEFAULT_SENDER") or ""
    if configured.strip():
        return _address(configured)
    return _address(f'"{one_line(config["ORGANIZATION_NAME"]).replace(chr(34), "")}" <{config["ORGANIZER_EMAIL"]}>')


def reply_to() -> Address:
    config = current_app.config
    return _address(f'"{one_line(config["ORGANIZATION_NAME"]).replace(chr(34), "")}" <{config["ORGANIZER_EMAIL"]}>')


def envelope_sender() -> str:
    return sender().addr_spec


def check_settings() -> None:
    """Raise UnsendableMessage if the sender settings are wrong: that is no single message's fault."""
    sender()
    reply_to()


def _linkify(text: str) -> Markup:
    """Plain text as HTML paragraphs with its links clickable (for messages written as text only)."""
    html_parts = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        pieces, last = [], 0
        for match in _URL.finditer(paragraph):
            url = match.group(0).rstrip(".,;:)")
            pieces.append(escape(paragraph[last : match.start()]))
            pieces.append(Markup('<a href="{0}">{0}</a>').format(url))
            last = match.start() + len(url)
        pieces.append(escape(paragraph[last:]))
        html_parts.append(Markup("<p>{}</p>").format(Markup("").join(pieces).replace("\n", Markup("<br>\n"))))
    return Markup("\n").join(html_parts)


def html_body(message: OutboxMessage) -> str:
    """The HTML part: the row's HTML (a fragment is put in the e-mail layout), or one made from the text."""
    html = message.html_body or ""
    if "<html" in html[:500].lower():
        return html
    content = Markup(html) if html.strip() else _linkify(message.text_body)  # noqa: S704  (our own services wrote it)
    return render_template(
        "mail/layout.html",
        subject=message.subject,
        content=content,
        organization_name=current_app.config["ORGANIZATION_NAME"],
    )


def calendar_method(message: OutboxMessage) -> str | None:
    method = (message.ics_method or "").strip().upper()
    return method if method in CALENDAR_METHODS else None


def _set_raw_content_type(part: EmailMessage, value: str) -> None:
    """Write Content-Type exactly as given. The email package would quote `method="REQUEST"`; that is
    valid MIME, but Gmail writes `method=REQUEST` and some Outlook versions are known to be literal."""
    part.policy = email.policy.compat32  # stores the header as a plain string, emitted as it is
    del part["Content-Type"]
    part["Content-Type"] = value
    part.policy = POLICY


def build_email(message: OutboxMessage) -> EmailMessage:
    """The e-mail for an outbox row, ready for `as_bytes()`. Raises UnsendableMessage for a bad address."""
    recipients = [_address(r) for r in message.recipients]
    if not recipients:
        raise UnsendableMessage("the message has no recipient")

    mail = EmailMessage(policy=POLICY)
    mail["From"] = sender()
    mail["Reply-To"] = reply_to()
    mail["To"] = recipients
    mail["Subject"] = one_line(message.subject)
    mail["Date"] = format_datetime(message.created_at or utcnow())
    mail["Message-ID"] = one_line(message.message_id)
    # Tells auto-responders (vacation replies) not to answer a machine.
    mail["Auto-Submitted"] = "auto-generated"

    mail.set_content(message.text_body or "", subtype="plain", charset="utf-8", cte="quoted-printable")
    mail.add_alternative(html_body(message), subtype="html", charset="utf-8", cte="quoted-printable")
    if message.ics:
        method = calendar_method(message)
        if method:
            # The inline part inside the alternative is what clients act on; method on the MIME type.
            mail.add_alternative(message.ics, maintype="text", subtype="calendar", cte="base64")
            parts = mail.get_payload()
            assert isinstance(parts, list) and isinstance(parts[-1], EmailMessage)  # add_alternative made it
            _set_raw_content_type(parts[-1], f'text/calendar; charset="UTF-8"; method={method}')
        mail.add_attachment(
            message.ics,
            maintype="application",
            subtype="ics",
            cte="base64",
            filename=ICS_FILENAME,
            params={"name": ICS_FILENAME},
        )
    return mail


EXPECTED_HEADERS = (
    "from",
    "reply-to",
    "to",
    "subject",
    "date",
    "message-id",
    "auto-submitted",
    "mime-version",
    "content-type",
)


def email_bytes(mail: EmailMessage, *, policy: email.policy.EmailPolicy[EmailMessage] = POLICY) -> bytes:
    """The bytes for the wire, checked: the header block holds exactly the headers we wrote."""
    data = mail.as_bytes(policy=policy)
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    names = tuple(line.split(b":", 1)[0].decode("ascii", "replace").lower() for line in head if line[:1] not in b" \t")
    if names != EXPECTED_HEADERS:
        raise UnsendableMessage(f"the headers came out wrong ({', '.join(names)}); refusing to send")
    return data


def links(message: OutboxMessage) -> list[str]:
    """The web links in the message, in order, once each: how a newcomer without SMTP follows them."""
    found: list[str] = []
    for source in (message.text_body or "", message.html_body or ""):
        for match in _URL.finditer(source):
            url = match.group(0).rstrip(".,;:)").replace("&amp;", "&")
            if url not in found:
                found.append(url)
    return found
