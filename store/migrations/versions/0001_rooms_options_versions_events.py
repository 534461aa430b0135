"""Rooms, options, their versions and the room's event log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the four tables."""
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rooms"),
        sa.UniqueConstraint("code", name="uq_rooms_code"),
    )
    op.create_table(
        "options",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("room_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_options"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name="fk_options_room_id", ondelete="CASCADE"),
        sa.UniqueConstraint("room_id", "name", name="uq_options_room_name"),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("option_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("scenario_json", sa.Text, nullable=False),
        sa.Column("proposer", sa.String(40), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_versions"),
        sa.ForeignKeyConstraint(["option_id"], ["options.id"], name="fk_versions_option_id", ondelete="CASCADE"),
        sa.UniqueConstraint("option_id", "number", name="uq_versions_option_number"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("room_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(40), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("option_name", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name="fk_events_room_id", ondelete="CASCADE"),
    )
    op.create_index("ix_events_room_id", "events", ["room_id", "id"])


def downgrade() -> None:
    """Drop the four tables."""
    op.drop_index("ix_events_room_id", table_name="events")
    for table in ("events", "versions", "options", "rooms"):
        op.drop_table(table)
