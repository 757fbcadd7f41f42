"""Translated names for the domain's codes (statuses, roles, actions)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "submitted": _l("Submitted"),
    "accepted": _l("Accepted"),
    "returned": _l("Returned"),
}

ROLE = {
    "admin": _l("Administrator"),
    "coordinator": _l("Coordinator"),
    "inspector": _l("Inspector"),
    "officer": _l("Agency officer"),
    "viewer": _l("Viewer"),
}

ACTION = {
    "start": _l("Started"),
    "submit": _l("Report submitted"),
    "nil_return": _l("Nothing to report this period"),
    "accept": _l("Accepted"),
    "return": _l("Returned"),
    "note": _l("Note"),
    "reschedule": _l("Due date changed"),
}

DUE_RULE = {
    "day_of_last_month": _l("on day %(day)s of the period's last month"),
    "days_after_period_end": _l("%(days)s days after the period ends"),
    "month_day": _l("on %(day)s/%(month)s"),
    "fixed_date": _l("on a fixed date"),
    "days_after_start": _l("%(days)s days after the period starts"),
}

CADENCE = {
    "once": _l("once"),
    "monthly": _l("monthly"),
    "quarterly": _l("quarterly"),
    "half_yearly": _l("half-yearly"),
    "yearly": _l("yearly"),
    "on_request": _l("on request"),
    "none": _l("standing"),
}

STATE = {
    "all": _l("All tasks"),
    "due": _l("Due so far"),
    "done": _l("Submitted or accepted"),
    "on_time": _l("Submitted on time"),
    "late": _l("Submitted late"),
    "accepted": _l("Accepted"),
    "overdue": _l("Overdue"),
}


def describe_rule(rule: dict | None) -> str:
    """The due rule in words."""
    if not rule:
        return str(_l("no fixed due date"))
    text = DUE_RULE.get(rule.get("rule"))
    return str(text) % rule if text is not None else rule.get("rule", "")
