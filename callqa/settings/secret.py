"""The secret that signs session tokens: refused when weak, else kept in data_dir (mode 0600)."""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from callqa.settings import Settings

WEAK_SECRETS = frozenset({"", "change-me-in-production", "secret", "changeme"})
MIN_SECRET_CHARS = 32
SECRET_FILE = "secret_key"


class SecretKeyError(RuntimeError):
    """The configured secret cannot be used; the message says how to fix it."""


def with_secret_key(settings: Settings) -> Settings:
    """`settings` with a usable `secret_key`: the configured one if strong, else the one kept in
    `data_dir/secret_key`, created (random, mode 0600) on first start.

    Outside `dev_mode` a weak or default configured secret, or a key file others can read, is refused:
    anyone who knows the secret can forge sessions.
    """
    configured = settings.secret_key
    if configured is not None:
        weak = configured.strip() in WEAK_SECRETS or len(configured) < MIN_SECRET_CHARS
        if weak and not settings.dev_mode:
            raise SecretKeyError(
                f"CALLQA_SECRET_KEY is empty, a default or shorter than {MIN_SECRET_CHARS} characters; unset "
                f"it to have a random one kept in {settings.data_dir / SECRET_FILE}, or set a strong one"
            )
        return settings
    path = settings.data_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077 and not settings.dev_mode:
            raise SecretKeyError(f"{path} is readable by others; chmod 600 it") from None
        secret = path.read_text().strip()
        if len(secret) < MIN_SECRET_CHARS:
            raise SecretKeyError(f"{path} holds no usable secret; delete it to have a new one made") from None
    else:
        secret = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret + "\n")
    return settings.model_copy(update={"secret_key": secret})
