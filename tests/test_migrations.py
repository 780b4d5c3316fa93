"""The migrations and the models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from migrations import HEAD, heads
from workflow.records.db import Database
from workflow.records.models import Base


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


def test_0003_fills_last_activity_from_the_history(db_url: str) -> None:
    """Opportunities of an older database get the time of their newest history row (created_at without any)."""
    from sqlalchemy import text

    from migrations import upgrade

    db = Database(db_url)
    upgrade(db.engine, "0002")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO accounts (id, name, created_by, created_at, updated_at) VALUES (1, '包头鑫达物流', 't', '2026-01-01', '2026-01-01')"))
        for opp in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO opportunities (id, account_id, title, owner, stage, stage_entered_at, on_hold, created_by, created_at, updated_at, version)"
                    " VALUES (:id, 1, 't', '王磊', 'target', '2026-01-02', 0, 't', '2026-01-02 08:00:00.000000', '2026-01-02', 1)"
                ),
                {"id": opp},
            )
        for seq, at in ((1, "2026-01-02 08:00:00.000000"), (2, "2026-03-04 09:30:00.000000"), (3, "2026-02-01 10:00:00.000000")):
            conn.execute(
                text("INSERT INTO events (opportunity_id, seq, at, actor, action, prev_hash, hash) VALUES (1, :seq, :at, 't', 'note', '', '')"),
                {"seq": seq, "at": at},
            )
    upgrade(db.engine)
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, last_activity_at FROM opportunities ORDER BY id")).all()
    assert [(i, str(at)) for i, at in rows] == [(1, "2026-03-04 09:30:00.000000"), (2, "2026-01-02 08:00:00.000000")]
    db.dispose()
