"""Demo: question lists, the past interviews marked completed with notes of every visibility (and
revisions), and two presidential member polls with different results: a town-hall straw poll and an
independent electronic poll.

Runs after scheduling and invitations (which booked the interviews), before votes (whose final presidential
vote then locks these notes). Each step runs under `clock(...)` at the time it happened.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from interviews.demo import DemoContext, clock
from interviews.extensions import db
from interviews.notes import services
from interviews.notes.models import PollMethod, PollResultKind, Visibility
from interviews.notes.polls import PollInput, save_poll
from interviews.notes.services import QuestionInput
from interviews.races.models import Race
from interviews.scheduling.models import Interview, InterviewStatus
from interviews.scheduling.services import set_status

PRESIDENTIAL = "2028 Presidential endorsement"
GOVERNOR = "2027 Governor"
STATE_SENATE = "State Senate District 12"

FIRST_LIST = [
    ("Organising", "Will you support card check and first-contract arbitration?"),
    ("Organising", "What penalties should employers face for union busting?"),
    ("Wages", "Where do you stand on a $20 federal minimum wage and on wage theft enforcement?"),
    ("Retirement", "How will you protect defined-benefit pensions and Social Security?"),
    ("Infrastructure", "Will federal infrastructure money require project labour agreements?"),
]
# The board added the right to strike after the first roundtable: version 2.
SECOND_LIST = [
    *FIRST_LIST[:2],
    ("Organising", "Do you support the right to strike for public-sector workers, including sympathy strikes?"),
    *FIRST_LIST[2:],
]
STATE_LIST = [
    ("Budget", "How will you close the state budget gap without cutting public-sector jobs?"),
    ("Transit", "Will you fund transit operations, not only capital projects?"),
    ("Labour", "Will you sign a bill giving public employees the right to strike?"),
    ("Health", "How will you keep health premiums from eating negotiated raises?"),
]

# (author index in the panel, question position or None, visibility, body, later revision or None)
# (author, question number or None for a general note, visibility, text[, revised text])
NoteSpec = tuple[Any, ...]

NOTES: dict[str, list[NoteSpec]] = {
    "Eleanor Whitcombe": [
        (0, 1, Visibility.staff, "Clear yes on card check; cited her vote on the PRO Act.", None),
        (
            1,
            2,
            Visibility.leadership,
            "Wants penalties per worker, not per incident.\nAsked us for model language.",
            "Wants penalties per worker, not per incident.\nAsked us for model language; staff to send the 2019 draft.",
        ),
        (2, 4, Visibility.panel, "Vague on pensions. Pressed twice, no commitment on multi-employer plans.", None),
        (0, None, Visibility.leadership, "Strong overall. Best answers on organising of the field so far.", None),
        (3, None, Visibility.panel, "Her campaign manager interrupted twice. <Not a good sign.>", None),
    ],
    "Marcus Delgado": [
        (
            0,
            3,
            Visibility.leadership,
            "Yes to the right to strike for public-sector workers; hedged on sympathy strikes.",
            "Yes to the right to strike for public-sector workers; hedged on sympathy strikes, then said "
            "he would not sign a ban.",
        ),
        (1, 4, Visibility.staff, "Supports $20 by 2030, indexed. Good on wage theft enforcement funding.", None),
        (2, 6, Visibility.panel, "Would require PLAs on every project over $25M.", None),
        (4, None, Visibility.staff, "Solid. Staff should check his record as governor on the transit strike.", None),
    ],
    "Ruth Abernathy": [
        (1, 3, Visibility.leadership, 'Opposes the right to strike for transit and nurses: "public safety".', None),
        (3, 5, Visibility.panel, "Good on Social Security, said nothing on private pensions.", None),
        (0, None, Visibility.leadership, "Not endorsable on strikes. Respectful conversation though.", None),
    ],
}
SENATE_NOTES: dict[str, list[NoteSpec]] = {
    "Alicia Moreno": [
        (0, 3, Visibility.panel, "Will sign a public-sector right-to-strike bill; co-sponsored last year's.", None),
        (1, 2, Visibility.leadership, "Operations money for transit: yes, from the surplus, not fares.", None),
        (2, None, Visibility.staff, "First run for office. Knows the budget better than expected.", None),
    ],
    "Kenneth Ward": [
        (0, 1, Visibility.panel, "Would close the gap with a hiring freeze; no layoffs promised.", None),
        (
            3,
            3,
            Visibility.leadership,
            "No on the right to strike.",
            "No on the right to strike; open to binding arbitration for transit.",
        ),
        (1, None, Visibility.staff, "Voted for our prevailing-wage bill twice. Check his 2025 pension vote.", None),
    ],
}


def _question_lists(ctx: DemoContext) -> None:
    editor = ctx.staff[0]
    president = ctx.races[PRESIDENTIAL]
    with clock(ctx.now - timedelta(days=77)):  # written before the letters went out
        services.save_question_list(president, [QuestionInput(t, q) for t, q in FIRST_LIST], actor=editor)
        for title, race in ctx.races.items():
            if title != PRESIDENTIAL:
                services.save_question_list(race, [QuestionInput(t, q) for t, q in STATE_LIST], actor=editor)
        db.session.flush()
    # Interviews booked in the invitations demo ran before these rows existed: give each the list it was
    # booked with, as booking does (the presidential ones get theirs in _record).
    for title, race in ctx.races.items():
        for interview in race.interviews:
            if title != PRESIDENTIAL and interview.question_list_id is None:
                interview.question_list = services.latest_question_list(race)
    # The board added the right to strike the day after the first roundtable: version 2.
    first = min(i.starts_at for i in president.interviews)
    with clock(first + timedelta(days=1)):
        services.save_question_list(president, [QuestionInput(t, q) for t, q in SECOND_LIST], actor=editor)
        db.session.flush()


def _record(ctx: DemoContext, race: Race, notes: dict[str, list[NoteSpec]]) -> None:
    """Each past interview: marked completed, then its panel's notes, revisions the next day, submitted."""
    versions = {ql.version: ql for ql in services.question_lists(race)}
    held = db.session.scalars(
        select(Interview)
        .where(Interview.race_id == race.id, Interview.status == InterviewStatus.scheduled)
        .order_by(Interview.starts_at)
    ).all()
    for interview in held:
        ends: datetime = interview.ends_at
        if ends > ctx.now:
            continue
        with clock(ends + timedelta(minutes=10)):
            set_status(interview, InterviewStatus.completed, actor=ctx.staff[0])
        # The list in use that day: the newest saved before the interview began.
        used = max((ql for ql in versions.values() if ql.created_at <= interview.starts_at), key=lambda ql: ql.version)
        interview.question_list = used
        questions = {q.position: q for q in used.questions}
        panel = [seat.user for seat in interview.panel_seats]
        entries = notes[interview.candidate.name]
        with clock(ends + timedelta(minutes=40)):
            saved = []
            for author_index, position, visibility, body, revised in entries:
                question = questions.get(position) if position else None
                note = services.save_note(
                    interview, question, body=body, visibility=visibility, base_version=0, actor=panel[author_index]
                )
                db.session.flush()
                saved.append((note, revised))
        with clock(ends + timedelta(days=1)):
            for note, revised in saved:
                if revised:
                    services.save_note(
                        interview,
                        note.question,
                        body=revised,
                        visibility=note.visibility,
                        base_version=note.version,
                        actor=note.author,
                    )
                    db.session.flush()
            for author in {panel[a] for a, *_ in entries}:
                services.submit_notes(interview, actor=author)
        db.session.flush()


def _polls(ctx: DemoContext) -> None:
    race = ctx.races[PRESIDENTIAL]
    by_name = {c.name: c for c in race.candidates}
    staff = ctx.staff[0]
    # The town hall met before Gordon Pryce dropped out (the invitations demo: 61 days ago).
    straw_day = (ctx.now - timedelta(days=63)).date()
    with clock(ctx.now - timedelta(days=62)):
        save_poll(
            race,
            PollInput(
                title="Town hall straw poll",
                method=PollMethod.town_hall,
                opens_on=straw_day,
                closes_on=straw_day,
                sample_size=312,
                overseen_by="Lorraine McAllister, Recording Secretary",
                result_kind=PollResultKind.counts,
                notes="Show of hands at the union hall after the candidate forum; Gordon Pryce still in the race.",
                results={
                    by_name[n].id: Decimal(v)
                    for n, v in [
                        ("Eleanor Whitcombe", 121),
                        ("Marcus Delgado", 98),
                        ("Ruth Abernathy", 37),
                        ("Gordon Pryce", 21),
                        ("Franklin Osei", 9),
                    ]
                    if n in by_name
                },
            ),
            actor=staff,
        )
    # After the last roundtable, well before the vote.
    opens = (ctx.now - timedelta(days=30)).date()
    with clock(ctx.now - timedelta(days=19)):
        save_poll(
            race,
            PollInput(
                title="Member electronic poll",
                method=PollMethod.electronic,
                opens_on=opens,
                closes_on=opens + timedelta(days=10),
                sample_size=4816,
                overseen_by="Civic Ballot Services (independent), overseen by the Trustees",
                result_kind=PollResultKind.percentages,
                notes="Every member with an e-mail on file was invited; one response per member number.",
                results={
                    by_name[n].id: Decimal(v)
                    for n, v in [
                        ("Eleanor Whitcombe", "34.2"),
                        ("Marcus Delgado", "38.9"),
                        ("Ruth Abernathy", "9.6"),
                        ("Franklin Osei", "6.1"),
                        ("Harriet Lindgren", "3.4"),
                    ]
                    if n in by_name
                },
            ),
            actor=staff,
        )


def load(ctx: DemoContext) -> None:
    # The governor race hides colleagues' notes until one submits one's own (try it on today's interview).
    ctx.races[GOVERNOR].hide_notes_until_submitted = True
    _question_lists(ctx)
    _record(ctx, ctx.races[PRESIDENTIAL], NOTES)
    _record(ctx, ctx.races[STATE_SENATE], SENATE_NOTES)
    _polls(ctx)
