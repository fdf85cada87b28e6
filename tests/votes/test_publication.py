"""Results stay internal until staff publish them: the public page and candidates' links show nothing before."""

from __future__ import annotations

from interviews.extensions import db
from interviews.invitations.links import make_token
from interviews.races.models import QuorumKind
from interviews.votes import ballots, services
from tests.votes.conftest import option_id


def final_vote_for_candidate_a(make_member, sent_race, secretary):  # type: ignore[no-untyped-def]
    """A race whose invitations were sent, and its vote: three members for Candidate A, finalised."""
    members = [make_member() for _ in range(3)]
    race, _letter, sent = sent_race(quorum_kind=QuorumKind.none)
    vote = services.prepare_vote(race, held_on=race.election_date, motion="Endorse?", actor=secretary)
    services.open_vote(vote, actor=secretary)
    for member in members:
        ballots.cast_ballot(vote, member, option_id(vote, "Candidate A"), actor=member)
    services.close_vote(vote, actor=secretary)
    services.finalise_vote(vote, actor=secretary)
    db.session.commit()
    return race, sent, vote


def test_candidate_links_and_the_public_page_show_no_result_before_publication(
    client, make_member, sent_race, secretary
):
    race, sent, vote = final_vote_for_candidate_a(make_member, sent_race, secretary)

    for invitation in sent:
        page = client.get(f"/invitation/{make_token(invitation)}")
        if page.status_code in (301, 302, 303):
            page = client.get(page.headers["Location"])
        body = page.get_data(as_text=True)
        assert page.status_code == 200
        assert vote.digest not in body and "Endorsed" not in body and "3 of 3" not in body
    assert client.get(f"/results/{vote.id}").status_code == 404

    services.publish_vote(vote, "", actor=secretary)
    db.session.commit()
    public = client.get(f"/results/{vote.id}").get_data(as_text=True)
    assert "Endorsed: Candidate A" in public and "Candidate A: 3 of 3 votes cast, 100.0%" in public
    assert services.published_vote_of_race(race.id) == vote


def test_the_race_page_says_whether_a_final_vote_was_published(client, auth, make_member, sent_race, secretary):
    race, _sent, vote = final_vote_for_candidate_a(make_member, sent_race, secretary)
    auth.login("staff")
    public_link = f'<a href="/results/{vote.id}">published</a>'

    page = client.get(f"/races/{race.id}").get_data(as_text=True)
    assert f'<a href="/votes/{vote.id}">Vote of' in page
    assert "Endorsed: Candidate A" in page  # its result, in words from the final record
    assert '<span class="muted">internal</span>' in page and public_link not in page
    assert "next: publish the result when the board is ready" in page

    services.publish_vote(vote, "", actor=secretary)
    db.session.commit()
    page = client.get(f"/races/{race.id}").get_data(as_text=True)
    assert public_link in page and '<span class="muted">internal</span>' not in page
    assert "next: publish the result" not in page
