"""On PostgreSQL, triggers refuse UPDATE and DELETE of a final vote, its parts, publications and audit events,
while the app's own writes (finalising is the last UPDATE of a vote row) never meet them."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from interviews.extensions import db
from tests.conftest import stored_rows


@pytest.fixture(autouse=True)
def _postgresql_only(app):  # type: ignore[no-untyped-def]
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the guards are PostgreSQL triggers; SQLite has none (set TEST_DATABASE_URL to run these)")


def test_the_triggers_are_installed_on_the_test_schema():
    names = db.session.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).all()
    assert set(names) == {
        "votes_final_guard",
        "vote_options_final_guard",
        "vote_roll_final_guard",
        "ballots_final_guard",
        "ballot_box_totals_final_guard",
        "vote_publications_append_only",
        "audit_events_append_only",
    }


REFUSED = {
    "update a final vote": "UPDATE votes SET motion = 'That we endorse Mallory.' WHERE id = :named",
    "reopen a final vote": "UPDATE votes SET status = 'closed' WHERE id = :named",
    "delete a final vote": "DELETE FROM votes WHERE id = :named",
    "update its ballot": "UPDATE ballots SET option_id = NULL WHERE vote_id = :named",
    "delete its ballot": "DELETE FROM ballots WHERE vote_id = :named",
    "add a ballot": "INSERT INTO ballots (id, vote_id, member_id, option_id, weight, paper)"
    " SELECT 'forged', vote_id, NULL, option_id, 100, false FROM ballots WHERE vote_id = :named LIMIT 1",
    "update a secret vote's total": "UPDATE ballot_box_totals SET ballots = ballots + 1 WHERE vote_id = :secret",
    "delete a secret vote's total": "DELETE FROM ballot_box_totals WHERE vote_id = :secret",
    "update its roll": "UPDATE vote_roll SET weight = 9 WHERE vote_id = :named",
    "delete its roll": "DELETE FROM vote_roll WHERE vote_id = :named",
    "update its option": "UPDATE vote_options SET label = 'Mallory' WHERE vote_id = :named",
    "delete its option": "DELETE FROM vote_options WHERE vote_id = :named",
    "update a publication": "UPDATE vote_publications SET statement = 'We endorse Mallory.'",
    "delete a publication": "DELETE FROM vote_publications",
    "update an audit event": "UPDATE audit_events SET summary = 'Nothing happened'",
    "delete an audit event": "DELETE FROM audit_events",
}


@pytest.mark.parametrize("sql", REFUSED.values(), ids=REFUSED.keys())
def test_a_stray_statement_is_refused_and_changes_nothing(chain, sql):
    named, secret = chain
    before = stored_rows()
    with pytest.raises(IntegrityError, match=r"cannot be|append-only"), db.session.begin_nested():
        db.session.execute(text(sql), {"named": named.id, "secret": secret.id})
    db.session.rollback()
    assert stored_rows() == before


def test_a_vote_that_is_not_final_yet_can_still_be_changed(make_member, opened_vote):  # type: ignore[no-untyped-def]
    make_member()
    db.session.commit()
    vote = opened_vote()
    db.session.execute(text("UPDATE vote_roll SET present = true WHERE vote_id = :v"), {"v": vote.id})
    db.session.execute(text("UPDATE votes SET motion = 'That we endorse now.' WHERE id = :v"), {"v": vote.id})
    db.session.commit()
    db.session.refresh(vote)
    assert vote.motion == "That we endorse now." and all(e.present for e in vote.roll)
