"""The roster as stored: who is on it, by name key or database login, and who may sign for a department.

Reads only (the writes are `operations.roster`, each recorded in the ledger). The roster
is *in use* once it has a row: until the first `kam user add` kam behaves as a single
user's tool (any name may act, as before issue 13). `departments_of` is what other
views ask ("the actor's department" in `kam agenda`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Connection, exists, select

from workflow.records import tables
from workflow.values.names import name_key

U = tables.users.c
K = tables.user_keys.c
SIGNING_ROLES = ("reviewer", "admin")  # a manager owns deals; reviewers and admins sign for their departments


class User(NamedTuple):
    """One roster entry as stored."""

    id: int
    name: str
    departments: tuple[str, ...]
    role: str
    login: str | None
    email: str | None
    enabled: bool

    def signs_for(self, department: str) -> bool:
        return self.enabled and self.role in SIGNING_ROLES and department in self.departments

    @property
    def is_admin(self) -> bool:
        return self.enabled and self.role == "admin"


def _user(row: Any) -> User:
    return User(row.id, row.name, tuple(row.departments or ()), row.role, row.login, row.email, bool(row.enabled))


def in_use(connection: Connection) -> bool:
    """Whether the roster has anyone on it (then owners and reviewers must be on it)."""
    return bool(connection.execute(select(exists().where(U.id.is_not(None)))).scalar())


def users(connection: Connection) -> list[User]:
    """Everyone on the roster, in the order they were added."""
    return [_user(row) for row in connection.execute(select(tables.users).order_by(U.id))]


def find(connection: Connection, name: str) -> User | None:
    """The roster entry of `name` as people read it (`ＺＨＡＮＧ` finds Zhang), or None.

    A name that is not one (`normalize_name` refuses it) is refused, never "nobody".
    """
    row = connection.execute(select(tables.users).where(U.name_key == name_key(name))).first()
    return _user(row) if row is not None else None


def by_login(connection: Connection, login: str) -> User | None:
    """The roster entry whose database login is `login` (PostgreSQL's current_user), or None."""
    row = connection.execute(select(tables.users).where(U.login == login)).first()
    return _user(row) if row is not None else None


def departments_of(connection: Connection, name: str) -> tuple[str, ...]:
    """The departments of the person called `name` (empty when not on the roster)."""
    user = find(connection, name)
    return user.departments if user is not None else ()


def signers(connection: Connection, department: str) -> list[str]:
    """The names of who may sign for `department` now (enabled reviewers and admins of it), in roster order."""
    return [u.name for u in users(connection) if u.signs_for(department)]


def admins(connection: Connection) -> list[str]:
    return [u.name for u in users(connection) if u.is_admin]


class KeyRow(NamedTuple):
    id: int
    user_id: int
    public_key: str
    fingerprint: str
    created_by: str
    created_at: Any


def keys(connection: Connection, user_id: int | None = None) -> list[KeyRow]:
    """Registered public keys (one user's, or everyone's), oldest first."""
    query = select(tables.user_keys).order_by(K.user_id, K.created_at, K.id)
    if user_id is not None:
        query = query.where(K.user_id == user_id)
    return [KeyRow(*row) for row in connection.execute(query)]
