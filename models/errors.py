"""Domain errors; the web layer maps them to HTTP statuses in one place."""


class DomainError(Exception):
    """Base of every rule the domain refuses."""

    status = 400

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class TransitionNotAllowed(DomainError):
    status = 409


class VersionConflict(DomainError):
    """The object changed since the caller read it (stale If-Match or form version)."""

    status = 412


class InvalidInput(DomainError):
    status = 422
