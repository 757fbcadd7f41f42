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
    "extension_request": _l("Extension requested"),
    "extension_approved": _l("Extension approved"),
    "extension_refused": _l("Extension refused"),
}

EXTENSION = {
    "pending": _l("Waiting for a decision"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
}

DAY_KIND = {
    "day_off": _l("Day off"),
    "working_day": _l("Make-up working day"),
}

DUE_RULE = {
    "day_of_last_month": _l("on day %(day)s of the period's last month"),
    "days_after_period_end": _l("%(days)s days after the period ends"),
    "month_day": _l("on %(day)s/%(month)s"),
    "fixed_date": _l("on a fixed date"),
    "days_after_start": _l("%(days)s days after the period starts"),
    "window": _l("by the last working day of the period"),
    "working_days_after": _l("%(days)s working days after the due date of %(after)s"),
}
DUE_RULE_WINDOW_DATES = _l("by the last working day from %(start)s to %(end)s")
DUE_RULE_EVENT = {
    "inspection_end": _l("%(days)s working days after the end of the inspection"),
}
ROLL = {
    "forward": _l("a day off moves it to the next working day"),
    "back": _l("a day off moves it back to the last working day before"),
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

# inspections, findings and corrective actions: kinds, states, severities
OVERSIGHT = {
    "inspection": _l("Inspection"), "supervision": _l("Supervision"),
    "planned": _l("Planned"), "in_progress": _l("In progress"), "concluded": _l("Concluded"),
    "observation": _l("Observation"), "minor": _l("Minor"), "major": _l("Major"),
    "open": _l("Open"), "submitted": _l("Submitted"), "verified": _l("Verified"),
    "reopened": _l("Reopened"), "not_planned": _l("Not planned"), "inspected": _l("Inspected"),
}

# audited steps of an inspection's timeline
OVERSIGHT_STEP = {
    "inspection.create": _l("Inspection planned"), "inspection.start": _l("Inspection started"),
    "inspection.conclude": _l("Inspection concluded"), "finding.log": _l("Finding logged"),
    "finding.edit": _l("Finding corrected"),
    "corrective_action.raise": _l("Corrective action issued"),
    "corrective_action.start": _l("Agency started the corrective action"),
    "corrective_action.submit": _l("Agency submitted its response"),
    "corrective_action.verify": _l("Inspector verified the fix"),
    "corrective_action.reopen": _l("Inspector reopened the corrective action"),
    "corrective_action.extend": _l("Due date extended"),
    "attachment.add": _l("File attached"),
}


def _ddmmyyyy(value) -> str:
    from datetime import date

    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d/%m/%Y")


def describe_rule(rule: dict | None, roll: str | None = None) -> str:
    """The due rule in words, with the way a day off moves it (the item's roll, else `roll`,
    the plan's)."""
    if not rule:
        return str(_l("no fixed due date"))
    kind = rule.get("rule")
    if kind == "window" and rule.get("start"):
        return str(DUE_RULE_WINDOW_DATES) % {"start": _ddmmyyyy(rule["start"]),
                                              "end": _ddmmyyyy(rule["end"])}
    if kind == "working_days_after":
        if rule.get("event"):
            text = DUE_RULE_EVENT.get(rule["event"])
            return str(text) % rule if text is not None else kind
        return str(DUE_RULE[kind]) % {"days": rule.get("days"),
                                      "after": ", ".join(rule.get("after") or ())}
    text = DUE_RULE.get(kind)
    words = str(text) % rule if text is not None else rule.get("rule", "")
    if kind == "window":
        return words
    direction = rule.get("roll") or roll
    if direction in ROLL:
        words = f"{words} ({ROLL[direction]})"
    return words
