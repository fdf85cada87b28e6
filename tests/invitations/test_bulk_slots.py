"""Staff offer many slots at once: what they type is read as they meant it, previewed, then saved whole."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.invitations.bulk import BulkInputError, from_lines, from_range, parse_times
from interviews.invitations.models import Slot
from interviews.scheduling.services import create_interview
from interviews.types import utcnow
from tests.conftest import changed_tables, stored_rows

NY = ZoneInfo("America/New_York")


def _monday(days: int = 14) -> date:
    day = (utcnow() + timedelta(days=days)).astimezone(NY).date()
    return day + timedelta(days=(7 - day.weekday()) % 7)


# --- reading what staff type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10:00, 13:00, 15:30", [(time(10), None), (time(13), None), (time(15, 30), None)]),
        ("9.30 - 10.15; 14h00 to 15h00", [(time(9, 30), time(10, 15)), (time(14), time(15))]),
        ("08:05–08:50 16:00", [(time(8, 5), time(8, 50)), (time(16), None)]),
        ("", []),
    ],
)
def test_times_of_a_day(typed, expected):
    assert parse_times(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "10:60", "noon", "10:00-", "10"])
def test_times_that_are_not_times_are_refused_by_name(typed):
    with pytest.raises(BulkInputError, match="is not a time like 10:00"):
        parse_times(typed)


def test_pasted_lines_each_a_day_with_its_times_and_the_unreadable_ones_named():
    slots, problems = from_lines(
        "2026-03-09 10:00\n\n# the second week\n2026-03-10T10:00-10:45, 14:00\n2026-02-30 10:00\nnext tuesday\n"
    )
    assert [(s.start, s.end) for s in slots] == [
        (datetime(2026, 3, 9, 10), None),
        (datetime(2026, 3, 10, 10), datetime(2026, 3, 10, 10, 45)),
        (datetime(2026, 3, 10, 14), None),
    ]
    assert problems == [
        "Line 5: “2026-02-30 10:00” names a day that does not exist.",
        "Line 6: “next tuesday” is not a date and a time like 2026-03-09 10:00.",
    ]


def test_a_range_of_days_skips_the_weekend_when_asked():
    # Friday 4 to Monday 7 December 2026.
    weekdays = from_range(date(2026, 12, 4), date(2026, 12, 7), "10:00, 14:00", weekdays_only=True)
    assert [s.start for s in weekdays] == [
        datetime(2026, 12, 4, 10),
        datetime(2026, 12, 4, 14),
        datetime(2026, 12, 7, 10),
        datetime(2026, 12, 7, 14),
    ]
    assert len(from_range(date(2026, 12, 4), date(2026, 12, 7), "10:00", weekdays_only=False)) == 4
    with pytest.raises(BulkInputError, match="last day is before"):
        from_range(date(2026, 12, 7), date(2026, 12, 4), "10:00", weekdays_only=True)
    with pytest.raises(BulkInputError, match="at most 92 days"):
        from_range(date(2026, 1, 1), date(2026, 12, 31), "10:00", weekdays_only=True)


# --- the letter page: preview, then save ----------------------------------------------------------


def _bulk(client, race, **fields):  # type: ignore[no-untyped-def]
    data = {
        "bulk-length": "45",
        "bulk-timezone": "America/New_York",
        "bulk-location_id": "0",
        "bulk-weekdays_only": "y",
        **{f"bulk-{k}": v for k, v in fields.items()},
    }
    return client.post(f"/races/{race.id}/invitation/slots/bulk", data=data)


def test_a_preview_shows_each_slot_with_odd_hours_and_busy_panel_members_and_saves_nothing(
    client, auth, letter_race, staffer
):
    race, _letter = letter_race(slots=0)
    monday = _monday()
    create_interview(
        race=race,
        candidate=race.candidates[1],
        starts_at=datetime.combine(monday + timedelta(days=1), time(14), NY),
        ends_at=datetime.combine(monday + timedelta(days=1), time(15), NY),
        timezone="America/New_York",
        location=None,
        panel=[race.panel[0]],
        actor=staffer,
    )
    db.session.commit()
    auth.login("staff")
    before = stored_rows()
    response = _bulk(
        client,
        race,
        first_day=monday.isoformat(),
        last_day=(monday + timedelta(days=1)).isoformat(),
        times="06:30, 14:00",
        preview="Preview",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and changed_tables(before) == []
    assert "Preview: 4 slots, nothing saved yet" in page and "4 can be offered, 3 of them with warnings" in page
    assert page.count("before 07:00") == 2  # both mornings
    assert f"{race.panel[0].name} is already on the panel" in page  # Tuesday 14:00
    assert "Offer the slots with warnings too" in page and "Save these slots" in page


def test_errors_keep_the_save_button_away_and_name_the_line(client, auth, letter_race):
    race, letter = letter_race(slots=1)  # 10:00 on a weekday at least 8 days ahead
    existing = letter.slots[0].starts_at.astimezone(NY)
    auth.login("staff")
    before = stored_rows()
    response = _bulk(
        client,
        race,
        lines=f"{existing:%Y-%m-%d} 10:15\n2027-03-14 02:30\n2026-01-05 10:00\nnonsense",
        preview="Preview",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and changed_tables(before) == []
    assert "It overlaps the slot of" in page  # 10:15 runs into the 10:00 slot
    assert "02:30 does not exist on Sun 14 Mar 2027" in page  # the clocks go forward that night
    assert "is in the past" in page
    assert "Line 4: “nonsense” is not a date and a time" in page
    assert 'name="bulk-save"' not in page


def test_saving_offers_every_slot_once_confirmed_and_only_what_was_previewed(client, auth, letter_race):
    race, _letter = letter_race(slots=0)
    monday = _monday()
    auth.login("staff")
    fields = {
        "first_day": monday.isoformat(),
        "last_day": (monday + timedelta(days=4)).isoformat(),
        "times": "06:30, 10:00",
    }
    preview = _bulk(client, race, **fields, preview="Preview").get_data(as_text=True)
    fingerprint = re.search(r'name="bulk-previewed" type="hidden" value="(\w+)"', preview).group(1)
    before = stored_rows()
    # The warnings (06:30 is early) must be confirmed.
    unconfirmed = _bulk(client, race, **fields, previewed=fingerprint, save="Save")
    assert unconfirmed.status_code == 400 and "tick the box" in unconfirmed.get_data(as_text=True)
    # Changed after the preview: shown again, not saved.
    changed = _bulk(
        client, race, **{**fields, "times": "06:30, 11:00"}, previewed=fingerprint, confirm="y", save="Save"
    )
    assert changed.status_code == 200 and "changed after the preview" in changed.get_data(as_text=True)
    assert changed_tables(before) == []
    saved = _bulk(client, race, **fields, previewed=fingerprint, confirm="y", save="Save")
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/invitation#slots")
    starts = list(db.session.scalars(select(Slot.starts_at).order_by(Slot.starts_at)))
    expected = [
        datetime.combine(monday + timedelta(days=d), clock, NY) for d in range(5) for clock in (time(6, 30), time(10))
    ]
    assert starts == expected
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "slot.added")) == 10


@pytest.mark.parametrize(
    "fields",
    [
        {"length": "abc", "times": "10:00", "first_day": "2030-01-07"},
        {"length": "0", "times": "10:00", "first_day": "2030-01-07"},
        {"first_day": "2030-13-45", "times": "10:00"},
        {"location_id": "99999", "times": "10:00", "first_day": "2030-01-07"},
        {"timezone": "Mars/Olympus", "times": "10:00", "first_day": "2030-01-07"},
        {"lines": "\x00" * 50 + "\n" + "9" * 5000},
        {"first_day": "2030-01-07", "last_day": "2031-01-07", "times": "10:00"},
        {"first_day": "2030-01-07", "last_day": "2030-03-31", "times": "08:00 09:00 10:00 11:00", "save": "Save"},
        {},
    ],
)
def test_bad_input_never_500_and_changes_nothing(client, auth, letter_race, fields):
    race, _ = letter_race(slots=0)
    auth.login("staff")
    before = stored_rows()
    response = _bulk(client, race, **{"preview": "Preview", **fields})
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]
    assert "Traceback" not in response.get_data(as_text=True)
    assert changed_tables(before) == []
