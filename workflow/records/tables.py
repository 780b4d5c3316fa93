"""The schema as SQLAlchemy Core tables: what reads need, without the ORM.

accounts ─< contacts
accounts ─< opportunities ─< documents (versions never change) ─< renders
                           ─< events   (append-only history, hash-chained per opportunity)
                           ─< signoffs (departmental reviews of a contract-review version)
                           ─< followups (return visits and other follow-ups recorded as done)
                           ─< planned_followups (derived from the latest service plan, for the schedule)
                           ─< receivables (derived: the signed contract's payment milestones and money received)
                           ─< attachments (files: photos, tender documents, signed scans) >─ blobs
company  (the letterhead: one row) >─ blobs (its logo)
blobs    (file contents, stored once per sha256)
ledger   (append-only history of what is not an opportunity: an account and its contacts..., hash-chained per subject)
meta     (facts about the database itself: its id)
users    (the roster: people, departments, roles) ─< user_keys (their Ed25519 public keys)

`workflow.records.models` maps its classes onto these tables, so the schema is declared
once. The reports (`kam report pipeline`, `kam schedule`) query these tables
directly and never import `sqlalchemy.orm`: about 0.15 s of start-up saved on
every run (the ORM import plus mapping eight classes).

Times are stored as naive UTC so the same instant hashes the same on SQLite and PostgreSQL.
Migrations (`migrations/versions`) create these tables; a test keeps both in step.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


metadata = MetaData()


def _id() -> Column:
    return Column("id", Integer, primary_key=True)


def _created_at() -> Column:
    return Column("created_at", DateTime(), nullable=False, default=utcnow)


accounts = Table(
    "accounts",
    metadata,
    _id(),
    Column("name", String(200), nullable=False, unique=True),
    Column("type", String(20)),  # government | enterprise | individual
    Column("size", String(10)),  # large | medium | small (enterprises)
    Column("class", String(1)),  # A | B | C (the ORM attribute is account_class)
    Column("market", String(20)),  # local | domestic | international
    Column("industry", String(100)),
    Column("fleet_size", Integer),
    Column("main_brands", String(200)),
    Column("region", String(100)),
    Column("address", String(300)),
    Column("reviewed_at", DateTime()),  # stable data last confirmed (seed 000: quarterly)
    Column("created_by", String(100), nullable=False, default=""),
    _created_at(),
    Column("updated_at", DateTime(), nullable=False, default=utcnow, onupdate=utcnow),
)

contacts = Table(
    "contacts",
    metadata,
    _id(),
    Column("account_id", ForeignKey("accounts.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("department", String(100)),
    Column("title", String(100)),
    Column("role", String(200)),  # free text: 最终拍板人, 技术选型决策人...
    Column("influence", String(10)),  # high | medium | low
    Column("stance", String(10)),  # supporter | neutral | opponent | unknown
    Column("phone", String(50)),
    Column("created_by", String(100), nullable=False, default=""),
    _created_at(),
    Column("removed_at", DateTime()),  # hidden from lists (kam contact remove), kept with its history (migration 0007)
)

opportunities = Table(
    "opportunities",
    metadata,
    _id(),
    Column("account_id", ForeignKey("accounts.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("owner", String(100), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("stage_entered_at", DateTime(), nullable=False, default=utcnow),
    Column("lost_from", String(40)),
    Column("lost_reason", String(20)),
    Column("lost_note", Text),
    Column("on_hold", Boolean, nullable=False, default=False),
    Column("hold_reason", Text),
    Column("quantity", Integer),
    Column("budget", Numeric(14, 2)),
    # 元: the contract total once signed, else the negotiated, proposed or budgeted (derived: `operations.payments`)
    Column("amount", Numeric(16, 2)),
    Column("expected_close", Date()),
    Column("relationship_level", Integer),  # 客情关系等级 1-4
    Column("relationship_assessed_at", DateTime()),
    Column("heat", Integer),  # 成交热度 30/50/70/90 (%)
    Column("heat_assessed_at", DateTime()),
    Column("signed_at", DateTime()),
    Column("created_by", String(100), nullable=False, default=""),
    _created_at(),
    Column("updated_at", DateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    # The time of the newest history row, kept by `records.chain.append` (derived: not exported, checked by the audit).
    Column("last_activity_at", DateTime(), nullable=False, default=utcnow),
    # Optimistic locking: `records.queries.write` checks and bumps it, so a stale writer fails instead of overwriting.
    Column("version", Integer, nullable=False, default=1),
    # The number of the newest contract review, held by one opportunity only; set when a contract review is filled
    # (derived: not exported, rebuilt on import, checked by the audit; migration 0007).
    Column("contract_no", String(100)),
    # While an amendment (合同变更) of the signed contract is under review: when it was opened (derived from the
    # history like the stage: `amend` opens it, `amended` closes it; migration 0007).
    Column("amending_since", DateTime()),
    Index("uq_opportunities_contract_no", "contract_no", unique=True),
    Index("ix_opportunities_stage_owner", "stage", "owner"),
    # covers every column the pipeline report aggregates (migration 0002)
    Index(
        "ix_opportunities_pipeline", "stage", "lost_from", "owner", "quantity", "heat", "on_hold", "stage_entered_at"
    ),
    # the stalled list of the pipeline report (migration 0003)
    Index("ix_opportunities_activity", "stage", "last_activity_at", "owner"),
)

documents = Table(
    "documents",
    metadata,
    _id(),
    Column("opportunity_id", ForeignKey("opportunities.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("data", JSON, nullable=False),
    Column("author", String(100), nullable=False),
    _created_at(),
    Column("sha256", String(64), nullable=False),  # of the canonical JSON of data
    UniqueConstraint("opportunity_id", "kind", "version", name="uq_documents_version"),
)

renders = Table(
    "renders",
    metadata,
    _id(),
    Column("document_id", ForeignKey("documents.id"), nullable=False, index=True),
    Column("lang", String(2), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("path", String(500)),
    Column("actor", String(100), nullable=False),
    _created_at(),
)

events = Table(
    "events",
    metadata,
    _id(),
    Column("opportunity_id", ForeignKey("opportunities.id"), nullable=False),
    Column("seq", Integer, nullable=False),  # 1, 2, 3... within the opportunity
    Column("at", DateTime(), nullable=False, default=utcnow),
    Column("actor", String(100), nullable=False),
    Column("action", String(20), nullable=False),  # create | transition | document | signoff | rating | followup
    Column("trigger", String(40)),
    Column("from_stage", String(40)),
    Column("to_stage", String(40)),
    Column("reason", Text),
    Column("documents", JSON),  # {kind: version} that satisfied the guard
    Column("detail", JSON),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("opportunity_id", "seq", name="uq_events_seq"),
    Index("ix_events_opportunity_at", "opportunity_id", "at"),  # last activity per opportunity (migration 0002)
)

signoffs = Table(
    "signoffs",
    metadata,
    _id(),
    Column("opportunity_id", ForeignKey("opportunities.id"), nullable=False, index=True),
    Column("department", String(40), nullable=False),
    Column("reviewer", String(100), nullable=False),
    Column("decision", String(10), nullable=False),  # approve | reject
    Column("comment", Text),
    Column("review_version", Integer, nullable=False),  # the contract-review version it applies to
    Column("at", DateTime(), nullable=False, default=utcnow),
    # a signed sign-off (issue 13, migration 0007): the Ed25519 signature over `rules.signatures.statement`, its
    # format, the key that signed, and what it signed of the review (its sha256 and contract number)
    Column("signature", Text),
    Column("statement_version", String(20)),
    Column("key_fingerprint", String(60)),
    Column("review_sha256", String(64)),
    Column("contract_no", Text),
)

followups = Table(
    "followups",
    metadata,
    _id(),
    Column("opportunity_id", ForeignKey("opportunities.id"), nullable=False),
    Column("kind", String(30), nullable=False),  # return-visit | training | business-meeting | ...
    Column("due_date", Date(), nullable=False),
    Column("done_on", Date(), nullable=False),
    Column("note", Text),
    Column("found", Text),  # what the visit found
    Column("actor", String(100), nullable=False),
    _created_at(),
    Index("ix_followups_opp_due", "opportunity_id", "due_date"),
)

# A follow-up the latest service plan sets within the default horizon, and whether it is done.
# Derived (not exported, rebuilt on import): written when a service plan is stored, marked done
# when the follow-up is recorded. `kam schedule` reads the open ones by date from one index
# instead of recomputing every plan (migration 0004).
# One row per payment milestone of a signed contract, with what has been received on it (derived from the
# contract in force and the `payment` history rows: `operations.payments`; not exported, rebuilt on import).
receivables = Table(
    "receivables",
    metadata,
    _id(),
    Column("opportunity_id", ForeignKey("opportunities.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("milestone", String(200), nullable=False),
    Column("percent", Numeric(9, 4), nullable=False),
    Column("due", Date()),
    Column("amount", Numeric(16, 2), nullable=False),
    Column("received", Numeric(16, 2), nullable=False),
    UniqueConstraint("opportunity_id", "seq", name="uq_receivables"),
    Index("ix_receivables_due", "due"),
)

planned_followups = Table(
    "planned_followups",
    metadata,
    _id(),
    Column("opportunity_id", ForeignKey("opportunities.id"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("due_date", Date(), nullable=False),
    Column("detail", Text, nullable=False, default=""),  # the training audience, the holiday
    Column("done", Boolean, nullable=False, default=False),
    UniqueConstraint("opportunity_id", "kind", "due_date", name="uq_planned_followups"),
    Index("ix_planned_followups_open", "done", "due_date"),
)

# The history of everything a user or the gate relies on that is not an opportunity (an account and its
# contacts; the roster; the company), hash-chained per subject like `events` per opportunity. Each row
# records one entity row's fields as kam wrote them (`records.ledger`), so `kam audit verify` catches a
# direct edit, an added or a deleted row (migration 0005).
ledger = Table(
    "ledger",
    metadata,
    _id(),
    Column("subject", String(20), nullable=False),  # account | user | company ...
    Column("subject_id", Integer, nullable=False),
    Column("seq", Integer, nullable=False),  # 1, 2, 3... within the subject
    Column("at", DateTime(), nullable=False, default=utcnow),
    Column("actor", String(100), nullable=False),
    Column("action", String(30), nullable=False),
    Column("detail", JSON, nullable=False),  # {"entity", "id", "fields", "changes"?}
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("subject", "subject_id", "seq", name="uq_ledger_seq"),
)

# Facts about the database itself: `database_id`, a random id written once when the schema is created
# (calendar UIDs and the history anchor name the database with it; backups and imports keep it).
meta = Table(
    "meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

# File contents, content-addressed: the same file attached twice (or as two opportunities' attachments) is stored
# once. Written only by `records.blobs`; `kam audit verify` re-hashes every row (migration 0006).
blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

# A file attached to an opportunity (to one of its document kinds, or to the opportunity as a whole). Recorded in
# the opportunity's history (action "attachment") with all these fields; its name is shown, never used as a path.
attachments = Table(
    "attachments",
    metadata,
    _id(),
    Column("opportunity_id", ForeignKey("opportunities.id"), nullable=False, index=True),
    Column("kind", String(40)),  # the document kind whose PDF lists it; NULL: the opportunity as a whole
    Column("name", String(255), nullable=False),
    Column("media_type", String(100), nullable=False),  # what the content is (sniffed), not what its name says
    Column("size", Integer, nullable=False),
    Column("sha256", ForeignKey("blobs.sha256"), nullable=False),
    Column("note", Text),
    Column("actor", String(100), nullable=False),
    _created_at(),
)

# The company's letterhead, one row (id 1), shared by everyone on the database; in the ledger (subject "company").
# Until it exists the documents print the built-in default.
company = Table(
    "company",
    metadata,
    _id(),
    Column("name", String(200), nullable=False),
    Column("short_name", String(100)),
    Column("department", String(100)),
    Column("address", String(300)),
    Column("phone", String(100)),
    Column("website", String(200)),
    Column("logo_sha256", ForeignKey("blobs.sha256")),  # a PNG or JPEG, checked and re-encoded when it was set
    Column("logo_type", String(20)),  # image/png | image/jpeg
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", DateTime(), nullable=False, default=utcnow, onupdate=utcnow),
)

# The roster (issue 13): who owns deals, who signs for which department, who changes the roster. One chain per
# person in the ledger (subject "user"); disabled, never deleted. Empty: no roster in use (`records.roster`).
users = Table(
    "users",
    metadata,
    _id(),
    Column("name", String(100), nullable=False),  # as people read it (`values.names.normalize_name`)
    Column("name_key", String(100), nullable=False),  # what names are compared by (`name_key`): one person, one row
    Column("departments", JSON, nullable=False),  # the process's department ids this person signs for / works in
    Column("role", String(20), nullable=False),  # manager | reviewer | admin (`forms.choices.USER_ROLE`)
    Column("login", String(63)),  # the PostgreSQL role this person connects as
    Column("email", String(200)),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_by", String(100), nullable=False),
    _created_at(),
    Column("updated_at", DateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    UniqueConstraint("name_key", name="uq_users_name_key"),
    UniqueConstraint("login", name="uq_users_login"),
)

# A reviewer's Ed25519 public key (`rules.signatures`), valid from `created_at` until the user's next key; in the
# user's ledger chain, so the key a sign-off was checked against cannot be swapped unseen.
user_keys = Table(
    "user_keys",
    metadata,
    _id(),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("public_key", String(200), nullable=False),  # "ssh-ed25519 AAAA…" without the comment
    Column("fingerprint", String(60), nullable=False),  # SHA256:… as ssh-keygen -lf prints it
    Column("created_by", String(100), nullable=False),
    _created_at(),
    UniqueConstraint("public_key", name="uq_user_keys_public_key"),
)
