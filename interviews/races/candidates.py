"""Candidates: adding and editing them, and withdrawing one (kept in the record, marked withdrawn)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from interviews import signals
from interviews.audit.actors import Actor
from interviews.audit.services import diff, record
from interviews.extensions import db
from interviews.races.models import Candidate, Race
from interviews.types import utcnow

CANDIDATE_FIELDS = ("name", "party", "incumbent", "contact_name", "contact_email", "contact_phone", "website")


class CandidateError(Exception):
    """Refused candidate data or action; `field` names the form field it belongs to, when one does."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def normalize_website(value: str) -> str:
    """'kessler.example.com' -> 'https://kessler.example.com'; refuses anything that is not a web address."""
    value = (value or "").strip()
    if not value:
        return ""
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname or " " in value:
        raise CandidateError("Give a web address such as https://candidate.example.com.", "website")
    return value


def normalize_contact_email(value: str) -> str:
    try:
        return validate_email((value or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise CandidateError(f"That e-mail address is not valid: {error}", "contact_email") from error


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: data[k] for k in CANDIDATE_FIELDS if k in data}
    for key in ("name", "party", "contact_name", "contact_phone"):
        if key in clean:
            clean[key] = (clean[key] or "").strip()
    for key in ("name", "contact_name"):
        if key in clean and not clean[key]:
            raise CandidateError("This cannot be empty.", key)
    if "contact_email" in clean:
        clean["contact_email"] = normalize_contact_email(clean["contact_email"])
    if "website" in clean:
        clean["website"] = normalize_website(clean["website"])
    if "incumbent" in clean:
        clean["incumbent"] = bool(clean["incumbent"])
    return clean


def add_candidate(race: Race, data: dict[str, Any], *, actor: Actor) -> Candidate:
    clean = _clean(data)
    duplicate = db.session.scalar(
        select(Candidate.id).where(Candidate.race_id == race.id, Candidate.name == clean["name"])
    )
    if duplicate is not None:
        raise CandidateError(f"{clean['name']} is already a candidate in this race.", "name")
    candidate = Candidate(race=race, **clean)
    db.session.add(candidate)
    db.session.flush()
    record(
        "candidate.added",
        candidate,
        changes=clean,
        summary=f"Candidate added to {race.title}: {candidate.name}",
        actor=actor,
    )
    return candidate


def update_candidate(candidate: Candidate, data: dict[str, Any], *, actor: Actor) -> dict[str, list[Any]]:
    clean = _clean(data)
    changes = diff(candidate, clean)
    if changes:
        record(
            "candidate.updated", candidate, changes=changes, summary=f"Candidate edited: {candidate.name}", actor=actor
        )
    return changes


def withdraw_candidate(candidate: Candidate, *, reason: str = "", actor: Actor) -> None:
    """Mark withdrawn; subscribers cancel their scheduled interviews (the panel gets a CANCEL) and
    revoke their link, each answering what it did, which the audit event records."""
    if candidate.withdrawn:
        raise CandidateError(f"{candidate.name} has already withdrawn.")
    candidate.withdrawn_at = utcnow()
    db.session.flush()
    changes: dict[str, Any] = {"withdrawn_at": candidate.withdrawn_at, "reason": reason.strip()}
    for _receiver, done in signals.candidate_withdrawn.send(candidate, actor=actor, reason=reason.strip()):
        changes.update(done or {})
    record(
        "candidate.withdrawn",
        candidate,
        changes=changes,
        summary=f"Candidate withdrawn from {candidate.race.title}: {candidate.name}",
        actor=actor,
    )
