"""A decision in two stages, in the browser: staff set the path from a preset, the Political Committee
recommends, the Executive Board ratifies it, and the race's page and record say so in words."""

from __future__ import annotations

from datetime import date
from typing import Any

from interviews.decisions import bodies
from interviews.extensions import db
from tests.e2e.test_votes_browser import sign_in, sign_out


def vote_as(page: Any, base: str, member: Any, link: str, choice: str) -> None:
    sign_in(page, base, member)
    page.get_by_role("heading", name="Votes awaiting your ballot").wait_for()
    page.get_by_role("link", name=link).click()
    page.get_by_label(choice).check()
    page.get_by_role("button", name="Cast my ballot").click()
    page.get_by_text("Ballot recorded").wait_for()
    sign_out(page)


def close_and_finalise(page: Any) -> None:
    page.get_by_role("button", name="Close the vote").click()
    page.get_by_text("The vote is closed").wait_for()
    page.get_by_role("button", name="Finalise the vote").click()
    page.get_by_text("The vote is final").wait_for()


def test_a_committee_recommends_and_the_board_ratifies(
    live_server: Any, page: Any, make_user: Any, make_race: Any
) -> None:
    secretary = make_user("staff", name="Lorraine Secretary")
    angela, walter, denise = (
        make_user("leader", name=n) for n in ("Angela Castellanos", "Walter Kowalczyk", "Denise Okafor")
    )
    committee = bodies.create_body("Political Committee", actor=secretary)
    board = bodies.create_body("Executive Board", actor=secretary)
    for body, members in ((committee, (angela, walter)), (board, (angela, walter, denise))):
        for member in members:
            bodies.add_member(body, name="", user=member, weight=1, joined_on=date(2026, 1, 1), actor=secretary)
    race = make_race("2026 Governor")
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # "Open the vote?" and the like

    sign_in(page, base, secretary)
    page.goto(f"{base}/races/{race.id}")
    page.get_by_role("link", name="Set a decision path").click()
    page.get_by_label("Procedure", exact=True).select_option(
        label="Political Committee recommends; the Executive Board ratifies by two-thirds"
    )
    page.get_by_role("button", name="Use this procedure").click()
    page.get_by_text("The decision path is set.").wait_for()
    page.get_by_role("link", name="Prepare the vote of Committee recommendation").click()
    page.get_by_label("Held on").fill("2026-11-20")
    page.get_by_label("Motion").fill("That the Committee recommend an endorsement for Governor.")
    page.get_by_role("button", name="Prepare the vote").click()
    page.get_by_role("button", name="Open the vote").click()
    page.get_by_text("The vote is open").wait_for()
    committee_url = page.url
    sign_out(page)

    for member in (angela, walter):
        vote_as(page, base, member, "2026 Governor: Committee recommendation, vote of", "Candidate A")

    sign_in(page, base, secretary)
    page.goto(committee_url)
    close_and_finalise(page)
    assert page.locator(".vote-summary").inner_text() == "The Political Committee recommended Candidate A 2-0"
    page.get_by_role("link", name="Committee recommendation").first.click()
    page.get_by_text("awaiting Board ratification").first.wait_for()
    page.get_by_role("link", name="Prepare the vote of Board ratification").click()
    page.get_by_label("Held on").fill("2026-11-27")
    page.get_by_label("Motion").fill("That the Board ratify the Committee's recommendation.")
    page.get_by_role("button", name="Prepare the vote").click()
    page.get_by_role("button", name="Open the vote").click()
    page.get_by_text("The vote is open").wait_for()
    board_url = page.url
    sign_out(page)

    for member, choice in ((angela, "Yes: ratify"), (walter, "Yes: ratify"), (denise, "No: reject")):
        vote_as(page, base, member, "2026 Governor: Board ratification, vote of", choice)

    sign_in(page, base, secretary)
    page.goto(board_url)
    close_and_finalise(page)
    assert page.locator(".vote-summary").inner_text() == (
        "The Executive Board ratified it by 66.7%, exactly the two-thirds required"
    )
    page.get_by_label("Public statement (optional)").fill("The Council endorses Candidate A for Governor.")
    page.get_by_role("button", name="Publish the result").click()
    page.get_by_text("The result is published.").wait_for()
    page.goto(f"{base}/races/{race.id}")
    decided = (
        "Endorsed Candidate A, after the Political Committee recommended it 2-0 and the Executive Board ratified it "
        "by 66.7%, exactly the two-thirds required."
    )
    page.get_by_text(decided).wait_for()
    page.get_by_role("link", name="Record book").first.click()
    page.get_by_role("heading", name="The decision, stage by stage").wait_for()
    sign_out(page)

    # The public slate, signed out: the decision in words and the statement; no member's name.
    page.goto(f"{base}/slate")
    page.get_by_text(decided).wait_for()
    page.get_by_text("The Council endorses Candidate A for Governor.").wait_for()
    assert "Denise Okafor" not in page.content()
    db.session.rollback()
