"""Log in, log out, choose a language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from models.core.db import db
from models.org.accounts import (
    MIN_PASSWORD,
    authenticate,
    change_own_password,
    end_sessions,
    set_locale,
)
from models.org.errors import TooManyAttempts
from webapp.auth import bp
from webapp.clock import now
from webapp.errors import audit_refusal, explain
from webapp.extensions import LOCALES
from webapp.form_schemas import PasswordChangeForm
from webapp.forms import attempt, submitted
from webapp.guards import current_actor, home_endpoint


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site, never another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/")
def home():
    """Send each user to the page of their role."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(home_endpoint(current_user)))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Email and password; every attempt is audited, failures are throttled in the database
    (per account-and-address and per address, shared by every worker: `models.org.throttle`)."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for(home_endpoint(current_user)))
        return render_template("auth/login.html", next=request.args.get("next", ""))
    email = (request.form.get("email") or "").strip().lower()
    try:
        user = authenticate(db.session, email, request.form.get("password") or "", now=now(),
                            address=request.remote_addr)
    except TooManyAttempts as refused:
        audit_refusal(429, "throttled")  # rolls back, records, commits
        flash(explain(refused), "error")
        page = render_template("auth/login.html", next=request.form.get("next", ""), email=email)
        return page, 429, {"Retry-After": str(refused.details["seconds"])}
    db.session.commit()  # the audit and the count of a failure are kept too
    if user is None:
        flash(_("Wrong email or password."), "error")
        return render_template("auth/login.html", next=request.form.get("next", ""),
                               email=email), 401
    lang = session.get("lang")
    session.clear()
    session["lang"] = lang if lang in LOCALES else user.locale
    login_user(user)
    return redirect(_safe_next(request.form.get("next")) or url_for(home_endpoint(user)))


@bp.post("/logout")
@login_required
def logout():
    """End this and every other session of the user, then forget the cookie."""
    end_sessions(db.session, current_user, now())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    """Switch the language; remembered on the account when logged in."""
    lang = request.form.get("lang", "vi")
    if lang not in LOCALES:
        lang = "vi"
    session["lang"] = lang
    if current_user.is_authenticated:
        set_locale(db.session, current_user, current_user, lang, now=now())
        db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (the current one is asked); other sessions end, this stays."""
    if request.method == "GET":
        return render_template("auth/password.html", min_length=MIN_PASSWORD)
    form = submitted("password")
    user = current_actor()

    def act():
        data = form.load(PasswordChangeForm())
        change_own_password(db.session, user, current=data["current_password"],
                            new=data["new_password"], repeat=data["repeat_password"], now=now())
        db.session.commit()

    if not attempt(form, act):
        return render_template("auth/password.html", min_length=MIN_PASSWORD), form.status
    login_user(user)  # this session carries the new session version; the others have ended
    flash(_("Your password has been changed; your other sessions have ended."), "info")
    return redirect(url_for("auth.home"))
