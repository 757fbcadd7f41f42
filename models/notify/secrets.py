"""Secrets at rest: Fernet with a key kept outside the database (a 0600 file or an env var).

The key is `PLANWATCH_SECRETS_KEY` when set (a Fernet key, base64), else the file
`$PLANWATCH_HOME/secrets.key`, created 0600 on first use. A database copied without that key
yields no password, token or webhook URL.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from models.core.errors import N_, DomainError
from settings import Settings

KEY_ENV = "PLANWATCH_SECRETS_KEY"
KEY_FILE = "secrets.key"


class SecretUnreadable(DomainError):
    status = 500
    code = "notify.secret_unreadable"
    message = N_("A stored secret cannot be read with this server's key (was the key file "
                 "replaced?). Enter it again.")


def key_path() -> Path:
    return Settings.from_env().home / KEY_FILE


def load_key() -> bytes:
    """The environment's key, else the key file's, creating the file (0600) if absent."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode()
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        # O_EXCL: two processes starting at once must not each write their own key
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        return key
    return path.read_bytes().strip()


@lru_cache(maxsize=4)
def _fernet(key: bytes) -> Fernet:
    return Fernet(key)


def encrypt(plain: str) -> str:
    """The ciphertext of `plain` (text, safe to store)."""
    return _fernet(load_key()).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text of a stored secret; SecretUnreadable with the wrong key."""
    try:
        return _fernet(load_key()).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadable() from None
