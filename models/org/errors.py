"""Refusals of agencies, accounts and API tokens."""

from __future__ import annotations

from models.core.errors import (
    N_,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TransitionNotAllowed,
)


class NotAnEmail(InvalidInput):
    code = "account.not_an_email"
    message = N_("This is not an email address: %(email)s.")


class UnknownRole(InvalidInput):
    code = "account.unknown_role"
    message = N_("Unknown role: %(role)s.")


class PasswordTooShort(InvalidInput):
    code = "account.password_too_short"
    message = N_("The password must have at least %(min_length)s characters.")


class UnknownLocale(InvalidInput):
    code = "account.unknown_locale"
    message = N_("The language must be vi or en.")


class OfficerNeedsAgency(InvalidInput):
    code = "account.officer_needs_agency"
    message = N_("An officer must belong to an agency.")


class EmailTaken(InvalidInput):
    code = "account.email_taken"
    message = N_("A user with the email %(email)s already exists.")


class AccountDisabled(InvalidInput):
    code = "account.disabled"
    message = N_("The account is disabled.")


class UserNotFound(NotFound):
    code = "user.not_found"
    message = N_("This user does not exist.")


class UnknownUserEmail(NotFound):
    code = "user.unknown_email"
    message = N_("There is no user with the email %(email)s.")


class AgencyNotFound(NotFound):
    code = "agency.not_found"
    message = N_("There is no such agency.")


class UnknownAgencyCode(NotFound):
    code = "agency.unknown_code"
    message = N_("There is no agency with the code %(agency_code)s.")


class TokenNameTooLong(InvalidInput):
    code = "token.name_too_long"
    message = N_("A token name has at most 100 characters.")


class TokenLifetimeOutOfRange(InvalidInput):
    code = "token.lifetime_out_of_range"
    message = N_("A token lives between 1 and %(max_days)s days.")


class TokenNotFound(NotFound):
    code = "token.not_found"
    message = N_("This token does not exist.")


class TooManyAttempts(DomainError):
    status = 429
    code = "auth.too_many_attempts"
    message = N_("Too many failed logins from this address; try again in %(seconds)s seconds.")


class AdminOnly(Forbidden):
    code = "account.admin_only"
    message = N_("Only an administrator may manage accounts.")


class WrongCurrentPassword(InvalidInput):
    code = "account.wrong_current_password"
    message = N_("The current password is not right.")


class PasswordsDiffer(InvalidInput):
    code = "account.passwords_differ"
    message = N_("The two new passwords are not the same.")


class MergeCoordinatorOnly(Forbidden):
    code = "agency.merge_coordinator_only"
    message = N_("Only a coordinator or an administrator may merge agencies.")


class MergeIntoItself(InvalidInput):
    code = "agency.merge_into_itself"
    message = N_("An agency cannot be merged into itself.")


class MergeIntoClosed(InvalidInput):
    code = "agency.merge_into_closed"
    message = N_("The successor %(agency_code)s no longer exists on %(day)s.")


class AgencyAlreadyClosed(TransitionNotAllowed):
    code = "agency.already_closed"
    message = N_("The agency %(agency_code)s was already closed on %(day)s.")
