"""`flask votes verify`: the digest chain passes untouched and names the vote whose rows were edited."""

from __future__ import annotations

import hashlib
import json

import pytest

from interviews.extensions import db
from interviews.races.models import QuorumKind
from interviews.votes import ballots, services
from interviews.votes.record import canonical_json, sha256_hex
from tests.votes.conftest import option_id, tamper


@pytest.fixture
def two_final_votes(make_member, opened_vote, secretary):  # type: ignore[no-untyped-def]
    members = [make_member(weight=w) for w in (5, 3, 2)]
    db.session.commit()
    votes = []
    for secret in (False, True):
        vote = opened_vote(quorum_kind=QuorumKind.none, secret_ballot=secret, weighted=True)
        for member, label in zip(members, ("Candidate A", "Candidate B", None), strict=True):
            ballots.cast_ballot(vote, member, option_id(vote, label), actor=member)
        services.close_vote(vote, actor=secretary)
        services.finalise_vote(vote, actor=secretary)
        db.session.commit()
        votes.append(vote)
    return votes


def verify(runner):  # type: ignore[no-untyped-def]
    db.session.commit()
    return runner.invoke(args=["votes", "verify"])


def test_chain_links_each_final_vote_to_the_one_before(two_final_votes):
    first, second = two_final_votes
    assert (first.chain_position, second.chain_position) == (1, 2)
    assert first.previous_digest is None and second.previous_digest == first.digest
    assert sha256_hex(first.record_json) == first.digest
    assert hashlib.sha256(first.record_json.encode("utf-8")).hexdigest() == first.digest
    assert hashlib.sha256(second.record_json.encode("utf-8")).hexdigest() == second.digest
    record = json.loads(second.record_json)
    assert record["chain"] == {"position": 2, "previous_digest": first.digest}
    assert record["rule"]["threshold"] == "2/3" and record["result"]["needed"] == "16/3"
    assert "totals" in record and "ballots" not in record  # secret: totals only
    assert canonical_json(record) == second.record_json  # canonical: one spelling
    # The spelling, from the standard library: sorted keys, no spaces, UTF-8 as written, and no floats.
    assert json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == second.record_json
    assert "float" not in {type(v).__name__ for v in _values(record)}


def _values(data):  # type: ignore[no-untyped-def]
    """Every scalar in a parsed JSON document."""
    if isinstance(data, dict):
        for value in data.values():
            yield from _values(value)
    elif isinstance(data, list):
        for value in data:
            yield from _values(value)
    else:
        yield data


def test_verify_passes_then_names_the_vote_whose_ballot_was_edited(runner, two_final_votes):
    first, second = two_final_votes
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "2 final votes verified" in result.output

    tamper(
        "UPDATE ballots SET option_id = :o WHERE vote_id = :v AND option_id IS NULL",
        o=option_id(first, "Candidate A"),
        v=first.id,
    )
    result = verify(runner)
    assert result.exit_code != 0
    assert f"vote {first.id}" in result.output and "no longer match" in result.output
    assert f"vote {second.id} (" not in result.output


def test_verify_catches_an_edited_secret_total_a_rewritten_record_and_a_broken_chain(runner, two_final_votes):
    first, second = two_final_votes
    tamper("UPDATE ballot_box_totals SET weight = weight + 1 WHERE vote_id = :v AND option_id IS NULL", v=second.id)
    assert f"vote {second.id}" in verify(runner).output
    tamper("UPDATE ballot_box_totals SET weight = weight - 1 WHERE vote_id = :v AND option_id IS NULL", v=second.id)
    assert verify(runner).exit_code == 0

    # Rewriting the record and its digest together still breaks the link from the next vote.
    forged = first.record_json.replace('"motion":"That we endorse."', '"motion":"That we endorse nobody."')
    tamper("UPDATE votes SET record_json = :r, digest = :d WHERE id = :v", r=forged, d=sha256_hex(forged), v=first.id)
    result = verify(runner)
    assert result.exit_code != 0
    assert f"vote {first.id}" in result.output and f"vote {second.id}" in result.output


def test_correcting_a_race_title_is_not_tampering(runner, two_final_votes):
    first, _ = two_final_votes
    first.race.title = "State Senate District 7 (corrected)"
    assert verify(runner).exit_code == 0


def test_a_vote_put_back_to_closed_behind_the_apps_back_is_named(runner, two_final_votes):
    first, second = two_final_votes
    tamper("UPDATE votes SET status = 'closed' WHERE id = :v", v=second.id)
    result = verify(runner)
    assert result.exit_code != 0 and f"vote {second.id}" in result.output
    assert f"vote {first.id} (" not in result.output
