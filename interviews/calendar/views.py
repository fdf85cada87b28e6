"""Pages of the calendar feature: one's feed links, the feeds themselves, and .ics downloads.

Feeds are public URLs: calendar apps cannot sign in, so the secret feed token in the path is
the credential. An unknown token answers 404, never saying whether anything else exists.
"""

from __future__ import annotations

from email.utils import format_datetime as http_date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from interviews.access import PUBLIC, SIGNED_IN, allow, signed_in_user
from interviews.auth import services as accounts
from interviews.auth.models import User
from interviews.calendar import services
from interviews.calendar.events import Audience
from interviews.calendar.forms import RotateFeedForm
from interviews.extensions import db
from interviews.races.models import Race
from interviews.scheduling.models import Interview, PanelSeat
from interviews.sections import render_part, section
from interviews.urls import absolute_url

bp = Blueprint("calendar", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def feed_links(endpoint: str, **values: object) -> dict[str, str]:
    """The https:// address and the webcal:// one that opens the subscribe dialog of calendar apps."""
    https = absolute_url(endpoint, **values)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _answer_feed(feed: services.Feed, filename: str) -> Response:
    """200 with the feed, or 304 when the client's copy is current (decided before building anything)."""
    check = services.validator(feed)
    etag = check.etag
    headers = {
        "ETag": f'"{etag}"',
        "Last-Modified": http_date(check.last_modified, usegmt=True),
        # Revalidate every time (cheap: a 304), and keep the secret URL's content out of shared caches.
        "Cache-Control": "private, no-cache",
    }
    if request.if_none_match:
        not_modified = request.if_none_match.contains_weak(etag)
    elif request.if_modified_since is not None:
        not_modified = check.last_modified <= request.if_modified_since
    else:
        not_modified = False
    if not_modified:
        return Response(status=304, headers=headers)
    # Streamed, an event at a time; stream_with_context keeps the request's database session.
    body = stream_with_context(services.feed_chunks(feed))
    response = Response(body, status=200, headers=headers, content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _feed_user_or_404(token: str) -> User:
    user = services.feed_user(token)
    if user is None:
        abort(404)
    return user


@bp.get("/calendar")
@allow(SIGNED_IN)
def my_feed() -> ResponseReturnValue:
    token = current_user.feed_token
    return render_template(
        "calendar/my_feed.html",
        personal=feed_links("calendar.personal_feed", token=token),
        everything=feed_links("calendar.all_feed", token=token) if current_user.is_staff else None,
        form=RotateFeedForm(),
    )


@bp.post("/calendar/rotate")
@allow(SIGNED_IN)
def rotate() -> ResponseReturnValue:
    form = RotateFeedForm()
    if form.validate_on_submit():
        user = signed_in_user()
        accounts.rotate_feed_token(user, actor=user)
        db.session.commit()
        flash(
            "Your feed links are replaced. Subscribe again with the new link; the old one no longer works.", "success"
        )
    else:
        flash("The form expired; please try again.", "error")
    return redirect(url_for("calendar.my_feed"))


@bp.get("/calendar/<token>/interviews.ics")
@allow(PUBLIC)
def personal_feed(token: str) -> ResponseReturnValue:
    user = _feed_user_or_404(token)
    return _answer_feed(services.personal_feed(user), "my-interviews.ics")


@bp.get("/calendar/<token>/all.ics")
@allow(PUBLIC)
def all_feed(token: str) -> ResponseReturnValue:
    user = _feed_user_or_404(token)
    if not user.is_staff:
        abort(404)
    return _answer_feed(services.all_interviews_feed(), "all-interviews.ics")


@bp.get("/calendar/<token>/races/<int:race_id>.ics")
@allow(PUBLIC)
def race_feed(token: str, race_id: int) -> ResponseReturnValue:
    _feed_user_or_404(token)  # every active account (leaders and staff) may follow a race
    race = db.session.get(Race, race_id)
    if race is None:
        abort(404)
    return _answer_feed(services.race_feed(race), f"race-{race.id}.ics")


def get_interview_or_404(interview_id: int) -> Interview:
    interview = db.session.get(
        Interview,
        interview_id,
        options=[
            joinedload(Interview.candidate),
            joinedload(Interview.race),
            joinedload(Interview.location),
            selectinload(Interview.panel_seats).joinedload(PanelSeat.user),
        ],
    )
    if interview is None:
        abort(404)
    return interview


@bp.get("/interviews/<int:interview_id>/calendar.ics")
@allow("leader", "staff", "admin")
def interview_ics(interview_id: int) -> ResponseReturnValue:
    interview = get_interview_or_404(interview_id)
    body = services.ics_for_download(interview, Audience.panel)
    response = Response(body, content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="interview-{interview.id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- parts of other pages ------------------------------------------------------------------------


@section("interview", order=60)
def interview_download(interview: Interview, viewer: object) -> str | None:
    if interview is None or not getattr(viewer, "is_authenticated", False):
        return None
    return render_part("calendar/_interview_download.html", interview=interview)


@section("race", order=80)
def race_feed_links(race: Race, viewer: object) -> str | None:
    if race is None or not getattr(viewer, "is_authenticated", False):
        return None
    links = feed_links("calendar.race_feed", token=viewer.feed_token, race_id=race.id)  # type: ignore[attr-defined]
    return render_part("calendar/_race_feed.html", race=race, links=links)
