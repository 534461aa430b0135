"""The workshop store's tables (SQLAlchemy 2.x Core metadata, shared by SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

# Fixed constraint names, so Alembic migrations can refer to them on both databases.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

CODE_LENGTH = 64  # column width; codes made here are 32 characters
NAME_LENGTH = 80
WHO_LENGTH = 40

rooms = Table(
    "rooms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(CODE_LENGTH), nullable=False, unique=True),
    Column("title", String(NAME_LENGTH), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Bumped by every change to the room: what the UI polls to know whether to reload.
    Column("revision", Integer, nullable=False, default=0),
    # Added by migration 0002.
    Column("personal", Boolean, nullable=False, default=False, server_default=false()),
    Column("last_active_at", DateTime(timezone=True), nullable=True),
)

options = Table(
    "options",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(NAME_LENGTH), nullable=False),
    Column("removed", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("room_id", "name", name="uq_options_room_name"),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("option_id", Integer, ForeignKey("options.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("scenario_json", Text, nullable=False),
    Column("proposer", String(WHO_LENGTH), nullable=False, default=""),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("option_id", "number", name="uq_versions_option_number"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("who", String(WHO_LENGTH), nullable=False, default=""),
    Column("action", String(16), nullable=False),  # save, remove, restore, import
    Column("option_name", String(NAME_LENGTH), nullable=False, default=""),
    Column("version", Integer, nullable=True),
    Index("ix_events_room_id", "room_id", "id"),
)
