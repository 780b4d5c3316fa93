"""A value of the wrong type written into the database outside kam (issue 12).

SQLite keeps whatever a direct write puts in a column: `created_at = created_at + 1` leaves an integer where a
date and time belongs, and every command that read it used to end in "internal error: TypeError: fromisoformat".
Now each refuses (exit 1) naming the table, the column, the row and what was found; a bug that raises the same
exception over a clean database is still an internal error (nothing mistyped is found there).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import fill

from workflow.records.db import Database, mistyped

# (what a direct write did, the column it names)
DAMAGE = [
    ("UPDATE opportunities SET created_at = created_at + 1", "opportunities.created_at"),
    ("UPDATE opportunities SET stage_entered_at = '2026-13-45 25:00:00'", "opportunities.stage_entered_at"),
    ("UPDATE opportunities SET expected_close = 20261231", "opportunities.expected_close"),
    ("UPDATE opportunities SET quantity = 'twenty'", "opportunities.quantity"),
    ("UPDATE opportunities SET budget = 'a lot'", "opportunities.budget"),
    ("UPDATE opportunities SET on_hold = 7", "opportunities.on_hold"),
    ("UPDATE documents SET data = '{not json'", "documents.data"),
    ("UPDATE events SET at = x'00ff'", "events.at"),
]


@pytest.fixture
def dealt(kam, db: Database, deal: int) -> Path:
    fill(db, deal, "phone-invite-feedback")
    assert kam("opp", "edit", str(deal), "--budget", "100", "--expected-close", "2027-01-31").exit_code == 0
    db.dispose()
    return Path(db.url.split("///", 1)[1])


@pytest.mark.parametrize(("sql", "column"), DAMAGE, ids=[c for _, c in DAMAGE])
def test_a_mistyped_value_is_refused_naming_its_cell(kam, dealt: Path, sql: str, column: str) -> None:
    """`audit verify` fails; any other command reads on (a text where a number was is shown as it is) or refuses
    naming the cell, never an internal error."""
    with sqlite3.connect(dealt) as connection:
        connection.execute(sql)
    audit = kam("audit", "verify")
    assert audit.exit_code == 1, audit.output
    assert (column in audit.output and "written outside kam" in audit.output) or "altered outside kam" in audit.output
    refused = 0
    for command in (("opp", "show", "1"), ("opp", "list"), ("doc", "list", "1"), ("report", "pipeline"), ("schedule",),
                    ("export", str(dealt.parent / "e.json"), "--force")):
        result = kam(*command)
        assert "internal error" not in result.output, (command, result.output)
        if result.exit_code:
            assert result.exit_code == 1 and column in result.output and "written outside kam" in result.output, (
                command,
                result.output,
            )
            refused += 1
    if refused:
        assert column in kam("opp", "show", "1", lang="zh").output


def test_a_mistyped_value_is_shown_in_its_sql_spelling(kam, dealt: Path) -> None:
    with sqlite3.connect(dealt) as connection:
        connection.execute("UPDATE events SET at = x'00ff'")
    assert "“x'00ff'” (blob) in events.at" in kam("opp", "show", "1").output


def test_a_clean_database_has_nothing_mistyped(db: Database, deal: int) -> None:
    fill(db, deal, "phone-invite-feedback")
    with db.connect() as connection:
        assert mistyped(connection) is None


def test_a_bug_over_a_clean_database_stays_an_internal_error(db: Database, deal: int) -> None:
    """The scan runs only to explain a failed read; it finds nothing here, so the TypeError is not hidden."""
    with pytest.raises(TypeError), db.read():
        raise TypeError("a bug")


def test_json_columns_read_back_the_same_values_as_the_standard_parser() -> None:
    """JSON columns are parsed by orjson on SQLite, falling back to the standard parser for what orjson refuses."""
    import json
    import math

    from workflow.records.db import _json_loads

    for text in ('{"b": [1, 2.5, "汉字", null, true], "a": {"x": "\\u2028"}}', "123456789012345678901234567890", "[]"):
        assert _json_loads(text) == json.loads(text)
    assert math.isnan(_json_loads("NaN"))
    with pytest.raises(ValueError):
        _json_loads("{not json")
    for big in ("18446744073709551616", "-9223372036854775809", '{"n": 12345678901234567890123}'):
        assert _json_loads(big) == json.loads(big) and type(_json_loads(big)) is type(json.loads(big))
