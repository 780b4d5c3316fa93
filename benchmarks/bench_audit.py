"""`kam audit verify` over 100,000 opportunities with 10 % of the sign-offs signed (issue 13).

Target: under 10 s. The fixture is bench_pipeline's (100,000 opportunities as a real funnel,
their documents, history chains and sign-offs with their history rows), made whole as `kam
import` would leave it (derived contract numbers, the accounts' ledger rows, no deal on hold
without its history row), so that the audit passes and checks everything; plus a roster: the four reviewers the
fixture's sign-offs name, each with an Ed25519 key registered (in the ledger), and one
sign-off in ten signed with that key over its canonical statement, as
`kam review approve --sign-with` stores it. The figure is the median wall time of 3 runs
of `kam --json audit verify` as its own process and its peak memory, with the number of
signatures it checked. KAM_BENCH_N changes the number of opportunities; KAM_BENCH_PG=0
skips PostgreSQL.

The fixture is then taken back to schema 0009 and upgraded with `kam init` (timed: migration
0010 writes one baseline history row per opportunity), as an existing database is: the
fixture's bulk rows (ratings, quantities set without their history rows) are what kam before
0010 could leave, and the audit, which since 0010 replays every fact of an opportunity from its
history, must find the upgraded database intact.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import bench_pipeline as fixture

SIGNED_SHARE = 10  # one sign-off in ten is signed


def sign_tenth(url: str) -> int:
    """Put the fixture's reviewers on the roster with a key each, and sign one sign-off in ten; returns how many."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from sqlalchemy import bindparam, select, update

    from workflow.operations import roster
    from workflow.operations.derived import rebuild_derived
    from workflow.records import ledger, tables
    from workflow.records.db import Database
    from workflow.rules import signatures
    from workflow.rules.compliance import REVIEW
    from workflow.rules.process import load_process

    process = load_process()
    db = Database(url)
    S, D = tables.signoffs.c, tables.documents.c
    signed = 0
    try:
        with db.write() as s:
            connection = s.connection()
            # what kam import derives from the rows it loads (contract numbers, last activity, plans)
            rebuild_derived(connection)
            # the fixture puts one deal in 97 on hold without the history row of a hold: take them off hold
            connection.execute(update(tables.opportunities).values(on_hold=False))
            # the fixture's accounts were bulk-inserted: their ledger rows, as kam account import writes them
            accounts = connection.execute(select(tables.accounts).order_by(tables.accounts.c.id)).all()
            ledger.record_new(connection, "account", accounts, actor="bench", action="import")
            roster.add_user(connection, process, "管理员", actor="bench")
            keys: dict[str, signatures.PrivateKey] = {}
            for number, department in enumerate(process.departments):
                name = f"审核 {department}"
                roster.add_user(connection, process, name, actor="管理员", role="reviewer", departments=[department])
                private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes([number + 1]) * 32)
                line = private.public_key().public_bytes(
                    serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
                )
                roster.register_key(connection, name, signatures.load_public_key(line.decode(), name), actor="管理员")
                keys[name] = signatures.PrivateKey(private, name)
            # the keys were registered now; the fixture's sign-offs are older: date the keys before them
            connection.execute(
                update(tables.user_keys).values(
                    created_at=select(tables.signoffs.c.at).order_by(S.at).limit(1).scalar_subquery()
                )
            )

            for key_id in [row[0] for row in connection.execute(select(tables.user_keys.c.id))]:
                ledger.record(connection, "user_key", key_id, actor="管理员", action="user-key")
            shas = {
                (opp, version): sha
                for opp, version, sha in connection.execute(
                    select(D.opportunity_id, D.version, D.sha256).where(D.kind == REVIEW)
                )
            }
            rows = connection.execute(select(tables.signoffs).where(S.id % SIGNED_SHARE == 0).order_by(S.id)).all()
            updates: list[dict[str, Any]] = []
            for r in rows:
                sha = shas[(r.opportunity_id, r.review_version)]
                statement = signatures.statement(
                    opportunity_id=r.opportunity_id, contract_no=None, review_version=r.review_version, review_sha256=sha,
                    department=r.department, reviewer=r.reviewer, decision=r.decision, comment=r.comment, at=r.at,
                )  # fmt: skip
                key = keys[r.reviewer]
                updates.append({
                    "row_id": r.id, "signature": signatures.sign(key, statement), "statement_version": signatures.STATEMENT_VERSION,
                    "key_fingerprint": signatures.fingerprint(key.public), "review_sha256": sha, "contract_no": None,
                })  # fmt: skip
            statement_ = (
                update(tables.signoffs)
                .where(S.id == bindparam("row_id"))
                .values(
                    signature=bindparam("signature"), statement_version=bindparam("statement_version"),
                    key_fingerprint=bindparam("key_fingerprint"), review_sha256=bindparam("review_sha256"),
                    contract_no=bindparam("contract_no"),
                )
            )  # fmt: skip
            for start in range(0, len(updates), 5_000):
                connection.execute(statement_, updates[start : start + 5_000])
            signed = len(updates)
    finally:
        db.dispose()
    return signed


def back_to_0009(url: str) -> None:
    """Take the fixture's schema back to 0009 (what an existing database is before migration 0010)."""
    from alembic import command

    from migrations import config
    from workflow.records.db import Database

    db = Database(url)
    try:
        command.downgrade(config(db.engine), "0009")
    finally:
        db.dispose()


def _run(label: str, url: str) -> None:
    counts = fixture.generate(url)
    signed = sign_tenth(url)
    env = dict(os.environ, KAM_DATABASE_URL=url, KAM_USER="bench")
    back_to_0009(url)
    migrate, migrate_cpu, migrate_peak = fixture._measure([*fixture._kam(), "init"], env, runs=1, warm_up=False)
    print(f"[{label}] kam init, 0009 → 0010: {migrate:.2f} s wall ({migrate_cpu:.2f} s CPU), peak {migrate_peak:.0f} MB", flush=True)
    wall, cpu, peak = fixture._measure([*fixture._kam(), "--json", "audit", "verify"], env, runs=3)
    out = subprocess.run(
        [*fixture._kam(), "--json", "audit", "verify"], env=env, capture_output=True, text=True, check=False
    )
    data = json.loads(out.stdout)
    print(
        f"[{label}] kam audit verify: {wall:.2f} s wall ({cpu:.2f} s CPU), peak {peak:.0f} MB; "
        f"{counts['opportunities']:,} opportunities, {data['checked']:,} history rows, {counts['signoffs']:,} sign-offs, "
        f"{data['signatures']:,} signatures checked ({signed:,} signed); problems: {len(data['signature_problems'])}; "
        f"ok: {data['ok']} (target < 10 s)",
        flush=True,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _run("sqlite", f"sqlite:///{Path(tmp) / 'audit.sqlite3'}")
    if os.environ.get("KAM_BENCH_PG") == "0":
        return
    try:
        url = fixture._pg_schema()
    except Exception as exc:  # the reason is printed instead of the figures
        print(f"[postgresql] skipped: server not reachable ({exc})")
        return
    try:
        _run("postgresql", url)
    finally:
        import psycopg

        with psycopg.connect(fixture.PG_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            for schema in fixture._SCHEMAS:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
