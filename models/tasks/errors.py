"""Refusals of tasks: status changes, notes, due dates and requested reports."""

from __future__ import annotations

from models.core.errors import N_, Forbidden, InvalidInput, NotFound, TransitionNotAllowed


class TaskNotFound(NotFound):
    code = "task.not_found"
    message = N_("This task does not exist.")


class TaskTransitionNotAllowed(TransitionNotAllowed):
    code = "task.transition_not_allowed"
    message = N_("A task that is %(current)s cannot become %(target)s.")


class TaskActionForbidden(Forbidden):
    code = "task.action_forbidden"
    message = N_("Your role may not %(action)s a task.")


class ReturnNeedsReason(InvalidInput):
    code = "task.return_needs_reason"
    message = N_("A returned report needs a reason.")


class NilReturnNotAllowed(InvalidInput):
    code = "task.nil_return_not_allowed"
    message = N_("This item does not allow a nil return.")


class ReportNeedsContent(InvalidInput):
    code = "task.report_needs_content"
    message = N_("Attach a file or write a note to submit a report.")


class CommentForbidden(Forbidden):
    code = "task.comment_forbidden"
    message = N_("Your role may not comment on tasks.")


class NoteEmpty(InvalidInput):
    code = "task.note_empty"
    message = N_("The note is empty.")


class RescheduleCoordinatorOnly(Forbidden):
    code = "task.reschedule_coordinator_only"
    message = N_("Only a coordinator may change a due date.")


class RescheduleNotOpen(TransitionNotAllowed):
    code = "task.reschedule_not_open"
    message = N_("A submitted task cannot be rescheduled.")


class RescheduleNeedsReason(InvalidInput):
    code = "task.reschedule_needs_reason"
    message = N_("A new due date needs a reason.")


class RequestCoordinatorOnly(Forbidden):
    code = "task.request_coordinator_only"
    message = N_("Only a coordinator may request a report.")


class RequestNeedsOnRequestItem(InvalidInput):
    code = "task.request_needs_on_request_item"
    message = N_("Reports can be requested only for on-request items.")


class RequestDueInPast(InvalidInput):
    code = "task.request_due_in_past"
    message = N_("The due date of a request cannot be in the past.")


class RequestAlreadyMade(TransitionNotAllowed):
    code = "task.request_already_made"
    message = N_("This report was already requested today.")


class InvalidPeriod(InvalidInput):
    code = "period.invalid"
    message = N_("Not a period: write 2026-03, 2026-Q1, 2026-H1, 2026 or 2026-03-01..2026-03-31.")


class FeedNotFound(NotFound):
    code = "feed.not_found"
    message = N_("This calendar feed does not exist or has been revoked.")


class FeedAgencyForbidden(Forbidden):
    code = "feed.agency_forbidden"
    message = N_("You may only subscribe to the deadlines of your own agency.")


class BulkAcceptNothingChosen(InvalidInput):
    code = "task.bulk_accept_nothing_chosen"
    message = N_("Choose at least one report to accept.")


class BulkAcceptRefused(TransitionNotAllowed):
    code = "task.bulk_accept_refused"
    message = N_("Nothing was accepted: the report of %(agency)s for %(item)s (due %(due)s) "
                 "cannot be accepted now (it changed or is no longer waiting). Reload the list "
                 "and choose again.")
