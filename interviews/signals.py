"""Events one feature publishes and others subscribe to, so features never call each other in circles.

Modelled on Indico's `signals.event.notes.note_added`: the publisher sends after its change is
flushed, in the same transaction; subscribers change their own records (and may raise an error,
which rolls back the whole change). Every signal carries `actor=`, who made the change.

Subscribers are connected when their module is imported; `create_app` imports them all.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

interview_booked = _signals.signal(
    "interview-booked",
    doc="""A new interview was scheduled (by staff, or by a campaign taking a slot).

    sender: the Interview; kwargs: actor.
    """,
)
interview_moved = _signals.signal(
    "interview-moved",
    doc="""An interview's time or place changed.

    sender: the Interview (already at its new time); kwargs: actor, changes ({field: [old, new]}).
    """,
)
interview_cancelled = _signals.signal(
    "interview-cancelled",
    doc="""An interview was cancelled; `Interview.cancelled_by` says by whom (staff, campaign, system).

    sender: the Interview; kwargs: actor, reason, slot (the Slot it was booked in and that is now free, or None).
    """,
)
panel_changed = _signals.signal(
    "interview-panel-changed",
    doc="""Leaders were added to or taken off an interview's panel.

    sender: the Interview; kwargs: actor, added (users), removed (users).
    """,
)
candidate_withdrawn = _signals.signal(
    "candidate-withdrawn",
    doc="""A candidate left the race: their interviews are cancelled and their link revoked by subscribers.

    sender: the Candidate; kwargs: actor, reason.
    """,
)
invitation_sent = _signals.signal(
    "invitation-sent",
    doc="""An invitation went to a campaign: first sent, or sent again with a new link.

    sender: the Invitation; kwargs: actor, resend (True for a new link to one already invited).
    """,
)
campaign_tasks = _signals.signal(
    "campaign-tasks",
    doc="""What a feature asks of a campaign on its invitation page (a questionnaire to answer).

    sender: the Invitation, or on the page of an invitation not booked yet its plain-row copy
    (interviews.invitations.reading.InvitationRow: id, letter_id, candidate_id, status, letter,
    candidate, under the model's names); return: an interviews.invitations.contributions.CampaignTask,
    or None.
    Booking refuses a slot while a returned task blocks booking. Subscribers only read.
    """,
)
ledger_columns = _signals.signal(
    "ledger-columns",
    doc="""A feature's column in a race's invitation ledger.

    sender: the Race; kwargs: candidate_ids (the candidates on the page); return: a LedgerColumn or None,
    built in a fixed number of queries whatever the number of candidates. Subscribers only read.
    """,
)
tick = _signals.signal(
    "tick",
    doc="""The periodic `flask tick` is running: do the feature's due periodic work (reminders, deadlines).

    sender: None; kwargs: now. Each subscriber commits each piece of work on its own and returns the
    report's lines (a list of str). Safe with several tick processes at once (claim before acting).
    """,
)
time_proposed = _signals.signal(
    "interview-time-proposed",
    doc="""Someone invited to an interview proposed another time from their calendar (an iTIP COUNTER).

    sender: the Interview; kwargs: actor, email (the address that proposed), starts_at and ends_at
    (aware UTC), comment, by_contact (True for the campaign's contact, False for a panel member).
    """,
)
vote_opening = _signals.signal(
    "vote-opening",
    doc="""A vote is opening (still a draft, locked): the feature that owns its stage freezes what it adds.

    sender: the Vote; kwargs: actor. return: the roll, a list of interviews.votes.services.RollMember,
    after copying the stage's rule and names onto the vote; or None for a vote that is not its own.
    A subscriber refuses with interviews.votes.services.VoteError (the vote stays a draft).
    """,
)
vote_finalised = _signals.signal(
    "vote-finalised",
    doc="""A vote's final record joined the chain.

    sender: the Vote (final, with its verdict if it is a stage); kwargs: actor. Subscribers only add.
    """,
)
