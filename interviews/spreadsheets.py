"""CSV that a spreadsheet opens as text: every export (record book, answers) writes through here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any


def safe_cell(value: Any) -> str:
    """Text a spreadsheet will not run: a leading =, +, - or @ would make it a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text, one line at a time (a response can stream it), every cell guarded against formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    yield out.getvalue()
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow([safe_cell(v) for v in row])
        yield out.getvalue()


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    """The whole CSV as one string, for a short export."""
    return "".join(csv_lines(header, rows))
