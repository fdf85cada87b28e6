"""The public slate, end to end: decisions taken and published through the services, read back as a
visitor who is not signed in reads them (the page, the JSON Feed, the Atom feed).

The expected sentences are worked out by hand from the ballots (2 of 3 is 66.7%, exactly two-thirds;
3 of 3 is 100.0%). The Atom feed is read by feedparser, the page by html.parser, the JSON Feed is
checked field by field against the JSON Feed 1.1 specification (https://jsonfeed.org/version/1.1).
Election dates are US election days, so their weekdays are known: all Tuesdays.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import feedparser
import pytest
from flask.testing import FlaskClient

from interviews.auth.models import Role, User
from interviews.decisions import paths, slate
from interviews.extensions import db
from interviews.races.candidates import withdraw_candidate
from interviews.races.models import Candidate, Race
from interviews.types import stopped_clock
from interviews.votes import ballots, services
from interviews.votes.models import Vote, VotePublication
from tests.decisions.test_paths import HELD, ROSA, SAM, option_for, run_stage, seat

BASE = "http://interviews.example.org"  # TestConfig.BASE_URL
TAG = "tag:labor.example.org"  # the domain of TestConfig.ORGANIZER_EMAIL
ELECTION_2040 = date(2040, 11, 6)
ELECTION_2041 = date(2041, 11, 5)
PAST_2022 = date(2022, 11, 8)
PAST_2020 = date(2020, 11, 3)
PLAIN_MEMBERS = ("Zelda Quist", "Omar Haddad", "Priya Natarajan")
OPEN = "Open race: members free to choose"
DUAL = f"{ROSA} and {SAM} (dual endorsement)"

WARD_3 = (
    "Endorsed Rosa Delgado-Park, after the Political Committee recommended it 2-1 and the Executive Board "
    "ratified it by 66.7%, exactly the two-thirds required."
)
ENDORSED_3_0 = (
    "Endorsed Rosa Delgado-Park, after the Political Committee recommended it 3-0 and the Executive Board "
    "ratified it by 100.0%, more than the two-thirds required."
)
RESCINDED = (
    "Rescinded: the Executive Board rescinded the endorsement by 100.0%, more than the two-thirds required "
    f"on 2027-03-04. It had been: {ENDORSED_3_0}"
)
DUAL_WORDS = (
    "Endorsed Rosa Delgado-Park and Sam Lee (a dual endorsement), after the Endorsement Committee recommended "
    "it 3-0 and the Convention delegates ratified it by 100.0%, more than the two-thirds required."
)
OPEN_WORDS = (
    "Open race: members are free to choose, after the Political Committee voted 3-0 to leave the race open, "
    "members free to choose and the Executive Board ratified it by 100.0%, more than the two-thirds required."
)


def when(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Slate:
    """What was built: each race and its publications by title (a rescission's as "<title> rescission"),
    and the votes the slate must not show (their digests stay out of every output)."""

    races: dict[str, Race] = field(default_factory=dict)
    votes: dict[str, list[Vote]] = field(default_factory=dict)
    published: dict[str, VotePublication] = field(default_factory=dict)
    unpublished: list[Vote] = field(default_factory=list)


class Builder:
    def __init__(self, staffer: Any) -> None:
        self.staffer = staffer
        self.built = Slate()

    def race(self, title: str, jurisdiction: str, election_date: date, names: tuple[str, ...] = (ROSA, SAM)) -> Race:
        race = Race(title=title, office=f"{title} seat", jurisdiction=jurisdiction, election_date=election_date)
        for name in names:
            race.candidates.append(
                Candidate(name=name, contact_name=f"Scheduler for {name}", contact_email="team@campaign.example.com")
            )
        db.session.add(race)
        db.session.commit()
        self.built.races[title] = race
        return race

    def decide(self, race: Race, preset: str, rounds: list[list[str]], *, dual: bool = False) -> list[Vote]:
        """Run the preset's stages in order, each body seated with three members the first time it is used."""
        stages = paths.apply_preset(race, preset, actor=self.staffer)
        db.session.commit()
        for stage in stages:
            if not stage.body.members:
                seat(stage.body, 3, actor=self.staffer)
        db.session.commit()
        motions = [paths.MotionSpec([c.id for c in race.candidates])] if dual else None
        held = [
            run_stage(race, stage, choices, actor=self.staffer, motions=motions if stage.position == 1 else None)
            for stage, choices in zip(stages, rounds, strict=False)
        ]
        self.built.votes[race.title] = held
        return held

    def rescind(self, race: Race) -> Vote:
        board = paths.stages_of(race)[1].body
        vote = paths.start_rescission(race, body=board, held_on=HELD, motion="Motion to rescind", actor=self.staffer)
        db.session.commit()
        services.open_vote(vote, actor=self.staffer)
        for entry in vote.roll:
            ballots.record_seat_ballot(vote, entry.id, option_for(vote, "yes"), actor=self.staffer)
        services.close_vote(vote, actor=self.staffer)
        services.finalise_vote(vote, actor=self.staffer)
        db.session.commit()
        assert vote.verdict == "carried"
        return vote

    def plain_vote(self, race: Race, choice: str) -> Vote:
        """A race decided without stages: one vote of the voting members, each casting their own ballot."""
        members = [
            User(
                email=f"member{i}@labor.example.org",
                name=name,
                role=Role.leader,
                password_hash="!",
                is_voting_member=True,
            )
            for i, name in enumerate(PLAIN_MEMBERS)
        ]
        db.session.add_all(members)
        db.session.commit()
        vote = services.prepare_vote(race, held_on=HELD, motion="Motion at the general meeting", actor=self.staffer)
        services.open_vote(vote, actor=self.staffer)
        for member in members:
            ballots.cast_ballot(vote, member, option_for(vote, choice), actor=member)
        services.close_vote(vote, actor=self.staffer)
        services.finalise_vote(vote, actor=self.staffer)
        db.session.commit()
        return vote

    def publish(self, vote: Vote, at: datetime, statement: str = "") -> None:
        services.publish_vote(vote, statement, actor=self.staffer, now=at)
        db.session.commit()
        assert vote.publication is not None
        key = f"{vote.race.title} rescission" if vote.stage_mode == "rescind" else vote.race.title
        self.built.published[key] = vote.publication


@pytest.fixture
def built(app: Any, staffer: Any) -> Slate:
    b = Builder(staffer)

    ward = b.race("City Council Ward 3", "Springfield", ELECTION_2040)
    committee, board = b.decide(ward, "committee_board", [[ROSA, ROSA, SAM], ["yes", "yes", "no"]])
    b.publish(board, when(10, 1, 14), "The Council endorses Rosa Delgado-Park for Ward 3.")
    b.built.unpublished.append(committee)  # its recommendation is in the words, its record is not public

    mayor = b.race("Mayor", "Springfield", ELECTION_2040, names=("Dana Whitfield", "Lee Moreno"))
    b.publish(b.plain_vote(mayor, "Dana Whitfield"), when(10, 2, 9, 30))

    county = b.race("County Commission District 1", "Shelby County", ELECTION_2040)
    b.publish(b.decide(county, "committee_board", [[ROSA] * 3, ["yes"] * 3])[-1], when(10, 3, 10))
    with stopped_clock(when(10, 20, 16, 45)):
        withdraw_candidate(next(c for c in county.candidates if c.name == ROSA), actor=staffer)
    db.session.commit()

    water = b.race("Water Board", "Harbor District", ELECTION_2040)
    b.built.unpublished += b.decide(water, "committee_board", [[SAM] * 3, ["yes"] * 3])

    assembly = b.race("State Assembly District 12", "Springfield", ELECTION_2041)
    b.publish(b.decide(assembly, "committee_board", [[ROSA] * 3, ["yes"] * 3])[-1], when(10, 5, 12))
    b.publish(b.rescind(assembly), when(11, 10, 18, 15), "The endorsement is withdrawn.")

    senate = b.race("State Senate District 4", "Springfield", ELECTION_2041)
    b.publish(b.decide(senate, "committee_board", [[ROSA] * 3, ["yes"] * 3])[-1], when(10, 6, 12))
    b.built.unpublished.append(b.rescind(senate))

    school = b.race("School Board Seat 2", "Springfield", ELECTION_2041)
    (recommendation,) = b.decide(school, "committee_board", [[SAM] * 3])  # the board has not voted yet
    b.publish(recommendation, when(10, 7, 8))
    b.built.unpublished.append(recommendation)  # published, but it decided nothing: the slate leaves it out

    port = b.race("Port Commission", "Springfield", PAST_2022)
    b.publish(b.decide(port, "delegates_dual", [[DUAL] * 3, ["yes"] * 3], dual=True)[-1], when(10, 8, 8))

    library = b.race("Library Board", "Springfield", PAST_2020)
    b.publish(b.decide(library, "committee_board", [[OPEN] * 3, ["yes"] * 3])[-1], when(10, 9, 8))
    return b.built


LISTED = {
    # title: (status label, words)
    "City Council Ward 3": ("Endorsed", WARD_3),
    "Mayor": ("Endorsed", "Endorsed: Dana Whitfield."),
    "County Commission District 1": ("Candidate withdrew after endorsement", ENDORSED_3_0),
    "State Assembly District 12": ("Rescinded", RESCINDED),
    "State Senate District 4": ("Endorsed", ENDORSED_3_0),
    "Port Commission": ("Dual endorsement", DUAL_WORDS),
    "Library Board": ("Open race", OPEN_WORDS),
}
NOT_LISTED = ("Water Board", "School Board Seat 2", "Harbor District")


# --- reading the page --------------------------------------------------------------------------


class Outline(HTMLParser):
    """The page's headings (h2-h4) in order, and the text of each <article> (one per race)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.articles: list[str] = []
        self._heading: str | None = None
        self._in_article = False
        self._text: list[str] = []
        self._article: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "h3", "h4"):
            self._heading, self._text = tag, []
        elif tag == "article":
            self._in_article, self._article = True, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, " ".join("".join(self._text).split())))
            self._heading = None
        elif tag == "article":
            self.articles.append(" ".join(" ".join(self._article).split()))
            self._in_article = False

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._text.append(data)
        if self._in_article:
            self._article.append(data)


def outline(client: FlaskClient, path: str = "/slate") -> Outline:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    parsed = Outline()
    parsed.feed(response.get_data(as_text=True))
    return parsed


def article_of(page: Outline, title: str) -> str:
    (found,) = [a for a in page.articles if a.startswith(f"{title} ")]
    return found


def test_the_page_lists_published_decisions_by_election_then_jurisdiction(client: FlaskClient, built: Slate) -> None:
    page = outline(client)
    assert page.headings[:16] == [
        ("h2", "Election of Tue 6 Nov 2040"),
        ("h3", "Shelby County"),
        ("h4", "County Commission District 1 Candidate withdrew after endorsement"),
        ("h3", "Springfield"),
        ("h4", "City Council Ward 3 Endorsed"),
        ("h4", "Mayor Endorsed"),
        ("h2", "Election of Tue 5 Nov 2041"),
        ("h3", "Springfield"),
        ("h4", "State Assembly District 12 Rescinded"),
        ("h4", "State Senate District 4 Endorsed"),
        ("h2", "Election of Tue 8 Nov 2022 (past)"),
        ("h3", "Springfield"),
        ("h4", "Port Commission Dual endorsement"),
        ("h2", "Election of Tue 3 Nov 2020 (past)"),
        ("h3", "Springfield"),
        ("h4", "Library Board Open race"),
    ]
    assert page.headings[16:] == [("h2", "Checking the record"), ("h2", "Feeds")]
    for title, (label, words) in LISTED.items():
        text = article_of(page, title)
        assert text.startswith(f"{title} {label} {title} seat {words}"), text

    ward = article_of(page, "City Council Ward 3")
    assert "The Council endorses Rosa Delgado-Park for Ward 3." in ward
    assert f"digest {built.published['City Council Ward 3'].digest}" in ward
    assert "Published Thu 1 Oct 2026, 10:00 EDT" in ward  # 14:00 UTC in the default zone, New York
    assert "Rosa Delgado-Park withdrew from the race on Tue 20 Oct 2026." in article_of(
        page, "County Commission District 1"
    )
    assembly = article_of(page, "State Assembly District 12")
    assert "The endorsement is withdrawn." in assembly
    assert "Rescission published Tue 10 Nov 2026, 13:15 EST" in assembly
    assert "Decision published Mon 5 Oct 2026, 08:00 EDT" in assembly


def test_nothing_undecided_or_unpublished_appears_anywhere(client: FlaskClient, built: Slate) -> None:
    outputs = [client.get(path).get_data(as_text=True) for path in ("/slate", "/slate.json", "/slate.atom")]
    senate = article_of(outline(client), "State Senate District 4")
    assert "Rescinded" not in senate and "rescinded" not in senate  # its rescission is not published
    for output in outputs:
        for title in NOT_LISTED:
            assert title not in output
        for vote in built.unpublished:
            assert vote.digest and vote.digest not in output
        assert "Sam Lee 3-0" not in output  # the School Board's published recommendation
        # Nobody's name from a roll or a ballot, no motion, nobody from the office, no campaign contact.
        for secret in ("Seat 0", *PLAIN_MEMBERS, "Sam Organiser", "Motion ", "Scheduler for", "campaign.example"):
            assert secret not in output
        assert '"ballots"' not in output and '"roll"' not in output and "has_voted" not in output
    json_text = outputs[1]
    assert "rescinded" not in json.dumps(
        [i for i in json.loads(json_text)["items"] if i["_endorsement"]["race"] == "State Senate District 4"]
    )


def test_the_verification_head_is_the_chain_head(client: FlaskClient, built: Slate) -> None:
    text = client.get("/slate").get_data(as_text=True)
    # The last record appended: the Library Board's publication.
    head = built.published["Library Board"].digest
    assert f"<code>flask votes verify --head {head}</code>" in text
    assert 'type="application/atom+xml"' in text and 'href="/slate.atom"' in text


def test_the_page_works_with_nothing_published(client: FlaskClient) -> None:
    text = client.get("/slate").get_data(as_text=True)
    assert "No endorsement decisions have been published yet." in text
    assert "The chain has no records yet." in text
    feed = feedparser.parse(client.get("/slate.atom").data)
    assert feed.bozo == 0 and feed.entries == []
    assert json.loads(client.get("/slate.json").data)["items"] == []


def test_pages_of_the_slate(client: FlaskClient, built: Slate, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slate, "PER_PAGE", 4)
    first, second = outline(client), outline(client, "/slate?page=2")
    assert [t for tag, t in first.headings if tag == "h4"] == [
        "County Commission District 1 Candidate withdrew after endorsement",
        "City Council Ward 3 Endorsed",
        "Mayor Endorsed",
        "State Assembly District 12 Rescinded",
    ]
    assert [t for tag, t in second.headings if tag == "h4"] == [
        "State Senate District 4 Endorsed",
        "Port Commission Dual endorsement",
        "Library Board Open race",
    ]
    assert client.get("/slate?page=0").status_code == 404


def test_the_page_costs_a_few_queries_per_race(client: FlaskClient, built: Slate, count_queries: Any) -> None:
    with count_queries() as queries:
        client.get("/slate")
    # Seven races listed: the page's own four (count, races, candidates, chain head) and at most four a race
    # (its stages, its votes, one or two publications).
    assert queries.count <= 4 + 4 * 7, queries


# --- the Atom feed, read by feedparser ------------------------------------------------------------


def test_the_atom_feed_as_a_feed_reader_sees_it(client: FlaskClient, built: Slate) -> None:
    response = client.get("/slate.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Test Labor Council: endorsements"
    assert feed.feed.id == f"{BASE}/slate"
    assert feed.feed.updated == "2026-11-10T18:15:00Z"  # the newest item: the Assembly's rescission
    assert {(link.rel, link.href) for link in feed.feed.links} == {
        ("self", f"{BASE}/slate.atom"),
        ("alternate", f"{BASE}/slate"),
    }
    assert feed.feed.author == "Test Labor Council"

    def digest(key: str) -> str:
        return built.published[key].digest

    # Newest publication first: (id, title, published, updated, category)
    expected = [
        (
            f"{TAG},2026-11-10:slate/rescission/{digest('State Assembly District 12 rescission')}",
            "State Assembly District 12: Rescinded",
            "2026-11-10T18:15:00Z",
            "2026-11-10T18:15:00Z",
            "rescinded",
        ),
        (
            f"{TAG},2026-10-09:slate/decision/{digest('Library Board')}",
            "Library Board: Open race",
            "2026-10-09T08:00:00Z",
            "2026-10-09T08:00:00Z",
            "open_race",
        ),
        (
            f"{TAG},2026-10-08:slate/decision/{digest('Port Commission')}",
            "Port Commission: Dual endorsement",
            "2026-10-08T08:00:00Z",
            "2026-10-08T08:00:00Z",
            "dual_endorsement",
        ),
        (
            f"{TAG},2026-10-06:slate/decision/{digest('State Senate District 4')}",
            "State Senate District 4: Endorsed",
            "2026-10-06T12:00:00Z",
            "2026-10-06T12:00:00Z",
            "endorsed",
        ),
        (
            f"{TAG},2026-10-05:slate/decision/{digest('State Assembly District 12')}",
            "State Assembly District 12: Endorsed",  # as it was published; the rescission is its own entry
            "2026-10-05T12:00:00Z",
            "2026-10-05T12:00:00Z",
            "endorsed",
        ),
        (
            f"{TAG},2026-10-03:slate/decision/{digest('County Commission District 1')}",
            "County Commission District 1: Candidate withdrew after endorsement",
            "2026-10-03T10:00:00Z",
            "2026-10-20T16:45:00Z",  # changed when the candidate withdrew
            "candidate_withdrew",
        ),
        (
            f"{TAG},2026-10-02:slate/decision/{digest('Mayor')}",
            "Mayor: Endorsed",
            "2026-10-02T09:30:00Z",
            "2026-10-02T09:30:00Z",
            "endorsed",
        ),
        (
            f"{TAG},2026-10-01:slate/decision/{digest('City Council Ward 3')}",
            "City Council Ward 3: Endorsed",
            "2026-10-01T14:00:00Z",
            "2026-10-01T14:00:00Z",
            "endorsed",
        ),
    ]
    assert [(e.id, e.title, e.published, e.updated, e.tags[0].term) for e in feed.entries] == expected
    by_title = {e.title: e for e in feed.entries}
    ward = by_title["City Council Ward 3: Endorsed"]
    assert ward.summary == WARD_3
    assert ward.content[0].type == "text/plain"
    assert ward.content[0].value.startswith(f"{WARD_3}\n\nThe Council endorses Rosa Delgado-Park for Ward 3.\n\n")
    assert (
        "City Council Ward 3: City Council Ward 3 seat, Springfield; election on 2040-11-06." in ward.content[0].value
    )
    assert ward.link == f"{BASE}/results/{built.published['City Council Ward 3'].vote_id}"
    rescinded = by_title["State Assembly District 12: Rescinded"]
    assert rescinded.summary == RESCINDED
    assert rescinded.link == f"{BASE}/results/{built.published['State Assembly District 12 rescission'].vote_id}"
    assert by_title["State Assembly District 12: Endorsed"].summary == ENDORSED_3_0
    assert len({e.id for e in feed.entries}) == len(feed.entries)


# --- the JSON Feed, field by field against the 1.1 specification -----------------------------------

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# Top-level and item fields the 1.1 specification defines; anything else must be an extension (_name).
FEED_FIELDS = {
    "version",
    "title",
    "home_page_url",
    "feed_url",
    "description",
    "user_comment",
    "next_url",
    "icon",
    "favicon",
    "authors",
    "language",
    "expired",
    "hubs",
    "items",
}
ITEM_FIELDS = {
    "id",
    "url",
    "external_url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "image",
    "banner_image",
    "date_published",
    "date_modified",
    "authors",
    "tags",
    "language",
    "attachments",
}


def test_the_json_feed_follows_json_feed_1_1(client: FlaskClient, built: Slate) -> None:
    response = client.get("/slate.json")
    assert response.status_code == 200
    assert response.mimetype == "application/feed+json"
    feed = json.loads(response.data.decode("utf-8"))

    assert set(feed) <= FEED_FIELDS
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Test Labor Council: endorsements"
    assert feed["home_page_url"] == f"{BASE}/slate"
    assert feed["feed_url"] == f"{BASE}/slate.json"
    assert feed["language"] == "en"
    assert feed["authors"] == [{"name": "Test Labor Council"}]  # 1.1: `authors`, an array; `author` is 1.0's
    assert isinstance(feed["items"], list) and len(feed["items"]) == 8

    for item in feed["items"]:
        assert set(item) - ITEM_FIELDS == {"_endorsement"}  # the one extension, named with an underscore
        assert isinstance(item["id"], str) and item["id"].startswith(f"{TAG},2026-")
        assert item["url"].startswith(f"{BASE}/results/")
        assert isinstance(item["content_text"], str) and item["content_text"]  # content_text or content_html
        assert RFC3339_UTC.match(item["date_published"])
        assert "date_modified" not in item or RFC3339_UTC.match(item["date_modified"])
        assert all(isinstance(tag, str) for tag in item["tags"])
        assert item["_endorsement"]["about"] == f"{BASE}/slate#about-the-feeds"
    assert len({i["id"] for i in feed["items"]}) == 8

    county = next(i for i in feed["items"] if i["_endorsement"]["race"] == "County Commission District 1")
    assert county["title"] == "County Commission District 1: Candidate withdrew after endorsement"
    assert county["summary"] == ENDORSED_3_0
    assert county["date_published"] == "2026-10-03T10:00:00Z"
    assert county["date_modified"] == "2026-10-20T16:45:00Z"
    assert county["tags"] == ["Candidate withdrew after endorsement"]
    county_publication = built.published["County Commission District 1"]
    digest = county_publication.digest
    assert county["id"] == f"{TAG},2026-10-03:slate/decision/{digest}"
    assert county["_endorsement"] == {
        "about": f"{BASE}/slate#about-the-feeds",
        "race": "County Commission District 1",
        "office": "County Commission District 1 seat",
        "jurisdiction": "Shelby County",
        "election_date": "2040-11-06",
        "kind": "decision",
        "status": "candidate_withdrew",
        "digest": digest,
        "chain_position": county_publication.chain_position,
    }

    statuses = [
        (i["_endorsement"]["race"], i["_endorsement"]["kind"], i["_endorsement"]["status"]) for i in feed["items"]
    ]
    assert statuses == [
        ("State Assembly District 12", "rescission", "rescinded"),
        ("Library Board", "decision", "open_race"),
        ("Port Commission", "decision", "dual_endorsement"),
        ("State Senate District 4", "decision", "endorsed"),
        ("State Assembly District 12", "decision", "endorsed"),
        ("County Commission District 1", "decision", "candidate_withdrew"),
        ("Mayor", "decision", "endorsed"),
        ("City Council Ward 3", "decision", "endorsed"),
    ]
    rescission = feed["items"][0]
    assert rescission["summary"] == RESCINDED
    assert rescission["content_text"].startswith(f"{RESCINDED}\n\nThe endorsement is withdrawn.\n\n")
    assert "date_modified" not in rescission


def test_the_slate_needs_no_account(client: FlaskClient, built: Slate, auth: Any) -> None:
    anonymous = client.get("/slate").get_data(as_text=True)
    auth.login("leader")
    signed_in = client.get("/slate").get_data(as_text=True)
    assert "Sign out" not in anonymous and "Sign out" in signed_in
    for title in LISTED:
        assert title in anonymous


def test_a_published_decision_to_endorse_nobody(client: FlaskClient, staffer: Any) -> None:
    b = Builder(staffer)
    sheriff = b.race("County Sheriff", "Shelby County", ELECTION_2041)
    (board,) = b.decide(sheriff, "teamsters", [[ROSA, SAM, "No endorsement"]])
    assert board.verdict == "failed" and board.decides
    b.publish(board, when(10, 12, 15))
    words = "No endorsement, after the General Executive Board reached no decision (threshold not reached)."
    assert article_of(outline(client), "County Sheriff").startswith(
        f"County Sheriff No endorsement County Sheriff seat {words}"
    )
    (item,) = json.loads(client.get("/slate.json").data)["items"]
    assert (item["summary"], item["_endorsement"]["status"]) == (words, "no_endorsement")
