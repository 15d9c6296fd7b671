"""Bearer tokens for the JSON API: signed (itsdangerous), expiring, carrying only the user id."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_SALT = "callqa-api-token"


def issue_token(secret_key: str, user_id: int) -> str:
    return URLSafeTimedSerializer(secret_key, salt=_SALT).dumps({"uid": user_id})


def read_token(secret_key: str, token: str, *, max_age_s: int) -> int | None:
    """The user id in a valid, unexpired token, else None."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=_SALT).loads(token, max_age=max_age_s)
    except (BadSignature, SignatureExpired):
        return None
    uid = data.get("uid") if isinstance(data, dict) else None
    return uid if isinstance(uid, int) else None
