"""Migration 0028 on a SQLite database holding disputes: the column is added in place, every dispute and
everything hanging off its call survives the upgrade and the downgrade, and an old dispute reads NULL
(argues for a pass)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from models import make_engine
from models.migrate import alembic_config, upgrade_database


def _counts(conn: sa.Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in ("calls", "disputes", "reviews", "item_verdicts")
    )


def test_disputes_keep_their_rows_through_upgrade_and_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0027")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO calls (id, language, started_at, status, created_at) "
                "VALUES (1, 'en', '2026-11-01', 'done', '2026-11-01')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO reviews (id, call_id, state, severity, reasons, sampled, flagged_at) "
                "VALUES (1, 1, 'done', 1, '[]', 0, '2026-11-01')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO item_verdicts (review_id, item, machine_passed, human_passed, comment, at) "
                "VALUES (1, 'greeting', 0, 0, 'no company name', '2026-11-01')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO disputes (call_id, item, comment, state, resolution, created_at) "
                "VALUES (1, 'greeting', 'I said it', 'open', '', '2026-11-02')"
            )
        )
    engine.dispose()

    upgrade_database(url, "0028")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert _counts(conn) == (1, 1, 1, 1)
        assert conn.execute(sa.text("SELECT comment, wanted_passed FROM disputes")).one() == (
            "I said it",
            None,
        )
    engine.dispose()

    command.downgrade(alembic_config(url), "0027")
    engine = make_engine(url)
    with engine.connect() as conn:
        assert _counts(conn) == (1, 1, 1, 1)
        columns = {c["name"] for c in sa.inspect(conn).get_columns("disputes")}
        assert "wanted_passed" not in columns and "comment" in columns
    engine.dispose()
