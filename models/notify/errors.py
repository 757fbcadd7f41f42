"""Refusals of notification targets and the outbox."""

from __future__ import annotations

from models.core.errors import N_, Forbidden, InvalidInput, NotFound, TransitionNotAllowed


class OutboxForbidden(Forbidden):
    code = "notification.outbox_forbidden"
    message = N_("Only administrators and coordinators may read the notification outbox.")


class TargetUrlInvalid(InvalidInput):
    code = "notification.target_url_invalid"
    message = N_("This is not a notification address the system can send to.")


class TargetOwnerAmbiguous(InvalidInput):
    code = "notification.target_owner_ambiguous"
    message = N_("Give an agency or a user, not both.")


class TargetNotFound(NotFound):
    code = "notification.target_not_found"
    message = N_("This notification address does not exist.")


class AgencyTargetsForbidden(Forbidden):
    code = "notification.agency_targets_forbidden"
    message = N_("Your role may not manage an agency's notification addresses.")


class RetryForbidden(Forbidden):
    code = "notification.retry_forbidden"
    message = N_("Your role may not retry notifications.")


class NotificationNotFound(NotFound):
    code = "notification.not_found"
    message = N_("This notification does not exist.")


class RetryNeedsDead(TransitionNotAllowed):
    code = "notification.retry_needs_dead"
    message = N_("Only a notification the server gave up on can be retried; this one is not in "
                 "that state any more. Nothing was changed.")


class UnknownNotificationKind(InvalidInput):
    code = "notification.unknown_kind"
    message = N_("Choose among reminders, overdue notices and escalations.")
