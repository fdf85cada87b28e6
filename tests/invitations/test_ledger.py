"""The invitation ledger: each candidate's line says what they did, and the filter shows one state at a time.

The letter fixture offers slots at 10:00, 12:00 and 14:00 New York time in "Union Hall, Boardroom A";
make_race names its candidates "Candidate A", "Candidate B", ... and the ledger lists them by name.
"""

from __future__ import annotations

import re

import pytest

from interviews.extensions import db
from interviews.races.candidates import add_candidate, withdraw_candidate


def _rows(page: str) -> dict[str, str]:
    """Candidate name -> the text of their ledger row (tags dropped)."""
    found = re.findall(r'<tr data-candidate="([^"]+)">(.*?)</tr>', page, flags=re.S)
    return {name: " ".join(re.sub(r"<[^>]+>", " ", row).split()) for name, row in found}


@pytest.fixture
def answered(client, auth, sent_race, token, staffer):
    """Five candidates: one booked, one declined, one asked for other times, one left the race, one not
    invited (added after the letter went out)."""
    race, letter, invitations = sent_race(candidates=4)
    booked, declined, asked, left = invitations
    client.get(f"/invitation/{token(booked)}")  # opened first, as a person would
    client.post(f"/invitation/{token(booked)}/book", data={"book-slot_id": letter.slots[0].id})
    client.post(f"/invitation/{token(declined)}/decline", data={"decline-reason": "Running unopposed"})
    client.post(f"/invitation/{token(asked)}/other-times", data={"other-message": "Evenings only, please"})
    withdraw_candidate(left.candidate, reason="Left the race for health reasons", actor=staffer)
    add_candidate(
        race,
        {"name": "Candidate E", "contact_name": "Scheduler E", "contact_email": "late@campaign.example.com"},
        actor=staffer,
    )
    db.session.commit()
    auth.login("staff")
    return race, letter, invitations


def test_each_line_says_what_the_candidate_did_with_the_letter(client, answered):
    race, _, (booked, declined, asked, left) = answered
    rows = _rows(client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True))
    names = [booked.candidate.name, declined.candidate.name, asked.candidate.name, left.candidate.name, "Candidate E"]
    assert sorted(rows) == sorted(names)
    assert "Accepted" in rows[booked.candidate.name] and "Union Hall, Boardroom A" in rows[booked.candidate.name]
    assert f"to {booked.candidate.contact_email}" in rows[booked.candidate.name]
    assert "Opened" in rows[booked.candidate.name]
    assert "Declined" in rows[declined.candidate.name] and "Running unopposed" in rows[declined.candidate.name]
    assert "Evenings only, please" in rows[asked.candidate.name]
    assert rows[left.candidate.name].count("Left the race") >= 2  # the status and the event
    assert "Not invited yet" in rows["Candidate E"] and "Send" in rows["Candidate E"]
    # Staff act on a line: an invited candidate can be sent a new link or withdrawn, not one who left.
    assert "Resend (new link)" in rows[booked.candidate.name] and "Withdraw" in rows[booked.candidate.name]
    assert "Resend" not in rows[left.candidate.name]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("accepted", [0]),
        ("declined", [1]),
        ("other_times", [2]),
        ("left", [3]),
        ("not_invited", ["Candidate E"]),
        ("", [0, 1, 2, 3, "Candidate E"]),
        ("no-such-status", [0, 1, 2, 3, "Candidate E"]),  # an unknown filter shows everyone
    ],
)
def test_the_filter_shows_the_candidates_in_that_state(client, answered, status, expected):
    race, _, invitations = answered
    wanted = sorted(invitations[e].candidate.name if isinstance(e, int) else e for e in expected)
    response = client.get(f"/races/{race.id}/invitation/ledger?status={status}")
    assert response.status_code == 200
    assert sorted(_rows(response.get_data(as_text=True))) == wanted


def test_the_race_page_and_the_ledger_count_who_is_still_to_invite(client, answered):
    race, _, _ = answered  # four running candidates (one left the race), one of them not invited
    race_page = " ".join(client.get(f"/races/{race.id}").get_data(as_text=True).split())
    assert "Not invited yet: 1 of 4 running candidates" in race_page
    ledger = " ".join(client.get(f"/races/{race.id}/invitation/ledger").get_data(as_text=True).split())
    assert "4 sent · 1 of 4 running candidates not invited yet" in ledger
