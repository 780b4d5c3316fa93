"""The migrations and the models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from migrations import HEAD, heads
from workflow.db import Database
from workflow.models import Base


def test_head_constant_is_alembics_head() -> None:
    assert heads() == [HEAD]


def test_models_match_the_migrated_schema(db: Database) -> None:
    db.upgrade()
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_init_upgrades_an_older_database(kam, db_url: str) -> None:  # type: ignore[no-untyped-def]
    from migrations import upgrade

    db = Database(db_url)
    upgrade(db.engine, "0001")
    assert db.current_revision() == "0001"
    assert kam("account", "list").exit_code == 1  # an outdated schema asks for kam init
    result = kam.json("init")
    assert (result["from"], result["to"]) == ("0001", HEAD)
    assert kam("account", "list").exit_code == 0
