"""Process-wide runtime objects built from settings: the migrated database and its session factory."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from callqa.services.webhooks import install_outbox
from callqa.settings import Settings
from models import make_engine, make_session_factory
from models.migrate import upgrade_database

_opened: list[Engine] = []


@lru_cache(maxsize=4)
def _engine(url: str, pool_size: int, busy_timeout_s: float) -> Engine:
    engine = make_engine(url, pool_size=pool_size, busy_timeout_s=busy_timeout_s)
    _opened.append(engine)
    return engine


def open_database(settings: Settings) -> sessionmaker[Session]:
    """Migrate the configured database to the latest schema and return a session factory for it."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_database(settings.db_url, webhook_secret_key=settings.webhook_secret_key)
    factory = make_session_factory(
        _engine(settings.db_url, settings.db_pool_size, settings.db_busy_timeout_s)
    )
    install_outbox(factory)  # webhook events are written in the transaction that makes them happen
    return factory


def forget_inherited_connections() -> None:
    """In a forked child: leave the parent's pooled connections to the parent (closing them here would end
    the parent's sessions) and open new ones on first use."""
    for engine in _opened:
        engine.dispose(close=False)
