"""helpdesk core: users, sessions, API tokens, audit log, case notes, status history, merges

Revision ID: 0003_helpdesk_core
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_helpdesk_core"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column:
    return sa.Column("id", BigId, autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        "users",
        _id(),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("agent_id", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("role IN ('agent','lead','manager','admin')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_users_agent_id_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("agent_id", name=op.f("uq_users_agent_id")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "user_teams",
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("team_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["org_units.id"], name=op.f("fk_user_teams_team_id_org_units"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_teams_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "team_id", name=op.f("pk_user_teams")),
    )
    for table in ("user_sessions", "api_tokens"):
        extra = (
            [sa.Column("csrf_token", sa.String(length=64), nullable=False),
             sa.Column("created_at", sa.DateTime(), nullable=False),
             sa.Column("expires_at", sa.DateTime(), nullable=False)]
            if table == "user_sessions" else
            [sa.Column("name", sa.String(length=100), nullable=False),
             sa.Column("prefix", sa.String(length=16), nullable=False),
             sa.Column("created_at", sa.DateTime(), nullable=False),
             sa.Column("expires_at", sa.DateTime(), nullable=True),
             sa.Column("last_used_at", sa.DateTime(), nullable=True),
             sa.Column("revoked_at", sa.DateTime(), nullable=True)]
        )
        op.create_table(
            table,
            _id(),
            sa.Column("user_id", BigId, nullable=False),
            sa.Column("secret_hash", sa.String(length=64), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("secret_hash", name=op.f(f"uq_{table}_secret_hash")),
        )
        op.create_index(op.f(f"ix_{table}_user_id"), table, ["user_id"], unique=False)

    op.create_table(
        "audit_log",
        _id(),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", BigId, nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_user_id"), "audit_log", ["user_id"], unique=False)
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"], unique=False)

    op.create_table(
        "case_notes",
        _id(),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("author_id", BigId, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_case_notes_author_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index(op.f("ix_case_notes_case_id"), "case_notes", ["case_id"], unique=False)

    op.create_table(
        "case_status_changes",
        _id(),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("to_category", sa.String(length=16), nullable=False),
        sa.Column("user_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_status_changes_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_status_changes_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_status_changes")),
    )
    op.create_index(op.f("ix_case_status_changes_case_id"), "case_status_changes", ["case_id"], unique=False)

    op.create_table(
        "case_merges",
        _id(),
        sa.Column("source_case_id", BigId, nullable=False),
        sa.Column("target_case_id", BigId, nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(["source_case_id"], ["cases.id"],
                                name=op.f("fk_case_merges_source_case_id_cases"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["target_case_id"], ["cases.id"],
                                name=op.f("fk_case_merges_target_case_id_cases"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_case_merges_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_merges")),
        sa.UniqueConstraint("source_case_id", name=op.f("uq_case_merges_source_case_id")),
    )
    op.create_index(op.f("ix_case_merges_target_case_id"), "case_merges", ["target_case_id"], unique=False)
    op.create_index("ix_cases_agent_status", "cases", ["assigned_agent_id", "status_category"], unique=False)
    op.create_index("ix_cases_team_id_id", "cases", ["team_id", "id"], unique=False)
    op.create_index("ix_cases_team_category_id", "cases", ["team_id", "status_category", "id"], unique=False)


def downgrade() -> None:
    for index in ("ix_cases_team_category_id", "ix_cases_team_id_id", "ix_cases_agent_status"):
        op.drop_index(index, table_name="cases")
    for table in ("case_merges", "case_status_changes", "case_notes", "audit_log", "api_tokens",
                  "user_sessions", "user_teams", "users"):
        op.drop_table(table)
