"""Run Alembic migrations programmatically (used by `callqa db upgrade`, the server start and tests)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SEARCH_INDEX = ("transcript_fts", "ix_transcript_segments_text_trgm")
"""The transcript search index (migration 0025): SQLite's FTS5 table (and the shadow tables FTS5 keeps
beside it, transcript_fts_*) or PostgreSQL's trigram index; dialect-specific, so no ORM table or index
describes them."""


def modelled(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic `include_name` hook: whether the schema comparison looks at `name` (not the search index)."""
    return not (name is not None and name.startswith(SEARCH_INDEX))


def alembic_config(url: str) -> Config:
    """An Alembic Config pointing at the packaged migrations and the database `url`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (default: latest)."""
    command.upgrade(alembic_config(url), revision)


def replace_check(bind: sa.Connection, table: str, name: str, old: str, new: str) -> None:
    """Change the CHECK constraint `name` of `table` from `old` to `new` (SQL text) without copying the
    table (a batch copy fires the cascades of every row hanging off it).

    PostgreSQL drops and adds the constraint. SQLite cannot alter a constraint, so the table's stored
    CREATE TABLE text is edited as SQLite's documentation allows for CHECK constraints
    (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes":
    writable_schema, schema_version bumped so every connection reloads the schema), then `PRAGMA
    quick_check` (which tests every row against the CHECK constraints) must answer ok. Meant for widening
    a check; a narrowing one is refused by the check when a stored row breaks it."""
    if bind.dialect.name != "sqlite":
        bind.execute(sa.text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
        bind.execute(sa.text(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({new})"))
        return
    where = f"type = 'table' AND name = '{table}'"
    sql = bind.execute(sa.text(f"SELECT sql FROM sqlite_master WHERE {where}")).scalar()
    if sql is None or sql.count(f"CONSTRAINT {name} CHECK ({old})") != 1:
        raise RuntimeError(f"{table}'s CREATE TABLE does not hold the check {name} ({old}) once: {sql!r}")
    version = int(bind.execute(sa.text("PRAGMA schema_version")).scalar_one())
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(
        sa.text(f"UPDATE sqlite_master SET sql = :sql WHERE {where}"),
        {"sql": sql.replace(f"CONSTRAINT {name} CHECK ({old})", f"CONSTRAINT {name} CHECK ({new})")},
    )
    bind.execute(sa.text(f"PRAGMA schema_version = {version + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))
    problems = bind.execute(sa.text("PRAGMA quick_check")).scalars().all()
    if problems != ["ok"]:
        raise RuntimeError(f"the database failed its check after changing {table}.{name}: {problems}")
