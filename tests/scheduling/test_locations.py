"""Locations: staff add rooms and video meetings, edit them and take them out of use."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from interviews.audit.actors import ActorKind
from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.scheduling.models import Location, LocationKind
from tests.conftest import changed_tables, stored_rows


def test_staff_add_a_room_and_a_video_meeting(client, auth):
    auth.login("staff")
    assert "No locations yet" in client.get("/locations").get_data(as_text=True)
    room = {"name": "Union Hall, Boardroom A", "kind": "room", "address": "1200 Harbor Street", "capacity": "24"}
    assert client.post("/locations/new", data=room).status_code == 302
    video = {"name": "Board call", "kind": "video", "join_url": "https://meet.example.org/board", "capacity": "5"}
    assert client.post("/locations/new", data=video).status_code == 302
    rows = db.session.scalars(select(Location).order_by(Location.id)).all()
    assert [(r.kind, r.capacity, r.join_url) for r in rows] == [
        (LocationKind.room, 24, ""),
        (LocationKind.video, None, "https://meet.example.org/board"),
    ]
    html = client.get("/locations").get_data(as_text=True)
    assert "Union Hall, Boardroom A" in html and "https://meet.example.org/board" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "Call", "kind": "video", "join_url": "http://meet.example.org/x"}, "https:// join link"),
        ({"name": "Call", "kind": "video", "join_url": ""}, "https:// join link"),
        ({"name": "Call", "kind": "video", "join_url": "javascript:alert(1)"}, "https:// join link"),
        ({"name": "", "kind": "room"}, "This field is required."),
        ({"name": "Hall", "kind": "tent"}, "Not a valid choice."),
        ({"name": "Hall", "kind": "room", "capacity": "0"}, "Number must be between 1 and 100000."),
        ({"name": "Hall", "kind": "room", "capacity": "lots"}, "Not a valid integer value."),
    ],
)
def test_bad_location_input_is_a_clear_message(client, auth, data, message):
    auth.login("staff")
    before = stored_rows()
    response = client.post("/locations/new", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(Location)) is None
    assert changed_tables(before) == []


def test_edit_and_take_out_of_use_with_audit(client, auth, make_location):
    location = make_location()
    auth.login("staff")
    data = {"name": "Boardroom A (3rd floor)", "kind": "room", "address": "1200 Harbor Street", "capacity": "20"}
    assert client.post(f"/locations/{location.id}", data=data).status_code == 302
    assert client.post(f"/locations/{location.id}/active", data={"active": "0"}).status_code == 302
    db.session.refresh(location)
    assert location.name == "Boardroom A (3rd floor)" and not location.active
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "Location")).all()
    assert actions == ["location.updated", "location.deactivated"]
    assert client.get("/locations/987654").status_code == 404


def test_leaders_cannot_manage_locations(client, auth, make_location):
    location = make_location()
    auth.login("leader")
    before = stored_rows()
    assert client.get("/locations").status_code == 403
    assert client.post(f"/locations/{location.id}/active", data={"active": "0"}).status_code == 403
    assert changed_tables(before) == []


def test_each_write_to_a_location_names_the_staff_member_who_made_it(client, auth, make_user):
    staff = make_user("staff", name="Harold Baptiste", email="harold.baptiste@labor.example.org")
    auth.login(staff)
    room = {"name": "Union Hall, Boardroom A", "kind": "room", "address": "1200 Harbor Street", "capacity": "24"}
    assert client.post("/locations/new", data=room).status_code == 302
    location = db.session.scalar(select(Location))
    assert client.post(f"/locations/{location.id}", data={**room, "capacity": "20"}).status_code == 302
    assert client.post(f"/locations/{location.id}/active", data={"active": "0"}).status_code == 302
    assert client.post(f"/locations/{location.id}/active", data={"active": "1"}).status_code == 302

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Location").order_by(AuditEvent.id))
    by_staff = (ActorKind.user, staff.id, "Harold Baptiste <harold.baptiste@labor.example.org>")
    assert [(e.action, (e.actor_kind, e.actor_id, e.actor_label)) for e in events] == [
        ("location.created", by_staff),
        ("location.updated", by_staff),
        ("location.deactivated", by_staff),
        ("location.activated", by_staff),
    ]


@pytest.mark.parametrize("data", [{}, {"active": "maybe"}, {"active": "yes"}])
def test_taking_a_room_out_of_use_needs_it_said_outright(client, auth, make_location, data):
    location = make_location()
    auth.login("staff")
    before = stored_rows()
    assert client.post(f"/locations/{location.id}/active", data=data).status_code == 400
    assert changed_tables(before) == []
    db.session.refresh(location)
    assert location.active
