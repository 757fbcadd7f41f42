"""The planwatch domain, in one package per area (core, org, plans, tasks, oversight, notify).

Each area has the same kinds of module: `entities` (tables), operations named after what they
change, `queries` (the read side). Importing this package registers every entity on
`Base.metadata` (see `models.core.db`). Nothing here imports `webapp`, `flows` or `cli`.
"""

from models.core import attachments, audit, checkpoints, db, refusals  # noqa: F401  (mappers)
from models.notify import entities as notify_entities  # noqa: F401
from models.notify import settings as notify_settings  # noqa: F401
from models.notify import sweep_runs  # noqa: F401
from models.org import agencies, throttle, tokens, users  # noqa: F401
from models.oversight import entities as oversight_entities  # noqa: F401
from models.plans import calendar_days  # noqa: F401
from models.plans import entities as plan_entities  # noqa: F401
from models.tasks import entities as task_entities  # noqa: F401
from models.tasks import extensions as task_extensions  # noqa: F401
from models.tasks import feeds as task_feeds  # noqa: F401
