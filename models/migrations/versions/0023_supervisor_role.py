"""The supervisor role: 'supervisor' among the roles, and `users.team_id`, the team a supervisor leads

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 09:40:00

No table is copied (`users` has sessions, comments, history, notifications, verdicts and disputes hanging
off it; a batch copy fires their cascades: see 0009/0012). The column is added in place (SQLite: ALTER
TABLE ADD COLUMN ... REFERENCES, allowed for a column defaulting to NULL; no ON DELETE action, which
SQLAlchemy does not read back from a column's own REFERENCES clause: a team a supervisor leads cannot be
deleted). The role check is widened in place (models.migrate.replace_check: PostgreSQL drops and adds the
constraint; SQLite's stored CREATE TABLE text is edited as SQLite's documentation allows for CHECK
constraints, then every row is checked).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.migrate import replace_check

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_CHECK = "role IN ('agent', 'qa', 'admin')"
NEW_CHECK = "role IN ('agent', 'qa', 'supervisor', 'admin')"


FK = "fk_users_team_id_teams"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE users ADD COLUMN team_id INTEGER CONSTRAINT {FK} REFERENCES teams (id)")
    else:
        op.add_column("users", sa.Column("team_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "users", "teams", ["team_id"], ["id"])
    op.create_index("ix_users_team_id", "users", ["team_id"])
    replace_check(op.get_bind(), "users", "ck_users_role_valid", OLD_CHECK, NEW_CHECK)


def downgrade() -> None:
    # Deleting supervisors would cascade to their sessions and notifications: make an admin decide.
    if op.get_bind().execute(sa.text("SELECT count(*) FROM users WHERE role = 'supervisor'")).scalar():
        raise RuntimeError("supervisor users exist: change their role before downgrading below 0023")
    replace_check(op.get_bind(), "users", "ck_users_role_valid", NEW_CHECK, OLD_CHECK)
    op.drop_index("ix_users_team_id", table_name="users")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FK, "users", type_="foreignkey")
    # SQLite >= 3.35 drops a column in place (a column with a REFERENCES clause of its own may go).
    op.execute("ALTER TABLE users DROP COLUMN team_id")
