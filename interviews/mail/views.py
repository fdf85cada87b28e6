"""The outbox page: every e-mail as it was or will be sent, with its links and invitation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email.message import MIMEPart

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import defer
from werkzeug.datastructures import MultiDict

from interviews.access import allow, signed_in_user
from interviews.extensions import db
from interviews.mail import compose, services
from interviews.mail.forms import RetryForm
from interviews.mail.models import OutboxMessage, OutboxStatus
from interviews.races.models import Race
from interviews.sections import render_part, section

bp = Blueprint("mail", __name__, url_prefix="/outbox")

PAGE_SIZE = 50
TABS: dict[str, tuple[str, tuple[OutboxStatus, ...]]] = {
    "pending": ("Waiting", (OutboxStatus.pending, OutboxStatus.sending)),
    "sent": ("Sent", (OutboxStatus.sent,)),
    "failed": ("Failed", (OutboxStatus.failed,)),
}
SEARCH_MAX = 200


def smtp_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


@dataclass(frozen=True)
class OutboxFilter:
    """The outbox page's filters, read from the query string; anything unknown is simply not applied."""

    tab: str = "pending"
    kind: str = ""
    recipient: str = ""
    race_id: int | None = None
    search: str = ""

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> OutboxFilter:
        tab = args.get("status", "pending")
        race = args.get("race", "")
        return cls(
            tab=tab if tab in TABS else "pending",
            kind=args.get("kind", "").strip()[:50],
            recipient=args.get("to", "").strip()[:SEARCH_MAX],
            race_id=int(race) if race.isdigit() and len(race) < 10 else None,
            search=args.get("q", "").strip()[:SEARCH_MAX],
        )

    @property
    def active(self) -> bool:
        return bool(self.kind or self.recipient or self.race_id or self.search)

    def args(self, **overrides: object) -> dict[str, object]:
        """The query string of this filter (for tabs and pages), without empty values."""
        values: dict[str, object] = {
            "status": self.tab,
            "kind": self.kind,
            "to": self.recipient,
            "race": self.race_id,
            "q": self.search,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v not in ("", None)}

    def conditions(self) -> list[ColumnElement[bool]]:
        """Every filter but the tab: the tabs' counts follow them too."""
        where: list[ColumnElement[bool]] = []
        if self.kind:
            where.append(OutboxMessage.kind == self.kind)
        if self.recipient:
            where.append(OutboxMessage.to_addresses.icontains(self.recipient, autoescape=True))
        if self.race_id is not None:
            where.append(OutboxMessage.race_id == self.race_id)
        if self.search:
            where.append(
                or_(
                    OutboxMessage.subject.icontains(self.search, autoescape=True),
                    OutboxMessage.to_addresses.icontains(self.search, autoescape=True),
                    OutboxMessage.text_body.icontains(self.search, autoescape=True),
                )
            )
        return where


@bp.get("/")
@allow("staff", "admin")
def outbox() -> ResponseReturnValue:
    """One tab of the outbox, newest first, a page at a time, in a fixed number of queries."""
    chosen = OutboxFilter.from_args(request.args)
    where = chosen.conditions()
    counts = services.counts(where)
    tab = chosen.tab
    pages = max((counts[tab] + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    # The list needs no bodies or .ics: leave those columns in the database.
    messages = db.session.scalars(
        select(OutboxMessage)
        .options(
            *(
                defer(column, raiseload=True)
                for column in (OutboxMessage.text_body, OutboxMessage.html_body, OutboxMessage.ics)
            )
        )
        .where(OutboxMessage.status.in_(TABS[tab][1]), *where)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "mail/outbox.html",
        tabs=TABS,
        tab=tab,
        counts=counts,
        messages=messages,
        page=page,
        pages=pages,
        smtp_configured=smtp_configured(),
        chosen=chosen,
        kinds=services.kinds(),
        races=db.session.execute(select(Race.id, Race.title).order_by(Race.title, Race.id)).all(),
    )


@bp.get("/<int:message_id>")
@allow("staff", "admin")
def message(message_id: int) -> ResponseReturnValue:
    outbox_message = services.get_message_or_404(message_id)
    if outbox_message.confidential:
        return render_template(
            "mail/message.html",
            message=outbox_message,
            confidential=True,
            retry_form=RetryForm(),
            smtp_configured=smtp_configured(),
        )
    problem = source = ""
    headers: list[tuple[str, str]] = []
    parts: list[str] = []
    try:
        mail = compose.build_email(outbox_message)
    except compose.UnsendableMessage as error:
        problem = str(error)
        html = ""
    else:
        headers = [(name, str(value)) for name, value in mail.items() if name != "Content-Type"]
        # raw_items: the Content-Type exactly as written on the wire (method=REQUEST unquoted).
        parts = [f"{'  ' * depth}{dict(part.raw_items()).get('Content-Type', '')}" for depth, part in _walk(mail)]
        html = compose.html_body(outbox_message)
        try:
            source = compose.email_bytes(mail).decode("utf-8", "replace")
        except compose.UnsendableMessage as error:
            problem = str(error)
    return render_template(
        "mail/message.html",
        message=outbox_message,
        headers=headers,
        parts=parts,
        source=source,
        html=html,
        problem=problem,
        links=compose.links(outbox_message),
        ics_text=outbox_message.ics.decode("utf-8", "replace") if outbox_message.ics else "",
        retry_form=RetryForm(),
        smtp_configured=smtp_configured(),
    )


def _walk(part: MIMEPart, depth: int = 0) -> Iterator[tuple[int, MIMEPart]]:
    """Each MIME part with its depth, to show the structure of the e-mail."""
    yield depth, part
    if part.is_multipart():
        for child in part.iter_parts():
            yield from _walk(child, depth + 1)


@bp.get("/<int:message_id>/invite.ics")
@allow("staff", "admin")
def message_ics(message_id: int) -> ResponseReturnValue:
    outbox_message = services.get_message_or_404(message_id)
    if not outbox_message.ics:
        return render_template(
            "errors/error.html", code=404, title="Not found", message="This message has no calendar invitation."
        ), 404
    method = compose.calendar_method(outbox_message)
    content_type = "text/calendar; charset=utf-8" + (f"; method={method}" if method else "")
    return Response(
        outbox_message.ics,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{compose.ICS_FILENAME}"'},
    )


@bp.post("/<int:message_id>/retry")
@allow("staff", "admin")
def retry(message_id: int) -> ResponseReturnValue:
    outbox_message = services.get_message_or_404(message_id)
    if RetryForm().validate_on_submit():
        try:
            services.retry(outbox_message, actor=signed_in_user())
        except services.OutboxError as error:
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash("The message will be sent again on the next pass of the outbox worker.", "success")
    else:
        flash("The retry was not sent from the page; try the button again.", "error")
    return redirect(url_for("mail.message", message_id=outbox_message.id))


@section("dashboard", order=90)
def dashboard_outbox(obj: object, viewer: object) -> str | None:
    """Staff see what waits and what failed, with the way to the failures."""
    if not getattr(viewer, "is_staff", False):
        return None
    return render_part("mail/_dashboard.html", counts=services.dashboard_counts(), smtp_configured=smtp_configured())
