"""E-mails as calendar clients send them back to the organiser, written out by hand.

Each builder returns the bytes a mail server would hold: the headers, MIME structure, transfer
encodings and calendar quirks of the client it is named after (see interviews/inbox/itip.py for
the list), around the iCalendar text a test writes. Nothing here uses the app's own code.
"""

from __future__ import annotations

import base64
from email.quoprimime import body_encode as quoted_printable

CRLF = "\r\n"


def fold(ics: str) -> str:
    """RFC 5545 line folding: content lines longer than 75 octets continue on a line starting with a space."""
    out = []
    for line in ics.strip("\n").split("\n"):
        data = line.encode("utf-8")
        while len(data) > 75:
            cut = 75
            while (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
                cut -= 1
            out.append(data[:cut].decode("utf-8"))
            data = b" " + data[cut:]
        out.append(data.decode("utf-8"))
    return "\r\n".join(out) + "\r\n"


def b64(text: str) -> str:
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def qp(text: str) -> str:
    """Quoted-printable of the UTF-8 bytes (the stdlib encoder takes each character as one byte)."""
    return quoted_printable(text.encode("utf-8").decode("latin-1"), maxlinelen=76, eol=CRLF)


def crlf(text: str) -> bytes:
    return text.strip("\n").replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8") + b"\r\n"


# --- Google Calendar ----------------------------------------------------------------------------

GOOGLE_TEXT = b64("Invitation from Google Calendar\n\nThe answer is in the attached calendar file.\n")


def google_ics(
    uid: str,
    *,
    email: str,
    name: str,
    partstat: str,
    note: str = "",
    sequence: int = 0,
    start: str = "20270315T140000Z",
    end: str = "20270315T144500Z",
    stamp: str = "20270201T101500Z",
    attendee_params: str = "",
    extra_attendee: str = "",
) -> str:
    comment = f';X-RESPONSE-COMMENT="{note}"' if note else ""
    return fold(f"""
BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:REPLY
BEGIN:VEVENT
DTSTART:{start}
DTEND:{end}
DTSTAMP:{stamp}
ORGANIZER;CN=Test Labor Council:mailto:scheduling@labor.example.org
UID:{uid}
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat}{attendee_params};CN={name};X-NUM-GUESTS=0{comment}:mailto:{email}
{extra_attendee}CREATED:20270201T093000Z
DESCRIPTION:Test Labor Council endorsement interview with Candidate A for State Senate District 7.
LAST-MODIFIED:{stamp}
LOCATION:
SEQUENCE:{sequence}
STATUS:CONFIRMED
SUMMARY:Endorsement interview: Candidate A (State Senate District 7)
TRANSP:OPAQUE
END:VEVENT
END:VCALENDAR
""")


def google_reply(
    ics: str, *, sender: str, subject: str, message_id: str = "<0000000000004f8a2c05f1a2b3c4@google.com>"
) -> bytes:
    """Gmail's shape: mixed(alternative(text, html, text/calendar 7bit), application/ics base64)."""
    return crlf(f"""
MIME-Version: 1.0
Date: Mon, 1 Feb 2027 05:15:02 -0500
Message-ID: {message_id}
Subject: {subject}
From: {sender}
To: scheduling@labor.example.org
Content-Type: multipart/mixed; boundary="0000000000004f8a2f05f1a2b3c5"

--0000000000004f8a2f05f1a2b3c5
Content-Type: multipart/alternative; boundary="0000000000004f8a2d05f1a2b3c6"

--0000000000004f8a2d05f1a2b3c6
Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes
Content-Transfer-Encoding: base64

{GOOGLE_TEXT}
--0000000000004f8a2d05f1a2b3c6
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<span itemscope itemtype=3D"http://schema.org/InformAction"><span style=3D"d=
isplay:none" itemprop=3D"about">Answer</span></span><p>Invitation from Googl=
e Calendar</p>
--0000000000004f8a2d05f1a2b3c6
Content-Type: text/calendar; charset="UTF-8"; method=REPLY
Content-Transfer-Encoding: 7bit

{ics}
--0000000000004f8a2d05f1a2b3c6--
--0000000000004f8a2f05f1a2b3c5
Content-Type: application/ics; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: base64

{b64(ics)}
--0000000000004f8a2f05f1a2b3c5--
""")


# --- Outlook / Exchange -------------------------------------------------------------------------

EASTERN = """BEGIN:VTIMEZONE
TZID:Eastern Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""


def outlook_ics(
    uid: str,
    *,
    email: str,
    name: str,
    partstat: str,
    comment: str = "",
    method: str = "REPLY",
    sequence: int = 0,
    start: str = "20270315T100000",
    end: str = "20270315T104500",
    stamp: str = "20270201T151000Z",
    attendee_params: str = "",
) -> str:
    what = {"ACCEPTED": "Accepted", "DECLINED": "Declined", "TENTATIVE": "Tentative"}.get(partstat, partstat.title())
    summary = f"{what if method == 'REPLY' else 'New Time Proposed'}: Endorsement interview: Candidate A"
    comment_line = f"COMMENT;LANGUAGE=en-US:{comment}\n" if comment else ""
    return fold(f"""
BEGIN:VCALENDAR
METHOD:{method}
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
{EASTERN}
BEGIN:VEVENT
ATTENDEE;PARTSTAT={partstat};CN={name}{attendee_params}:MAILTO:{email}
{comment_line}SUMMARY;LANGUAGE=en-US:{summary}
DTSTART;TZID=Eastern Standard Time:{start}
DTEND;TZID=Eastern Standard Time:{end}
UID:{uid}
CLASS:PUBLIC
PRIORITY:5
DTSTAMP:{stamp}
TRANSP:OPAQUE
STATUS:CONFIRMED
SEQUENCE:{sequence}
LOCATION;LANGUAGE=en-US:
X-MICROSOFT-CDO-APPT-SEQUENCE:{sequence}
X-MICROSOFT-CDO-OWNERAPPTID:-1825612345
X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE
X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY
X-MICROSOFT-CDO-ALLDAYEVENT:FALSE
X-MICROSOFT-CDO-IMPORTANCE:1
X-MICROSOFT-CDO-INSTTYPE:0
X-MICROSOFT-DONOTFORWARDMEETING:FALSE
X-MICROSOFT-DISALLOW-COUNTER:FALSE
END:VEVENT
END:VCALENDAR
""")


def outlook_reply(
    ics: str,
    *,
    sender: str,
    subject: str,
    method: str = "REPLY",
    message_id: str = "<SN6PR04MB4973D1E2F3A4B5C6D7E8F9A0B1C2@SN6PR04MB4973.namprd04.prod.outlook.com>",
) -> bytes:
    """Outlook's shape: alternative(text QP, html QP, text/calendar base64), Exchange's headers."""
    return crlf(f"""
From: {sender}
To: Test Labor Council <scheduling@labor.example.org>
Subject: {subject}
Thread-Topic: Endorsement interview: Candidate A (State Senate District 7)
Thread-Index: AQHZk2xQ3v4F7d8aUEWh0m2T9v1s0Q==
Date: Mon, 1 Feb 2027 15:10:44 +0000
Message-ID: {message_id}
Accept-Language: en-US
Content-Language: en-US
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
Content-Type: multipart/alternative;
\tboundary="_000_SN6PR04MB4973D1E2F3A4B5C6SN6PR04MB4973namp_"
MIME-Version: 1.0

--_000_SN6PR04MB4973D1E2F3A4B5C6SN6PR04MB4973namp_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Answer from Outlook.

--_000_SN6PR04MB4973D1E2F3A4B5C6SN6PR04MB4973namp_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

<html><head><meta http-equiv=3D"Content-Type" content=3D"text/html; charset=
=3Dus-ascii"></head><body>Answer from Outlook.</body></html>

--_000_SN6PR04MB4973D1E2F3A4B5C6SN6PR04MB4973namp_
Content-Type: text/calendar; charset="utf-8"; method={method}
Content-Transfer-Encoding: base64

{b64(ics)}

--_000_SN6PR04MB4973D1E2F3A4B5C6SN6PR04MB4973namp_--
""")


# --- Apple Calendar -----------------------------------------------------------------------------

APPLE_MIME_VERSION = "1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))"
NEW_YORK = """BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
DTSTART:20070311T020000
TZNAME:EDT
TZOFFSETTO:-0400
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
DTSTART:20071104T020000
TZNAME:EST
TZOFFSETTO:-0500
END:STANDARD
END:VTIMEZONE"""


def apple_ics(
    uid: str,
    *,
    email: str,
    name: str,
    partstat: str,
    sequence: int = 0,
    start: str = "20270315T100000",
    end: str = "20270315T104500",
    stamp: str = "20270201T162233Z",
) -> str:
    return fold(f"""
BEGIN:VCALENDAR
METHOD:REPLY
VERSION:2.0
PRODID:-//Apple Inc.//macOS 14.4.1//EN
CALSCALE:GREGORIAN
{NEW_YORK}
BEGIN:VEVENT
ATTENDEE;CN="{name}";CUTYPE=INDIVIDUAL;EMAIL="{email}";PARTSTAT={partstat};ROLE=REQ-PARTICIPANT:mailto:{email}
DTEND;TZID=America/New_York:{end}
DTSTAMP:{stamp}
DTSTART;TZID=America/New_York:{start}
ORGANIZER;CN="Test Labor Council":mailto:scheduling@labor.example.org
REQUEST-STATUS:2.0;Success
SEQUENCE:{sequence}
SUMMARY:Endorsement interview: Candidate A (State Senate District 7)
UID:{uid}
X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC
END:VEVENT
END:VCALENDAR
""")


def apple_reply(
    ics: str, *, sender: str, subject: str, message_id: str = "<A1B2C3D4-E5F6-4789-ABCD-0123456789AB@icloud.com>"
) -> bytes:
    """Apple Mail's shape: alternative(text 7bit, html QP, text/calendar QP with a name=...ics)."""
    return crlf(f"""
From: {sender}
Content-Type: multipart/alternative;
\tboundary="Apple-Mail=_5C6F3D2A-8B1E-4F7A-9C3D-2E1F0A9B8C7D"
Mime-Version: {APPLE_MIME_VERSION}
Subject: {subject}
Date: Mon, 1 Feb 2027 11:22:33 -0500
Message-Id: {message_id}
To: scheduling@labor.example.org
X-Mailer: Apple Mail (2.3774.600.62)

--Apple-Mail=_5C6F3D2A-8B1E-4F7A-9C3D-2E1F0A9B8C7D
Content-Transfer-Encoding: 7bit
Content-Type: text/plain;
\tcharset=us-ascii

Answer from Apple Calendar.
--Apple-Mail=_5C6F3D2A-8B1E-4F7A-9C3D-2E1F0A9B8C7D
Content-Transfer-Encoding: quoted-printable
Content-Type: text/html;
\tcharset=us-ascii

<html><head><meta http-equiv=3D"content-type" content=3D"text/html; charset=3D=
us-ascii"></head><body>Answer</body></html>
--Apple-Mail=_5C6F3D2A-8B1E-4F7A-9C3D-2E1F0A9B8C7D
Content-Transfer-Encoding: quoted-printable
Content-Type: text/calendar;
\tcharset=utf-8;
\tmethod=REPLY;
\tname=iCal-20270201-112233.ics

{qp(ics)}
--Apple-Mail=_5C6F3D2A-8B1E-4F7A-9C3D-2E1F0A9B8C7D--
""")


# --- what else lands in an organiser's mailbox ----------------------------------------------------


def plain_email(*, sender: str, subject: str, body: str, message_id: str, headers: str = "") -> bytes:
    extra = f"{headers}\n" if headers else ""
    return crlf(f"""
From: {sender}
To: scheduling@labor.example.org
Subject: {subject}
Date: Mon, 1 Feb 2027 09:00:00 -0500
Message-ID: {message_id}
MIME-Version: 1.0
{extra}Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{body}
""")


def calendar_email(ics: str, *, sender: str, subject: str, message_id: str, method: str = "REPLY") -> bytes:
    """A bare text/calendar message (no alternative parts), as small clients and scripts send."""
    return crlf(f"""
From: {sender}
To: scheduling@labor.example.org
Subject: {subject}
Date: Mon, 1 Feb 2027 09:30:00 -0500
Message-ID: {message_id}
MIME-Version: 1.0
Content-Type: text/calendar; charset="utf-8"; method={method}
Content-Transfer-Encoding: base64

{b64(ics)}
""")
