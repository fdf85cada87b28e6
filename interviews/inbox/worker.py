"""One pass over the organiser's mailbox: read each new message, store what it says, mark it. Safe side by side.

How no message is handled twice, with several workers at once:

1. The server is asked only for messages without our keyword (mailbox.py).
2. A message already in the database (same mailbox, UIDVALIDITY and UID) is only marked: a pass
   that stored it but stopped before marking it, or another worker that got there first.
3. Storing is one transaction per message, whose first row is the message's unique
   (mailbox, UIDVALIDITY, UID) row: two workers storing the same message at once cannot both
   commit; the loser rolls back and only marks it. The same answer arriving in two different
   messages (the same Message-ID, or the same SEQUENCE and DTSTAMP) is stored once; the other
   copy is kept as a duplicate, by the same unique keys if two workers race.

No transaction stays open while the server is being talked to (on SQLite an open transaction
holds the write lock). A message that cannot be used never stops the pass; the server going away
does, after what was stored is committed: the rest waits, unmarked, for the next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from interviews.audit.actors import System
from interviews.extensions import db
from interviews.inbox.itip import Envelope, Unusable
from interviews.inbox.mailbox import MAX_MESSAGE_BYTES, InboxUnavailable, Mailbox
from interviews.inbox.models import InboxMessage, KeptReason, Outcome
from interviews.inbox.services import Place, Reading, keep, read, store

log = logging.getLogger(__name__)


@dataclass
class FetchReport:
    """What one pass did."""

    mailbox: str = ""
    new: int = 0  # messages without our keyword when the pass began
    handled: int = 0  # answers stored
    kept: int = 0  # could not be used (listed on the Inbox page)
    ignored: int = 0  # our own e-mails to the organiser address
    already: int = 0  # stored before (an earlier pass, or another worker): only marked now
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def read(self) -> int:
        return self.handled + self.kept + self.ignored + self.already

    def summary(self) -> str:
        parts = [f"{self.read}/{self.new} new message(s) read from {self.mailbox}"]
        parts.append(f"{self.handled} answer(s) stored")
        if self.kept:
            parts.append(f"{self.kept} kept for staff (see the Inbox page)")
        if self.ignored:
            parts.append(f"{self.ignored} of our own")
        if self.already:
            parts.append(f"{self.already} read before")
        return ", ".join(parts)


def _already_stored(place: Place) -> bool:
    found = db.session.scalar(
        select(InboxMessage.id).where(
            InboxMessage.mailbox == place.mailbox,
            InboxMessage.uidvalidity == place.uidvalidity,
            InboxMessage.uid == place.uid,
        )
    )
    return found is not None


def _known(mailbox: str, uidvalidity: int, uids: list[int]) -> set[int]:
    known: set[int] = set()
    for start in range(0, len(uids), 500):
        chunk = uids[start : start + 500]
        known.update(
            db.session.scalars(
                select(InboxMessage.uid).where(
                    InboxMessage.mailbox == mailbox,
                    InboxMessage.uidvalidity == uidvalidity,
                    InboxMessage.uid.in_(chunk),
                )
            )
        )
    return known


def handle(raw: bytes, place: Place, *, actor: System, complete: bool = True) -> InboxMessage | None:
    """Store one message and commit. None when it was stored before (by us or another worker).

    `complete` False: `raw` is the header of a message too large to be a calendar answer.
    """
    reading = read(raw)
    if not complete:
        reading = Reading(
            reading.envelope,
            problem=Unusable(KeptReason.too_large, f"larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB: not read"),
        )
    if _already_stored(place):
        db.session.rollback()
        return None
    try:
        row = store(reading, place, actor=actor).message
        db.session.commit()
        return row
    except IntegrityError:
        db.session.rollback()
    except DataError as error:
        # A value the database refuses that reading did not foresee: keep the bare facts, so that
        # this message is marked and listed instead of stopping every pass from now on.
        db.session.rollback()
        log.exception("inbox message %s could not be stored as read", place.uid)
        bare = Reading(Envelope(reading.envelope.message_id[:200], "", "", None, ""))
        detail = f"the message could not be stored as read ({type(error.orig).__name__})"
        row = keep(bare, place, KeptReason.malformed, detail, actor=actor)
        db.session.commit()
        return row
    # A unique key stopped us: either this very message was stored meanwhile, or the same answer was.
    if _already_stored(place):
        db.session.rollback()
        return None
    try:
        row = keep(reading, place, KeptReason.duplicate, "the same answer was stored from another copy", actor=actor)
        db.session.commit()
        return row
    except IntegrityError:
        db.session.rollback()
        return None


def run_pass(
    mailbox: Mailbox,
    *,
    actor: System,
    limit: int | None = None,
    stop: Callable[[], bool] | None = None,
) -> FetchReport:
    """Read what is new in an open mailbox. InboxUnavailable if the server goes away (stored work stays)."""
    settings = mailbox.settings
    report = FetchReport(mailbox=settings.mailbox_key)
    if not mailbox.keeps_keywords:
        report.notes.append(
            "The server does not keep keywords: every pass looks at the whole folder, and the database tells "
            "read messages apart (a dedicated folder, IMAP_FOLDER, keeps that quick)."
        )
    uids = mailbox.unhandled_uids()
    report.new = len(uids)
    known = _known(settings.mailbox_key, mailbox.uidvalidity, uids)
    db.session.rollback()  # end the read before talking to the server again
    for uid in sorted(known):
        mailbox.mark_handled(uid)
        report.already += 1
    todo = [uid for uid in uids if uid not in known]
    if limit is not None:
        todo = todo[:limit]
    for fetched in mailbox.fetch(todo):
        if stop is not None and stop():
            break
        uid = fetched.uid
        place = Place(settings.mailbox_key, mailbox.uidvalidity, uid)
        row = handle(fetched.raw, place, actor=actor, complete=fetched.complete)
        if row is None:
            report.already += 1
        elif row.outcome is Outcome.handled:
            report.handled += 1
        elif row.outcome is Outcome.ignored:
            report.ignored += 1
        else:
            report.kept += 1
            reason = row.reason.label if row.reason else ""
            report.problems.append(f"message {uid} from {row.from_address or '?'}: {reason} ({row.detail})")
        db.session.rollback()
        mailbox.mark_handled(uid)
    return report


def fetch_once(
    mailbox: Mailbox, *, actor: System, limit: int | None = None, stop: Callable[[], bool] | None = None
) -> FetchReport:
    """Open the mailbox, run one pass, close it."""
    with mailbox:
        return run_pass(mailbox, actor=actor, limit=limit, stop=stop)


def retry_delay(failures: int, base: float, cap: float) -> float:
    """The wait after the n-th failure in a row: base, 2 base, 4 base, ... capped."""
    return float(min(base * 2 ** max(failures - 1, 0), cap))


def keep_reading(
    open_mailbox: Callable[[], Mailbox],
    *,
    actor: System,
    stop: Callable[[], bool],
    sleep: Callable[[float], object],
    say: Callable[[str, bool], None],
    interval: float,
    idle_seconds: float,
    retry_base: float,
    retry_max: float,
    wake_fd: int | None = None,
) -> None:
    """`inbox work`: a pass, then IDLE (or a pause) until there is news, again; until `stop()`.

    When the server is down or refuses the login, or the database is away, it says so and tries
    again after a back-off that doubles up to `retry_max`; nothing stored is lost meanwhile.
    `sleep` must return early once `stop()` turns true (the command passes an Event's wait).
    """
    failures = 0
    while not stop():
        mailbox = open_mailbox()
        try:
            with mailbox:
                if failures:
                    say(f"Connected to {mailbox.settings.where} again.", False)
                failures = 0
                first = True
                while not stop():
                    report = run_pass(mailbox, actor=actor, stop=stop)
                    db.session.remove()
                    if first:
                        for note in report.notes:
                            say(note, True)
                        first = False
                    if report.read:
                        say(report.summary(), False)
                        for problem in report.problems[:20]:
                            say(f"  {problem}", True)
                    if stop():
                        break
                    if mailbox.supports_idle:
                        mailbox.wait_for_news(idle_seconds, wake_fd)
                    else:
                        sleep(interval)
        except InboxUnavailable as error:
            failures += 1
            delay = retry_delay(failures, retry_base, retry_max)
            say(f"{error}. Trying again in {delay:g} s.", True)
            sleep(delay)
        except SQLAlchemyError as error:
            db.session.rollback()
            db.session.remove()
            failures += 1
            delay = retry_delay(failures, retry_base, retry_max)
            say(f"The database is unavailable ({type(error).__name__}). Trying again in {delay:g} s.", True)
            sleep(delay)
