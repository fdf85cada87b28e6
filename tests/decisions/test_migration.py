"""Revision a8b9c0d1e2f3 makes the accounts marked "voting member" the default body, and leaves every
existing vote's frozen roll, record and digest as they were; `votes verify` still passes."""

from __future__ import annotations

from datetime import date

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from config import TestConfig
from interviews import create_app
from interviews.auth.models import Role, User
from interviews.decisions.models import Body
from interviews.extensions import db
from interviews.races.models import Candidate, QuorumKind, Race
from interviews.votes.verify import verify_chain
from tests.test_migrations import _fresh_database_url
from tests.votes.test_chain_migration import _final_vote

ROLL = "SELECT vote_id, user_id, name, weight, present, has_voted FROM vote_roll ORDER BY id"


def test_voting_members_become_the_default_body_and_old_votes_stay_as_they_were(tmp_path):  # type: ignore[no-untyped-def]
    url, cleanup = _fresh_database_url(tmp_path)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    try:
        with app.app_context():
            upgrade()
            secretary = User(email="secretary@labor.example.org", name="Walter Secretary", role=Role.staff)
            weights = {"Ana Ruiz": 4200, "Ben Cho": 1500, "Cal Dunn": 0}  # a weight of 0 cannot sit on a body
            members = [
                User(email=f"m{n}@labor.example.org", name=name, role=Role.leader, is_voting_member=True, vote_weight=w)
                for n, (name, w) in enumerate(weights.items())
            ]
            outsider = User(email="x@labor.example.org", name="Dee Ellis", role=Role.leader, is_voting_member=False)
            race = Race(title="State Senate", office="Senator", jurisdiction="District 7", quorum_kind=QuorumKind.none)
            race.election_date = date(2027, 11, 2)
            race.candidates = [
                Candidate(name=f"Candidate {c}", contact_name="S", contact_email="s@c.example.com") for c in "AB"
            ]
            for user in (secretary, *members, outsider):
                user.password_hash = "!"
            db.session.add_all([secretary, *members, outsider, race])
            db.session.flush()
            vote = _final_vote(race, members, ["Candidate A", "Candidate A", None], secretary, 20)
            db.session.commit()
            digest, record = vote.digest, vote.record_json
            roll = db.session.execute(text(ROLL)).all()
            db.session.remove()

            # From the revision before (the vote as the first release stored it), then up again.
            downgrade(revision="f7a8b9c0d1e2")
            upgrade()
            body = db.session.scalars(select(Body)).one()
            assert (body.name, body.is_default) == ("Voting members", True)
            assert sorted((m.name, m.weight, m.user_id is not None, m.left_on) for m in body.members) == [
                ("Ana Ruiz", 4200, True, None),
                ("Ben Cho", 1500, True, None),
            ]
            assert db.session.execute(text(ROLL)).all() == roll
            stored = db.session.execute(text("SELECT digest, record_json, record_version FROM votes")).one()
            assert (stored.digest, stored.record_json, stored.record_version) == (digest, record, 1)
            checked = verify_chain()
            assert (checked.votes, checked.problems) == (1, [])
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
