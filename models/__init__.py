"""The planwatch domain: entities, operations on them, queries and pure time rules.

Importing the package registers every entity on `Base.metadata` (see `models.db`).
"""

from models import (  # noqa: F401  (registers the mappers)
    agencies,
    audit,
    calendar_overrides,
    db,
    inspections,
    notifications,
    plans,
    sweep_runs,
    tasks,
    tokens,
    users,
)
