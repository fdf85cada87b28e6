"""The organiser's mailbox over IMAP, through imap-tools: connect, list what is new, fetch, mark as read by us.

A message this app has dealt with gets the keyword `$InterviewsHandled`, and the next pass asks
the server only for messages without it. The keyword is a convenience, not the guarantee: the
database keeps one row per (mailbox, UIDVALIDITY, UID), so a message whose keyword was never
stored (a crash in between, or a server that keeps no keywords) is recognised and only marked.
Nothing is moved or deleted: the mailbox stays as people left it, \\Seen included.
"""

from __future__ import annotations

import contextlib
import imaplib
import select
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.errors import ImapToolsError, MailboxFolderSelectError, MailboxLoginError

KEYWORD = "$InterviewsHandled"
FETCH_BATCH = 20
DEFAULT_TIMEOUT = 30.0
# Calendar answers are a few kilobytes; a message past this is read by its header only.
MAX_MESSAGE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes
    complete: bool  # False: the header only (the message is larger than MAX_MESSAGE_BYTES)


class InboxUnavailable(Exception):
    """The mailbox cannot be used now (server down, login refused, folder missing, connection lost)."""


class InboxSettingsError(Exception):
    """The settings cannot work (a host without a user name): no connection is tried."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    username: str
    password: str
    folder: str = "INBOX"
    use_ssl: bool = False
    use_starttls: bool = False
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ImapSettings | None:
        """The settings, or None when reading the mailbox is off (IMAP_HOST empty)."""
        host = str(config.get("IMAP_HOST") or "").strip()
        if not host:
            return None
        username = str(config.get("IMAP_USERNAME") or "").strip()
        if not username:
            raise InboxSettingsError("IMAP_HOST is set but IMAP_USERNAME is not: set the mailbox's user name.")
        use_ssl = bool(config.get("IMAP_USE_SSL"))
        return cls(
            host=host,
            port=int(config.get("IMAP_PORT") or (993 if use_ssl else 143)),
            username=username,
            password=str(config.get("IMAP_PASSWORD") or ""),
            folder=str(config.get("IMAP_FOLDER") or "INBOX"),
            use_ssl=use_ssl,
            use_starttls=bool(config.get("IMAP_USE_STARTTLS")) and not use_ssl,
            timeout=float(config.get("IMAP_TIMEOUT") or DEFAULT_TIMEOUT),
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def mailbox_key(self) -> str:
        """Names the folder in the database: its UIDs mean nothing in any other."""
        return f"{self.username}@{self.where}/{self.folder}"[:400]


def configured(config: Mapping[str, Any]) -> bool:
    return bool(str(config.get("IMAP_HOST") or "").strip())


class _RawMailMessage(MailMessage):
    """imap-tools' message, keeping the bytes as received: we parse them with the modern email policy."""

    def __init__(self, fetch_data: list[Any]) -> None:
        super().__init__(fetch_data)
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0] or b""


def _describe(error: BaseException) -> str:
    if isinstance(error, MailboxLoginError):
        data = error.command_result[1] if len(error.command_result) > 1 else []
        text = b" ".join(item for item in data if isinstance(item, bytes)).decode("utf-8", "replace")
        return text or "login refused"
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# Everything a broken or refusing connection raises: sockets, TLS, imaplib's protocol errors, imap-tools'.
CONNECTION_ERRORS = (OSError, imaplib.IMAP4.error, ImapToolsError, EOFError)


class Mailbox:
    """One logged-in connection with the folder selected. Use as a context manager."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self.uidvalidity = 0
        self.keeps_keywords = True
        self.supports_idle = False
        self._box: MailBox | MailBoxUnencrypted | MailBoxStartTls | None = None

    def __enter__(self) -> Mailbox:
        self.open()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def box(self) -> MailBox | MailBoxUnencrypted | MailBoxStartTls:
        if self._box is None:
            raise InboxUnavailable("the mailbox is not open")
        return self._box

    def open(self) -> None:
        settings = self.settings
        try:
            if settings.use_ssl:
                box: MailBox | MailBoxUnencrypted | MailBoxStartTls = MailBox(
                    settings.host, settings.port, timeout=settings.timeout, ssl_context=ssl.create_default_context()
                )
            elif settings.use_starttls:
                box = MailBoxStartTls(
                    settings.host, settings.port, timeout=settings.timeout, ssl_context=ssl.create_default_context()
                )
            else:
                box = MailBoxUnencrypted(settings.host, settings.port, timeout=settings.timeout)
        except CONNECTION_ERRORS as error:
            raise InboxUnavailable(f"cannot reach the IMAP server {settings.where}: {_describe(error)}") from error
        box.email_message_class = _RawMailMessage
        self._box = box
        try:
            ascii_login = settings.username.isascii() and settings.password.isascii()
            if ascii_login:
                box.login(settings.username, settings.password, initial_folder=None)
            else:  # LOGIN takes ASCII only; AUTHENTICATE PLAIN carries UTF-8
                box.login_utf8(settings.username, settings.password, initial_folder=None)
        except CONNECTION_ERRORS as error:
            self.close()
            refused = isinstance(error, (MailboxLoginError, imaplib.IMAP4.error)) and not isinstance(
                error, imaplib.IMAP4.abort
            )
            raise InboxUnavailable(
                f"the IMAP server {settings.where} refused the login for {settings.username}: {_describe(error)}"
                if refused
                else f"lost the connection to the IMAP server {settings.where} while signing in: {_describe(error)}"
            ) from error
        try:
            box.folder.set(settings.folder)
            _, permanent = box.client.response("PERMANENTFLAGS")
            flags = b" ".join(item for item in permanent if isinstance(item, bytes))
            # "\*" in PERMANENTFLAGS: the server stores keywords the client makes up (RFC 3501 7.1).
            self.keeps_keywords = b"\\*" in flags or KEYWORD.encode() in flags
            self.uidvalidity = int(box.folder.status(settings.folder, ["UIDVALIDITY"])["UIDVALIDITY"])
            self.supports_idle = "IDLE" in box.client.capabilities
        except MailboxFolderSelectError as error:
            self.close()
            raise InboxUnavailable(
                f"the folder {settings.folder!r} cannot be opened on {settings.where} (IMAP_FOLDER): {_describe(error)}"
            ) from error
        except (*CONNECTION_ERRORS, KeyError, ValueError) as error:
            self.close()
            raise InboxUnavailable(f"cannot open the folder {settings.folder!r}: {_describe(error)}") from error

    def close(self) -> None:
        box, self._box = self._box, None
        if box is None:
            return
        try:
            box.logout()
        except CONNECTION_ERRORS:
            with contextlib.suppress(*CONNECTION_ERRORS):
                box.client.shutdown()

    def _call(self, what: str, action: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return action(*args, **kwargs)
        except CONNECTION_ERRORS as error:
            raise InboxUnavailable(
                f"the IMAP server {self.settings.where} failed to {what}: {_describe(error)}"
            ) from error

    def unhandled_uids(self) -> list[int]:
        """UIDs of the messages not yet marked by this app, oldest first."""
        criteria = f"UNKEYWORD {KEYWORD} NOT DELETED" if self.keeps_keywords else "NOT DELETED"
        # No CHARSET: some servers refuse one, and the criteria are ASCII.
        found = self._call("search the folder", self.box.uids, criteria, charset=None)
        return sorted(int(uid) for uid in found)

    def _fetch_all(self, uids: list[str], *, headers_only: bool = False) -> list[_RawMailMessage]:
        fetched = self.box.fetch(uid_list=uids, mark_seen=False, headers_only=headers_only, bulk=True)
        return [message for message in fetched if isinstance(message, _RawMailMessage)]

    def fetch(self, uids: list[int]) -> Iterator[Fetched]:
        """Each message still there, as received; BODY.PEEK, so \\Seen is left alone.

        The sizes come first: a message too large to be a calendar answer comes as its header alone,
        so a few huge attachments in the mailbox cannot fill the worker's memory.
        """
        for start in range(0, len(uids), FETCH_BATCH):
            batch = [str(uid) for uid in uids[start : start + FETCH_BATCH]]
            heads = self._call("read message headers", self._fetch_all, batch, headers_only=True)
            large = {m.uid: m.raw for m in heads if m.uid is not None and m.size_rfc822 > MAX_MESSAGE_BYTES}
            small = [m.uid for m in heads if m.uid is not None and m.uid not in large]
            messages = self._call("fetch messages", self._fetch_all, small) if small else []
            whole = {m.uid: m.raw for m in messages if m.uid is not None}
            for uid in batch:
                if uid in whole:
                    yield Fetched(int(uid), whole[uid], complete=True)
                elif uid in large:
                    yield Fetched(int(uid), large[uid], complete=False)

    def mark_handled(self, uid: int) -> None:
        """Add our keyword, so no later pass asks for this message again."""
        if not self.keeps_keywords:
            return
        # imaplib directly: imap-tools' flag() follows every STORE with an EXPUNGE, which would remove
        # messages that someone else marked \Deleted but meant to keep until they expunge.
        typ, data = self._call(
            "mark a message", self.box.client.uid, "STORE", str(uid), "+FLAGS.SILENT", f"({KEYWORD})"
        )
        if typ != "OK":
            raise InboxUnavailable(f"the IMAP server {self.settings.where} refused to mark message {uid}: {data!r}")

    def wait_for_news(self, timeout: float, wake_fd: int | None = None) -> None:
        """IMAP IDLE (RFC 2177) until the server reports a change, `timeout` passes, or `wake_fd` is readable.

        The wait is a select() on the connection and the wake-up pipe, so a worker told to stop
        (SIGTERM) ends its IDLE at once instead of at the next server notice.
        """
        box = self.box
        try:
            box.idle.start()  # type: ignore[no-untyped-call]
            sources: list[Any] = [box.client.sock]
            if wake_fd is not None:
                sources.append(wake_fd)
            select.select(sources, [], [], timeout)
            box.idle.stop()  # type: ignore[no-untyped-call]
        except (*CONNECTION_ERRORS, TimeoutError) as error:
            raise InboxUnavailable(
                f"lost the connection to the IMAP server {self.settings.where}: {_describe(error)}"
            ) from error
