"""Lists that can grow are shown a page at a time, and cost what they show.

`paginate(stmt, ...)` runs one query whatever the size of the list: one page of rows (LIMIT/OFFSET
over the statement's own ORDER BY, which must make the order total, e.g. end with the primary key),
with the count of them all alongside. A list that fits on one page shows no page links, so a race of
five candidates still reads as one page.

The page number comes from the query string. Junk, zero or a negative number is a 404 page (someone
typed a link that was never offered); a number past the end shows the last page, because a list that
shrank since the link was made (a candidate withdrawn, a row deleted) should not break the link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from flask import abort, request, url_for
from sqlalchemy import Integer, ScalarSelect, Select, bindparam, func, select

from interviews.database import read_rows, selects_plain_rows
from interviews.extensions import db
from interviews.security import MAX_ID

T = TypeVar("T")

PER_PAGE = 50
# Beyond this a page number is junk, not a page: it keeps OFFSET arithmetic within a 32-bit range.
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    per_page: int
    total: int
    arg: str = "page"
    total_at_least: bool = False  # more rows than `total` exist (a list counted up to a limit)
    # Rows follow this page beyond `total` (`paginate(..., count_most=)`): the page links go on past
    # the counted pages rather than ending at the count.
    open_ended: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def is_paginated(self) -> bool:
        return self.total > self.per_page

    @property
    def first_shown(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.per_page + 1

    @property
    def last_shown(self) -> int:
        return min(self.total, self.number * self.per_page)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        if self.number < self.pages:
            return self.number + 1
        return self.number + 1 if self.open_ended else None

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, with None where a run is left out: 1 … 4 5 [6] 7 8 … 40 (and a
        trailing None, no last page, when the list goes on past its count: 1 2 [3] 4 5 …)."""
        last_page = min(self.pages, self.number + around) if self.open_ended else self.pages
        shown = {1, last_page, *range(self.number - around, self.number + around + 1)}
        result: list[int | None] = []
        last = 0
        for n in sorted(n for n in shown if 1 <= n <= last_page):
            if n - last > 1:
                result.append(None)
            result.append(n)
            last = n
        if self.open_ended and self.next is not None:
            result.append(None)
        return result


def page_url(page: Page[Any], number: int, fragment: str = "") -> str:
    """This page's URL with the page number changed and every other query argument (filters) kept."""
    values: dict[str, Any] = {**(request.view_args or {})}
    values.update((k, v) for k, v in request.args.items() if k != page.arg)
    if number > 1:
        values[page.arg] = number
    return url_for(request.endpoint or "main.dashboard", **values) + fragment


def id_arg(name: str) -> int | None:
    """A record id given as a list filter; None when absent or not an id (no row has it anyway)."""
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID else None


def page_number(arg: str = "page") -> int:
    """The requested page (1 when absent); 404 for anything that is not a page number."""
    raw = request.args.get(arg)
    if raw is None or raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
        abort(404)
    return int(raw)


def counted_up_to(rows: Select[Any], most: int) -> ScalarSelect[int]:
    """The count of `rows` up to `most` + 1, as a subquery to select beside other columns: the database
    stops there instead of reading every match (a common word matches half of all notes)."""
    return select(func.count()).select_from(rows.order_by(None).limit(most + 1).subquery()).scalar_subquery()


def count_up_to(rows: Select[Any], most: int) -> tuple[int, bool]:
    """How many rows `rows` selects, counted up to `most`, and whether there are more."""
    found = db.session.scalar(select(counted_up_to(rows, most))) or 0
    return min(found, most), found > most


@lru_cache(maxsize=256)
def _counted_page(stmt: Select[Any], count: Select[Any] | None, count_most: int | None) -> Select[Any]:
    """`stmt` with the count beside each row and its LIMIT and OFFSET bound (`page_limit`, `page_offset`).

    Built once per statement for statements that are themselves built once per process (`paginate`'s
    `params`): generating a new statement's cache key each request cost as much as running it."""
    if count is None:
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
    total_column = count.scalar_subquery() if count_most is None else counted_up_to(stmt, count_most)
    return (
        stmt.add_columns(total_column.label("page_total"))
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
    )


@lru_cache(maxsize=256)
def _plain(stmt: Select[Any]) -> bool:
    """`selects_plain_rows`, once per statement built once per process."""
    return selects_plain_rows(stmt)


def paginate(
    stmt: Select[Any],
    *,
    arg: str = "page",
    per_page: int = PER_PAGE,
    scalars: bool = True,
    count: Select[Any] | None = None,
    count_most: int | None = None,
    params: Mapping[str, Any] | None = None,
) -> Page[Any]:
    """One page of `stmt`'s rows (ORM objects when `scalars`, else rows), and the total count.

    `count` is a cheaper statement counting the same rows (`select(func.count())` of the base table
    with the same WHERE) for a `stmt` that joins other tables only to show more of each row.

    One round trip: the count rides along as an uncorrelated scalar subquery (computed once by the
    database, from an index where it can), so the page's own ORDER BY ... LIMIT keeps its plan. Only
    a page number past the end (no rows came back) costs a second count and a re-read of the last page.

    `count_most`: for a list that grows for years (the audit trail), count only up to this many; past
    it the page says "more than" and its links go on a page at a time (`Page.open_ended`).

    `params`: the values of `stmt`'s and `count`'s bound parameters, for statements built once per
    process (a busy page's); the page's own statement is then built once too. Without `params` the
    statements may be built per call, as most pages do.
    """
    number = page_number(arg)
    bound = dict(params or {})
    if params is not None:
        counted = _counted_page(stmt, count, count_most)
        plain = not scalars and _plain(stmt)
    else:
        counted = _counted_page.__wrapped__(stmt, count, count_most)
        plain = not scalars and selects_plain_rows(stmt)

    # A list counted up to a limit reads one row more than a page: whether another page follows.
    extra = 1 if count_most is not None else 0

    def read(page: int) -> list[Any]:
        window = {"page_limit": per_page + extra, "page_offset": (page - 1) * per_page}
        if plain:
            return list(read_rows(counted, {**bound, **window}))
        return list(db.session.execute(counted, {**bound, **window}))

    rows = read(number)
    more = False  # counted up to count_most, there were more, and more follow this page
    if rows:
        total = rows[0][-1]
        follows = len(rows) > per_page
        rows = rows[:per_page]
        if count_most is not None and total > count_most:
            shown_to = (number - 1) * per_page + len(rows)
            # Beyond the count, the last page tells the exact total; before it, "more than" the count.
            more = follows
            total = max(count_most, shown_to) if follows else shown_to
    else:  # past the end: the exact count says where the last page is
        if count is None:
            count = select(func.count()).select_from(stmt.order_by(None).subquery())
        total = db.session.scalar(count, bound) or 0
        last = max(1, -(-total // per_page))
        if number > last:
            number = last
            rows = read(number)[:per_page] if total else []
    # Rows keep the count as a trailing column; callers read rows by name or by leading index.
    items: Sequence[Any] = [row[0] for row in rows] if scalars else rows
    return Page(
        items=items, number=number, per_page=per_page, total=total, arg=arg, total_at_least=more, open_ended=more
    )
