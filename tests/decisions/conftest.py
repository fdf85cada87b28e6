"""Fixtures of the decisions tests: a race with two candidates, Rosa Delgado-Park and Sam Lee."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from interviews.extensions import db
from interviews.races.models import Candidate, Race

ROSA, SAM = "Rosa Delgado-Park", "Sam Lee"


@pytest.fixture
def race(app: Any) -> Race:
    race = Race(
        title="City Council Ward 3",
        office="Council member",
        jurisdiction="Springfield",
        election_date=date(2027, 11, 2),
    )
    for name in (ROSA, SAM):
        race.candidates.append(
            Candidate(
                name=name,
                contact_name=f"Scheduler for {name}",
                contact_email=f"{name[:3].lower()}@campaign.example.com",
            )
        )
    db.session.add(race)
    db.session.commit()
    return race
