"""The public slate: the page of published endorsements and its feeds (JSON Feed 1.1 and Atom 1.0).

Open to anyone, signed in or not: everything shown was published (decisions.slate says how). The
feed builders are pure (feed items in, a document out), so tests read their output with other parsers.

Each feed item is one publication, a decision or a rescission. Its id is a tag URI (RFC 4151) named
by the domain of the organiser's address and the day of the publication, ending in the publication's
digest: it never changes, whichever address the app is served from.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parseaddr
from typing import Any

from flask import Blueprint, Response, current_app, render_template
from flask.typing import ResponseReturnValue

from interviews.access import PUBLIC, allow
from interviews.decisions import slate
from interviews.times import utc_to_local
from interviews.types import utcnow
from interviews.urls import absolute_url
from interviews.votes.chain import chain_head

bp = Blueprint("slate", __name__)

ATOM = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class FeedInfo:
    """What both feeds say about themselves."""

    title: str
    author: str
    home_url: str
    json_url: str
    atom_url: str
    tag_authority: str  # a domain the organisation holds, for tag URIs


def _today() -> date:
    """The organisation's date (in its time zone): whether an election is still to come."""
    return utc_to_local(utcnow(), current_app.config["DEFAULT_TIMEZONE"]).date()


def _feed_info() -> FeedInfo:
    organisation: str = current_app.config["ORGANIZATION_NAME"]
    address = parseaddr(current_app.config["ORGANIZER_EMAIL"])[1]
    return FeedInfo(
        title=f"{organisation}: endorsements",
        author=organisation,
        home_url=absolute_url("slate.index"),
        json_url=absolute_url("slate.json_feed"),
        atom_url=absolute_url("slate.atom"),
        tag_authority=address.rpartition("@")[2].lower() or "localhost",
    )


@bp.get("/slate")
@allow(PUBLIC)
def index() -> ResponseReturnValue:
    page = slate.slate_page(_today())
    return render_template(
        "decisions/slate.html", races=page.races, elections=page.elections, head=chain_head(), feeds=_feed_info()
    )


@bp.get("/slate.json")
@allow(PUBLIC)
def json_feed() -> ResponseReturnValue:
    document = json_feed_document(slate.feed_items(slate.feed_entries()), _feed_info())
    return Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype="application/feed+json")


@bp.get("/slate.atom")
@allow(PUBLIC)
def atom() -> ResponseReturnValue:
    document = atom_document(slate.feed_items(slate.feed_entries()), _feed_info(), now=utcnow())
    return Response(document, mimetype="application/atom+xml")


# --- the feeds, pure ---------------------------------------------------------------------------


def rfc3339(moment: datetime) -> str:
    """UTC, to the second, with Z: '2027-03-04T18:30:00Z' (RFC 3339, as both feed formats ask)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_uri(item: slate.FeedItem, authority: str) -> str:
    published = item.publication.published_at.astimezone(UTC)
    return f"tag:{authority},{published:%Y-%m-%d}:slate/{item.kind}/{item.publication.digest}"


def content_text(item: slate.FeedItem) -> str:
    """The item as plain text: the decision in words, the statement published with it, and where it stands."""
    entry, publication = item.entry, item.publication
    parts = [item.words]
    if publication.statement:
        parts.append(publication.statement)
    parts.append(
        f"{entry.title}: {entry.office}, {entry.jurisdiction}; election on {entry.election_date.isoformat()}.\n"
        f"Publication digest (SHA-256) {publication.digest}, record {publication.chain_position} of the chain."
    )
    return "\n\n".join(parts)


def json_feed_document(items: list[slate.FeedItem], info: FeedInfo) -> dict[str, Any]:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1), with an `_endorsement` object per item."""
    return {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "home_page_url": info.home_url,
        "feed_url": info.json_url,
        "description": "Endorsements published by the organisation, and their rescissions.",
        "language": "en",
        "authors": [{"name": info.author}],
        "items": [_json_item(item, info) for item in items],
    }


def _json_item(item: slate.FeedItem, info: FeedInfo) -> dict[str, Any]:
    entry, publication = item.entry, item.publication
    data: dict[str, Any] = {
        "id": tag_uri(item, info.tag_authority),
        "url": publication.url,
        "title": item.title,
        "content_text": content_text(item),
        "summary": item.words,
        "date_published": rfc3339(publication.published_at),
        "tags": [item.status.label],
    }
    if item.updated > publication.published_at:
        data["date_modified"] = rfc3339(item.updated)
    data["_endorsement"] = {
        "about": f"{info.home_url}#about-the-feeds",
        "race": entry.title,
        "office": entry.office,
        "jurisdiction": entry.jurisdiction,
        "election_date": entry.election_date.isoformat(),
        "kind": item.kind,
        "status": item.status.value,
        "digest": publication.digest,
        "chain_position": publication.chain_position,
    }
    return data


def _add(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, name, attributes)
    if text is not None:
        element.text = text
    return element


def atom_document(items: list[slate.FeedItem], info: FeedInfo, *, now: datetime) -> bytes:
    """An Atom 1.0 feed (RFC 4287): one entry per item; `now` dates a feed with no entries yet."""
    # The namespace as the root's attribute: ElementTree's `default_namespace` refuses unprefixed attributes,
    # and registering a prefix would change every other serialisation in the process.
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": "en"})
    _add(feed, "id", info.home_url)
    _add(feed, "title", info.title)
    _add(feed, "subtitle", "Endorsements published by the organisation, and their rescissions.")
    _add(feed, "updated", rfc3339(max((i.updated for i in items), default=now)))
    _add(feed, "link", rel="self", type="application/atom+xml", href=info.atom_url)
    _add(feed, "link", rel="alternate", type="text/html", href=info.home_url)
    _add(_add(feed, "author"), "name", info.author)
    for item in items:
        entry = _add(feed, "entry")
        _add(entry, "id", tag_uri(item, info.tag_authority))
        _add(entry, "title", item.title)
        _add(entry, "published", rfc3339(item.publication.published_at))
        _add(entry, "updated", rfc3339(item.updated))
        _add(entry, "link", rel="alternate", type="text/html", href=item.publication.url)
        if item.kind == "rescission":
            _add(entry, "link", rel="related", type="text/html", href=item.entry.decision.url)
        _add(entry, "category", term=item.status.value, label=item.status.label)
        _add(entry, "summary", item.words, type="text")
        _add(entry, "content", content_text(item), type="text")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
