"""Secrets stored sealed: encrypted and authenticated (Fernet: AES-128-CBC with HMAC-SHA256, from the
`cryptography` package) under a key from the deployment's settings, so a database dump or a backup does not
give them away. Webhook signing secrets are kept so (`WebhookSubscription.secret_sealed`); it lives beside
the tables because the migration that sealed the plain ones uses it too."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_KEY_CHARS = 32
"""The shortest key accepted: a random string of this many characters (e.g. `openssl rand -base64 32`)."""


class SealError(ValueError):
    """A key that cannot be used, or a sealed value the key does not open (another key, or altered)."""


class KeyNeededError(RuntimeError):
    """Sealed secrets are stored (or asked for) and no key, or not the key that sealed them, is configured;
    the message says which setting to set."""


class SecretBox:
    """Seals and opens short secrets under one key (any string of `MIN_KEY_CHARS` or more; the Fernet key is
    derived from it with HKDF-SHA256, so a passphrase-like key is spread over the whole key space)."""

    def __init__(self, key: str) -> None:
        if len(key) < MIN_KEY_CHARS:
            raise SealError(f"the key must be at least {MIN_KEY_CHARS} characters")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"callqa sealed secrets").derive(
            key.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plain: str) -> str:
        """`plain` encrypted and authenticated, as ASCII text (a fresh IV each time: never the same twice)."""
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        """The secret `sealed` holds. Raises SealError when this key did not seal it or it was altered."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, ValueError) as exc:
            raise SealError("the key does not open this sealed secret (another key, or altered)") from exc
