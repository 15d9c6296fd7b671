"""webhook signing secrets stored sealed (encrypted under CALLQA_WEBHOOK_SECRET_KEY), not in plain text

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 23:30:00

`webhook_subscriptions.secret` (plain) becomes `secret_sealed` (`models.sealed`). Stored secrets are sealed
with the key the upgrade is given (`upgrade_database(..., webhook_secret_key=)`, from the settings); with
subscriptions stored and no key the upgrade stops before changing anything and says which setting to set.
Plain ALTERs only (the deliveries hang off this table: no batch copy).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from models.migrate import WEBHOOK_KEY
from models.sealed import KeyNeededError, SecretBox

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "webhook_subscriptions"


def _box(stored: int) -> SecretBox:
    key = context.config.attributes.get(WEBHOOK_KEY)
    if not key:
        raise KeyNeededError(
            f"{stored} webhook subscription(s) hold a signing secret: set CALLQA_WEBHOOK_SECRET_KEY (32 or "
            "more random characters, kept like a password) and run the upgrade again; it seals them with it"
        )
    return SecretBox(key)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, secret FROM {TABLE}")).all()
    box = (
        _box(len(rows)) if rows else None
    )  # before any change: a refused upgrade leaves the schema as it was
    op.add_column(TABLE, sa.Column("secret_sealed", sa.Text(), nullable=False, server_default=""))
    for row_id, secret in rows:
        assert box is not None
        bind.execute(
            sa.text(f"UPDATE {TABLE} SET secret_sealed = :sealed WHERE id = :id"),
            {"sealed": box.seal(secret), "id": row_id},
        )
    op.drop_column(TABLE, "secret")
    if bind.dialect.name != "sqlite":  # SQLite cannot drop a default without copying the table
        op.alter_column(TABLE, "secret_sealed", server_default=None)


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, secret_sealed FROM {TABLE}")).all()
    box = _box(len(rows)) if rows else None
    op.add_column(TABLE, sa.Column("secret", sa.String(length=200), nullable=False, server_default=""))
    for row_id, sealed in rows:
        assert box is not None
        bind.execute(
            sa.text(f"UPDATE {TABLE} SET secret = :plain WHERE id = :id"),
            {"plain": box.open(sealed), "id": row_id},
        )
    op.drop_column(TABLE, "secret_sealed")
    if bind.dialect.name != "sqlite":
        op.alter_column(TABLE, "secret", server_default=None)
