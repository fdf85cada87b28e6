"""The vote through HTTP: who may do what, ballots and their changes, close, finalise, publish."""

from __future__ import annotations

import re

from sqlalchemy import func, select, text

from interviews.audit.models import AuditEvent
from interviews.extensions import db
from interviews.races.models import QuorumKind
from interviews.votes import ballots, services
from interviews.votes.models import Ballot, BallotBoxTotal, RollEntry, Vote, VoteStatus
from tests.conftest import changed_tables, stored_rows
from tests.votes.conftest import option_id


def _new_vote(client, race) -> Vote:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/races/{race.id}/votes/new", data={"held_on": "2026-11-20", "motion": "That we endorse for Senate."}
    )
    assert response.status_code == 302
    return db.session.scalars(select(Vote).where(Vote.race_id == race.id)).one()


def test_named_vote_from_rule_to_publication(client, auth, make_user, make_race):
    members = [make_user("leader", is_voting_member=True, vote_weight=w) for w in (300, 200, 100, 50)]
    make_user("leader", is_voting_member=False)  # not entitled
    race = make_race(quorum_kind=QuorumKind.fraction, quorum_numerator=1, quorum_denominator=2)
    staff = auth.login("staff")

    response = client.post(
        f"/races/{race.id}/rule",
        data={
            "preset": "afl_cio",
            "comparison": "more_than",
            "threshold_numerator": "1",
            "threshold_denominator": "2",
            "vote_base": "cast",
            "quorum_kind": "fraction",
            "quorum_numerator": "1",
            "quorum_denominator": "2",
        },
    )
    assert response.status_code == 302
    db.session.refresh(race)
    assert (race.threshold_numerator, race.threshold_denominator, race.threshold_inclusive, race.weighted) == (
        2,
        3,
        True,
        True,
    )
    assert "At least two-thirds of the votes cast, weighted per capita" in client.get(
        f"/races/{race.id}/votes"
    ).get_data(as_text=True)

    vote = _new_vote(client, race)
    assert client.post(f"/votes/{vote.id}/open").status_code == 302
    db.session.refresh(vote)
    assert vote.status is VoteStatus.open and len(vote.roll) == 4
    assert [o.label for o in vote.options] == ["Candidate A", "Candidate B", "No endorsement"]

    # A weight changed after opening touches nothing.
    members[0].vote_weight = 1
    db.session.commit()

    a, b = option_id(vote, "Candidate A"), option_id(vote, "Candidate B")
    auth.logout()
    auth.login(members[0])
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Cast my ballot" in page
    assert client.post(f"/votes/{vote.id}/ballot", data={"choice": str(b)}).status_code == 302
    assert client.post(f"/votes/{vote.id}/ballot", data={"choice": str(a)}).status_code == 302
    assert "Your ballot: <strong>Candidate A</strong>" in client.get(f"/votes/{vote.id}").get_data(as_text=True)
    # A leader cannot run the meeting.
    before = stored_rows()
    assert client.post(f"/votes/{vote.id}/close").status_code == 403
    assert client.get(f"/votes/{vote.id}/paper").status_code == 403
    assert changed_tables(before) == []
    auth.logout()
    auth.login(members[1])
    client.post(f"/votes/{vote.id}/ballot", data={"choice": "abstain"})
    auth.logout()

    outsider = auth.login("leader")
    before = stored_rows()
    assert client.post(f"/votes/{vote.id}/ballot", data={"choice": str(a)}).status_code == 403
    assert changed_tables(before) == []
    auth.logout()

    auth.login(staff)
    response = client.post(f"/votes/{vote.id}/paper", data={"member": members[2].id, "choice": str(b)})
    assert response.status_code == 302
    # The secretary cannot overwrite a ballot the member cast online.
    before = stored_rows()
    response = client.post(f"/votes/{vote.id}/paper", data={"member": members[0].id, "choice": str(b)})
    assert response.status_code == 400
    assert "already voted online" in response.get_data(as_text=True)
    assert changed_tables(before) == []
    assert client.post(f"/votes/{vote.id}/close").status_code == 302
    assert client.post(f"/votes/{vote.id}/finalise").status_code == 302
    db.session.refresh(vote)
    assert vote.status is VoteStatus.final and vote.outcome == "endorsed"
    assert vote.result_text == "Endorsed: Candidate A"

    rows = db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id)).all()
    assert sorted((b.member_id, b.weight, b.paper) for b in rows) == sorted(
        [(members[0].id, 300, False), (members[1].id, 200, False), (members[2].id, 100, True)]
    )
    paper_ballot = next(b for b in rows if b.paper)
    assert paper_ballot.recorded_by_id == staff.id

    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "vote.ballot_changed")).all()
    assert [e.changes["choice"] for e in changes] == [["Candidate B", "Candidate A"]]

    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Candidate A: 300 of 400 weighted votes cast, 75.0%; at least 2/3 needed (266 2/3); reached." in page
    assert vote.digest in page and 'role="img"' in page and "<title id=" in page
    assert "Roll call" in page

    # Internal until published: the public page does not exist for anyone.
    auth.logout()
    assert client.get(f"/results/{vote.id}").status_code == 404
    auth.login(staff)
    assert (
        client.post(f"/votes/{vote.id}/publish", data={"statement": "The Council endorses Candidate A."}).status_code
        == 302
    )
    auth.logout()
    public = client.get(f"/results/{vote.id}")
    assert public.status_code == 200
    assert "The Council endorses Candidate A." in public.get_data(as_text=True) and vote.digest in public.get_data(
        as_text=True
    )
    del outsider


def test_final_means_final(client, auth, make_member, opened_vote, secretary):
    members = [make_member(weight=1) for _ in range(3)]
    db.session.commit()
    vote = opened_vote()
    ballots.cast_ballot(vote, members[0], option_id(vote, "Candidate A"), actor=members[0])
    services.close_vote(vote, actor=secretary)
    services.finalise_vote(vote, actor=secretary)
    db.session.commit()
    digest = vote.digest

    auth.login(secretary)
    for url, data in [
        (f"/votes/{vote.id}/open", {}),
        (f"/votes/{vote.id}/close", {}),
        (f"/votes/{vote.id}/finalise", {}),
        (f"/votes/{vote.id}/presence", {"present": [e.id for e in vote.roll]}),
        (f"/votes/{vote.id}/paper", {"member": members[1].id, "choice": "abstain"}),
        (f"/votes/{vote.id}/edit", {"held_on": "2026-12-01", "motion": "Changed"}),
    ]:
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code in (200, 400), url
    db.session.refresh(vote)
    assert vote.digest == digest and vote.motion == "That we endorse." and vote.status is VoteStatus.final
    assert db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)) == 1
    assert not any(e.present for e in vote.roll if e.user_id != members[0].id)
    assert services.final_vote_of_race(vote.race_id) == vote


def test_a_vote_without_quorum_is_final_only_as_failed(make_member, opened_vote, secretary):
    members = [make_member() for _ in range(5)]
    db.session.commit()
    vote = opened_vote(quorum_kind=QuorumKind.fraction, quorum_numerator=1, quorum_denominator=2)
    ballots.cast_ballot(vote, members[0], option_id(vote, "Candidate A"), actor=members[0])
    services.close_vote(vote, actor=secretary)
    services.finalise_vote(vote, actor=secretary)
    db.session.commit()
    assert vote.outcome == "failed_quorum" and vote.quorum_met is False
    assert vote.result_text == "Failed for lack of quorum" and vote.result_candidate_id is None


def test_ballots_refused_outside_an_open_vote(client, auth, make_user, make_race, secretary):
    member = make_user("leader", is_voting_member=True)
    race = make_race(quorum_kind=QuorumKind.none)
    vote = services.prepare_vote(race, held_on=race.election_date, motion="Endorse?", actor=secretary)
    db.session.commit()
    auth.login(member)
    # Not on a roll yet (draft): refused as not entitled.
    before = stored_rows()
    assert client.post(f"/votes/{vote.id}/ballot", data={"choice": "abstain"}).status_code == 403
    assert changed_tables(before) == []
    services.open_vote(vote, actor=secretary)
    services.close_vote(vote, actor=secretary)
    db.session.commit()
    before = stored_rows()
    response = client.post(f"/votes/{vote.id}/ballot", data={"choice": "abstain"}, follow_redirects=True)
    assert "not open" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert changed_tables(before) == []


def test_secret_ballots_leave_no_link(client, auth, make_user, make_race, secretary):
    members = [make_user("leader", is_voting_member=True, vote_weight=w) for w in (4200, 3800, 2900)]
    race = make_race(quorum_kind=QuorumKind.none, secret_ballot=True, weighted=True)
    vote = services.prepare_vote(race, held_on=race.election_date, motion="Endorse?", actor=secretary)
    services.open_vote(vote, actor=secretary)
    db.session.commit()
    a, b = option_id(vote, "Candidate A"), option_id(vote, "Candidate B")

    auth.login(members[0])
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "cannot be changed" in page
    assert client.post(f"/votes/{vote.id}/ballot", data={"choice": str(a)}).status_code == 302
    before = stored_rows()
    response = client.post(f"/votes/{vote.id}/ballot", data={"choice": str(b)}, follow_redirects=True)
    assert "A secret ballot cannot be changed" in response.get_data(as_text=True)
    assert changed_tables(before) == []
    auth.logout()
    auth.login(members[1])
    client.post(f"/votes/{vote.id}/ballot", data={"choice": str(b)})
    auth.logout()
    auth.login(secretary)
    assert client.post(f"/votes/{vote.id}/paper", data={"member": members[2].id, "choice": str(a)}).status_code == 302

    # Who voted is on the roll; what was chosen is only in per-option sums; nothing ties them.
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    roll = db.session.scalars(select(RollEntry).where(RollEntry.vote_id == vote.id)).all()
    assert all(e.has_voted for e in roll)
    totals = {t.option_id: (t.ballots, t.weight) for t in db.session.scalars(select(BallotBoxTotal))}
    assert totals == {a: (2, 4200 + 2900), b: (1, 3800), option_id(vote, "No endorsement"): (0, 0), None: (0, 0)}
    columns = set(BallotBoxTotal.__table__.columns.keys())
    assert columns == {"id", "vote_id", "option_id", "ballots", "weight"}  # no member, time, order or weight of one
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("vote.%ballot%"))):
        said = f"{event.summary} {event.changes}"
        assert "Candidate" not in said and "abstain" not in said.lower(), said

    client.post(f"/votes/{vote.id}/close")
    if db.engine.dialect.name == "postgresql":
        # The close rewrote every total in one transaction: no row version tells the last voter's choice.
        xmins = db.session.execute(
            text("SELECT COUNT(DISTINCT xmin::text) FROM ballot_box_totals WHERE vote_id = :v"), {"v": vote.id}
        ).scalar()
        assert xmins == 1
    client.post(f"/votes/{vote.id}/finalise")
    db.session.refresh(vote)
    assert vote.outcome == "no_endorsement"  # 7,100 of 10,900 is 65.1%, under two-thirds
    page = client.get(f"/votes/{vote.id}").get_data(as_text=True)
    assert "Candidate A: 7,100 of 10,900 weighted votes cast, 65.1%" in page
    assert '"totals"' in vote.record_json and '"ballots":[' not in vote.record_json


def test_rule_form_refuses_nonsense_without_losing_the_rule(client, auth, make_race):
    race = make_race()
    auth.login("admin")
    data = {
        "preset": "",
        "comparison": "more_than",
        "threshold_numerator": "3",
        "threshold_denominator": "2",
        "vote_base": "cast",
        "quorum_kind": "none",
        "quorum_numerator": "0",
        "quorum_denominator": "1",
    }
    before = stored_rows()
    response = client.post(f"/races/{race.id}/rule", data=data)
    assert response.status_code == 400 and "at most 1" in response.get_data(as_text=True)
    response = client.post(f"/races/{race.id}/rule", data={**data, "threshold_denominator": "0"})
    assert response.status_code == 400
    assert changed_tables(before) == []
    db.session.refresh(race)
    assert (race.threshold_numerator, race.threshold_denominator) == (2, 3)
    data.update(threshold_numerator="58", threshold_denominator="100", comparison="at_least")
    assert client.post(f"/races/{race.id}/rule", data=data).status_code == 302
    db.session.refresh(race)
    assert (race.threshold_numerator, race.threshold_denominator) == (58, 100)


def test_unknown_ids_are_404(client, auth):
    auth.login("staff")
    for url in ("/votes/999", "/races/999/rule", "/races/999/votes/new", "/votes/999/record.json"):
        assert client.get(url).status_code == 404, url
    assert client.post("/votes/999/close").status_code == 404


def test_sections_show_the_rule_the_awaited_votes_and_the_record(app, make_user, make_member, opened_vote, secretary):
    from interviews.sections import render_sections

    voter = make_user("leader", is_voting_member=True)
    other = make_member()
    db.session.commit()
    vote = opened_vote()
    with app.test_request_context():
        dashboard = "".join(render_sections("dashboard", None, voter))
        assert "Votes awaiting your ballot" in dashboard and f"/votes/{vote.id}" in dashboard
        race_part = "".join(render_sections("race", vote.race, secretary))
        assert "At least two-thirds of the votes cast" in race_part and f"/races/{vote.race_id}/rule" in race_part
        assert "Edit the rule" not in "".join(render_sections("race", vote.race, voter))
    ballots.cast_ballot(vote, voter, option_id(vote, "Candidate A"), actor=voter)
    ballots.cast_ballot(vote, other, option_id(vote, "Candidate A"), actor=other)
    services.close_vote(vote, actor=secretary)
    services.finalise_vote(vote, actor=secretary)
    db.session.commit()
    with app.test_request_context():
        assert "Votes awaiting" not in "".join(render_sections("dashboard", None, voter))
        book = "".join(render_sections("record_book", vote.race, voter))
    assert vote.digest in book and "Result: Candidate A is endorsed." in book and "<svg" in book
    assert re.search(r"Previous digest</dt><dd><code[^>]*>none", book)


def test_secretary_records_who_is_present(client, auth, make_member, opened_vote, secretary):
    members = [make_member() for _ in range(4)]
    db.session.commit()
    vote = opened_vote(quorum_kind=QuorumKind.count, quorum_numerator=3)
    auth.login(secretary)
    page = client.get(f"/votes/{vote.id}/presence").get_data(as_text=True)
    assert members[0].name in page
    chosen = [e.id for e in vote.roll if e.user_id in (members[0].id, members[1].id, members[2].id)]
    assert client.post(f"/votes/{vote.id}/presence", data={"present": chosen}).status_code == 302
    db.session.expire_all()
    assert sorted(e.id for e in vote.roll if e.present) == sorted(chosen)
    before = stored_rows()
    assert client.post(f"/votes/{vote.id}/presence", data={"present": ["987654"]}).status_code == 400
    assert changed_tables(before) == []
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "vote.presence")).one()
    assert members[0].name in event.changes
    services.close_vote(vote, actor=secretary)
    db.session.commit()
    assert vote.quorum_met is True


def test_editing_the_race_rule_after_opening_does_not_touch_the_vote(make_member, opened_vote, secretary):
    from fractions import Fraction

    from interviews.votes.rules import Rule, describe, rule_of_vote

    members = [make_member() for _ in range(3)]
    db.session.commit()
    vote = opened_vote(quorum_kind=QuorumKind.none)
    services.update_race_rule(vote.race, Rule(Fraction(1, 2), inclusive=False, secret=True), actor=secretary)
    for member, label in zip(members, ["Candidate A", "Candidate A", "Candidate B"], strict=True):
        ballots.cast_ballot(vote, member, option_id(vote, label), actor=member)
    services.close_vote(vote, actor=secretary)
    db.session.commit()
    assert vote.race.threshold_inclusive is False and vote.race.secret_ballot is True
    assert describe(rule_of_vote(vote)) == "At least two-thirds of the votes cast; no quorum; named ballots"
    assert services.result_of(vote).winner.label == "Candidate A"  # 2 of 3 is two-thirds, at least
