"""Customers (accounts) and the people at them (contacts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.choices import ACCOUNT_CLASS, ACCOUNT_SIZE, ACCOUNT_TYPE, LEVEL, MARKET, STANCE
from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.records import ledger
from workflow.records.models import Account, Contact, utcnow
from workflow.records.queries import get_account, get_contact
from workflow.rules import values
from workflow.values.writing import as_written

EDITABLE_ACCOUNT_FIELDS = (
    "type",
    "account_class",
    "industry",
    "fleet_size",
    "size",
    "market",
    "region",
    "main_brands",
    "address",
)


def create_account(
    session: Session,
    *,
    name: str,
    type: str | None,
    account_class: str | None,
    industry: str | None,
    fleet_size: int | None,
    actor: str,
    size: str | None = None,
    market: str | None = None,
    region: str | None = None,
    main_brands: str | None = None,
    address: str | None = None,
) -> Account:
    """Register a customer (account). Names are unique."""
    name = values.required_text("name (名称)", name, limit=200)
    if session.scalar(select(Account.id).where(Account.name == name)) is not None:
        raise InvalidInput(
            t(
                f"客户「{as_written(name)}」已存在：用 kam account list 查看其编号",
                f"account “{as_written(name)}” already exists: see kam account list for its id",
            )
        )
    account = Account(
        name=name,
        type=values.choice("type", type, ACCOUNT_TYPE),
        account_class=values.choice("class", account_class, ACCOUNT_CLASS),
        industry=values.text("industry", industry, limit=100),
        fleet_size=values.count("fleet-size", fleet_size),
        size=values.choice("size", size, ACCOUNT_SIZE),
        market=values.choice("market", market, MARKET),
        region=values.text("region", region, limit=100),
        main_brands=values.text("main-brands", main_brands, limit=200),
        address=values.text("address", address, limit=300),
        reviewed_at=utcnow(),
        created_by=actor,
    )
    session.add(account)
    session.flush()
    ledger.record(session.connection(), "account", account.id, actor=actor, action="create")
    return account


def edit_account(session: Session, account_id: int, *, actor: str, reviewed: bool = False, **changes: Any) -> Account:
    """Change account fields given as keyword arguments; `reviewed` marks the data confirmed today."""
    account = get_account(session, account_id)
    checks = {
        "type": lambda v: values.choice("type", v, ACCOUNT_TYPE),
        "account_class": lambda v: values.choice("class", v, ACCOUNT_CLASS),
        "size": lambda v: values.choice("size", v, ACCOUNT_SIZE),
        "market": lambda v: values.choice("market", v, MARKET),
        "fleet_size": lambda v: values.count("fleet-size", v),
    }
    for key, value in changes.items():
        if key not in EDITABLE_ACCOUNT_FIELDS:
            raise InvalidInput(t(f"客户没有字段 {key}", f"accounts have no field {key}"))
        if value is None:
            continue
        setattr(account, key, checks.get(key, lambda v, k=key: values.text(k, v, limit=300))(value))
    if reviewed or any(v is not None for v in changes.values()):
        account.reviewed_at = utcnow()
    session.flush()
    ledger.record(session.connection(), "account", account.id, actor=actor, action="edit")
    return account


def add_contact(
    session: Session,
    account_id: int,
    name: str,
    *,
    actor: str,
    department: str | None = None,
    title: str | None = None,
    role: str | None = None,
    influence: str | None = None,
    stance: str | None = None,
    phone: str | None = None,
) -> Contact:
    """Add a person at a customer, with their part in the decision chain."""
    get_account(session, account_id)
    contact = Contact(
        account_id=account_id,
        name=values.text("name (姓名)", name, required=True, limit=100),
        department=values.text("department", department, limit=100),
        title=values.text("title", title, limit=100),
        role=values.text("role", role, limit=200),
        influence=values.choice("influence", influence, LEVEL),
        stance=values.choice("stance", stance, STANCE),
        phone=values.text("phone", phone, limit=50),
        created_by=actor,
    )
    session.add(contact)
    session.flush()
    ledger.record(session.connection(), "contact", contact.id, actor=actor, action="contact-add")
    return contact


EDITABLE_CONTACT_FIELDS = ("name", "department", "title", "role", "influence", "stance", "phone")


def edit_contact(session: Session, contact_id: int, *, actor: str, **changes: Any) -> dict[str, list[Any]]:
    """Change the contact fields given (None: unchanged; "" clears an optional one); returns {field: [old, new]}.

    The ledger records the contact as it now stands and what changed ({} and nothing recorded when nothing did).
    """
    unknown = sorted(set(changes) - set(EDITABLE_CONTACT_FIELDS))
    if unknown:
        raise InvalidInput(t(f"联系人没有字段 {unknown}", f"contacts have no field {unknown}"))
    asked = {key: value for key, value in changes.items() if value is not None}
    if not asked:
        options = ", ".join(f"--{key}" for key in EDITABLE_CONTACT_FIELDS)
        raise InvalidInput(
            t(f"没有要修改的内容：至少给出 {options} 之一", f"nothing to change: give at least one of {options}")
        )
    contact = get_contact(session, contact_id)
    if contact.removed_at is not None:
        raise InvalidInput(
            t(
                f"联系人 {contact.id}（{contact.name}）已移除，不能再修改",
                f"contact {contact.id} ({contact.name}) was removed and cannot be edited",
            )
        )
    checks: dict[str, Any] = {
        "name": lambda v: values.required_text("name (姓名)", v, limit=100),
        "influence": lambda v: values.choice("influence", v or None, LEVEL),
        "stance": lambda v: values.choice("stance", v or None, STANCE),
        "department": lambda v: values.text("department", v, limit=100),
        "title": lambda v: values.text("title", v, limit=100),
        "role": lambda v: values.text("role", v, limit=200),
        "phone": lambda v: values.text("phone", v, limit=50),
    }
    checked = {key: checks[key](value) for key, value in asked.items()}
    for key, value in checked.items():
        setattr(contact, key, value)
    session.flush()
    row = ledger.record(session.connection(), "contact", contact.id, actor=actor, action="contact-edit")
    return dict(row.detail.get("changes", {})) if row is not None else {}


def remove_contact(session: Session, contact_id: int, *, actor: str) -> Contact:
    """Hide a contact from lists (a person who left): kept, with the removal in the ledger."""
    contact = get_contact(session, contact_id)
    if contact.removed_at is not None:
        raise InvalidInput(
            t(
                f"联系人 {contact.id}（{contact.name}）已于 {contact.removed_at:%Y-%m-%d} 移除",
                f"contact {contact.id} ({contact.name}) was already removed on {contact.removed_at:%Y-%m-%d}",
            )
        )
    contact.removed_at = utcnow()
    session.flush()
    ledger.record(session.connection(), "contact", contact.id, actor=actor, action="contact-remove")
    return contact
