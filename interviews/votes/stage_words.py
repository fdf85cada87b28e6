"""A stage's result in words, read from its final record (canonical JSON, parsed): what pages show is what
`verify` checks. Pure: a record dict in, words out.

"the Political Committee recommended Rosa Delgado-Park 9-2", "the Convention delegates ratified it by
71.4%, more than the two-thirds required", "the Executive Board did not ratify it: 58.3%, short of the
two-thirds required".
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from interviews.votes.rules import fraction_in_words
from interviews.votes.tally import percent

ENDORSING = ("candidate", "joint")


def _fraction(text: str | None) -> Fraction | None:
    if text is None:
        return None
    numerator, _, denominator = text.partition("/")
    return Fraction(int(numerator), int(denominator or 1))


def body_words(record: dict[str, Any]) -> str:
    name = (record.get("body") or {}).get("name") or "the body"
    return name if name.lower().startswith("the ") else f"the {name}"


def winning_option(record: dict[str, Any]) -> dict[str, Any] | None:
    winner = record["result"].get("winner")
    return next((o for o in record["options"] if o["label"] == winner), None) if winner else None


def endorsed_names(option: dict[str, Any]) -> list[str]:
    terms = option.get("terms") or {}
    if terms.get("candidates"):
        return [c["name"] for c in terms["candidates"]]
    return [option["label"]]


def endorsed_in(record: dict[str, Any]) -> list[str]:
    """Every candidate the record's result endorses: the winning option's, or each of a tie at the top
    that a rule allowing a dual endorsement endorses together."""
    labels = record["result"].get("winners") or ([record["result"]["winner"]] if record["result"].get("winner") else [])
    names: list[str] = []
    for option in record["options"]:
        if option["label"] in labels and option.get("kind") in ENDORSING:
            names += [n for n in endorsed_names(option) if n not in names]
    return names


def money(cents: int) -> str:
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}" if rest == 0 else f"${dollars:,}.{rest:02d}"


def terms_words(option: dict[str, Any]) -> str:
    """', on condition that ..., with a recommended contribution of $5,000 from the COPE fund' (or '')."""
    terms = option.get("terms") or {}
    words = ""
    if terms.get("conditions"):
        words += f", on condition that {terms['conditions'].rstrip('.')}"
    contribution = terms.get("contribution")
    if contribution:
        words += f", with a recommended contribution of {money(contribution['cents'])}"
        if contribution.get("fund"):
            words += f" from the {contribution['fund']}"
    return words


def names_words(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def score(record: dict[str, Any]) -> str:
    """The score, such as 9-2 (the winner's votes against all others'), or 9-2 with 1 abstaining."""
    result = record["result"]
    winner = result.get("winner")
    votes = sum(o["votes"] for o in result["options"] if o["label"] == winner)
    against = sum(o["votes"] for o in result["options"] if o["label"] != winner)
    text = f"{votes:,}-{against:,}"
    if result.get("abstentions"):
        text += f" with {result['abstentions']:,} abstaining"
    return text


def share_words(record: dict[str, Any], label: str, *, met: bool) -> str:
    """'71.4%, more than the two-thirds required' or '58.3%, short of the two-thirds required'."""
    result = record["result"]
    option = next((o for o in result["options"] if o["label"] == label), None)
    share = _fraction(option["share"]) if option else None
    threshold = _fraction(record["rule"]["threshold"]) or Fraction(1)
    required = f"the {fraction_in_words(threshold)} required"
    if share is None:
        return f"no votes to count, {required}"
    if met:
        return f"{percent(share)}, {'more than' if share > threshold else 'exactly'} {required}"
    return (
        f"{percent(share)}, short of {required}" if share < threshold else f"{percent(share)}, not more than {required}"
    )


def stage_result_words(record: dict[str, Any]) -> str:
    """The stage's result as one clause, from its record."""
    stage = record.get("stage") or {}
    mode, verdict = stage.get("mode"), stage.get("verdict")
    body = body_words(record)
    result = record["result"]
    if result["outcome"] == "failed_quorum":
        failed = {"choose": "made no recommendation", "ratify": "did not ratify it", "rescind": "did not rescind it"}
        return f"{body} {failed.get(mode or 'choose', 'did not decide')}: it had no quorum"
    option = winning_option(record)
    if mode == "choose":
        if verdict != "carried" or option is None:
            return f"{body} reached no decision ({result['reason']})"
        verb = "endorsed" if stage.get("is_last") else "recommended"
        if option["kind"] in ENDORSING:
            endorsed = endorsed_in(record)
            names = names_words(endorsed)
            dual = " (a dual endorsement)" if len(endorsed) > 1 else ""
            return f"{body} {verb} {names}{dual}{terms_words(option)} {score(record)}"
        if option["kind"] == "open":
            return f"{body} voted {score(record)} to leave the race open, members free to choose"
        return f"{body} voted {score(record)} for no endorsement"
    yes = next((o["label"] for o in record["options"] if o["kind"] in ("ratify", "rescind")), "")
    if mode == "ratify":
        if verdict == "carried":
            return f"{body} ratified it by {share_words(record, yes, met=True)}"
        return f"{body} did not ratify it: {share_words(record, yes, met=False)}"
    if verdict == "carried":
        return f"{body} rescinded the endorsement by {share_words(record, yes, met=True)}"
    return f"{body} kept the endorsement: the rescission had {share_words(record, yes, met=False)}"
