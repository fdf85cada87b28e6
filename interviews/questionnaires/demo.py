"""Demo: every race's questionnaire and the commitments the Council sought, answered when the story says.

- Presidential (decided): written before the letter went out and required before booking, as the AFL-CIO
  required its questionnaire for its forum. Whitcombe, Delgado and Abernathy returned it before booking;
  Delgado amended it after the deadline (marked late); Osei (declined) and Lindgren never did. The
  commitments matrix shows why the board endorsed nobody: no candidate secured both non-interference
  in organising and the right to strike.
- Governor (live): Kessler has submitted; Reyes and Hale have drafts in progress; Pike and Qureshi
  have not started.
- State Senate (deliberating): required before booking; both candidates answered, then booked.

Runs after invitations (the campaigns' copies are given at the time each invitation went out) and
notes, before votes (whose final vote then locks the presidential commitments). Every step runs under
`clock(...)`, so what is stored is what the app stored then.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from interviews.auth.models import User
from interviews.demo import DemoContext, clock
from interviews.extensions import db
from interviews.invitations.models import Invitation
from interviews.questionnaires import campaign, commitments, issuing, services
from interviews.questionnaires.models import Commitment, PositionSource, QuestionKind, QuestionnaireVersion, Stance
from interviews.questionnaires.services import QuestionInput, QuestionnaireInput
from interviews.races.models import Race

PRESIDENTIAL = "2028 Presidential endorsement"
GOVERNOR = "2027 Governor"
STATE_SENATE = "State Senate District 12"
ZONE = "America/New_York"

YN, LONG, NUM, ONE, MANY = (
    QuestionKind.yes_no,
    QuestionKind.long_text,
    QuestionKind.number,
    QuestionKind.single_choice,
    QuestionKind.multiple_choice,
)
PLA = ("Yes, on every project", "Yes, above a threshold", "No")
PENSIONS = ("Social Security", "Multi-employer pensions", "Public-sector pensions")

# (section, kind, question, required, choices, lowest, highest)
PRESIDENTIAL_QUESTIONS: list[tuple[Any, ...]] = [
    ("Organising", YN, "Will you support card check and first-contract arbitration?", True, (), None, None),
    ("Organising", YN, "Will you defend the right to strike, public-sector workers included?", True, (), None, None),
    ("Organising", LONG, "What would you do about employers who break labour law?", False, (), None, None),
    (
        "Wages and retirement",
        NUM,
        "What federal minimum wage (dollars an hour) will you fight for in your first term?",
        True,
        (),
        "7.25",
        "50",
    ),
    (
        "Wages and retirement",
        MANY,
        "Which retirement systems will you defend against cuts?",
        False,
        PENSIONS,
        None,
        None,
    ),
    (
        "Infrastructure",
        ONE,
        "Will federal infrastructure money require project labour agreements?",
        True,
        PLA,
        None,
        None,
    ),
]
GOVERNOR_QUESTIONS: list[tuple[Any, ...]] = [
    ("State budget", YN, "Will you close the budget gap without cutting public-sector jobs?", True, (), None, None),
    ("State budget", LONG, "How would you fund transit operations, not only capital projects?", False, (), None, None),
    ("Labour law", YN, "Will you sign a bill giving public employees the right to strike?", True, (), None, None),
    ("Labour law", NUM, "How many labour inspectors would your first budget add?", False, (), "0", "500"),
]
SENATE_QUESTIONS: list[tuple[Any, ...]] = [
    ("Labour law", YN, "Will you sign a public-sector right-to-strike bill?", True, (), None, None),
    ("Transit", YN, "Will you fund transit operations, not only capital projects?", True, (), None, None),
    ("Budget", LONG, "How will you close the budget gap without cutting public-sector jobs?", False, (), None, None),
]

# Answers by question number: a value (a list for several choices), or (value, explanation).
WHITCOMBE = {
    1: ("yes", "I voted for the PRO Act twice and will sign it in my first hundred days."),
    2: ("depends", "Yes for public-sector workers, with limits for essential services such as nurses and transit."),
    3: "Debarment from federal contracts for repeat violators, and penalties per worker harmed.",
    4: "17",
    5: ["Social Security"],
    6: "Yes, above a threshold",
}
DELGADO = {
    1: ("depends", "Card check, yes. First-contract arbitration should stay voluntary."),
    2: ("depends", "Public-sector strikes, yes. Sympathy strikes are a harder question."),
    3: "Triple back pay and a National Labor Relations Board that can fine.",
    4: "20",
    5: list(PENSIONS),
    6: "Yes, on every project",
}
DELGADO_LATE = {2: ("yes", "After our conversation: I would not sign any ban on sympathy strikes.")}
ABERNATHY = {
    1: ("yes", "Without reservation."),
    2: ("no", "Not for transit workers or nurses: public safety comes first."),
    4: "15",
    5: ["Social Security", "Public-sector pensions"],
    6: "Yes, on every project",
}
KESSLER = {
    1: ("yes", "My budget closes the gap with the surplus fund and new revenue, not layoffs."),
    2: "A dedicated share of the gas tax for operations.",
    3: ("depends", "Yes, with mediation first for health care and public safety workers."),
    4: "60",
}
REYES_DRAFT = {1: ("yes", "")}
HALE_DRAFT = {2: "We are still working this out with our policy team"}
MORENO = {
    1: ("yes", "I co-sponsored last year's bill."),
    2: ("yes", "From the surplus, not from fares."),
    3: "Close the corporate loopholes first.",
}
WARD = {
    1: ("no", "I would support binding arbitration instead."),
    2: ("depends", "Operations money once the capital plan is funded."),
    3: "A hiring freeze, with no layoffs.",
}


def _inputs(rows: list[tuple[Any, ...]]) -> list[QuestionInput]:
    return [
        QuestionInput(
            section=section,
            kind=kind,
            text=text,
            required=required,
            choices=tuple(choices),
            min_value=Decimal(low) if low else None,
            max_value=Decimal(high) if high else None,
        )
        for section, kind, text, required, choices, low, high in rows
    ]


def _write(race: Race, rows: list[tuple[Any, ...]], *, actor: User, **settings: Any) -> QuestionnaireVersion:
    letter = race.letter
    assert letter is not None
    saved = services.save_questionnaire(
        race,
        QuestionnaireInput(
            title=f"Candidate questionnaire: {race.office}",
            intro="The Council asks every candidate the same questions, in writing, before the interview. "
            "Your answers go to the Executive Board with the interview notes; members may read them.",
            respond_by=letter.respond_by,
            timezone=ZONE,
            questions=_inputs(rows),
        ),
        base=(0, 0),
        actor=actor,
    )
    services.save_settings(saved.version.questionnaire, actor=actor, **settings)
    return saved.version


def _give(race: Race, actor: User) -> None:
    """Each campaign's copy, given when its invitation went out (the invitation carries it)."""
    assert race.letter is not None
    for invitation in race.letter.invitations:
        with clock(invitation.sent_at):
            issuing.issue(invitation, actor=actor, notify=False)


def _raw(version: QuestionnaireVersion, answers: dict[int, Any]) -> dict[str, dict[str, Any]]:
    raw: dict[str, dict[str, Any]] = {}
    for question in version.questions:
        answer = answers.get(question.position)
        value, explanation = answer if isinstance(answer, tuple) else (answer, "")
        raw[question.key] = {"value": value if value is not None else ([] if question.kind is MANY else "")}
        if question.kind is YN:
            raw[question.key]["explanation"] = explanation
    return raw


def _answer(invitation: Invitation, answers: dict[int, Any], at: datetime, *, send: bool = True) -> None:
    response = services.response_of(invitation)
    assert response is not None
    with clock(at - timedelta(minutes=25)):
        campaign.save_draft(response, _raw(response.version, answers), base_revision=response.revision)
    if send:
        with clock(at):
            campaign.submit(response, base_revision=response.revision)


def _by_name(race: Race) -> dict[str, Invitation]:
    assert race.letter is not None
    return {i.candidate.name: i for i in race.letter.invitations}


def _sought(race: Race, version: QuestionnaireVersion, items: list[tuple[str, int]], actor: User) -> list[Commitment]:
    questions = {q.position: q.id for q in version.questions}
    return [
        commitments.add_commitment(race, text=text, question_id=questions[number], actor=actor)
        for text, number in items
    ]


Position = tuple[
    str, int, Stance, PositionSource, date, str, str
]  # candidate, commitment, stance, source, day, link, quote


def _positions(race: Race, sought: list[Commitment], rows: list[Position], actor: User, at: datetime) -> None:
    candidates = {c.name: c for c in race.candidates}
    for n, (name, number, stance, source, day, link, quote) in enumerate(rows):
        with clock(at + timedelta(minutes=3 * n)):
            commitments.record_position(
                sought[number - 1],
                candidates[name],
                commitments.PositionInput(stance, source, day, source_url=link, quote=quote),
                actor=actor,
            )


def _presidential(ctx: DemoContext) -> None:
    race = ctx.races[PRESIDENTIAL]
    assert race.letter is not None
    sent = race.letter.invitations[0].sent_at
    with clock(sent - timedelta(days=2)):
        version = _write(
            race,
            PRESIDENTIAL_QUESTIONS,
            actor=ctx.staff[0],
            required_before_booking=True,
            accept_late=True,
            reminder_days=3,
        )
    _give(race, ctx.staff[0])
    invitations = _by_name(race)
    # Each returned it before booking (the rule); Delgado changed an answer after the deadline.
    _answer(invitations["Eleanor Whitcombe"], WHITCOMBE, sent + timedelta(hours=20, minutes=30))
    _answer(invitations["Marcus Delgado"], DELGADO, sent + timedelta(days=3, hours=20))
    _answer(invitations["Ruth Abernathy"], ABERNATHY, sent + timedelta(days=5, minutes=40))
    late = version.respond_by + timedelta(days=6, hours=2)
    _answer(invitations["Marcus Delgado"], DELGADO | DELGADO_LATE, late)

    with clock(sent - timedelta(days=2)):
        sought = _sought(
            race,
            version,
            [
                ("Non-interference in organising: card check and first-contract arbitration", 1),
                ("The right to strike, public-sector workers included", 2),
                ("A federal minimum wage of at least $20 an hour", 4),
                ("Project labour agreements on federal infrastructure", 6),
            ],
            ctx.staff[0],
        )
    deadline = version.respond_by.date()
    w, d, a = (
        (sent + timedelta(hours=20, minutes=30)).date(),
        (sent + timedelta(days=3, hours=20)).date(),
        (sent + timedelta(days=5, minutes=40)).date(),
    )
    roundtables = sorted(i.starts_at for i in race.interviews)
    heard = (roundtables[-1] if roundtables else sent).date()
    staff, panel = ctx.staff[1], race.panel[0]
    # Short names, so that each table below reads as one line per position.
    Q, IV, P = PositionSource.questionnaire, PositionSource.interview, PositionSource.public_statement
    S, H, R, N = Stance.secured, Stance.partly, Stance.refused, Stance.no_answer
    _positions(
        race,
        sought,
        [
            ("Eleanor Whitcombe", 1, S, Q, w, "", "I voted for the PRO Act twice and will sign it."),
            ("Eleanor Whitcombe", 3, H, Q, w, "", "$17 an hour."),
            ("Eleanor Whitcombe", 4, H, Q, w, "", "Above a threshold."),
            ("Marcus Delgado", 1, H, Q, d, "", "First-contract arbitration should stay voluntary."),
            ("Marcus Delgado", 3, S, Q, d, "", "$20 an hour."),
            ("Marcus Delgado", 4, S, Q, d, "", "On every project."),
            ("Ruth Abernathy", 1, S, Q, a, "", "Without reservation."),
            ("Ruth Abernathy", 3, H, Q, a, "", "$15 an hour."),
            ("Ruth Abernathy", 4, S, Q, a, "", "On every project."),
        ],
        staff,
        sent + timedelta(days=7),
    )
    _positions(
        race,
        sought,
        [
            ("Franklin Osei", 1, N, Q, deadline, "", "Declined the invitation; the questionnaire was not returned."),
            ("Franklin Osei", 2, N, Q, deadline, "", "Declined the invitation; the questionnaire was not returned."),
            ("Harriet Lindgren", 1, N, Q, deadline, "", "No reply to the invitation or the questionnaire."),
            (
                "Harriet Lindgren",
                2,
                R,
                P,
                deadline - timedelta(days=20),
                "https://news.example.org/2028/lindgren-transit-strike",
                "“Nobody has a right to shut down the trains.”",
            ),
        ],
        staff,
        version.respond_by + timedelta(days=1),
    )
    _positions(
        race,
        sought,
        [
            ("Eleanor Whitcombe", 2, H, IV, heard, "", "Public-sector strikes yes; not for nurses or transit."),
            ("Marcus Delgado", 2, H, IV, heard, "", "Yes for public-sector workers; hedged on sympathy strikes."),
            ("Ruth Abernathy", 2, R, IV, heard, "", "Opposes the right to strike for transit and nurses."),
        ],
        panel,
        datetime.combine(heard, datetime.min.time(), tzinfo=sent.tzinfo) + timedelta(days=1, hours=15),
    )
    # His late amendment, recorded when it came in: still after the deadline, and the record says so.
    _positions(
        race,
        sought,
        [
            (
                "Marcus Delgado",
                2,
                S,
                Q,
                late.date(),
                "",
                "Late amendment: “I would not sign any ban on sympathy strikes.”",
            )
        ],
        staff,
        late + timedelta(hours=20),
    )


def _governor(ctx: DemoContext) -> None:
    race = ctx.races[GOVERNOR]
    assert race.letter is not None
    sent = race.letter.invitations[0].sent_at
    with clock(sent - timedelta(hours=2)):
        version = _write(
            race,
            GOVERNOR_QUESTIONS,
            actor=ctx.staff[0],
            required_before_booking=False,
            accept_late=False,
            reminder_days=3,
        )
        sought = _sought(
            race, version, [("A public-employee right-to-strike bill signed in the first year", 3)], ctx.staff[0]
        )
    _give(race, ctx.staff[1])
    invitations = _by_name(race)
    _answer(invitations["Diane Kessler"], KESSLER, ctx.now - timedelta(days=3, hours=5))
    _answer(invitations["Thomas Reyes"], REYES_DRAFT, ctx.now - timedelta(days=2), send=False)
    _answer(invitations["Gregory Hale"], HALE_DRAFT, ctx.now - timedelta(hours=20), send=False)
    _positions(
        race,
        sought,
        [
            (
                "Diane Kessler",
                1,
                Stance.partly,
                PositionSource.questionnaire,
                (ctx.now - timedelta(days=3)).date(),
                "",
                "Yes, with mediation first for health care and public safety workers.",
            )
        ],
        ctx.staff[1],
        ctx.now - timedelta(days=2, hours=20),
    )


def _state_senate(ctx: DemoContext) -> None:
    race = ctx.races[STATE_SENATE]
    assert race.letter is not None
    sent = race.letter.invitations[0].sent_at
    with clock(sent - timedelta(hours=3)):
        version = _write(
            race, SENATE_QUESTIONS, actor=ctx.staff[0], required_before_booking=True, accept_late=False, reminder_days=3
        )
        sought = _sought(
            race,
            version,
            [("A public-sector right-to-strike bill", 1), ("Transit operations funding", 2)],
            ctx.staff[0],
        )
    _give(race, ctx.staff[0])
    invitations = _by_name(race)
    # Both answered, then booked (the booking times are in the invitations demo).
    _answer(invitations["Alicia Moreno"], MORENO, sent + timedelta(hours=2))
    _answer(invitations["Kenneth Ward"], WARD, sent + timedelta(days=4, hours=1))
    asked = (sent + timedelta(days=4)).date()
    _positions(
        race,
        sought,
        [
            (
                "Alicia Moreno",
                1,
                Stance.secured,
                PositionSource.questionnaire,
                asked,
                "",
                "I co-sponsored last year's bill.",
            ),
            (
                "Alicia Moreno",
                2,
                Stance.secured,
                PositionSource.questionnaire,
                asked,
                "",
                "From the surplus, not fares.",
            ),
            (
                "Kenneth Ward",
                1,
                Stance.refused,
                PositionSource.questionnaire,
                asked,
                "",
                "Binding arbitration instead.",
            ),
            (
                "Kenneth Ward",
                2,
                Stance.partly,
                PositionSource.questionnaire,
                asked,
                "",
                "Once the capital plan is funded.",
            ),
        ],
        ctx.staff[1],
        sent + timedelta(days=12),
    )


def load(ctx: DemoContext) -> None:
    _presidential(ctx)
    _governor(ctx)
    _state_senate(ctx)
    db.session.flush()
