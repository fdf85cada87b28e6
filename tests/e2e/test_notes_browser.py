"""In the room: a panel leader takes notes on today's interview; a colleague, with hide-until-submitted
on, sees none of them until they have submitted their own."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from interviews.extensions import db
from interviews.notes import services
from interviews.notes.models import Note
from interviews.scheduling.models import Interview, InterviewStatus, PanelSeat
from interviews.types import utcnow
from tests.conftest import PASSWORD


def _sign_in(page, base: str, user) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def test_notes_in_the_room_and_hidden_until_submitted(app, live_server, page, browser, make_user, make_race):  # type: ignore[no-untyped-def]
    race = make_race("2026 Governor", hide_notes_until_submitted=True)
    services.save_question_list(
        race,
        [
            services.QuestionInput("Labour", "Will you sign a right-to-strike bill?"),
            services.QuestionInput("Transit", "Will you fund transit operations?"),
        ],
        actor=make_user("staff"),
    )
    first = make_user("leader", name="Angela Castellanos")
    second = make_user("leader", name="Walter Kowalczyk")
    starts = utcnow().replace(microsecond=0) - timedelta(minutes=10)
    interview = Interview(
        race=race,
        candidate=race.candidates[0],
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
        timezone="America/New_York",
        status=InterviewStatus.scheduled,
        question_list=services.latest_question_list(race),
    )
    interview.panel_seats = [PanelSeat(user=first), PanelSeat(user=second)]
    db.session.add(interview)
    db.session.commit()
    with app.test_request_context():
        interview_page = live_server.url + url_for("scheduling.interview_detail", interview_id=interview.id)

    # The first panel leader opens today's interview and writes under two questions.
    _sign_in(page, live_server.url, first)
    page.goto(interview_page)
    page.get_by_role("link", name="Write a note on question 1").click()
    page.get_by_label("Your note").fill("Yes, without conditions.\nWill sign in the first 100 days.")
    page.get_by_label("All leadership").check()
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("Your note is saved.").wait_for()

    page.get_by_role("link", name="Write a note on question 2").click()
    page.get_by_label("Your note").press_sequentially("Operations funding: yes, from the gas tax.")
    page.get_by_text("Draft saved").wait_for()  # kept on the server while typing
    page.reload()  # a closed or reloaded tab loses nothing
    page.get_by_text("Restored your unsaved draft").wait_for()
    assert page.get_by_label("Your note").input_value() == "Operations funding: yes, from the gas tax."
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("Your note is saved.").wait_for()
    notes_text = page.locator(".notes-part").inner_text()
    assert "Will sign in the first 100 days." in notes_text and "from the gas tax" in notes_text

    # The second panel leader sees nothing of them yet.
    context = browser.new_context(timezone_id="America/Chicago", locale="en-US")
    context.set_default_timeout(15_000)
    other = context.new_page()
    try:
        _sign_in(other, live_server.url, second)
        other.goto(interview_page)
        other.get_by_text("hides colleagues' notes until you submit your own").wait_for()
        part = other.locator(".notes-part").inner_text()
        assert "first 100 days" not in part and "gas tax" not in part
        assert "first 100 days" not in other.content()

        other.get_by_role("link", name="Write a note on question 1").click()
        other.get_by_label("Your note").fill("Committed, but watch the budget language.")
        other.get_by_role("button", name="Save note").click()
        other.get_by_text("Your note is saved.").wait_for()
        assert "first 100 days" not in other.locator(".notes-part").inner_text()  # saved is not submitted

        other.get_by_role("button", name="Submit my notes").click()
        other.get_by_text("Your notes are submitted").wait_for()
        part = other.locator(".notes-part").inner_text()
        assert "Will sign in the first 100 days." in part and "from the gas tax" in part
    finally:
        context.close()

    db.session.rollback()
    bodies = db.session.scalars(select(Note.body).order_by(Note.id)).all()
    assert bodies == [
        "Yes, without conditions.\nWill sign in the first 100 days.",
        "Operations funding: yes, from the gas tax.",
        "Committed, but watch the budget language.",
    ]
