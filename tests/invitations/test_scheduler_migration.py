"""Revision f7a8b9c0d1e2 files the messages already in the outbox under their race, and goes back down."""

from __future__ import annotations

from datetime import timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from config import TestConfig
from interviews import create_app
from interviews.audit.actors import System
from interviews.extensions import db
from interviews.invitations import candidate as campaign
from interviews.invitations import services as invitations
from interviews.races.models import Candidate, Race
from interviews.types import utcnow
from tests.invitations.conftest import weekday_at
from tests.test_migrations import _fresh_database_url

BEFORE = "c4e5f6a7b8c9"


def test_existing_messages_get_their_race_and_the_revision_goes_back_down(tmp_path):  # type: ignore[no-untyped-def]
    url, cleanup = _fresh_database_url(tmp_path)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    try:
        with app.app_context():
            upgrade()
            actor = System("migration test")
            races = []
            for title in ("2026 Governor", "2027 Mayor"):
                race = Race(title=title, office="Office", jurisdiction="Here", election_date=utcnow().date())
                race.candidates = [
                    Candidate(name=f"{title} candidate", contact_name="S", contact_email="s@c.example.com")
                ]
                db.session.add(race)
                db.session.flush()
                letter = invitations.save_letter(
                    race,
                    {
                        "subject": "Invitation",
                        "body": "Dear candidate",
                        "topics": "",
                        "respond_by": utcnow() + timedelta(days=5),
                        "timezone": "America/New_York",
                        "duration_minutes": 45,
                    },
                    actor=actor,
                )
                start = weekday_at(10, days=8)
                invitations.add_slot(
                    letter,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=45),
                    timezone="America/New_York",
                    location=None,
                    actor=actor,
                )
                (invitation,) = invitations.send(letter, actor=actor).sent  # an e-mail about an Invitation
                campaign.book_slot(invitation, letter.slots[0].id)  # calendar e-mails about an Interview
                campaign.ask_to_reschedule(invitation, "Later, please")  # a notice about a CandidateRequest
                races.append(race)
            db.session.commit()
            expected = {
                row.id: row.race_id for row in db.session.execute(text("SELECT id, race_id FROM outbox_messages"))
            }
            assert set(expected.values()) == {race.id for race in races}  # every message has its race
            db.session.remove()

            downgrade(revision=BEFORE)
            assert "race_id" not in {c["name"] for c in inspect(db.engine).get_columns("outbox_messages")}
            assert "booking_failures" not in inspect(db.engine).get_table_names()
            upgrade()
            with db.engine.connect() as conn:
                filled = dict(conn.execute(text("SELECT id, race_id FROM outbox_messages")).tuples().all())
            assert filled == expected
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
