"""Calendar feeds: the user's page to issue, renew and revoke them, and the .ics itself."""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models.core.access import sees_all_agencies
from models.core.db import db
from models.org.agencies import Agency, agency_code_is
from models.tasks.feeds import (
    FeedNotFound,
    calendar,
    feed_by_secret,
    feeds_of,
    issue_feed,
    last_modified,
    open_deadlines,
    renew_feed,
    revoke_feed,
)
from webapp.clock import now
from webapp.feeds import bp


def _feed_url(secret: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("feeds.ics", token=secret)


@bp.get("/")
@login_required
def mine():
    """The user's calendar feeds, and the forms to add one."""
    if sees_all_agencies(current_user):
        agencies = db.session.scalars(sa.select(Agency).order_by(Agency.name_vi)).all()
    else:
        agencies = [current_user.agency] if current_user.agency else []
    return render_template("feeds/mine.html", feeds=feeds_of(db.session, current_user),
                           agencies=agencies)


def _show_secret(secret: str) -> None:
    flash(_("Copy this address into your calendar now; it is shown only once:"), "info")
    flash(_feed_url(secret), "secret")


@bp.post("/")
@login_required
def create():
    """A new feed: the user's own deadlines, or one agency's."""
    code = request.form.get("agency") or ""
    agency = None
    if code:
        agency = db.session.scalar(sa.select(Agency).where(agency_code_is(code)))
        if agency is None:
            abort(404)
    _feed, secret = issue_feed(db.session, current_user, agency=agency, now=now())
    db.session.commit()
    _show_secret(secret)
    return redirect(url_for("feeds.mine"))


@bp.post("/<int:feed_id>/renew")
@login_required
def renew(feed_id: int):
    """A new address for a feed; the old one stops working."""
    _feed, secret = renew_feed(db.session, current_user, feed_id, now=now())
    db.session.commit()
    _show_secret(secret)
    return redirect(url_for("feeds.mine"))


@bp.post("/<int:feed_id>/revoke")
@login_required
def revoke(feed_id: int):
    """Stop a feed address from working."""
    revoke_feed(db.session, current_user, feed_id, now=now())
    db.session.commit()
    flash(_("The calendar feed has been revoked."), "info")
    return redirect(url_for("feeds.mine"))


@bp.get("/<token>.ics")
def ics(token: str):
    """Every open deadline of the feed, as iCalendar (no login: the address is the secret)."""
    try:
        feed = feed_by_secret(db.session, token)
    except FeedNotFound:
        abort(404)
    rows = open_deadlines(db.session, feed)
    changed = last_modified(db.session, feed) or feed.created_at
    body = calendar(feed, rows, current_app.config["BASE_URL"], changed)
    etag = hashlib.sha256(body).hexdigest()[:32]
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="planwatch.ics"'
    response.set_etag(etag)
    response.headers["Last-Modified"] = format_datetime(changed.replace(microsecond=0),
                                                        usegmt=True)
    response.headers["Cache-Control"] = "private, no-cache"
    if request.if_none_match and request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": response.headers["ETag"],
                                             "Last-Modified": response.headers["Last-Modified"]})
    since = request.headers.get("If-Modified-Since")
    if since and not request.if_none_match:
        try:
            if changed.replace(microsecond=0) <= parsedate_to_datetime(since):
                return Response(status=304, headers={"ETag": response.headers["ETag"]})
        except (TypeError, ValueError):
            pass
    return response
