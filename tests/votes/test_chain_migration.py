"""Revision a13c0de5ea1a moves publications into the chain without changing any final vote's digest, and back."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from config import TestConfig
from interviews import create_app
from interviews.audit.models import AuditEvent
from interviews.auth.models import Role, User
from interviews.extensions import db
from interviews.races.models import Candidate, QuorumKind, Race
from interviews.votes import ballots, services
from interviews.votes.models import Vote, VotePublication
from interviews.votes.verify import verify_chain
from tests.test_migrations import _fresh_database_url
from tests.votes.conftest import STATEMENT, option_id


def _final_vote(race: Race, members: list[User], choices: list[str | None], secretary: User, day: int) -> Vote:
    vote = services.prepare_vote(race, held_on=date(2026, 11, day), motion="That we endorse.", actor=secretary)
    services.open_vote(vote, actor=secretary)
    for member, label in zip(members, choices, strict=True):
        ballots.cast_ballot(vote, member, option_id(vote, label), actor=member)
    services.close_vote(vote, actor=secretary)
    services.finalise_vote(vote, actor=secretary, now=datetime(2026, 11, day, 19, 0, tzinfo=UTC))
    return vote


def test_publications_move_into_the_chain_and_back(tmp_path):  # type: ignore[no-untyped-def]
    url, cleanup = _fresh_database_url(tmp_path)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    try:
        with app.app_context():
            upgrade()
            secretary = User(email="secretary@labor.example.org", name="Walter Secretary", role=Role.staff)
            members = [
                User(email=f"m{n}@labor.example.org", name=f"Member {n}", role=Role.leader, is_voting_member=True)
                for n in range(3)
            ]
            race = Race(
                title="State Senate", office="State Senator", jurisdiction="District 7", quorum_kind=QuorumKind.none
            )
            race.election_date = date(2027, 11, 2)
            race.candidates = [
                Candidate(name=f"Candidate {c}", contact_name="S", contact_email="s@c.example.com") for c in "AB"
            ]
            for user in (secretary, *members):
                user.password_hash = "!"
            db.session.add_all([secretary, *members, race])
            db.session.flush()
            first = _final_vote(race, members, ["Candidate A", "Candidate A", None], secretary, 20)
            second = _final_vote(race, members, ["Candidate A", "Candidate B", None], secretary, 21)
            # Published after the second vote was final: the publication is record 3.
            services.publish_vote(first, STATEMENT, actor=secretary, now=datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
            db.session.commit()
            ids, digests = (first.id, second.id), (first.digest, second.digest)
            publication_digest = first.publication.digest
            db.session.remove()

            downgrade(revision="f7726cf9f1c0")
            assert "vote_publications" not in inspect(db.engine).get_table_names()
            with db.engine.begin() as conn:
                rows = conn.execute(
                    text("SELECT id, digest, result_text, published_at, public_statement FROM votes ORDER BY id")
                ).all()
                # A database from before the revision has no chain_extended events.
                conn.execute(text("DELETE FROM audit_events WHERE action = 'vote.chain_extended'"))
            assert [(r.id, r.digest, r.result_text, r.public_statement) for r in rows] == [
                (ids[0], digests[0], "Endorsed: Candidate A", STATEMENT),
                (ids[1], digests[1], "No endorsement (threshold not reached)", ""),
            ]
            assert rows[0].published_at is not None and rows[1].published_at is None

            upgrade()
            publication = db.session.scalars(select(VotePublication)).one()
            assert (publication.vote_id, publication.chain_position, publication.digest) == (
                ids[0],
                3,
                publication_digest,
            )
            assert publication.statement == STATEMENT
            assert publication.published_at == datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
            event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "vote.chain_extended")).one()
            assert event.actor_label == "system (migration a13c0de5ea1a)"
            assert event.changes == {"length": 3, "head": publication_digest}
            checked = verify_chain(publication_digest)
            assert (checked.votes, checked.publications, checked.length, checked.problems) == (2, 1, 3, [])
            if db.engine.dialect.name == "postgresql":
                triggers = db.session.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).all()
                assert len(triggers) == 7
            db.session.remove()
            downgrade(revision="base")
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
