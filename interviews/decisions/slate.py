"""The organisation's public slate: each race whose decision is published, as plain data for the page and feeds.

Only what was made public is read out. A race is listed once the vote that decided it has a
publication (VotePublication): the stage that ended its path, or, for a race decided without stages,
its published final vote. A carried rescission shows only once its own vote is published; until then
the entry reads as it was published. The words are read from the final records (decisions.words), as
on each result's public page; notes, ballots, the roll and members' names are never read here.

Cost: one query finds the listed races (joining votes to their publications), one more loads their
candidates (for withdrawals); then each race's path costs a few queries. A page lists at most 100.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from interviews.decisions.models import DecisionStage, StageMode
from interviews.decisions.paths import PathState, path_state
from interviews.decisions.words import decision_words
from interviews.extensions import db
from interviews.pagination import Page, paginate
from interviews.races.models import Race
from interviews.urls import absolute_url
from interviews.votes.models import Vote, VotePublication, VoteStatus
from interviews.votes.stage_words import winning_option

PER_PAGE = 100
FEED_RACES = 100


class SlateStatus(enum.Enum):
    endorsed = "endorsed"
    dual = "dual_endorsement"
    open = "open_race"
    no_endorsement = "no_endorsement"
    rescinded = "rescinded"
    withdrew = "candidate_withdrew"

    @property
    def label(self) -> str:
        return {
            "endorsed": "Endorsed",
            "dual_endorsement": "Dual endorsement",
            "open_race": "Open race",
            "no_endorsement": "No endorsement",
            "rescinded": "Rescinded",
            "candidate_withdrew": "Candidate withdrew after endorsement",
        }[self.value]

    @property
    def badge(self) -> str:
        return {"endorsed": "ok", "dual_endorsement": "ok", "rescinded": "bad", "candidate_withdrew": "warn"}.get(
            self.value, ""
        )


@dataclass(frozen=True)
class Publication:
    """A published result: its publication's record in the chain, and the public page that shows it."""

    vote_id: int
    statement: str
    published_at: datetime
    chain_position: int
    digest: str
    url: str


@dataclass(frozen=True)
class Withdrawal:
    """An endorsed candidate who has since left the race."""

    name: str
    withdrawn_at: datetime


@dataclass(frozen=True)
class SlateEntry:
    """One race on the slate: the decision as published, and its rescission once that is published too."""

    race_id: int
    title: str
    office: str
    jurisdiction: str
    election_date: date
    words: str
    status: SlateStatus
    decision: Publication
    # As the decision's own publication had it, before any rescission (the feeds' decision entry).
    decision_words: str
    decision_status: SlateStatus
    rescission: Publication | None = None
    withdrawn: tuple[Withdrawal, ...] = ()

    @property
    def latest(self) -> Publication:
        """The publication that gives the entry its present status: the rescission's, else the decision's."""
        return self.rescission or self.decision

    @property
    def statement(self) -> str:
        return self.latest.statement

    @property
    def published_at(self) -> datetime:
        return self.latest.published_at

    @property
    def digest(self) -> str:
        return self.latest.digest

    @property
    def url(self) -> str:
        return self.latest.url


@dataclass(frozen=True)
class JurisdictionGroup:
    jurisdiction: str
    entries: list[SlateEntry]


@dataclass(frozen=True)
class ElectionGroup:
    election_date: date
    upcoming: bool
    jurisdictions: list[JurisdictionGroup]


@dataclass(frozen=True)
class SlatePage:
    races: Page[Race]  # for the page links
    elections: list[ElectionGroup]


@dataclass(frozen=True)
class FeedItem:
    """One published decision or rescission, as the feeds list them: what that publication made public."""

    entry: SlateEntry
    kind: str  # "decision" or "rescission"
    publication: Publication
    status: SlateStatus
    words: str
    # The publication's time, or later: when an endorsed candidate withdrew, which changes the entry.
    updated: datetime

    @property
    def title(self) -> str:
        return f"{self.entry.title}: {self.status.label}"


# --- which races -------------------------------------------------------------------------------


def _races_with_a_published_decision() -> Select[tuple[int]]:
    """Races whose published final votes include one that decided: the stage that ended the path, or a plain vote.

    `entry_of` then reads each path to be sure (the deciding stage is the one `path_state` names).
    """
    has_stages = exists().where(DecisionStage.race_id == Vote.race_id)
    return (
        select(Vote.race_id)
        .join(VotePublication, VotePublication.vote_id == Vote.id)
        .where(
            Vote.status == VoteStatus.final,
            or_(
                and_(Vote.stage_id.is_not(None), Vote.decides.is_(True), Vote.stage_mode != StageMode.rescind.value),
                and_(Vote.stage_id.is_(None), ~has_stages),
            ),
        )
    )


def slate_statement(today: date) -> Select[tuple[Race]]:
    """The listed races by election, upcoming ones first (soonest first), then past ones (latest first)."""
    past = case((Race.election_date < today, 1), else_=0)
    upcoming_date = case((Race.election_date >= today, Race.election_date))
    return (
        select(Race)
        .where(Race.id.in_(_races_with_a_published_decision()))
        .options(selectinload(Race.candidates))
        # Among past races `upcoming_date` is NULL for all, so the next key orders them, latest first.
        .order_by(past, upcoming_date, Race.election_date.desc(), Race.jurisdiction, Race.title, Race.id)
    )


def slate_page(today: date) -> SlatePage:
    """The page of the slate asked for (`?page=`), grouped by election date, then jurisdiction."""
    races: Page[Race] = paginate(slate_statement(today), per_page=PER_PAGE)
    entries = [e for e in (entry_of(race) for race in races.items) if e is not None]
    return SlatePage(races=races, elections=group(entries, today))


def group(entries: list[SlateEntry], today: date) -> list[ElectionGroup]:
    """Entries in slate order, grouped by election date and, within a date, by jurisdiction."""
    elections = []
    for day, same_day in groupby(entries, key=lambda e: e.election_date):
        jurisdictions = [
            JurisdictionGroup(name, list(same_place))
            for name, same_place in groupby(same_day, key=lambda e: e.jurisdiction)
        ]
        elections.append(ElectionGroup(day, day >= today, jurisdictions))
    return elections


def feed_entries(limit: int = FEED_RACES) -> list[SlateEntry]:
    """The listed races with the latest publications, newest first (for the feeds)."""
    latest = (
        select(Vote.race_id, func.max(VotePublication.chain_position).label("last"))
        .join(VotePublication, VotePublication.vote_id == Vote.id)
        .where(Vote.race_id.in_(_races_with_a_published_decision()))
        .group_by(Vote.race_id)
        .subquery()
    )
    races = db.session.scalars(
        select(Race)
        .join(latest, latest.c.race_id == Race.id)
        .options(selectinload(Race.candidates))
        .order_by(latest.c.last.desc(), Race.id)
        .limit(limit)
    )
    return [e for e in (entry_of(race) for race in races) if e is not None]


def feed_items(entries: list[SlateEntry]) -> list[FeedItem]:
    """One item per published decision and one per published rescission, newest first."""
    items = []
    for entry in entries:
        changed = max([entry.decision.published_at, *(w.withdrawn_at for w in entry.withdrawn)])
        items.append(FeedItem(entry, "decision", entry.decision, entry.decision_status, entry.decision_words, changed))
        if entry.rescission is not None:
            items.append(
                FeedItem(
                    entry, "rescission", entry.rescission, entry.status, entry.words, entry.rescission.published_at
                )
            )
    return sorted(items, key=lambda i: (i.publication.published_at, i.publication.chain_position), reverse=True)


# --- one race ----------------------------------------------------------------------------------


def entry_of(race: Race) -> SlateEntry | None:
    """The race's slate entry, or None while the vote that decided it is unpublished."""
    state = path_state(race)
    if not state.path:
        return _entry_without_stages(race)
    decided = state.decided_by
    if decided is None or decided.publication is None:
        return None
    as_decided = replace(state, rescinded_by=None)
    status, withdrawn = _status_as_decided(race, as_decided)
    words = decision_words(as_decided)
    entry = SlateEntry(
        race_id=race.id,
        title=race.title,
        office=race.office,
        jurisdiction=race.jurisdiction,
        election_date=race.election_date,
        words=words,
        status=status,
        decision=_publication(decided),
        decision_words=words,
        decision_status=status,
        withdrawn=withdrawn,
    )
    rescission = state.rescinded_by
    if rescission is None or rescission.publication is None:
        return entry
    return replace(
        entry, words=decision_words(state), status=SlateStatus.rescinded, rescission=_publication(rescission)
    )


def _entry_without_stages(race: Race) -> SlateEntry | None:
    vote = db.session.scalars(
        select(Vote)
        .join(Vote.publication)
        .where(Vote.race_id == race.id, Vote.status == VoteStatus.final, Vote.stage_id.is_(None))
        .options(contains_eager(Vote.publication))
        .order_by(VotePublication.chain_position.desc())
        .limit(1)
    ).first()
    if vote is None or vote.record is None:
        return None
    record = vote.record
    endorsed = _endorsed_ids(record) if record.get("outcome") == "endorsed" else []
    status, withdrawn = _endorsement_status(race, endorsed)
    return SlateEntry(
        race_id=race.id,
        title=race.title,
        office=race.office,
        jurisdiction=race.jurisdiction,
        election_date=race.election_date,
        words=_sentence(vote.result_text),
        status=status,
        decision=_publication(vote),
        decision_words=_sentence(vote.result_text),
        decision_status=status,
        withdrawn=withdrawn,
    )


def _sentence(words: str) -> str:
    return words if words.endswith(".") else f"{words}."


def _publication(vote: Vote) -> Publication:
    publication = vote.publication
    assert publication is not None
    return Publication(
        vote_id=vote.id,
        statement=publication.statement,
        published_at=publication.published_at,
        chain_position=publication.chain_position,
        digest=publication.digest,
        url=absolute_url("votes.public", vote_id=vote.id),
    )


def _status_as_decided(race: Race, state: PathState) -> tuple[SlateStatus, tuple[Withdrawal, ...]]:
    endorsement = state.endorsement
    if endorsement is not None and endorsement.record is not None:
        return _endorsement_status(race, _endorsed_ids(endorsement.record))
    if _left_open(state):
        return SlateStatus.open, ()
    return SlateStatus.no_endorsement, ()


def _left_open(state: PathState) -> bool:
    """Whether the path carried an open race: chosen by the deciding stage, or recommended and ratified."""
    decided = state.decided_by
    if decided is None or decided.verdict != "carried":
        return False
    for vote in (decided, state.recommendation):
        option = winning_option(vote.record) if vote is not None and vote.record is not None else None
        if option is not None and option.get("kind") == "open":
            return True
    return False


def _endorsed_ids(record: dict[str, Any]) -> list[int]:
    """The candidates the record's winning option (or options, in a tie under a dual rule) endorse."""
    result = record["result"]
    winners = result.get("winners") or ([result["winner"]] if result.get("winner") else [])
    ids: list[int] = []
    for option in record["options"]:
        if option["label"] not in winners or option.get("kind") not in (None, "candidate", "joint"):
            continue
        named = (option.get("terms") or {}).get("candidates") or []
        ids += [c["id"] for c in named] or ([option["candidate_id"]] if option.get("candidate_id") else [])
    return list(dict.fromkeys(ids))


def _endorsement_status(race: Race, endorsed: list[int]) -> tuple[SlateStatus, tuple[Withdrawal, ...]]:
    if not endorsed:
        return SlateStatus.no_endorsement, ()
    candidates = {c.id: c for c in race.candidates}
    withdrawn = tuple(
        Withdrawal(c.name, c.withdrawn_at)
        for c in (candidates.get(i) for i in endorsed)
        if c is not None and c.withdrawn_at is not None
    )
    if withdrawn:
        return SlateStatus.withdrew, withdrawn
    return (SlateStatus.dual if len(endorsed) > 1 else SlateStatus.endorsed), ()
