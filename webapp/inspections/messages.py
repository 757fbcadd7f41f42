"""The inspection domain's refusals in the reader's language, for the app's error handler.

webapp/errors.py looks messages up in its MESSAGES and PREFIXES; merge these into them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "reopening needs a note saying what is still missing": _l(
        "Write a note saying what is still missing before reopening."),
    "a response needs a note or evidence": _l(
        "Write what the agency did or attach evidence to submit the response."),
    "a corrective action can be extended only once": _l(
        "This corrective action was already extended; it can be extended only once."),
    "a verified corrective action cannot be extended": _l(
        "A verified corrective action cannot be extended."),
    "an extension needs a reason": _l("An extension needs a reason."),
    "concluding an inspection needs the conclusion text": _l(
        "Write the conclusion before concluding the inspection."),
    "the inspection has not started": _l("The inspection has not started yet."),
    "a finding needs its text": _l("Write what was found."),
    "a corrective action needs a description": _l("Write what the agency must do."),
    "an inspection needs a title": _l("An inspection needs a title."),
    "choose at least one agency to inspect": _l("Choose at least one agency to inspect."),
    "give either a number of working days or a due date": _l(
        "Give either a number of working days or a due date."),
    "the due date must be after today": _l("The due date must be after today."),
    "the number of working days must be at least 1": _l(
        "The number of working days must be at least 1."),
    "the follow-up must be another, started inspection of this agency": _l(
        "The follow-up must be another inspection of this agency that has started."),
    "only inspectors may log findings": _l("Only inspectors may log findings."),
    "only inspectors may edit findings": _l("Only inspectors may correct findings."),
    "only inspectors may issue corrective actions": _l(
        "Only inspectors may issue corrective actions."),
    "only an inspector may verify a corrective action": _l(
        "Only an inspector may verify a corrective action."),
    "only an inspector may reopen a corrective action": _l(
        "Only an inspector may reopen a corrective action."),
    "only an inspector may extend a corrective action": _l(
        "Only an inspector may extend a corrective action."),
    "only the owning agency's officers may start work on a corrective action": _l(
        "Only the agency's officers may start work on its corrective action."),
}
PREFIXES = {
    "only the owning agency's officers may submit": _l(
        "Only the agency's officers submit its response; an inspector cannot submit it."),
    "a corrective action that is": _l(
        "The corrective action is not in a state that allows this change."),
    "an inspection that is": _l("The inspection is not in a state that allows this change."),
    "findings are logged while an inspection is in progress": _l(
        "Findings are logged while the inspection is in progress."),
    "only inspectors and coordinators may open inspections": _l(
        "Only inspectors and coordinators may plan inspections."),
    "this corrective action is verified by a follow-up inspection": _l(
        "Choose the follow-up inspection that verified this corrective action."),
    "the owner must be an agency this inspection covers": _l(
        "The corrective action must go to an agency this inspection covers."),
    "the agency is not one this inspection covers": _l(
        "The finding must concern an agency this inspection covers."),
}
