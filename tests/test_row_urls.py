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


# --- links remembered by the app (interviews.urls.App) ---------------------------------------------


def _werkzeug_build(app: Flask, script_name: str, endpoint: str, values: dict[str, object]) -> str:
    """The address werkzeug's URL map gives, asked directly: what url_for must keep giving."""
    return app.url_map.bind("localhost", script_name=script_name).build(endpoint, values)


@pytest.mark.parametrize("script_name", ["/", "/union"])
def test_a_remembered_link_is_the_one_the_url_map_builds_under_each_script_root(app: Flask, script_name: str) -> None:
    links = [
        ("races.index", {}),
        ("races.detail", {"race_id": 7}),
        ("races.detail", {"race_id": 8}),
        ("scheduling.new", {"race": 3, "candidate": 4}),
        ("races.index", {"page": 2}),
        ("races.index", {"page": "2"}),
        ("static", {"filename": "app.css"}),
    ]
    # Both script roots in one process: a link remembered under one must not answer for the other.
    for other in ("/", "/elsewhere"):
        with app.test_request_context("/", base_url=f"http://localhost{other.rstrip('/')}"):
            for endpoint, values in links:
                url_for(endpoint, **values)
    with app.test_request_context("/", base_url=f"http://localhost{script_name.rstrip('/')}"):
        for endpoint, values in links:
            expected = _werkzeug_build(app, script_name, endpoint, values)
            assert url_for(endpoint, **values) == expected
            assert url_for(endpoint, **values) == expected  # the second time, from the memo


def test_remembered_links_keep_apart_values_that_compare_equal_and_anchors(app: Flask) -> None:
    with app.test_request_context("/"):
        assert url_for("races.index", page=1) == "/races?page=1"
        assert url_for("races.index", page=True) == _werkzeug_build(app, "/", "races.index", {"page": True})
        assert url_for("races.index", page=True) != "/races?page=1"
        assert url_for("races.detail", race_id=2, _anchor="votes") == "/races/2#votes"
        assert url_for("races.detail", race_id=2) == "/races/2"
        assert url_for("races.detail", race_id=2, _external=True) == "http://localhost/races/2"


def test_a_link_that_cannot_be_built_fails_each_time_and_is_not_remembered(app: Flask) -> None:
    from werkzeug.routing import BuildError

    with app.test_request_context("/"):
        for _ in range(2):
            with pytest.raises(BuildError):
                url_for("races.detail")
        assert url_for("races.detail", race_id=5) == "/races/5"
