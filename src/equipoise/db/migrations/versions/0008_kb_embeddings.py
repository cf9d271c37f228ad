"""kb_embeddings: knowledge articles' meaning vectors for semantic search (the [semantic] extra)

Revision ID: 0008_kb_embeddings
Revises: 0004_helpdesk_engagement (kb_articles)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_kb_embeddings"
down_revision = "0004_helpdesk_engagement"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_embeddings",
        sa.Column("article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_embeddings_article_id_kb_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_kb_embeddings")),
    )


def downgrade() -> None:
    op.drop_table("kb_embeddings")
