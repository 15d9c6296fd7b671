"""Settings of one concern, mixed into `callqa.settings.Settings` (env `CALLQA_<FIELD>`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ServerSettings(BaseModel):
    """The web server: sessions and their secret, request limits, login throttling, proxies, threads
    and the database's locking."""

    max_upload_mb: int = 200
    secret_key: str | None = Field(
        default=None,
        description="Signs session tokens. Unset: a random one is generated on first start and kept in "
        "data_dir/secret_key (0600). Rotate by replacing it and restarting; every session then ends.",
    )
    dev_mode: bool = Field(
        default=False, description="Development only: allows a weak or default secret_key and http cookies."
    )
    token_ttl_s: int = Field(default=12 * 3600, ge=60, description="Session lifetime in seconds.")
    cookie_secure: bool = Field(
        default=False, description="Send the session cookie over HTTPS only (set when served behind TLS)."
    )
    max_body_kb: int = Field(
        default=256, ge=1, description="Largest request body other than a recording upload (forms, JSON)."
    )
    login_failures_per_minute: int = Field(
        default=10, ge=1, description="Failed logins allowed per username per minute (then 429)."
    )
    login_failures_per_minute_per_client: int = Field(
        default=60,
        ge=1,
        description="Failed logins allowed per client address per minute (a floor shares one).",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (the client address then comes from the proxy; login throttling "
        "and audit use it). Anyone else's forwarded headers are ignored, so a client cannot pick its own "
        "address. '*' trusts every peer: only where the server is reachable through the proxy alone.",
    )
    login_hash_concurrency: int = Field(
        default=4, ge=1, description="Password checks run at once (each Argon2 check holds ~64 MB)."
    )
    server_threads: int = Field(
        default=40,
        ge=1,
        description="Threads serving blocking requests (the database pool is sized to them).",
    )
    db_busy_timeout_s: float = Field(
        default=30.0, ge=0, description="SQLite: how long (s) a write waits for another writer's lock."
    )
