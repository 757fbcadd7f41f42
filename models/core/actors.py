"""Who acts: a logged-in `User`, or the installation itself as an explicit `SystemActor`.

Every operation takes `actor: Actor`. A plain string is refused (TypeError) instead of being
taken for an administrator: the checks below are the only way past a role check.

- `SCHEDULER` is the flows (cadence, deadlines, dispatch): it may do the system's own work
  (open periods, write reminders) but passes no role check.
- `CONSOLE` is the operator at the server's shell (the `planwatch` command): whoever runs it
  already holds the database, so the design counts it as the administrator ("admin: the
  system's operator"); it passes admin checks and is audited as `system:console`.
- `SYSTEM` is the installation doing its own bookkeeping (imports, generation by default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from models.org.users import Role, User


@dataclass(frozen=True)
class SystemActor:
    """The installation acting on its own, named in audit as `system:<name>`."""

    name: str
    operator: bool = False  # acts with the administrator's authority (the server's console)

    id = None  # no account: audit stores no actor id
    role = None
    agency_id = None

    @property
    def label(self) -> str:
        """How audit names this actor."""
        return f"system:{self.name}"


SYSTEM = SystemActor("system")
SCHEDULER = SystemActor("scheduler")
CONSOLE = SystemActor("console", operator=True)

Actor = User | SystemActor


def check_actor(actor: object) -> Actor:
    """The actor itself, or TypeError for anything that is not a User or a SystemActor."""
    if isinstance(actor, User | SystemActor):
        return actor
    raise TypeError(f"an actor is a User or a SystemActor, not {type(actor).__name__}")


def is_admin(actor: Actor) -> bool:
    """An administrator account, or the operator's console."""
    check_actor(actor)
    if isinstance(actor, SystemActor):
        return actor.operator
    return actor.role == Role.ADMIN


def has_role(actor: Actor, roles: Iterable[str]) -> bool:
    """A user whose role is one of `roles` (the console counts as an admin)."""
    check_actor(actor)
    if isinstance(actor, SystemActor):
        return actor.operator
    return actor.role in set(roles)


def is_user(actor: Actor, user: User) -> bool:
    """The actor is this very account."""
    return isinstance(actor, User) and user is not None and actor.id == user.id


def require_user(actor: object) -> User:
    """The actor as a user account, or TypeError (a system actor submits and inspects nothing)."""
    if isinstance(actor, User):
        return actor
    raise TypeError(f"this operation is done by a user account, not {actor!r}")
