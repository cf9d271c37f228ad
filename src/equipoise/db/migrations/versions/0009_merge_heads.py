"""merge the feature branches (ingest, helpdesk, scenarios, customer e-mail, QA, knowledge vectors) into one head

Revision ID: 0009_merge_heads
Revises: 0002_ingest, 0003_helpdesk_core, 0005_scenarios, 0006_customer_email, 0007_qa_reviews,
    0008_kb_embeddings (which follows 0004_helpdesk_engagement)
"""

from __future__ import annotations

revision = "0009_merge_heads"
down_revision = (
    "0002_ingest",
    "0003_helpdesk_core",
    "0005_scenarios",
    "0006_customer_email",
    "0007_qa_reviews",
    "0008_kb_embeddings",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the branches, so later migrations have one parent."""


def downgrade() -> None:
    """Nothing to undo."""
