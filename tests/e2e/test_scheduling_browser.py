"""Staff schedule an interview by hand for a meeting arranged by phone, move it, and find it in the list."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from interviews.extensions import db
from interviews.scheduling.models import Interview, InterviewStatus
from tests.conftest import PASSWORD
from tests.scheduling.conftest import next_weekday_at

NY = ZoneInfo("America/New_York")


def test_staff_schedule_move_and_find_an_interview(live_server_factory, page, make_race, make_user, app):
    from interviews.scheduling.models import Location, LocationKind

    race = make_race("2026 Governor")
    race.panel = [make_user("leader", name="Angela Castellanos"), make_user("leader", name="Walter Kowalczyk")]
    db.session.add(Location(name="Union Hall, Boardroom A", kind=LocationKind.room, address="1200 Harbor Street"))
    staff = make_user("staff", name="Marcus Oyelaran")
    db.session.commit()
    server = live_server_factory()
    day = next_weekday_at(10).astimezone(NY).date()

    page.goto(server.url + "/")
    page.get_by_label("E-mail").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Races").click()
    page.get_by_role("link", name="2026 Governor").click()
    page.get_by_role("link", name="Schedule an interview by hand").click()

    page.get_by_label("Candidate").select_option(label="Candidate B")
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Length (minutes)").fill("60")
    page.get_by_label("Where").select_option(label="Union Hall, Boardroom A (room)")
    # The race's default panel is already ticked.
    assert page.get_by_label("Angela Castellanos").is_checked() and page.get_by_label("Walter Kowalczyk").is_checked()
    page.get_by_role("button", name="Schedule interview").click()
    page.get_by_role("heading", name="Interview with Candidate B").wait_for()
    assert "10:00–11:00 E" in page.locator("main").inner_text()  # EST or EDT, named

    page.get_by_role("link", name="Move").click()
    assert page.get_by_label("Start time").input_value() == "10:00"
    page.get_by_label("Start time").fill("14:30")
    page.get_by_role("button", name="Move interview").click()
    page.get_by_text("Interview moved").wait_for()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Interviews").click()
    row = page.get_by_role("row").filter(has_text="Candidate B")
    assert "14:30" in row.inner_text() and "Union Hall, Boardroom A" in row.inner_text()

    db.session.rollback()
    interview = db.session.scalar(select(Interview))
    assert interview.status is InterviewStatus.scheduled
    assert interview.starts_at.astimezone(NY).strftime("%H:%M") == "14:30"
    assert interview.sequence == 1  # the move went out as an update
