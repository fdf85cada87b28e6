"""Issue 3, item 15: staff send the invitation; two campaigns, in two time zones, answer it.

Staff create the race, its candidates, panel and three slots through the pages and send; the
outbox is delivered to a real SMTP server; each campaign opens the link from the e-mail it got,
in its own browser and time zone; the first takes a slot, which the second then no longer sees
(and asks for other times); staff see the ledger and the dashboard updated.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from interviews.audit.actors import System
from interviews.extensions import db
from interviews.invitations.models import Invitation, InvitationStatus
from interviews.mail.worker import deliver_due
from interviews.scheduling.models import Location, LocationKind
from interviews.types import utcnow
from tests.conftest import PASSWORD

NY = ZoneInfo("America/New_York")


def _weekday(days: int):  # type: ignore[no-untyped-def]
    day = (utcnow() + timedelta(days=days)).astimezone(NY).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _link_in(message, base_url: str) -> str:  # type: ignore[no-untyped-def]
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(re.escape(base_url) + r"/invitation/[A-Za-z0-9_.\-]+", text)
    assert match, text
    return match.group(0)


def test_invitation_flow_across_time_zones(live_server_factory, page, browser, make_user, smtp_server, mail_settings):  # type: ignore[no-untyped-def]
    staff = make_user("staff", name="Priya Organizer")
    make_user("leader", name="Angela Castellanos", title="President")
    make_user("leader", name="Walter Kowalczyk", title="Secretary-Treasurer")
    db.session.add(Location(name="Union Hall, Boardroom A", kind=LocationKind.room, address="1200 Harbor Street"))
    db.session.commit()
    server = live_server_factory(**mail_settings)
    page.on("dialog", lambda dialog: dialog.accept())

    # --- staff: race, panel, candidates -----------------------------------------------------
    page.goto(server.url + "/login")
    page.get_by_label("E-mail").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Races").click()
    page.get_by_role("link", name="New race").click()
    page.get_by_label("Title").fill("2027 Mayor")
    page.get_by_label("Office").fill("Mayor")
    page.get_by_label("Jurisdiction").fill("City of Riverside")
    page.get_by_label("Election date").fill("2027-11-02")
    page.get_by_role("button", name="Save race").click()
    page.get_by_role("heading", name="2027 Mayor").wait_for()

    page.get_by_role("link", name="Choose the panel").click()
    page.get_by_label("Angela Castellanos").check()
    page.get_by_label("Walter Kowalczyk").check()
    page.get_by_role("button", name="Save panel").click()

    for name, contact, email in [
        ("Maria Santos", "Jordan Ellis", "scheduling@santos-for-mayor.example.com"),
        ("Tom Becker", "Ute Krämer", "team@becker-for-mayor.example.com"),
    ]:
        page.get_by_role("link", name="Add a candidate").first.click()
        page.get_by_label("Candidate's name").fill(name)
        page.get_by_label("Campaign contact").fill(contact)
        page.get_by_label("Contact e-mail").fill(email)
        page.get_by_role("button", name="Save candidate").click()
        page.get_by_text(name).first.wait_for()

    # --- staff: the letter and three slots, then send ---------------------------------------
    page.get_by_role("link", name="Write the invitation").click()
    page.get_by_label("Text of the letter").fill(
        "Dear candidate,\n\nOur board invites you to an endorsement interview."
    )
    page.get_by_label("Topics").fill("Transit workers' contracts\nAffordable housing")
    deadline = _weekday(6)
    page.get_by_label("Respond by").fill(f"{deadline:%Y-%m-%d}T17:00")
    page.get_by_label("Time zone", exact=True).select_option("America/New_York")
    page.get_by_role("button", name="Save the invitation").click()
    page.get_by_text("The invitation is saved.").wait_for()

    day = _weekday(9)
    for hour in (10, 13, 15):
        page.get_by_label("Starts").fill(f"{day:%Y-%m-%d}T{hour:02d}:00")
        page.get_by_label("Time zone of the slot").select_option("America/New_York")
        page.get_by_label("Location").select_option(label="Union Hall, Boardroom A")
        page.get_by_role("button", name="Add the slot").click()
        page.get_by_text("Slot added").wait_for()
    page.get_by_role("button", name="Send to all 2 candidates").click()
    page.get_by_role("heading", name="Invitation ledger").wait_for()
    assert page.get_by_text("All 2 invitations carry the same text").is_visible()

    # --- the outbox, delivered to a real SMTP server ----------------------------------------
    with server.app.app_context():
        report = deliver_due(actor=System("outbox worker"))
        db.session.remove()
    assert report.ok
    messages = smtp_server.wait_for(2)
    by_recipient = {m["To"].addresses[0].addr_spec: m for m in messages}
    santos_link = _link_in(by_recipient["scheduling@santos-for-mayor.example.com"], server.url)
    becker_link = _link_in(by_recipient["team@becker-for-mayor.example.com"], server.url)

    # --- the Santos campaign, in Los Angeles --------------------------------------------------
    starts = [datetime(day.year, day.month, day.day, h, tzinfo=NY) for h in (10, 13, 15)]
    pacific = [s.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%H:%M") for s in starts]
    berlin = [s.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") for s in starts]
    la = browser.new_context(timezone_id="America/Los_Angeles", locale="en-US")
    la.set_default_timeout(15_000)
    campaign = la.new_page()
    campaign.goto(santos_link)
    # The page detects the browser's zone, reloads in it, and names it.
    campaign.wait_for_url(re.compile(r"tz=America%2FLos_Angeles|tz=America/Los_Angeles"))
    assert campaign.locator("#zone-name").inner_text() == "America/Los Angeles"
    slot_times = campaign.locator(".slot-time").all_inner_texts()
    assert [t.split(", ")[1][:5] for t in slot_times] == pacific
    assert all("PST" in t or "PDT" in t for t in slot_times)
    campaign.get_by_role("button", name=re.compile(r"^Take this time\W.*" + pacific[0])).click()
    campaign.get_by_role("heading", name="Your interview is booked").wait_for()
    assert pacific[0] in campaign.locator(".booked-time").inner_text()
    assert "Angela Castellanos" in campaign.content()
    la.close()

    # --- the Becker campaign, in Berlin: the taken slot is gone --------------------------------
    de = browser.new_context(timezone_id="Europe/Berlin", locale="de-DE")
    de.set_default_timeout(15_000)
    other = de.new_page()
    other.goto(becker_link)
    other.wait_for_url(re.compile(r"tz=Europe%2FBerlin|tz=Europe/Berlin"))
    assert other.locator("#zone-name").inner_text() == "Europe/Berlin"
    berlin_times = [t.split(", ")[1][:5] for t in other.locator(".slot-time").all_inner_texts()]
    assert berlin_times == berlin[1:]
    # None of the rest suits them: they ask for other times (a form with its CSRF token, as in production).
    other.get_by_text("None of these times work").click()
    other.get_by_label("Which times would suit you?").fill("Any weekday after 18:00 Berlin time, please.")
    other.get_by_role("button", name="Ask for other times").click()
    other.get_by_text("Your message has gone to our political department").wait_for()
    de.close()

    # --- staff: the ledger shows it ------------------------------------------------------------
    page.reload()
    santos_row = page.locator("tr", has_text="Maria Santos")
    assert "Accepted" in santos_row.inner_text()
    becker_row = page.locator("tr", has_text="Tom Becker").inner_text()
    assert "Asked for other times" in becker_row and "Any weekday after 18:00" in becker_row
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    assert page.get_by_text("Any weekday after 18:00 Berlin time, please.").is_visible()

    db.session.rollback()
    statuses = {i.candidate.name: i.status for i in db.session.query(Invitation).all()}
    assert statuses == {"Maria Santos": InvitationStatus.accepted, "Tom Becker": InvitationStatus.other_times}
