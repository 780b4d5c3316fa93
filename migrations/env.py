"""Alembic environment: the engine comes from kam (`config.attributes["engine"]`)."""

from __future__ import annotations

from alembic import context

from workflow.records.models import Base

engine = context.config.attributes.get("engine")
if engine is None:
    raise SystemExit("migrations need an engine: use `kam init` or `python -m migrations --db URL`")

with engine.connect() as connection:
    # render_as_batch lets ALTER TABLE work on SQLite in later revisions.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
