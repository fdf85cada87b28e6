"""A real IMAP server for the inbox tests: Debian's dovecot, one throw-away instance per test session.

It runs as the current user with its own configuration, password file and maildir store in a
temporary folder, listening on a free 127.0.0.1 port, without TLS (plain-text login allowed on
loopback only). Each test gets a fresh folder in it. Without dovecot the tests are skipped with
the reason, except in CI (the CI variable set), where a missing server is a failure.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from imap_tools import MailBoxUnencrypted

from interviews.extensions import db
from interviews.types import stopped_clock
from tests.conftest import free_port

USER = "organiser@labor.example.org"
PASSWORD = "imap-test-password"
INSTALL_HINT = "apt-get install dovecot-imapd"


def _dovecot_binary() -> str | None:
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin:/sbin")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: the IMAP tests must run in CI ({INSTALL_HINT})")
    pytest.skip(f"{reason} ({INSTALL_HINT}); the IMAP tests need a real server")


def _version(binary: str) -> tuple[int, int]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    found = re.match(r"(\d+)\.(\d+)", out.strip())
    return (int(found.group(1)), int(found.group(2))) if found else (2, 3)


def _accounts() -> dict[str, Any]:
    """Who the server's processes run as. Dovecot never runs logins or mail access as root: when the
    tests run as root (containers, CI) they use the unprivileged system accounts instead."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(os.getegid()).gr_name
        return {"internal": me.pw_name, "group": group, "login": me.pw_name, "uid": me.pw_uid, "gid": me.pw_gid}
    nobody = pwd.getpwnam("nobody")
    login = "dovenull" if _has_user("dovenull") else "nobody"
    internal = "dovecot" if _has_user("dovecot") else "nobody"
    return {
        "internal": internal,
        "group": grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name,
        "login": login,
        "uid": nobody.pw_uid,
        "gid": nobody.pw_gid,
    }


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _config(version: tuple[int, int], base: Path, port: int, who: dict[str, Any]) -> str:
    """dovecot.conf in the syntax of the installed version (2.4 renamed most settings).

    Tuned for tests: no delay after a failed login and no growing penalty for the next ones (the
    wrong-password test would otherwise slow every later login), and IDLE notices within a second
    even where inotify is unavailable.
    """
    common = {
        "base": base,
        "port": port,
        "uid": who["uid"],
        "gid": who["gid"],
        "internal": who["internal"],
        "group": who["group"],
        "login": who["login"],
    }
    if version >= (2, 4):
        return """dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
auth_failure_delay = 0
mailbox_idle_check_interval = 1 secs
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_driver = maildir
mail_home = {base}/mail/%{{user}}
mail_path = {base}/mail/%{{user}}/Maildir
passdb passwd-file {{
  passwd_file_path = {base}/passwd
}}
userdb static {{
  fields {{
    uid = {uid}
    gid = {gid}
    home = {base}/mail/%{{user}}
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    listen = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
""".format(**common)
    return """protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mailbox_idle_check_interval = 1 secs
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{base}/mail/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
""".format(**common)


@dataclass
class Dovecot:
    host: str
    port: int
    base: Path

    def connect(self) -> MailBoxUnencrypted:
        return MailBoxUnencrypted(self.host, self.port, timeout=10).login(USER, PASSWORD, initial_folder=None)

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _wait_until_answering(dovecot: Dovecot, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited with {process.returncode}:\n{dovecot.log()}")
        try:
            with socket.create_connection((dovecot.host, dovecot.port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"dovecot did not answer on port {dovecot.port} within {timeout:g} s:\n{dovecot.log()}")


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    binary = _dovecot_binary()
    if binary is None:
        _unavailable("dovecot is not installed")
    assert binary is not None
    who = _accounts()
    # Not under pytest's temporary folder: that is private to the test user, and when the tests run
    # as root the server's own processes (unprivileged accounts) must be able to enter this one.
    base = Path(tempfile.mkdtemp(prefix="interviews-dovecot-"))
    base.chmod(0o755)
    for folder in ("run", "state", "mail"):
        (base / folder).mkdir()
    if os.geteuid() == 0:
        os.chown(base / "mail", who["uid"], who["gid"])
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    port = free_port()
    (base / "dovecot.conf").write_text(_config(_version(binary), base, port, who))
    with open(base / "stderr.log", "wb") as stderr:
        process = subprocess.Popen(
            [binary, "-F", "-c", str(base / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    server = Dovecot("127.0.0.1", port, base)
    try:
        _wait_until_answering(server, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class Folder:
    """A fresh folder of the test mailbox, with the app settings that read it."""

    server: Dovecot
    name: str

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "IMAP_HOST": self.server.host,
            "IMAP_PORT": self.server.port,
            "IMAP_USERNAME": USER,
            "IMAP_PASSWORD": PASSWORD,
            "IMAP_FOLDER": self.name,
            "IMAP_TIMEOUT": 10.0,
        }

    def deliver(self, *messages: bytes) -> None:
        """Put messages in the folder as a mail server would (IMAP APPEND)."""
        with self.server.connect() as box:
            for raw in messages:
                box.append(raw, self.name)

    def keywords(self) -> dict[int, tuple[str, ...]]:
        """Each message's flags, by UID."""
        with self.server.connect() as box:
            box.folder.set(self.name)
            return {int(m.uid or 0): m.flags for m in box.fetch(mark_seen=False, headers_only=True)}

    def unmark(self, keyword: str) -> None:
        with self.server.connect() as box:
            box.folder.set(self.name)
            box.client.uid("STORE", "1:*", "-FLAGS.SILENT", f"({keyword})")


@pytest.fixture
def folder(dovecot: Dovecot) -> Folder:
    name = f"test-{uuid.uuid4().hex[:12]}"
    with dovecot.connect() as box:
        box.folder.create(name)
    return Folder(dovecot, name)


@pytest.fixture
def imap_app(app: Any, folder: Folder) -> Any:
    """The test app, reading the test folder."""
    app.config.update(folder.settings)
    return app


# --- an interview booked by a campaign through its link, with a panel of two ------------------

START = datetime(2027, 3, 15, 10, 0, tzinfo=ZoneInfo("America/New_York"))  # Mon 15 Mar 2027, 14:00 UTC
# The tests run on 1 Feb 2027 (the app's clock, not the machine's): the interview is six weeks ahead
# whenever the suite runs, and the times written in the expectations stay true.
NOW = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[datetime]:
    with stopped_clock(NOW):
        yield NOW


@dataclass
class Booking:
    interview: Any
    invitation: Any
    contact: str
    panel: list[Any]


@pytest.fixture
def booked(app: Any, make_race: Callable[..., Any], make_user: Callable[..., Any], staffer: Any) -> Booking:
    """An interview on Mon 15 Mar 2027, 10:00-10:45 New York time, booked by Candidate A's campaign."""
    from interviews.invitations import candidate as campaign
    from interviews.invitations import services as invitations

    race = make_race()
    race.panel = [
        make_user("leader", name="Rosa Delgado", email="rosa.delgado@labor.example.org"),
        make_user("leader", name="Tom Becker", email="tom.becker@labor.example.org"),
    ]
    letter = invitations.save_letter(
        race,
        {
            "subject": "Invitation to an endorsement interview",
            "body": "Our board invites you to an interview.",
            "topics": "Transit",
            "respond_by": NOW + timedelta(days=14),
            "timezone": "America/New_York",
            "duration_minutes": 45,
        },
        actor=staffer,
    )
    slot = invitations.add_slot(
        letter,
        starts_at=START,
        ends_at=START + timedelta(minutes=45),
        timezone="America/New_York",
        location=None,
        confirmed=True,
        actor=staffer,
    )
    sent = invitations.send(letter, to="all", actor=staffer).sent
    db.session.commit()
    invitation = next(i for i in sent if i.candidate.name == "Candidate A")
    interview = campaign.book_slot(invitation, slot.id)
    db.session.commit()
    return Booking(interview, invitation, invitation.candidate.contact_email, list(race.panel))
