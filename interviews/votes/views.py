"""Pages of the votes feature: the race's rule, the vote's lifecycle, ballots, results, publication."""

from __future__ import annotations

from fractions import Fraction

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from interviews.access import PUBLIC, SIGNED_IN, allow
from interviews.extensions import db
from interviews.forms import ConfirmForm
from interviews.races.models import QuorumKind, Race, VoteBase
from interviews.races.views import get_race_or_404
from interviews.sections import section
from interviews.votes import ballots, services
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
from interviews.votes.rules import PRESETS, Rule, apply_preset, describe, rule_of_race, rule_of_vote

bp = Blueprint("votes", __name__)


def get_vote_or_404(vote_id: int) -> Vote:
    return db.get_or_404(Vote, vote_id)


def _is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.is_staff)


def _choice_id(value: str | None) -> int | None:
    return None if value in (None, "", ABSTAIN) else int(value)  # type: ignore[arg-type]


# --- the race's rule -----------------------------------------------------------------------------


@bp.route("/races/<int:race_id>/rule", methods=["GET", "POST"])
@allow("staff", "admin")
def rule_edit(race_id: int):  # type: ignore[no-untyped-def]
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
    if form.validate_on_submit():
        kind = QuorumKind(form.quorum_kind.data)
        q_num, q_den = form.quorum_numerator.data or 0, form.quorum_denominator.data or 1
        try:
            rule = Rule(
                threshold=Fraction(form.threshold_numerator.data or 0, form.threshold_denominator.data or 1),
                inclusive=form.comparison.data == "at_least",
                base=VoteBase(form.vote_base.data),
                quorum_kind=kind,
                quorum=Fraction(q_num) if kind is QuorumKind.count else Fraction(q_num, q_den),
                weighted=bool(form.weighted.data),
                secret=bool(form.secret_ballot.data),
            )
            spelled = (form.threshold_numerator.data or 0, form.threshold_denominator.data or 1)
            if form.preset.data in PRESETS:
                rule = apply_preset(rule, form.preset.data)
                spelled = PRESETS[form.preset.data].spelled
        except ValueError as error:
            form.threshold_numerator.errors.append(str(error).capitalize() + ".")
        else:
            services.update_race_rule(race, rule, current_user, spelled)
            db.session.commit()
            flash(f"The voting rule is now: {describe(rule)}.", "success")
            return redirect(url_for("votes.race_votes", race_id=race.id))
    return render_template("votes/rule_edit.html", race=race, form=form, rule_words=describe(rule_of_race(race))), (
        400 if form.errors else 200
    )


# --- the votes of a race ---------------------------------------------------------------------


@bp.get("/races/<int:race_id>/votes")
@allow(SIGNED_IN)
def race_votes(race_id: int):  # type: ignore[no-untyped-def]
    race = get_race_or_404(race_id)
    return render_template("votes/race_votes.html", race=race, part=race_section(race, current_user))


@bp.route("/races/<int:race_id>/votes/new", methods=["GET", "POST"])
@allow("staff", "admin")
def new(race_id: int):  # type: ignore[no-untyped-def]
    race = get_race_or_404(race_id)
    form = PrepareForm()
    if form.validate_on_submit():
        vote = services.prepare_vote(race, held_on=form.held_on.data, motion=form.motion.data or "", actor=current_user)
        db.session.commit()
        flash("The vote is prepared. Open it when the meeting starts.", "success")
        return redirect(url_for("votes.show", vote_id=vote.id))
    return render_template("votes/prepare.html", race=race, form=form, vote=None), 400 if form.errors else 200


@bp.route("/votes/<int:vote_id>/edit", methods=["GET", "POST"])
@allow("staff", "admin")
def edit(vote_id: int):  # type: ignore[no-untyped-def]
    vote = get_vote_or_404(vote_id)
    form = PrepareForm(obj=vote)
    if form.validate_on_submit():
        try:
            services.update_draft(vote, held_on=form.held_on.data, motion=form.motion.data or "", actor=current_user)
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
def show(vote_id: int):  # type: ignore[no-untyped-def]
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
    result = services.result_of(vote) if vote.status in (VoteStatus.closed, VoteStatus.final) else None
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
        confirm=ConfirmForm(),
        publish_form=PublishForm(),
        is_staff=_is_staff(),
    )


def _run(vote: Vote, action, success: str):  # type: ignore[no-untyped-def]
    """Run a state change from a button: refused ones flash their reason; none is a 500."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(vote, current_user)
    except services.VoteError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("votes.show", vote_id=vote.id))


@bp.post("/votes/<int:vote_id>/open")
@allow("staff", "admin")
def open_vote(vote_id: int):  # type: ignore[no-untyped-def]
    vote = get_vote_or_404(vote_id)
    return _run(vote, services.open_vote, "The vote is open: the roll, the weights and the rule are frozen.")


@bp.post("/votes/<int:vote_id>/close")
@allow("staff", "admin")
def close(vote_id: int):  # type: ignore[no-untyped-def]
    vote = get_vote_or_404(vote_id)
    return _run(vote, services.close_vote, "The vote is closed: no more ballots are accepted.")


@bp.post("/votes/<int:vote_id>/finalise")
@allow("staff", "admin")
def finalise(vote_id: int):  # type: ignore[no-untyped-def]
    vote = get_vote_or_404(vote_id)
    return _run(vote, services.finalise_vote, "The vote is final. Its record and digest can no longer change.")


@bp.post("/votes/<int:vote_id>/ballot")
@allow(SIGNED_IN)
def cast(vote_id: int):  # type: ignore[no-untyped-def]
    vote = get_vote_or_404(vote_id)
    if vote.roll_entry_for(current_user) is None:
        abort(403)
    form = _ballot_form(vote)
    if form.validate_on_submit():
        try:
            receipt = ballots.cast_ballot(vote, current_user, _choice_id(form.choice.data), actor=current_user)
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
def presence(vote_id: int):  # type: ignore[no-untyped-def]
    vote = get_vote_or_404(vote_id)
    form = PresenceForm()
    form.present.choices = [SelectChoice(str(e.id), f"{e.name} (weight {e.weight:,})") for e in vote.roll]
    if not form.is_submitted():
        form.present.data = [e.id for e in vote.roll if e.present]
    if form.validate_on_submit():
        try:
            services.set_presence(vote, set(form.present.data or []), current_user)
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
def paper(vote_id: int):  # type: ignore[no-untyped-def]
    vote = get_vote_or_404(vote_id)
    form = PaperBallotForm()
    form.member.choices = [
        SelectChoice(str(e.user_id), e.name + (" (has voted)" if e.has_voted else "")) for e in vote.roll
    ]
    form.choice.choices = choice_list(vote)
    if form.validate_on_submit():
        entry = next((e for e in vote.roll if e.user_id == form.member.data), None)
        if entry is None:
            form.member.errors.append("Choose a member on the roll.")
        else:
            try:
                receipt = ballots.cast_ballot(
                    vote, entry.user, _choice_id(form.choice.data), actor=current_user, paper=True
                )
            except services.VoteError as error:
                db.session.rollback()
                form.member.errors.append(str(error))
            else:
                db.session.commit()
                flash(f"{entry.name}: {receipt.message}", "success")
                return redirect(url_for("votes.paper", vote_id=vote.id))
    return render_template("votes/paper.html", vote=vote, form=form), 400 if form.errors else 200


@bp.post("/votes/<int:vote_id>/publish")
@allow("staff", "admin")
def publish(vote_id: int):  # type: ignore[no-untyped-def]
    vote = get_vote_or_404(vote_id)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            services.publish_vote(vote, form.statement.data or "", current_user)
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
def record_json(vote_id: int):  # type: ignore[no-untyped-def]
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
def public(vote_id: int):  # type: ignore[no-untyped-def]
    vote = db.session.get(Vote, vote_id)
    # Unpublished results do not exist for the public, not even as a refusal.
    if vote is None or vote.status is not VoteStatus.final or vote.published_at is None:
        abort(404)
    result = services.result_of(vote)
    return render_template(
        "votes/public.html", vote=vote, result=result, chart=chart_of(result), rule_words=describe(result.rule)
    )


# --- parts of other pages --------------------------------------------------------------------


@section("race", order=80)
def race_section(race: Race, viewer) -> str | None:  # type: ignore[no-untyped-def]
    if race is None or not getattr(viewer, "is_authenticated", False):
        return None
    return render_template(
        "votes/_race_section.html",
        race=race,
        rule_words=describe(rule_of_race(race)),
        votes=services.votes_of_race(race),
        is_staff=viewer.is_staff,
    )


@section("record_book", order=90)
def record_book_section(race: Race, viewer) -> str | None:  # type: ignore[no-untyped-def]
    if race is None or not getattr(viewer, "is_authenticated", False):
        return None
    shown = [v for v in services.votes_of_race(race) if v.status in (VoteStatus.closed, VoteStatus.final)]
    if not shown:
        return None
    results = [(v, services.result_of(v)) for v in shown]
    return render_template(
        "votes/_record_book_section.html",
        race=race,
        entries=[(v, r, chart_of(r), describe(r.rule)) for v, r in results],
    )


@section("dashboard", order=20)
def dashboard_section(_obj, viewer) -> str | None:  # type: ignore[no-untyped-def]
    if not getattr(viewer, "is_authenticated", False):
        return None
    votes = services.votes_awaiting(viewer)
    if not votes:
        return None
    return render_template("votes/_dashboard_section.html", votes=votes)
