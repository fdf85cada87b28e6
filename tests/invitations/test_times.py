"""Local wall-clock times typed by staff become one UTC instant, or a clear refusal."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interviews.times import LocalTimeError, local_to_utc, utc_to_local

ZONES = ["America/New_York", "America/Los_Angeles", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@given(
    local=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    zone=st.sampled_from(ZONES),
)
def test_a_local_time_round_trips_or_is_refused(local, zone):
    try:
        instant = local_to_utc(local, zone)
    except LocalTimeError as error:
        assert "does not exist" in str(error)
        return
    assert instant.tzinfo is not None
    assert utc_to_local(instant, zone) == local


def test_the_spring_gap_is_refused_and_an_unknown_zone_too():
    with pytest.raises(LocalTimeError, match="clocks go forward"):
        local_to_utc(datetime(2026, 3, 8, 2, 30), "America/New_York")
    with pytest.raises(LocalTimeError, match="not a time zone"):
        local_to_utc(datetime(2026, 3, 8, 2, 30), "Mars/Olympus")
