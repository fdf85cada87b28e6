"""Reading a body's roll from a CSV file: the convention delegates, most of whom have no account.

Pure: text in, a report out. The caller says which accounts exist and who already sits on the
body; nothing here reads or writes the database. Each row is accepted or refused with its line
number and a reason in plain words, so the secretary can fix the file and import the refused rows
again. A file that cannot be read as a roll at all (not CSV, not UTF-8, unknown columns, too long)
is refused as a whole, and then nothing is seated.

The columns, named in a header line (any case, any order): `name` (required), `weight` (a positive
whole number, 1 when blank; "12,500" is accepted), `reference` (a delegate number, the local) and
`email` (links the seat to the active account with that address).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from interviews.decisions.errors import DecisionError

COLUMNS = ("name", "weight", "reference", "email")
MAX_ROWS = 20_000
MAX_TEXT = 120  # the longest name or reference a seat keeps (BodyMember.name, .reference)

_WHOLE = re.compile(r"[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+")
_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]*)?|[+-]?\.[0-9]+")


class RollRefused(DecisionError):
    """The file as a whole cannot be read as a roll; nothing in it is seated."""


@dataclass(frozen=True)
class RollSeat:
    """An accepted row: the seat it will become."""

    line: int
    name: str
    weight: int
    reference: str = ""
    email: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class RollRefusal:
    """A refused row: its line in the file, the name it gave (if any) and why it was refused."""

    line: int
    name: str
    reason: str


@dataclass(frozen=True)
class RollReport:
    accepted: tuple[RollSeat, ...]
    refused: tuple[RollRefusal, ...]

    @property
    def total_weight(self) -> int:
        return sum(seat.weight for seat in self.accepted)


def _words(text: str) -> str:
    return " ".join(text.split())


def _key(text: str) -> str:
    return _words(text).casefold()


@dataclass(frozen=True)
class Sitting:
    """Who already sits on the body, by what a row of the roll is matched on."""

    names: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (name, reference), case-folded
    references: frozenset[str] = field(default_factory=frozenset)
    user_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(cls, seats: Iterable[tuple[str, str, int | None]]) -> Sitting:
        """From (name, reference, user id) of each seat held."""
        held = list(seats)
        return cls(
            names=frozenset((_key(name), _key(reference)) for name, reference, _ in held),
            references=frozenset(_key(reference) for _, reference, _ in held if reference.strip()),
            user_ids=frozenset(user_id for _, _, user_id in held if user_id is not None),
        )


def _text_of(data: str | bytes) -> str:
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RollRefused(
                "The file is not UTF-8 text. In the spreadsheet, save it as “CSV UTF-8 (comma delimited)” and "
                "upload that file."
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if "\x00" in text:
        # A workbook (.xlsx, .ods) or another binary file that happens to decode.
        raise RollRefused("This is not a CSV file. In the spreadsheet, save it as “CSV UTF-8” and upload that file.")
    if not text.strip():
        raise RollRefused("The file is empty.")
    return text


def _delimiter(text: str) -> str:
    """A comma, unless the header line has none and is separated by semicolons or tabs (some spreadsheets)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "," not in first:
        for other in (";", "\t"):
            if other in first:
                return other
    return ","


def _columns(header: list[str]) -> list[str]:
    """The column each position holds ("" for a blank heading); refuses a header that is not the roll's."""
    names = [_key(cell) for cell in header]
    known = ", ".join(COLUMNS)
    if not any(name in COLUMNS for name in names):
        shown = ", ".join(cell.strip() for cell in header if cell.strip())[:200]
        raise RollRefused(
            f"The first line must name the columns ({known}); it reads “{shown}”. Add a header line such as "
            "“name,weight,reference,email”."
        )
    unknown = [cell.strip() for cell, name in zip(header, names, strict=True) if name and name not in COLUMNS]
    if unknown:
        listed = ", ".join(f"“{cell}”" for cell in unknown)
        noun = "column" if len(unknown) == 1 else "columns"
        raise RollRefused(f"Unknown {noun} {listed}. The known columns are {known}; rename or remove the others.")
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        raise RollRefused(f"The column {', '.join(twice)} appears more than once in the first line.")
    if "name" not in names:
        raise RollRefused(f"The file has no name column. The known columns are {known}; name is required.")
    return names


def _weight(cell: str, max_weight: int) -> tuple[int, str]:
    """The weight a cell gives (1 when blank), or 0 and the reason it is refused."""
    text = cell.strip()
    if not text:
        return 1, ""
    if _WHOLE.fullmatch(text):
        weight = int(text.replace(",", ""))
        if weight == 0:
            return 0, "the weight is 0; a weight is 1 or more"
        if weight > max_weight:
            return 0, f"the weight {weight:,} is more than {max_weight:,}; check the figure"
        return weight, ""
    if _NUMBER.fullmatch(text):
        if text.startswith("-"):
            return 0, f"the weight is {text}; a weight is 1 or more"
        return 0, f"the weight “{text}” is not a whole number; write it such as 12 or 12,500"
    return 0, f"the weight “{text[:40]}” is not a number; write it in figures, such as 12 or 12,500"


def _already_sitting(sitting: Sitting, name: str, reference: str, user_id: int | None) -> str:
    if user_id is not None and user_id in sitting.user_ids:
        return "the account already sits on the body"
    if reference and _key(reference) in sitting.references:
        return f"someone with reference {reference} already sits on the body"
    if (_key(name), _key(reference)) in sitting.names:
        return "already sits on the body" + (" (same name and reference)" if reference else " (same name)")
    return ""


def parse_roll(
    data: str | bytes,
    *,
    accounts: Mapping[str, int],
    sitting: Sitting | None = None,
    max_weight: int,
) -> RollReport:
    """Read a roll CSV: each row accepted or refused with its reason.

    `accounts` maps the lower-case e-mail of each active account to its id; `sitting` is who already
    sits on the body. Raises RollRefused when the file as a whole is not a roll.
    """
    text = _text_of(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = _Rows(accounts, sitting or Sitting(), max_weight)
    columns: list[str] | None = None
    last_line = 0
    try:
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num  # a quoted value may span lines: where it starts
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, often at the end of a spreadsheet's export
            if columns is None:
                columns = _columns(cells)
            elif rows.count == MAX_ROWS:
                raise RollRefused(f"The file has more than {MAX_ROWS:,} rows. Split it and import each part.")
            else:
                rows.read(cells, line, columns)
    except csv.Error as error:
        raise RollRefused(f"Line {reader.line_num} cannot be read as CSV ({error}).") from None
    if columns is None:
        raise RollRefused("The file holds only empty cells.")
    if rows.count == 0:
        raise RollRefused("The file has a header line but no members below it.")
    return RollReport(accepted=tuple(rows.accepted), refused=tuple(rows.refused))


class _Rows:
    """The rows read so far: accepted, refused, and each person's first line, to find duplicates."""

    def __init__(self, accounts: Mapping[str, int], sitting: Sitting, max_weight: int) -> None:
        self.accounts = accounts
        self.sitting = sitting
        self.max_weight = max_weight
        self.accepted: list[RollSeat] = []
        self.refused: list[RollRefusal] = []
        self._first_line: dict[tuple[str, ...], int] = {}

    @property
    def count(self) -> int:
        return len(self.accepted) + len(self.refused)

    def read(self, cells: list[str], line: int, columns: list[str]) -> None:
        values = dict.fromkeys(COLUMNS, "")
        reasons: list[str] = []
        for position, cell in enumerate(cells):
            column = columns[position] if position < len(columns) else ""
            if column:
                values[column] = cell
            elif cell.strip() and not reasons:
                reasons.append(f"there is a value in column {position + 1}, which has no heading")
        name, reference = _words(values["name"]), _words(values["reference"])
        email = values["email"].strip().lower()
        if not name:
            self.refused.append(RollRefusal(line, "", "; ".join(["no name", *reasons])))
            return
        weight, weight_fault = _weight(values["weight"], self.max_weight)
        if weight_fault:
            reasons.append(weight_fault)
        if len(name) > MAX_TEXT:
            reasons.append(f"the name is longer than {MAX_TEXT} characters")
        if len(reference) > MAX_TEXT:
            reasons.append(f"the reference is longer than {MAX_TEXT} characters")
        user_id = self.accounts.get(email) if email else None
        if email and user_id is None:
            reasons.append(f"no active account has the e-mail address {email[:254]}")
        if duplicate := self._duplicate(line, name, reference, email):
            reasons.append(duplicate)
        elif sits := _already_sitting(self.sitting, name, reference, user_id):
            reasons.append(sits)
        if reasons:
            self.refused.append(RollRefusal(line, name[:MAX_TEXT], "; ".join(reasons)))
        else:
            self.accepted.append(RollSeat(line, name, weight, reference, email, user_id))

    def _duplicate(self, line: int, name: str, reference: str, email: str) -> str:
        """Whether an earlier row is the same person (and remember this row as theirs if not)."""
        keys: list[tuple[tuple[str, ...], str]] = [
            (("name", _key(name), _key(reference)), "same name and reference" if reference else "same name")
        ]
        if reference:
            keys.append((("reference", _key(reference)), f"same reference {reference}"))
        if email:
            keys.append((("email", email), f"same e-mail {email}"))
        for key, why in keys:
            if key in self._first_line:
                return f"the same person as line {self._first_line[key]} ({why})"
        for key, _ in keys:
            self._first_line[key] = line
        return ""
