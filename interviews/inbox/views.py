"""The Inbox page (every message read from the organiser's mailbox) and the answers on other pages."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from interviews.access import allow
from interviews.extensions import db
from interviews.inbox import answers
from interviews.inbox.mailbox import ImapSettings, InboxSettingsError, configured
from interviews.inbox.models import AttendeeReply, InboxMessage, Outcome
from interviews.scheduling.models import Interview
from interviews.sections import read_figures, render_part, section

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

PAGE_SIZE = 50
TABS: dict[str, tuple[str, Outcome]] = {
    "kept": ("Could not be used", Outcome.kept),
    "handled": ("Answers stored", Outcome.handled),
    "ignored": ("Our own e-mails", Outcome.ignored),
}


def _reading() -> dict[str, object]:
    """What the pages say about the mailbox: off, misconfigured, or which folder is read."""
    config = current_app.config
    if not configured(config):
        return {"imap_on": False, "imap_problem": "", "imap_mailbox": ""}
    try:
        settings = ImapSettings.from_config(config)
    except InboxSettingsError as error:
        return {"imap_on": False, "imap_problem": str(error), "imap_mailbox": ""}
    return {"imap_on": True, "imap_problem": "", "imap_mailbox": settings.mailbox_key if settings else ""}


def _counts() -> dict[str, int]:
    found = dict(
        db.session.execute(select(InboxMessage.outcome, func.count()).group_by(InboxMessage.outcome)).tuples().all()
    )
    return {key: found.get(outcome, 0) for key, (_, outcome) in TABS.items()}


@bp.get("/")
@allow("staff", "admin")
def index() -> ResponseReturnValue:
    tab = request.args.get("status", "kept")
    if tab not in TABS:
        tab = "kept"
    counts = _counts()
    pages = max((counts[tab] + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    messages = db.session.scalars(
        select(InboxMessage)
        .options(defer(InboxMessage.calendar_text, raiseload=True), selectinload(InboxMessage.interview))
        .where(InboxMessage.outcome == TABS[tab][1])
        .order_by(InboxMessage.received_at.desc(), InboxMessage.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    last_read = db.session.scalar(select(func.max(InboxMessage.received_at)))
    return render_template(
        "inbox/index.html",
        tabs=TABS,
        tab=tab,
        counts=counts,
        messages=messages,
        page=page,
        pages=pages,
        last_read=last_read,
        **_reading(),
    )


@bp.get("/<int:message_id>")
@allow("staff", "admin")
def message(message_id: int) -> ResponseReturnValue:
    row = db.first_or_404(
        select(InboxMessage)
        .where(InboxMessage.id == message_id)
        .options(selectinload(InboxMessage.replies).selectinload(AttendeeReply.user))
    )
    return render_template("inbox/message.html", message=row, about_current_time=answers.about_current_time)


@section("interview", order=55)
def interview_answers(interview: Interview, viewer: object) -> str | None:
    """Beside each invited person, what their calendar answered."""
    if interview is None or not getattr(viewer, "is_authenticated", False):
        return None
    people = answers.for_interview(interview)
    if not configured(current_app.config) and not any(person.replies for person in people):
        return render_part("inbox/_interview_off.html", is_staff=getattr(viewer, "is_staff", False))
    return render_part(
        "inbox/_interview_answers.html",
        interview=interview,
        people=people,
        about_current_time=answers.about_current_time,
        imap_on=configured(current_app.config),
    )


@section("dashboard", order=16)
def dashboard_answers(_obj: object, viewer: object) -> str | None:
    """Staff see declines and delegations from calendars, and messages the app could not use."""
    if not getattr(viewer, "is_staff", False):
        return None
    figures = read_figures("dashboard")
    attention = answers.needing_attention() if figures.inbox_answered else []
    kept = figures.inbox_kept
    if not attention and not kept:
        return None
    return render_part(
        "inbox/_dashboard.html",
        attention=attention,
        kept=kept,
        window=answers.KEPT_WINDOW.days,
        about_current_time=answers.about_current_time,
    )
