"""The chain covers everything shown about a final vote: `votes verify` catches an edit to each shown field,
deleted records, records added behind the app's back, and a head an outside witness holds that is no longer
in the chain. The public page and the record book show where a vote stands in the chain, and its head."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.votes import services
from interviews.votes.models import Vote
from tests.notes.pdftext import pdf_text
from tests.votes.conftest import STATEMENT, option_id, tamper


def verify(runner, *args: str):  # type: ignore[no-untyped-def]
    db.session.commit()
    return runner.invoke(args=["votes", "verify", *args])


def stored_time(text: str) -> str:
    """A time as an attacker would write it into the column: naive UTC text on SQLite, ISO with zone elsewhere."""
    moment = datetime.fromisoformat(text)
    if db.session.get_bind().dialect.name == "sqlite":
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return moment.isoformat()


def test_final_votes_and_publications_make_one_chain_recorded_in_the_audit_trail(chain, secretary):
    named, secret = chain
    publication = named.publication
    assert (named.chain_position, publication.chain_position, secret.chain_position) == (1, 2, 3)
    assert named.previous_digest is None
    assert publication.previous_digest == named.digest and secret.previous_digest == publication.digest
    # The publication's record, written out by hand: what it publishes, when, with what statement, and its link.
    assert json.loads(publication.record_json) == {
        "version": 1,
        "kind": "publication",
        "vote": named.id,
        "final_record": named.digest,
        "published_at": "2026-11-20T20:00:00+00:00",
        "statement": STATEMENT,
        "chain": {"position": 2, "previous_digest": named.digest},
    }
    assert hashlib.sha256(publication.record_json.encode("utf-8")).hexdigest() == publication.digest
    # The result in words comes from the hashed record.
    assert json.loads(named.record_json)["result"]["winner"] == "Candidate A"
    assert named.result_text == "Endorsed: Candidate A"
    assert secret.result_text == "No endorsement (threshold not reached)"

    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "vote.chain_extended").order_by(AuditEvent.id)
    ).all()
    assert [(e.changes, e.actor_id, e.entity_type) for e in events] == [
        ({"length": 1, "head": named.digest}, secretary.id, "Vote"),
        ({"length": 2, "head": publication.digest}, secretary.id, "VotePublication"),
        ({"length": 3, "head": secret.digest}, secretary.id, "Vote"),
    ]


def test_verify_passes_on_the_untouched_chain_and_names_its_head(runner, chain):
    _named, secret = chain
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "2 final votes and 1 publication verified" in result.output
    assert f"The chain has 3 records; its head is {secret.digest}." in result.output


# What each page shows about a final vote, and the raw UPDATE an attacker would send to change it.
# "named" is record 1 (with its publication, record 2), "secret" is record 3.
NAMED_EDITS = {
    "result text (the record's winner)": "UPDATE votes SET record_json = replace(record_json, "
    '\'"winner":"Candidate A"\', \'"winner":"Mallory"\') WHERE id = :v',
    "outcome": "UPDATE votes SET outcome = 'no_endorsement' WHERE id = :v",
    "endorsed candidate": "UPDATE votes SET result_candidate_id = NULL WHERE id = :v",
    "quorum met": "UPDATE votes SET quorum_met = NOT quorum_met WHERE id = :v",
    "rule": "UPDATE votes SET threshold_numerator = 1, threshold_denominator = 2 WHERE id = :v",
    "motion": "UPDATE votes SET motion = 'That we endorse Mallory.' WHERE id = :v",
    "race label": "UPDATE votes SET race_label = 'Mallory for Senate' WHERE id = :v",
    "held on": "UPDATE votes SET held_on = '2026-11-21' WHERE id = :v",
    "digest": "UPDATE votes SET digest = :fake WHERE id = :v",
    "option label": "UPDATE vote_options SET label = 'Mallory' WHERE vote_id = :v AND label = 'Candidate A'",
    "roll name": "UPDATE vote_roll SET name = 'Mallory' WHERE vote_id = :v AND weight = 5",
    "roll weight": "UPDATE vote_roll SET weight = 4 WHERE vote_id = :v AND weight = 5",
    "roll present": "UPDATE vote_roll SET present = NOT present WHERE vote_id = :v AND weight = 5",
    "ballot choice": "UPDATE ballots SET option_id = NULL WHERE vote_id = :v AND weight = 5",
    "ballot weight": "UPDATE ballots SET weight = 50 WHERE vote_id = :v AND weight = 5",
    "ballot on paper": "UPDATE ballots SET paper = NOT paper WHERE vote_id = :v AND weight = 5",
}


@pytest.mark.parametrize("sql", NAMED_EDITS.values(), ids=NAMED_EDITS.keys())
def test_verify_catches_an_edit_to_a_field_of_a_final_vote(runner, chain, sql):
    named, secret = chain
    tamper(sql, v=named.id, fake="f" * 64)
    result = verify(runner)
    assert result.exit_code != 0
    assert f"TAMPERED: vote {named.id} (" in result.output
    assert f"vote {secret.id} (" not in result.output


@pytest.mark.parametrize("column", ["finalised_at", "closed_at", "opened_at"])
def test_verify_catches_an_edited_time_of_a_final_vote(runner, chain, column):
    named, _ = chain
    tamper(f"UPDATE votes SET {column} = :t WHERE id = :v", t=stored_time("2026-11-19T12:00:00+00:00"), v=named.id)
    result = verify(runner)
    assert result.exit_code != 0 and f"vote {named.id} (" in result.output


def test_verify_catches_an_edited_ballot_time(runner, chain):
    named, _ = chain
    tamper(
        "UPDATE ballots SET recorded_at = :t WHERE vote_id = :v AND weight = 5",
        t=stored_time("2026-11-19T12:00:00+00:00"),
        v=named.id,
    )
    result = verify(runner)
    assert result.exit_code != 0 and f"vote {named.id} (" in result.output


@pytest.mark.parametrize("column", ["ballots", "weight"])
@pytest.mark.parametrize("label", ["Candidate A", "Candidate B", "No endorsement", None], ids=str)
def test_verify_catches_an_edit_to_each_total_of_a_secret_vote(runner, chain, label, column):
    _, secret = chain
    where = "option_id IS NULL" if label is None else "option_id = :o"
    tamper(
        f"UPDATE ballot_box_totals SET {column} = {column} + 1 WHERE vote_id = :v AND {where}",
        v=secret.id,
        o=option_id(secret, label),
    )
    result = verify(runner)
    assert result.exit_code != 0
    assert f"vote {secret.id} (" in result.output and "its rows no longer match" in result.output


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE vote_publications SET statement = 'We endorse Mallory.' WHERE vote_id = :v",
        "UPDATE vote_publications SET published_at = :t WHERE vote_id = :v",
        "UPDATE vote_publications SET vote_id = :other WHERE vote_id = :v",
    ],
    ids=["statement", "time", "vote"],
)
def test_verify_catches_an_edited_publication(runner, chain, sql):
    named, secret = chain
    tamper(sql, v=named.id, other=secret.id, t=stored_time("2026-11-22T09:00:00+00:00"))
    result = verify(runner)
    assert result.exit_code != 0
    assert "TAMPERED: publication of vote" in result.output and "no longer match the stored record" in result.output


def test_the_public_page_shows_only_what_verify_covers(client, runner, chain):
    """The issue's attack, on the fields the page now reads: it shows the forgery, and verify names it."""
    named, _ = chain
    tamper(
        'UPDATE votes SET record_json = replace(record_json, \'"winner":"Candidate A"\', \'"winner":"Mallory"\') '
        "WHERE id = :v",
        v=named.id,
    )
    tamper("UPDATE vote_publications SET statement = 'We endorse Mallory.' WHERE vote_id = :v", v=named.id)
    page = client.get(f"/results/{named.id}").get_data(as_text=True)
    assert "Endorsed: Mallory" in page and "We endorse Mallory." in page
    result = verify(runner)
    assert result.exit_code != 0
    assert f"TAMPERED: vote {named.id} (" in result.output
    assert f"TAMPERED: publication of vote {named.id} (record 2)" in result.output


def _delete_vote(vote_id: int) -> None:
    for table in ("ballots", "ballot_box_totals", "vote_roll", "vote_options"):
        tamper(f"DELETE FROM {table} WHERE vote_id = :v", v=vote_id)
    tamper("DELETE FROM votes WHERE id = :v", v=vote_id)


def test_deleting_the_newest_final_vote_is_caught_by_the_audit_trail(runner, chain):
    _, secret = chain
    _delete_vote(secret.id)
    result = verify(runner)
    # What is left is a consistent chain of two records; only the audit trail remembers the third.
    assert result.exit_code != 0
    assert "TAMPERED: the chain: record 3 is missing" in result.output and "records were deleted" in result.output
    assert "is broken" not in result.output


def test_deleting_a_publication_is_caught(runner, chain):
    named, secret = chain
    tamper("DELETE FROM vote_publications WHERE vote_id = :v", v=named.id)
    result = verify(runner)
    assert result.exit_code != 0
    assert "record 2 is missing" in result.output
    assert f"vote {secret.id} (" in result.output and "the chain is broken" in result.output


def test_deleting_the_newest_publication_is_caught(runner, chain, secretary):
    _, secret = chain
    services.publish_vote(secret, "", actor=secretary)
    assert verify(runner).exit_code == 0
    tamper("DELETE FROM vote_publications WHERE vote_id = :v", v=secret.id)
    result = verify(runner)
    assert result.exit_code != 0 and "record 4 is missing" in result.output


def test_a_record_added_behind_the_apps_back_is_caught(runner, chain):
    _, secret = chain
    forged = json.dumps(
        {
            "version": 1,
            "kind": "publication",
            "vote": secret.id,
            "final_record": secret.digest,
            "published_at": "2026-11-22T09:00:00+00:00",
            "statement": "We endorse Mallory.",
            "chain": {"position": 4, "previous_digest": secret.digest},
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(forged.encode()).hexdigest()
    tamper(
        "INSERT INTO vote_publications (vote_id, chain_position, published_at, statement, record_json, digest,"
        " previous_digest) VALUES (:v, 4, :t, 'We endorse Mallory.', :r, :d, :p)",
        v=secret.id,
        t=stored_time("2026-11-22T09:00:00+00:00"),
        r=forged,
        d=digest,
        p=secret.digest,
    )
    result = verify(runner)
    # The forged record is consistent in itself; the audit trail never saw it appended.
    assert result.exit_code != 0
    assert "TAMPERED: the chain: record 4 is not in the audit trail" in result.output
    assert "no longer match" not in result.output and "is broken" not in result.output


def test_head_accepts_the_current_head_and_an_earlier_one(runner, chain):
    named, secret = chain
    result = verify(runner, "--head", secret.digest)
    assert result.exit_code == 0, result.output
    assert "The head you hold is the chain's head, record 3." in result.output

    result = verify(runner, "--head", named.digest.upper())
    assert result.exit_code == 0, result.output
    assert "The head you hold is record 1 of 3; 2 records were appended after it." in result.output

    result = verify(runner, "--head", named.publication.digest)
    assert result.exit_code == 0, result.output
    assert "The head you hold is record 2 of 3; 1 record was appended after it." in result.output


def test_head_refuses_a_digest_that_is_not_in_the_chain(runner, chain):
    result = verify(runner, "--head", "0" * 64)
    assert result.exit_code != 0
    assert f"TAMPERED: the head you hold: {'0' * 64} is not in the chain" in result.output


def test_only_a_witness_head_catches_a_chain_cut_back_with_its_audit_trail(runner, chain):
    """The limit the README states: whoever can also delete audit events can cut the chain back unseen."""
    _, secret = chain
    witness, secret_id = secret.digest, secret.id  # the head, copied from the public page before the cut
    _delete_vote(secret_id)
    tamper("DELETE FROM audit_events WHERE entity_type = 'Vote' AND entity_id = :v", v=secret_id)
    assert verify(runner).exit_code == 0
    result = verify(runner, "--head", witness)
    assert result.exit_code != 0 and f"{witness} is not in the chain" in result.output


# --- what the pages show ---------------------------------------------------------------------


def test_the_public_page_shows_the_chain_position_and_head(client, chain):
    named, secret = chain
    page = client.get(f"/results/{named.id}").get_data(as_text=True)
    assert "Endorsed: Candidate A" in page and STATEMENT in page
    assert f'record 1 of the chain, digest (SHA-256) <code class="digest">{named.digest}</code>' in page
    assert f'record 2 of the chain, digest <code class="digest">{named.publication.digest}</code>' in page
    assert f'record 3 of the chain, head <code class="digest">{secret.digest}</code>' in page
    assert client.get(f"/results/{secret.id}").status_code == 404  # final, not published


def test_the_record_book_shows_the_chain_position_and_head(client, auth, chain):
    named, secret = chain
    auth.login("leader")
    page = client.get(f"/races/{named.race_id}/record").get_data(as_text=True)
    assert f'record 1 of the chain, digest (SHA-256) <code class="digest">{named.digest}</code>' in page
    assert f'record 2 of the chain, digest <code class="digest">{named.publication.digest}</code>' in page
    assert f'record 3 of the chain, head <code class="digest">{secret.digest}</code>' in page
    assert STATEMENT in page

    vote = client.get(f"/races/{named.race_id}/record.json").get_json()["vote"]
    assert vote["result"] == "Endorsed: Candidate A"
    assert (vote["chain_position"], vote["previous_digest"]) == (1, None)
    assert vote["publication"] == {
        "published_at": "2026-11-20T20:00:00+00:00",
        "statement": STATEMENT,
        "chain_position": 2,
        "digest": named.publication.digest,
    }
    assert vote["chain_head"] == {"position": 3, "digest": secret.digest}

    words = pdf_text(client.get(f"/races/{named.race_id}/record.pdf").data)
    assert "record 1 of the chain" in words and "Chain head: record 3 of the chain" in words


def test_the_vote_page_shows_the_chain_position_and_head(client, auth, chain):
    named, secret = chain
    auth.login("leader")
    page = client.get(f"/votes/{secret.id}").get_data(as_text=True)
    assert f'record 3 of the chain, digest (SHA-256) <code class="digest">{secret.digest}</code>' in page
    assert f'record 3 of the chain, head <code class="digest">{secret.digest}</code>' in page
    db.session.expire_all()
    assert db.session.get(Vote, named.id).publication.statement == STATEMENT
