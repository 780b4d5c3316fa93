"""a contract that stays signed: its number held by one opportunity, amendments, contacts removed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Issue 14: the same contract number was accepted on two deals, and a signed
contract could be changed by filling a new version. `opportunities.contract_no`
is the number of the opportunity's newest contract review, unique across
opportunities (the database refuses a second holder, also when two managers
fill at once); `opportunities.amending_since` is set while an amendment (合同变更)
of a signed contract is under review. Both are derived (from the documents and
the history): not exported, rebuilt on import, checked by `kam audit verify`.

`contacts.removed_at` hides a contact that left (kept, and in the ledger).

An existing database gets each opportunity's number from its newest contract
review; when two already share one, the first opportunity keeps it and the
other's next contract review must use a new number.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def number_key(number: str) -> str:
    """As `workflow.rules.contract.number_key` at this revision: the number, or the hash of one over 100 characters."""
    number = number.strip()
    return number if len(number) <= 100 else "sha256:" + hashlib.sha256(number.encode("utf-8")).hexdigest()


def upgrade() -> None:
    op.add_column("opportunities", sa.Column("contract_no", sa.String(length=100), nullable=True))
    op.add_column("opportunities", sa.Column("amending_since", sa.DateTime(), nullable=True))
    op.add_column("contacts", sa.Column("removed_at", sa.DateTime(), nullable=True))
    bind = op.get_bind()
    documents = sa.table(
        "documents",
        sa.column("opportunity_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("version", sa.Integer),
        sa.column("data", sa.JSON),
    )
    newest: dict[int, tuple[int, str]] = {}
    for opp_id, version, data in bind.execute(
        sa.select(documents.c.opportunity_id, documents.c.version, documents.c.data).where(
            documents.c.kind == "contract-review"
        )
    ):
        number = number_key(str(data.get("contract_no") or "")) if isinstance(data, dict) else ""
        if number and (opp_id not in newest or newest[opp_id][0] < version):
            newest[opp_id] = (version, number)
    taken: set[str] = set()
    for opp_id in sorted(newest):
        number = newest[opp_id][1]
        if number in taken:
            continue
        taken.add(number)
        bind.execute(sa.text("UPDATE opportunities SET contract_no = :no WHERE id = :id"), {"no": number, "id": opp_id})
    op.create_index("uq_opportunities_contract_no", "opportunities", ["contract_no"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_opportunities_contract_no", table_name="opportunities")
    op.drop_column("contacts", "removed_at")
    op.drop_column("opportunities", "amending_since")
    op.drop_column("opportunities", "contract_no")
