"""Rooms: a personal flag (a private room made for one browser) and when the room was last used.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add rooms.personal (false for existing rooms) and rooms.last_active_at (from the latest event)."""
    # Plain ADD COLUMN on both databases (a constant default: SQLite need not copy the table).
    op.add_column("rooms", sa.Column("personal", sa.Boolean, nullable=False, server_default="0"))
    op.add_column("rooms", sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE rooms SET last_active_at = COALESCE("
        "(SELECT MAX(events.at) FROM events WHERE events.room_id = rooms.id), rooms.created_at)"
    )


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("rooms") as batch:
        batch.drop_column("last_active_at")
        batch.drop_column("personal")
