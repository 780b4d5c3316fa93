"""The company's letterhead (`kam company set`): one row in the database, shared by everyone who uses it.

Every change is a row of the ledger (subject "company"), so `kam audit verify` names a
letterhead altered outside kam; the logo's bytes are a blob whose sha256 the ledger
records, re-hashed by the audit. Until the first `set` the documents print the built-in
default (or `KAM_COMPANY`), and `kam doctor` says so.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.records import blobs, ledger, tables
from workflow.rules import files
from workflow.values.writing import safe_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session  # `kam report pipeline` reads the letterhead and never loads the ORM

COMPANY_ID = 1
C = tables.company.c

# The settings `kam company set` takes: (column, Chinese label, English label, longest accepted)
SETTINGS: tuple[tuple[str, str, str, int], ...] = (
    ("name", "公司名称", "name", 200),
    ("short_name", "简称", "short name", 100),
    ("department", "部门", "department", 100),
    ("address", "地址", "address", 300),
    ("phone", "电话", "phone", 100),
    ("website", "网址", "website", 200),
)


def current(connection: Connection) -> Any | None:
    """The stored letterhead row (None until `kam company set`)."""
    return connection.execute(select(tables.company).where(C.id == COMPANY_ID)).first()


def _setting(column: str, zh: str, en: str, limit: int, value: str) -> str | None:
    # the one rule first (it names the character and where it is), then the letterhead's stricter own
    text = " ".join(safe_text(t(zh, f"the {en}"), value).split())  # one line: no room for line breaks
    if len(text) > limit:
        raise InvalidInput(t(f"{zh}过长（最多 {limit} 字）", f"the {en} is too long (at most {limit} characters)"))
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")), None)
    if bad is not None:
        raise InvalidInput(
            t(
                f"{zh}含控制或不可见字符 U+{ord(bad):04X}：请删除后重试",
                f"the {en} holds the control or invisible character U+{ord(bad):04X}: remove it",
            )
        )
    if column == "name" and not text:
        raise InvalidInput(t("公司名称不能为空", "the company name must not be empty"))
    return text or None


def set_company(
    session: Session,
    changes: dict[str, str],
    *,
    actor: str,
    logo: tuple[bytes, str] | None = None,
    remove_logo: bool = False,
    defaults: dict[str, str | None] | None = None,
) -> Any:
    """Change the letterhead: `changes` maps setting → text ("" clears it); `logo` = (file bytes, file name).

    The first change starts from `defaults` (the letterhead printed until now). Nothing is
    written unless every value is accepted; the row and its ledger record go in one transaction.
    """
    known = {column: (zh, en, limit) for column, zh, en, limit in SETTINGS}
    values: dict[str, Any] = {}
    for column, value in changes.items():
        zh, en, limit = known[column]
        values[column] = _setting(column, zh, en, limit, value)
    if logo is not None and remove_logo:
        raise InvalidInput(t("--logo 与 --no-logo 只能选一个", "give --logo or --no-logo, not both"))
    connection = session.connection()
    if logo is not None:
        content, name = logo
        encoded, media_type = files.check_logo(content, name)
        values["logo_sha256"] = blobs.store(connection, encoded)
        values["logo_type"] = media_type
    elif remove_logo:
        values["logo_sha256"] = values["logo_type"] = None
    if not values:
        raise InvalidInput(
            t(
                "没有要修改的内容：例如 kam company set --name 名称 --address 地址 --logo 标志.png",
                "nothing to change: e.g. kam company set --name NAME --address ADDRESS --logo logo.png",
            )
        )
    values["updated_by"] = actor
    values["updated_at"] = tables.utcnow()
    if current(connection) is None:
        start = {column: value for column, value in (defaults or {}).items() if column in known}
        connection.execute(insert(tables.company).values(id=COMPANY_ID, **{**start, **values}))
        action = "company-set"
    else:
        connection.execute(update(tables.company).where(C.id == COMPANY_ID).values(**values))
        action = "company-edit"
    ledger.record(connection, "company", COMPANY_ID, actor=actor, action=action)
    return current(connection)
