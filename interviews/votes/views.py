"""Pages of the votes feature: the race's rule, the vote's lifecycle, ballots, results, publication."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice  # type: ignore[attr-defined]  # types-WTForms 3.2 predates it

from interviews.access import PUBLIC, SIGNED_IN, allow, signed_in_user
from interviews.auth.models import User
from interviews.extensions import db
from interviews.forms import ConfirmForm
from interviews.races.models import Race
from interviews.races.stages import facts_of
from interviews.races.views import get_race_or_404
from interviews.sections import render_part, section
from interviews.votes import ballots, services
from interviews.votes.chain import chain_head
from interviews.votes.chart import chart_of
from interviews.votes.forms import (
    ABSTAIN,
    BallotForm,
    PaperBallotForm,
    PrepareForm,
    PresenceForm,
    PublishForm,
    RuleForm,
    choice_list,
)
from interviews.votes.models import Ballot, Vote, VoteStatus
from interviews.votes.rules import describe, rule_of_race, rule_of_vote

bp = Blueprint("votes", __name__)


def get_vote_or_404(vote_id: int) -> Vote:
    return db.get_or_404(Vote, vote_id)


def _is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.is_staff)


def _has_decision_path(race: Race) -> bool:
    """Whether the race decides in stages (interviews.decisions): then its votes are prepared stage by stage.

    Read by table, not by model: the decisions feature builds on this one, not the other way round.
    """
    stages = db.metadata.tables["decision_stages"]
    return db.session.scalar(select(stages.c.id).where(stages.c.race_id == race.id).limit(1)) is not None


# --- the race's rule -----------------------------------------------------------------------------


@bp.route("/races/<int:race_id>/rule", methods=["GET", "POST"])
@allow("staff", "admin")
def rule_edit(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    form = RuleForm()
    if not form.is_submitted():
        form.comparison.data = "at_least" if race.threshold_inclusive else "more_than"
        form.threshold_numerator.data = race.threshold_numerator
        form.threshold_denominator.data = race.threshold_denominator
        form.vote_base.data = race.vote_base.value
        form.weighted.data = race.weighted
        form.quorum_kind.data = race.quorum_kind.value
        form.quorum_numerator.data = race.quorum_numerator
        form.quorum_denominator.data = race.quorum_denominator
        form.secret_ballot.data = race.secret_ballot
    if form.validate_on_submit() and (entered := form.rule()) is not None:
        rule, spelled = entered
        services.update_race_rule(race, rule, actor=signed_in_user(), spelled=spelled)
        db.session.commit()
        flash(f"The voting rule is now: {describe(rule)}.", "success")
        return redirect(url_for("votes.race_votes", race_id=race.id))
    return render_template("votes/rule_edit.html", race=race, form=form, rule_words=describe(rule_of_race(race))), (
        400 if form.errors else 200
    )


# --- the votes of a race ---------------------------------------------------------------------


@bp.get("/races/<int:race_id>/votes")
@allow(SIGNED_IN)
def race_votes(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    return render_template("votes/race_votes.html", race=race, part=race_section(race, current_user))


@bp.route("/races/<int:race_id>/votes/new", methods=["GET", "POST"])
@allow("staff", "admin")
def new(race_id: int) -> ResponseReturnValue:
    race = get_race_or_404(race_id)
    if _has_decision_path(race):
        flash("This race decides in stages: prepare the vote of the stage where it stands.", "info")
        return redirect(url_for("decisions.path", race_id=race.id))
    form = PrepareForm()
    if form.validate_on_submit() and form.held_on.data is not None:
        vote = services.prepare_vote(
            race, held_on=form.held_on.data, motion=form.motion.data or "", actor=signed_in_user()
        )
        db.session.commit()
        flash("The vote is prepared. Open it when the meeting starts.", "success")
        return redirect(url_for("votes.show", vote_id=vote.id))
    return render_template("votes/prepare.html", race=race, form=form, vote=None), 400 if form.errors else 200


@bp.route("/votes/<int:vote_id>/edit", methods=["GET", "POST"])
@allow("staff", "admin")
def edit(vote_id: int) -> ResponseReturnValue:
    vote = get_vote_or_404(vote_id)
    form = PrepareForm(obj=vote)
    if form.validate_on_submit() and form.held_on.data is not None:
        try:
            services.update_draft(
                vote, held_on=form.held_on.data, motion=form.motion.data or "", actor=signed_in_user()
            )
        except services.VoteError as error:
            flash(str(error), "error")
            return redirect(url_for("votes.show", vote_id=vote.id))
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("votes.show", vote_id=vote.id))
    return render_template("votes/prepare.html", race=vote.race, form=form, vote=vote), 400 if form.errors else 200


# --- one vote --------------------------------------------------------------------------------


def _ballot_form(vote: Vote) -> BallotForm:
    form = BallotForm()
    form.choice.choices = choice_list(vote)
    return form


@bp.get("/votes/<int:vote_id>")
@allow(SIGNED_IN)
def show(vote_id: int) -> ResponseReturnValue:
    vote = get_vote_or_404(vote_id)
    entry = vote.roll_entry_for(current_user)
    own_ballot = None
    if entry is not None and not vote.secret:
        own_ballot = db.session.scalars(
            select(Ballot).where(Ballot.vote_id == vote.id, Ballot.member_id == current_user.id)
        ).one_or_none()
    form = _ballot_form(vote)
    if own_ballot is not None:
        form.choice.data = str(own_ballot.option_id) if own_ballot.option_id else ABSTAIN
    result = services.shown_result(vote) if vote.status in (VoteStatus.closed, VoteStatus.final) else None
    named_ballots = {}
    if not vote.secret and result is not None:
        named_ballots = {b.member_id: b for b in vote.ballots}
    return render_template(
        "votes/show.html",
        vote=vote,
        rule_words=describe(rule_of_vote(vote)) if vote.status is not VoteStatus.draft else None,
        race_rule_words=describe(rule_of_race(vote.race)),
        entry=entry,
        own_ballot=own_ballot,
        form=form,
        result=result,
        chart=chart_of(result) if result else None,
        named_ballots=named_ballots,
        head=chain_head() if vote.digest else None,
        confirm=ConfirmForm(),
        publish_form=PublishForm(),
        is_staff=_is_staff(),
    )


def _run(vote: Vote, action: Callable[..., object], success: str) -> ResponseReturnValue:
    """Run a state change from a button: refused ones flash their reason; none is a 500."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(vote, actor=signed_in_user())
    except services.VoteError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("votes.show", vote_id=vote.id))


@bp.post("/votes/<int:vote_id>/open")
@allow("staff", "admin")
def open_vote(vote_id: int) -> ResponseReturnValue:
    vote = get_vote_or_404(vote_id)
    return _run(vote, services.open_vote, "The vote is open: the roll, the weights and the rule are frozen.")


@bp.post("/votes/<int:vote_id>/close")
@allow("staff", "admin")
def close(vote_id: int) -> ResponseReturnValue:
    vote = get_vote_or_404(vote_id)
    return _run(vote, services.close_vote, "The vote is closed: no more ballots are accepted.")


@bp.post("/votes/<int:vote_id>/finalise")
@allow("staff", "admin")
def finalise(vote_id: int) -> ResponseReturnValue:
    vote = get_vote_or_404(vote_id)
    return _run(vote, services.finalise_vote, "The vote is final. Its record and digest can no longer change.")


@bp.post("/votes/<int:vote_id>/ballot")
@allow(SIGNED_IN)
def cast(vote_id: int) -> ResponseReturnValue:
    vote = get_vote_or_404(vote_id)
    if vote.roll_entry_for(current_user) is None:
        abort(403)
    form = _ballot_form(vote)
    if form.validate_on_submit():
        try:
            member = signed_in_user()
            receipt = ballots.cast_ballot(vote, member, form.option_id(), actor=member)
        except services.VoteError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(receipt.message, "success")
    else:
        flash(" ".join(form.choice.errors) or "Choose an option, or abstain.", "error")
    return redirect(url_for("votes.show", vote_id=vote.id))


@bp.route("/votes/<int:vote_id>/presence", methods=["GET", "POST"])
@allow("staff", "admin")
def presence(vote_id: int) -> ResponseReturnValue:
    vote = get_vote_or_404(vote_id)
    form = PresenceForm()
    form.present.choices = [SelectChoice(str(e.id), f"{e.name} (weight {e.weight:,})") for e in vote.roll]
    if not form.is_submitted():
        form.present.data = [e.id for e in vote.roll if e.present]
    if form.validate_on_submit():
        try:
            services.set_presence(vote, set(form.present.data or []), actor=signed_in_user())
        except services.VoteError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Presence saved.", "success")
        return redirect(url_for("votes.show", vote_id=vote.id))
    return render_template("votes/presence.html", vote=vote, form=form), 400 if form.errors else 200


@bp.route("/votes/<int:vote_id>/paper", methods=["GET", "POST"])
@allow("staff", "admin")
def paper(vote_id: int) -> ResponseReturnValue:
    vote = get_vote_or_404(vote_id)
    form = PaperBallotForm()
    # An account's ballot is chosen by its user id; a seat without an account by its roll entry.
    seats = {(str(e.user_id) if e.user_id is not None else f"seat-{e.id}"): e for e in vote.roll}
    form.member.choices = [
        SelectChoice(key, e.name + (" (has voted)" if e.has_voted else "")) for key, e in seats.items()
    ]
    form.choice.choices = choice_list(vote)
    if form.validate_on_submit():
        entry = seats.get(str(form.member.data))
        if entry is None:
            form.member.errors = [*form.member.errors, "Choose a member on the roll."]
        else:
            try:
                if entry.user is not None:
                    receipt = ballots.cast_ballot(
                        vote, entry.user, form.option_id(), actor=signed_in_user(), paper=True
                    )
                else:
                    receipt = ballots.record_seat_ballot(vote, entry.id, form.option_id(), actor=signed_in_user())
            except services.VoteError as error:
                db.session.rollback()
                form.member.errors = [*form.member.errors, str(error)]
            else:
                db.session.commit()
                flash(f"{entry.name}: {receipt.message}", "success")
                return redirect(url_for("votes.paper", vote_id=vote.id))
    return render_template("votes/paper.html", vote=vote, form=form), 400 if form.errors else 200


@bp.post("/votes/<int:vote_id>/publish")
@allow("staff", "admin")
def publish(vote_id: int) -> ResponseReturnValue:
    vote = get_vote_or_404(vote_id)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            services.publish_vote(vote, form.statement.data or "", actor=signed_in_user())
        except services.VoteError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("The result is published.", "success")
    else:
        flash(" ".join(form.statement.errors) or "The statement could not be saved.", "error")
    return redirect(url_for("votes.show", vote_id=vote.id))


@bp.get("/votes/<int:vote_id>/record.json")
@allow(SIGNED_IN)
def record_json(vote_id: int) -> ResponseReturnValue:
    vote = get_vote_or_404(vote_id)
    if not vote.record_json:
        abort(404)
    return Response(
        vote.record_json,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="vote-{vote.id}-record.json"'},
    )


@bp.get("/results/<int:vote_id>")
@allow(PUBLIC)
def public(vote_id: int) -> ResponseReturnValue:
    vote = db.session.get(Vote, vote_id)
    # Unpublished results do not exist for the public, not even as a refusal.
    if vote is None or vote.status is not VoteStatus.final or vote.publication is None:
        abort(404)
    result = services.shown_result(vote)
    return render_template(
        "votes/public.html",
        vote=vote,
        publication=vote.publication,
        result=result,
        chart=chart_of(result),
        rule_words=describe(result.rule),
        head=chain_head(),
    )


# --- parts of other pages --------------------------------------------------------------------


@section("race", order=80)
def race_section(race: Race, viewer: object) -> str | None:
    if race is None or not isinstance(viewer, User):
        return None
    return render_part(
        "votes/_race_section.html",
        race=race,
        rule_words=describe(rule_of_race(race)),
        votes=services.vote_rows_of_race(race),
        is_staff=viewer.is_staff,
        has_path=facts_of(race).has_path,
    )


@section("record_book", order=90)
def record_book_section(book: Any, viewer: object) -> str | None:
    """The record book hands over the book it loaded (its race and votes); a race alone works too."""
    race = getattr(book, "race", book)
    if not isinstance(race, Race) or not isinstance(viewer, User):
        return None
    votes = getattr(book, "votes", None)
    if votes is None:
        votes = services.votes_of_race(race)
    shown = [v for v in votes if v.status in (VoteStatus.closed, VoteStatus.final)]
    if not shown:
        return None
    results = [(v, services.shown_result(v)) for v in shown]
    return render_part(
        "votes/_record_book_section.html",
        race=race,
        entries=[(v, r, chart_of(r), describe(r.rule)) for v, r in results],
        # The book read the chain's head already; a race alone asks for it.
        head=getattr(book, "chain_head", None) or (chain_head() if any(v.digest for v in shown) else None),
    )


@section("dashboard", order=20)
def dashboard_section(_obj: object, viewer: object) -> str | None:
    if not isinstance(viewer, User):
        return None
    votes = services.votes_awaiting(viewer)
    if not votes:
        return None
    return render_part("votes/_dashboard_section.html", votes=votes)
