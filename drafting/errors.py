"""Why a document cannot be drafted."""


class DraftError(Exception):
    """The document cannot be read or has no plan structure; the message says why."""
