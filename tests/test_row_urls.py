"""A list's per-row links are built once per page (interviews.urls.row_url): each must be the address
url_for gives for that row, whatever the id and wherever it sits in the address."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from interviews.security import MAX_ID
from interviews.urls import row_url


@pytest.mark.parametrize(
    ("endpoint", "field", "values"),
    [
        ("races.candidate_edit", "candidate_id", {"race_id": 3}),  # the id inside the path
        ("scheduling.interview_detail", "interview_id", {}),  # the id at the end of the path
        ("scheduling.new", "candidate", {"race": 3}),  # the id in the query string
        ("invitations.resend", "invitation_id", {}),
    ],
)
def test_a_row_link_is_the_address_url_for_gives(app: Flask, endpoint: str, field: str, values: dict[str, int]) -> None:
    with app.test_request_context("/"):
        link = row_url(endpoint, field, **values)
        for row_id in (1, 3, 42, 9_876, MAX_ID):
            assert link(row_id) == url_for(endpoint, **values, **{field: row_id})


def test_the_race_page_links_each_candidate_and_interview_to_its_own_page(client, auth, make_race) -> None:  # type: ignore[no-untyped-def]
    race = make_race("Mayor", candidates=3)
    auth.login("staff")
    page = client.get(f"/races/{race.id}").get_data(as_text=True)
    for candidate in race.candidates:
        assert f'href="/races/{race.id}/candidates/{candidate.id}"' in page
        assert f'href="/interviews/new?race={race.id}&amp;candidate={candidate.id}"' in page
