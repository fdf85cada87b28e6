"""Demo: question lists, past presidential roundtables with notes of every visibility (and revisions),
and two member polls with different results: a town-hall straw poll and an independent electronic poll.

Runs after scheduling and invitations, before votes (whose final presidential vote then locks these notes).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from interviews.demo import DemoContext
from interviews.extensions import db
from interviews.notes import services
from interviews.notes.models import PollMethod, PollResultKind, Visibility
from interviews.notes.polls import PollInput, save_poll
from interviews.notes.services import QuestionInput
from interviews.scheduling.models import Interview, InterviewStatus, LocationKind, PanelSeat

PRESIDENTIAL = "2028 Presidential endorsement"
GOVERNOR = "2026 Governor"

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

# (candidate, weeks ago, question list version) for roundtables held before this letter went out.
ROUNDTABLES = [("Eleanor Whitcombe", 7, 1), ("Marcus Delgado", 5, 2), ("Ruth Abernathy", 4, 2)]

# (author index in the panel, question position or None, visibility, body, later revision or None)
NOTES = {
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


def _question_lists(ctx: DemoContext) -> None:
    editor = ctx.staff[0]
    president = ctx.races[PRESIDENTIAL]
    services.save_question_list(president, [QuestionInput(t, q) for t, q in FIRST_LIST], editor)
    db.session.flush()
    services.save_question_list(president, [QuestionInput(t, q) for t, q in SECOND_LIST], editor)
    for title, race in ctx.races.items():
        if title != PRESIDENTIAL:
            services.save_question_list(race, [QuestionInput(t, q) for t, q in STATE_LIST], editor)
    db.session.flush()


def _roundtables(ctx: DemoContext) -> None:
    race = ctx.races[PRESIDENTIAL]
    versions = {ql.version: ql for ql in services.question_lists(race)}
    by_name = {c.name: c for c in race.candidates}
    room = next(loc for loc in ctx.locations if loc.kind is LocationKind.room)
    panel = list(race.panel)[:5]
    for name, weeks, version in ROUNDTABLES:
        starts = (ctx.now - timedelta(weeks=weeks)).replace(hour=15, minute=0, second=0, microsecond=0)
        # Past roundtables are recorded directly: booking (and its invitations) is for the future.
        interview = Interview(
            race=race,
            candidate=by_name[name],
            starts_at=starts,
            ends_at=starts + timedelta(minutes=60),
            timezone="America/New_York",
            location=room,
            organiser=ctx.staff[0],
            status=InterviewStatus.completed,
            question_list=versions[version],
        )
        interview.panel_seats = [PanelSeat(user=u) for u in panel]
        db.session.add(interview)
        db.session.flush()
        questions = {q.position: q for q in versions[version].questions}
        for author_index, position, visibility, body, revised in NOTES[name]:
            author = panel[author_index]
            question = questions.get(position) if position else None
            note = services.save_note(interview, author, question, body=body, visibility=visibility, base_version=0)
            db.session.flush()
            if revised:
                services.save_note(
                    interview, author, question, body=revised, visibility=visibility, base_version=note.version
                )
                db.session.flush()
        for author in {panel[a] for a, *_ in NOTES[name]}:
            services.submit_notes(interview, author)
        db.session.flush()


def _polls(ctx: DemoContext) -> None:
    race = ctx.races[PRESIDENTIAL]
    by_name = {c.name: c for c in race.candidates}
    staff = ctx.staff[0]
    straw_day = (ctx.now - timedelta(weeks=6)).date()
    save_poll(
        race,
        PollInput(
            title="Spring town hall straw poll",
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
        staff,
    )
    opens = (ctx.now - timedelta(weeks=3)).date()
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
        staff,
    )


def load(ctx: DemoContext) -> None:
    # The governor race hides colleagues' notes until one submits one's own (try it on today's interview).
    ctx.races[GOVERNOR].hide_notes_until_submitted = True
    _question_lists(ctx)
    _roundtables(ctx)
    _polls(ctx)
