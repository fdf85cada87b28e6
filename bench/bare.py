"""Bare handlers: for each page the benchmark times, the least a Flask app could do to show the same rows.

Each route runs the minimal SQL for the rows its page shows (SQLAlchemy Core selects of the columns
shown, aggregates in SQL, no ORM objects) and renders them with a trivial Jinja template (no base
layout, no macros, no forms). It is registered only in the benchmark, on the app itself, with the
same access policy as its page, so the session, the signed-in user and the security headers cost
both sides alike: the ratio is what the page's queries, objects and templates add.

Lists a page shows a page at a time are limited the same way here: the benchmark reads the page's
pager ("Showing 1–50 of 2000 candidates.") and passes `?candidates=50`; without one, all rows.
Exports stream (a generator response, rows fetched in batches), the floor the app's exports aim for.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, Response, abort, current_app, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Template
from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import InstrumentedAttribute, aliased

from interviews.access import PUBLIC, allow
from interviews.audit.models import AuditEvent
from interviews.auth.models import Role, User
from interviews.extensions import db
from interviews.invitations.links import SALT
from interviews.invitations.models import CandidateRequest, Invitation, InvitationLetter, InvitationStatus, Slot
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.notes.models import MemberPoll, Note, PollResult, Question, QuestionList
from interviews.notes.visibility import visible_notes
from interviews.races.models import Candidate, Race, race_panel
from interviews.scheduling.models import Interview, InterviewStatus, Location, PanelSeat
from interviews.timezones import timezone_choices
from interviews.votes.models import Ballot, RollEntry, Vote, VoteOption, VoteStatus

bp = Blueprint("bare", __name__, url_prefix="/_bare")
READERS = ("leader", "staff", "admin")
SEARCH_LIMIT = 50
STREAM_BATCH = 1000

# The zone list never changes while the process runs: computed once, as a minimal app would.
_ZONES = timezone_choices()

TEMPLATES = {
    "race": """<h1>{{ race.title }}</h1><p>{{ race.office }} · {{ race.jurisdiction }} · {{ race.election_date }}
 · {{ stage }}</p><ul>{% for p in panel %}<li>{{ p.name }} {{ p.title }}</li>{% endfor %}</ul>
<p>{% for status, n in counts %}{{ status.value }} {{ n }} {% endfor %}
 · {{ slots.total }} slots, {{ slots.free }} free</p>
<table>{% for c in candidates %}<tr><td><a href="/races/{{ race.id }}/candidates/{{ c.id }}">{{ c.name }}</a>
{% if c.incumbent %}incumbent{% endif %} {{ c.website }}</td><td>{{ c.party }}</td><td>{{ c.contact_name }}
<a href="mailto:{{ c.contact_email }}">{{ c.contact_email }}</a> {{ c.contact_phone }}</td><td>
{% if c.withdrawn_at %}withdrawn {{ c.withdrawn_at.date() }}{% elif c.booked_at %}{{ t(c.booked_at) }}
{% elif c.status %}{{ c.status.value }}{% else %}not invited{% endif %}</td></tr>{% endfor %}</table>
<table>{% for i in interviews %}<tr><td><a href="/interviews/{{ i.id }}">{{ t(i.starts_at) }}</a></td>
<td>{{ i.candidate }}</td><td>{{ i.location or "" }}</td><td>{{ seats[i.id]|join(", ") }}</td>
<td>{{ i.status.value }}</td></tr>{% endfor %}</table>
<p>{{ questions }} questions</p><ul>{% for p in polls %}<li>{{ p.title }}: {{ results[p.id]|join(", ") }}</li>
{% endfor %}</ul><ul>{% for v in votes %}<li>{{ v.held_on }} {{ v.status.value }}</li>{% endfor %}</ul>""",
    "ledger": """<h1>{{ letter.subject }}</h1><p>{{ t(letter.respond_by) }}</p>
<p>{% for d, n in digests %}{{ d }} {{ n }} {% endfor %}</p><table>{% for r in rows %}<tr><th>{{ r.name }}
<small>{{ r.party }}</small> {{ r.contact_name }} &lt;{{ r.contact_email }}&gt;</th><td>{{ r.label }}</td><td><ul>
{% for what, at, detail in r.events %}<li>{{ what }} {{ t(at) }} {{ detail }}</li>{% endfor %}</ul></td></tr>
{% endfor %}</table>""",
    "record": """<h1>{{ race.title }}</h1><table>{% for i in candidates %}<tr><td>{{ i.name }} {{ i.party }}
{% if i.withdrawn_at %}withdrawn{% endif %}</td><td>{{ i.status.value if i.status else "" }}</td><td>{{ t(i.sent_at) }}
</td><td>{{ t(i.opened_at) }}</td><td>{{ t(i.answered_at) }}</td><td>{{ (i.content_digest or "")[:12] }}</td></tr>
{% endfor %}</table><ol>{% for q in questions %}<li>{{ q.topic }}:
{{ q.text }}</li>{% endfor %}</ol>{% for i in interviews %}<article><h3>{{ i.candidate }} · {{ t(i.starts_at) }}</h3>
<p>{{ i.status.value }} {{ i.location or "" }} · {{ seats[i.id]|join(", ") }}</p>{% for n in notes[i.id] %}<div>
<p><strong>{{ n.position or "" }} {{ n.topic or "" }} {{ n.text or "General note" }}</strong> {{ n.author }} ·
{{ n.visibility.value }} · {{ n.version }}, {{ t(n.updated_at) }}</p><div>{{ n.body }}</div></div>{% endfor %}
</article>{% endfor %}<ul>{% for p in polls %}<li>{{ p.title }}: {{ results[p.id]|join(", ") }}</li>{% endfor %}</ul>
{% for v in votes %}<h3>{{ v.held_on }} {{ v.status.value }} {{ v.outcome or "" }}</h3><p>{{ v.motion }}</p>
<table>{% for o in tallies[v.id] %}<tr><td>{{ o.label }}</td><td>{{ o.ballots }}</td><td>{{ o.weight }}</td></tr>
{% endfor %}</table><p>{{ v.digest or "" }}</p>{% endfor %}""",
    "search": """<p>{{ notes|length + candidates|length }} results for {{ words }}</p><ul>{% for c in candidates %}
<li><a href="/races/{{ c.race_id }}/record">{{ c.name }}</a> · {{ c.title }} {{ c.snippet }}</li>{% endfor %}</ul>
<ul>{% for n in notes %}<li><a href="/interviews/{{ n.interview_id }}/notes">{{ n.candidate }}</a> · {{ n.race }} ·
{{ n.author }} · {{ (n.question or "General note")[:60] }} {{ n.snippet }}</li>{% endfor %}</ul>""",
    "dashboard": """<h1>Hello, {{ name }}</h1><ul>{% for i in upcoming %}<li><a href="/interviews/{{ i.id }}">
{{ i.candidate }}</a> {{ i.race }} {{ t(i.starts_at) }} {{ i.location or "" }}</li>{% endfor %}</ul>
<ul>{% for r in requests %}<li>{{ r.name }} {{ r.kind.value }} {{ t(r.created_at) }} {{ r.message }}
{{ r.contact_name }} {{ r.contact_email }} {{ r.contact_phone }} /races/{{ r.race_id }}</li>{% endfor %}</ul>
<ul>{% for race, stage, reasons in attention %}<li>{{ race.title }} {{ stage }}<ul>{% for reason in reasons %}
<li>{{ reason }}</li>{% endfor %}</ul></li>{% endfor %}</ul><ul>{% for v in votes %}<li>{{ v.title }} {{ v.held_on }}
</li>{% endfor %}</ul><p>{% for status, n in outbox %}{{ status.value }} {{ n }} {% endfor %}</p>""",
    "races": """<table>{% for r in races %}<tr><td><a href="/races/{{ r.id }}">{{ r.title }}</a></td><td>{{ r.office }}
{{ r.jurisdiction }}</td><td>{{ r.election_date }}</td><td>{{ stages[r.id] }}</td><td>{{ counts.get(r.id, (0, 0))[0] }}
({{ counts.get(r.id, (0, 0))[1] }})</td></tr>{% endfor %}</table>""",
    "audit": """<p>{{ total }} events</p><select>{% for e in types %}<option>{{ e }}</option>{% endfor %}</select>
<select>{% for a in actors %}<option value="{{ a.id }}">{{ a.name }}</option>{% endfor %}</select><table>
{% for e in events %}<tr><td>{{ t(e.at) }}</td><td>{{ e.actor_label }}</td><td>{{ e.action }} {{ e.summary }}</td>
<td>{{ e.entity_type }} {{ e.entity_id }}</td><td>{% for k, v in e.changes.items() %}{{ k }}: {{ v }} {% endfor %}</td>
</tr>{% endfor %}</table>""",
    "outbox": """<p>{% for status, n in counts %}{{ status.value }} {{ n }} {% endfor %}</p>
<table>{% for m in messages %}
<tr><td><a href="/outbox/{{ m.id }}">{{ m.subject }}</a> {{ m.ics_method or "" }}</td><td>{{ m.to_addresses }}</td>
<td>{{ m.kind }}</td><td>{{ t(m.created_at) }}</td><td>{{ t(m.sent_at) }}</td></tr>{% endfor %}</table>""",
    "candidate": """<h1>{{ row.subject }}</h1><p>For {{ row.name }} · {{ row.office }}, {{ row.jurisdiction }}</p>
<select name="tz">{% for value, label in zones %}<option value="{{ value }}"{% if value == tz %} selected{% endif %}>
{{ label }}</option>{% endfor %}</select><div>{{ row.body }}</div><ul>{% for topic in topics %}<li>{{ topic }}</li>
{% endfor %}</ul><p>{{ t(row.respond_by) }}</p><ul>{% for p in panel %}<li>{{ p.name }}, {{ p.title }}</li>{% endfor %}
</ul><ul>{% for s in slots %}<li>{{ t(s.starts_at) }}–{{ t(s.ends_at) }} {{ s.location or "" }}<form method="post">
<input type="hidden" name="book-slot_id" value="{{ s.id }}"><button>Take this time</button></form></li>{% endfor %}
</ul>""",
    "ics": "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//bench//bare//EN",
            "METHOD:PUBLISH",
            "{% for i in rows %}BEGIN:VEVENT",
            "UID:{{ i.uid }}",
            "SEQUENCE:{{ i.sequence }}",
            "DTSTAMP:{{ i.updated_at.strftime(f) }}",
            "DTSTART:{{ i.starts_at.strftime(f) }}",
            "DTEND:{{ i.ends_at.strftime(f) }}",
            "SUMMARY:{{ i.candidate }} ({{ i.race }})",
            "DESCRIPTION:Endorsement interview, {{ i.race }}\\n{{ base }}/interviews/{{ i.id }}",
            "URL:{{ base }}/interviews/{{ i.id }}",
            "ORGANIZER;CN={{ organizer }}:mailto:{{ organizer }}",
            'LOCATION:{{ i.location or "" }}',
            'STATUS:{{ "CANCELLED" if i.status == cancelled else "CONFIRMED" }}',
            "END:VEVENT",
            "{% endfor %}END:VCALENDAR",
            "",
        ]
    ),
}
_compiled: dict[tuple[int, str], Template] = {}


def _template(name: str) -> Template:
    env = current_app.jinja_env
    key = (id(env), name)
    if key not in _compiled:
        _compiled[key] = env.from_string(TEMPLATES[name])
    return _compiled[key]


def _local_time(zone: str) -> Any:
    tz = ZoneInfo(zone)

    def shown(value: datetime | None) -> str:
        return value.astimezone(tz).strftime("%a %d %b %Y, %H:%M %Z") if value else ""

    return shown


def render(template: str, **context: Any) -> str:
    """The trivial template, with times in the viewer's zone (as the pages show them)."""
    zone = getattr(current_user, "timezone", None) or current_app.config["DEFAULT_TIMEZONE"]
    return _template(template).render(t=_local_time(zone), **context)


def _limit(stmt: Select[Any], noun: str) -> Select[Any]:
    """The page of rows the app's page shows (from its pager), or all of them."""
    shown = request.args.get(noun, type=int)
    return stmt.limit(shown) if shown else stmt


def _rows(stmt: Select[Any]) -> list[Any]:
    return list(db.session.execute(stmt).all())


def _race(race_id: int) -> Any:
    row = db.session.execute(
        select(Race.id, Race.title, Race.office, Race.jurisdiction, Race.election_date, Race.description).where(
            Race.id == race_id
        )
    ).one_or_none()
    if row is None:
        abort(404)
    return row


def _stage(race_id: int) -> str:
    row = db.session.execute(
        select(
            exists().where(Vote.race_id == race_id, Vote.status == VoteStatus.final).label("decided"),
            exists().where(Vote.race_id == race_id).label("voting"),
            exists().where(Interview.race_id == race_id).label("interviewed"),
        )
    ).one()
    return "decided" if row.decided else "deliberating" if row.voting else "interviewing" if row.interviewed else ""


def _seats(interview_ids: list[int] | None, race_id: int) -> dict[int, list[str]]:
    stmt = select(PanelSeat.interview_id, User.name).join(User, User.id == PanelSeat.user_id).order_by(PanelSeat.id)
    if interview_ids is None:
        stmt = stmt.join(Interview, Interview.id == PanelSeat.interview_id).where(Interview.race_id == race_id)
    else:
        stmt = stmt.where(PanelSeat.interview_id.in_(interview_ids))
    seats: dict[int, list[str]] = defaultdict(list)
    for interview_id, name in db.session.execute(stmt):
        seats[interview_id].append(name)
    return seats


def _polls(race_id: int) -> tuple[list[Any], dict[int, list[str]]]:
    polls = _rows(select(MemberPoll.id, MemberPoll.title).where(MemberPoll.race_id == race_id).order_by(MemberPoll.id))
    results: dict[int, list[str]] = defaultdict(list)
    for poll_id, name, value in db.session.execute(
        select(PollResult.poll_id, Candidate.name, PollResult.value)
        .join(Candidate, Candidate.id == PollResult.candidate_id)
        .join(MemberPoll, MemberPoll.id == PollResult.poll_id)
        .where(MemberPoll.race_id == race_id)
        .order_by(PollResult.id)
    ):
        results[poll_id].append(f"{name} {value}")
    return polls, results


def _interviews(race_id: int) -> Select[Any]:
    return (
        select(
            Interview.id,
            Interview.starts_at,
            Interview.status,
            Candidate.name.label("candidate"),
            Location.name.label("location"),
        )
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .outerjoin(Location, Location.id == Interview.location_id)
        .where(Interview.race_id == race_id)
        .order_by(Interview.starts_at, Interview.id)
    )


# --- pages ------------------------------------------------------------------------------------


@bp.get("/race/<int:race_id>")
@allow(*READERS)
def race(race_id: int) -> ResponseReturnValue:
    race_row = _race(race_id)
    booked = (
        select(func.min(Interview.starts_at))
        .where(Interview.candidate_id == Candidate.id, Interview.status == InterviewStatus.scheduled)
        .scalar_subquery()
    )
    candidates = _rows(
        _limit(
            select(
                Candidate.id,
                Candidate.name,
                Candidate.party,
                Candidate.incumbent,
                Candidate.website,
                Candidate.contact_name,
                Candidate.contact_email,
                Candidate.contact_phone,
                Candidate.withdrawn_at,
                Invitation.status,
                booked.label("booked_at"),
            )
            .outerjoin(Invitation, Invitation.candidate_id == Candidate.id)
            .where(Candidate.race_id == race_id)
            .order_by(Candidate.name, Candidate.id),
            "candidates",
        )
    )
    interviews = _rows(_limit(_interviews(race_id), "interviews"))
    letter_id = select(InvitationLetter.id).where(InvitationLetter.race_id == race_id).scalar_subquery()
    counts = _rows(
        select(Invitation.status, func.count()).where(Invitation.letter_id == letter_id).group_by(Invitation.status)
    )
    slots = db.session.execute(
        select(
            func.count().label("total"),
            func.count().filter(Slot.taken_by_id.is_(None), Slot.starts_at > datetime.now(UTC)).label("free"),
        ).where(Slot.letter_id == letter_id)
    ).one()
    polls, results = _polls(race_id)
    return render(
        "race",
        race=race_row,
        stage=_stage(race_id),
        panel=_rows(
            select(User.name, User.title)
            .join(race_panel, race_panel.c.user_id == User.id)
            .where(race_panel.c.race_id == race_id)
            .order_by(User.name)
        ),
        candidates=candidates,
        interviews=interviews,
        seats=_seats([i.id for i in interviews], race_id),
        counts=counts,
        slots=slots,
        questions=db.session.scalar(
            select(func.count())
            .select_from(Question)
            .join(QuestionList, QuestionList.id == Question.question_list_id)
            .where(QuestionList.race_id == race_id)
        ),
        polls=polls,
        results=results,
        votes=_rows(select(Vote.id, Vote.held_on, Vote.status).where(Vote.race_id == race_id).order_by(Vote.id)),
    )


def _ledger_label(row: Any) -> str:
    if row.withdrawn_at is not None:
        return "Left the race"
    return row.status.value if row.status is not None else "Not invited yet"


@bp.get("/ledger/<int:race_id>")
@allow(*READERS)
def ledger(race_id: int) -> ResponseReturnValue:
    letter = db.session.execute(
        select(InvitationLetter.id, InvitationLetter.subject, InvitationLetter.respond_by).where(
            InvitationLetter.race_id == race_id
        )
    ).one_or_none()
    if letter is None:
        abort(404)
    rows = _rows(
        _limit(
            select(
                Candidate.name,
                Candidate.party,
                Candidate.contact_name,
                Candidate.contact_email,
                Candidate.withdrawn_at,
                Invitation.id.label("invitation_id"),
                Invitation.status,
                Invitation.sent_at,
                Invitation.last_sent_at,
                Invitation.send_count,
                Invitation.reminded_at,
                Invitation.opened_at,
                Invitation.answered_at,
                Invitation.decline_reason,
                Invitation.no_reply_at,
                Invitation.withdrawn_at.label("invitation_withdrawn_at"),
                Slot.starts_at.label("slot_at"),
                Location.name.label("slot_location"),
            )
            .outerjoin(Invitation, Invitation.candidate_id == Candidate.id)
            .outerjoin(Slot, Slot.taken_by_id == Invitation.id)
            .outerjoin(Location, Location.id == Slot.location_id)
            .where(Candidate.race_id == race_id)
            .order_by(Candidate.name, Candidate.id),
            "candidates",
        )
    )
    ids = [r.invitation_id for r in rows if r.invitation_id is not None]
    later: dict[int, list[tuple[str, datetime | None, str]]] = defaultdict(list)
    for invitation_id, cancelled_by, cancelled_at, starts_at in db.session.execute(
        select(Interview.invitation_id, Interview.cancelled_by, Interview.cancelled_at, Interview.starts_at).where(
            Interview.invitation_id.in_(ids), Interview.cancelled_at.is_not(None)
        )
    ):
        later[invitation_id].append((f"Interview {cancelled_by.value}", cancelled_at, str(starts_at)))
    for invitation_id, kind, created_at, message in db.session.execute(
        select(
            CandidateRequest.invitation_id, CandidateRequest.kind, CandidateRequest.created_at, CandidateRequest.message
        ).where(CandidateRequest.invitation_id.in_(ids))
    ):
        later[invitation_id].append((kind.value, created_at, message))
    shown = []
    for r in rows:
        events: list[tuple[str, datetime | None, str]] = []
        if r.invitation_id is not None:
            events.append(("Sent", r.sent_at, r.contact_email))
            if r.send_count > 1:
                events.append(("Sent again", r.last_sent_at, ""))
            events += [(what, at, "") for what, at in (("Reminded", r.reminded_at), ("Opened", r.opened_at)) if at]
            if r.status is InvitationStatus.accepted:
                events.append(("Accepted", r.answered_at, f"{r.slot_at} {r.slot_location or ''}"))
            elif r.status is InvitationStatus.declined:
                events.append(("Declined", r.answered_at, r.decline_reason))
            events += later.get(r.invitation_id, [])
            events += [
                (w, at, "") for w, at in (("No reply", r.no_reply_at), ("Withdrawn", r.invitation_withdrawn_at)) if at
            ]
        if r.withdrawn_at is not None:
            events.append(("Left the race", r.withdrawn_at, ""))
        events.sort(key=lambda e: (e[1] is None, e[1] or datetime.min))
        shown.append({**r._asdict(), "label": _ledger_label(r), "events": events})
    digests = _rows(
        select(Invitation.content_digest, func.count())
        .where(Invitation.letter_id == letter.id)
        .group_by(Invitation.content_digest)
    )
    return render("ledger", letter=letter, rows=shown, digests=digests)


@bp.get("/record/<int:race_id>")
@allow(*READERS)
def record(race_id: int) -> ResponseReturnValue:
    race_row = _race(race_id)
    # Each candidate with what they did with the invitation: the record book's candidates and ledger.
    candidates = _rows(
        _limit(
            select(
                Candidate.name,
                Candidate.party,
                Candidate.withdrawn_at,
                Invitation.status,
                Invitation.sent_at,
                Invitation.opened_at,
                Invitation.answered_at,
                Invitation.content_digest,
            )
            .outerjoin(Invitation, Invitation.candidate_id == Candidate.id)
            .where(Candidate.race_id == race_id)
            .order_by(Candidate.name, Candidate.id),
            "candidates",
        )
    )
    latest = (
        select(QuestionList.id)
        .where(QuestionList.race_id == race_id)
        .order_by(QuestionList.version.desc())
        .limit(1)
        .scalar_subquery()
    )
    questions = _rows(
        select(Question.topic, Question.text).where(Question.question_list_id == latest).order_by(Question.position)
    )
    interviews = _rows(_limit(_interviews(race_id), "interviews"))
    paged = request.args.get("interviews", type=int) is not None
    ids = [i.id for i in interviews]
    notes_stmt = (
        select(
            Note.interview_id,
            Note.body,
            Note.visibility,
            Note.version,
            Note.updated_at,
            User.name.label("author"),
            Question.position,
            Question.topic,
            Question.text,
        )
        .join(Interview, Interview.id == Note.interview_id)
        .join(User, User.id == Note.author_id)
        .outerjoin(Question, Question.id == Note.question_id)
        .where(Interview.race_id == race_id, visible_notes(current_user))
        .order_by(Note.interview_id, Question.position.is_(None), Question.position, Note.created_at, Note.id)
    )
    if paged:
        notes_stmt = notes_stmt.where(Note.interview_id.in_(ids))
    notes: dict[int, list[Any]] = defaultdict(list)
    for note in db.session.execute(notes_stmt):
        notes[note.interview_id].append(note)
    polls, results = _polls(race_id)
    votes = _rows(
        select(Vote.id, Vote.held_on, Vote.status, Vote.outcome, Vote.digest, Vote.motion)
        .where(Vote.race_id == race_id, Vote.status.in_([VoteStatus.closed, VoteStatus.final]))
        .order_by(Vote.id)
    )
    # Every option of a counted vote with its ballots and weight: the result chart's rows.
    tallies: dict[int, list[Any]] = defaultdict(list)
    for row in db.session.execute(
        select(
            VoteOption.vote_id,
            VoteOption.label,
            func.count(Ballot.id).label("ballots"),
            func.coalesce(func.sum(Ballot.weight), 0).label("weight"),
        )
        .outerjoin(Ballot, Ballot.option_id == VoteOption.id)
        .where(VoteOption.vote_id.in_([v.id for v in votes]))
        .group_by(VoteOption.id)
        .order_by(VoteOption.vote_id, VoteOption.position)
    ):
        tallies[row.vote_id].append(row)
    return render(
        "record",
        race=race_row,
        candidates=candidates,
        tallies=tallies,
        questions=questions,
        interviews=interviews,
        seats=_seats(ids if paged else None, race_id),
        notes=notes,
        polls=polls,
        results=results,
        votes=votes,
    )


# The search document the bare search ranks over, per table: the table's stored tsvector column when the
# database has one (found by prepare_search, whether the model declares it or the app's DDL added it),
# else, for notes, one the benchmark stores beside them in a side table of its own (never in the app's
# tables, so the pages are timed on the schema as it is). Either is the floor a stored, indexed document
# allows, which is what issue 14 asks search to come near.
NOTE_DOCUMENTS = Table(
    "bench_note_documents",
    MetaData(),
    Column("note_id", Integer, primary_key=True),
    Column("document", TSVECTOR),
)
STORED = "BENCH_STORED_VECTORS"  # app.config key: {table name: column name}
SIDE_TABLE = "BENCH_NOTE_DOCUMENTS"


def prepare_search(app: Flask) -> None:
    """On PostgreSQL: find stored tsvector columns; without one on notes, build the side table and its index."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.begin() as conn:
            stored = dict(
                conn.execute(
                    text(
                        "SELECT table_name, min(column_name) FROM information_schema.columns "
                        "WHERE table_name IN ('notes', 'candidates') AND udt_name = 'tsvector' "
                        "AND table_schema = current_schema() GROUP BY table_name"
                    )
                )
                .tuples()
                .all()
            )
            app.config[STORED] = stored
            if "notes" in stored:
                return
            conn.execute(text("DROP TABLE IF EXISTS bench_note_documents"))
            conn.execute(
                text(
                    "CREATE TABLE bench_note_documents AS "
                    "SELECT id AS note_id, to_tsvector('english', body) AS document FROM notes"
                )
            )
            conn.execute(text("ALTER TABLE bench_note_documents ADD PRIMARY KEY (note_id)"))
            conn.execute(text("CREATE INDEX ix_bench_note_documents ON bench_note_documents USING GIN (document)"))
            conn.execute(text("ANALYZE bench_note_documents"))
        app.config[SIDE_TABLE] = True


def _vector(table_name: str, document: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[Any]:
    """The table's stored tsvector column, if the database has one; else the (indexed) expression."""
    column_name = current_app.config.get(STORED, {}).get(table_name)
    if column_name:
        return literal_column(f"{table_name}.{column_name}")
    return func.to_tsvector(literal_column("'english'"), document)


@bp.get("/search")
@allow(*READERS)
def search() -> ResponseReturnValue:
    words = (request.args.get("q") or "").strip()[:200]
    # Aliases: the visibility rule's EXISTS refers to interviews and races itself, and would otherwise
    # correlate with the joined ones and lose its FROM.
    interview, race = aliased(Interview), aliased(Race)
    note_columns = (
        Note.interview_id,
        User.name.label("author"),
        Candidate.name.label("candidate"),
        race.title.label("race"),
        Question.text.label("question"),
    )

    def note_joins(stmt: Select[Any]) -> Select[Any]:
        return (
            stmt.join(interview, interview.id == Note.interview_id)
            .join(Candidate, Candidate.id == interview.candidate_id)
            .join(race, race.id == interview.race_id)
            .join(User, User.id == Note.author_id)
            .outerjoin(Question, Question.id == Note.question_id)
        )

    if db.engine.dialect.name == "postgresql":
        query = func.websearch_to_tsquery(literal_column("'english'"), words)
        vector = _vector("notes", Note.body)
        ranking = select(Note.id, func.ts_rank(vector, query).label("rank"))
        if current_app.config.get(SIDE_TABLE):
            ranking = ranking.join(NOTE_DOCUMENTS, NOTE_DOCUMENTS.c.note_id == Note.id)
            vector = NOTE_DOCUMENTS.c.document
            ranking = ranking.with_only_columns(Note.id, func.ts_rank(vector, query).label("rank"))
        # Rank the readable matches and keep the best, then write snippets for those alone: a headline in
        # the ranking query is costed for every match, which on PostgreSQL also sets off JIT compilation.
        best = (
            ranking.where(vector.op("@@")(query), visible_notes(current_user))
            .order_by(literal_column("rank").desc(), Note.id)
            .limit(SEARCH_LIMIT)
            .subquery()
        )
        headline = func.ts_headline(literal_column("'english'"), Note.body, query).label("snippet")
        notes = _rows(
            note_joins(select(*note_columns, headline).select_from(best).join(Note, Note.id == best.c.id)).order_by(
                best.c.rank.desc(), Note.id
            )
        )
        document = Candidate.name + literal_column("' '") + Candidate.party
        c_vector = _vector("candidates", document)
        best_candidates = (
            select(Candidate.id, func.ts_rank(c_vector, query).label("rank"))
            .where(c_vector.op("@@")(query))
            .order_by(literal_column("rank").desc(), Candidate.id)
            .limit(SEARCH_LIMIT)
            .subquery()
        )
        candidates = _rows(
            select(
                Candidate.name,
                Candidate.race_id,
                Race.title,
                func.ts_headline(literal_column("'english'"), document, query).label("snippet"),
            )
            .select_from(best_candidates)
            .join(Candidate, Candidate.id == best_candidates.c.id)
            .join(Race, Race.id == Candidate.race_id)
            .order_by(best_candidates.c.rank.desc(), Candidate.id)
        )
    else:
        match = " AND ".join(f'"{w}"' for w in words.replace('"', " ").split()) or '""'
        notes_fts = table("notes_fts", column("rowid"))
        notes = _rows(
            note_joins(
                select(*note_columns, func.snippet(literal_column("notes_fts"), 0, "", "", "…", 24).label("snippet"))
                .select_from(Note)
                .join(notes_fts, notes_fts.c.rowid == Note.id)
            )
            .where(text("notes_fts MATCH :q").bindparams(q=match), visible_notes(current_user))
            .order_by(func.bm25(literal_column("notes_fts")), Note.id)
            .limit(SEARCH_LIMIT)
        )
        candidates_fts = table("candidates_fts", column("rowid"))
        candidates = _rows(
            select(
                Candidate.name,
                Candidate.race_id,
                Race.title,
                func.snippet(literal_column("candidates_fts"), -1, "", "", "…", 12).label("snippet"),
            )
            .join(candidates_fts, candidates_fts.c.rowid == Candidate.id)
            .join(Race, Race.id == Candidate.race_id)
            .where(text("candidates_fts MATCH :q").bindparams(q=match))
            .order_by(func.bm25(literal_column("candidates_fts")), Candidate.id)
            .limit(SEARCH_LIMIT)
        )
    return render("search", words=words, notes=notes, candidates=candidates)


def _upcoming(viewer: User) -> list[Any]:
    stmt = (
        select(
            Interview.id,
            Interview.starts_at,
            Candidate.name.label("candidate"),
            Race.title.label("race"),
            Location.name.label("location"),
        )
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Race, Race.id == Interview.race_id)
        .outerjoin(Location, Location.id == Interview.location_id)
        .where(Interview.status == InterviewStatus.scheduled, Interview.ends_at >= datetime.now(UTC))
        .order_by(Interview.starts_at, Interview.id)
        .limit(5)
    )
    if not viewer.is_staff:
        stmt = stmt.where(exists().where(PanelSeat.interview_id == Interview.id, PanelSeat.user_id == viewer.id))
    return _rows(stmt)


def _attention() -> list[tuple[Any, str, list[str]]]:
    """Races needing attention, counted in SQL: one row per open race, whatever its size."""
    running = func.count(Candidate.id).filter(Candidate.withdrawn_at.is_(None))
    interviewed = exists().where(Interview.candidate_id == Candidate.id, Interview.status != InterviewStatus.cancelled)
    not_invited = func.count(Candidate.id).filter(
        Candidate.withdrawn_at.is_(None), Invitation.id.is_(None), ~interviewed
    )
    other_times = func.count(Invitation.id).filter(Invitation.status == InvitationStatus.other_times)
    per_race = {
        r.race_id: r
        for r in db.session.execute(
            select(
                Candidate.race_id,
                running.label("running"),
                not_invited.label("not_invited"),
                other_times.label("other"),
            )
            .outerjoin(Invitation, Invitation.candidate_id == Candidate.id)
            .group_by(Candidate.race_id)
        )
    }
    unrecorded = dict(
        db.session.execute(
            select(Interview.race_id, func.count())
            .where(Interview.status == InterviewStatus.scheduled, Interview.ends_at < datetime.now(UTC))
            .group_by(Interview.race_id)
        )
        .tuples()
        .all()
    )
    races = _rows(
        select(
            Race.id,
            Race.title,
            exists().where(race_panel.c.race_id == Race.id).label("has_panel"),
            exists().where(Vote.race_id == Race.id, Vote.status == VoteStatus.final).label("decided"),
            exists().where(Vote.race_id == Race.id).label("voting"),
        )
        .where(Race.closed_at.is_(None))
        .order_by(Race.election_date, Race.title)
    )
    result = []
    for r in races:
        if r.decided:
            continue
        counts = per_race.get(r.id)
        reasons = []
        if counts is None or not counts.running:
            reasons.append("No candidates yet: add them.")
        if not r.has_panel:
            reasons.append("No default panel.")
        if counts is not None and counts.not_invited:
            reasons.append(f"{counts.not_invited} of {counts.running} candidates not invited or scheduled yet.")
        if counts is not None and counts.other:
            reasons.append(f"{counts.other} candidate(s) asked for other times.")
        if unrecorded.get(r.id):
            reasons.append(f"{unrecorded[r.id]} past interview(s) not yet marked completed or no-show.")
        if reasons:
            result.append((r, "deliberating" if r.voting else "", reasons))
    return result


@bp.get("/dashboard")
@allow("leader", "staff", "admin")
def dashboard() -> ResponseReturnValue:
    viewer: User = current_user._get_current_object()
    votes = _rows(
        select(Race.title, Vote.held_on)
        .join(Race, Race.id == Vote.race_id)
        .join(RollEntry, RollEntry.vote_id == Vote.id)
        .where(Vote.status == VoteStatus.open, RollEntry.user_id == viewer.id, RollEntry.has_voted.is_(False))
        .order_by(Vote.held_on, Vote.id)
    )
    staff = viewer.is_staff
    requests = (
        _rows(
            select(
                CandidateRequest.kind,
                CandidateRequest.created_at,
                CandidateRequest.message,
                Candidate.name,
                Candidate.contact_name,
                Candidate.contact_email,
                Candidate.contact_phone,
                Candidate.race_id,
            )
            .join(Invitation, Invitation.id == CandidateRequest.invitation_id)
            .join(Candidate, Candidate.id == Invitation.candidate_id)
            .where(CandidateRequest.handled_at.is_(None))
            .order_by(CandidateRequest.created_at)
            .limit(50)
        )
        if staff
        else []
    )
    outbox = _rows(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)) if staff else []
    return render(
        "dashboard",
        name=viewer.name,
        upcoming=_upcoming(viewer),
        requests=requests,
        attention=_attention() if staff else [],
        votes=votes,
        outbox=outbox,
    )


@bp.get("/races")
@allow(*READERS)
def races() -> ResponseReturnValue:
    rows = _rows(
        select(
            Race.id,
            Race.title,
            Race.office,
            Race.jurisdiction,
            Race.election_date,
            Race.closed_at,
            exists().where(Vote.race_id == Race.id, Vote.status == VoteStatus.final).label("decided"),
            exists().where(Vote.race_id == Race.id).label("voting"),
            exists().where(Interview.race_id == Race.id).label("interviewed"),
        ).order_by(Race.election_date, Race.title)
    )
    stages = {
        r.id: "closed"
        if r.closed_at
        else "decided"
        if r.decided
        else "deliberating"
        if r.voting
        else "interviewing"
        if r.interviewed
        else "planning"
        for r in rows
    }
    counts = {
        race_id: (running, withdrawn)
        for race_id, running, withdrawn in db.session.execute(
            select(
                Candidate.race_id,
                func.count().filter(Candidate.withdrawn_at.is_(None)),
                func.count().filter(Candidate.withdrawn_at.is_not(None)),
            ).group_by(Candidate.race_id)
        )
    }
    return render("races", races=rows, stages=stages, counts=counts)


@bp.get("/audit")
@allow("admin")
def audit() -> ResponseReturnValue:
    shown = request.args.get("events", type=int) or 50
    return render(
        "audit",
        total=db.session.scalar(select(func.count()).select_from(AuditEvent)),
        events=_rows(
            select(
                AuditEvent.at,
                AuditEvent.actor_label,
                AuditEvent.action,
                AuditEvent.summary,
                AuditEvent.entity_type,
                AuditEvent.entity_id,
                AuditEvent.changes,
            )
            .order_by(AuditEvent.id.desc())
            .limit(shown)
        ),
        types=db.session.scalars(select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)).all(),
        actors=_rows(select(User.id, User.name).order_by(User.name)),
    )


@bp.get("/outbox")
@allow("staff", "admin")
def outbox() -> ResponseReturnValue:
    shown = request.args.get("messages", type=int) or 50
    return render(
        "outbox",
        counts=_rows(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)),
        messages=_rows(
            select(
                OutboxMessage.id,
                OutboxMessage.subject,
                OutboxMessage.ics_method,
                OutboxMessage.to_addresses,
                OutboxMessage.kind,
                OutboxMessage.created_at,
                OutboxMessage.sent_at,
            )
            .where(OutboxMessage.status == OutboxStatus.sent)
            .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc())
            .limit(shown)
        ),
    )


@bp.get("/invitation/<token>")
@allow(PUBLIC)
def candidate(token: str) -> ResponseReturnValue:
    try:
        payload = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT).loads(token)
    except BadSignature:
        abort(403)
    row = db.session.execute(
        select(
            Candidate.name,
            Race.id.label("race_id"),
            Race.office,
            Race.jurisdiction,
            InvitationLetter.id.label("letter_id"),
            InvitationLetter.subject,
            InvitationLetter.body,
            InvitationLetter.topics,
            InvitationLetter.respond_by,
            InvitationLetter.timezone,
        )
        .select_from(Invitation)
        .join(Candidate, Candidate.id == Invitation.candidate_id)
        .join(InvitationLetter, InvitationLetter.id == Invitation.letter_id)
        .join(Race, Race.id == InvitationLetter.race_id)
        .where(Invitation.id == payload["i"], Invitation.link_version == payload["v"])
    ).one_or_none()
    if row is None:
        abort(410)
    tz = request.args.get("tz") or row.timezone
    slots = _rows(
        select(Slot.id, Slot.starts_at, Slot.ends_at, Location.name.label("location"))
        .outerjoin(Location, Location.id == Slot.location_id)
        .where(Slot.letter_id == row.letter_id, Slot.taken_by_id.is_(None), Slot.starts_at > datetime.now(UTC))
        .order_by(Slot.starts_at)
    )
    panel = _rows(
        select(User.name, User.title)
        .join(race_panel, race_panel.c.user_id == User.id)
        .where(race_panel.c.race_id == row.race_id)
        .order_by(User.name)
    )
    html = _template("candidate").render(
        t=_local_time(tz),
        row=row,
        tz=tz,
        zones=_ZONES,
        topics=[line for line in row.topics.splitlines() if line.strip()],
        panel=panel,
        slots=slots,
    )
    return html


# --- exports, streamed -------------------------------------------------------------------------


def _stream(stmt: Select[Any]) -> Iterator[Any]:
    """Rows in batches from the database cursor (a server-side cursor on PostgreSQL), never all at once."""
    yield from db.session.execute(stmt.execution_options(yield_per=STREAM_BATCH))


def _notes_of_race(race_id: int) -> Select[Any]:
    return (
        select(
            Note.id,
            Note.interview_id,
            Candidate.name.label("candidate"),
            Interview.starts_at,
            User.name.label("author"),
            Question.position,
            Question.topic,
            Question.text,
            Note.visibility,
            Note.version,
            Note.created_at,
            Note.updated_at,
            Note.submitted_at,
            Note.body,
        )
        .join(Interview, Interview.id == Note.interview_id)
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(User, User.id == Note.author_id)
        .outerjoin(Question, Question.id == Note.question_id)
        .where(Interview.race_id == race_id, visible_notes(current_user))
        .order_by(Note.interview_id, Question.position.is_(None), Question.position, Note.created_at, Note.id)
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@bp.get("/record.json/<int:race_id>")
@allow(*READERS)
def record_json(race_id: int) -> ResponseReturnValue:
    def generate() -> Iterator[str]:
        race_row = db.session.execute(select(Race.id, Race.title, Race.office).where(Race.id == race_id)).one()
        yield json.dumps({"id": race_row.id, "title": race_row.title, "office": race_row.office})[:-1]
        yield ', "candidates": ['
        for n, c in enumerate(
            _stream(
                select(Candidate.id, Candidate.name, Candidate.party)
                .where(Candidate.race_id == race_id)
                .order_by(Candidate.name)
            )
        ):
            yield ("," if n else "") + json.dumps(c._asdict())
        yield '], "ledger": ['
        for n, i in enumerate(
            _stream(
                select(
                    Invitation.candidate_id,
                    Invitation.status,
                    Invitation.content_digest,
                    Invitation.sent_at,
                    Invitation.opened_at,
                    Invitation.answered_at,
                )
                .join(Candidate, Candidate.id == Invitation.candidate_id)
                .where(Candidate.race_id == race_id)
                .order_by(Invitation.sent_at, Invitation.id)
            )
        ):
            row = i._asdict()
            row.update(
                status=i.status.value,
                sent_at=_iso(i.sent_at),
                opened_at=_iso(i.opened_at),
                answered_at=_iso(i.answered_at),
            )
            yield ("," if n else "") + json.dumps(row)
        seats = _seats(None, race_id)
        yield '], "interviews": ['
        for n, i in enumerate(_stream(_interviews(race_id))):
            yield ("," if n else "") + json.dumps(
                {
                    "id": i.id,
                    "candidate": i.candidate,
                    "starts_at": _iso(i.starts_at),
                    "status": i.status.value,
                    "location": i.location,
                    "panel": seats.get(i.id, []),
                }
            )
        yield '], "notes": ['
        for n, note in enumerate(_stream(_notes_of_race(race_id))):
            yield ("," if n else "") + json.dumps(
                {
                    "id": note.id,
                    "interview_id": note.interview_id,
                    "author": note.author,
                    "question": note.text,
                    "visibility": note.visibility.value,
                    "version": note.version,
                    "body": note.body,
                    "created_at": _iso(note.created_at),
                    "updated_at": _iso(note.updated_at),
                    "submitted_at": _iso(note.submitted_at),
                }
            )
        yield "]}"

    return Response(stream_with_context(generate()), mimetype="application/json")


def _csv_stream(header: list[str], rows: Iterator[list[Any]]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % 200 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


@bp.get("/notes.csv/<int:race_id>")
@allow(*READERS)
def notes_csv(race_id: int) -> ResponseReturnValue:
    def rows() -> Iterator[list[Any]]:
        for n in _stream(_notes_of_race(race_id)):
            yield [
                n.id,
                n.interview_id,
                n.candidate,
                _iso(n.starts_at),
                n.author,
                n.position,
                n.topic,
                n.text or "General note",
                n.visibility.value,
                n.version,
                _iso(n.updated_at),
                _iso(n.submitted_at),
                n.body,
            ]

    header = [
        "note_id",
        "interview_id",
        "candidate",
        "starts_at",
        "author",
        "question_number",
        "topic",
        "question",
        "visibility",
        "version",
        "updated_at",
        "submitted_at",
        "body",
    ]
    return Response(stream_with_context(_csv_stream(header, rows())), mimetype="text/csv")


@bp.get("/interviews.csv/<int:race_id>")
@allow(*READERS)
def interviews_csv(race_id: int) -> ResponseReturnValue:
    def rows() -> Iterator[list[Any]]:
        seats = _seats(None, race_id)
        readable = dict(
            db.session.execute(
                select(Note.interview_id, func.count())
                .join(Interview, Interview.id == Note.interview_id)
                .where(Interview.race_id == race_id, visible_notes(current_user))
                .group_by(Note.interview_id)
            )
            .tuples()
            .all()
        )
        for i in _stream(
            select(
                Interview.id,
                Candidate.name,
                Interview.starts_at,
                Interview.ends_at,
                Interview.timezone,
                Location.name.label("location"),
                Interview.status,
                QuestionList.version,
            )
            .join(Candidate, Candidate.id == Interview.candidate_id)
            .outerjoin(Location, Location.id == Interview.location_id)
            .outerjoin(QuestionList, QuestionList.id == Interview.question_list_id)
            .where(Interview.race_id == race_id)
            .order_by(Interview.starts_at, Interview.id)
        ):
            yield [
                i.id,
                i.name,
                _iso(i.starts_at),
                _iso(i.ends_at),
                i.timezone,
                i.location or "",
                i.status.value,
                "; ".join(seats.get(i.id, [])),
                i.version or "",
                readable.get(i.id, 0),
            ]

    header = [
        "interview_id",
        "candidate",
        "starts_at_utc",
        "ends_at_utc",
        "timezone",
        "location",
        "status",
        "panel",
        "question_list_version",
        "notes_you_can_read",
    ]
    return Response(stream_with_context(_csv_stream(header, rows())), mimetype="text/csv")


@bp.get("/all.ics/<token>")
@allow(PUBLIC)
def all_ics(token: str) -> ResponseReturnValue:
    role = db.session.scalar(select(User.role).where(User.feed_token == token, User.active.is_(True)))
    if role not in (Role.staff, Role.admin):
        abort(404)
    cutoff = datetime.now(UTC) - timedelta(days=current_app.config["CALENDAR_CANCELLED_RETENTION_DAYS"])
    rows = _stream(
        select(
            Interview.id,
            Interview.uid,
            Interview.sequence,
            Interview.updated_at,
            Interview.starts_at,
            Interview.ends_at,
            Interview.status,
            Candidate.name.label("candidate"),
            Race.title.label("race"),
            Location.name.label("location"),
        )
        .join(Candidate, Candidate.id == Interview.candidate_id)
        .join(Race, Race.id == Interview.race_id)
        .outerjoin(Location, Location.id == Interview.location_id)
        .where(or_(Interview.status != InterviewStatus.cancelled, and_(Interview.cancelled_at >= cutoff)))
        .order_by(Interview.starts_at, Interview.id)
    )
    body = _template("ics").generate(
        rows=rows,
        f="%Y%m%dT%H%M%SZ",
        cancelled=InterviewStatus.cancelled,
        base=current_app.config["BASE_URL"],
        organizer=current_app.config["ORGANIZER_EMAIL"],
    )
    return Response(stream_with_context(body), mimetype="text/calendar")
