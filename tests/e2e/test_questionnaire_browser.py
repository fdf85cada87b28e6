"""Issue 10: a campaign answers the questionnaire in two sittings (a draft saved, the page reloaded),
submits, and books the time it could not book before; staff then read its answers and the commitments
matrix in the record book."""

from __future__ import annotations

from interviews.extensions import db
from interviews.invitations.links import make_token
from interviews.questionnaires import commitments
from tests.conftest import PASSWORD
from tests.invitations.conftest import letter_race, room  # noqa: F401  (fixtures)
from tests.questionnaires.conftest import q_race  # noqa: F401  (fixture)


def test_a_campaign_answers_in_two_sittings_submits_books_and_staff_read_it(  # type: ignore[no-untyped-def]
    live_server,
    page,
    browser,
    q_race,  # noqa: F811  (the fixture imported above)
    staffer,
):
    race, version, (invitation, _) = q_race(required=True)
    commitments.add_commitment(
        race, text="Defend the right to strike", question_id=version.questions[0].id, actor=staffer
    )
    db.session.commit()
    link = f"{live_server.url}/invitation/{make_token(invitation)}"
    page.on("dialog", lambda dialog: dialog.accept())

    # --- the campaign: the booking page asks for the questionnaire first ---------------------------
    page.goto(link)
    page.get_by_text("Please submit our candidate questionnaire before choosing a time").wait_for()
    assert page.get_by_role("button", name="Take this time").count() == 0
    page.get_by_role("link", name="Answer the questionnaire").first.click()
    page.get_by_role("heading", name="Candidate questionnaire 2027").wait_for()

    # First sitting: two answers, saved as a draft with the button (it works without JavaScript too).
    page.get_by_role("group", name="1. Will you support card check?").get_by_label("Yes").check()
    page.get_by_label("Explanation").fill("I co-sponsored the card-check bill.")
    page.get_by_label("3. What minimum wage will you fight for ($ an hour)?").fill("20")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Your draft is saved").wait_for()

    # Second sitting: the page reloaded keeps the draft; one more answer is autosaved while typing.
    page.reload()
    assert page.get_by_label("3. What minimum wage will you fight for ($ an hour)?").input_value() == "20"
    assert page.get_by_role("group", name="1. Will you support card check?").get_by_label("Yes").is_checked()
    page.get_by_label("2. What penalties should union busting carry?").fill("Debarment <and> per-worker fines.")
    page.locator(".autosave-status", has_text="Draft saved").wait_for()
    page.reload()
    assert "Debarment <and>" in page.get_by_label("2. What penalties should union busting carry?").input_value()

    # Review: the one required answer still missing is named; then answered, reviewed, sent.
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_text("1 answer must be completed or corrected before you can submit").wait_for()
    page.get_by_role("link", name="Change the answers").click()
    page.get_by_role("group", name="4. Will you sign the PLA pledge?").get_by_label("Yes").check()
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("heading", name="Review your answers").wait_for()
    page.get_by_role("button", name="Send our answers").click()
    page.get_by_role("heading", name="What you sent: submission 1").wait_for()
    assert page.get_by_text("Debarment <and> per-worker fines.").is_visible()

    # Now the campaign may book.
    page.get_by_role("link", name="Back to the invitation").click()
    page.get_by_role("button", name="Take this time").first.click()
    page.get_by_text("Your interview is booked").first.wait_for()

    # --- staff: the position recorded, then the answers and the matrix in the record book ----------
    office = browser.new_context(timezone_id="America/New_York", locale="en-US")
    office.set_default_timeout(15_000)
    staff = office.new_page()
    staff.goto(live_server.url + "/login")
    staff.get_by_label("E-mail").fill(staffer.email)
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    staff.get_by_role("button", name="Sign out").wait_for()
    staff.goto(f"{live_server.url}/races/{race.id}/commitments")
    staff.get_by_label("Candidate", exact=True).select_option(label="Candidate A")
    staff.get_by_label("Secured").check()
    staff.get_by_label("Source").select_option(label="Questionnaire answer")
    staff.get_by_label("Quote or note (a link or a quote is needed)").fill("I co-sponsored the card-check bill.")
    staff.get_by_role("button", name="Record the position").click()
    staff.get_by_text("position on “Defend the right to strike” is recorded").wait_for()
    staff.goto(f"{live_server.url}/races/{race.id}/record")
    assert "Debarment <and> per-worker fines." in staff.locator(".record-questionnaire").inner_text()
    matrix = staff.locator("table.commitment-matrix")
    assert matrix.locator("tr", has_text="Candidate A").get_by_text("Secured").is_visible()
    assert matrix.locator("tr", has_text="Candidate B").get_by_text("Not recorded").is_visible()
    office.close()
