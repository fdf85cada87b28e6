"""The board votes: three members online, the secretary records a fourth from paper, closes and finalises;
the result and its digest appear in the race's record book; `votes verify` then catches a database edit.
"""

from __future__ import annotations

from sqlalchemy import select

from interviews.extensions import db
from interviews.races.models import QuorumKind
from interviews.votes.models import Ballot, Vote
from tests.conftest import PASSWORD
from tests.votes.conftest import tamper


def sign_in(page, base: str, user) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=f"Hello, {user.name.split()[0]}").wait_for()


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()


def test_board_votes_online_and_on_paper_and_the_record_book_shows_the_digest(
    live_server, page, make_user, make_race, runner
):
    secretary = make_user("staff", name="Lorraine Secretary")
    names = ["Angela Castellanos", "Walter Kowalczyk", "Denise Okafor", "Harold Baptiste"]
    members = [make_user("leader", name=name, is_voting_member=True) for name in names]
    race = make_race("2026 Governor", quorum_kind=QuorumKind.fraction, quorum_numerator=1, quorum_denominator=2)
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # "Open the vote?" and the like

    sign_in(page, base, secretary)
    page.goto(f"{base}/races/{race.id}/votes")
    page.get_by_text("At least two-thirds of the votes cast; quorum: half the entitled members present").wait_for()
    page.get_by_role("link", name="Prepare a vote").click()
    page.get_by_label("Held on").fill("2026-11-20")
    page.get_by_label("Motion").fill("That the Council endorse a candidate for Governor.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Open the vote").click()
    page.get_by_text("The vote is open").wait_for()
    vote_url = page.url
    sign_out(page)

    for member, choice in zip(members[:3], ["Candidate A", "Candidate A", "Candidate B"], strict=True):
        sign_in(page, base, member)
        page.get_by_role("heading", name="Votes awaiting your ballot").wait_for()
        page.get_by_role("link", name="2026 Governor: vote of").click()
        page.get_by_label(choice, exact=True).check()
        page.get_by_role("button", name="Cast my ballot").click()
        page.get_by_text(f"Ballot recorded: {choice}.").wait_for()
        sign_out(page)

    sign_in(page, base, secretary)
    page.goto(vote_url)
    page.get_by_role("link", name="Record paper ballots").click()
    page.get_by_label("Member").select_option(label="Harold Baptiste")
    page.get_by_label("Candidate A", exact=True).check()
    page.get_by_role("button", name="Record the ballot").click()
    page.get_by_text("Harold Baptiste: Ballot recorded: Candidate A.").wait_for()
    page.get_by_role("link", name="Back to the vote").click()
    page.get_by_role("button", name="Close the vote").click()
    page.get_by_text("The vote is closed").wait_for()
    page.get_by_role("button", name="Finalise the vote").click()
    page.get_by_text("The vote is final").wait_for()

    db.session.rollback()  # see what the server wrote
    vote = db.session.scalars(select(Vote).where(Vote.race_id == race.id)).one()
    assert vote.outcome == "endorsed" and vote.digest
    summary = page.locator(".vote-summary")
    assert summary.inner_text() == "Endorsed: Candidate A"
    assert page.get_by_role("img", name="Votes for each option, with the threshold").count() == 1
    assert vote.digest in page.content()

    page.get_by_role("link", name="record book").click()
    book = page.locator("main")
    book.get_by_text("Result: Candidate A is endorsed.").first.wait_for()
    text_of_book = book.inner_text()
    assert "Candidate A: 3 of 4 votes cast, 75.0%; at least 2/3 needed (2 2/3); reached." in text_of_book
    assert vote.digest in text_of_book and "none: the first final vote" in text_of_book

    result = runner.invoke(args=["votes", "verify"])
    assert result.exit_code == 0, result.output

    paper_ballot = db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id, Ballot.paper.is_(True))).one()
    tamper(
        "UPDATE ballots SET option_id = :o WHERE id = :b",
        o=next(o.id for o in vote.options if o.label == "Candidate B"),
        b=paper_ballot.id,
    )
    result = runner.invoke(args=["votes", "verify"])
    assert result.exit_code != 0
    assert f"vote {vote.id}" in result.output
