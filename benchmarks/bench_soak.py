"""Operations per second with 8 writer processes on the same deals, on SQLite and on PostgreSQL.

The same run as `tests/test_soak.py` (tests/soak.py), at benchmark size, with
its correctness check: a figure is printed only with "nothing lost".
KAM_BENCH_SOAK_OPS sets the operations per writer (default 300);
KAM_TEST_PG_URL the server (default the local test server; skipped if down).
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 8
OPPORTUNITIES = 6
PG_URL = os.environ.get("KAM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def run(label: str, url: str, folder: Path, ops: int) -> None:
    from soak import check, soak

    result = soak(url, workers=WORKERS, ops=ops, opportunities=OPPORTUNITIES, folder=folder, seed=7)
    problems = check(url, result)
    refused = sum(o.refused for o in result.outcomes)
    conflicts = sum(o.conflicts for o in result.outcomes)
    verdict = "nothing lost, nothing doubled, every chain verified" if not problems else f"PROBLEMS: {problems[:3]}"
    print(
        f"{label:<11} {WORKERS} writers x {ops} ops: {result.operations / result.seconds:6.1f} ops/s attempted, "
        f"{result.applied / result.seconds:6.1f} ops/s applied ({result.applied} applied, {refused} refused by a guard, "
        f"{conflicts} lost a race) in {result.seconds:.1f} s; {verdict}"
    )


def _pg_schema() -> tuple[str, str] | None:
    try:
        import psycopg

        plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        schema = f"kam_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(plain, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        return plain, schema
    except Exception as exc:
        print(f"PostgreSQL  skipped: {exc}")
        return None


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    ops = int(os.environ.get("KAM_BENCH_SOAK_OPS", "300"))
    print(f"({os.cpu_count()} CPUs; each operation is one CLI-equivalent transaction: read the version, then write)")
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/kam.sqlite3", Path(tmp), ops)
    pg = _pg_schema()
    if pg:
        plain, schema = pg
        try:
            with tempfile.TemporaryDirectory() as tmp:
                sep = "&" if "?" in PG_URL else "?"
                run("PostgreSQL", f"{PG_URL}{sep}options=-csearch_path%3D{schema}", Path(tmp), ops)
        finally:
            import psycopg

            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
