"""qa_reviews: quality-assurance scores (0-100) of agents' contacts and cases

Revision ID: 0007_qa_reviews
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_qa_reviews"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "qa_reviews",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("contact_id", _ID, nullable=True),
        sa.Column("case_id", _ID, nullable=True),
        sa.Column("agent_id", _ID, nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint("score BETWEEN 0 AND 100", name=op.f("ck_qa_reviews_score_range")),
        sa.CheckConstraint("contact_id IS NOT NULL OR case_id IS NOT NULL",
                           name=op.f("ck_qa_reviews_reviews_something")),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_qa_reviews_agent_id_agents")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_qa_reviews_case_id_cases")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_qa_reviews_contact_id_contacts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_reviews")),
    )
    with op.batch_alter_table("qa_reviews") as batch:
        batch.create_index(batch.f("ix_qa_reviews_case_id"), ["case_id"], unique=False)
        batch.create_index(batch.f("ix_qa_reviews_contact_id"), ["contact_id"], unique=False)
        batch.create_index(batch.f("ix_qa_reviews_reviewed_at"), ["reviewed_at"], unique=False)
        batch.create_index("ix_qa_reviews_agent_reviewed", ["agent_id", "reviewed_at"], unique=False)


def downgrade() -> None:
    op.drop_table("qa_reviews")
