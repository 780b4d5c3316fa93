"""the roster of people (users), their public keys, and signed sign-offs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Who may sign (issue 13). `users` is the roster: each person's name (normalized)
and the key names are compared by, the departments they sign for, their role
(manager, reviewer or admin), the PostgreSQL role they connect as, and whether
they are enabled; `user_keys` holds the Ed25519 public keys reviewers sign
with, each valid from its registration until the next. Both are kept in the
ledger (subject "user"). A sign-off may now carry a signature over its
canonical statement: the signature, its format, the key's fingerprint and
what was signed of the contract review (its sha256 and contract number).
New tables and nullable columns only: an existing database has an empty
roster, which leaves everything as it was until the first `kam user add`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SIGNATURE_COLUMNS = ("signature", "statement_version", "key_fingerprint", "review_sha256", "contract_no")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("login", sa.String(length=63), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key", name="uq_users_name_key"),
        sa.UniqueConstraint("login", name="uq_users_login"),
    )
    op.create_table(
        "user_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=60), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_key", name="uq_user_keys_public_key"),
    )
    op.create_index("ix_user_keys_user_id", "user_keys", ["user_id"])
    with op.batch_alter_table("signoffs") as batch:
        batch.add_column(sa.Column("signature", sa.Text(), nullable=True))
        batch.add_column(sa.Column("statement_version", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("key_fingerprint", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("review_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("contract_no", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signoffs") as batch:
        for column in reversed(SIGNATURE_COLUMNS):
            batch.drop_column(column)
    op.drop_index("ix_user_keys_user_id", table_name="user_keys")
    op.drop_table("user_keys")
    op.drop_table("users")
