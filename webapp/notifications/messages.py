"""The notification domain's refusals in the reader's language (used by webapp/errors.py)."""

from flask_babel import lazy_gettext as _l

MESSAGES = {
    "only a dead notification can be retried": _l(
        "Only a notification the server gave up on can be retried; this one is not in that "
        "state any more. Nothing was changed."),
    "notification not found": _l("This notification does not exist."),
    "notification target not found": _l("This notification address does not exist."),
    "no such agency": _l("There is no such agency."),
}
