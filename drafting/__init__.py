"""Drafting a plan file from the plan's own document (rules over the text; no database writes).

`draft_document(lines, directory)` returns a Draft; `Draft.to_yaml()` is a plan file in the
documented format with a comment on every guess.
"""

from drafting.draft import Directory, Draft, draft_document, draft_file  # noqa: F401
from drafting.errors import DraftError  # noqa: F401
