"""Alembic environment: runs the store's migrations on the connection the store hands over (no alembic.ini)."""

from alembic import context

from store.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes one
    raise RuntimeError("store migrations run through store.db.upgrade(), which passes a connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
