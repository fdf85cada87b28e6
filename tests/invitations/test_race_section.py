"""The race page's invitation section: the letter's deadline and the figures of who was invited and
answered, read with the letter in one statement (ledger.race_figures). Expected figures are counted
by hand from what each test set up."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from interviews.extensions import db
from interviews.invitations.models import InvitationStatus
from interviews.types import utcnow


def section(client: Any, race: Any) -> str:
    page = client.get(f"/races/{race.id}")
    assert page.status_code == 200
    found = re.search(r'<h2 id="race-invitation-heading">.*?</section>', page.get_data(as_text=True), re.S)
    assert found is not None
    return found.group(0)


def test_before_the_letter_staff_are_asked_to_write_it(client: Any, auth: Any, make_race: Any) -> None:
    race = make_race(candidates=2)
    auth.login("staff")
    part = section(client, race)
    assert "No invitation written yet." in part and f'href="/races/{race.id}/invitation">Write the invitation' in part


def test_a_written_letter_shows_its_deadline_and_slots_and_that_it_is_not_sent(
    client: Any, auth: Any, letter_race: Any
) -> None:
    race, letter = letter_race(candidates=3, slots=3, respond_in=timedelta(days=5))
    auth.login("staff")
    part = section(client, race)
    local = letter.respond_by.astimezone(ZoneInfo("America/New_York"))
    assert f"Respond by {local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}" in part
    assert "3 slots offered, 3 free." in part and "Not sent yet." in part


def test_after_sending_it_counts_each_answer_and_who_is_not_invited(
    client: Any, auth: Any, sent_race: Any, make_race: Any, staffer: Any
) -> None:
    race, letter, sent = sent_race(candidates=3, slots=2)
    sent[0].status = InvitationStatus.declined
    # A slot in the past is offered but no longer free.
    letter.slots[0].starts_at = utcnow() - timedelta(days=1)
    letter.slots[0].ends_at = utcnow() - timedelta(days=1) + timedelta(minutes=45)
    race.candidates.append(type(race.candidates[0])(name="Late Entrant", contact_name="S", contact_email="s@x.org"))
    db.session.commit()
    auth.login("staff")
    part = section(client, race)
    assert "2 slots offered, 1 free." in part
    assert f"{InvitationStatus.sent.label}</span> 2" in part and f"{InvitationStatus.declined.label}</span> 1" in part
    assert "Not invited yet: 1 of 4 running candidates" in part
