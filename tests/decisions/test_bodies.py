"""Bodies and their members over time: the services, and the pages staff use to keep them.

Dates and figures are written out by hand: a seat from 5 January with its weight changed from
1 March is two seats, 5 January to 28 February at the old weight and from 1 March at the new.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.decisions import bodies
from interviews.decisions.errors import DecisionError
from interviews.decisions.models import Body, BodyMember
from interviews.extensions import db
from tests.conftest import changed_tables, stored_rows

JAN_5, FEB_28, MAR_1, JUN_30 = date(2025, 1, 5), date(2025, 2, 28), date(2025, 3, 1), date(2025, 6, 30)


@pytest.fixture
def committee(staffer: Any) -> Body:
    body = bodies.create_body("Political Committee", "Recommends to the board.", actor=staffer)
    db.session.commit()
    return body


@pytest.fixture
def delegates(staffer: Any) -> Body:
    body = bodies.create_body("Convention delegates", actor=staffer)
    db.session.commit()
    return body


def seats(body: Body) -> list[tuple[str, int, date, date | None]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(BodyMember).where(BodyMember.body_id == body.id).order_by(BodyMember.name, BodyMember.joined_on)
    )
    return [(m.name, m.weight, m.joined_on, m.left_on) for m in rows]


def names_on(body: Body, day: date) -> list[tuple[str, int]]:
    db.session.expire_all()
    return sorted((m.name, m.weight) for m in db.session.get(Body, body.id).members_on(day))


# --- services ----------------------------------------------------------------------------------


def test_a_new_weight_keeps_the_old_seat_in_the_history(committee, staffer):
    ann = bodies.add_member(committee, name="Ann Lee", weight=3, joined_on=JAN_5, actor=staffer)
    bodies.change_weight(ann, 5, on=MAR_1, actor=staffer)
    db.session.commit()
    assert seats(committee) == [("Ann Lee", 3, JAN_5, MAR_1), ("Ann Lee", 5, MAR_1, None)]
    assert names_on(committee, date(2025, 1, 4)) == []
    assert names_on(committee, FEB_28) == [("Ann Lee", 3)]
    assert names_on(committee, MAR_1) == [("Ann Lee", 5)]


def test_someone_who_leaves_sat_until_the_day_before(committee, staffer):
    ann = bodies.add_member(committee, name="Ann Lee", weight=1, joined_on=JAN_5, actor=staffer)
    bo = bodies.add_member(committee, name="Bo Chen", weight=2, joined_on=MAR_1, actor=staffer)
    bodies.end_membership(ann, left_on=JUN_30, actor=staffer)
    db.session.commit()
    assert names_on(committee, FEB_28) == [("Ann Lee", 1)]
    assert names_on(committee, date(2025, 6, 29)) == [("Ann Lee", 1), ("Bo Chen", 2)]
    assert names_on(committee, JUN_30) == [("Bo Chen", 2)]
    assert seats(committee) == [("Ann Lee", 1, JAN_5, JUN_30), ("Bo Chen", 2, MAR_1, None)]
    with pytest.raises(DecisionError, match="already left"):
        bodies.end_membership(ann, left_on=date(2025, 7, 1), actor=staffer)
    with pytest.raises(DecisionError, match="cannot leave before"):
        bodies.end_membership(bo, left_on=FEB_28, actor=staffer)


def test_the_default_body_follows_the_accounts_marked_voting_member(make_user, staffer):
    rosa = make_user("leader", name="Rosa Delgado", is_voting_member=True, vote_weight=3)
    tom = make_user("leader", name="Tom Reyes", is_voting_member=True)
    make_user("leader", name="Una Vance")  # not a voting member
    body = bodies.sync_default_body(today=JAN_5, actor=staffer)
    db.session.commit()
    assert body.is_default and body.name == "Voting members"
    assert names_on(body, JAN_5) == [("Rosa Delgado", 3), ("Tom Reyes", 1)]

    rosa.vote_weight = 4
    tom.is_voting_member = False
    db.session.commit()
    bodies.sync_default_body(today=MAR_1, actor=staffer)
    db.session.commit()
    assert names_on(body, FEB_28) == [("Rosa Delgado", 3), ("Tom Reyes", 1)]
    assert names_on(body, MAR_1) == [("Rosa Delgado", 4)]
    assert seats(body) == [
        ("Rosa Delgado", 3, JAN_5, MAR_1),
        ("Rosa Delgado", 4, MAR_1, None),
        ("Tom Reyes", 1, JAN_5, MAR_1),
    ]
    # Brought up to date again with nothing changed, it stays as it is.
    bodies.sync_default_body(today=JUN_30, actor=staffer)
    db.session.commit()
    assert len(seats(body)) == 3


def test_importing_a_roll_seats_the_good_rows_and_reports_the_others(delegates, make_user, staffer):
    rosa = make_user("leader", name="Rosa Delgado", email="rosa.delgado@local12.example.org")
    bodies.add_member(delegates, name="Pat Quinn", reference="D-9", weight=1, joined_on=JAN_5, actor=staffer)
    db.session.commit()
    roll = (
        "name,weight,reference,email\n"
        'Ann Lee,"12,500",D-1,\n'
        "Rosa Delgado,2,D-2,Rosa.Delgado@local12.example.org\n"
        "Bo Chen,none,D-3,\n"
        "Cy Diaz,1,D-9,\n"
    )
    report = bodies.import_roll(delegates, roll, joined_on=MAR_1, actor=staffer)
    db.session.commit()
    assert [(s.line, s.name) for s in report.accepted] == [(2, "Ann Lee"), (3, "Rosa Delgado")]
    assert [(r.line, r.reason) for r in report.refused] == [
        (4, "the weight “none” is not a number; write it in figures, such as 12 or 12,500"),
        (5, "someone with reference D-9 already sits on the body"),
    ]
    assert names_on(delegates, MAR_1) == [("Ann Lee", 12_500), ("Pat Quinn", 1), ("Rosa Delgado", 2)]
    linked = db.session.scalar(select(BodyMember).where(BodyMember.reference == "D-2"))
    assert linked.user_id == rosa.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "body.roll_imported")).one()
    assert event.changes == {
        "joined_on": "2025-03-01",
        "seated": 2,
        "total_weight": 12_502,
        "refused": 2,
        "linked_to_accounts": 1,
    }
    assert event.actor_id == staffer.id
    # The same file again: everyone in it already sits, nothing more is stored.
    before = stored_rows()
    again = bodies.import_roll(delegates, roll, joined_on=MAR_1, actor=staffer)
    db.session.commit()
    assert (len(again.accepted), len(again.refused)) == (0, 4)
    assert changed_tables(before) == []


def test_the_default_body_takes_no_roll(staffer):
    body = bodies.sync_default_body(today=JAN_5, actor=staffer)
    db.session.commit()
    with pytest.raises(DecisionError, match="mark the accounts"):
        bodies.import_roll(body, "name\nAnn Lee\n", joined_on=JAN_5, actor=staffer)


# --- pages -------------------------------------------------------------------------------------


def test_staff_create_a_body_and_see_it_listed(client, auth):
    auth.login("staff")
    response = client.post("/bodies", data={"name": "  Executive   Board ", "description": "The officers."})
    body = db.session.scalar(select(Body))
    assert response.status_code == 302 and response.headers["Location"] == f"/bodies/{body.id}"
    assert (body.name, body.description) == ("Executive Board", "The officers.")
    html = client.get("/bodies").get_data(as_text=True)
    assert "Executive Board" in html and "The officers." in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "Give the body a name."),
        ({"name": "political committee"}, "There is already a body named political committee."),
        ({"name": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_a_body_refused_stores_nothing(client, auth, committee, data, message):
    auth.login("staff")
    before = stored_rows()
    response = client.post("/bodies", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_staff_add_an_account_and_a_person_without_one(client, auth, committee, make_user):
    tom = make_user("leader", name="Tom Reyes", email="tom.reyes@local7.example.org")
    auth.login("staff")
    add = f"/bodies/{committee.id}/members"
    account = {"account": str(tom.id), "name": "", "weight": "2", "joined_on": "2025-01-05"}
    assert client.post(add, data=account).status_code == 302
    person = {"account": "", "name": "Ann Lee", "reference": "Local 12", "weight": "1", "joined_on": "2025-03-01"}
    assert client.post(add, data=person).status_code == 302
    assert seats(committee) == [("Ann Lee", 1, MAR_1, None), ("Tom Reyes", 2, JAN_5, None)]
    html = client.get(f"/bodies/{committee.id}").get_data(as_text=True)
    assert "tom.reyes@local7.example.org" in html and "No account" in html and "Local 12" in html
    assert "2 members, total weight 3." in html
    # On 1 February only Tom sat.
    html = client.get(f"/bodies/{committee.id}?on=2025-02-01").get_data(as_text=True)
    assert "1 member, total weight 2." in html and "Ann Lee" in html  # Ann is under "Seats that start later"
    assert "Seats that start later" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"account": "", "name": "", "weight": "1", "joined_on": "2025-01-05"}, "Choose an account, or give the name"),
        ({"account": "", "name": "Ann Lee", "weight": "0", "joined_on": "2025-01-05"}, "A weight is a whole number"),
        ({"account": "", "name": "Ann Lee", "weight": "lots", "joined_on": "2025-01-05"}, "Not a valid integer"),
        ({"account": "", "name": "Ann Lee", "weight": "1", "joined_on": "2025-02-30"}, "Not a valid date"),
        ({"account": "987654", "name": "Ann Lee", "weight": "1", "joined_on": "2025-01-05"}, "Not a valid choice"),
    ],
)
def test_a_member_refused_is_a_message_and_stores_nothing(client, auth, committee, data, message):
    auth.login("staff")
    before = stored_rows()
    response = client.post(f"/bodies/{committee.id}/members", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_an_account_seated_twice_is_refused(client, auth, committee, make_user, staffer):
    tom = make_user("leader", name="Tom Reyes")
    bodies.add_member(committee, name="", user=tom, weight=1, joined_on=JAN_5, actor=staffer)
    db.session.commit()
    auth.login("staff")
    before = stored_rows()
    data = {"account": str(tom.id), "weight": "1", "joined_on": "2025-03-01"}
    response = client.post(f"/bodies/{committee.id}/members", data=data)
    assert response.status_code == 400
    assert "Tom Reyes already sits on Political Committee." in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_staff_change_a_weight_and_end_a_seat_from_the_page(client, auth, committee, staffer):
    ann = bodies.add_member(committee, name="Ann Lee", weight=3, joined_on=JAN_5, actor=staffer)
    db.session.commit()
    auth.login("staff")
    response = client.post(f"/bodies/members/{ann.id}/weight", data={"weight": "5", "on": "2025-03-01"})
    assert response.status_code == 302 and response.headers["Location"] == f"/bodies/{committee.id}"
    new_seat = db.session.scalar(select(BodyMember).where(BodyMember.left_on.is_(None)))
    assert client.post(f"/bodies/members/{new_seat.id}/end", data={"left_on": "2025-06-30"}).status_code == 302
    assert seats(committee) == [("Ann Lee", 3, JAN_5, MAR_1), ("Ann Lee", 5, MAR_1, JUN_30)]
    html = client.get(f"/bodies/{committee.id}").get_data(as_text=True)
    assert "Former members" in html and "0 members, total weight 0." in html


@pytest.mark.parametrize(
    "path, data, message",
    [
        ("weight", {"weight": "0", "on": "2025-03-01"}, "A weight is a whole number from 1 to 10,000,000."),
        ("weight", {"weight": "5", "on": "2025-13-01"}, "Not a valid date value."),
        ("end", {"left_on": ""}, "Give the day they leave."),
        ("end", {"left_on": "2024-12-31"}, "Ann Lee joined on 05 January 2025; they cannot leave before that."),
    ],
)
def test_a_refused_seat_change_says_why_and_stores_nothing(client, auth, committee, staffer, path, data, message):
    ann = bodies.add_member(committee, name="Ann Lee", weight=3, joined_on=JAN_5, actor=staffer)
    db.session.commit()
    auth.login("staff")
    before = stored_rows()
    response = client.post(f"/bodies/members/{ann.id}/{path}", data=data, follow_redirects=True)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_a_bad_day_to_look_at_is_a_message(client, auth, committee):
    auth.login("staff")
    for bad in ("2025-02-30", "yesterday", "2025-1-5x"):
        response = client.get(f"/bodies/{committee.id}?on={bad}")
        assert response.status_code == 400
        assert "Give the day as year-month-day, such as 2026-03-31." in response.get_data(as_text=True)


def test_more_than_a_hundred_members_are_shown_a_page_at_a_time(client, auth, delegates, staffer):
    roll = "name,reference\n" + "".join(f"Delegate {n:03},D-{n:03}\n" for n in range(1, 131))
    bodies.import_roll(delegates, roll, joined_on=JAN_5, actor=staffer)
    db.session.commit()
    auth.login("staff")
    first = client.get(f"/bodies/{delegates.id}").get_data(as_text=True)
    assert "Showing 1–100 of 130 members." in first and "Delegate 100" in first and "Delegate 101" not in first
    second = client.get(f"/bodies/{delegates.id}?page=2").get_data(as_text=True)
    assert "Showing 101–130 of 130 members." in second and "Delegate 101" in second and "Delegate 100<" not in second


def test_staff_import_a_roll_file_and_read_the_report(client, auth, delegates):
    auth.login("staff")
    assert "Import a roll into Convention delegates" in client.get(f"/bodies/{delegates.id}/import").get_data(
        as_text=True
    )
    roll = '\ufeffName,Weight,Reference\nAnn Lee,"12,500",D-1\n,3,D-2\nBo Chen,1.5,D-3\nCy Diaz,,D-4\n'.encode()
    response = client.post(
        f"/bodies/{delegates.id}/import",
        data={"file": (io.BytesIO(roll), "delegates.csv"), "joined_on": "2025-03-01"},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 members seated from Sat 1 Mar 2025 (total weight 12,501); 2 rows refused." in html
    assert "no name" in html and "the weight “1.5” is not a whole number" in html
    assert names_on(delegates, MAR_1) == [("Ann Lee", 12_500), ("Cy Diaz", 1)]


def test_a_pasted_roll_is_imported_too(client, auth, delegates):
    auth.login("staff")
    data = {"text": "name,reference\nAnn Lee,D-1\n", "joined_on": "2025-03-01"}
    response = client.post(f"/bodies/{delegates.id}/import", data=data)
    assert response.status_code == 200 and "1 member seated" in response.get_data(as_text=True)
    assert seats(delegates) == [("Ann Lee", 1, MAR_1, None)]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"text": "name,phone\nAnn Lee,555\n"}, "Unknown column “phone”."),
        ({"text": "Ann Lee,2\n"}, "The first line must name the columns"),
        ({"file": (io.BytesIO("name\nJosé\n".encode("latin-1")), "roll.csv")}, "The file is not UTF-8 text."),
        ({"file": (io.BytesIO(b""), "roll.csv")}, "The file is empty."),
        ({"file": (io.BytesIO(b"name\nAnn\n"), "roll.xlsx")}, "Upload a .csv file"),
        (
            {"file": (io.BytesIO(b"name\nAnn\n"), "roll.csv"), "text": "name\nBo\n"},
            "Upload a file or paste the roll, not both.",
        ),
        ({}, "Choose a CSV file to upload, or paste the roll below."),
    ],
)
def test_a_roll_refused_whole_stores_nothing(client, auth, delegates, data, message):
    auth.login("staff")
    before = stored_rows()
    response = client.post(
        f"/bodies/{delegates.id}/import",
        data={"joined_on": "2025-03-01", **data},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_the_default_body_is_kept_from_accounts_not_by_hand(client, auth, make_user):
    make_user("leader", name="Rosa Delgado", is_voting_member=True, vote_weight=3)
    auth.login("staff")
    assert "Make it from the accounts" in client.get("/bodies").get_data(as_text=True)
    response = client.post("/bodies/default/sync")
    body = db.session.scalar(select(Body).where(Body.is_default.is_(True)))
    assert response.status_code == 302 and response.headers["Location"] == f"/bodies/{body.id}"
    html = client.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert "Members come from the accounts" in html and "Bring up to date from accounts" in html
    assert "Rosa Delgado" in html and "1 member, total weight 3." in html
    seat = db.session.scalar(select(BodyMember))
    before = stored_rows()
    response = client.post(f"/bodies/members/{seat.id}/end", data={"left_on": "2025-06-30"}, follow_redirects=True)
    assert "Seats on Voting members follow the accounts" in response.get_data(as_text=True)
    response = client.post(f"/bodies/{body.id}/import", data={"text": "name\nAnn Lee\n", "joined_on": "2025-03-01"})
    assert response.status_code == 400 and "mark the accounts" in response.get_data(as_text=True)
    response = client.post(
        f"/bodies/{body.id}/members", data={"name": "Ann Lee", "weight": "1", "joined_on": "2025-03-01"}
    )
    assert response.status_code == 400 and "mark the account on its page instead" in response.get_data(as_text=True)
    assert changed_tables(before) == []


def test_leaders_may_not_see_or_change_bodies(client, auth, committee, staffer):
    ann = bodies.add_member(committee, name="Ann Lee", weight=3, joined_on=JAN_5, actor=staffer)
    db.session.commit()
    auth.login("leader")
    before = stored_rows()
    assert client.get("/bodies").status_code == 403
    assert client.get(f"/bodies/{committee.id}").status_code == 403
    assert client.post("/bodies", data={"name": "Shadow board"}).status_code == 403
    member = {"name": "Bo Chen", "weight": "1", "joined_on": "2025-03-01"}
    assert client.post(f"/bodies/{committee.id}/members", data=member).status_code == 403
    assert client.post(f"/bodies/members/{ann.id}/end", data={"left_on": "2025-06-30"}).status_code == 403
    assert client.post(f"/bodies/members/{ann.id}/weight", data={"weight": "9", "on": "2025-06-30"}).status_code == 403
    roll = {"text": "name\nBo Chen\n", "joined_on": "2025-03-01"}
    assert client.post(f"/bodies/{committee.id}/import", data=roll).status_code == 403
    assert client.post("/bodies/default/sync").status_code == 403
    assert changed_tables(before) == []
