"""scenarios and their runs

Revision ID: 0005_scenarios
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_scenarios"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("lever", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenarios")),
        sa.UniqueConstraint("name", name=op.f("uq_scenarios_name")),
    )
    op.create_table(
        "scenario_runs",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("scenario_id", _ID, nullable=False),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.Column("service_cost", sa.Float(), nullable=False),
        sa.Column("churn_cost", sa.Float(), nullable=False),
        sa.Column("csat", sa.Float(), nullable=False),
        sa.Column("delta_service_cost", sa.Float(), nullable=False),
        sa.Column("delta_churn_cost", sa.Float(), nullable=False),
        sa.Column("delta_csat_points", sa.Float(), nullable=False),
        sa.Column("simulation_gap", sa.Float(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scenario_id"], ["scenarios.id"],
            name=op.f("fk_scenario_runs_scenario_id_scenarios"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_runs")),
    )
    op.create_index(op.f("ix_scenario_runs_ran_at"), "scenario_runs", ["ran_at"], unique=False)
    op.create_index(
        op.f("ix_scenario_runs_scenario_id"), "scenario_runs", ["scenario_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_scenario_runs_scenario_id"), table_name="scenario_runs")
    op.drop_index(op.f("ix_scenario_runs_ran_at"), table_name="scenario_runs")
    op.drop_table("scenario_runs")
    op.drop_table("scenarios")
